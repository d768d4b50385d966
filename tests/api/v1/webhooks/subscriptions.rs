//! Webhook subscriptions: validated, for admins only, and never aimed at a
//! private, loopback or link-local target, by address or by name.

use std::collections::HashMap;

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::Receiver;
use crate::helpers::spawn_app_with;

#[tokio::test]
async fn webhook_requests_are_validated_and_for_admins_only() {
    let app = spawn_app_with(&[]).await;
    let admin = app.token_for(Role::Admin).await;
    let editor = app.token_for(Role::Editor).await;
    let good = json!({"url": "https://hooks.example.org/x", "event_types": ["essay.published"]});
    let response = app.send(Method::POST, "/v1/webhooks", Some(&editor), None, Some(&good)).await;
    assert_eq!(response.status(), 403);
    let response = app.send(Method::GET, "/v1/webhooks", None, None, None).await;
    assert_eq!(response.status(), 401);
    for (body, field) in [
        (json!({"url": "ftp://hooks.example.org/x", "event_types": ["*"]}), "url"),
        (json!({"url": "not a url", "event_types": ["*"]}), "url"),
        (json!({"url": "https://hooks.example.org/x", "event_types": []}), "event_types"),
        (json!({"url": "https://hooks.example.org/x", "event_types": ["essay.exploded"]}), "event_types[0]"),
        (
            json!({"url": "https://hooks.example.org/x", "event_types": ["*"], "content_types": ["poem"]}),
            "content_types[0]",
        ),
    ] {
        let response = app.send(Method::POST, "/v1/webhooks", Some(&admin), None, Some(&body)).await;
        assert_eq!(response.status(), 422, "{body}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    // Wrong shapes and types, unknown fields, oversize values: a problem, never a 500.
    let long_url = format!("https://hooks.example.org/{}", "a".repeat(3000));
    for body in [
        json!({"url": "https://hooks.example.org/x", "event_types": ["*"], "secret": "mine"}),
        json!({"url": "https://hooks.example.org/x", "event_types": "essay.published"}),
        json!({"url": 42, "event_types": ["*"]}),
        json!({"url": "https://hooks.example.org/x", "event_types": ["*"], "enabled": "yes"}),
        json!({"url": long_url, "event_types": ["*"]}),
        json!({"url": "https://hooks.example.org/x", "event_types": ["*"], "description": "d".repeat(501)}),
        json!([]),
        json!(null),
    ] {
        let response = app.send(Method::POST, "/v1/webhooks", Some(&admin), None, Some(&body)).await;
        assert!(response.status().is_client_error(), "{body}: {}", response.status());
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(String::from);
        assert_eq!(content_type.as_deref(), Some("application/problem+json"), "{body}");
    }
    let malformed = app
        .client
        .post(format!("{}/v1/webhooks", app.address))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{\"url\": ")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(malformed.status(), 400);
    assert_eq!(app.count("SELECT COUNT(*) FROM webhooks").await, 0, "no refused request wrote anything");

    let created = app.send(Method::POST, "/v1/webhooks", Some(&admin), None, Some(&good)).await;
    let etag = created.headers().get("etag").and_then(|v| v.to_str().ok()).map(String::from);
    let created: Value = created.json().await.unwrap();
    let path = format!("/v1/webhooks/{}", created["id"].as_str().unwrap());
    let listed = app.send(Method::GET, "/v1/webhooks", Some(&admin), None, None).await.text().await.unwrap();
    assert!(!listed.contains("whsec_"), "the secret is shown once: {listed}");
    let shown = app.send(Method::GET, &path, Some(&admin), None, None).await.text().await.unwrap();
    assert!(!shown.contains("whsec_"), "{shown}");
    let patch = json!({"event_types": ["essay.*"]});
    let response = app.send(Method::PATCH, &path, Some(&admin), None, Some(&patch)).await;
    assert_eq!(response.status(), 428);
    let response = app.send(Method::PATCH, &path, Some(&admin), etag.as_deref(), Some(&patch)).await;
    assert_eq!(response.status(), 200);
    let response = app.send(Method::PATCH, &path, Some(&admin), etag.as_deref(), Some(&patch)).await;
    assert_eq!(response.status(), 412, "the old ETag is stale");
    let etag = app.etag(&path, &admin).await;
    for bad in [json!([1]), json!({"event_types": null}), json!({"url": "http://10.1.2.3/"})] {
        let response = app.send(Method::PATCH, &path, Some(&admin), etag.as_deref(), Some(&bad)).await;
        assert_eq!(response.status(), 422, "{bad}");
    }
    for bad in ["/v1/webhooks/nope", "/v1/webhooks/nope/deliveries", "/v1/webhooks/deliveries/nope/replay"] {
        let method = if bad.ends_with("replay") { Method::POST } else { Method::GET };
        assert_eq!(app.send(method, bad, Some(&admin), None, None).await.status(), 400, "{bad}");
    }
    let bad_cursor = format!("{path}/deliveries?cursor=garbage");
    assert_eq!(app.send(Method::GET, &bad_cursor, Some(&admin), None, None).await.status(), 400);
    assert_eq!(app.send(Method::DELETE, &path, Some(&admin), None, None).await.status(), 204);
    assert_eq!(app.send(Method::GET, &path, Some(&admin), None, None).await.status(), 404);
}

#[tokio::test]
async fn private_loopback_and_link_local_targets_are_refused_by_default() {
    let app = spawn_app_with(&[]).await;
    let admin = app.token_for(Role::Admin).await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.8/hook",
        "http://192.168.1.20/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ] {
        let body = json!({"url": url, "event_types": ["*"]});
        let response = app.send(Method::POST, "/v1/webhooks", Some(&admin), None, Some(&body)).await;
        assert_eq!(response.status(), 422, "{url}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("BROADSIDE_WEBHOOK_ALLOWED_NETWORKS"))
        );
    }
    // A public address is fine.
    let ok = json!({"url": "https://93.184.215.14/hook", "event_types": ["*"]});
    let response = app.send(Method::POST, "/v1/webhooks", Some(&admin), None, Some(&ok)).await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn a_name_that_resolves_to_loopback_is_refused_when_the_request_is_made() {
    let settings = broadside::config::Settings::from_vars(&HashMap::new()).unwrap_or_else(|e| panic!("{e}"));
    let sender =
        broadside::webhooks::sender::Sender::new(&settings.webhooks).unwrap_or_else(|e| panic!("{e}"));
    let receiver = Receiver::start(0).await;
    let port = receiver.url.split(':').nth(2).and_then(|p| p.split('/').next()).unwrap().to_owned();
    // The receiver is up on loopback; "localhost" resolves to it; the
    // request is refused all the same, at resolution.
    let claimed = broadside::webhooks::Claimed {
        delivery: entity::webhook_delivery::Model {
            id: uuid::Uuid::now_v7(),
            webhook_id: uuid::Uuid::now_v7(),
            event_id: uuid::Uuid::now_v7(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: chrono::Utc::now(),
            last_status_code: None,
            last_error: None,
            replay_of: None,
            created_at: chrono::Utc::now(),
            completed_at: None,
        },
        event: entity::webhook_event::Model {
            id: uuid::Uuid::now_v7(),
            event_type: "webhook.test".into(),
            document_id: None,
            payload: "{}".into(),
            created_at: chrono::Utc::now(),
        },
        url: format!("http://localhost:{port}/hook"),
        secret: broadside::webhooks::signing::new_secret(),
        previous_secret: None,
    };
    let outcome = sender.attempt(&claimed).await;
    assert_eq!(outcome.status_code, None);
    let error = outcome.error.expect("the attempt failed with an error");
    assert!(error.contains("loopback"), "{error}");
    assert!(receiver.received().is_empty());
}
