//! The states a document moves through: the whole life of each type, what
//! each role may do, and publication on a schedule.

use std::time::Duration;

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::{essay_body, json_of};
use crate::helpers::{TestApp, spawn_app};

pub(super) fn lyrics_body(slug: &str) -> Value {
    json!({
        "slug": slug,
        "title": "Bread and Roses",
        "rights": {"status": "public_domain"},
        "writers": [{"person": "ralph-chaplin", "role": "lyricist"}],
        "stanzas": [
            {"id": "v1", "kind": "verse", "lines": ["As we come marching, marching"]},
            {"id": "c", "kind": "chorus", "lines": ["Bread and roses"]}
        ],
        "arrangement": ["v1", "c", "v1", "c"]
    })
}

pub(super) fn event_body(slug: &str) -> Value {
    json!({
        "slug": slug,
        "title": "Branch meeting",
        "summary": "Monthly",
        "starts_at": "2030-03-05T18:00:00+02:00",
        "ends_at": "2030-03-05T20:00:00+02:00",
        "time_zone": "Europe/Athens",
        "recurrence": "FREQ=MONTHLY",
        "venue": {"name": "Hall", "city": "Athens", "country": "GR"}
    })
}

/// create → patch → publish → anonymous read → unpublish → anonymous 404 →
/// restore revision 1 → diff, for one type.
async fn lifecycle(app: &TestApp, collection: &str, body: Value, patch: Value, changed: (&str, Value)) {
    let editor = app.token_for(Role::Editor).await;
    let token = Some(editor.as_str());
    let slug = body["slug"].as_str().unwrap().to_owned();

    let created = app.send(Method::POST, &format!("/v1/{collection}"), token, None, Some(&body)).await;
    let location = created.headers().get("location").and_then(|v| v.to_str().ok()).map(String::from);
    let (status, etag, doc) = json_of(created).await;
    assert_eq!(status, 201, "{collection}: {doc}");
    assert_eq!((doc["status"].as_str(), doc["version"].as_i64()), (Some("draft"), Some(1)));
    let id = doc["id"].as_str().unwrap().to_owned();
    assert_eq!(location, Some(format!("/v1/{collection}/{id}")));
    let path = format!("/v1/{collection}/{id}");

    app.get_problem(&format!("/v1/{collection}/{slug}"), 404).await;
    let (status, etag, doc) =
        json_of(app.send(Method::PATCH, &path, token, etag.as_deref(), Some(&patch)).await).await;
    assert_eq!(status, 200, "{collection}: {doc}");
    assert_eq!(doc["version"], 2);
    assert_eq!(doc[changed.0], changed.1, "{collection}: the patch applied");

    let (status, etag, published) =
        json_of(app.send(Method::POST, &format!("{path}/publish"), token, etag.as_deref(), None).await).await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["document"]["status"], "published");
    assert_eq!(published["warnings"], json!([]));
    let public = app.get_json(&format!("/v1/{collection}/{slug}")).await;
    assert_eq!(public["version"], 3);

    let (status, etag, _) =
        json_of(app.send(Method::POST, &format!("{path}/unpublish"), token, etag.as_deref(), None).await)
            .await;
    assert_eq!(status, 200);
    app.get_problem(&format!("/v1/{collection}/{slug}"), 404).await;

    let (status, _, restored) = json_of(
        app.send(Method::POST, &format!("{path}/revisions/1/restore"), token, etag.as_deref(), None).await,
    )
    .await;
    assert_eq!(status, 200, "{restored}");
    assert_eq!(restored["version"], 5);
    assert_ne!(restored[changed.0], changed.1, "the content of version 1 is back");
    assert_eq!(restored["status"], "draft", "restoring content keeps the state");

    let bearer = format!("Bearer {editor}");
    let revisions: Value =
        app.get_with(&format!("{path}/revisions"), ("authorization", &bearer)).await.json().await.unwrap();
    let actions: Vec<&str> =
        revisions["data"].as_array().into_iter().flatten().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(actions, ["revert", "unpublish", "publish", "update", "create"]);

    // The diff from 1 to 2 turns revision 1's document into revision 2's.
    let diff: Value = app
        .get_with(&format!("{path}/revisions/2/diff?against=1"), ("authorization", &bearer))
        .await
        .json()
        .await
        .unwrap();
    let one: Value =
        app.get_with(&format!("{path}/revisions/1"), ("authorization", &bearer)).await.json().await.unwrap();
    let two: Value =
        app.get_with(&format!("{path}/revisions/2"), ("authorization", &bearer)).await.json().await.unwrap();
    let patch: json_patch::Patch = serde_json::from_value(diff).unwrap_or_else(|e| panic!("{e}"));
    let mut document = one["document"].clone();
    json_patch::patch(&mut document, &patch).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(document, two["document"]);
    // Revisions are for authenticated readers only.
    assert_eq!(app.get(&format!("{path}/revisions")).await.status(), 401);
}

#[tokio::test]
async fn an_essay_lives_its_whole_life() {
    let app = spawn_app().await;
    lifecycle(
        &app,
        "essays",
        essay_body("on-organizing"),
        json!({"title": "On Organizing, Again"}),
        ("title", json!("On Organizing, Again")),
    )
    .await;
}

#[tokio::test]
async fn a_song_lives_its_whole_life() {
    let app = spawn_app().await;
    lifecycle(&app, "lyrics", lyrics_body("bread-and-roses"), json!({"year": 1912}), ("year", json!(1912)))
        .await;
}

#[tokio::test]
async fn an_event_lives_its_whole_life() {
    let app = spawn_app().await;
    lifecycle(
        &app,
        "events",
        event_body("branch-meeting"),
        json!({"event_status": "postponed"}),
        ("event_status", json!("postponed")),
    )
    .await;
}

#[tokio::test]
async fn each_role_may_do_what_it_may_and_nothing_more() {
    let app = spawn_app().await;
    let author = app.token_for(Role::Author).await;
    let other_author = app.token_for(Role::Author).await;
    let editor = app.token_for(Role::Editor).await;

    // Anonymous callers write nothing.
    let response = app.send(Method::POST, "/v1/essays", None, None, Some(&essay_body("anon"))).await;
    assert_eq!(response.status(), 401);

    let (status, etag, doc) =
        json_of(app.send(Method::POST, "/v1/essays", Some(&author), None, Some(&essay_body("mine"))).await)
            .await;
    assert_eq!(status, 201);
    let path = format!("/v1/essays/{}", doc["id"].as_str().unwrap());
    let patch = json!({"title": "Mine, edited"});

    let cases: Vec<(&str, &str, Method, &str, u16)> = vec![
        ("another author, who cannot see the draft", &other_author, Method::PATCH, "", 404),
        ("the author", &author, Method::POST, "/publish", 403),
        ("the author", &author, Method::POST, "/archive", 403),
    ];
    for (who, token, method, suffix, expected) in cases {
        let body = if method == Method::PATCH { Some(&patch) } else { None };
        let response =
            app.send(method.clone(), &format!("{path}{suffix}"), Some(token), etag.as_deref(), body).await;
        assert_eq!(response.status().as_u16(), expected, "{who} {method} {suffix}");
    }
    let (status, etag, _) =
        json_of(app.send(Method::PATCH, &path, Some(&author), etag.as_deref(), Some(&patch)).await).await;
    assert_eq!(status, 200, "an author edits their own draft");
    let (status, etag, _) = json_of(
        app.send(Method::POST, &format!("{path}/publish"), Some(&editor), etag.as_deref(), None).await,
    )
    .await;
    assert_eq!(status, 200, "an editor publishes");
    let response = app.send(Method::PATCH, &path, Some(&author), etag.as_deref(), Some(&patch)).await;
    assert_eq!(response.status(), 403, "once published, it is no longer the author's draft");
    let response =
        app.send(Method::DELETE, &format!("{path}?purge=true"), Some(&editor), etag.as_deref(), None).await;
    assert_eq!(response.status(), 403, "only admins purge");
    let (status, etag, deleted) =
        json_of(app.send(Method::DELETE, &path, Some(&editor), etag.as_deref(), None).await).await;
    assert_eq!(status, 200, "{deleted}");
    let bearer = format!("Bearer {editor}");
    assert_eq!(
        app.get_with(&path, ("authorization", &bearer)).await.status(),
        404,
        "deleted is gone for everyone"
    );
    let (status, etag, _) = json_of(
        app.send(Method::POST, &format!("{path}/restore"), Some(&editor), etag.as_deref(), None).await,
    )
    .await;
    assert_eq!(status, 200);
    let admin = app.sign_in(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await;
    let admin = admin["access_token"].as_str().unwrap();
    let response =
        app.send(Method::DELETE, &format!("{path}?purge=true"), Some(admin), etag.as_deref(), None).await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        app.get_with(&format!("{path}/revisions"), ("authorization", &bearer)).await.status(),
        404,
        "purged with its revisions"
    );
}

#[tokio::test]
async fn a_scheduled_publication_goes_live_on_its_own() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let (_, etag, doc) =
        json_of(app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&essay_body("soon"))).await)
            .await;
    let path = format!("/v1/essays/{}", doc["id"].as_str().unwrap());
    let at = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let (status, _, scheduled) = json_of(
        app.send(
            Method::POST,
            &format!("{path}/publish"),
            Some(&editor),
            etag.as_deref(),
            Some(&json!({"publish_at": at})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(scheduled["document"]["status"], "scheduled");
    app.get_problem("/v1/essays/soon", 404).await;
    let mut live = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if app.get("/v1/essays/soon").await.status() == 200 {
            live = true;
            break;
        }
    }
    assert!(live, "published by the scheduler within seconds");
    let essay = app.get_json("/v1/essays/soon").await;
    assert_eq!((essay["status"].as_str(), essay["version"].as_i64()), (Some("published"), Some(3)));
    let bearer = format!("Bearer {editor}");
    let revisions: Value =
        app.get_with(&format!("{path}/revisions"), ("authorization", &bearer)).await.json().await.unwrap();
    assert_eq!(revisions["data"][0]["actor_kind"], "system");
}
