//! Essays: the demo essay, lookup by id, slug and locale, summaries, and the
//! filters and sorts of the list. Their feeds are in `feeds`.

pub(crate) mod feeds;

use serde_json::Value;

use crate::helpers::{TestEssay, fields, spawn_app};

#[tokio::test]
async fn the_demo_essay_has_its_author_body_and_relations() {
    let app = spawn_app().await;
    let essay = app.get_json("/v1/essays/proletarian-internationalism").await;
    assert_eq!(essay["type"], "essay");
    assert_eq!(essay["version"], 2, "created as a draft, then published");
    assert_eq!(essay["status"], "published");
    assert_eq!(essay["authors"][0]["slug"], "alvaro-rodriguez");
    assert_eq!(essay["authors"][0]["affiliation"], "International Secretary, Communist Party USA");

    let markdown = essay["body_markdown"].as_str().unwrap();
    let html = essay["body_html"].as_str().unwrap();
    assert!(markdown.contains("> When the union’s inspiration"), "verses are quoted as block quotes");
    assert!(html.contains("<blockquote>"));
    for placeholder in ["sounding professional", "overthink it", "1.5 billion websites"] {
        assert!(!markdown.contains(placeholder), "placeholder copy `{placeholder}` leaked into the essay");
    }
    assert!(essay["word_count"].as_i64().unwrap_or(0) > 400);
    assert!(essay["reading_time_minutes"].as_i64().unwrap_or(0) >= 2);
    assert!(essay["excerpt"].as_str().unwrap().starts_with("It means that the struggle"));

    let related: Vec<(String, String)> = essay["related"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| (r["type"].as_str().unwrap().into(), r["slug"].as_str().unwrap().into()))
        .collect();
    assert_eq!(
        related,
        vec![
            ("lyrics".to_owned(), "solidarity-forever".to_owned()),
            ("event".to_owned(), "international-meeting-of-communist-and-workers-parties".to_owned()),
        ]
    );
    let tags = fields(essay["tags"].as_array().map(Vec::as_slice).unwrap(), "slug");
    assert_eq!(tags, ["internationalism", "labor", "solidarity"]);
}

#[tokio::test]
async fn an_essay_is_found_by_id_as_by_slug() {
    let app = spawn_app().await;
    let by_slug = app.get_json("/v1/essays/proletarian-internationalism").await;
    let id = by_slug["id"].as_str().unwrap();
    let by_id = app.get_json(&format!("/v1/essays/{id}")).await;
    assert_eq!(by_id, by_slug);
    // ids are UUID v7
    assert_eq!(id.chars().nth(14), Some('7'), "{id}");
}

#[tokio::test]
async fn a_slug_in_two_locales_is_served_per_locale() {
    let app = spawn_app().await;
    let original = app.id_of("essay", "proletarian-internationalism").await;
    app.insert_essay(TestEssay {
        locale: "es",
        title: "Internacionalismo proletario",
        translation_of: Some(original),
        ..TestEssay::published("proletarian-internationalism")
    })
    .await;

    let default = app.get_json("/v1/essays/proletarian-internationalism").await;
    assert_eq!(default["locale"], "en");
    let spanish = app.get_json("/v1/essays/proletarian-internationalism?locale=es").await;
    assert_eq!(spanish["title"], "Internacionalismo proletario");
    assert_eq!(spanish["translations"][0]["locale"], "en");
    assert_eq!(default["translations"][0]["locale"], "es");
    app.get_problem("/v1/essays/proletarian-internationalism?locale=fr", 404).await;
}

#[tokio::test]
async fn the_essay_list_shows_summaries_without_bodies() {
    let app = spawn_app().await;
    let list = app.get_json("/v1/essays").await;
    let first = &list["data"][0];
    assert_eq!(first["slug"], "proletarian-internationalism");
    assert!(first.get("body_markdown").is_none() && first.get("body_html").is_none());
    assert!(first["excerpt"].is_string());
    assert_eq!(first["authors"][0]["name"], "Alvaro Rodriguez");
    assert_eq!(list["next_cursor"], Value::Null);
}

#[tokio::test]
async fn essays_filter_by_tag_author_and_locale() {
    let app = spawn_app().await;
    app.load_synthetic(60).await;
    let by_tag = app.walk("/v1/essays?tag=internationalism", 100).await;
    assert_eq!(fields(&by_tag, "slug"), ["proletarian-internationalism"]);
    let by_author = app.walk("/v1/essays?author=alvaro-rodriguez", 100).await;
    assert_eq!(fields(&by_author, "slug"), ["proletarian-internationalism"]);

    let spanish = app.walk("/v1/essays?locale=es", 100).await;
    assert!(!spanish.is_empty());
    assert!(spanish.iter().all(|e| e["locale"] == "es"));

    let tagged = app.walk("/v1/essays?tag=history", 100).await;
    assert!(!tagged.is_empty());
    for essay in &tagged {
        let tags = fields(essay["tags"].as_array().map(Vec::as_slice).unwrap(), "slug");
        assert!(tags.contains(&"history".to_owned()), "{essay}");
    }
    let person = "synthetic-person-001";
    let by_person = app.walk(&format!("/v1/essays?author={person}"), 100).await;
    assert!(!by_person.is_empty());
    assert!(by_person.iter().all(|e| e["authors"][0]["slug"] == person));

    for unknown in ["tag=no-such-tag", "author=no-such-person"] {
        assert_eq!(app.walk(&format!("/v1/essays?{unknown}"), 10).await.len(), 0, "{unknown}");
    }
}

#[tokio::test]
async fn essays_sort_by_title_and_by_date_both_ways() {
    let app = spawn_app().await;
    app.load_synthetic(40).await;
    let newest = app.walk("/v1/essays", 7).await;
    let dates: Vec<_> = fields(&newest, "published_at")
        .iter()
        .map(|d| chrono::DateTime::parse_from_rfc3339(d).unwrap_or_else(|e| panic!("{d}: {e}")))
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first by default");
    let oldest = app.walk("/v1/essays?sort=published_at", 7).await;
    assert_eq!(fields(&oldest, "id").into_iter().rev().collect::<Vec<_>>(), fields(&newest, "id"));
    let by_title = app.walk("/v1/essays?sort=title", 7).await;
    let back = app.walk("/v1/essays?sort=-title", 7).await;
    assert_eq!(fields(&by_title, "id").into_iter().rev().collect::<Vec<_>>(), fields(&back, "id"));
    assert_eq!(by_title.len(), newest.len());
}
