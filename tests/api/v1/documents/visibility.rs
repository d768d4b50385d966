//! Drafts and archived documents are invisible on every public endpoint.

use serde_json::Value;

use crate::helpers::{TestEssay, spawn_app};

fn mentions(value: &Value, needle: &str) -> bool {
    value.to_string().contains(needle)
}

#[tokio::test]
async fn drafts_and_archived_documents_are_invisible_on_every_endpoint() {
    let app = spawn_app().await;
    app.load_synthetic(40).await;
    let lyrics = app.id_of("lyrics", "solidarity-forever").await;
    let alvaro = app.get_json("/v1/people/alvaro-rodriguez").await;
    let alvaro_id = alvaro["id"].as_str().and_then(|s| uuid::Uuid::parse_str(s).ok()).expect("a person id");
    let original = app.id_of("essay", "proletarian-internationalism").await;
    let draft = app
        .insert_essay(TestEssay {
            title: "Secret draft title",
            related: vec![lyrics],
            translation_of: Some(original),
            locale: "fr",
            new_tags: &["secret-tag"],
            authors: vec![(alvaro_id, None)],
            ..TestEssay::draft("secret-draft")
        })
        .await;
    let archived = app
        .insert_essay(TestEssay {
            title: "Archived title",
            status: broadside::domain::DocumentStatus::Archived,
            authors: vec![(alvaro_id, None)],
            ..TestEssay::published("archived-essay")
        })
        .await;

    for hidden in [draft.to_string(), archived.to_string(), "secret-draft".into(), "archived-essay".into()] {
        app.get_problem(&format!("/v1/essays/{hidden}"), 404).await;
    }
    app.get_problem("/v1/essays/secret-draft?locale=fr", 404).await;
    // Synthetic drafts (index 3) and archived documents (index 13) of every type.
    for kind in ["essays", "lyrics", "events"] {
        let singular = match kind {
            "essays" => "essay",
            "events" => "event",
            _ => "lyrics",
        };
        for index in ["000003", "000013"] {
            app.get_problem(&format!("/v1/{kind}/synthetic-{singular}-{index}"), 404).await;
        }
        let listed = app.walk(&format!("/v1/{kind}"), 100).await;
        assert!(listed.iter().all(|d| d["status"] == "published"), "{kind}");
        for index in ["000003", "000013"] {
            assert!(!listed.iter().any(|d| d["slug"] == format!("synthetic-{singular}-{index}")), "{kind}");
        }
    }

    let surfaces = [
        "/v1/essays?limit=100",
        "/v1/essays?locale=fr",
        "/v1/essays?author=alvaro-rodriguez",
        "/v1/essays?tag=secret-tag",
        "/v1/essays/proletarian-internationalism",
        "/v1/lyrics/solidarity-forever",
        "/v1/people/alvaro-rodriguez",
    ];
    for path in surfaces {
        let body = app.get_json(path).await;
        for secret in ["Secret draft title", "secret-draft", "Archived title", "archived-essay"] {
            assert!(!mentions(&body, secret), "{path} shows `{secret}`: {body}");
        }
    }
    let person = app.get_json("/v1/people/alvaro-rodriguez").await;
    assert_eq!(person["works_total"], 1, "drafts and archived essays are not counted as works");
}
