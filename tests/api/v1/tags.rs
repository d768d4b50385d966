//! Tags: counts of published documents, listing by slug, and renaming and
//! deleting them.

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::{answer, create};
use crate::helpers::{TestEssay, fields, spawn_app};

#[tokio::test]
async fn tags_count_only_published_documents() {
    let app = spawn_app().await;
    app.insert_essay(TestEssay { new_tags: &["drafts-only"], ..TestEssay::draft("unfinished") }).await;
    let tags = app.walk("/v1/tags", 100).await;
    let count_of = |slug: &str| {
        tags.iter().find(|t| t["slug"] == slug).map(|t| t["document_count"].as_u64().unwrap_or(99))
    };
    assert_eq!(count_of("solidarity"), Some(2), "the essay and the song");
    assert_eq!(count_of("sample"), Some(1));
    assert_eq!(count_of("drafts-only"), Some(0), "a draft is not counted");
    let slugs = fields(&tags, "slug");
    let mut sorted = slugs.clone();
    sorted.sort();
    assert_eq!(slugs, sorted);
    let back = app.walk("/v1/tags?sort=-slug", 3).await;
    assert_eq!(fields(&back, "slug").into_iter().rev().collect::<Vec<_>>(), slugs);
}

#[tokio::test]
async fn a_tag_is_renamed_without_leaving_its_documents() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let admin = app.token_for(Role::Admin).await;
    let key_body = json!({"name": "reader", "scopes": ["content:read"]});
    let key = app.send(Method::POST, "/v1/api-keys", Some(&admin), None, Some(&key_body));
    let read_key = answer(key.await).await.2["key"].as_str().unwrap().to_owned();

    let tag = app.get("/v1/tags/solidarity").await;
    assert_eq!(tag.status(), 200);
    let etag = tag.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    let tag: Value = tag.json().await.unwrap();
    assert_eq!((tag["document_count"].as_u64(), tag["version"].as_i64()), (Some(2), Some(1)), "{tag}");

    // A read-only key may not write.
    let by_key = app
        .client
        .patch(format!("{}/v1/tags/solidarity", app.address))
        .header("x-api-key", &read_key)
        .header("if-match", &etag)
        .json(&json!({"name": "Unity"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(by_key.status(), 403);

    let patch = json!({"slug": "unity", "name": "Unity"});
    let (status, new_etag, renamed) = answer(
        app.send(Method::PATCH, "/v1/tags/solidarity", Some(&editor), Some(&etag), Some(&patch)).await,
    )
    .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!((renamed["slug"].as_str(), renamed["document_count"].as_u64()), (Some("unity"), Some(2)));
    let essays = app.get_json("/v1/essays?tag=unity").await;
    assert_eq!(essays["data"].as_array().map(Vec::len), Some(1), "{essays}");
    app.get_problem("/v1/tags/solidarity", 404).await;

    // In use: refused. A new, unused tag: created and deleted.
    let new_etag = new_etag.unwrap();
    let in_use = app.send(Method::DELETE, "/v1/tags/unity", Some(&editor), Some(&new_etag), None).await;
    assert_eq!(in_use.status(), 409);
    let taken = app
        .send(Method::POST, "/v1/tags", Some(&editor), None, Some(&json!({"slug": "unity", "name": "Again"})))
        .await;
    assert_eq!(taken.status(), 409);
    let (id, fresh) = create(&app, &editor, "/v1/tags", json!({"slug": "strikes", "name": "Strikes"})).await;
    let path = format!("/v1/tags/{id}");
    let stale = app.send(Method::DELETE, &path, Some(&editor), Some(&new_etag), None).await;
    assert_eq!(stale.status(), 412);
    let deleted = app.send(Method::DELETE, &path, Some(&editor), Some(&fresh), None).await;
    assert_eq!(deleted.status(), 204);
    app.get_problem(&path, 404).await;
}
