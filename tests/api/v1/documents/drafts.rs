//! Drafts and deleted documents: what authenticated readers see that the
//! public does not, and what each role sees of others' drafts.

use broadside::auth::Role;
use serde_json::{Value, json};

use super::read;
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestEssay, fields, spawn_app};

#[tokio::test]
async fn authenticated_readers_list_and_fetch_drafts_and_the_public_never_does() {
    let app = spawn_app().await;
    app.insert_essay(TestEssay::draft("work-in-progress")).await;
    let token = app.token_for(Role::Editor).await;
    let bearer = format!("Bearer {token}");

    for status in ["draft", "scheduled", "archived", "any"] {
        let problem = app.get_problem(&format!("/v1/essays?status={status}"), 401).await;
        assert!(problem["detail"].as_str().unwrap().contains("authenticated"));
    }
    app.get_problem("/v1/essays/work-in-progress", 404).await;
    app.get_problem("/v1/essays?status=secret", 400).await;

    let drafts: Value =
        app.get_with("/v1/essays?status=draft", ("authorization", &bearer)).await.json().await.unwrap();
    assert_eq!(fields(drafts["data"].as_array().map(Vec::as_slice).unwrap(), "slug"), ["work-in-progress"]);
    let everything: Value =
        app.get_with("/v1/essays?status=any", ("authorization", &bearer)).await.json().await.unwrap();
    assert_eq!(everything["data"].as_array().map(Vec::len), Some(2));
    let default: Value = app.get_with("/v1/essays", ("authorization", &bearer)).await.json().await.unwrap();
    assert_eq!(default["data"].as_array().map(Vec::len), Some(1), "the default is published only");

    let draft = app.get_with("/v1/essays/work-in-progress", ("authorization", &bearer)).await;
    assert_eq!(draft.status(), 200);
    assert_eq!(draft.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("private, no-store"));
    let public = app.get("/v1/essays/proletarian-internationalism").await;
    assert!(
        public
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("public"))
    );

    // An API key with content:read sees drafts too.
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await["access_token"].as_str().unwrap().to_owned();
    let created: Value = app
        .client
        .post(format!("{}/v1/api-keys", app.address))
        .bearer_auth(&admin)
        .json(&json!({"name": "preview", "scopes": ["content:read"]}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap();
    let key = created["key"].as_str().unwrap();
    let via_key = app.get_with("/v1/lyrics?status=any", ("x-api-key", key)).await;
    assert_eq!(via_key.status(), 200);
    let via_key = app.get_with("/v1/essays/work-in-progress", ("x-api-key", key)).await;
    assert_eq!(via_key.status(), 200);
}

#[tokio::test]
async fn drafts_page_in_a_total_order_on_every_database() {
    let app = spawn_app().await;
    app.load_synthetic(200).await;
    let token = app.token_for(Role::Editor).await;
    let walk = |sort: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let mut ids = Vec::new();
            let mut cursor = String::new();
            loop {
                let url = format!("/v1/essays?status=any&sort={sort}&limit=17{cursor}");
                let page: Value = app
                    .get_with(&url, ("authorization", &format!("Bearer {token}")))
                    .await
                    .json()
                    .await
                    .unwrap();
                ids.extend(fields(page["data"].as_array().map(Vec::as_slice).unwrap(), "id"));
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = format!("&cursor={next}"),
                    None => return ids,
                }
            }
        }
    };
    let newest = walk("-published_at").await;
    let oldest = walk("published_at").await;
    assert_eq!(newest.len(), 201, "200 synthetic essays, drafts and archived included, and the demo essay");
    assert_eq!(newest.iter().collect::<std::collections::HashSet<_>>().len(), 201);
    assert_eq!(oldest.into_iter().rev().collect::<Vec<_>>(), newest);
}

#[tokio::test]
async fn an_author_sees_their_own_drafts_and_no_one_elses() {
    let app = spawn_app().await;
    let (ana, ben) = (app.token_for(Role::Author).await, app.token_for(Role::Author).await);
    let editor = app.token_for(Role::Editor).await;
    let draft = |slug: &str| json!({"slug": slug, "title": slug, "body_markdown": "Not yet."});
    for (token, slug) in [(&ana, "anas-draft"), (&ben, "bens-draft")] {
        let created =
            app.send(reqwest::Method::POST, "/v1/essays", Some(token), None, Some(&draft(slug))).await;
        assert_eq!(created.status(), 201);
    }
    for status in ["draft", "any"] {
        let (code, page) = read(&app, &format!("/v1/essays?status={status}"), &ana).await;
        assert_eq!(code, 200);
        let slugs = fields(page["data"].as_array().map(Vec::as_slice).unwrap(), "slug");
        assert!(
            slugs.contains(&"anas-draft".to_owned()) && !slugs.contains(&"bens-draft".to_owned()),
            "{status}: {slugs:?}"
        );
    }
    assert_eq!(read(&app, "/v1/essays/bens-draft", &ana).await.0, 404);
    assert_eq!(read(&app, "/v1/essays/bens-draft/revisions", &ana).await.0, 404);
    assert_eq!(read(&app, "/v1/essays/anas-draft", &ana).await.0, 200);
    assert_eq!(read(&app, "/v1/essays/anas-draft/revisions", &ana).await.0, 200);
    // A published document's history is its writers' and editors', not every author's.
    assert_eq!(read(&app, "/v1/essays/proletarian-internationalism/revisions", &ana).await.0, 403);
    let preview = read(&app, "/v1/sync?preview=true&limit=500", &ana).await.1;
    let ids: Vec<String> = preview["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["document"]["slug"].as_str().map(String::from))
        .collect();
    assert!(ids.contains(&"anas-draft".to_owned()) && !ids.contains(&"bens-draft".to_owned()), "{ids:?}");
    // Editors see every draft.
    let (_, page) = read(&app, "/v1/essays?status=draft", &editor).await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(read(&app, "/v1/essays/bens-draft/revisions", &editor).await.0, 200);
}

#[tokio::test]
async fn editors_list_deleted_documents_with_the_etag_that_restores_them() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let author = app.token_for(Role::Author).await;
    let path = "/v1/lyrics/solidarity-forever";
    let etag = app.etag(path, &editor).await;
    let deleted = app.send(reqwest::Method::DELETE, path, Some(&editor), etag.as_deref(), None).await;
    assert_eq!(deleted.status(), 200);
    app.get_problem("/v1/lyrics?status=deleted", 401).await;
    assert_eq!(read(&app, "/v1/lyrics?status=deleted", &author).await.0, 403);
    let (status, page) = read(&app, "/v1/lyrics?status=deleted", &editor).await;
    assert_eq!(status, 200);
    let listed = &page["data"][0];
    assert_eq!(
        (listed["slug"].as_str(), page["data"].as_array().map(Vec::len)),
        (Some("solidarity-forever"), Some(1))
    );
    assert!(listed["deleted_at"].is_string(), "{listed}");
    let etag = listed["etag"].as_str().unwrap();
    let id = listed["id"].as_str().unwrap();
    let restored = app
        .send(reqwest::Method::POST, &format!("/v1/lyrics/{id}/restore"), Some(&editor), Some(etag), None)
        .await;
    assert_eq!(restored.status(), 200);
    assert_eq!(
        read(&app, "/v1/lyrics?status=deleted", &editor).await.1["data"].as_array().map(Vec::len),
        Some(0)
    );
    let (_, public) = read(&app, "/v1/lyrics", &editor).await;
    assert!(public["data"][0]["deleted_at"].is_null());
}
