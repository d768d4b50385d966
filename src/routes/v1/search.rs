//! `/v1/search`: full-text search over every published document.

use actix_web::{HttpRequest, HttpResponse, get, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{DocumentKind, Locale};
use crate::error::AppError;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, ServerError};
use crate::routes::v1::params::parse_param;
use crate::services::search::{Hit, SearchQuery, search as run_search};
use crate::state::AppState;

/// Parameters of `GET /v1/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find, all of them, in titles and text (up to 200 characters).
    #[param(example = "solidarity union")]
    pub q: String,
    /// Only these types, comma-separated: `essay`, `lyrics`, `event`.
    #[param(example = "essay,lyrics")]
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Only documents in this locale (BCP 47).
    #[param(example = "en")]
    pub locale: Option<String>,
    /// Page size, 1 to 50 (default 10).
    #[param(minimum = 1, maximum = 50, example = 10)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, with the same `q`, `type` and `locale`.
    #[param(example = "c2VhcmNoOjEwOjNmMmE")]
    pub cursor: Option<String>,
}

/// One result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    /// `essay`, `lyrics` or `event`.
    #[serde(rename = "type")]
    #[schema(example = "lyrics")]
    pub kind: String,
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6c")]
    pub id: Uuid,
    #[schema(example = "solidarity-forever")]
    pub slug: String,
    #[schema(example = "en")]
    pub locale: String,
    #[schema(example = "Solidarity Forever")]
    pub title: String,
    /// HTML: escaped text around the matches, each in `<mark>`.
    #[schema(example = "<mark>Solidarity</mark> forever, for the <mark>union</mark> makes us strong")]
    pub snippet: String,
    /// Relevance: higher is better; comparable within one search only.
    #[schema(example = 4.2)]
    pub score: f64,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub published_at: Option<DateTime<Utc>>,
}

impl From<Hit> for SearchHit {
    fn from(hit: Hit) -> Self {
        Self {
            kind: hit.kind,
            id: hit.id,
            slug: hit.slug,
            locale: hit.locale,
            title: hit.title,
            snippet: hit.snippet,
            score: hit.score,
            published_at: hit.published_at,
        }
    }
}

/// A page of results, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub data: Vec<SearchHit>,
    /// Pass back as `cursor` for the next page; `null` on the last.
    #[schema(example = json!(null))]
    pub next_cursor: Option<String>,
}

impl SearchParams {
    /// The search asked for, checked.
    fn query(&self) -> Result<SearchQuery, AppError> {
        if self.q.chars().count() > 200 {
            return Err(AppError::bad_parameter("q", "at most 200 characters"));
        }
        let words = SearchQuery::words(&self.q);
        if words.is_empty() {
            return Err(AppError::bad_parameter("q", "give at least one word to search for"));
        }
        let mut kinds = Vec::new();
        for name in self.kind.as_deref().into_iter().flat_map(|k| k.split(',')).map(str::trim) {
            let kind: DocumentKind = name.parse().map_err(|_| {
                AppError::bad_parameter("type", format!("`{name}` is not essay, lyrics or event"))
            })?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        let limit = self.limit.unwrap_or(10);
        if !(1..=50).contains(&limit) {
            return Err(AppError::bad_parameter("limit", "must be between 1 and 50"));
        }
        let fingerprint = fingerprint(self);
        Ok(SearchQuery {
            words,
            kinds,
            locale: parse_param("locale", self.locale.as_deref(), Locale::parse)?,
            offset: self.cursor.as_deref().map(|c| decode(c, &fingerprint)).transpose()?.unwrap_or(0),
            limit: u64::from(limit),
        })
    }
}

/// What a cursor belongs to, so that it is not used with another search.
fn fingerprint(params: &SearchParams) -> String {
    let key = format!("{}\u{0}{:?}\u{0}{:?}", params.q, params.kind, params.locale);
    format!("{:08x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes()) as u32)
}

fn encode(offset: u64, fingerprint: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("search:{offset}:{fingerprint}"))
}

fn decode(cursor: &str, fingerprint: &str) -> Result<u64, AppError> {
    let text = URL_SAFE_NO_PAD.decode(cursor).ok().and_then(|b| String::from_utf8(b).ok());
    let mut parts = text.as_deref().and_then(|t| t.strip_prefix("search:")).map(|t| t.split(':'));
    let offset = parts.as_mut().and_then(|p| p.next()).and_then(|o| o.parse::<u64>().ok());
    let owner = parts.as_mut().and_then(|p| p.next());
    match (offset, owner) {
        (Some(offset), Some(owner)) if owner == fingerprint && offset <= 10_000 => Ok(offset),
        (Some(_), Some(_)) => Err(AppError::bad_parameter("cursor", "belongs to another search")),
        _ => Err(AppError::bad_parameter("cursor", "not a cursor from /v1/search")),
    }
}

/// Search
///
/// Full-text search over the titles and text of published essays, lyrics
/// and events: every word must match, titles weigh more than text. Results
/// are ranked, with highlighted snippets, and cursor-paginated. Ranking
/// considers at most 2,000 matches: a search whose words are together in
/// more documents than that (common words) ranks the 2,000 most recently
/// indexed on SQLite, the first 2,000 found on PostgreSQL.
#[utoipa::path(
    tag = "search",
    operation_id = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of results, best first.", body = SearchResults),
        (status = 400, response = BadRequest),
        (status = 500, response = ServerError),
    )
)]
#[get("/search")]
pub async fn search(
    request: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let query = params.query()?;
    let (hits, more) = run_search(state.reader(&request), &state.frequencies, &query).await?;
    let next = more.then(|| encode(query.offset + query.limit, &fingerprint(&params)));
    Ok(HttpResponse::Ok()
        .json(SearchResults { data: hits.into_iter().map(SearchHit::from).collect(), next_cursor: next }))
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config.service(search);
}
