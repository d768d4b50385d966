//! Liveness and readiness probes, request ids, and the docs served from the
//! binary.

use crate::helpers::spawn_app;

#[tokio::test]
async fn liveness_answers_without_the_database() {
    let app = spawn_app().await;
    let body = app.get_json("/healthz").await;
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readiness_reports_the_database_backend() {
    let app = spawn_app().await;
    let body = app.get_json("/readyz").await;
    assert_eq!(body["status"], "ok");
    let expected = if app.database_url.starts_with("postgres") { "postgres" } else { "sqlite" };
    assert_eq!(body["database"], expected);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert!(response.headers().contains_key("x-request-id"));
    let echoed = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(echoed.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("abc-123"));
}

#[tokio::test]
async fn docs_are_served_from_the_binary() {
    let app = spawn_app().await;
    let page = app.get("/docs/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("cdn"), "the docs page loads nothing from a CDN");
    let script = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(script.status(), 200);
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
        .get(format!("{}/docs", app.address))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(redirect.status().is_redirection());
}

/// On PostgreSQL a statement past `BROADSIDE_DB_STATEMENT_TIMEOUT_MS` is
/// cancelled by the server, and what asked for it is told the service is
/// busy (503, `Retry-After`): a slow query holds its connection no longer.
#[tokio::test]
async fn a_statement_past_its_time_limit_is_a_503() {
    use actix_web::ResponseError;
    use broadside::error::AppError;
    use sea_orm::ConnectionTrait;

    let (url, _dir) = crate::helpers::fresh_database().await;
    if !url.starts_with("postgres") {
        return;
    }
    let settings =
        crate::helpers::settings_with(&url, false, &[("BROADSIDE_DB_STATEMENT_TIMEOUT_MS", "100")]);
    let db = broadside::database::connect(&settings.database).await.unwrap_or_else(|e| panic!("{e}"));
    db.execute_unprepared("SELECT pg_sleep(0.01)").await.unwrap_or_else(|e| panic!("a quick one runs: {e}"));
    let error =
        db.execute_unprepared("SELECT pg_sleep(5)").await.err().unwrap_or_else(|| panic!("cancelled"));
    let response = AppError::from(error).error_response();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
}
