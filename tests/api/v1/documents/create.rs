//! Creating a document: every invalid field named, taken slugs, and HTML
//! that carries no script while placeholder copy is flagged.

use broadside::auth::Role;
use reqwest::Method;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use super::{essay_body, json_of};
use crate::helpers::spawn_app;

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
        // A person credited twice alike (one may hold two roles in a song).
        (
            "essays",
            json!({"slug": "twice", "title": "T", "body_markdown": "x",
            "authors": [{"person": "alvaro-rodriguez"}, {"person": "ralph-chaplin"}, {"person": "alvaro-rodriguez"}]}),
            vec!["authors[2].person"],
        ),
        (
            "lyrics",
            json!({"slug": "twice", "title": "T", "rights": {"status": "public_domain"},
            "writers": [{"person": "ralph-chaplin", "role": "lyricist"}, {"person": "ralph-chaplin", "role": "lyricist"}],
            "stanzas": [{"id": "v1", "kind": "verse", "lines": ["x"]}], "arrangement": ["v1"]}),
            vec!["writers[1].person"],
        ),
        (
            "events",
            json!({"slug": "twice", "title": "T", "starts_at": "2030-01-01T10:00:00+02:00",
            "ends_at": "2030-01-01T11:00:00+02:00", "time_zone": "Europe/Athens",
            "organizers": ["ralph-chaplin", "ralph-chaplin"]}),
            vec!["organizers[1]"],
        ),
    ];
    for (collection, body, fields) in cases {
        let response =
            app.send(Method::POST, &format!("/v1/{collection}"), Some(&editor), None, Some(&body)).await;
        assert_eq!(response.status(), 422, "{collection}: {body}");
        let problem: Value = response.json().await.unwrap();
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
        .unwrap();
    assert_eq!(drafts["data"].as_array().map(Vec::len), Some(1), "only the demo essay");

    // A taken slug is a conflict naming the field.
    let (_, _, _) =
        json_of(app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&essay_body("taken"))).await)
            .await;
    let response =
        app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&essay_body("taken"))).await;
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.unwrap();
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
    let html = doc["body_html"].as_str().unwrap();
    for bad in ["<script", "javascript:", "onerror"] {
        assert!(!html.contains(bad), "{bad} reached the HTML: {html}");
    }
    let path = format!("/v1/essays/{}/publish", doc["id"].as_str().unwrap());
    let (status, _, published) =
        json_of(app.send(Method::POST, &path, Some(&editor), etag.as_deref(), None).await).await;
    assert_eq!(status, 200, "warnings do not block publishing");
    let warnings = published["warnings"].as_array().cloned().unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

/// Creates that arrive together are written together; each is still
/// answered as if it had been written alone: its own document and
/// revision, and a taken slug refused without failing the others. The
/// tag they all introduce (`organizing` is not in the demo content) is
/// created once and carried by each.
#[tokio::test]
async fn creates_sent_together_are_each_answered_as_if_alone() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let author = app.token_for(Role::Author).await;
    let mut slugs: Vec<String> = (0..24).map(|i| format!("together-{i}")).collect();
    slugs.push("together-5".to_owned());
    let creates = slugs.iter().enumerate().map(|(i, slug)| {
        let mut body = essay_body(slug);
        body["title"] = json!(format!("Together {i}"));
        let token = if i % 2 == 0 { &editor } else { &author };
        let request = app
            .client
            .post(format!("{}/v1/essays", app.address))
            .bearer_auth(token)
            .header("x-revision-message", format!("create {i}"))
            .json(&body);
        async move { json_of(request.send().await.unwrap_or_else(|e| panic!("{e}"))).await }
    });
    let answers = crate::helpers::join_all(creates.collect()).await;

    let refused: Vec<usize> = (0..answers.len()).filter(|i| answers[*i].0 != 201).collect();
    assert_eq!(refused.len(), 1, "one of the two `together-5` is refused, no other: {refused:?}");
    let (status, _, problem) = &answers[refused[0]];
    assert_eq!((*status, &problem["errors"][0]["field"]), (409, &json!("slug")), "{problem}");
    for (i, (status, etag, created)) in answers.iter().enumerate() {
        if *status != 201 {
            continue;
        }
        assert_eq!(created["slug"], slugs[i].as_str());
        assert_eq!(created["title"], format!("Together {i}"));
        let id = created["id"].as_str().unwrap_or_else(|| panic!("{created}"));
        assert!(etag.as_deref().is_some_and(|etag| etag.ends_with("-v1\"")), "{etag:?}");
        let (status, read) = super::read(&app, &format!("/v1/essays/{id}"), &editor).await;
        assert_eq!((status, &read), (200, created), "read back as created");
        let (status, revision) = super::read(&app, &format!("/v1/essays/{id}/revisions/1"), &editor).await;
        assert_eq!(status, 200, "{revision}");
        assert_eq!(revision["message"], format!("create {i}"));
        assert_eq!(revision["document"]["title"], format!("Together {i}"));
    }
    let written = app.count("SELECT COUNT(*) FROM documents WHERE slug LIKE 'together-%'").await;
    assert_eq!(written, 24);
}

#[tokio::test]
async fn a_create_keeps_beside_the_document_what_a_rewrite_of_it_would() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let head = app.count("SELECT COALESCE(MAX(seq), 0) FROM change_log").await;
    let mut essay = essay_body("kept-beside");
    essay["tags"] = json!(["organizing", "solidarity", "a-tag-of-its-own"]);
    let mut event = super::state::event_body("kept-beside-event");
    event["organizers"] = json!(["alvaro-rodriguez", "ralph-chaplin"]);
    // Finer than either database keeps time.
    event["starts_at"] = json!("2030-03-05T18:00:00.123456789+02:00");
    event["tags"] = json!(["solidarity"]);
    // One person in two roles: one facet.
    let mut song = super::state::lyrics_body("kept-beside-song");
    let roles = ["lyricist", "composer"].map(|role| json!({"person": "ralph-chaplin", "role": role}));
    song["writers"] = json!(roles);
    let bodies = [("essays", essay), ("lyrics", song), ("events", event)];
    // Sent together, so that they may be written in one transaction.
    let creates = bodies.iter().map(|(collection, body)| {
        let request =
            app.client.post(format!("{}/v1/{collection}", app.address)).bearer_auth(&editor).json(body);
        async move { json_of(request.send().await.unwrap_or_else(|e| panic!("{e}"))).await }
    });
    let answers = crate::helpers::join_all(creates.collect()).await;
    let mut ids: Vec<uuid::Uuid> = Vec::new();
    for ((collection, _), (status, _, created)) in bodies.iter().zip(&answers) {
        assert_eq!(*status, 201, "{created}");
        let id = created["id"].as_str().unwrap_or_else(|| panic!("{created}"));
        // The answer is built from the rows written, not read back: it is
        // what any read finds, to the microsecond.
        let (status, read) = super::read(&app, &format!("/v1/{collection}/{id}"), &editor).await;
        assert_eq!((status, &read), (200, created), "{collection} read back as created");
        ids.push(id.parse().unwrap_or_else(|e| panic!("{e}")));
    }
    assert_eq!(answers[2].2["starts_at"], "2030-03-05T18:00:00.123456+02:00", "{}", answers[2].2);
    let of_them = "document_id IN (SELECT id FROM documents WHERE slug LIKE 'kept-beside%')";

    // Each is in the change log once, after everything before, as a draft.
    let logged = app
        .count(&format!("SELECT COUNT(DISTINCT seq) FROM change_log WHERE {of_them} AND seq > {head}"))
        .await;
    assert_eq!(logged, 3);
    let public = app
        .count(&format!("SELECT COUNT(*) FROM change_log WHERE {of_them} AND (public OR ever_public)"))
        .await;
    assert_eq!(public, 0);
    let drafts_seq =
        app.count(&format!("SELECT COUNT(*) FROM change_log WHERE {of_them} AND public_seq = 0")).await;
    assert_eq!(drafts_seq, 3);

    // Their facets are those worked out from the rows written.
    let facets = || async {
        use entity::document_facet::{Column, Entity};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        Entity::find()
            .filter(Column::DocumentId.is_in(ids.iter().copied()))
            .order_by_asc(Column::DocumentId)
            .order_by_asc(Column::Facet)
            .order_by_asc(Column::Value)
            .all(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let written = facets().await;
    // 3 tags and 1 author; 1 writer in two roles; 1 tag and 2 organizers.
    // Refreshing them works them out from the rows, as any other write does.
    assert_eq!(written.len(), 8, "{written:#?}");
    broadside::services::facets::refresh(&app.db, &ids).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(facets().await, written);
}

#[tokio::test]
async fn a_token_whose_account_is_gone_writes_nothing() {
    let app = spawn_app().await;
    let email = "gone@example.org";
    crate::helpers::add_user(&app.db, email, "a long enough password", Role::Editor).await;
    let pair = app.sign_in(email, "a long enough password").await;
    let token = pair["access_token"].as_str().expect("an access token");
    app.db
        .execute_unprepared(&format!("DELETE FROM users WHERE email = '{email}'"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let (status, _, problem) =
        json_of(app.send(Method::POST, "/v1/essays", Some(token), None, Some(&essay_body("orphan"))).await)
            .await;
    assert_eq!(status, 401, "{problem}");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("no longer exists")), "{problem}");
    assert_eq!(app.count("SELECT COUNT(*) FROM documents WHERE slug = 'orphan'").await, 0);
}
