//! Lyrics: stanzas stored once and sung in their arrangement, and the
//! filters of the list.

use crate::helpers::{fields, spawn_app};

#[tokio::test]
async fn the_chorus_is_stored_once_and_sung_after_every_verse() {
    let app = spawn_app().await;
    let song = app.get_json("/v1/lyrics/solidarity-forever").await;
    assert_eq!(song["type"], "lyrics");
    assert_eq!(song["version"], 2, "created as a draft, then published");
    assert_eq!(song["year"], 1915);
    assert_eq!(song["tune"], "John Brown’s Body");
    assert_eq!(song["rights"]["status"], "public_domain");
    assert_eq!(song["writers"][0]["slug"], "ralph-chaplin");
    assert_eq!(song["writers"][0]["role"], "lyricist");

    let stanzas = song["stanzas"].as_array().cloned().unwrap();
    let kinds = fields(&stanzas, "kind");
    assert_eq!(kinds.iter().filter(|k| *k == "verse").count(), 6);
    assert_eq!(kinds.iter().filter(|k| *k == "chorus").count(), 1, "one chorus stanza");

    let arrangement: Vec<String> = serde_json::from_value(song["arrangement"].clone()).unwrap();
    let expected: Vec<String> = (1..=6).flat_map(|n| [format!("v{n}"), "chorus".to_owned()]).collect();
    assert_eq!(arrangement, expected);

    let text = song["text"].as_str().unwrap();
    assert_eq!(text.matches("Solidarity forever, solidarity forever").count(), 6, "chorus sung six times");
    assert!(text.starts_with("When the union’s inspiration through the workers’ blood shall run"));
    assert!(text.ends_with("For the Union makes us strong"));

    let related = &song["related"][0];
    assert_eq!(
        (related["type"].as_str(), related["slug"].as_str()),
        (Some("essay"), Some("proletarian-internationalism"))
    );
}

#[tokio::test]
async fn lyrics_filter_by_writer_tag_and_locale() {
    let app = spawn_app().await;
    app.load_synthetic(40).await;
    let by_writer = app.walk("/v1/lyrics?writer=ralph-chaplin", 100).await;
    assert_eq!(fields(&by_writer, "slug"), ["solidarity-forever"]);
    let by_tag = app.walk("/v1/lyrics?tag=union-songs", 100).await;
    assert_eq!(fields(&by_tag, "slug"), ["solidarity-forever"]);
    let spanish = app.walk("/v1/lyrics?locale=es", 100).await;
    assert!(!spanish.is_empty() && spanish.iter().all(|l| l["locale"] == "es"));
    let all = app.walk("/v1/lyrics?sort=title", 9).await;
    let summary = &all[0];
    assert!(summary.get("stanzas").is_none(), "summaries carry no stanzas");
    assert!(summary["writers"].is_array());
}
