//! Anonymous reads of a document answer with the representation stored
//! when it was written: the same bytes a fresh rendering gives, never one
//! that is stale or past what the clock changes (an event's next
//! occurrence).

use broadside::auth::Role;
use reqwest::Method;

use crate::helpers::{TestApp, spawn_app_with};

const PATHS: [(&str, &str); 3] = [
    ("essay", "/v1/essays/proletarian-internationalism"),
    ("lyrics", "/v1/lyrics/solidarity-forever"),
    ("event", "/v1/events/international-meeting-of-communist-and-workers-parties"),
];

async fn body(app: &TestApp, path: &str, token: Option<&str>) -> String {
    let response = app.send(Method::GET, path, token, None, None).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap_or_else(|e| panic!("{e}"))
}

async fn execute(app: &TestApp, sql: &str) {
    use sea_orm::ConnectionTrait;
    app.db.execute_unprepared(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn anonymous_reads_get_the_stored_bytes_only_while_they_are_current() {
    let app = spawn_app_with(&[("BROADSIDE_CACHE", "false")]).await;
    let editor = app.token_for(Role::Editor).await;
    for (kind, path) in PATHS {
        // An editor's read renders afresh; the public one is stored.
        assert_eq!(body(&app, path, None).await, body(&app, path, Some(&editor)).await, "{path}");

        let slug = path.rsplit('/').next().unwrap_or_default();
        let id = format!("SELECT id FROM documents WHERE kind = '{kind}' AND slug = '{slug}'");
        let tampered = r#"{"tampered":true}"#;
        let set = |assignments: &str| {
            format!(
                "UPDATE document_renderings SET document = '{tampered}', {assignments} WHERE document_id IN ({id})"
            )
        };
        execute(&app, &set("stale = FALSE, expires_at = NULL")).await;
        assert_eq!(body(&app, path, None).await, tampered, "the stored bytes are what is served");
        execute(&app, &set("stale = TRUE")).await;
        assert_ne!(body(&app, path, None).await, tampered, "{path}: a stale rendering is not served");
        execute(&app, &set("stale = FALSE, expires_at = '2000-01-01 00:00:00+00:00'")).await;
        assert_ne!(body(&app, path, None).await, tampered, "{path}: an expired rendering is not served");
        execute(&app, "UPDATE document_renderings SET stale = TRUE").await;
    }
    // The background renders what is stale, as it was.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.count("SELECT COUNT(*) FROM document_renderings WHERE stale").await > 0 {
        assert!(std::time::Instant::now() < deadline, "stale renderings are rendered again");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for (_, path) in PATHS {
        assert_eq!(body(&app, path, None).await, body(&app, path, Some(&editor)).await, "{path}");
    }
}
