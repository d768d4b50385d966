//! Revisions: the message and actor each records, and the revision every
//! document has of its current version.

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::{essay_body, read};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_revision_message_is_recorded_and_a_key_can_write() {
    let app = spawn_app().await;
    let admin = app.sign_in(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await;
    let admin = admin["access_token"].as_str().unwrap().to_owned();
    let key: Value = app
        .send(
            Method::POST,
            "/v1/api-keys",
            Some(&admin),
            None,
            Some(&json!({"name": "importer", "scopes": ["content:write"]})),
        )
        .await
        .json()
        .await
        .unwrap();
    let key = key["key"].as_str().unwrap();
    let created = app
        .client
        .post(format!("{}/v1/essays", app.address))
        .header("x-api-key", key)
        .header("x-revision-message", "Imported from the archive")
        .json(&essay_body("imported"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created.status(), 201);
    let doc: Value = created.json().await.unwrap();
    let revision: Value = app
        .get_with(&format!("/v1/essays/{}/revisions/1", doc["id"].as_str().unwrap()), ("x-api-key", key))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (revision["actor_kind"].as_str(), revision["actor_name"].as_str()),
        (Some("api_key"), Some("importer"))
    );
    assert_eq!(revision["message"], "Imported from the archive");
    assert_eq!(revision["document"]["slug"], "imported");
}

#[tokio::test]
async fn every_document_has_the_revision_of_its_version() {
    let app = spawn_app().await;
    app.load_synthetic(40).await;
    let missing = app
        .count(
            "SELECT COUNT(*) FROM documents d WHERE NOT EXISTS \
             (SELECT 1 FROM revisions r WHERE r.document_id = d.id AND r.version = d.version)",
        )
        .await;
    assert_eq!(missing, 0, "documents without the revision of their version");
    assert_eq!(app.count("SELECT COUNT(*) FROM documents").await, 123);
    let editor = app.token_for(Role::Editor).await;
    let (status, history) = read(&app, "/v1/essays/proletarian-internationalism/revisions", &editor).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> =
        history["data"].as_array().into_iter().flatten().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(actions, ["publish", "create"], "the demo essay was written as the API writes it");
    let (_, first) = read(&app, "/v1/essays/synthetic-essay-000001/revisions/1", &editor).await;
    assert_eq!(first["document"]["slug"], "synthetic-essay-000001", "{first}");
}
