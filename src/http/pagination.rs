//! Cursor pagination over HTTP: `limit`, the opaque `cursor` token, and the
//! `Link: <…>; rel="next"` header.

use actix_web::HttpRequest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::AppError;
use crate::services::documents::{Cursor, SortKey};

pub const DEFAULT_LIMIT: u64 = 20;
pub const MAX_LIMIT: u64 = 100;

/// `limit` with its default, or a 400 naming it.
pub fn limit(requested: Option<u32>) -> Result<u64, AppError> {
    match requested.map(u64::from) {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AppError::bad_parameter("limit", format!("must be between 1 and {MAX_LIMIT}"))),
    }
}

/// The opaque token of a cursor: base64url of a small JSON array. Clients
/// must not build or read it; its layout may change within `/v1`.
pub fn encode(cursor: &Cursor) -> String {
    let key = match &cursor.key {
        SortKey::Time(time) => json!({"t": time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)}),
        SortKey::Text(text) => json!({"s": text}),
    };
    let raw = json!([cursor.sort, key, cursor.id]);
    URL_SAFE_NO_PAD.encode(raw.to_string())
}

/// The cursor in `token`, which must belong to a listing sorted by `sort`.
pub fn decode(token: &str, sort: &str) -> Result<Cursor, AppError> {
    let malformed =
        || AppError::bad_parameter("cursor", "malformed cursor; pass back a next_cursor unchanged");
    if token.len() > 2048 {
        return Err(malformed());
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| malformed())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
    let [Value::String(cursor_sort), key, Value::String(id)] =
        value.as_array().map(Vec::as_slice).unwrap_or_default()
    else {
        return Err(malformed());
    };
    let id = Uuid::try_parse(id).map_err(|_| malformed())?;
    let key = match (key.get("t").and_then(Value::as_str), key.get("s").and_then(Value::as_str)) {
        (Some(time), None) => {
            SortKey::Time(DateTime::parse_from_rfc3339(time).map_err(|_| malformed())?.with_timezone(&Utc))
        }
        (None, Some(text)) => SortKey::Text(text.to_owned()),
        _ => return Err(malformed()),
    };
    if cursor_sort != sort {
        return Err(AppError::bad_parameter(
            "cursor",
            format!("this cursor belongs to sort={cursor_sort}, not sort={sort}"),
        ));
    }
    Ok(Cursor { sort: cursor_sort.clone(), key, id })
}

/// The decoded `cursor` parameter, if one was given.
pub fn after(token: Option<&str>, sort: &str) -> Result<Option<Cursor>, AppError> {
    token.map(|t| decode(t, sort)).transpose()
}

/// The `Link` header value pointing at the next page: the same request with
/// `cursor` replaced. Relative, so it holds behind any proxy.
pub fn next_link(request: &HttpRequest, next: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(request.query_string().as_bytes()) {
        if name != "cursor" {
            query.append_pair(&name, &value);
        }
    }
    query.append_pair("cursor", next);
    format!("<{}?{}>; rel=\"next\"", request.path(), query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_check_their_sort() {
        let cursor =
            Cursor { sort: "-published_at".into(), key: SortKey::Time(Utc::now()), id: Uuid::now_v7() };
        let token = encode(&cursor);
        assert_eq!(decode(&token, "-published_at").ok(), Some(cursor));
        assert!(decode(&token, "title").is_err());
        let text = Cursor { sort: "title".into(), key: SortKey::Text("Ä, b".into()), id: Uuid::now_v7() };
        assert_eq!(decode(&encode(&text), "title").ok(), Some(text));
    }

    #[test]
    fn garbage_is_a_bad_cursor() {
        for bad in ["", "!!!", "bm90IGpzb24", "WzFd", &"A".repeat(3000)] {
            assert!(decode(bad, "title").is_err(), "{bad}");
        }
    }

    #[test]
    fn limit_defaults_and_bounds() {
        assert_eq!(limit(None).ok(), Some(20));
        assert_eq!(limit(Some(100)).ok(), Some(100));
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(101)).is_err());
    }
}
