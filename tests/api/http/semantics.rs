//! HTTP as CDNs, link checkers and careful clients expect it: `HEAD` on
//! every `GET` route, `405` with `Allow`, `OPTIONS`, content negotiation by
//! weight, `If-Match` that cannot be waved through, and problem+json even
//! for requests the HTTP parser refuses.

use std::io::{Read, Write};
use std::time::Duration;

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// Every path template of the API, with its methods, from the served spec.
async fn operations(app: &TestApp) -> Vec<(String, Vec<String>)> {
    let spec = app.get_json("/openapi.json").await;
    spec["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(path, item)| (path.clone(), item.as_object().map(|o| o.keys().cloned().collect()).unwrap()))
        .collect()
}

/// A path template made concrete with the demo content.
fn concrete(template: &str) -> String {
    let key = |collection: &str| match collection {
        "essays" => "proletarian-internationalism",
        "lyrics" => "solidarity-forever",
        "events" => "international-meeting-of-communist-and-workers-parties",
        "people" => "ralph-chaplin",
        "tags" => "solidarity",
        _ => "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b",
    };
    let collection = template.trim_start_matches("/v1/").split('/').next().unwrap();
    template
        .replace("{id_or_slug}", key(collection))
        .replace("{version}", "1")
        .replace("{id}", "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b")
}

#[tokio::test]
async fn every_get_route_answers_head_with_its_headers_and_no_body() {
    let app = spawn_app().await;
    let mut checked = 0;
    for (template, methods) in operations(&app).await {
        if !methods.iter().any(|m| m == "get") || template == "/v1/changes/stream" {
            continue;
        }
        let path = concrete(&template);
        let get = app.get(&path).await;
        let head =
            app.client.head(format!("{}{path}", app.address)).send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        for name in ["content-type", "etag", "cache-control", "content-length", "allow", "www-authenticate"] {
            assert_eq!(head.headers().get(name), get.headers().get(name), "HEAD {path}: {name}");
        }
        assert!(head.bytes().await.map(|b| b.is_empty()).unwrap_or(false), "HEAD {path} sent a body");
        checked += 1;
    }
    assert!(checked >= 25, "{checked}");
    let stream = app.client.head(format!("{}/v1/changes/stream", app.address)).send();
    let stream = tokio::time::timeout(Duration::from_secs(5), stream).await;
    assert!(
        stream.is_ok_and(|r| r.is_ok_and(|r| r.status() == 200)),
        "HEAD of the live stream answers at once"
    );
}

#[tokio::test]
async fn a_method_a_route_does_not_have_is_405_with_allow() {
    let app = spawn_app().await;
    for (template, methods) in operations(&app).await {
        let path = concrete(&template);
        let response =
            app.client.put(format!("{}{path}", app.address)).send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 405, "PUT {path}");
        let allow = response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("PUT {path}: no Allow"))
            .to_owned();
        for method in &methods {
            assert!(allow.contains(&method.to_uppercase()), "PUT {path}: Allow {allow} lacks {method}");
        }
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 405, "{problem}");
        let options = app
            .client
            .request(Method::OPTIONS, format!("{}{path}", app.address))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(options.status(), 204, "OPTIONS {path}");
        assert_eq!(options.headers().get("allow").and_then(|v| v.to_str().ok()), Some(allow.as_str()));
    }
    let wrong = app
        .client
        .delete(format!("{}/v1/essays", app.address))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wrong.status(), 405);
    assert_eq!(wrong.headers().get("allow").and_then(|v| v.to_str().ok()), Some("GET, HEAD, POST, OPTIONS"));
    app.get_problem("/v1/poems", 404).await;
}

#[tokio::test]
async fn the_representation_is_chosen_by_the_weights_of_accept() {
    let app = spawn_app().await;
    let path = "/v1/essays/proletarian-internationalism";
    for (accept, expected) in [
        ("application/json;q=0.9, application/ld+json;q=0.1", "application/json"),
        ("application/ld+json", "application/ld+json"),
        ("application/json;q=0.1, application/ld+json", "application/ld+json"),
        ("application/ld+json;q=0, */*", "application/json"),
        ("*/*", "application/json"),
        ("text/html", "application/json"),
    ] {
        let response = app.get_with(path, ("accept", accept)).await;
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap().to_owned();
        assert!(content_type.starts_with(expected), "Accept: {accept}: {content_type}");
    }
}

#[tokio::test]
async fn if_match_star_is_refused_and_any_tag_of_a_list_matches() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let path = "/v1/essays/proletarian-internationalism";
    let patch = json!({"subtitle": "A subtitle"});
    for star in ["*", "\"x\", *"] {
        let response = app.send(Method::PATCH, path, Some(&editor), Some(star), Some(&patch)).await;
        assert_eq!(response.status(), 428, "If-Match: {star}");
        let problem: Value = response.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().contains("send the ETag"), "{problem}");
    }
    let current = app.etag(path, &editor).await.unwrap();
    let list = format!("\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6b-v9\", {current}");
    let response = app.send(Method::PATCH, path, Some(&editor), Some(&list), Some(&patch)).await;
    assert_eq!(response.status(), 200);
    let stale = app.send(Method::PATCH, path, Some(&editor), Some(&list), Some(&patch)).await;
    assert_eq!(stale.status(), 412);
}

/// The status line, head (lower case) and body of the last answer to a raw
/// request.
fn exchange(address: &str, request: &[u8]) -> (String, String, String) {
    let mut stream =
        std::net::TcpStream::connect(address.trim_start_matches("http://")).unwrap_or_else(|e| panic!("{e}"));
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let last = &answer[answer.rfind("HTTP/1.1 ").unwrap_or(0)..];
    let (head, body) = last.split_once("\r\n\r\n").unwrap_or((last, ""));
    (head.lines().next().expect("an answer").to_owned(), head.to_ascii_lowercase(), body.to_owned())
}

#[tokio::test]
async fn requests_the_parser_refuses_are_answered_with_problems() {
    let app = spawn_app().await;
    let mut many_headers = b"GET /v1/essays HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..200 {
        many_headers.extend_from_slice(format!("X-{i}: 1\r\n").as_bytes());
    }
    many_headers.extend_from_slice(b"\r\n");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("conflicting lengths", b"POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec(), "400"),
        ("two lengths", b"POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!".to_vec(), "400"),
        ("a length that is no number", b"POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n".to_vec(), "400"),
        ("an unknown transfer coding", b"POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n".to_vec(), "400"),
        ("a header without a colon", b"GET /v1/essays HTTP/1.1\r\nHost: x\r\nBadHeader\r\n\r\n".to_vec(), "400"),
        ("a control character in a header", b"GET /v1/essays HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n".to_vec(), "400"),
        ("a bad method", b"G@T /v1/essays HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), "400"),
        ("a bad version", b"GET /v1/essays HTTP/9.9\r\nHost: x\r\n\r\n".to_vec(), "400"),
        ("a space in the target", b"GET /v1/es says HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), "400"),
        ("a folded header", b"GET /v1/essays HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n".to_vec(), "400"),
        ("a bad chunk", b"POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n".to_vec(), "400"),
        ("too many headers", many_headers, "431"),
        ("after a good request on the same connection", b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/es says HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), "400"),
    ];
    for (what, request, status) in cases {
        let address = app.address.clone();
        let (line, head, body) = tokio::task::spawn_blocking(move || exchange(&address, &request))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(line.contains(status), "{what}: {line}");
        assert!(head.contains("content-type: application/problem+json"), "{what}: {head}");
        let problem: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        assert_eq!(problem["status"].to_string(), status, "{what}: {body}");
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()), "{what}: {body}");
    }
}
