//! Translations: serving the locale a reader asks for, falling back in
//! order, and saying which one was served.

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const ESSAY: &str = "proletarian-internationalism";

/// Adds a Spanish translation of the demo essay; published unless `draft`.
async fn translate(app: &TestApp, editor: &str, draft: bool) -> String {
    let original = app.get_json(&format!("/v1/essays/{ESSAY}")).await;
    let body = json!({
        "slug": "internacionalismo-proletario",
        "locale": "es",
        "title": "Internacionalismo proletario",
        "body_markdown": "Significa que la lucha de la clase obrera es una lucha global.",
        "translation_of": original["id"],
    });
    let created = app.send(Method::POST, "/v1/essays", Some(editor), None, Some(&body)).await;
    assert_eq!(created.status(), 201);
    let etag = created.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    if !draft {
        let path = format!("/v1/essays/{id}/publish");
        let published = app.send(Method::POST, &path, Some(editor), etag.as_deref(), None).await;
        assert_eq!(published.status(), 200);
    }
    id
}

/// (status, Content-Language, slug) of an anonymous GET.
async fn served(
    app: &TestApp,
    path: &str,
    accept_language: Option<&str>,
) -> (u16, Option<String>, Option<String>) {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(value) = accept_language {
        request = request.header("accept-language", value);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status().as_u16();
    let language =
        response.headers().get("content-language").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: Value = response.json().await.unwrap();
    (status, language, body["slug"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn a_translation_is_served_by_locale_with_fallbacks_in_order() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    translate(&app, &editor, false).await;
    let es = (200, Some("es".to_owned()), Some("internacionalismo-proletario".to_owned()));
    let en = (200, Some("en".to_owned()), Some(ESSAY.to_owned()));

    for (path, accept_language, expected) in [
        (format!("/v1/essays/{ESSAY}?locale=es"), None, es.clone()),
        (format!("/v1/essays/{ESSAY}?locale=es-MX"), None, es.clone()),
        (format!("/v1/essays/{ESSAY}?locale=fr&fallback=de,es,en"), None, es.clone()),
        (format!("/v1/essays/{ESSAY}?locale=fr&fallback=en"), None, en.clone()),
        ("/v1/essays/internacionalismo-proletario?locale=en".to_owned(), None, en.clone()),
        (format!("/v1/essays/{ESSAY}"), Some("fr, es;q=0.8, en;q=0.5"), es.clone()),
        (format!("/v1/essays/{ESSAY}"), Some("en-GB, es;q=0.8"), en.clone()),
        (format!("/v1/essays/{ESSAY}"), Some("de"), en.clone()),
        (format!("/v1/essays/{ESSAY}?locale=en"), Some("es"), en.clone()),
        (format!("/v1/essays/{ESSAY}"), None, en.clone()),
    ] {
        assert_eq!(served(&app, &path, accept_language).await, expected, "{path} {accept_language:?}");
    }
    // Asked again: the cached answers keep to their own language.
    assert_eq!(served(&app, &format!("/v1/essays/{ESSAY}"), Some("es")).await, es);
    assert_eq!(served(&app, &format!("/v1/essays/{ESSAY}"), Some("en")).await, en);

    let problem = app.get_problem(&format!("/v1/essays/{ESSAY}?locale=fr&fallback=de"), 404).await;
    assert_eq!(problem["detail"], format!("no essay `{ESSAY}` in fr, de"));
    app.get_problem(&format!("/v1/essays/{ESSAY}?fallback=en"), 400).await;
    app.get_problem(&format!("/v1/essays/{ESSAY}?locale=es&fallback=nonsense!"), 400).await;

    // Each lists the other; lists filter by locale.
    let english = app.get_json(&format!("/v1/essays/{ESSAY}")).await;
    assert_eq!(english["translations"][0]["locale"], "es");
    assert_eq!(english["translations"][0]["slug"], "internacionalismo-proletario");
    let spanish = app.get_json("/v1/essays?locale=es").await;
    let slugs: Vec<&str> =
        spanish["data"].as_array().into_iter().flatten().filter_map(|e| e["slug"].as_str()).collect();
    assert_eq!(slugs, ["internacionalismo-proletario"]);
}

#[tokio::test]
async fn a_draft_translation_is_never_served_to_readers() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    translate(&app, &editor, true).await;
    let path = format!("/v1/essays/{ESSAY}?locale=es");
    app.get_problem(&path, 404).await;
    let fallback = served(&app, &format!("{path}&fallback=en"), None).await;
    assert_eq!(fallback.1.as_deref(), Some("en"));
    assert_eq!(served(&app, &format!("/v1/essays/{ESSAY}"), Some("es")).await.1.as_deref(), Some("en"));
    // Its editor sees it.
    let response = app.send(Method::GET, &path, Some(&editor), None, None).await;
    assert_eq!(response.headers().get("content-language").and_then(|v| v.to_str().ok()), Some("es"));
}
