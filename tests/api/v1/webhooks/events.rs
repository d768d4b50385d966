//! Which events are sent, and what they carry: a published essay, a
//! cancelled event, deleted lyrics, a renamed person and a new tag.

use std::collections::HashMap;
use std::time::Duration;

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::{
    FAST, Received, Receiver, deliveries, publish_essay, subscribe, verify, verify_with_reference_library,
};
use crate::helpers::spawn_app_with;

#[tokio::test]
async fn a_published_essay_reaches_the_receiver_signed_with_its_public_rendering() {
    let app = spawn_app_with(FAST).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(0).await;
    let hook = subscribe(&app, &admin, &receiver.url, json!(["essay.published", "lyrics.*"])).await;
    let secret = hook["secret"].as_str().unwrap();

    let id = publish_essay(&app, &admin, "signed-and-delivered", None).await;
    let received = receiver.wait_for(Duration::from_secs(10), |r| !r.is_empty()).await;
    // Created is not subscribed to; published is. Nothing else arrives.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = if receiver.received().len() > received.len() { receiver.received() } else { received };
    assert_eq!(received.len(), 1, "{received:#?}");
    let delivery = &received[0];
    verify(secret, delivery).unwrap_or_else(|e| panic!("{e}"));
    verify_with_reference_library(secret, &received);
    let tampered =
        Received { body: delivery.body.replace("signed-and-delivered", "forged"), ..delivery.clone() };
    assert!(verify(secret, &tampered).is_err(), "a changed body must not verify");

    let payload = delivery.json();
    assert_eq!(payload["type"], "essay.published");
    assert_eq!(payload["id"], delivery.id.as_str(), "the payload's id is the webhook-id");
    assert!(chrono::DateTime::parse_from_rfc3339(payload["timestamp"].as_str().unwrap()).is_ok());
    assert_eq!(payload["data"]["id"], id.as_str());
    assert_eq!(payload["data"]["content_type"], "essay");
    let public: Value = app.get_json(&format!("/v1/essays/{id}")).await;
    assert_eq!(payload["data"]["document"]["title"], public["title"]);
    assert_eq!(payload["data"]["document"]["body_html"], public["body_html"]);

    // The log has it, with its one attempt.
    let log = deliveries(&app, &admin, hook["id"].as_str().unwrap()).await;
    assert_eq!(log.len(), 1, "{log:#?}");
    assert_eq!(log[0]["status"], "succeeded");
    assert_eq!(log[0]["event_type"], "essay.published");
    assert_eq!(log[0]["message_id"], delivery.id.as_str());
    assert_eq!(log[0]["attempts"][0]["status_code"], 204);
    assert!(log[0]["attempts"][0]["latency_ms"].as_i64().is_some());
}

#[tokio::test]
async fn cancelling_an_event_and_deleting_lyrics_send_their_own_events() {
    let app = spawn_app_with(FAST).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(0).await;
    subscribe(&app, &admin, &receiver.url, json!(["event.cancelled", "lyrics.deleted"])).await;
    let event_path = "/v1/events/international-meeting-of-communist-and-workers-parties";
    let etag = app.etag(event_path, &admin).await;
    let cancel = json!({"event_status": "cancelled"});
    let patched = app.send(Method::PATCH, event_path, Some(&admin), etag.as_deref(), Some(&cancel)).await;
    assert_eq!(patched.status(), 200, "{:?}", patched.text().await);
    let lyrics_path = "/v1/lyrics/solidarity-forever";
    let etag = app.etag(lyrics_path, &admin).await;
    let deleted = app.send(Method::DELETE, lyrics_path, Some(&admin), etag.as_deref(), None).await;
    assert_eq!(deleted.status(), 200);

    let received = receiver.wait_for(Duration::from_secs(10), |r| r.len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 2, "only the subscribed events: {:#?}", receiver.received());
    let by_type: HashMap<String, Value> =
        received.iter().map(|d| (d.json()["type"].as_str().unwrap().to_owned(), d.json())).collect();
    let cancelled = &by_type["event.cancelled"];
    assert_eq!(cancelled["data"]["document"]["event_status"], "cancelled", "{cancelled}");
    let gone = &by_type["lyrics.deleted"];
    assert_eq!(gone["data"]["document"], Value::Null, "a deleted document is not rendered: {gone}");
    assert_eq!(gone["data"]["deleted"], true);
    assert!(gone["data"]["id"].is_string());
}

#[tokio::test]
async fn renaming_a_person_tells_which_public_documents_show_them() {
    let app = spawn_app_with(FAST).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(0).await;
    let songs_only = Receiver::start(0).await;
    let events_only = Receiver::start(0).await;
    subscribe(&app, &admin, &receiver.url, json!(["person.*", "tag.*"])).await;
    for (target, kind) in [(&songs_only, "lyrics"), (&events_only, "event")] {
        let body = json!({"url": target.url, "event_types": ["person.updated"], "content_types": [kind]});
        let response = app.send(Method::POST, "/v1/webhooks", Some(&admin), None, Some(&body)).await;
        assert_eq!(response.status(), 201);
    }
    let path = "/v1/people/ralph-chaplin";
    let etag = app.etag(path, &admin).await;
    let renamed = json!({"name": "Ralph H. Chaplin"});
    let response = app.send(Method::PATCH, path, Some(&admin), etag.as_deref(), Some(&renamed)).await;
    assert_eq!(response.status(), 200);
    let tag = json!({"slug": "picket-line-songs", "name": "Picket line songs"});
    assert_eq!(app.send(Method::POST, "/v1/tags", Some(&admin), None, Some(&tag)).await.status(), 201);

    let received = receiver.wait_for(Duration::from_secs(10), |r| r.len() >= 2).await;
    let by_type: HashMap<String, Value> =
        received.iter().map(|d| (d.json()["type"].as_str().unwrap().to_owned(), d.json())).collect();
    let person = &by_type["person.updated"];
    assert_eq!(person["data"]["name"], "Ralph H. Chaplin");
    let song = app.id_of("lyrics", "solidarity-forever").await.to_string();
    let shown: Vec<&str> = person["data"]["documents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["id"].as_str())
        .collect();
    assert_eq!(shown, vec![song.as_str()], "{person}");
    assert_eq!(by_type["tag.created"]["data"]["slug"], "picket-line-songs");
    // A content-type filter passes the event when a document of that type shows the person.
    songs_only.wait_for(Duration::from_secs(10), |r| r.len() == 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(events_only.received().is_empty(), "{:?}", events_only.received());
}

/// Creates that arrive together are written in one transaction; each is
/// still its own event, delivered once to each subscription that wants
/// it, with its own message id.
#[tokio::test]
async fn creates_written_together_are_each_their_own_event() {
    let app = spawn_app_with(FAST).await;
    let admin = app.token_for(Role::Admin).await;
    let essays = Receiver::start(0).await;
    let everything = Receiver::start(0).await;
    subscribe(&app, &admin, &essays.url, json!(["essay.created"])).await;
    subscribe(&app, &admin, &everything.url, json!(["*"])).await;
    let slugs: Vec<String> = (0..12).map(|i| format!("together-announced-{i}")).collect();
    let creates = slugs.iter().map(|slug| {
        let body = json!({"slug": slug, "title": slug, "body_markdown": "Written together."});
        let request = app.client.post(format!("{}/v1/essays", app.address)).bearer_auth(&admin).json(&body);
        async move { request.send().await.unwrap_or_else(|e| panic!("{e}")).status().as_u16() }
    });
    let statuses = crate::helpers::join_all(creates.collect()).await;
    assert!(statuses.iter().all(|status| *status == 201), "{statuses:?}");

    for receiver in [&essays, &everything] {
        receiver.wait_for(Duration::from_secs(10), |r| r.len() >= slugs.len()).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    for receiver in [&essays, &everything] {
        let received = receiver.received();
        let mut announced: Vec<String> = received
            .iter()
            .map(|delivery| {
                let payload = delivery.json();
                assert_eq!(payload["type"], "essay.created", "{payload}");
                assert_eq!(payload["id"], delivery.id.as_str());
                payload["data"]["slug"].as_str().unwrap_or_else(|| panic!("{payload}")).to_owned()
            })
            .collect();
        announced.sort();
        let mut expected = slugs.clone();
        expected.sort();
        assert_eq!(announced, expected, "each create once");
        let mut ids: Vec<&str> = received.iter().map(|delivery| delivery.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), slugs.len(), "each with its own message id");
    }
    // One event for each create, shared by both deliveries of it.
    let events = app.count("SELECT COUNT(*) FROM webhook_events WHERE event_type = 'essay.created'").await;
    assert_eq!(events, slugs.len() as i64);
}
