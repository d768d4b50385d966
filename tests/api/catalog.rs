//! Writing people and tags: the shared resources documents refer to.

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn answer(response: reqwest::Response) -> (u16, Option<String>, Value) {
    let status = response.status().as_u16();
    let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(String::from);
    let body = response.json().await.unwrap_or(Value::Null);
    (status, etag, body)
}

async fn create(app: &TestApp, token: &str, collection: &str, body: Value) -> (String, String) {
    let response = app.send(Method::POST, collection, Some(token), None, Some(&body)).await;
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).map(String::from);
    let (status, etag, created) = answer(response).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(location, Some(format!("{collection}/{id}")));
    (id, etag.unwrap_or_default())
}

#[tokio::test]
async fn a_person_is_created_changed_and_deleted_with_if_match() {
    let app = spawn_app().await;
    let author = app.token_for(Role::Author).await;
    let editor = app.token_for(Role::Editor).await;
    let body = json!({"slug": "lucy-parsons", "name": "Lucy Parsons", "bio": "Labor organizer."});

    // Anyone who writes content may add a person; nobody anonymous.
    let anonymous = app.send(Method::POST, "/v1/people", None, None, Some(&body)).await;
    assert_eq!(anonymous.status(), 401);
    let (id, etag) = create(&app, &author, "/v1/people", body.clone()).await;
    let again = app.send(Method::POST, "/v1/people", Some(&editor), None, Some(&body)).await;
    let (status, _, problem) = answer(again).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (409, Some("slug")), "{problem}");

    // A reader's ETag names the same version, and the bytes it was sent.
    let public = app.get("/v1/people/lucy-parsons").await;
    let read = public.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(read.starts_with(etag.trim_end_matches('"')) && read != etag, "{read} after {etag}");
    let etag = read;

    // Changing takes an editor and the current ETag.
    let path = format!("/v1/people/{id}");
    let patch = json!({"name": "Lucy E. Parsons", "bio": null});
    let by_author = app.send(Method::PATCH, &path, Some(&author), Some(&etag), Some(&patch)).await;
    assert_eq!(by_author.status(), 403);
    let without = app.send(Method::PATCH, &path, Some(&editor), None, Some(&patch)).await;
    assert_eq!(without.status(), 428);
    let (status, new_etag, person) =
        answer(app.send(Method::PATCH, &path, Some(&editor), Some(&etag), Some(&patch)).await).await;
    assert_eq!(status, 200, "{person}");
    assert_eq!(
        (person["name"].as_str(), &person["bio"], person["version"].as_i64()),
        (Some("Lucy E. Parsons"), &Value::Null, Some(2))
    );
    let new_etag = new_etag.unwrap_or_default();
    assert_ne!(new_etag, etag);
    let stale = app.send(Method::PATCH, &path, Some(&editor), Some(&etag), Some(&patch)).await;
    assert_eq!(stale.status(), 412);

    // Bad values: every field named.
    let bad = json!({"slug": "Lucy Parsons", "name": " "});
    let (status, _, problem) =
        answer(app.send(Method::PATCH, &path, Some(&editor), Some(&new_etag), Some(&bad)).await).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> =
        problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["slug", "name"], "{problem}");
    let unknown = json!({"email": "lucy@example.org"});
    let (status, _, problem) =
        answer(app.send(Method::PATCH, &path, Some(&editor), Some(&new_etag), Some(&unknown)).await).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(app.get_json(&path).await["version"], 2, "nothing written by refused changes");

    // A credited person cannot be deleted; an uncredited one can, once.
    let credited = app.get_json("/v1/people/ralph-chaplin").await;
    let credited_etag = format!(
        "\"{}-v{}\"",
        credited["id"].as_str().unwrap_or_default().replace('-', ""),
        credited["version"]
    );
    let (status, _, problem) = answer(
        app.send(Method::DELETE, "/v1/people/ralph-chaplin", Some(&editor), Some(&credited_etag), None).await,
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("credited on 1 document"), "{problem}");
    let deleted = app.send(Method::DELETE, &path, Some(&editor), Some(&new_etag), None).await;
    assert_eq!(deleted.status(), 204);
    app.get_problem(&path, 404).await;
    let twice = app.send(Method::DELETE, &path, Some(&editor), Some(&new_etag), None).await;
    assert_eq!(twice.status(), 404);
}

#[tokio::test]
async fn a_tag_is_renamed_without_leaving_its_documents() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let admin = app.token_for(Role::Admin).await;
    let key_body = json!({"name": "reader", "scopes": ["content:read"]});
    let key = app.send(Method::POST, "/v1/api-keys", Some(&admin), None, Some(&key_body));
    let read_key = answer(key.await).await.2["key"].as_str().unwrap_or_default().to_owned();

    let tag = app.get("/v1/tags/solidarity").await;
    assert_eq!(tag.status(), 200);
    let etag = tag.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let tag: Value = tag.json().await.unwrap_or_default();
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
    let new_etag = new_etag.unwrap_or_default();
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
