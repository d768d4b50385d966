//! Cross-cutting HTTP: strict query parsing, pagination cursors and links,
//! version ETags and `If-Match`, caching and conditional GETs, field
//! selection.

pub mod body;
pub mod caching;
pub mod caller;
pub mod connection;
pub mod fields;
pub mod input;
pub mod methods;
pub mod negotiation;
pub mod pagination;
pub mod preconditions;
pub mod query;

/// `scheme://host` of the request, for absolute links in feeds, calendars
/// and JSON-LD.
pub fn origin(request: &actix_web::HttpRequest) -> String {
    let info = request.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// An HTTP date (RFC 9110), as `Last-Modified` carries it.
pub fn http_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}
