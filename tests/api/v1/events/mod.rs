//! Events: the demo meeting's recurrence in its own zone, date ranges, and
//! the filters of the list. iCalendar is in `calendar`.

mod calendar;

use broadside::auth::Role;
use chrono::{DateTime, Datelike, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, fields, spawn_app};

const MEETING: &str = "international-meeting-of-communist-and-workers-parties";

#[tokio::test]
async fn the_demo_meeting_recurs_yearly_in_its_own_time_zone_and_says_it_is_sample_data() {
    let app = spawn_app().await;
    let event = app.get_json(&format!("/v1/events/{MEETING}")).await;
    assert_eq!(event["type"], "event");
    assert_eq!(event["recurrence"], "FREQ=YEARLY");
    assert_eq!(event["time_zone"], "Europe/Istanbul");
    let starts = event["starts_at"].as_str().unwrap();
    assert!(starts.ends_with("+03:00"), "shown with the zone's offset: {starts}");
    assert_eq!(event["event_status"], "scheduled");
    assert_eq!(event["attendance_mode"], "in_person");
    assert_eq!(event["venue"]["country"], "TR");

    let tags = fields(event["tags"].as_array().map(Vec::as_slice).unwrap(), "slug");
    assert!(tags.contains(&"sample".to_owned()), "sample values are tagged `sample`");
    assert!(event["description_markdown"].as_str().unwrap().contains("Sample data"));

    let next = &event["next_occurrence"];
    let next_start =
        DateTime::parse_from_rfc3339(next["starts_at"].as_str().unwrap()).unwrap_or_else(|e| panic!("{e}"));
    assert!(next_start.with_timezone(&Utc) >= Utc::now() - chrono::Duration::days(3));
    assert_eq!(next_start.format("%m-%d %H:%M").to_string(), "10-23 10:00");
}

fn slugs(items: &[Value]) -> Vec<String> {
    fields(items, "slug")
}

#[tokio::test]
async fn a_date_range_finds_a_recurring_event_by_any_of_its_occurrences() {
    let app = spawn_app().await;
    let year = Utc::now().year() + 3;
    let during = app.walk(&format!("/v1/events?from={year}-10-24&to={year}-10-24"), 20).await;
    assert_eq!(slugs(&during), [MEETING], "the occurrence of {year} overlaps");
    let before = app.walk(&format!("/v1/events?from={year}-01-01&to={year}-09-30"), 20).await;
    assert!(before.is_empty(), "no occurrence between January and September");
    let earlier = app.walk("/v1/events?to=2020-01-01", 20).await;
    assert!(earlier.is_empty(), "the series starts in 2026");
}

/// An event in UTC whose slug, title and summary are `slug`.
fn event(slug: &str, starts: String, ends: String, recurrence: Option<&str>) -> Value {
    json!({"slug": slug, "title": slug, "summary": slug, "starts_at": starts, "ends_at": ends,
           "time_zone": "UTC", "recurrence": recurrence})
}

#[tokio::test]
async fn a_window_finds_events_running_into_it_however_long_ago_they_began() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let year = Utc::now().year() + 2;
    let created = [
        // Short, begun two days before the window and running into it.
        event("congress", format!("{year}-02-27T09:00:00Z"), format!("{year}-03-02T18:00:00Z"), None),
        // Short, over the day before the window.
        event("over", format!("{year}-02-20T09:00:00Z"), format!("{year}-02-28T18:00:00Z"), None),
        // Long-running: a weekly class for a year, begun months before.
        event(
            "class",
            format!("{}-06-01T18:00:00Z", year - 1),
            format!("{}-06-01T20:00:00Z", year - 1),
            Some("FREQ=WEEKLY;COUNT=52"),
        ),
        // Long-running, but its last session was before the window.
        event(
            "course",
            format!("{}-01-05T18:00:00Z", year - 1),
            format!("{}-01-05T20:00:00Z", year - 1),
            Some("FREQ=WEEKLY;COUNT=8"),
        ),
        event("inside", format!("{year}-03-10T09:00:00Z"), format!("{year}-03-10T12:00:00Z"), None),
    ];
    for body in created {
        calendar::event(&app, &editor, body).await;
    }
    let window = format!("/v1/events?from={year}-03-01&to={year}-04-01");
    // A page at a time, so that pages end in either kind of event.
    for page in [1, 2, 20] {
        let found = app.walk(&window, page).await;
        assert_eq!(slugs(&found), ["class", "congress", "inside"], "pages of {page}");
    }
    let newest_first = app.walk(&format!("{window}&sort=-starts_at"), 1).await;
    assert_eq!(slugs(&newest_first), ["inside", "congress", "class"]);
    // Anonymous readers get the items stored when each event was written;
    // an editor's page is rendered afresh. They must agree.
    let stored = app.get_json(&window).await;
    let path = format!("{window}&status=published");
    let fresh = app.send(reqwest::Method::GET, &path, Some(&editor), None, None).await;
    assert_eq!(fresh.status(), 200);
    let fresh: Value = fresh.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored["data"], fresh["data"]);
}

#[tokio::test]
async fn a_window_and_the_calendar_show_an_event_only_while_it_is_public() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let year = Utc::now().year() + 2;
    let rally = calendar::event(
        &app,
        &editor,
        event("rally", format!("{year}-03-10T09:00:00Z"), format!("{year}-03-10T12:00:00Z"), None),
    )
    .await;
    let class = calendar::event(
        &app,
        &editor,
        event(
            "class",
            format!("{}-06-01T18:00:00Z", year - 1),
            format!("{}-06-01T20:00:00Z", year - 1),
            Some("FREQ=WEEKLY;COUNT=52"),
        ),
    )
    .await;
    let draft = app
        .send(
            reqwest::Method::POST,
            "/v1/events",
            Some(&editor),
            None,
            Some(&event("draft", format!("{year}-03-11T09:00:00Z"), format!("{year}-03-11T12:00:00Z"), None)),
        )
        .await;
    assert_eq!(draft.status(), 201);
    let window = format!("/v1/events?from={year}-03-01&to={year}-04-01");
    assert_eq!(
        shown(&app, &window).await,
        (vec!["class".to_owned(), "rally".to_owned()], "rally class".to_owned())
    );

    change(&app, &editor, reqwest::Method::POST, &format!("/v1/events/{rally}/unpublish")).await;
    change(&app, &editor, reqwest::Method::DELETE, &format!("/v1/events/{class}")).await;
    assert_eq!(shown(&app, &window).await, (Vec::new(), String::new()));

    change(&app, &editor, reqwest::Method::POST, &format!("/v1/events/{rally}/publish")).await;
    assert_eq!(shown(&app, &window).await, (vec!["rally".to_owned()], "rally".to_owned()));
}

/// The events `window` lists, and those of `rally`, `class` and `draft` the
/// calendar carries.
async fn shown(app: &TestApp, window: &str) -> (Vec<String>, String) {
    let listed = slugs(&app.walk(window, 20).await);
    let calendar = app.get("/v1/events/calendar.ics").await.text().await.unwrap_or_default();
    let carried: Vec<&str> = ["rally", "class", "draft"]
        .into_iter()
        .filter(|s| calendar.contains(&format!("SUMMARY:{s}")))
        .collect();
    (listed, carried.join(" "))
}

/// `method` on `path` (an event's, or one of its actions), as `editor`, at
/// the event's current version.
async fn change(app: &TestApp, editor: &str, method: reqwest::Method, path: &str) {
    let id = path.split('/').nth(3).unwrap_or_default();
    let etag = app.etag(&format!("/v1/events/{id}"), editor).await;
    let response = app.send(method, path, Some(editor), etag.as_deref(), None).await;
    assert!(response.status().is_success(), "{path}: {}", response.status());
}

#[tokio::test]
async fn events_filter_by_upcoming_country_status_tag_and_organizer() {
    let app = spawn_app().await;
    app.load_synthetic(80).await;
    let now = Utc::now();

    let upcoming = app.walk("/v1/events?upcoming=true", 50).await;
    assert!(slugs(&upcoming).contains(&MEETING.to_owned()));
    for event in &upcoming {
        let next = &event["next_occurrence"];
        assert!(next.is_object(), "an upcoming event has a next occurrence: {event}");
    }
    let past = app.walk("/v1/events?upcoming=false", 50).await;
    assert!(!past.is_empty());
    for event in &past {
        assert_eq!(event["recurrence"], Value::Null, "{event}");
        let ends = DateTime::parse_from_rfc3339(event["ends_at"].as_str().unwrap())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(ends.with_timezone(&Utc) <= now);
    }
    let all = app.walk("/v1/events", 50).await;
    assert_eq!(upcoming.len() + past.len(), all.len(), "every event is upcoming or past");

    let greek = app.walk("/v1/events?country=GR", 50).await;
    assert!(!greek.is_empty() && greek.iter().all(|e| e["venue"]["country"] == "GR"));
    let lower = app.walk("/v1/events?country=gr", 50).await;
    assert_eq!(slugs(&lower), slugs(&greek), "country codes are case-insensitive");

    let cancelled = app.walk("/v1/events?event_status=cancelled", 50).await;
    assert!(!cancelled.is_empty() && cancelled.iter().all(|e| e["event_status"] == "cancelled"));

    let tagged = app.walk("/v1/events?tag=communist-parties", 50).await;
    assert_eq!(slugs(&tagged), [MEETING]);
    let organized = app.walk("/v1/events?organizer=synthetic-person-002", 50).await;
    assert!(!organized.is_empty());

    let starts: Vec<String> = fields(&all, "starts_at");
    let instants: Vec<DateTime<Utc>> = starts
        .iter()
        .map(|s| {
            DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    assert!(instants.windows(2).all(|w| w[0] <= w[1]), "earliest first by default");
}

#[tokio::test]
async fn a_month_decades_ahead_finds_the_yearly_events_of_that_month_alone() {
    use sea_orm::{ConnectionTrait, Statement};

    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let year = Utc::now().year() + 1;
    let event = |slug: &str, starts: String, zone: &str, recurrence: &str| {
        let ends = DateTime::parse_from_rfc3339(&starts).unwrap_or_else(|e| panic!("{e}"))
            + chrono::Duration::hours(2);
        json!({"slug": slug, "title": slug, "summary": slug, "starts_at": starts, "ends_at": ends.to_rfc3339(),
               "time_zone": zone, "recurrence": recurrence})
    };
    let created = [
        event("march", format!("{year}-03-15T10:00:00Z"), "UTC", "FREQ=YEARLY"),
        event("april", format!("{year}-04-15T10:00:00Z"), "UTC", "FREQ=YEARLY"),
        // 1 April at 00:30 in Kiritimati (UTC+14) is 31 March in UTC.
        event("kiritimati", format!("{year}-04-01T00:30:00+14:00"), "Pacific/Kiritimati", "FREQ=YEARLY"),
        event("spring-and-autumn", format!("{year}-03-02T18:00:00Z"), "UTC", "FREQ=YEARLY;BYMONTH=3,10"),
        event("weekly", format!("{year}-01-06T18:00:00Z"), "UTC", "FREQ=WEEKLY"),
        event("every-other-year", format!("{year}-03-20T18:00:00Z"), "UTC", "FREQ=YEARLY;INTERVAL=2"),
    ];
    for body in created {
        calendar::event(&app, &editor, body).await;
    }
    let far = year + 40;
    let expected = ["weekly", "spring-and-autumn", "march", "every-other-year", "kiritimati"];
    // Each read a page size of its own, so that none is answered from the cache.
    let window = format!("/v1/events?from={far}-03-01&to={far}-04-01");
    assert_eq!(slugs(&app.walk(&window, 2).await), expected, "{far}");
    let odd = app.walk(&format!("/v1/events?from={}-03-01&to={}-04-01", far + 1, far + 1), 2).await;
    assert_eq!(slugs(&odd), ["weekly", "spring-and-autumn", "march", "kiritimati"], "every other year");

    // The months each event records, as the window reads them.
    let months = || async {
        let backend = app.db.get_database_backend();
        let sql = "SELECT d.slug, e.months FROM events e JOIN documents d ON d.id = e.document_id \
                   WHERE e.long_running ORDER BY d.slug";
        let rows = app
            .db
            .query_all_raw(Statement::from_string(backend, sql))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        rows.iter()
            .map(|row| {
                let slug: String = row.try_get_by_index(0).unwrap_or_else(|e| panic!("{e}"));
                let months: i32 = row.try_get_by_index(1).unwrap_or_else(|e| panic!("{e}"));
                (slug, months)
            })
            .collect::<Vec<_>>()
    };
    let written = months().await;
    let of = |slug: &str| written.iter().find(|(s, _)| s == slug).map(|(_, m)| *m);
    assert_eq!(of("march"), Some(0b100));
    assert_eq!(of("kiritimati"), Some(0b1100), "31 March in UTC, 1 April where it is held");
    // Any day of March and October, in any zone: a day either side.
    assert_eq!(of("spring-and-autumn"), Some(0b111_0000_1110));
    assert_eq!(of("weekly"), Some(0xFFF));

    // As an older version left them: all twelve months, owed once.
    for sql in [
        "UPDATE events SET months = 4095",
        "DELETE FROM maintenance WHERE task = 'event_months'",
        "INSERT INTO maintenance (task) VALUES ('event_months')",
    ] {
        app.db.execute_unprepared(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    assert_eq!(slugs(&app.walk(&window, 3).await), expected, "all twelve months are always true");
    let done = broadside::services::maintenance::run_pending(&app.db).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(done.iter().any(|(task, _)| task == "event_months"), "{done:?}");
    assert_eq!(months().await, written, "worked out again as when written");
    assert_eq!(slugs(&app.walk(&window, 4).await), expected);
}
