//! Delta sync. The property: over random sequences of writes, applying the
//! change stream from scratch, or from any cursor on top of the state the
//! stream had produced at that cursor, yields exactly the documents the API
//! shows now.

use std::collections::BTreeMap;
use std::time::Duration;

use broadside::auth::Role;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// A client's local store: document id → document.
type Store = BTreeMap<String, Value>;

/// Pulls every change after `cursor` into `store`; returns the new cursor.
async fn pull(
    app: &TestApp,
    token: Option<&str>,
    extra: &str,
    cursor: Option<String>,
    store: &mut Store,
) -> String {
    let mut cursor = cursor;
    loop {
        let mut path = format!("/v1/sync?limit=4{extra}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let response = app.send(Method::GET, &path, token, None, None).await;
        assert_eq!(response.status(), 200, "GET {path}");
        let page: Value = response.json().await.unwrap();
        for change in page["changes"].as_array().into_iter().flatten() {
            let id = change["id"].as_str().unwrap().to_owned();
            match change["op"].as_str() {
                Some("upsert") => {
                    store.insert(id, change["document"].clone());
                }
                Some("delete") => {
                    store.remove(&id);
                }
                other => panic!("unknown op {other:?} in {change}"),
            }
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if page["has_more"] != true {
            return cursor.expect("every page has a next_cursor");
        }
    }
}

/// What the API shows anonymous readers now, document by document.
async fn public_state(app: &TestApp) -> Store {
    let mut store = Store::new();
    for collection in ["essays", "lyrics", "events"] {
        for item in app.walk(&format!("/v1/{collection}"), 100).await {
            let id = item["id"].as_str().unwrap().to_owned();
            let document = app.get_json(&format!("/v1/{collection}/{id}")).await;
            store.insert(id, document);
        }
    }
    store
}

struct Doc {
    collection: &'static str,
    id: String,
    etag: String,
}

/// Runs one write; keeps the document's ETag when it succeeds.
async fn write(
    app: &TestApp,
    token: &str,
    method: Method,
    doc: &mut Doc,
    suffix: &str,
    body: Option<Value>,
) -> bool {
    let path = format!("/v1/{}/{}{suffix}", doc.collection, doc.id);
    let response = app.send(method, &path, Some(token), Some(&doc.etag), body.as_ref()).await;
    let ok = response.status().is_success();
    if let Some(etag) = response.headers().get("etag").and_then(|v| v.to_str().ok()) {
        doc.etag = etag.to_owned();
    }
    ok
}

/// Runs a random sequence of writes and checks the property; returns how
/// many documents the incremental client saw appear and disappear.
async fn run(seed: u64) -> (usize, usize) {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let admin = app.token_for(Role::Admin).await;
    let mut rng = StdRng::seed_from_u64(seed);

    let mut docs: Vec<Doc> = Vec::new();
    for (collection, slug) in [
        ("essays", "proletarian-internationalism"),
        ("lyrics", "solidarity-forever"),
        ("events", "international-meeting-of-communist-and-workers-parties"),
    ] {
        let response =
            app.send(Method::GET, &format!("/v1/{collection}/{slug}"), Some(&editor), None, None).await;
        let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
        let body: Value = response.json().await.unwrap();
        docs.push(Doc { collection, id: body["id"].as_str().unwrap().to_owned(), etag });
    }

    let mut client = Store::new();
    let mut cursor = pull(&app, None, "", None, &mut client).await;
    let mut checkpoints = vec![(cursor.clone(), client.clone())];

    for step in 0..36 {
        let pick = rng.random_range(0..docs.len());
        match rng.random_range(0..13) {
            0..=2 => {
                let mut body = json!({
                    "slug": format!("essay-{seed}-{step}"),
                    "title": format!("Essay {step}"),
                    "body_markdown": "Text.",
                    "tags": ["solidarity"],
                    "authors": [{"person": "ralph-chaplin"}],
                    "related": [docs[pick].id],
                });
                if rng.random_bool(0.3) {
                    body["locale"] = json!("es");
                    body["translation_of"] = json!(docs[pick].id);
                }
                let response = app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&body)).await;
                if response.status() == 201 {
                    let etag =
                        response.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
                    let created: Value = response.json().await.unwrap();
                    let id = created["id"].as_str().unwrap().to_owned();
                    let mut doc = Doc { collection: "essays", id, etag };
                    if rng.random_bool(0.6) {
                        write(&app, &editor, Method::POST, &mut doc, "/publish", None).await;
                    }
                    docs.push(doc);
                }
            }
            3 => {
                let title = json!({"title": format!("Retitled at step {step}")});
                write(&app, &editor, Method::PATCH, &mut docs[pick], "", Some(title)).await;
            }
            4 | 5 => {
                write(&app, &editor, Method::POST, &mut docs[pick], "/publish", None).await;
            }
            6 => {
                write(&app, &editor, Method::POST, &mut docs[pick], "/unpublish", None).await;
            }
            7 => {
                write(&app, &editor, Method::POST, &mut docs[pick], "/archive", None).await;
            }
            8 => {
                write(&app, &editor, Method::DELETE, &mut docs[pick], "", None).await;
            }
            9 => {
                write(&app, &editor, Method::POST, &mut docs[pick], "/restore", None).await;
            }
            10 if docs.len() > 2 => {
                if write(&app, &admin, Method::DELETE, &mut docs[pick], "?purge=true", None).await {
                    docs.remove(pick);
                }
            }
            _ => {
                // A person's new name shows on every document crediting them.
                let person = app.send(Method::GET, "/v1/people/ralph-chaplin", None, None, None).await;
                let etag = person.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
                let name = json!({"name": format!("Ralph Chaplin ({step})")});
                let renamed = app
                    .send(Method::PATCH, "/v1/people/ralph-chaplin", Some(&editor), Some(&etag), Some(&name))
                    .await;
                assert_eq!(renamed.status(), 200);
            }
        }
        if rng.random_bool(0.3) {
            cursor = pull(&app, None, "", Some(cursor), &mut client).await;
            checkpoints.push((cursor.clone(), client.clone()));
        }
    }

    let now = public_state(&app).await;
    let appeared =
        checkpoints.windows(2).map(|w| w[1].1.keys().filter(|k| !w[0].1.contains_key(*k)).count()).sum();
    let disappeared =
        checkpoints.windows(2).map(|w| w[0].1.keys().filter(|k| !w[1].1.contains_key(*k)).count()).sum();
    let mut from_scratch = Store::new();
    pull(&app, None, "", None, &mut from_scratch).await;
    assert_eq!(from_scratch, now, "seed {seed}: from scratch");
    for (n, (cursor, state)) in checkpoints.into_iter().enumerate() {
        let mut store = state;
        pull(&app, None, "", Some(cursor), &mut store).await;
        assert_eq!(store, now, "seed {seed}: from checkpoint {n}");
    }
    (appeared, disappeared)
}

#[tokio::test]
async fn applying_the_stream_from_any_cursor_yields_the_current_state() {
    let (mut appeared, mut disappeared) = (0, 0);
    for seed in [1, 2, 3, 4] {
        let (a, d) = run(seed).await;
        appeared += a;
        disappeared += d;
    }
    assert!(
        appeared >= 3 && disappeared >= 3,
        "the writes exercised both: {appeared} appeared, {disappeared} left"
    );
}

#[tokio::test]
async fn drafts_stay_out_of_the_public_stream_and_in_the_preview() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let mut public = Store::new();
    let cursor = pull(&app, None, "", None, &mut public).await;
    assert_eq!(public.len(), 3, "the demo essay, song and event");

    let body = json!({"slug": "in-draft", "title": "In draft", "body_markdown": "Not yet."});
    let created = app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&body)).await;
    let etag = created.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();

    let page = app.get_json(&format!("/v1/sync?cursor={cursor}")).await;
    assert_eq!(page["changes"], json!([]), "a draft is not even named to readers");
    assert_eq!(app.send(Method::GET, "/v1/sync?preview=true", None, None, None).await.status(), 401);
    let mut preview = Store::new();
    pull(&app, Some(&editor), "&preview=true", None, &mut preview).await;
    assert_eq!(preview.get(&id).map(|d| d["status"].clone()), Some(json!("draft")));

    // Scheduled: it joins the public stream on its own when it goes live.
    let at = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
    let path = format!("/v1/essays/{id}/publish");
    let scheduled =
        app.send(Method::POST, &path, Some(&editor), Some(&etag), Some(&json!({"publish_at": at}))).await;
    assert_eq!(scheduled.status(), 200);
    let mut live = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let page = app.get_json(&format!("/v1/sync?cursor={cursor}")).await;
        let ops: Vec<(Value, Value)> = page["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| (c["id"].clone(), c["op"].clone()))
            .collect();
        if ops.contains(&(json!(id), json!("upsert"))) {
            live = true;
            break;
        }
    }
    assert!(live, "the scheduled essay appeared in the stream");
    app.get_problem("/v1/sync?cursor=bm9wZQ", 400).await;
    app.get_problem("/v1/sync?limit=0", 400).await;
}

#[tokio::test]
async fn what_a_document_shows_of_others_changes_with_them() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let mut store = Store::new();
    let mut cursor = pull(&app, None, "", None, &mut store).await;
    let song_id = app.get_json("/v1/lyrics/solidarity-forever").await["id"].as_str().unwrap().to_owned();
    let essay_id =
        app.get_json("/v1/essays/proletarian-internationalism").await["id"].as_str().unwrap().to_owned();

    // The song's writer is renamed, and one of its tags.
    let person = app.send(Method::GET, "/v1/people/ralph-chaplin", None, None, None).await;
    let etag = person.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    let rename = json!({"name": "R. Chaplin"});
    let renamed =
        app.send(Method::PATCH, "/v1/people/ralph-chaplin", Some(&editor), Some(&etag), Some(&rename)).await;
    assert_eq!(renamed.status(), 200);
    cursor = pull(&app, None, "", Some(cursor), &mut store).await;
    assert_eq!(store[&song_id]["writers"][0]["name"], "R. Chaplin");

    let tag = app.send(Method::GET, "/v1/tags/union-songs", None, None, None).await;
    let etag = tag.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    let rename = json!({"name": "Songs of the unions"});
    let renamed =
        app.send(Method::PATCH, "/v1/tags/union-songs", Some(&editor), Some(&etag), Some(&rename)).await;
    assert_eq!(renamed.status(), 200);
    cursor = pull(&app, None, "", Some(cursor), &mut store).await;
    let tags = store[&song_id]["tags"].as_array().cloned().unwrap();
    assert!(tags.iter().any(|t| t["name"] == "Songs of the unions"), "{tags:?}");

    // The essay starts relating to the song, then retitles, then stops.
    let essay_path = format!("/v1/essays/{essay_id}");
    let current = app.send(Method::GET, &essay_path, Some(&editor), None, None).await;
    let mut etag = current.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    for patch in [json!({"related": [song_id]}), json!({"title": "Internationalism"}), json!({"related": []})]
    {
        let response = app.send(Method::PATCH, &essay_path, Some(&editor), Some(&etag), Some(&patch)).await;
        assert_eq!(response.status(), 200, "{patch}");
        etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
        cursor = pull(&app, None, "", Some(cursor), &mut store).await;
        let shown: Vec<Value> = store[&song_id]["related"].as_array().cloned().unwrap();
        let expected = app.get_json(&format!("/v1/lyrics/{song_id}")).await["related"].clone();
        assert_eq!(json!(shown), expected, "the song's related list after {patch}");
    }
    assert_eq!(store, public_state(&app).await);
}
