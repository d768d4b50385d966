//! Writing content: the whole life of a document of each type, roles,
//! concurrent edits, scheduling, validation.

use std::time::Duration;

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, join_all, spawn_app};

fn essay_body(slug: &str) -> Value {
    json!({
        "slug": slug,
        "title": "On Organizing",
        "body_markdown": "First paragraph.\n\nSecond *paragraph*.",
        "authors": [{"person": "alvaro-rodriguez", "affiliation": "Guest"}],
        "tags": ["organizing", "solidarity"]
    })
}

fn lyrics_body(slug: &str) -> Value {
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

fn event_body(slug: &str) -> Value {
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

async fn json_of(response: reqwest::Response) -> (u16, Option<String>, Value) {
    let status = response.status().as_u16();
    let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(String::from);
    let body = response.json().await.unwrap_or(Value::Null);
    (status, etag, body)
}

/// create → patch → publish → anonymous read → unpublish → anonymous 404 →
/// restore revision 1 → diff, for one type.
async fn lifecycle(app: &TestApp, collection: &str, body: Value, patch: Value, changed: (&str, Value)) {
    let editor = app.token_for(Role::Editor).await;
    let token = Some(editor.as_str());
    let slug = body["slug"].as_str().unwrap_or_default().to_owned();

    let created = app.send(Method::POST, &format!("/v1/{collection}"), token, None, Some(&body)).await;
    let location = created.headers().get("location").and_then(|v| v.to_str().ok()).map(String::from);
    let (status, etag, doc) = json_of(created).await;
    assert_eq!(status, 201, "{collection}: {doc}");
    assert_eq!((doc["status"].as_str(), doc["version"].as_i64()), (Some("draft"), Some(1)));
    let id = doc["id"].as_str().unwrap_or_default().to_owned();
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
    let revisions: Value = app
        .get_with(&format!("{path}/revisions"), ("authorization", &bearer))
        .await
        .json()
        .await
        .unwrap_or_default();
    let actions: Vec<&str> =
        revisions["data"].as_array().into_iter().flatten().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(actions, ["revert", "unpublish", "publish", "update", "create"]);

    // The diff from 1 to 2 turns revision 1's document into revision 2's.
    let diff: Value = app
        .get_with(&format!("{path}/revisions/2/diff?against=1"), ("authorization", &bearer))
        .await
        .json()
        .await
        .unwrap_or_default();
    let one: Value = app
        .get_with(&format!("{path}/revisions/1"), ("authorization", &bearer))
        .await
        .json()
        .await
        .unwrap_or_default();
    let two: Value = app
        .get_with(&format!("{path}/revisions/2"), ("authorization", &bearer))
        .await
        .json()
        .await
        .unwrap_or_default();
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
    let path = format!("/v1/essays/{}", doc["id"].as_str().unwrap_or_default());
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
    let admin = admin["access_token"].as_str().unwrap_or_default();
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
async fn changes_need_the_current_etag() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let (_, etag, doc) =
        json_of(app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&essay_body("etag"))).await)
            .await;
    let path = format!("/v1/essays/{}", doc["id"].as_str().unwrap_or_default());
    let patch = json!({"title": "Changed"});
    let response = app.send(Method::PATCH, &path, Some(&editor), None, Some(&patch)).await;
    assert_eq!(response.status(), 428);
    let response = app.send(Method::POST, &format!("{path}/publish"), Some(&editor), None, None).await;
    assert_eq!(response.status(), 428, "every state change needs If-Match");
    let response = app.send(Method::PATCH, &path, Some(&editor), Some("\"stale\""), Some(&patch)).await;
    assert_eq!(response.status(), 412);
    let weak = etag.as_deref().map(|t| format!("W/{t}"));
    let response = app.send(Method::PATCH, &path, Some(&editor), weak.as_deref(), Some(&patch)).await;
    assert_eq!(response.status(), 412, "a weak tag never matches");
    let response = app.send(Method::PATCH, &path, Some(&editor), etag.as_deref(), Some(&patch)).await;
    assert_eq!(response.status(), 200);
    let response = app
        .send(Method::PATCH, &path, Some(&editor), etag.as_deref(), Some(&json!({"title": "Lost?"})))
        .await;
    assert_eq!(response.status(), 412, "the old ETag is stale now");
}

#[tokio::test]
async fn of_concurrent_edits_with_one_etag_exactly_one_wins() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let (_, etag, doc) =
        json_of(app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&essay_body("race"))).await)
            .await;
    let path = format!("/v1/essays/{}", doc["id"].as_str().unwrap_or_default());
    let etag = etag.unwrap_or_default();

    let attempts: Vec<_> = (0..32)
        .map(|n| {
            let (app, path, editor, etag) = (&app, path.clone(), editor.clone(), etag.clone());
            Box::pin(async move {
                let patch = json!({"title": format!("Edit number {n}")});
                app.send(Method::PATCH, &path, Some(&editor), Some(&etag), Some(&patch))
                    .await
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let statuses = join_all(attempts).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 31, "{statuses:?}");

    let bearer = format!("Bearer {editor}");
    let revisions: Value = app
        .get_with(&format!("{path}/revisions"), ("authorization", &bearer))
        .await
        .json()
        .await
        .unwrap_or_default();
    let versions: Vec<i64> =
        revisions["data"].as_array().into_iter().flatten().filter_map(|r| r["version"].as_i64()).collect();
    assert_eq!(versions, [2, 1], "one revision per accepted change, none lost");
    let current: Value =
        app.get_with(&path, ("authorization", &bearer)).await.json().await.unwrap_or_default();
    let two: Value = app
        .get_with(&format!("{path}/revisions/2"), ("authorization", &bearer))
        .await
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(current["title"], two["document"]["title"], "the winner's edit is the one kept");
}

#[tokio::test]
async fn two_editors_with_one_etag_one_wins_and_the_other_rebases() {
    let app = spawn_app().await;
    let (ada, bea) = (app.token_for(Role::Editor).await, app.token_for(Role::Editor).await);
    let (_, etag, doc) = json_of(
        app.send(Method::POST, "/v1/essays", Some(&ada), None, Some(&essay_body("two-editors"))).await,
    )
    .await;
    let path = format!("/v1/essays/{}", doc["id"].as_str().unwrap_or_default());
    let etag = etag.unwrap_or_default();
    let by_ada = json!({"title": "Ada's title"});
    let by_bea = json!({"subtitle": "Bea's subtitle"});
    let (first, second) = tokio::join!(
        app.send(Method::PATCH, &path, Some(&ada), Some(&etag), Some(&by_ada)),
        app.send(Method::PATCH, &path, Some(&bea), Some(&etag), Some(&by_bea)),
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412]);

    // The loser reads the current version and applies the edit on top of it.
    let current = app.send(Method::GET, &path, Some(&bea), None, None).await;
    let fresh = current.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let loser = if first.status() == 412 { (&ada, &by_ada) } else { (&bea, &by_bea) };
    let (status, _, merged) =
        json_of(app.send(Method::PATCH, &path, Some(loser.0), Some(&fresh), Some(loser.1)).await).await;
    assert_eq!(status, 200, "{merged}");
    assert_eq!(
        (merged["title"].as_str(), merged["subtitle"].as_str()),
        (Some("Ada's title"), Some("Bea's subtitle"))
    );

    let revisions = app.send(Method::GET, &format!("{path}/revisions"), Some(&ada), None, None).await;
    let revisions: Value = revisions.json().await.unwrap_or_default();
    let versions: Vec<i64> =
        revisions["data"].as_array().into_iter().flatten().filter_map(|r| r["version"].as_i64()).collect();
    assert_eq!(versions, [3, 2, 1], "both edits kept, each as its own revision");
}

#[tokio::test]
async fn a_scheduled_publication_goes_live_on_its_own() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let (_, etag, doc) =
        json_of(app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&essay_body("soon"))).await)
            .await;
    let path = format!("/v1/essays/{}", doc["id"].as_str().unwrap_or_default());
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
    let revisions: Value = app
        .get_with(&format!("{path}/revisions"), ("authorization", &bearer))
        .await
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(revisions["data"][0]["actor_kind"], "system");
}

#[tokio::test]
async fn every_invalid_field_is_named() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "essays",
            json!({"slug": "Bad Slug", "title": "", "body_markdown": "x", "locale": "english",
            "authors": [{"person": "nobody"}], "tags": ["Not A Tag"], "related": ["0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b"]}),
            vec!["slug", "locale", "title", "tags[0]", "related[0]", "authors[0].person"],
        ),
        (
            "lyrics",
            json!({"slug": "s", "title": "T", "rights": {"status": "mine"},
            "writers": [{"person": "ralph-chaplin", "role": "singer"}],
            "stanzas": [{"id": "v1", "kind": "hook", "lines": ["x"]}], "arrangement": ["v1"], "year": 99}),
            vec!["writers[0].role", "year", "rights.status", "stanzas[0].kind"],
        ),
        (
            "lyrics",
            json!({"slug": "s", "title": "T", "rights": {"status": "public_domain"},
            "stanzas": [{"id": "v1", "kind": "verse", "lines": ["x"]}], "arrangement": ["v1", "chorus"]}),
            vec!["arrangement"],
        ),
        (
            "events",
            json!({"slug": "e", "title": "T", "starts_at": "2030-01-01T10:00:00+02:00", "ends_at": "2030-01-01T09:00:00+02:00",
            "time_zone": "Mars/Olympus", "recurrence": "FREQ=SOMETIMES", "venue": {"country": "XX", "latitude": 91.0},
            "online_url": "javascript:alert(1)", "event_status": "maybe"}),
            vec!["time_zone", "recurrence", "event_status", "venue.country", "venue.latitude", "online_url"],
        ),
        (
            "events",
            json!({"slug": "e", "title": "T", "starts_at": "2030-01-01T10:00:00+02:00", "ends_at": "2030-01-01T09:00:00+02:00",
            "time_zone": "Europe/Athens"}),
            vec!["ends_at"],
        ),
        (
            "events",
            json!({"slug": "e", "title": "T", "starts_at": "tomorrow", "ends_at": "2030-01-01T09:00:00",
            "time_zone": "Europe/Athens"}),
            vec!["starts_at", "ends_at"],
        ),
    ];
    for (collection, body, fields) in cases {
        let response =
            app.send(Method::POST, &format!("/v1/{collection}"), Some(&editor), None, Some(&body)).await;
        assert_eq!(response.status(), 422, "{collection}: {body}");
        let problem: Value = response.json().await.unwrap_or_default();
        let named: Vec<&str> =
            problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
        for field in fields {
            assert!(named.contains(&field), "{collection}: `{field}` not named in {problem}");
        }
    }
    // Wrong types and unknown fields are 422 too, and nothing was written.
    let response = app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&json!({"slug": 5}))).await;
    assert_eq!(response.status(), 422);
    let response = app
        .send(
            Method::POST,
            "/v1/essays",
            Some(&editor),
            None,
            Some(&json!({"slug": "x", "title": "x", "body_markdown": "x", "colour": "red"})),
        )
        .await;
    assert_eq!(response.status(), 422);
    let drafts: Value = app
        .get_with("/v1/essays?status=any", ("authorization", &format!("Bearer {editor}")))
        .await
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(drafts["data"].as_array().map(Vec::len), Some(1), "only the demo essay");

    // A taken slug is a conflict naming the field.
    let (_, _, _) =
        json_of(app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&essay_body("taken"))).await)
            .await;
    let response =
        app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&essay_body("taken"))).await;
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.unwrap_or_default();
    assert_eq!(problem["errors"][0]["field"], "slug");
}

#[tokio::test]
async fn scripts_never_reach_the_html_and_placeholders_are_flagged() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let mut body = essay_body("hostile");
    body["body_markdown"] = json!(
        "Hello <script>alert(1)</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)>\n\nLorem ipsum dolor sit amet.\n\nDon’t worry about sounding professional. Sound like you."
    );
    let (status, etag, doc) =
        json_of(app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&body)).await).await;
    assert_eq!(status, 201);
    let html = doc["body_html"].as_str().unwrap_or_default();
    for bad in ["<script", "javascript:", "onerror"] {
        assert!(!html.contains(bad), "{bad} reached the HTML: {html}");
    }
    let path = format!("/v1/essays/{}/publish", doc["id"].as_str().unwrap_or_default());
    let (status, _, published) =
        json_of(app.send(Method::POST, &path, Some(&editor), etag.as_deref(), None).await).await;
    assert_eq!(status, 200, "warnings do not block publishing");
    let warnings = published["warnings"].as_array().cloned().unwrap_or_default();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

#[tokio::test]
async fn a_revision_message_is_recorded_and_a_key_can_write() {
    let app = spawn_app().await;
    let admin = app.sign_in(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await;
    let admin = admin["access_token"].as_str().unwrap_or_default().to_owned();
    let key: Value = app
        .send(
            Method::POST,
            "/v1/api-keys",
            Some(&admin),
            None,
            Some(&json!({"name": "importer", "scopes": ["content:write"]})),
        )
        .await
        .json()
        .await
        .unwrap_or_default();
    let key = key["key"].as_str().unwrap_or_default();
    let created = app
        .client
        .post(format!("{}/v1/essays", app.address))
        .header("x-api-key", key)
        .header("x-revision-message", "Imported from the archive")
        .json(&essay_body("imported"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created.status(), 201);
    let doc: Value = created.json().await.unwrap_or_default();
    let revision: Value = app
        .get_with(
            &format!("/v1/essays/{}/revisions/1", doc["id"].as_str().unwrap_or_default()),
            ("x-api-key", key),
        )
        .await
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(
        (revision["actor_kind"].as_str(), revision["actor_name"].as_str()),
        (Some("api_key"), Some("importer"))
    );
    assert_eq!(revision["message"], "Imported from the archive");
    assert_eq!(revision["document"]["slug"], "imported");
}
