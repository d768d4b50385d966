//! Events as iCalendar, read back with an iCalendar parser, and occurrences
//! expanded in the event's own zone across daylight-saving changes.

use broadside::auth::Role;
use icalendar::parser::{Component, read_calendar, unfold};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const MEETING: &str = "international-meeting-of-communist-and-workers-parties";

/// Creates and publishes an event; returns its id.
pub(super) async fn event(app: &TestApp, token: &str, body: Value) -> String {
    let created = app.send(Method::POST, "/v1/events", Some(token), None, Some(&body)).await;
    assert_eq!(created.status(), 201);
    let etag = created.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/events/{id}/publish");
    assert_eq!(app.send(Method::POST, &path, Some(token), etag.as_deref(), None).await.status(), 200);
    id
}

async fn ics(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    let text = response.text().await.unwrap();
    assert!(text.lines().all(|l| l.len() <= 75), "lines are folded at 75 octets");
    text
}

fn prop<'a>(component: &'a Component<'_>, name: &str) -> Option<&'a str> {
    component.find_prop(name).map(|p| p.val.as_str())
}

fn param<'a>(component: &'a Component<'_>, name: &str, key: &str) -> Option<&'a str> {
    let property = component.find_prop(name)?;
    property.params.iter().find(|p| p.key.as_str() == key).and_then(|p| p.val.as_ref()).map(|v| v.as_str())
}

#[tokio::test]
async fn the_calendar_carries_every_published_event_with_its_zone() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let body = json!({
        "slug": "branch-meeting", "title": "Branch meeting; all welcome", "summary": "Monthly, in Athens",
        "starts_at": "2027-01-10T10:00:00+02:00", "ends_at": "2027-01-10T12:00:00+02:00",
        "time_zone": "Europe/Athens", "recurrence": "FREQ=MONTHLY;COUNT=12",
        "venue": {"name": "Hall", "city": "Athens", "country": "GR", "latitude": 37.98, "longitude": 23.73},
        "event_status": "cancelled",
    });
    let id = event(&app, &editor, body).await;
    let draft = json!({"slug": "secret-meeting", "title": "Secret", "summary": "Draft",
        "starts_at": "2027-02-01T10:00:00Z", "ends_at": "2027-02-01T11:00:00Z", "time_zone": "UTC"});
    assert_eq!(app.send(Method::POST, "/v1/events", Some(&editor), None, Some(&draft)).await.status(), 201);

    let text = ics(&app, "/v1/events/calendar.ics").await;
    let unfolded = unfold(&text);
    let calendar = read_calendar(&unfolded).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let events: Vec<&Component> =
        calendar.components.iter().filter(|c| c.name.as_str() == "VEVENT").collect();
    assert_eq!(events.len(), 2, "the demo event and the new one, never the draft");
    assert!(!text.contains("Secret"));

    let meeting = events
        .iter()
        .find(|e| prop(e, "UID") == Some(&format!("{id}@broadside")))
        .unwrap_or_else(|| panic!("no event {id}: {text}"));
    assert!(text.contains("SUMMARY:Branch meeting\\; all welcome\r\n"), "text is escaped: {text}");
    assert_eq!(prop(meeting, "SUMMARY"), Some("Branch meeting; all welcome"));
    assert_eq!(prop(meeting, "DTSTART"), Some("20270110T100000"));
    assert_eq!(param(meeting, "DTSTART", "TZID"), Some("Europe/Athens"));
    assert_eq!(prop(meeting, "DTEND"), Some("20270110T120000"));
    assert_eq!(prop(meeting, "RRULE"), Some("FREQ=MONTHLY;COUNT=12"));
    assert_eq!(prop(meeting, "STATUS"), Some("CANCELLED"));
    assert_eq!(prop(meeting, "SEQUENCE"), Some("2"), "created, then published");
    assert_eq!(prop(meeting, "GEO"), Some("37.98;23.73"));
    assert!(prop(meeting, "LOCATION").is_some_and(|l| l.contains("Athens")));
    assert!(prop(meeting, "URL").is_some_and(|u| u.ends_with("/v1/events/branch-meeting")));

    let athens = calendar
        .components
        .iter()
        .find(|c| c.name.as_str() == "VTIMEZONE" && prop(c, "TZID") == Some("Europe/Athens"))
        .unwrap_or_else(|| panic!("no VTIMEZONE for Europe/Athens: {text}"));
    let daylight: Vec<&str> = athens
        .components
        .iter()
        .filter(|c| c.name.as_str() == "DAYLIGHT")
        .filter_map(|c| prop(c, "DTSTART"))
        .collect();
    assert_eq!(daylight, ["20270328T030000"], "summer time in 2027 begins on the last Sunday of March");
    let vtimezone_at = text.find("BEGIN:VTIMEZONE").unwrap_or(usize::MAX);
    assert!(vtimezone_at < text.find("BEGIN:VEVENT").unwrap_or(0), "zones come before the events");

    // One event, and the filters of the list.
    let one = ics(&app, &format!("/v1/events/{MEETING}/calendar.ics")).await;
    let unfolded = unfold(&one);
    let single = read_calendar(&unfolded).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(single.components.iter().filter(|c| c.name.as_str() == "VEVENT").count(), 1);
    let cancelled = ics(&app, "/v1/events/calendar.ics?event_status=cancelled").await;
    assert_eq!(cancelled.matches("BEGIN:VEVENT").count(), 1);
    // The default calendar joins the `VEVENT`s stored when each event was
    // written; a filtered one writes them afresh. They must agree.
    let block = |text: &str| {
        let uid = text.find(&format!("UID:{id}@broadside")).unwrap_or_else(|| panic!("{text}"));
        let begin = text[..uid].rfind("BEGIN:VEVENT").unwrap_or(0);
        let end = uid + text[uid..].find("END:VEVENT").unwrap_or(0);
        text[begin..end].to_owned()
    };
    assert_eq!(block(&text), block(&cancelled));
    app.get_problem("/v1/events/secret-meeting/calendar.ics", 404).await;
    app.get_problem("/v1/events/calendar.ics?country=Narnia", 400).await;
    let first = ics(&app, "/v1/events/calendar.ics?limit=1").await;
    assert_eq!(first.matches("BEGIN:VEVENT").count(), 1, "the earliest only");
    app.get_problem("/v1/events/calendar.ics?limit=501", 400).await;
    // A past, one-off event leaves the default calendar a month after it ends.
    let past = json!({"slug": "long-ago", "title": "Long ago", "summary": "Past",
        "starts_at": "2020-05-01T10:00:00Z", "ends_at": "2020-05-01T11:00:00Z", "time_zone": "UTC"});
    event(&app, &editor, past).await;
    assert!(!ics(&app, "/v1/events/calendar.ics").await.contains("Long ago"));
    assert!(ics(&app, "/v1/events/calendar.ics?from=2020-01-01").await.contains("Long ago"));
}

#[tokio::test]
async fn occurrences_keep_their_local_time_across_daylight_saving_and_years() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let yearly = json!({
        "slug": "anniversary", "title": "Anniversary", "summary": "Every year",
        "starts_at": "2027-03-20T10:00:00+02:00", "ends_at": "2027-03-20T11:00:00+02:00",
        "time_zone": "Europe/Athens", "recurrence": "FREQ=YEARLY",
    });
    event(&app, &editor, yearly).await;
    let body = app.get_json("/v1/events/anniversary/occurrences?from=2027-01-01&to=2031-12-31").await;
    assert_eq!(body["time_zone"], "Europe/Athens");
    let starts: Vec<&str> = body["occurrences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["starts_at"].as_str())
        .collect();
    // 20 March is before the change in 2027 to 2030, after it in 2028 (a
    // leap year's last Sunday of March is the 26th; the 20th stays winter).
    assert_eq!(starts.len(), 5, "{starts:?}");
    assert!(starts.iter().all(|s| s.contains("T10:00:00")), "10:00 local every year: {starts:?}");

    let monthly = json!({
        "slug": "monthly", "title": "Monthly", "summary": "Every month",
        "starts_at": "2027-01-10T10:00:00+02:00", "ends_at": "2027-01-10T12:00:00+02:00",
        "time_zone": "Europe/Athens", "recurrence": "FREQ=MONTHLY;COUNT=12",
    });
    event(&app, &editor, monthly).await;
    let body = app.get_json("/v1/events/monthly/occurrences?from=2027-01-01&limit=12").await;
    let occurrences = body["occurrences"].as_array().cloned().unwrap();
    assert_eq!(occurrences.len(), 12);
    let at = |i: usize| occurrences[i]["starts_at"].as_str().unwrap().to_owned();
    assert_eq!(at(0), "2027-01-10T10:00:00+02:00");
    assert_eq!(at(3), "2027-04-10T10:00:00+03:00", "summer time: same wall clock, new offset");
    assert_eq!(at(10), "2027-11-10T10:00:00+02:00");
    assert_eq!(occurrences[3]["ends_at"], "2027-04-10T12:00:00+03:00");

    let limited = app.get_json("/v1/events/monthly/occurrences?from=2027-06-01&limit=2").await;
    assert_eq!(limited["occurrences"].as_array().map(Vec::len), Some(2));
    app.get_problem("/v1/events/monthly/occurrences?from=2027-06-01&to=2027-01-01", 400).await;
    app.get_problem("/v1/events/monthly/occurrences?limit=0", 400).await;
}
