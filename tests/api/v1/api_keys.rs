//! API keys: created by admins, shown once, working until revoked, and
//! validated field by field.

use broadside::auth::Role;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app};

#[tokio::test]
async fn an_admin_creates_a_key_that_is_shown_once_works_and_can_be_revoked() {
    let app = spawn_app().await;
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await["access_token"].as_str().unwrap().to_owned();
    let created = app
        .client
        .post(format!("{}/v1/api-keys", app.address))
        .bearer_auth(&admin)
        .json(&json!({"name": "site build", "scopes": ["content:read"]}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let key = created["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("bsk_"));
    assert!(key.starts_with(created["prefix"].as_str().unwrap_or("?")));

    let listed = app.get_with("/v1/api-keys", ("authorization", &format!("Bearer {admin}"))).await;
    let listed: Value = listed.json().await.unwrap();
    assert_eq!(listed["data"][0]["name"], "site build");
    assert!(!listed.to_string().contains(&key), "the key is never shown again");

    let me: Value = app.get_with("/v1/auth/me", ("x-api-key", &key)).await.json().await.unwrap();
    assert_eq!((me["kind"].as_str(), me["name"].as_str()), (Some("api_key"), Some("site build")));
    assert_eq!(me["scopes"], json!(["content:read"]));

    let id = created["id"].as_str().unwrap();
    let revoked = app
        .client
        .delete(format!("{}/v1/api-keys/{id}", app.address))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(revoked.status(), 204);
    assert_eq!(
        app.get_with("/v1/auth/me", ("x-api-key", &key)).await.status(),
        401,
        "a revoked key is refused"
    );
    let again = app
        .client
        .delete(format!("{}/v1/api-keys/{id}", app.address))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.status(), 404);
}

#[tokio::test]
async fn only_admins_manage_keys() {
    let app = spawn_app().await;
    for role in [Role::Editor, Role::Author] {
        let token = app.token_for(role).await;
        let response = app.get_with("/v1/api-keys", ("authorization", &format!("Bearer {token}"))).await;
        assert_eq!(response.status(), 403, "{role}");
    }
    assert_eq!(app.get("/v1/api-keys").await.status(), 401);
}

#[tokio::test]
async fn key_requests_are_validated_field_by_field() {
    let app = spawn_app().await;
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await["access_token"].as_str().unwrap().to_owned();
    let response = app
        .client
        .post(format!("{}/v1/api-keys", app.address))
        .bearer_auth(&admin)
        .json(&json!({"name": " ", "scopes": ["content:read", "everything"], "expires_at": "2001-01-01T00:00:00Z"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["detail"], "3 fields are invalid");
    let fields: Vec<&str> =
        problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["name", "scopes[1]", "expires_at"]);
}
