use crate::helpers::{fields, spawn_app};

#[tokio::test]
async fn a_person_shows_their_published_works() {
    let app = spawn_app().await;
    let chaplin = app.get_json("/v1/people/ralph-chaplin").await;
    assert_eq!(chaplin["name"], "Ralph Chaplin");
    assert_eq!(chaplin["works_total"], 1);
    assert_eq!(chaplin["works"][0]["slug"], "solidarity-forever");
    assert_eq!(chaplin["works"][0]["credit"], "writer");
    assert_eq!(chaplin["works"][0]["credited_as"], "lyricist");

    let alvaro = app.get_json("/v1/people/alvaro-rodriguez").await;
    assert_eq!(alvaro["works"][0]["type"], "essay");
    assert_eq!(alvaro["works"][0]["credited_as"], "International Secretary, Communist Party USA");
    let id = alvaro["id"].as_str().unwrap_or_default();
    assert_eq!(app.get_json(&format!("/v1/people/{id}")).await, alvaro);
}

#[tokio::test]
async fn people_are_listed_by_name() {
    let app = spawn_app().await;
    app.load_synthetic(10).await;
    let people = app.walk("/v1/people", 13).await;
    assert_eq!(people.len(), 102, "2 demo people and 100 synthetic ones");
    let names = fields(&people, "name");
    let back = app.walk("/v1/people?sort=-name", 13).await;
    assert_eq!(fields(&back, "id").into_iter().rev().collect::<Vec<_>>(), fields(&people, "id"));
    assert!(names.contains(&"Alvaro Rodriguez".to_owned()));
}

#[tokio::test]
async fn a_synthetic_person_lists_at_most_twenty_works_but_counts_them_all() {
    let app = spawn_app().await;
    app.load_synthetic(1000).await;
    // Person 7 is credited on documents 7, 107, …, 907 of each type, all published.
    let person = app.get_json("/v1/people/synthetic-person-007").await;
    let works = person["works"].as_array().cloned().unwrap_or_default();
    assert_eq!(works.len(), 20);
    assert_eq!(person["works_total"], 30, "{person}");
    let dates = fields(&works, "published_at");
    let parsed: Vec<_> = dates.iter().filter_map(|d| chrono::DateTime::parse_from_rfc3339(d).ok()).collect();
    assert!(parsed.windows(2).all(|w| w[0] >= w[1]), "newest works first");
}
