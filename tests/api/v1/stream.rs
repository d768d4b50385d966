//! The live change stream: Server-Sent Events read by a real HTTP client,
//! a disconnect, and a resume from `Last-Event-ID` without loss.

use std::time::Duration;

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

/// An SSE connection and the bytes read but not yet parsed.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

/// One parsed event, or a comment.
#[derive(Debug)]
enum Item {
    Event { id: String, data: Value },
    Comment(String),
}

impl Events {
    async fn open(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Self {
        let mut request = app.client.get(format!("{}{path}", app.address));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert_eq!(response.status(), 200, "GET {path}");
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap();
        assert_eq!(content_type, "text/event-stream");
        Self { response, buffer: String::new() }
    }

    /// The next event or comment, within a few seconds.
    async fn next(&mut self) -> Item {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut data, mut comment) = (None, None, None);
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id: ") {
                        id = Some(v.to_owned());
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data = serde_json::from_str(v).ok();
                    } else if let Some(v) = line.strip_prefix(": ") {
                        comment = Some(v.to_owned());
                    }
                }
                return match (id, data, comment) {
                    (Some(id), Some(data), _) => Item::Event { id, data },
                    (_, _, Some(comment)) => Item::Comment(comment),
                    _ => continue,
                };
            }
            let chunk = tokio::time::timeout(Duration::from_secs(5), self.response.chunk())
                .await
                .unwrap_or_else(|_| panic!("no event within 5 s; have {:?}", self.buffer))
                .unwrap_or_else(|e| panic!("stream: {e}"))
                .unwrap_or_else(|| panic!("the stream ended"));
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Change events until the titles they carry satisfy `done`: the id of
    /// the last one, and every change read.
    async fn until(&mut self, done: impl Fn(&Vec<String>) -> bool) -> (String, Vec<Value>) {
        let mut titles = Vec::new();
        let mut seen = Vec::new();
        for _ in 0..20 {
            let (id, change) = self.change().await;
            assert_eq!(change["cursor"], id.as_str(), "an event's id is its cursor");
            titles.push(
                change["document"]["title"].as_str().expect("a change carries its document").to_owned(),
            );
            seen.push(change);
            if done(&titles) {
                return (id, seen);
            }
        }
        panic!("not seen within 20 events: {titles:?}");
    }

    /// The next change event, skipping comments.
    async fn change(&mut self) -> (String, Value) {
        loop {
            if let Item::Event { id, data } = self.next().await {
                return (id, data);
            }
        }
    }
}

async fn retitle(app: &TestApp, token: &str, path: &str, title: &str) {
    let current = app.send(Method::GET, path, Some(token), None, None).await;
    let etag = current.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    let response =
        app.send(Method::PATCH, path, Some(token), Some(&etag), Some(&json!({"title": title}))).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_client_receives_changes_disconnects_and_resumes_without_loss() {
    let app = spawn_app_with(&[("BROADSIDE_STREAM_HEARTBEAT_SECONDS", "1")]).await;
    let editor = app.token_for(Role::Editor).await;
    let essay = "/v1/essays/proletarian-internationalism";
    let song = "/v1/lyrics/solidarity-forever";

    let mut stream = Events::open(&app, "/v1/changes/stream", &[]).await;
    // Nothing has changed yet: heartbeats only.
    assert!(matches!(stream.next().await, Item::Comment(_)));
    assert!(matches!(stream.next().await, Item::Comment(ref c) if c == "heartbeat"));

    // A draft is never announced; the public change after it is.
    let draft = json!({"slug": "draft-only", "title": "Draft", "body_markdown": "Not yet."});
    assert_eq!(app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&draft)).await.status(), 201);
    retitle(&app, &editor, essay, "Live, take one").await;
    // The essay, and the song that shows its title among its related documents.
    let (last_id, seen) = stream.until(|titles| titles.contains(&"Live, take one".to_owned())).await;
    assert!(seen.iter().all(|c| c["op"] == "upsert" && c["document"]["slug"] != "draft-only"), "{seen:?}");
    assert!(seen.iter().all(|c| c["cursor"].is_string()));
    drop(stream);

    // While disconnected: two more changes.
    retitle(&app, &editor, song, "Solidarity, take two").await;
    retitle(&app, &editor, essay, "Live, take three").await;

    let mut resumed = Events::open(&app, "/v1/changes/stream", &[("last-event-id", &last_id)]).await;
    let wanted = ["Solidarity, take two".to_owned(), "Live, take three".to_owned()];
    resumed.until(|titles| wanted.iter().all(|w| titles.contains(w))).await;

    // The same stream, resumed from a sync cursor in the query.
    let sync = app.get_json("/v1/sync").await;
    let cursor = sync["next_cursor"].as_str().unwrap().to_owned();
    let mut from_sync = Events::open(&app, &format!("/v1/changes/stream?cursor={cursor}"), &[]).await;
    retitle(&app, &editor, song, "Solidarity, take four").await;
    from_sync.until(|titles| titles.contains(&"Solidarity, take four".to_owned())).await;

    // Bad resumption points are refused before the stream starts.
    app.get_problem("/v1/changes/stream?cursor=nonsense", 400).await;
    let preview = app.send(Method::GET, "/v1/changes/stream?preview=true", None, None, None).await;
    assert_eq!(preview.status(), 401);
}

#[tokio::test]
async fn a_preview_stream_carries_drafts() {
    let app = spawn_app_with(&[("BROADSIDE_STREAM_HEARTBEAT_SECONDS", "1")]).await;
    let editor = app.token_for(Role::Editor).await;
    let bearer = format!("Bearer {editor}");
    let mut stream =
        Events::open(&app, "/v1/changes/stream?preview=true", &[("authorization", &bearer)]).await;
    let draft = json!({"slug": "draft-preview", "title": "Draft preview", "body_markdown": "Soon."});
    assert_eq!(app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&draft)).await.status(), 201);
    let (_, change) = stream.change().await;
    assert_eq!(
        (change["document"]["slug"].as_str(), change["document"]["status"].as_str()),
        (Some("draft-preview"), Some("draft"))
    );
}
