//! Webhooks end to end: a real HTTP receiver on loopback gets signed
//! deliveries, which are checked with an implementation of the Standard
//! Webhooks signature written here from the specification (and, when
//! `BROADSIDE_TEST_PYTHON` names a Python with the `standardwebhooks`
//! package, with that reference library too). The receiver and the
//! signature check live here; the tests, by route, in the modules below.

mod deliveries;
mod events;
mod subscriptions;

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::TestApp;

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
    // The receiver records what came, and must answer whatever came: a
    // missing header is recorded as empty, which `verify` and the checks
    // of the id then refuse.
    let header =
        |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
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
        let port = listener.local_addr().map(|a| a.port()).unwrap();
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
        self.received.lock().map(|r| r.clone()).unwrap()
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
    let created: Value = response.json().await.unwrap();
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
    let (id, etag) = create_essay(app, token, slug).await;
    publish(app, token, &id, etag.as_deref(), at).await;
    id
}

/// Creates a draft essay; returns its id and ETag.
async fn create_essay(app: &TestApp, token: &str, slug: &str) -> (String, Option<String>) {
    let created = app.send(Method::POST, "/v1/essays", Some(token), None, Some(&essay(slug))).await;
    assert_eq!(created.status(), 201, "create {slug}");
    let etag = created.headers().get("etag").and_then(|v| v.to_str().ok()).map(String::from);
    let body: Value = created.json().await.unwrap();
    (body["id"].as_str().unwrap().to_owned(), etag)
}

/// Publishes essay `id` at `at`, or now.
async fn publish(app: &TestApp, token: &str, id: &str, etag: Option<&str>, at: Option<&str>) {
    let body = at.map_or(json!({}), |at| json!({"publish_at": at}));
    let path = format!("/v1/essays/{id}/publish");
    let published = app.send(Method::POST, &path, Some(token), etag, Some(&body)).await;
    assert_eq!(published.status(), 200, "publish {id}");
    let published: Value = published.json().await.unwrap();
    let expected = if at.is_some() { "scheduled" } else { "published" };
    assert_eq!(published["document"]["status"], expected, "{id}: {published}");
}

async fn deliveries(app: &TestApp, admin: &str, webhook_id: &str) -> Vec<Value> {
    let path = format!("/v1/webhooks/{webhook_id}/deliveries?limit=100");
    let response = app.send(Method::GET, &path, Some(admin), None, None).await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    page["data"].as_array().cloned().unwrap()
}
