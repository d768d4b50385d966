//! Every type as schema.org JSON-LD, chosen by `Accept`; never for a draft.

use broadside::auth::Role;
use serde_json::Value;

use crate::helpers::spawn_app;
use crate::v1::essays::feeds::essay;

#[tokio::test]
async fn every_type_describes_itself_in_json_ld() {
    let app = spawn_app().await;
    let ld = |path: &'static str| {
        let app = &app;
        async move {
            let response = app.get_with(path, ("accept", "application/ld+json")).await;
            assert_eq!(response.status(), 200, "{path}");
            let content_type =
                response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap().to_owned();
            assert_eq!(content_type, "application/ld+json", "{path}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["@context"], "https://schema.org", "{path}");
            assert!(body["url"].as_str().is_some_and(|u| u.starts_with("http")), "{path}");
            body
        }
    };
    let article = ld("/v1/essays/proletarian-internationalism").await;
    assert_eq!(article["@type"], "Article");
    assert_eq!(article["headline"], "Proletarian Internationalism");
    assert_eq!(article["author"][0]["@type"], "Person");
    assert_eq!(article["author"][0]["name"], "Alvaro Rodriguez");
    assert!(article["datePublished"].is_string() && article["inLanguage"] == "en");

    let song = ld("/v1/lyrics/solidarity-forever").await;
    assert_eq!(song["@type"], "MusicComposition");
    assert_eq!(song["lyricist"][0]["name"], "Ralph Chaplin");
    assert_eq!(song["lyrics"]["@type"], "CreativeWork");
    assert!(song["lyrics"]["text"].as_str().is_some_and(|t| t.contains("Solidarity forever")));

    let event = ld("/v1/events/international-meeting-of-communist-and-workers-parties").await;
    assert_eq!(event["@type"], "Event");
    assert_eq!(event["eventStatus"], "https://schema.org/EventScheduled");
    assert_eq!(event["eventAttendanceMode"], "https://schema.org/OfflineEventAttendanceMode");
    assert_eq!(event["location"]["@type"], "Place");
    assert_eq!(event["location"]["address"]["addressCountry"], "TR");
    assert!(
        event["startDate"].as_str().is_some_and(|d| d.ends_with("+03:00")),
        "in the event's zone: {event}"
    );

    // Plain JSON stays the default, and the two are cached apart.
    let json = app.get_json("/v1/essays/proletarian-internationalism").await;
    assert_eq!(json["title"], "Proletarian Internationalism");
    assert!(json.get("@context").is_none());

    // A draft has no JSON-LD for anyone without credentials.
    let editor = app.token_for(Role::Editor).await;
    essay(&app, &editor, "hidden", true).await;
    let hidden = app.get_with("/v1/essays/hidden", ("accept", "application/ld+json")).await;
    assert_eq!(hidden.status(), 404);
}
