//! Webhooks end to end: a real HTTP receiver on loopback gets signed
//! deliveries, which are checked with an implementation of the Standard
//! Webhooks signature written here from the specification (and, when
//! `BROADSIDE_TEST_PYTHON` names a Python with the `standardwebhooks`
//! package, with that reference library too). Retries, restarts, replay,
//! disabling, target filtering and several instances on one database.

use std::collections::{HashMap, HashSet};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use broadside::auth::Role;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, join_all, spawn_app_with, spawn_instance};

/// Settings for fast, loopback-allowed webhooks.
pub const FAST: &[(&str, &str)] = &[
    ("BROADSIDE_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32"),
    ("BROADSIDE_WEBHOOK_RETRY_BASE_MS", "50"),
    ("BROADSIDE_WEBHOOK_POLL_MS", "50"),
    ("BROADSIDE_WEBHOOK_TIMEOUT_SECONDS", "2"),
];

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    /// The status the receiver answered with.
    pub answered: u16,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// A webhook receiver on 127.0.0.1 that answers 500 to its first
/// `failures` requests and 204 afterwards.
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    handle: actix_web::dev::ServerHandle,
}

struct Script {
    received: Arc<Mutex<Vec<Received>>>,
    failures: usize,
    seen: AtomicUsize,
}

async fn receive(request: HttpRequest, body: web::Bytes, script: web::Data<Script>) -> HttpResponse {
    let header =
        |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let n = script.seen.fetch_add(1, Ordering::SeqCst);
    let answered = if n < script.failures { 500 } else { 204 };
    if let Ok(mut received) = script.received.lock() {
        received.push(Received {
            id: header("webhook-id"),
            timestamp: header("webhook-timestamp"),
            signature: header("webhook-signature"),
            body: String::from_utf8_lossy(&body).into_owned(),
            answered,
        });
    }
    if answered == 500 {
        HttpResponse::InternalServerError().body("not yet")
    } else {
        HttpResponse::NoContent().finish()
    }
}

impl Receiver {
    pub async fn start(failures: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        Self::on(listener, failures)
    }

    /// A receiver on `listener`: a port chosen before the receiver starts.
    pub fn on(listener: TcpListener, failures: usize) -> Self {
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let received = Arc::new(Mutex::new(Vec::new()));
        let script =
            web::Data::new(Script { received: received.clone(), failures, seen: AtomicUsize::new(0) });
        let server =
            HttpServer::new(move || App::new().app_data(script.clone()).default_service(web::to(receive)))
                .workers(1)
                .listen(listener)
                .unwrap_or_else(|e| panic!("listen: {e}"))
                .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self { url: format!("http://127.0.0.1:{port}/hook"), received, handle }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Waits until `done` holds of what was received, for up to `within`.
    pub async fn wait_for(&self, within: Duration, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            assert!(Instant::now() < deadline, "gave up waiting; received {received:#?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn stop(&self) {
        self.handle.stop(false).await;
    }
}

/// The Standard Webhooks check, written from the specification: HMAC-SHA256
/// keyed with the base64-decoded secret over `id.timestamp.body`, one of
/// the space-separated `v1,<base64>` signatures matching, and a timestamp
/// within five minutes.
pub fn verify(secret: &str, received: &Received) -> Result<(), String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").ok_or("the secret lacks whsec_")?)
        .map_err(|e| format!("secret: {e}"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|e| e.to_string())?;
    mac.update(format!("{}.{}.{}", received.id, received.timestamp, received.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    if !received.signature.split(' ').any(|s| s == expected) {
        return Err(format!("no signature matches: got {}, expected {expected}", received.signature));
    }
    let timestamp: i64 = received.timestamp.parse().map_err(|_| "timestamp is not a number")?;
    if (chrono::Utc::now().timestamp() - timestamp).abs() > 300 {
        return Err(format!("timestamp {timestamp} is too far from now"));
    }
    Ok(())
}

/// Checks each delivery with the specification's reference library, when
/// a Python with `standardwebhooks` is named by `BROADSIDE_TEST_PYTHON`.
fn verify_with_reference_library(secret: &str, received: &[Received]) {
    let Ok(python) = std::env::var("BROADSIDE_TEST_PYTHON") else {
        eprintln!(
            "BROADSIDE_TEST_PYTHON is not set: signatures checked with the in-test implementation only"
        );
        return;
    };
    let deliveries: Vec<Value> = received
        .iter()
        .map(|r| {
            json!({"body": r.body, "headers": {
                "webhook-id": r.id, "webhook-timestamp": r.timestamp, "webhook-signature": r.signature,
            }})
        })
        .collect();
    let script = "import json, sys\n\
        from standardwebhooks.webhooks import Webhook\n\
        given = json.load(sys.stdin)\n\
        hook = Webhook(given['secret'])\n\
        for d in given['deliveries']:\n    hook.verify(d['body'], d['headers'])\n\
        print(len(given['deliveries']))\n";
    let mut child = std::process::Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("BROADSIDE_TEST_PYTHON: {e}"));
    let input = json!({"secret": secret, "deliveries": deliveries}).to_string();
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin.write_all(input.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    }
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(output.status.success(), "the reference library refused a signature");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), received.len().to_string());
}

/// Subscribes `url` to `event_types`; returns the webhook with its secret.
pub async fn subscribe(app: &TestApp, admin: &str, url: &str, event_types: Value) -> Value {
    let body = json!({"url": url, "event_types": event_types});
    let response = app.send(Method::POST, "/v1/webhooks", Some(admin), None, Some(&body)).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap_or_default();
    assert!(created["secret"].as_str().is_some_and(|s| s.starts_with("whsec_")), "{created}");
    created
}

fn essay(slug: &str) -> Value {
    json!({
        "slug": slug,
        "title": format!("Essay {slug}"),
        "body_markdown": "A paragraph.",
        "authors": [{"person": "alvaro-rodriguez"}],
    })
}

/// Creates an essay and publishes it (at `at`, or now); returns its id.
async fn publish_essay(app: &TestApp, token: &str, slug: &str, at: Option<&str>) -> String {
    let created = app.send(Method::POST, "/v1/essays", Some(token), None, Some(&essay(slug))).await;
    assert_eq!(created.status(), 201, "create {slug}");
    let etag = created.headers().get("etag").and_then(|v| v.to_str().ok()).map(String::from);
    let body: Value = created.json().await.unwrap_or_default();
    let id = body["id"].as_str().unwrap_or_default().to_owned();
    let publish = at.map_or(json!({}), |at| json!({"publish_at": at}));
    let path = format!("/v1/essays/{id}/publish");
    let published = app.send(Method::POST, &path, Some(token), etag.as_deref(), Some(&publish)).await;
    assert_eq!(published.status(), 200, "publish {slug}");
    let published: Value = published.json().await.unwrap_or_default();
    let expected = if at.is_some() { "scheduled" } else { "published" };
    assert_eq!(published["document"]["status"], expected, "{slug}: {published}");
    id
}

async fn deliveries(app: &TestApp, admin: &str, webhook_id: &str) -> Vec<Value> {
    let path = format!("/v1/webhooks/{webhook_id}/deliveries?limit=100");
    let response = app.send(Method::GET, &path, Some(admin), None, None).await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap_or_default();
    page["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_published_essay_reaches_the_receiver_signed_with_its_public_rendering() {
    let app = spawn_app_with(FAST).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(0).await;
    let hook = subscribe(&app, &admin, &receiver.url, json!(["essay.published", "lyrics.*"])).await;
    let secret = hook["secret"].as_str().unwrap_or_default();

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
    assert!(chrono::DateTime::parse_from_rfc3339(payload["timestamp"].as_str().unwrap_or_default()).is_ok());
    assert_eq!(payload["data"]["id"], id.as_str());
    assert_eq!(payload["data"]["content_type"], "essay");
    let public: Value = app.get_json(&format!("/v1/essays/{id}")).await;
    assert_eq!(payload["data"]["document"]["title"], public["title"]);
    assert_eq!(payload["data"]["document"]["body_html"], public["body_html"]);

    // The log has it, with its one attempt.
    let log = deliveries(&app, &admin, hook["id"].as_str().unwrap_or_default()).await;
    assert_eq!(log.len(), 1, "{log:#?}");
    assert_eq!(log[0]["status"], "succeeded");
    assert_eq!(log[0]["event_type"], "essay.published");
    assert_eq!(log[0]["message_id"], delivery.id.as_str());
    assert_eq!(log[0]["attempts"][0]["status_code"], 204);
    assert!(log[0]["attempts"][0]["latency_ms"].as_i64().is_some());
}

#[tokio::test]
async fn a_receiver_failing_three_times_gets_the_event_once_more_with_four_attempts_logged() {
    let app = spawn_app_with(FAST).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(3).await;
    let hook = subscribe(&app, &admin, &receiver.url, json!(["essay.published"])).await;
    publish_essay(&app, &admin, "third-time-lucky", None).await;

    let received = receiver.wait_for(Duration::from_secs(10), |r| r.iter().any(|d| d.answered == 204)).await;
    // No attempt follows the success.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received_after = receiver.received();
    assert_eq!(received_after.len(), received.len());
    let answers: Vec<u16> = received.iter().map(|d| d.answered).collect();
    assert_eq!(answers, vec![500, 500, 500, 204]);
    // One event, the same id on every attempt, each freshly signed.
    assert!(received.iter().all(|d| d.id == received[0].id && d.body == received[0].body));
    let secret = hook["secret"].as_str().unwrap_or_default();
    for delivery in &received {
        verify(secret, delivery).unwrap_or_else(|e| panic!("{e}"));
    }
    let log = deliveries(&app, &admin, hook["id"].as_str().unwrap_or_default()).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "succeeded");
    let codes: Vec<i64> = log[0]["attempts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["status_code"].as_i64())
        .collect();
    assert_eq!(codes, vec![500, 500, 500, 204]);
    assert_eq!(log[0]["attempts"][0]["response_snippet"], "not yet");
    let numbers: Vec<i64> =
        log[0]["attempts"].as_array().into_iter().flatten().filter_map(|a| a["number"].as_i64()).collect();
    assert_eq!(numbers, vec![1, 2, 3, 4]);
}

#[tokio::test]
async fn a_receiver_down_while_the_service_restarts_gets_the_event_after_the_restart() {
    let mut app = spawn_app_with(FAST).await;
    let admin = app.token_for(Role::Admin).await;
    // A port with nothing listening on it, for now.
    let reserved = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = reserved.local_addr().map(|a| a.port()).unwrap_or_default();
    drop(reserved);
    let url = format!("http://127.0.0.1:{port}/hook");
    let hook = subscribe(&app, &admin, &url, json!(["essay.*"])).await;
    let hook_id = hook["id"].as_str().unwrap_or_default().to_owned();
    publish_essay(&app, &admin, "across-a-restart", None).await;

    // Refused connections are logged and retried.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = deliveries(&app, &admin, &hook_id).await;
        let failed = log.iter().flat_map(|d| d["attempts"].as_array().cloned().unwrap_or_default()).count();
        if failed >= 2 {
            assert!(log.iter().all(|d| d["status"] == "pending"), "{log:#?}");
            let error = log[0]["attempts"][0]["error"].as_str().unwrap_or_default().to_owned();
            assert!(error.contains("connect"), "{error}");
            break;
        }
        assert!(Instant::now() < deadline, "no failed attempts logged: {log:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A graceful stop, as on SIGTERM: attempts under way finish first, so
    // none is left leased to the stopped instance.
    app.stop().await;
    use sea_orm::EntityTrait;
    let left = entity::webhook_delivery::Entity::find().all(&app.db).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(left.len(), 2);
    for delivery in left {
        assert_eq!(delivery.status, "pending");
        let lease_ends = chrono::Utc::now() + chrono::Duration::seconds(10);
        assert!(delivery.next_attempt_at < lease_ends, "left leased: {delivery:?}");
    }

    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| panic!("rebind {port}: {e}"));
    let receiver = Receiver::on(listener, 0);
    // Nothing arrives while no instance runs.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.received().is_empty());

    let restarted = spawn_instance(&app.database_url, FAST).await;
    // created, updated-by-publish: every event of the subscription arrives.
    let received = receiver
        .wait_for(Duration::from_secs(45), |r| {
            let types: HashSet<String> =
                r.iter().map(|d| d.json()["type"].as_str().unwrap_or("").to_owned()).collect();
            types.contains("essay.created") && types.contains("essay.published")
        })
        .await;
    let secret = hook["secret"].as_str().unwrap_or_default();
    for delivery in &received {
        verify(secret, delivery).unwrap_or_else(|e| panic!("{e}"));
    }
    // Recorded once the answer is in.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = deliveries(&restarted, &admin, &hook_id).await;
        if log.iter().all(|d| d["status"] == "succeeded") {
            break;
        }
        assert!(Instant::now() < deadline, "{log:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_subscription_that_keeps_failing_is_disabled_with_its_reason_and_can_be_replayed() {
    let mut settings = FAST.to_vec();
    settings.extend([("BROADSIDE_WEBHOOK_MAX_ATTEMPTS", "2"), ("BROADSIDE_WEBHOOK_DISABLE_AFTER", "2")]);
    let app = spawn_app_with(&settings).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(usize::MAX).await;
    let hook = subscribe(&app, &admin, &receiver.url, json!(["essay.created"])).await;
    let path = format!("/v1/webhooks/{}", hook["id"].as_str().unwrap_or_default());
    for slug in ["failing-one", "failing-two"] {
        let created = app.send(Method::POST, "/v1/essays", Some(&admin), None, Some(&essay(slug))).await;
        assert_eq!(created.status(), 201);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let disabled = loop {
        let current: Value =
            app.send(Method::GET, &path, Some(&admin), None, None).await.json().await.unwrap_or_default();
        if current["enabled"] == false {
            break current;
        }
        assert!(Instant::now() < deadline, "never disabled: {current}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let reason = disabled["disabled_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("HTTP 500") && reason.contains("2 deliveries"), "{reason}");
    assert_eq!(receiver.received().len(), 4, "two deliveries, two attempts each");
    let log = deliveries(&app, &admin, hook["id"].as_str().unwrap_or_default()).await;
    assert!(log.iter().all(|d| d["status"] == "failed" && d["attempts"].as_array().map(Vec::len) == Some(2)));

    // A replay waits for the subscription to be enabled again.
    let replay = format!("/v1/webhooks/deliveries/{}/replay", log[0]["id"].as_str().unwrap_or_default());
    let refused = app.send(Method::POST, &replay, Some(&admin), None, None).await;
    assert_eq!(refused.status(), 409);
    let etag = app.etag(&path, &admin).await;
    let enabled =
        app.send(Method::PATCH, &path, Some(&admin), etag.as_deref(), Some(&json!({"enabled": true}))).await;
    assert_eq!(enabled.status(), 200);
    let enabled: Value = enabled.json().await.unwrap_or_default();
    assert_eq!(enabled["disabled_reason"], Value::Null);
    assert_eq!(enabled["failed_deliveries"], 0);
    let replayed = app.send(Method::POST, &replay, Some(&admin), None, None).await;
    assert_eq!(replayed.status(), 202);
    let replayed: Value = replayed.json().await.unwrap_or_default();
    assert_eq!(replayed["replay_of"], log[0]["id"]);
    assert_eq!(replayed["message_id"], log[0]["message_id"], "a replay carries the original webhook-id");
    receiver.wait_for(Duration::from_secs(10), |r| r.len() >= 5).await;
    let last = receiver.received().pop().map(|d| d.id).unwrap_or_default();
    assert_eq!(last, log[0]["message_id"].as_str().unwrap_or_default());
}

#[tokio::test]
async fn a_test_delivery_reports_its_outcome_at_once() {
    let app = spawn_app_with(FAST).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(0).await;
    let hook = subscribe(&app, &admin, &receiver.url, json!(["event.cancelled"])).await;
    let path = format!("/v1/webhooks/{}/test", hook["id"].as_str().unwrap_or_default());
    let response = app.send(Method::POST, &path, Some(&admin), None, None).await;
    assert_eq!(response.status(), 200);
    let delivery: Value = response.json().await.unwrap_or_default();
    assert_eq!(delivery["status"], "succeeded", "{delivery}");
    assert_eq!(delivery["event_type"], "webhook.test");
    assert_eq!(delivery["attempts"][0]["status_code"], 204);
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    verify(hook["secret"].as_str().unwrap_or_default(), &received[0]).unwrap_or_else(|e| panic!("{e}"));

    // A test to a receiver that is gone fails once, with the reason, and
    // is not retried.
    receiver.stop().await;
    let response = app.send(Method::POST, &path, Some(&admin), None, None).await;
    let delivery: Value = response.json().await.unwrap_or_default();
    assert_eq!(delivery["status"], "failed", "{delivery}");
    assert!(delivery["attempts"][0]["error"].as_str().is_some_and(|e| e.contains("connect")), "{delivery}");
    assert_eq!(delivery["attempts"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_new_one_for_a_day() {
    let app = spawn_app_with(FAST).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(0).await;
    let hook = subscribe(&app, &admin, &receiver.url, json!(["essay.*"])).await;
    let old = hook["secret"].as_str().unwrap_or_default().to_owned();
    let path = format!("/v1/webhooks/{}", hook["id"].as_str().unwrap_or_default());
    let rotate = format!("{path}/rotate-secret");
    assert_eq!(app.send(Method::POST, &rotate, Some(&admin), None, None).await.status(), 428);
    let etag = app.etag(&path, &admin).await;
    let rotated = app.send(Method::POST, &rotate, Some(&admin), etag.as_deref(), None).await;
    assert_eq!(rotated.status(), 200);
    let rotated: Value = rotated.json().await.unwrap_or_default();
    let new = rotated["secret"].as_str().unwrap_or_default().to_owned();
    assert!(new.starts_with("whsec_") && new != old);
    let until = rotated["previous_secret_expires_at"].as_str().unwrap_or_default();
    let until = chrono::DateTime::parse_from_rfc3339(until).unwrap_or_else(|e| panic!("{rotated}: {e}"));
    let hours = (until.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes();
    assert!((23 * 60..=24 * 60).contains(&hours), "{rotated}");
    assert_eq!(app.send(Method::POST, &rotate, Some(&admin), etag.as_deref(), None).await.status(), 412);

    let test = format!("{path}/test");
    assert_eq!(app.send(Method::POST, &test, Some(&admin), None, None).await.status(), 200);
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].signature.split(' ').count(), 2, "{}", received[0].signature);
    verify(&new, &received[0]).unwrap_or_else(|e| panic!("new secret: {e}"));
    verify(&old, &received[0]).unwrap_or_else(|e| panic!("old secret: {e}"));
    verify_with_reference_library(&new, &received);
    verify_with_reference_library(&old, &received);
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
        received.iter().map(|d| (d.json()["type"].as_str().unwrap_or("").to_owned(), d.json())).collect();
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
        received.iter().map(|d| (d.json()["type"].as_str().unwrap_or("").to_owned(), d.json())).collect();
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
        let problem: Value = response.json().await.unwrap_or_default();
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
    let port =
        receiver.url.split(':').nth(2).and_then(|p| p.split('/').next()).unwrap_or_default().to_owned();
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
    let error = outcome.error.unwrap_or_default();
    assert!(error.contains("loopback"), "{error}");
    assert!(receiver.received().is_empty());
}

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
        let problem: Value = response.json().await.unwrap_or_default();
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
    let created: Value = created.json().await.unwrap_or_default();
    let path = format!("/v1/webhooks/{}", created["id"].as_str().unwrap_or_default());
    let listed = app
        .send(Method::GET, "/v1/webhooks", Some(&admin), None, None)
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(!listed.contains("whsec_"), "the secret is shown once: {listed}");
    let shown = app.send(Method::GET, &path, Some(&admin), None, None).await.text().await.unwrap_or_default();
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
async fn two_instances_publish_a_hundred_scheduled_documents_once_each_with_one_event_each() {
    let app = spawn_app_with(FAST).await;
    let other = spawn_instance(&app.database_url, FAST).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(0).await;
    let second = Receiver::start(0).await;
    subscribe(&app, &admin, &receiver.url, json!(["essay.published"])).await;
    subscribe(&other, &admin, &second.url, json!(["essay.*"])).await;

    // Far enough ahead that every one is still scheduled when the last is.
    let at = (chrono::Utc::now() + chrono::Duration::seconds(8)).to_rfc3339();
    let mut ids = Vec::new();
    for chunk in (0..100).collect::<Vec<_>>().chunks(10) {
        let scheduled = join_all(
            chunk
                .iter()
                .map(|n| {
                    let (app, admin, at) = (if n % 2 == 0 { &app } else { &other }, &admin, &at);
                    async move { publish_essay(app, admin, &format!("scheduled-{n}"), Some(at)).await }
                })
                .collect(),
        )
        .await;
        ids.extend(scheduled);
    }
    let received = receiver.wait_for(Duration::from_secs(30), |r| r.len() >= 100).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let received = if receiver.received().len() > received.len() { receiver.received() } else { received };
    let published: Vec<String> =
        received.iter().map(|d| d.json()["data"]["id"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(published.len(), 100, "exactly one event per document");
    assert_eq!(published.iter().collect::<HashSet<_>>(), ids.iter().collect::<HashSet<_>>());
    // Only these documents were ever published through the workflow here.
    let publications = app
        .count("SELECT COUNT(*) FROM revisions WHERE action = 'publish' AND actor_name = 'scheduler'")
        .await;
    assert_eq!(publications, 100, "each document published once");
    let live = app.get_json("/v1/essays?limit=100&sort=-published_at").await;
    assert_eq!(
        live["data"].as_array().map(|d| d
            .iter()
            .filter(|e| e["slug"].as_str().is_some_and(|s| s.starts_with("scheduled-")))
            .count()),
        Some(100)
    );
    // The other subscription got its own copy of each: one published
    // event per document (and the creates and schedules before them).
    let theirs = second
        .wait_for(Duration::from_secs(30), |r| {
            r.iter().filter(|d| d.json()["type"] == "essay.published").count() >= 100
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let theirs = if second.received().len() > theirs.len() { second.received() } else { theirs };
    let published_ids: Vec<String> = theirs
        .iter()
        .filter(|d| d.json()["type"] == "essay.published")
        .map(|d| d.json()["data"]["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(published_ids.len(), 100);
    assert_eq!(published_ids.iter().collect::<HashSet<_>>().len(), 100);
    let attempts = app.count("SELECT COUNT(*) FROM webhook_attempts").await;
    let deliveries = app.count("SELECT COUNT(*) FROM webhook_deliveries").await;
    assert_eq!(attempts, deliveries, "each delivery attempted once, by one instance");
}
