//! The routes of `/v1`, one module per route module, and the helpers the
//! people and tags tests share (both are written through one catalog).

mod api_keys;
mod auth;
mod documents;
mod essays;
mod events;
mod listing;
mod lyrics;
mod people;
mod search;
mod stream;
mod sync;
mod tags;
mod webhooks;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::TestApp;

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
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(location, Some(format!("{collection}/{id}")));
    (id, etag.unwrap())
}
