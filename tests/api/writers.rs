//! What authenticated readers see that the public does not.

use broadside::auth::Role;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestEssay, fields, spawn_app};

#[tokio::test]
async fn authenticated_readers_list_and_fetch_drafts_and_the_public_never_does() {
    let app = spawn_app().await;
    app.insert_essay(TestEssay::draft("work-in-progress")).await;
    let token = app.token_for(Role::Author).await;
    let bearer = format!("Bearer {token}");

    for status in ["draft", "scheduled", "archived", "any"] {
        let problem = app.get_problem(&format!("/v1/essays?status={status}"), 401).await;
        assert!(problem["detail"].as_str().unwrap_or_default().contains("authenticated"));
    }
    app.get_problem("/v1/essays/work-in-progress", 404).await;
    app.get_problem("/v1/essays?status=secret", 400).await;

    let drafts: Value = app
        .get_with("/v1/essays?status=draft", ("authorization", &bearer))
        .await
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(
        fields(drafts["data"].as_array().map(Vec::as_slice).unwrap_or_default(), "slug"),
        ["work-in-progress"]
    );
    let everything: Value = app
        .get_with("/v1/essays?status=any", ("authorization", &bearer))
        .await
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(everything["data"].as_array().map(Vec::len), Some(2));
    let default: Value =
        app.get_with("/v1/essays", ("authorization", &bearer)).await.json().await.unwrap_or_default();
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
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
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
        .unwrap_or_default();
    let key = created["key"].as_str().unwrap_or_default();
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
                    .unwrap_or_default();
                ids.extend(fields(page["data"].as_array().map(Vec::as_slice).unwrap_or_default(), "id"));
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
