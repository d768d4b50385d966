//! Essays as feeds for readers and aggregators: Atom (RFC 4287), RSS 2.0
//! and JSON Feed 1.1, the newest published essays first, filterable by tag,
//! author and locale. Atom and RSS are written by the syndication crates;
//! JSON Feed is plain JSON.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::domain::Visibility;
use crate::domain::text::xml_safe;
use crate::error::AppError;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, ServerError};
use crate::routes::v1::document::{common_filter, slug_param};
use crate::services::documents::Entry;
use crate::services::essays::{self, EssayDetail, EssayFilter};
use crate::state::AppState;

use super::dto::EssaySort;

/// Parameters of the essay feeds.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Only essays with this tag (a tag slug).
    #[param(example = "internationalism")]
    pub tag: Option<String>,
    /// Only essays by this person (a person slug).
    #[param(example = "alvaro-rodriguez")]
    pub author: Option<String>,
    /// Only essays in this locale (BCP 47).
    #[param(example = "en")]
    pub locale: Option<String>,
    /// How many of the newest essays, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<u32>,
}

/// What every format is written from.
struct Feed {
    /// This feed's own URL, query included: also its stable id.
    url: String,
    origin: String,
    title: String,
    updated: DateTime<Utc>,
    entries: Vec<Entry<EssayDetail>>,
}

impl Feed {
    fn link(&self, entry: &Entry<EssayDetail>) -> String {
        format!("{}/v1/essays/{}?locale={}", self.origin, entry.document.slug, entry.document.locale)
    }
}

async fn load(request: &HttpRequest, state: &AppState, params: &FeedParams) -> Result<Feed, AppError> {
    let limit = params.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(AppError::bad_parameter("limit", "must be between 1 and 100"));
    }
    let filter = EssayFilter {
        common: common_filter(params.tag.as_deref(), params.locale.as_deref(), None)?,
        author: slug_param("author", params.author.as_deref())?,
    };
    let sort = EssaySort::PublishedAtDesc.sort();
    let page = essays::list(state.reader(request), Visibility::Public, &filter, sort, None, u64::from(limit))
        .await?;
    let origin = crate::http::origin(request);
    let mut title = "Broadside: essays".to_owned();
    for (name, value) in [("tag", &params.tag), ("author", &params.author), ("locale", &params.locale)] {
        if let Some(value) = value {
            title.push_str(&format!(", {name} {value}"));
        }
    }
    let updated =
        page.items.iter().map(|e| e.document.updated_at).max().unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    Ok(Feed { url: format!("{origin}{}", request.uri()), origin, title, updated, entries: page.items })
}

fn atom(feed: &Feed) -> String {
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

fn rss(feed: &Feed) -> String {
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
struct JsonFeed {
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

fn json_feed(feed: &Feed) -> JsonFeed {
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

/// Essays as Atom
///
/// The newest published essays as an Atom feed (RFC 4287), full HTML
/// bodies included. Filter with `tag`, `author` and `locale`.
#[utoipa::path(
    tag = "essays",
    operation_id = "essays_atom",
    params(FeedParams),
    responses(
        (status = 200, description = "An Atom feed.", content_type = "application/atom+xml", body = String,
            example = json!("<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">…</feed>")),
        (status = 400, response = BadRequest),
        (status = 500, response = ServerError),
    )
)]
#[get("/essays/feed.atom")]
pub async fn essays_atom(
    request: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<FeedParams>,
) -> Result<HttpResponse, AppError> {
    let feed = load(&request, &state, &params).await?;
    Ok(HttpResponse::Ok().content_type("application/atom+xml; charset=utf-8").body(atom(&feed)))
}

/// Essays as RSS
///
/// The newest published essays as an RSS 2.0 feed, full HTML bodies in
/// `content:encoded`. Filter with `tag`, `author` and `locale`.
#[utoipa::path(
    tag = "essays",
    operation_id = "essays_rss",
    params(FeedParams),
    responses(
        (status = 200, description = "An RSS 2.0 feed.", content_type = "application/rss+xml", body = String,
            example = json!("<?xml version=\"1.0\"?><rss version=\"2.0\">…</rss>")),
        (status = 400, response = BadRequest),
        (status = 500, response = ServerError),
    )
)]
#[get("/essays/feed.rss")]
pub async fn essays_rss(
    request: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<FeedParams>,
) -> Result<HttpResponse, AppError> {
    let feed = load(&request, &state, &params).await?;
    Ok(HttpResponse::Ok().content_type("application/rss+xml; charset=utf-8").body(rss(&feed)))
}

/// Essays as JSON Feed
///
/// The newest published essays as a JSON Feed 1.1. Filter with `tag`,
/// `author` and `locale`.
#[utoipa::path(
    tag = "essays",
    operation_id = "essays_json_feed",
    params(FeedParams),
    responses(
        (status = 200, description = "A JSON Feed 1.1.", content_type = "application/feed+json", body = Object,
            example = json!({"version": "https://jsonfeed.org/version/1.1", "title": "Broadside: essays", "items": []})),
        (status = 400, response = BadRequest),
        (status = 500, response = ServerError),
    )
)]
#[get("/essays/feed.json")]
pub async fn essays_json_feed(
    request: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<FeedParams>,
) -> Result<HttpResponse, AppError> {
    let feed = load(&request, &state, &params).await?;
    let body = serde_json::to_string(&json_feed(&feed)).map_err(anyhow::Error::from)?;
    Ok(HttpResponse::Ok().content_type("application/feed+json; charset=utf-8").body(body))
}
