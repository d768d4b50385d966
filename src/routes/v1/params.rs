//! Query parameters and path segments into domain values, for every
//! resource of `/v1`: each malformed one is a 400 naming it.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::{IdOrSlug, Invalid, Slug};
use crate::error::AppError;
use crate::http::pagination;
use crate::services::pages::Cursor;

/// The resource a request addresses, in its path: `{id_or_slug}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct KeyPath {
    /// Its id (UUID) or its slug.
    #[param(example = "solidarity")]
    pub id_or_slug: String,
}

impl std::ops::Deref for KeyPath {
    type Target = str;

    fn deref(&self) -> &str {
        &self.id_or_slug
    }
}

/// The version a change is based on.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IfMatch {
    /// The ETag of the version being changed: 428 without it, 412 when it
    /// changed meanwhile.
    #[param(rename = "If-Match", example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6d-v1\"")]
    pub if_match: String,
}

/// A `{id_or_slug}` path segment.
pub fn id_or_slug(value: &str) -> Result<IdOrSlug, AppError> {
    IdOrSlug::parse(value).map_err(|e| AppError::bad_parameter("id_or_slug", e.to_string()))
}

/// An optional parameter parsed into a domain value, or a 400 naming it.
pub fn parse_param<T>(
    name: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, Invalid>,
) -> Result<Option<T>, AppError> {
    value.map(|v| parse(v).map_err(|e| AppError::bad_parameter(name, e.to_string()))).transpose()
}

pub fn slug_param(name: &str, value: Option<&str>) -> Result<Option<Slug>, AppError> {
    parse_param(name, value, Slug::parse)
}

/// `limit`, `cursor` and the sort, checked together: a cursor belongs to
/// the sort it was made for.
pub fn page_request(
    limit: Option<u32>,
    cursor: Option<&str>,
    sort: &str,
) -> Result<(u64, Option<Cursor>), AppError> {
    Ok((pagination::limit(limit)?, pagination::after(cursor, sort)?))
}
