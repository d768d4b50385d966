//! Hostile input, field by field and byte by byte: control characters in
//! every text field of every body, bodies too large, too slow or of the
//! wrong type, Markdown built to take the server down, credentials checked
//! before any of it. Every answer is a 4xx problem that names what is
//! wrong, and nothing is written.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

/// Every write body the API takes, with every optional text field filled.
fn bodies() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "POST",
            "/v1/essays",
            json!({
                "slug": "hostile-essay", "locale": "en", "title": "A title", "subtitle": "A subtitle",
                "body_markdown": "A *body*.", "excerpt": "An excerpt.",
                "authors": [{"person": "alvaro-rodriguez", "affiliation": "An affiliation"}],
                "tags": ["solidarity"]
            }),
        ),
        (
            "POST",
            "/v1/lyrics",
            json!({
                "slug": "hostile-song", "locale": "en", "title": "A song", "tune": "A tune", "year": 1915,
                "language": "en", "rights": {"status": "public_domain", "attribution": "Attribution"},
                "notes": "Notes", "writers": [{"person": "ralph-chaplin", "role": "lyricist"}],
                "stanzas": [{"id": "v1", "kind": "verse", "lines": ["A line"]}],
                "arrangement": ["v1"], "tags": ["labor"]
            }),
        ),
        (
            "POST",
            "/v1/events",
            json!({
                "slug": "hostile-event", "locale": "en", "title": "A meeting", "summary": "A summary",
                "description_markdown": "A description.", "starts_at": "2030-01-10T10:00:00+02:00",
                "ends_at": "2030-01-10T12:00:00+02:00", "time_zone": "Europe/Athens", "recurrence": "FREQ=YEARLY",
                "event_status": "scheduled", "attendance_mode": "mixed",
                "venue": {"name": "A hall", "address": "A street", "city": "Athens", "country": "GR"},
                "online_url": "https://example.org/live", "registration_url": "https://example.org/register",
                "organizers": ["alvaro-rodriguez"], "tags": ["internationalism"]
            }),
        ),
        ("POST", "/v1/people", json!({"slug": "hostile-person", "name": "A name", "bio": "A biography."})),
        ("POST", "/v1/tags", json!({"slug": "hostile-tag", "name": "A tag"})),
        ("POST", "/v1/api-keys", json!({"name": "A key", "scopes": ["content:read"]})),
        (
            "POST",
            "/v1/webhooks",
            json!({
                "url": "https://hooks.example.org/a", "description": "A hook",
                "event_types": ["essay.published"], "content_types": ["essay"]
            }),
        ),
        ("POST", "/v1/auth/token", json!({"email": "nobody@example.org", "password": "not a real password"})),
        (
            "PATCH",
            "/v1/essays/proletarian-internationalism",
            json!({"title": "A title", "body_markdown": "Text."}),
        ),
        ("PATCH", "/v1/lyrics/solidarity-forever", json!({"tune": "A tune", "notes": "Notes"})),
        (
            "PATCH",
            "/v1/events/international-meeting-of-communist-and-workers-parties",
            json!({
                "summary": "A summary", "venue": {"name": "A hall", "address": "A street"}
            }),
        ),
        ("PATCH", "/v1/people/ralph-chaplin", json!({"name": "A name", "bio": "A biography."})),
        ("PATCH", "/v1/tags/solidarity", json!({"name": "A tag"})),
    ]
}

/// Every string in `value`, by its path (`venue.name`, `stanzas[0].lines[0]`)
/// and its JSON pointer.
fn strings(value: &Value, path: &str, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(_) => out.push((path.to_owned(), pointer.to_owned())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(item, &format!("{path}[{i}]"), &format!("{pointer}/{i}"), out);
            }
        }
        Value::Object(fields) => {
            for (name, item) in fields {
                let path = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                strings(item, &path, &format!("{pointer}/{name}"), out);
            }
        }
        _ => {}
    }
}

/// Rows of every table a refused write could have touched.
async fn written(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in
        ["documents", "revisions", "people", "tags", "api_keys", "webhooks", "change_log", "refresh_tokens"]
    {
        counts.push(app.count(&format!("SELECT COUNT(*) FROM {table}")).await);
    }
    counts.push(app.count("SELECT COALESCE(SUM(version), 0) FROM documents").await);
    counts
}

async fn send(app: &TestApp, token: &str, method: &str, path: &str, body: &Value) -> reqwest::Response {
    let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::POST);
    let mut request = app.client.request(method.clone(), format!("{}{path}", app.address)).bearer_auth(token);
    if method == Method::PATCH {
        let etag = app.etag(path, token).await.unwrap_or_else(|| panic!("GET {path}: no ETag"));
        request = request.header("if-match", etag).header("content-type", "application/merge-patch+json");
    } else {
        request = request.header("content-type", "application/json");
    }
    request.body(body.to_string()).send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

/// A problem document, checked for its shape; `(status, body)`.
async fn problem(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(String::from);
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(content_type.as_deref(), Some("application/problem+json"), "{status}: {body}");
    assert_eq!(body["status"], status, "{body}");
    (status, body)
}

#[tokio::test]
async fn no_text_field_takes_a_control_character() {
    let app = spawn_app().await;
    let admin = app.token_for(Role::Admin).await;
    let before = written(&app).await;
    let mut checked = 0;
    for (method, path, body) in bodies() {
        let mut leaves = Vec::new();
        strings(&body, "", "", &mut leaves);
        // A password may be any text at all; it is never stored.
        for (field, pointer) in leaves.into_iter().filter(|(field, _)| field != "password") {
            for hostile in
                ["a\u{0}b", "a\u{1}b", "a\u{b}b", "a\u{1b}[31mb", "a\u{7f}", "a\u{85}b", "a\u{fffe}b"]
            {
                let mut body = body.clone();
                if let Some(slot) = body.pointer_mut(&pointer) {
                    *slot = json!(hostile);
                }
                let (status, problem) = problem(send(&app, &admin, method, path, &body).await).await;
                assert!(
                    status == 422 || status == 400,
                    "{method} {path} {field}={hostile:?}: {status} {problem}"
                );
                let named = problem["errors"][0]["field"].as_str().unwrap_or_else(|| panic!("{problem}"));
                let root = |f: &str| f.split(['.', '[']).next().unwrap().to_owned();
                assert_eq!(root(named), root(&field), "{method} {path} {field}={hostile:?}: {problem}");
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "{checked}");
    assert_eq!(written(&app).await, before, "a refused write wrote nothing");
}

#[tokio::test]
async fn line_breaks_are_refused_in_one_line_fields_and_kept_in_the_others() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    for (field, value) in
        [("title", "Title\r\nATTENDEE:mailto:x@example.org"), ("subtitle", "a\nb"), ("title", "a\tb")]
    {
        let body = json!({"slug": "one-line", "title": "T", "body_markdown": "B", field: value});
        let (status, problem) = problem(send(&app, &editor, "POST", "/v1/essays", &body).await).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some(field)), "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("must be one line"), "{problem}");
    }
    let body = json!({"slug": "many-lines", "title": "T", "body_markdown": "One\r\n\ttwo\rthree", "excerpt": "a\nb"});
    let created = send(&app, &editor, "POST", "/v1/essays", &body).await;
    assert_eq!(created.status(), 201);
    let essay: Value = created.json().await.unwrap();
    assert_eq!(essay["body_markdown"], "One\n\ttwo\nthree", "line breaks are stored as line feeds");
}

#[tokio::test]
async fn query_parameters_take_no_control_characters() {
    let app = spawn_app().await;
    for path in [
        "/v1/search?q=a%00b",
        "/v1/essays?cursor=%0D%0A",
        "/v1/events?from=2027-01-01%00",
        "/v1/sync?cursor=%01",
    ] {
        let problem = app.get_problem(path, 400).await;
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("control character") || detail.contains("line break"), "{path}: {problem}");
    }
}

#[tokio::test]
async fn recurrences_that_never_occur_or_do_not_parse_are_refused() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let before = written(&app).await;
    for rule in [
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;;;",
        "FREQ=WEEKLY;COUNT=2;COUNT=3",
        "FREQ=HOURLY",
    ] {
        let body = json!({
            "slug": "never", "title": "Never", "starts_at": "2030-01-10T10:00:00Z", "ends_at": "2030-01-10T11:00:00Z",
            "time_zone": "UTC", "recurrence": rule
        });
        let (status, problem) = problem(send(&app, &editor, "POST", "/v1/events", &body).await).await;
        assert_eq!(
            (status, problem["errors"][0]["field"].as_str()),
            (422, Some("recurrence")),
            "{rule}: {problem}"
        );
    }
    assert_eq!(written(&app).await, before);
}

/// The kinds of Markdown that once took seconds to sanitise.
fn pathological(size: usize) -> Vec<String> {
    vec![
        ">".repeat(size) + " x",
        "- ".repeat(size / 2) + "x",
        "<div>".repeat(size / 5),
        (0..size / 72).map(|_| format!("{} deep\n", ">".repeat(70))).collect(),
        "* ".repeat(size / 2) + "x",
    ]
}

#[tokio::test]
async fn pathological_markdown_is_refused_while_the_server_keeps_answering() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let before = written(&app).await;
    let health = async {
        let mut slowest = Duration::ZERO;
        let until = Instant::now() + Duration::from_secs(3);
        while Instant::now() < until {
            let started = Instant::now();
            assert_eq!(app.get("/healthz").await.status(), 200);
            slowest = slowest.max(started.elapsed());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        slowest
    };
    let writes = async {
        let mut answers = Vec::new();
        for size in [48 * 1024, 100 * 1024] {
            for (i, markdown) in pathological(size).into_iter().enumerate() {
                let body = json!({"slug": format!("deep-{i}"), "title": "Deep", "body_markdown": markdown});
                let started = Instant::now();
                let (status, problem) = problem(send(&app, &editor, "POST", "/v1/essays", &body).await).await;
                answers.push((status, problem["errors"][0]["field"].clone(), started.elapsed()));
            }
        }
        answers
    };
    let (slowest, answers) = tokio::join!(health, writes);
    for (status, field, took) in answers {
        assert_eq!((status, field.as_str()), (422, Some("body_markdown")));
        assert!(took < Duration::from_secs(2), "refused in {took:?}");
    }
    assert!(slowest < Duration::from_millis(100), "/healthz took {slowest:?} while bodies were checked");
    assert_eq!(written(&app).await, before);

    // A long essay of ordinary Markdown is welcome.
    let long: String = (0..4000)
        .map(|i| format!("Paragraph {i} with *some* words, a [link](https://example.org).\n\n"))
        .collect();
    let body = json!({"slug": "a-long-essay", "title": "Long", "body_markdown": long});
    assert_eq!(send(&app, &editor, "POST", "/v1/essays", &body).await.status(), 201);
}

/// Sends `head` and then `body`, byte by byte every `pause`, on a raw
/// connection; returns the status line and the parsed problem.
fn raw(address: &str, head: &str, body: &[u8], pause: Duration) -> (String, Value) {
    let address = address.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap_or_else(|e| panic!("{e}"));
    let _ = stream.set_read_timeout(Some(Duration::from_secs(15)));
    let _ = stream.write_all(head.as_bytes());
    for byte in body {
        if stream.write_all(std::slice::from_ref(byte)).is_err() {
            break;
        }
        std::thread::sleep(pause);
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    assert!(head.to_ascii_lowercase().contains("content-type: application/problem+json"), "{answer}");
    (head.lines().next().unwrap().to_owned(), serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn oversize_and_slow_bodies_are_cut_off() {
    let app = spawn_app_with(&[("BROADSIDE_BODY_TIMEOUT_SECONDS", "1")]).await;
    let editor = app.token_for(Role::Editor).await;
    let before = written(&app).await;
    let address = app.address.clone();

    // Declared too large: refused at once, before a byte of it is sent.
    let head = "POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n";
    let started = Instant::now();
    let (status, refusal) = tokio::task::spawn_blocking({
        let address = address.clone();
        move || raw(&address, head, b"", Duration::ZERO)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.contains("413"), "{status} {refusal}");
    assert!(started.elapsed() < Duration::from_secs(1));

    // A 1 MB title is refused as too large, not read whole and then refused.
    let title = "t".repeat(1_000_000);
    let body = json!({"slug": "big", "title": title, "body_markdown": "x"});
    let (status, _) = problem(send(&app, &editor, "POST", "/v1/essays", &body).await).await;
    assert_eq!(status, 413);

    // Chunked, with no length given: cut off at the limit.
    let head = "POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    let chunk = format!("400\r\n{}\r\n", " ".repeat(1024)).repeat(64);
    let (status, refusal) = tokio::task::spawn_blocking({
        let address = address.clone();
        move || raw(&address, &format!("{head}{chunk}0\r\n\r\n"), b"", Duration::ZERO)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.contains("413"), "{status} {refusal}");

    // One byte every 300 ms: cut off after the body timeout (1 s here).
    let head = "POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n";
    let started = Instant::now();
    let (status, refusal) =
        tokio::task::spawn_blocking(move || raw(&address, head, &[b' '; 60], Duration::from_millis(300)))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.contains("408"), "{status} {refusal}");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    assert_eq!(written(&app).await, before);
}

#[tokio::test]
async fn credentials_are_checked_before_the_body_and_the_media_type_after_them() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let before = written(&app).await;
    let post =
        |auth: Option<(&'static str, String)>, content_type: Option<&'static str>, body: &'static str| {
            let app = &app;
            async move {
                let mut request = app.client.post(format!("{}/v1/essays", app.address)).body(body);
                if let Some((name, value)) = auth {
                    request = request.header(name, value);
                }
                if let Some(content_type) = content_type {
                    request = request.header("content-type", content_type);
                }
                problem(request.send().await.unwrap_or_else(|e| panic!("{e}"))).await
            }
        };
    let bearer = Some(("authorization", format!("Bearer {editor}")));
    let cases = [
        (None, Some("application/json"), "{not json", 401),
        (None, Some("text/plain"), "{}", 401),
        (None, None, "", 401),
        (
            Some(("authorization", "Bearer forged.token.here".to_owned())),
            Some("application/json"),
            "{not json",
            401,
        ),
        (Some(("x-api-key", "bsk_unknown".to_owned())), Some("application/json"), "[1, 2", 401),
        (bearer.clone(), Some("text/plain"), r#"{"slug": "x", "title": "x", "body_markdown": "x"}"#, 415),
        (bearer.clone(), None, r#"{"slug": "x", "title": "x", "body_markdown": "x"}"#, 415),
        (bearer.clone(), Some("application/json"), "{not json", 400),
        (bearer.clone(), Some("application/json"), r#"{"slug": 5}"#, 422),
    ];
    for (auth, content_type, body, expected) in cases {
        let (status, problem) = post(auth.clone(), content_type, body).await;
        assert_eq!(status, expected, "{auth:?} {content_type:?} {body}: {problem}");
        if status == 415 {
            assert!(problem["detail"].as_str().unwrap().contains("application/json"), "{problem}");
        }
    }
    assert_eq!(written(&app).await, before);
}
