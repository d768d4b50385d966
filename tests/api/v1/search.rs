//! Full-text search: ranking, snippets, filters, pagination, and drafts
//! never found. The same tests run on SQLite (FTS5) and PostgreSQL.

use broadside::auth::Role;
use broadside::services::search::{CANDIDATES, COMMON};
use reqwest::Method;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn publish(app: &TestApp, token: &str, collection: &str, body: Value, draft: bool) -> String {
    let created = app.send(Method::POST, &format!("/v1/{collection}"), Some(token), None, Some(&body)).await;
    assert_eq!(created.status(), 201, "{body}");
    let etag = created.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let id = created.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    if !draft {
        let path = format!("/v1/{collection}/{id}/publish");
        assert_eq!(app.send(Method::POST, &path, Some(token), etag.as_deref(), None).await.status(), 200);
    }
    id
}

fn slugs(results: &Value) -> Vec<String> {
    results["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["slug"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn search_ranks_titles_first_highlights_and_never_finds_drafts() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let essay = |slug: &str, title: &str, body: &str| json!({"slug": slug, "title": title, "body_markdown": body, "locale": "en"});
    publish(
        &app,
        &editor,
        "essays",
        essay("in-the-body", "A quiet essay", "Much later the <b>zebra</b> crossing appears."),
        false,
    )
    .await;
    publish(
        &app,
        &editor,
        "essays",
        essay("in-the-title", "The zebra crossing", "Nothing else to say."),
        false,
    )
    .await;
    publish(&app, &editor, "essays", essay("zebra-draft", "Zebra draft", "A zebra, unpublished."), true)
        .await;
    let event = json!({"slug": "zebra-walk", "title": "Walk", "summary": "A walk to the zebra crossing",
        "starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T11:00:00Z", "time_zone": "UTC", "locale": "es"});
    publish(&app, &editor, "events", event, false).await;

    let results = app.get_json("/v1/search?q=zebra%20crossing").await;
    assert_eq!(slugs(&results), ["in-the-title", "in-the-body", "zebra-walk"], "{results}");
    let body_hit = &results["data"][1];
    let snippet = body_hit["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>zebra</mark>") && snippet.contains("<mark>crossing</mark>"), "{snippet}");
    // Markup in the text is escaped (SQLite) or left out (PostgreSQL's
    // headline drops tags); it never reaches the snippet as markup.
    assert!(!snippet.contains("<b>"), "{snippet}");
    assert!(results["data"][0]["score"].as_f64() > body_hit["score"].as_f64());

    // Lyrics lines are searched too; type and locale filter.
    let song = app.get_json("/v1/search?q=solidarity&type=lyrics").await;
    assert_eq!(slugs(&song), ["solidarity-forever"]);
    assert_eq!(song["data"][0]["type"], "lyrics");
    assert_eq!(slugs(&app.get_json("/v1/search?q=zebra&type=event,essay&locale=es").await), ["zebra-walk"]);
    assert!(slugs(&app.get_json("/v1/search?q=unpublished").await).is_empty(), "drafts are never found");

    // Cursor pagination.
    let first = app.get_json("/v1/search?q=zebra&limit=2").await;
    assert_eq!(first["data"].as_array().map(Vec::len), Some(2));
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let second = app.get_json(&format!("/v1/search?q=zebra&limit=2&cursor={cursor}")).await;
    assert_eq!(slugs(&second).len(), 1);
    assert_eq!(second["next_cursor"], Value::Null);
    let mut all = slugs(&first);
    all.extend(slugs(&second));
    all.sort();
    assert_eq!(all, ["in-the-body", "in-the-title", "zebra-walk"]);

    // Edits are searchable as soon as they return, in the same transaction.
    let id = publish(&app, &editor, "essays", essay("renamed", "Okapi", "Text."), false).await;
    let path = format!("/v1/essays/{id}");
    let current = app.send(Method::GET, &path, Some(&editor), None, None).await;
    let etag = current.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    let patch = json!({"title": "Giraffe"});
    assert_eq!(app.send(Method::PATCH, &path, Some(&editor), Some(&etag), Some(&patch)).await.status(), 200);
    assert_eq!(slugs(&app.get_json("/v1/search?q=giraffe").await), ["renamed"]);
    assert!(slugs(&app.get_json("/v1/search?q=okapi").await).is_empty());

    // Bad input.
    app.get_problem("/v1/search", 400).await;
    app.get_problem("/v1/search?q=%22%2A%28", 400).await;
    app.get_problem("/v1/search?q=zebra&type=poem", 400).await;
    app.get_problem(&format!("/v1/search?q=other&cursor={cursor}"), 400).await;
    app.get_problem("/v1/search?q=zebra&cursor=bm9wZQ", 400).await;
    app.get_problem(&format!("/v1/search?q={}", "a".repeat(201)), 400).await;
}

/// On SQLite a word in more than `COMMON` documents has its count kept
/// rather than taken again at every search; ranked with it, the results
/// and scores are still those of FTS5's own `bm25()` over the newest
/// `CANDIDATES` matches.
#[tokio::test]
async fn a_word_in_most_documents_ranks_as_bm25_ranks_it() {
    let app = spawn_app().await;
    if app.db.get_database_backend() != DbBackend::Sqlite {
        return; // PostgreSQL ranks with `ts_rank_cd`, counting nothing.
    }
    app.load_synthetic(800).await;
    let holding = app.count(r#"SELECT count(*) FROM search_index WHERE search_index MATCH '"the"'"#).await;
    assert!(holding > i64::try_from(CANDIDATES).unwrap(), "\"the\" is in {holding} documents only");
    assert!(CANDIDATES > u64::try_from(COMMON).unwrap());

    // Twice each: counted, then kept.
    for q in ["the", "the", "the%20workers", "workers%20the"] {
        let expression = q.split("%20").map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" ");
        let sql = format!(
            "SELECT d.slug AS slug, -bm25(search_index, 10.0, 1.0) AS score FROM search_index \
             JOIN search_keys k ON k.rowid = search_index.rowid JOIN documents d ON d.id = CAST(k.document_id AS BLOB) \
             WHERE search_index MATCH '{expression}' AND search_index.rowid >= coalesce((SELECT rowid FROM search_index \
             WHERE search_index MATCH '{expression}' ORDER BY rowid DESC LIMIT 1 OFFSET {}), 0) \
             ORDER BY score DESC, search_index.rowid LIMIT 10",
            CANDIDATES - 1
        );
        let expected: Vec<(String, f64)> = app
            .db
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .unwrap()
            .iter()
            .map(|row| (row.try_get("", "slug").unwrap(), row.try_get("", "score").unwrap()))
            .collect();
        assert_eq!(expected.len(), 10);
        let results = app.get_json(&format!("/v1/search?q={q}&limit=10")).await;
        let scores: Vec<f64> =
            results["data"].as_array().unwrap().iter().map(|h| h["score"].as_f64().unwrap()).collect();
        assert_eq!(slugs(&results), expected.iter().map(|(slug, _)| slug.clone()).collect::<Vec<_>>(), "{q}");
        for (score, (_, bm25)) in scores.iter().zip(&expected) {
            assert!((score - bm25).abs() < 1e-9, "{q}: {score} against {bm25}");
        }
    }
}

/// A document is in the index exactly while it is public: through edits
/// of its draft, publishing, unpublishing, deleting and restoring.
#[tokio::test]
async fn the_index_follows_every_change_of_state() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let body =
        json!({"slug": "okapi", "title": "The okapi", "body_markdown": "Rarely seen.", "locale": "en"});
    let id = publish(&app, &editor, "essays", body, true).await;
    let path = format!("/v1/essays/{id}");
    let found = |q: &'static str| {
        let app = &app;
        async move { slugs(&app.get_json(&format!("/v1/search?q={q}")).await) }
    };
    // Each step sends the tag the previous one answered (a deleted
    // document answers no GET to take it from).
    let mut etag = app.etag(&path, &editor).await;
    let mut act = async |method: Method, suffix: &str, body: Option<Value>| {
        let url = format!("{path}{suffix}");
        let response = app.send(method, &url, Some(&editor), etag.as_deref(), body.as_ref()).await;
        assert!(response.status().is_success(), "{suffix}: {}", response.status());
        etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
    };

    act(Method::PATCH, "", Some(json!({"title": "The shy okapi"}))).await;
    assert!(found("okapi").await.is_empty(), "a draft is never indexed");
    act(Method::POST, "/publish", None).await;
    assert_eq!(found("shy").await, ["okapi"]);
    act(Method::PATCH, "", Some(json!({"title": "The bold okapi"}))).await;
    assert!(found("shy").await.is_empty(), "an edit replaces the indexed text");
    assert_eq!(found("bold").await, ["okapi"]);
    act(Method::POST, "/unpublish", None).await;
    assert!(found("okapi").await.is_empty(), "unpublished, it leaves the index");
    act(Method::PATCH, "", Some(json!({"title": "The hidden okapi"}))).await;
    assert!(found("hidden").await.is_empty());
    act(Method::POST, "/publish", None).await;
    assert_eq!(found("hidden").await, ["okapi"]);
    act(Method::DELETE, "", None).await;
    assert!(found("okapi").await.is_empty(), "deleted, it leaves the index");
    act(Method::POST, "/restore", None).await;
    assert_eq!(found("hidden").await, ["okapi"], "restored, it is public again");
}
