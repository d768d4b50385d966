//! Behaviour the three content types share, grouped by the action of
//! `routes/v1/documents` it exercises, and the helpers those tests share.

mod create;
mod drafts;
mod linked_data;
mod locales;
mod revisions;
mod state;
mod stored;
mod update;
mod visibility;

use serde_json::{Value, json};

fn essay_body(slug: &str) -> Value {
    json!({
        "slug": slug,
        "title": "On Organizing",
        "body_markdown": "First paragraph.\n\nSecond *paragraph*.",
        "authors": [{"person": "alvaro-rodriguez", "affiliation": "Guest"}],
        "tags": ["organizing", "solidarity"]
    })
}

async fn json_of(response: reqwest::Response) -> (u16, Option<String>, Value) {
    let status = response.status().as_u16();
    let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(String::from);
    let body = response.json().await.unwrap_or(Value::Null);
    (status, etag, body)
}

/// `GET path` with `token`: its status and body.
async fn read(app: &crate::helpers::TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = app.get_with(path, ("authorization", &format!("Bearer {token}"))).await;
    (response.status().as_u16(), response.json().await.unwrap())
}
