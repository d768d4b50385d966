//! Listing pages: cursors that return each document once, in order, and stay
//! stable while documents are inserted; `Link` headers; the default limit.

use std::collections::HashSet;

use chrono::{Duration, Utc};

use crate::helpers::{TestEssay, fields, spawn_app};

/// Published essays straight from the database.
async fn published_essays(app: &crate::helpers::TestApp) -> i64 {
    app.count(
        "SELECT COUNT(*) FROM documents WHERE kind = 'essay' AND status = 'published' AND deleted_at IS NULL",
    )
    .await
}

#[tokio::test]
async fn a_walk_over_a_thousand_documents_returns_each_once_in_order() {
    let app = spawn_app().await;
    app.load_synthetic(1000).await;
    let expected = published_essays(&app).await;
    assert!(expected > 850, "about one in ten synthetic documents is not published");

    for (sort, limit) in [("-published_at", 100), ("title", 37), ("published_at", 64)] {
        let items = app.walk(&format!("/v1/essays?sort={sort}"), limit).await;
        let ids = fields(&items, "id");
        assert_eq!(ids.len() as i64, expected, "sort={sort}");
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len(), "sort={sort}: an essay came twice");
    }

    let events = app.walk("/v1/events", 100).await;
    let lyrics = app.walk("/v1/lyrics?sort=-title", 100).await;
    for (name, items) in [("events", &events), ("lyrics", &lyrics)] {
        let ids = fields(items, "id");
        assert!(ids.len() > 850, "{name}");
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len(), "{name}: a document came twice");
    }
}

#[tokio::test]
async fn pages_stay_stable_while_documents_are_inserted_between_them() {
    let app = spawn_app().await;
    app.load_synthetic(1000).await;
    let before: HashSet<String> = fields(&app.walk("/v1/essays", 100).await, "id").into_iter().collect();

    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut inserted = 0;
    loop {
        let mut url = "/v1/essays?limit=50".to_owned();
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page = app.get_json(&url).await;
        seen.extend(fields(page["data"].as_array().map(Vec::as_slice).unwrap(), "id"));
        let Some(next) = page["next_cursor"].as_str() else { break };
        cursor = Some(next.to_owned());
        // Between pages: a newer essay (before the cursor) and an older one (after it).
        let newer = format!("inserted-newer-{inserted}");
        let older = format!("inserted-older-{inserted}");
        app.insert_essay(TestEssay::published(&newer)).await;
        app.insert_essay(TestEssay {
            published_at: Some(Utc::now() - Duration::days(365 * 30)),
            ..TestEssay::published(&older)
        })
        .await;
        inserted += 1;
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no essay is returned twice");
    let missing: Vec<_> = before.iter().filter(|id| !unique.contains(id)).collect();
    assert!(missing.is_empty(), "every essay there at the start is returned: {} missing", missing.len());
    assert_eq!(seen.len(), before.len() + inserted, "older essays inserted after the cursor are reached too");
}

#[tokio::test]
async fn a_page_links_to_the_next_one() {
    let app = spawn_app().await;
    app.load_synthetic(100).await;
    let response = app.get("/v1/essays?limit=5&tag=history").await;
    let link = response.headers().get("link").and_then(|v| v.to_str().ok()).map(String::from).unwrap();
    let page: serde_json::Value = response.json().await.unwrap();
    let next = page["next_cursor"].as_str().unwrap();
    assert_eq!(link, format!("</v1/essays?limit=5&tag=history&cursor={next}>; rel=\"next\""));

    let target = link.trim_start_matches('<').split('>').next().unwrap();
    let second = app.get_json(target).await;
    assert!(second["data"].as_array().is_some_and(|d| !d.is_empty()));

    let last = app.get("/v1/essays?limit=100").await;
    assert!(last.headers().get("link").is_none(), "the last page has no next link");
}

#[tokio::test]
async fn limit_defaults_to_twenty() {
    let app = spawn_app().await;
    app.load_synthetic(30).await;
    let page = app.get_json("/v1/essays").await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(20));
    let page = app.get_json("/v1/essays?limit=100").await;
    assert!(page["data"].as_array().map(Vec::len).unwrap_or(0) > 20);
}

/// Every page of `path` as `token` reads it, `limit` at a time.
async fn walk_as(
    app: &crate::helpers::TestApp,
    token: &str,
    path: &str,
    limit: u32,
) -> Vec<serde_json::Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{path}&limit={limit}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let response = app.send(reqwest::Method::GET, &url, Some(token), None, None).await;
        assert_eq!(response.status(), 200, "{url}");
        let page: serde_json::Value = response.json().await.unwrap_or_else(|e| panic!("{e}"));
        items.extend(page["data"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

#[tokio::test]
async fn public_lists_read_the_facets_and_stored_items_and_agree_with_the_documents() {
    let app = spawn_app().await;
    app.load_synthetic(300).await;
    let editor = app.token_for(broadside::auth::Role::Editor).await;
    for (collection, filter) in [
        ("essays", "sort=-published_at"),
        ("lyrics", "sort=title&locale=es"),
        ("essays", "tag=organizing"),
        ("essays", "tag=organizing&sort=title"),
        ("essays", "author=synthetic-person-007"),
        ("essays", "tag=organizing&locale=es"),
        ("essays", "tag=culture&author=synthetic-person-007"),
        ("lyrics", "writer=synthetic-person-001&sort=-title"),
        ("events", "tag=peace&sort=starts_at"),
        ("events", "organizer=synthetic-person-002"),
    ] {
        let path = format!("/v1/{collection}?{filter}");
        // The public walk reads the facets; an editor asking for published
        // documents reads the documents themselves.
        let public = app.walk(&path, 7).await;
        let staff = walk_as(&app, &editor, &format!("{path}&status=published"), 7).await;
        assert!(!public.is_empty(), "{path}: the synthetic content has some");
        assert_eq!(fields(&public, "id"), fields(&staff, "id"), "{path}");
        // Essays and songs are listed from their stored items, events afresh:
        // either way the items are the editors' fresh ones, byte for byte.
        assert_eq!(public, staff, "{path}");
    }
    // It is the stored items that are sent...
    use sea_orm::ConnectionTrait;
    let tampered = "UPDATE document_renderings SET summary = '{\"tampered\":true}' \
        WHERE document_id IN (SELECT id FROM documents WHERE slug = 'synthetic-essay-000000')";
    app.db.execute_unprepared(tampered).await.unwrap_or_else(|e| panic!("{e}"));
    let items = app.walk("/v1/essays?sort=title", 9).await;
    assert!(items.contains(&serde_json::json!({"tampered": true})), "the stored item is what is sent");
    // ...and the facets that answer: without them the public list is empty.
    app.db.execute_unprepared("DELETE FROM document_facets").await.unwrap_or_else(|e| panic!("{e}"));
    assert!(app.walk("/v1/essays?tag=organizing", 8).await.is_empty(), "(a page size not cached yet)");
}
