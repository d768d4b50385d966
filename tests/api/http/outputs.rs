//! Output formats that hostile text must not break: iCalendar, where a line
//! break would start a property of its own, and XML feeds, where one
//! control character makes the whole feed unreadable. Input refuses such
//! text; the writers hold even for text stored before it did.

use broadside::auth::Role;
use icalendar::parser::{Component, read_calendar, unfold};
use reqwest::Method;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// Stores `value` straight into `column` of `table`, in the row of the
/// document, person or tag with `slug`, as text written before the rules
/// of today would be.
async fn store(app: &TestApp, table: &str, column: &str, value: &str, slug: &str) {
    let backend = app.db.get_database_backend();
    let (first, second) = if backend == DatabaseBackend::Postgres { ("$1", "$2") } else { ("?", "?") };
    let key = match table {
        "essays" | "events" => format!("document_id = (SELECT id FROM documents WHERE slug = {second})"),
        _ => format!("slug = {second}"),
    };
    let sql = format!("UPDATE {table} SET {column} = {first} WHERE {key}");
    let statement = Statement::from_sql_and_values(backend, sql, [value.into(), slug.into()]);
    let done = app.db.execute_raw(statement).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done.rows_affected(), 1, "{table}.{column}");
}

async fn publish(app: &TestApp, token: &str, collection: &str, body: Value) -> String {
    let created = app.send(Method::POST, &format!("/v1/{collection}"), Some(token), None, Some(&body)).await;
    assert_eq!(created.status(), 201, "{body}");
    let etag = created.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/{collection}/{id}/publish");
    assert_eq!(app.send(Method::POST, &path, Some(token), etag.as_deref(), None).await.status(), 200);
    id
}

fn events<'a>(calendar: &'a icalendar::parser::Calendar<'a>) -> Vec<&'a Component<'a>> {
    calendar.components.iter().filter(|c| c.name.as_str() == "VEVENT").collect()
}

#[tokio::test]
async fn hostile_text_never_adds_a_line_to_a_calendar() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let injection =
        "\r\nATTENDEE:mailto:victim@example.org\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Injected";

    // One-line fields refuse a line break outright.
    for field in ["title"] {
        let body = json!({"slug": "x", field: format!("Meeting{injection}"), "starts_at": "2030-01-10T10:00:00Z",
            "ends_at": "2030-01-10T11:00:00Z", "time_zone": "UTC"});
        let response = app.send(Method::POST, "/v1/events", Some(&editor), None, Some(&body)).await;
        assert_eq!(response.status(), 422, "{field}");
    }
    let tag = app
        .send(
            Method::POST,
            "/v1/tags",
            Some(&editor),
            None,
            Some(&json!({"slug": "odd-tag", "name": "Odd; tag, with\\ marks"})),
        )
        .await;
    assert_eq!(tag.status(), 201);

    // Multi-line fields keep their lines, escaped.
    let id = publish(&app, &editor, "events", json!({
        "slug": "hostile-meeting", "title": "Meeting; with, marks \\ and more",
        "summary": format!("Summary{injection}"),
        "starts_at": "2030-01-10T10:00:00Z", "ends_at": "2030-01-10T11:00:00Z", "time_zone": "UTC",
        "venue": {"name": "Hall", "address": format!("1 Street{injection}"), "city": "Athens", "country": "GR"},
        "online_url": "https://example.org/live?a=1;b=2,c", "tags": ["odd-tag"]
    })).await;
    // And text stored before the rules held cannot break out either.
    let legacy = publish(
        &app,
        &editor,
        "events",
        json!({
            "slug": "legacy-meeting", "title": "Legacy", "starts_at": "2030-02-10T10:00:00Z",
            "ends_at": "2030-02-10T11:00:00Z", "time_zone": "UTC", "venue": {"name": "Old hall"}
        }),
    )
    .await;
    store(&app, "documents", "title", &format!("Legacy{injection}\u{1}"), "legacy-meeting").await;
    store(&app, "events", "venue_name", &format!("Old hall{injection}"), "legacy-meeting").await;
    store(&app, "tags", "name", &format!("Tag{injection}"), "odd-tag").await;

    for path in [
        "/v1/events/calendar.ics?from=2029-01-01".to_owned(),
        format!("/v1/events/{id}/calendar.ics"),
        format!("/v1/events/{legacy}/calendar.ics"),
    ] {
        let text = app.get(&path).await.text().await.unwrap();
        assert!(text.split("\r\n").all(|line| line.len() <= 75), "{path}: folded at 75 octets");
        assert!(!text.contains('\u{1}'), "{path}");
        let unfolded = unfold(&text);
        let calendar = read_calendar(&unfolded).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"));
        let found = events(&calendar);
        // The demo meeting recurs every year: it is in the calendar too.
        let expected = if path.contains("calendar.ics?") { 3 } else { 1 };
        assert_eq!(found.len(), expected, "{path}: exactly the events intended\n{text}");
        for event in &found {
            assert!(event.find_prop("ATTENDEE").is_none(), "{path}: {text}");
            assert_eq!(event.properties.iter().filter(|p| p.name.as_str() == "SUMMARY").count(), 1, "{path}");
        }
        assert!(
            !text.lines().any(|line| line.starts_with("ATTENDEE") || line.starts_with("SUMMARY:Injected")),
            "{path}"
        );
    }
    let text = app.get(&format!("/v1/events/{id}/calendar.ics")).await.text().await.unwrap();
    assert!(text.contains("SUMMARY:Meeting\\; with\\, marks \\\\ and more\r\n"), "{text}");
    let unfolded = unfold(&text);
    let calendar = read_calendar(&unfolded).unwrap_or_else(|e| panic!("{e}"));
    let summary =
        events(&calendar)[0].find_prop("DESCRIPTION").map(|p| p.val.to_string()).expect("a DESCRIPTION");
    // The text round-trips, its line breaks inside the one property.
    assert_eq!(summary, format!("Summary{}", injection.replace("\r\n", "\n")));
}

#[tokio::test]
async fn characters_xml_forbids_never_reach_a_feed() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    for title in ["Bell\u{1}", "Tab\u{b}", "Not\u{fffe}"] {
        let body = json!({"slug": "bad-title", "title": title, "body_markdown": "Text."});
        let response = app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&body)).await;
        assert_eq!(response.status(), 422, "{title:?}");
    }
    publish(
        &app,
        &editor,
        "essays",
        json!({"slug": "legacy-essay", "title": "Legacy", "body_markdown": "Text."}),
    )
    .await;
    store(&app, "documents", "title", "Legacy \u{1}\u{b}\u{fffe} title", "legacy-essay").await;
    store(&app, "essays", "excerpt", "An excerpt \u{1f}", "legacy-essay").await;
    store(&app, "people", "name", "Alvaro \u{1}Rodriguez", "alvaro-rodriguez").await;
    for (path, media) in [("/v1/essays/feed.atom", "atom"), ("/v1/essays/feed.rss", "rss")] {
        let text = app.get(path).await.text().await.unwrap();
        let feed = feed_rs::parser::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{media}: {e}\n{text}"));
        let titles: Vec<String> =
            feed.entries.iter().filter_map(|e| e.title.as_ref().map(|t| t.content.clone())).collect();
        assert!(titles.iter().any(|t| t == "Legacy  title"), "{media}: {titles:?}");
        assert!(!text.contains(['\u{1}', '\u{b}', '\u{fffe}', '\u{1f}']), "{media}");
    }
}
