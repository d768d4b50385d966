//! The three formats of a feed, each written from the same [`Feed`]. Atom
//! and RSS are written by the syndication crates and passed through
//! [`xml_safe`]; JSON Feed is plain JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Feed;
use crate::domain::text::xml_safe;

/// The feed as Atom (RFC 4287).
pub fn atom(feed: &Feed) -> String {
    use atom_syndication::{Category, Content, Entry as AtomEntry, Feed as AtomFeed, Link, Person};
    let link = |href: &str, rel: &str, mime: &str| Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: Some(mime.to_owned()),
        ..Link::default()
    };
    let entries = feed
        .entries
        .iter()
        .map(|entry| {
            let document = &entry.document;
            let essay = &entry.detail.essay;
            AtomEntry {
                id: format!("urn:uuid:{}", document.id),
                title: document.title.as_str().into(),
                updated: document.updated_at.fixed_offset(),
                published: document.published_at.map(|p| p.fixed_offset()),
                authors: entry
                    .detail
                    .authors
                    .iter()
                    .map(|a| Person { name: a.person.name.clone(), ..Person::default() })
                    .collect(),
                links: vec![link(&feed.link(entry), "alternate", "application/json")],
                categories: entry
                    .shared
                    .tags
                    .iter()
                    .map(|t| Category {
                        term: t.slug.clone(),
                        label: Some(t.name.clone()),
                        ..Category::default()
                    })
                    .collect(),
                summary: Some(essay.excerpt.as_str().into()),
                content: Some(Content {
                    value: Some(essay.body_html.clone()),
                    content_type: Some("html".to_owned()),
                    lang: Some(document.locale.clone()),
                    ..Content::default()
                }),
                ..AtomEntry::default()
            }
        })
        .collect();
    let atom = AtomFeed {
        id: feed.url.clone(),
        title: feed.title.as_str().into(),
        updated: feed.updated.fixed_offset(),
        links: vec![link(&feed.url, "self", "application/atom+xml")],
        generator: Some(atom_syndication::Generator { value: "Broadside".to_owned(), ..Default::default() }),
        entries,
        ..AtomFeed::default()
    };
    // Text stored before control characters were refused must not make
    // the whole feed invalid XML.
    xml_safe(&atom.to_string()).into_owned()
}

/// The feed as RSS 2.0, bodies in `content:encoded`, authors in Dublin Core.
pub fn rss(feed: &Feed) -> String {
    use rss::{Category, Channel, Guid, Item};
    let items = feed
        .entries
        .iter()
        .map(|entry| {
            let document = &entry.document;
            let essay = &entry.detail.essay;
            let authors: Vec<&str> = entry.detail.authors.iter().map(|a| a.person.name.as_str()).collect();
            Item {
                title: Some(document.title.clone()),
                link: Some(feed.link(entry)),
                description: Some(essay.excerpt.clone()),
                content: Some(essay.body_html.clone()),
                // RSS's own <author> wants an e-mail address; Dublin Core
                // names the authors as they are.
                dublin_core_ext: Some(rss::extension::dublincore::DublinCoreExtension {
                    creators: authors.iter().map(|a| (*a).to_owned()).collect(),
                    ..Default::default()
                }),
                guid: Some(Guid { value: format!("urn:uuid:{}", document.id), permalink: false }),
                pub_date: document.published_at.map(|p| p.to_rfc2822()),
                categories: entry
                    .shared
                    .tags
                    .iter()
                    .map(|t| Category { name: t.name.clone(), domain: None })
                    .collect(),
                ..Item::default()
            }
        })
        .collect();
    let channel = Channel {
        title: feed.title.clone(),
        link: format!("{}/v1/essays", feed.origin),
        description: "Essays published on Broadside.".to_owned(),
        last_build_date: Some(feed.updated.to_rfc2822()),
        generator: Some("Broadside".to_owned()),
        namespaces: BTreeMap::from([
            ("content".to_owned(), "http://purl.org/rss/1.0/modules/content/".to_owned()),
            ("dc".to_owned(), "http://purl.org/dc/elements/1.1/".to_owned()),
        ]),
        items,
        ..Channel::default()
    };
    xml_safe(&channel.to_string()).into_owned()
}

#[derive(Serialize)]
pub struct JsonFeed {
    version: &'static str,
    title: String,
    home_page_url: String,
    feed_url: String,
    items: Vec<JsonFeedItem>,
}

#[derive(Serialize)]
struct JsonFeedItem {
    id: String,
    url: String,
    title: String,
    content_html: String,
    summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    date_modified: String,
    authors: Vec<JsonFeedAuthor>,
    tags: Vec<String>,
    language: String,
}

#[derive(Serialize)]
struct JsonFeedAuthor {
    name: String,
}

/// The feed as JSON Feed 1.1.
pub fn json_feed(feed: &Feed) -> JsonFeed {
    JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: feed.title.clone(),
        home_page_url: format!("{}/v1/essays", feed.origin),
        feed_url: feed.url.clone(),
        items: feed
            .entries
            .iter()
            .map(|entry| {
                let document = &entry.document;
                let essay = &entry.detail.essay;
                JsonFeedItem {
                    id: format!("urn:uuid:{}", document.id),
                    url: feed.link(entry),
                    title: document.title.clone(),
                    content_html: essay.body_html.clone(),
                    summary: essay.excerpt.clone(),
                    date_published: document.published_at.map(|p| p.to_rfc3339()),
                    date_modified: document.updated_at.to_rfc3339(),
                    authors: entry
                        .detail
                        .authors
                        .iter()
                        .map(|a| JsonFeedAuthor { name: a.person.name.clone() })
                        .collect(),
                    tags: entry.shared.tags.iter().map(|t| t.name.clone()).collect(),
                    language: document.locale.clone(),
                }
            })
            .collect(),
    }
}
