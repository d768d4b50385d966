//! Essays as feeds for readers and aggregators: Atom (RFC 4287), RSS 2.0
//! and JSON Feed 1.1, the newest published essays first, filterable by tag,
//! author and locale.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::Visibility;
use crate::error::AppError;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, ServerError};
use crate::routes::v1::documents::common_filter;
use crate::routes::v1::params::slug_param;
use crate::services::documents::Entry;
use crate::services::essays::{self, EssayDetail, EssayFilter};
use crate::state::AppState;

mod formats;

use self::formats::{atom, json_feed, rss};
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
