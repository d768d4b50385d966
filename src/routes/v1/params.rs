//! Query parameters and path segments into domain values, for every
//! resource of `/v1`: each malformed one is a 400 naming it.

use crate::domain::{IdOrSlug, Invalid, Slug};
use crate::error::AppError;
use crate::http::pagination;
use crate::services::pages::Cursor;

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
