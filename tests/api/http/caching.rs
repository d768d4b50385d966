//! HTTP caching and payloads: ETags and conditional requests on every GET
//! route, cache headers by caller, the in-process cache never stale after
//! a write, compression, field selection, CORS.

use std::collections::HashSet;
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, join_all, spawn_app, spawn_app_with};

const ESSAY: &str = "proletarian-internationalism";

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.address));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// Every GET operation in the OpenAPI document, with its placeholders
/// filled in, and whether it needs credentials.
fn every_get_route(app_ids: &[(&str, String)]) -> Vec<(String, bool)> {
    let spec: Value = serde_json::to_value(broadside::openapi::document()).unwrap();
    let mut routes = Vec::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        let Some(op) = item.get("get") else { continue };
        if op["responses"]["200"]["content"].get("text/event-stream").is_some() {
            continue;
        }
        let anonymous = op["security"].as_array().is_none_or(|s| s.iter().any(|r| r == &json!({})));
        // `/healthz` and `/readyz` belong to no collection and take no id.
        let collection = path.split('/').nth(2).unwrap_or("");
        let id = app_ids.iter().find(|(c, _)| *c == collection).map(|(_, id)| id.as_str()).unwrap_or("");
        let mut concrete = path.replace("{id_or_slug}", id).replace("{id}", id).replace("{version}", "3");
        if concrete.ends_with("/diff") {
            concrete.push_str("?against=2");
        }
        if concrete == "/v1/search" {
            concrete.push_str("?q=solidarity");
        }
        routes.push((concrete, !anonymous));
    }
    routes
}

#[tokio::test]
async fn every_get_route_has_a_strong_etag_and_answers_conditional_requests() {
    let app = spawn_app().await;
    let admin = app.token_for(Role::Admin).await;
    let bearer = format!("Bearer {admin}");
    // A subscription, so that the edits below leave a delivery log.
    let hook = json!({"url": "https://hooks.example.org/broadside", "event_types": ["*"]});
    let created = app.send(Method::POST, "/v1/webhooks", Some(&admin), None, Some(&hook)).await;
    assert_eq!(created.status(), 201);
    let webhook: Value = created.json().await.unwrap();
    let ids = vec![
        ("webhooks", webhook["id"].as_str().unwrap().to_owned()),
        ("essays", ESSAY.to_owned()),
        ("lyrics", "solidarity-forever".to_owned()),
        ("events", "international-meeting-of-communist-and-workers-parties".to_owned()),
        ("people", "ralph-chaplin".to_owned()),
        ("tags", "solidarity".to_owned()),
    ];
    // Revisions of each document to read: versions 2 and 3, by empty merge patches.
    for (collection, slug) in ids[1..4].iter().chain(&ids[1..4]) {
        let path = format!("/v1/{collection}/{slug}");
        let current = app.send(Method::GET, &path, Some(&admin), None, None).await;
        let etag = header(&current, "etag");
        let patched = app.send(Method::PATCH, &path, Some(&admin), etag.as_deref(), Some(&json!({}))).await;
        assert_eq!(patched.status(), 200, "PATCH {path}");
    }
    let routes = every_get_route(&ids);
    assert!(routes.len() >= 20, "{routes:?}");
    let mut seen = HashSet::new();
    for (path, private) in routes {
        let credentials: Vec<(&str, &str)> = if private { vec![("authorization", &bearer)] } else { vec![] };
        let first = get(&app, &path, &credentials).await;
        assert_eq!(first.status(), 200, "GET {path}");
        let etag = header(&first, "etag").unwrap_or_else(|| panic!("GET {path}: no ETag"));
        assert!(
            etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2,
            "GET {path}: strong ETag {etag:?}"
        );
        assert!(seen.insert(etag.clone()), "GET {path}: ETag {etag} is shared with another route");
        let vary =
            header(&first, "vary").unwrap_or_else(|| panic!("GET {path}: no Vary")).to_ascii_lowercase();
        assert!(
            vary.contains("accept-encoding") && vary.contains("authorization"),
            "GET {path}: Vary {vary}"
        );
        let cache_control =
            header(&first, "cache-control").unwrap_or_else(|| panic!("GET {path}: no Cache-Control"));
        if private {
            assert_eq!(cache_control, "private, no-store", "GET {path}");
        } else if path.starts_with("/healthz") || path.starts_with("/readyz") {
            assert_eq!(cache_control, "no-store", "GET {path}: a probe is never cached");
        } else {
            assert_eq!(cache_control, "public, max-age=60, stale-while-revalidate=300", "GET {path}");
        }
        // Public answers carry keys a CDN purges them by; private ones none.
        let keys = header(&first, "surrogate-key");
        if private {
            assert_eq!(keys, None, "GET {path}");
        } else {
            let keys = keys.unwrap_or_else(|| panic!("GET {path}: no Surrogate-Key"));
            if let Some(collection) = path.strip_prefix("/v1/").and_then(|p| p.split(['/', '?']).next()) {
                assert!(
                    keys.split(' ').any(|k| k == format!("broadside-{collection}")),
                    "GET {path}: {keys}"
                );
            } else {
                assert!(keys.starts_with("broadside"), "GET {path}: {keys}");
            }
        }
        let last_modified = header(&first, "last-modified");

        let mut conditional = credentials.clone();
        conditional.push(("if-none-match", &etag));
        let again = get(&app, &path, &conditional).await;
        assert_eq!(again.status(), 304, "GET {path} with If-None-Match");
        assert_eq!(header(&again, "etag").as_deref(), Some(etag.as_str()), "GET {path}");
        assert!(again.bytes().await.unwrap().is_empty(), "GET {path}: a 304 has no body");

        let weak = format!("W/{etag}");
        let mut conditional = credentials.clone();
        conditional.push(("if-none-match", &weak));
        assert_eq!(get(&app, &path, &conditional).await.status(), 304, "GET {path}: weak comparison");
        let mut conditional = credentials.clone();
        conditional.push(("if-none-match", "\"something-else\""));
        assert_eq!(get(&app, &path, &conditional).await.status(), 200, "GET {path}: another tag");

        if let Some(last_modified) = last_modified {
            let mut conditional = credentials.clone();
            conditional.push(("if-modified-since", &last_modified));
            assert_eq!(get(&app, &path, &conditional).await.status(), 304, "GET {path}: If-Modified-Since");
        }
    }
    // Documents say when they last changed.
    let essay = get(&app, &format!("/v1/essays/{ESSAY}"), &[]).await;
    assert!(header(&essay, "last-modified").is_some_and(|v| v.ends_with(" GMT")));
    // Credentials make any answer private, even on a public route.
    let people = get(&app, "/v1/people", &[("authorization", &bearer)]).await;
    assert_eq!(header(&people, "cache-control").as_deref(), Some("private, no-store"));
    assert_eq!(header(&people, "x-cache"), None, "never kept in the shared cache");
}

#[tokio::test]
async fn the_cache_is_never_stale_once_a_write_has_returned() {
    let app = Arc::new(spawn_app().await);
    let editor = app.token_for(Role::Editor).await;
    let path = format!("/v1/essays/{ESSAY}");
    let first = get(&app, &path, &[]).await;
    assert_eq!(header(&first, "x-cache").as_deref(), Some("miss"));
    let second = get(&app, &path, &[]).await;
    assert_eq!(header(&second, "x-cache").as_deref(), Some("hit"), "served from memory");

    // Readers keep the cache hot while an editor changes the essay.
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|n| {
            let (app, stop) = (app.clone(), stop.clone());
            let path = if n % 2 == 0 { format!("/v1/essays/{ESSAY}") } else { "/v1/essays".to_owned() };
            tokio::spawn(async move {
                let mut reads = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    assert_eq!(get(&app, &path, &[]).await.status(), 200);
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    for n in 1..=15 {
        let current = app.send(Method::GET, &path, Some(&editor), None, None).await;
        let etag = header(&current, "etag").unwrap();
        let title = format!("Proletarian Internationalism, take {n}");
        let patch = json!({"title": title});
        let response = app.send(Method::PATCH, &path, Some(&editor), Some(&etag), Some(&patch)).await;
        assert_eq!(response.status(), 200);
        // The write has returned: no anonymous reader may see the old title.
        let essay: Value = get(&app, &path, &[]).await.json().await.unwrap();
        assert_eq!(essay["title"], title, "the document after write {n}");
        let list: Value = get(&app, "/v1/essays", &[]).await.json().await.unwrap();
        let listed = list["data"].as_array().into_iter().flatten().find(|e| e["slug"] == ESSAY);
        assert_eq!(listed.map(|e| &e["title"]), Some(&json!(title)), "the list after write {n}");
    }
    stop.store(true, Ordering::Relaxed);
    let mut reads = 0;
    for reader in readers {
        reads += reader.await.unwrap();
    }
    assert!(reads > 15, "readers ran alongside the writes ({reads} reads)");
}

/// Whether `path` is answered from the cache, after a first read that
/// keeps it if it was not.
async fn cached(app: &TestApp, path: &str) -> bool {
    header(&get(app, path, &[]).await, "x-cache").as_deref() == Some("hit")
}

async fn patch_title(app: &TestApp, token: &str, path: &str, title: &str) {
    let etag = app.etag(path, token).await;
    let body = json!({"title": title});
    let patched = app.send(Method::PATCH, path, Some(token), etag.as_deref(), Some(&body)).await;
    assert_eq!(patched.status(), 200, "PATCH {path}");
}

#[tokio::test]
async fn a_write_forgets_only_the_answers_its_change_can_affect() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let essay = format!("/v1/essays/{ESSAY}");
    let answers = [essay.as_str(), "/v1/essays", "/v1/essays/feed.atom", "/v1/search?q=solidarity"];
    for body in [
        json!({"slug": "published-elsewhere", "title": "Elsewhere", "body_markdown": "Apart."}),
        json!({"slug": "still-a-draft", "title": "Draft", "body_markdown": "Not yet."}),
    ] {
        let created = app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&body)).await;
        assert_eq!(created.status(), 201);
    }
    let etag = app.etag("/v1/essays/published-elsewhere", &editor).await;
    let path = "/v1/essays/published-elsewhere/publish";
    assert_eq!(app.send(Method::POST, path, Some(&editor), etag.as_deref(), None).await.status(), 200);
    for path in answers {
        get(&app, path, &[]).await;
        assert!(cached(&app, path).await, "{path} is kept");
    }

    // Editing a draft changes nothing anyone anonymous sees.
    patch_title(&app, &editor, "/v1/essays/still-a-draft", "Still a draft").await;
    for path in answers {
        assert!(cached(&app, path).await, "{path} is kept after a draft edit");
    }

    // Editing another published essay forgets the listings, not this essay.
    patch_title(&app, &editor, "/v1/essays/published-elsewhere", "Elsewhere, retitled").await;
    assert!(cached(&app, &essay).await, "an essay the change does not touch is kept");
    for path in &answers[1..] {
        assert!(!cached(&app, path).await, "{path} lists the changed essay: forgotten");
    }
    let list: Value = get(&app, "/v1/essays", &[]).await.json().await.unwrap();
    let titles: Vec<&Value> = list["data"].as_array().into_iter().flatten().map(|e| &e["title"]).collect();
    assert!(titles.contains(&&json!("Elsewhere, retitled")), "{titles:?}");

    // Renaming a person forgets the essays that show them, and the listings.
    patch_title_of_person(&app, &editor).await;
    let shown: Value = get(&app, &essay, &[]).await.json().await.unwrap();
    let authors = shown["authors"].to_string();
    assert!(authors.contains("Renamed Author"), "the essay shows the new name: {authors}");
}

/// Renames the demo essay's first author to "Renamed Author".
async fn patch_title_of_person(app: &TestApp, token: &str) {
    let essay: Value = app.get_json(&format!("/v1/essays/{ESSAY}")).await;
    let person =
        essay["authors"][0]["slug"].as_str().unwrap_or_else(|| panic!("an author: {essay}")).to_owned();
    let path = format!("/v1/people/{person}");
    let etag = app.etag(&path, token).await;
    let body = json!({"name": "Renamed Author"});
    let patched = app.send(Method::PATCH, &path, Some(token), etag.as_deref(), Some(&body)).await;
    assert_eq!(patched.status(), 200, "PATCH {path}");
}

fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "gzip" => {
            flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap_or_else(|e| panic!("gzip: {e}"));
        }
        "br" => {
            brotli::Decompressor::new(bytes, 4096)
                .read_to_end(&mut out)
                .unwrap_or_else(|e| panic!("br: {e}"));
        }
        "zstd" => out = zstd::decode_all(bytes).unwrap_or_else(|e| panic!("zstd: {e}")),
        other => panic!("unexpected encoding {other}"),
    }
    out
}

#[tokio::test]
async fn responses_are_compressed_as_the_client_accepts() {
    let app = spawn_app().await;
    let path = format!("/v1/essays/{ESSAY}");
    let plain = get(&app, &path, &[]).await;
    let plain_etag = header(&plain, "etag").unwrap();
    let plain = plain.bytes().await.unwrap().to_vec();
    assert!(plain.len() > 2000);
    let mut etags = HashSet::from([plain_etag]);
    for encoding in ["gzip", "br", "zstd"] {
        for round in 0..2 {
            let response = get(&app, &path, &[("accept-encoding", encoding)]).await;
            assert_eq!(header(&response, "content-encoding").as_deref(), Some(encoding));
            let etag = header(&response, "etag").unwrap();
            if round == 0 {
                assert!(etags.insert(etag.clone()), "{encoding}: each encoding is its own representation");
            }
            let bytes = response.bytes().await.unwrap();
            assert!(bytes.len() < plain.len() / 2, "{encoding}: {} of {} bytes", bytes.len(), plain.len());
            assert_eq!(decode(encoding, &bytes), plain, "{encoding}, round {round}");
            let again = get(&app, &path, &[("accept-encoding", encoding), ("if-none-match", &etag)]).await;
            assert_eq!(again.status(), 304, "{encoding}");
        }
    }
}

#[tokio::test]
async fn fields_select_what_a_client_needs() {
    let app = spawn_app().await;
    let keys = |value: &Value| -> Vec<String> {
        let mut keys: Vec<String> = value.as_object().into_iter().flatten().map(|(k, _)| k.clone()).collect();
        keys.sort();
        keys
    };
    let list = app.get_json("/v1/essays?fields=title,id").await;
    let items = list["data"].as_array().cloned().unwrap();
    assert!(!items.is_empty());
    for item in &items {
        assert_eq!(keys(item), ["id", "title"]);
    }
    assert!(list.get("next_cursor").is_some(), "the page itself keeps its shape");
    let essay = app.get_json(&format!("/v1/essays/{ESSAY}?fields=slug,authors,body_html")).await;
    assert_eq!(keys(&essay), ["authors", "body_html", "slug"]);
    let full = app.get_json(&format!("/v1/essays/{ESSAY}")).await;
    assert_eq!(essay["body_html"], full["body_html"]);
    let song = app.get_json("/v1/lyrics/solidarity-forever?fields=text").await;
    assert_eq!(keys(&song), ["text"]);
    let person = app.get_json("/v1/people/ralph-chaplin?fields=name").await;
    assert_eq!(person, json!({"name": "Ralph Chaplin"}));
    let tags = app.get_json("/v1/tags?fields=slug").await;
    assert!(tags["data"].as_array().into_iter().flatten().all(|t| keys(t) == ["slug"]));
    let problem = app.get_problem("/v1/events?fields=title,nonsense", 400).await;
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("`nonsense`") && d.contains("starts_at")));
}

#[tokio::test]
async fn browsers_on_allowed_origins_may_call_the_api() {
    let app = spawn_app_with(&[("BROADSIDE_CORS_ORIGINS", "https://site.example")]).await;
    let preflight = app
        .client
        .request(Method::OPTIONS, format!("{}/v1/essays/{ESSAY}", app.address))
        .header("origin", "https://site.example")
        .header("access-control-request-method", "PATCH")
        .header("access-control-request-headers", "authorization, if-match, content-type")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(header(&preflight, "access-control-allow-origin").as_deref(), Some("https://site.example"));
    let methods = header(&preflight, "access-control-allow-methods").unwrap();
    assert!(methods.contains("PATCH"), "{methods}");

    let read = get(&app, &format!("/v1/essays/{ESSAY}"), &[("origin", "https://site.example")]).await;
    assert_eq!(header(&read, "access-control-allow-origin").as_deref(), Some("https://site.example"));
    let exposed = header(&read, "access-control-expose-headers").unwrap().to_ascii_lowercase();
    assert!(exposed.contains("etag") && exposed.contains("link"), "{exposed}");

    let other = get(&app, &format!("/v1/essays/{ESSAY}"), &[("origin", "https://elsewhere.example")]).await;
    assert_eq!(header(&other, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn without_the_cache_answers_are_the_same_but_never_kept() {
    let app = spawn_app_with(&[("BROADSIDE_CACHE", "false")]).await;
    let path = format!("/v1/essays/{ESSAY}");
    let first = get(&app, &path, &[]).await;
    let etag = header(&first, "etag").unwrap();
    assert_eq!(header(&first, "x-cache"), None);
    assert_eq!(get(&app, &path, &[("if-none-match", &etag)]).await.status(), 304);
    assert_eq!(header(&get(&app, &path, &[]).await, "x-cache"), None);
}

#[tokio::test]
async fn concurrent_misses_of_one_answer_compute_it_once() {
    let app = spawn_app().await;
    let path = "/v1/events/calendar.ics?from=2020-01-01";
    let requests: Vec<_> = (0..16).map(|_| get(&app, path, &[])).collect();
    let mut misses = 0;
    for response in join_all(requests).await {
        assert_eq!(response.status(), 200);
        if header(&response, "x-cache").as_deref() == Some("miss") {
            misses += 1;
        }
    }
    assert_eq!(misses, 1, "one request built the calendar; the others waited for it");
}
