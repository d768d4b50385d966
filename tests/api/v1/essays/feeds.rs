//! Essays as Atom, RSS and JSON Feed, read back with a feed parser; drafts
//! appear in none of them.

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn fetch(app: &TestApp, path: &str, media_type: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    assert!(content_type.starts_with(media_type), "GET {path}: {content_type}");
    assert!(response.headers().get("etag").is_some(), "GET {path}: conditional requests work on feeds too");
    response.text().await.unwrap()
}

fn parse(text: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Adds an essay by Ralph Chaplin tagged `songs`, published unless `draft`.
pub(crate) async fn essay(app: &TestApp, token: &str, slug: &str, draft: bool) {
    let body = json!({"slug": slug, "title": format!("On {slug}"), "body_markdown": "Some *text* <script>x()</script>.",
        "authors": [{"person": "ralph-chaplin"}], "tags": ["songs"]});
    let created = app.send(Method::POST, "/v1/essays", Some(token), None, Some(&body)).await;
    assert_eq!(created.status(), 201);
    if !draft {
        let etag = created.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let id = created.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let published = app
            .send(Method::POST, &format!("/v1/essays/{id}/publish"), Some(token), etag.as_deref(), None)
            .await;
        assert_eq!(published.status(), 200);
    }
}

#[tokio::test]
async fn essays_are_served_as_atom_rss_and_json_feed() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    essay(&app, &editor, "singing", false).await;
    essay(&app, &editor, "unfinished-thoughts", true).await;

    for (path, media_type, kind) in [
        ("/v1/essays/feed.atom", "application/atom+xml", feed_rs::model::FeedType::Atom),
        ("/v1/essays/feed.rss", "application/rss+xml", feed_rs::model::FeedType::RSS2),
        ("/v1/essays/feed.json", "application/feed+json", feed_rs::model::FeedType::JSON),
    ] {
        let text = fetch(&app, path, media_type).await;
        let feed = parse(&text);
        assert_eq!(feed.feed_type, kind, "{path}");
        let titles: Vec<String> =
            feed.entries.iter().filter_map(|e| e.title.as_ref().map(|t| t.content.clone())).collect();
        assert_eq!(titles, ["On singing", "Proletarian Internationalism"], "{path}: newest first, no draft");
        assert!(!text.contains("unfinished"), "{path}: the draft is nowhere");
        let newest = &feed.entries[0];
        let body = newest.content.as_ref().and_then(|c| c.body.clone()).unwrap();
        assert!(
            body.contains("<em>text</em>") && !body.contains("<script"),
            "{path}: sanitised HTML body: {body}"
        );
        let authors: Vec<&str> = newest.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(authors, ["Ralph Chaplin"], "{path}");
        assert!(newest.id.starts_with("urn:uuid:"), "{path}: {}", newest.id);
        assert!(newest.published.is_some(), "{path}");
        assert!(newest.links.iter().any(|l| l.href.contains("/v1/essays/singing")), "{path}");
        let categories: Vec<&str> =
            newest.categories.iter().map(|c| c.label.as_deref().unwrap_or(c.term.as_str())).collect();
        assert!(categories.contains(&"songs"), "{path}: tags as categories: {categories:?}");
    }

    // Filters, as on the list.
    for (query, expected) in
        [("tag=songs", 1), ("author=alvaro-rodriguez", 1), ("locale=es", 0), ("limit=1", 1)]
    {
        let feed =
            parse(&fetch(&app, &format!("/v1/essays/feed.atom?{query}"), "application/atom+xml").await);
        assert_eq!(feed.entries.len(), expected, "{query}");
    }
    app.get_problem("/v1/essays/feed.rss?limit=1000", 400).await;
    app.get_problem("/v1/essays/feed.json?tag=Not%20a%20slug", 400).await;
    app.get_problem("/v1/essays/feed.atom?page=2", 400).await;
}
