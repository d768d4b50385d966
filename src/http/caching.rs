//! HTTP caching for every GET, in one middleware: strong `ETag`s computed
//! from the bytes sent, `If-None-Match` and `If-Modified-Since` answered
//! with 304, `Cache-Control` and `Vary` by who is asking, and the
//! in-process cache of anonymous responses ([`crate::cache`]) so that a
//! hot document is served without touching the database.

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};

use crate::auth::has_credentials;
use crate::cache::{Cached, Dependency};
use crate::domain::DocumentKind;
use crate::state::{AppState, Written};

/// The largest response the middleware reads whole to tag it; bigger ones
/// (none of the API's) pass through untagged.
const MAX_TAGGED_BYTES: usize = 16 * 1024 * 1024;

/// What varies a response besides its URL: the representation asked for,
/// and credentials, which turn a public answer into a private one.
const VARY: &str = "Accept, Accept-Encoding, Accept-Language, Authorization, X-API-Key";

const SURROGATE_KEY: HeaderName = HeaderName::from_static("surrogate-key");

/// `hit` or `miss` on answers the in-process cache may keep.
const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

fn cache_key(request: &ServiceRequest) -> String {
    let header = |name: header::HeaderName| {
        request.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
    };
    format!(
        "{}\n{}\n{}\n{}",
        request.uri(),
        header(header::ACCEPT_ENCODING),
        header(header::ACCEPT),
        header(header::ACCEPT_LANGUAGE)
    )
}

/// Strong ETag of `body`; `version` (a document's `"…-vN"`) is kept in
/// front, so the tag still works as `If-Match`.
fn etag_for(version: Option<&str>, body: &[u8]) -> String {
    let hash = xxhash_rust::xxh3::xxh3_128(body);
    match version.map(|v| v.trim_matches('"')) {
        Some(version) => format!("\"{version}.{:016x}\"", hash as u64),
        None => format!("\"{hash:032x}\""),
    }
}

/// Does `If-None-Match` name `etag`? Weak comparison, as RFC 9110 asks.
fn none_match(request: &HttpRequest, etag: &str) -> Option<bool> {
    let value = request.headers().get(header::IF_NONE_MATCH)?.to_str().ok()?;
    Some(value.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag))
}

/// Is the response unchanged since `If-Modified-Since`? Only asked when
/// there is no `If-None-Match`.
fn not_modified_since(request: &HttpRequest, last_modified: Option<DateTime<Utc>>) -> bool {
    let Some(last_modified) = last_modified else { return false };
    let since = request
        .headers()
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok());
    since.is_some_and(|since| last_modified.timestamp() <= since.timestamp())
}

fn not_modified(request: &HttpRequest, etag: &str, last_modified: Option<DateTime<Utc>>) -> bool {
    match none_match(request, etag) {
        Some(matched) => matched,
        None => not_modified_since(request, last_modified),
    }
}

/// Headers a 304 repeats from the full response.
const REPEATED_ON_304: [HeaderName; 5] =
    [header::ETAG, header::CACHE_CONTROL, header::VARY, header::LAST_MODIFIED, header::CONTENT_LOCATION];

fn respond(request: &HttpRequest, entry: &Cached) -> HttpResponse<BoxBody> {
    let fresh = not_modified(request, &entry.etag, entry.last_modified);
    let mut response = HttpResponse::build(if fresh { StatusCode::NOT_MODIFIED } else { entry.status });
    for (name, value) in &entry.headers {
        if !fresh || REPEATED_ON_304.contains(name) {
            response.append_header((name.clone(), value.clone()));
        }
    }
    if fresh { response.finish() } else { response.body(entry.body.clone()) }
}

/// The middleware. See the module documentation.
pub async fn http_caching(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = request.app_data::<Data<AppState>>().cloned() else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    let cache = &state.cache;
    if request.method() != Method::GET {
        // Signing in and out, keys and webhooks change no content.
        let path = request.path();
        let may_change_content = !matches!(*request.method(), Method::HEAD | Method::OPTIONS)
            && !["/v1/auth/", "/v1/api-keys", "/v1/webhooks"].iter().any(|p| path.starts_with(p));
        let scope = written(path);
        let response = next.call(request).await;
        // A refused request (4xx) wrote nothing: it leaves the caches, here
        // and on other instances, as they are.
        let refused = response.as_ref().is_ok_and(|r| r.status().is_client_error());
        // The handler may know better (see `Written::Drafts`).
        let scope = response
            .as_ref()
            .ok()
            .and_then(|r| r.response().extensions().get::<Written>().copied())
            .unwrap_or(scope);
        if may_change_content && !refused {
            // The change, if any, is committed: later reads must see it.
            state.written(scope).await;
        }
        return Ok(response?.map_into_boxed_body());
    }

    let private = has_credentials(request.headers());
    let key = (!private && cache.settings().enabled).then(|| cache_key(&request));
    if let Some(entry) = key.as_deref().and_then(|k| cache.ask(k)) {
        let mut response = respond(request.request(), &entry);
        response.headers_mut().insert(X_CACHE, HeaderValue::from_static("hit"));
        return Ok(request.into_response(response));
    }

    // A miss: compute it once, however many ask at the same moment.
    let flight = match key.as_deref() {
        Some(k) => cache.flight(k).await,
        None => None,
    };
    if let Some(entry) = key.as_deref().and_then(|k| cache.get(k)) {
        let mut response = respond(request.request(), &entry);
        response.headers_mut().insert(X_CACHE, HeaderValue::from_static("hit"));
        return Ok(request.into_response(response));
    }
    let generation = cache.current();
    let response = next.call(request).await?;
    if response.status() != StatusCode::OK || is_stream(response.headers()) {
        return Ok(response.map_into_boxed_body());
    }
    if let BodySize::Sized(size) = response.response().body().size()
        && size > MAX_TAGGED_BYTES as u64
    {
        return Ok(response.map_into_boxed_body());
    }
    let (request, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    // Compressed bodies are streams of unknown size, but never larger than
    // what they compress: the limit holds in practice.
    let body = match actix_web::body::to_bytes_limited(body, MAX_TAGGED_BYTES).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(error)) => return Err(actix_web::error::ErrorInternalServerError(error.into().to_string())),
        Err(_) => return Err(actix_web::error::ErrorInternalServerError("response too large to send")),
    };

    let version = head.headers().get(header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let etag = etag_for(version.as_deref(), &body);
    let last_modified = head
        .headers()
        .get(header::LAST_MODIFIED)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
        .map(|t| t.with_timezone(&Utc));
    let headers = head.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::VARY, HeaderValue::from_static(VARY));
    if private {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    } else {
        if !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, cache.public_cache_control().clone());
        }
        if let Ok(keys) = HeaderValue::from_str(&surrogate_keys(request.path(), version.as_deref())) {
            headers.insert(SURROGATE_KEY, keys);
        }
    }

    let dependencies = dependencies(request.path(), version.as_deref());
    let entry = Cached {
        generation,
        dependencies,
        stored: std::time::Instant::now(),
        status: head.status(),
        headers: head.headers().iter().map(|(n, v)| (n.clone(), v.clone())).collect(),
        etag,
        last_modified,
        body,
    };
    let mut response = respond(&request, &entry);
    if let Some(key) = key {
        let storable = entry.headers.iter().all(|(name, value)| {
            name != header::CACHE_CONTROL || !value.to_str().is_ok_and(|v| v.contains("no-store"))
        });
        if storable {
            response.headers_mut().insert(X_CACHE, HeaderValue::from_static("miss"));
            cache.put(key, entry);
        }
    }
    drop(flight);
    Ok(ServiceResponse::new(request, response))
}

/// Whether `collection` is one whose members are documents.
fn documents(collection: &str) -> bool {
    DocumentKind::ALL.iter().any(|kind| kind.collection() == collection)
}

/// What a write to `path` may change besides the documents it records.
fn written(path: &str) -> Written {
    match path.strip_prefix("/v1/").and_then(|rest| rest.split('/').next()) {
        Some(collection) if documents(collection) => Written::Documents,
        _ => Written::Listings,
    }
}

/// What the answer to `path` was computed from: a document's answer (it
/// carries its version) depends on that document and on the address that
/// named it; every other answer on the listings.
fn dependencies(path: &str, version: Option<&str>) -> Vec<Dependency> {
    let segments: Vec<&str> = path.strip_prefix("/v1/").unwrap_or_default().split('/').collect();
    let document = version
        .map(|v| v.trim_matches('"'))
        .and_then(|v| v.rsplit_once("-v"))
        .and_then(|(id, _)| uuid::Uuid::try_parse(id).ok());
    match (segments.as_slice(), document) {
        ([collection, key], Some(id)) if documents(collection) => {
            vec![Dependency::Document(id), Dependency::Address(format!("{collection}/{key}"))]
        }
        _ => vec![Dependency::Listings],
    }
}

/// The keys a CDN can purge a public answer by (`Surrogate-Key`): every
/// answer has `broadside`; those under a collection have
/// `broadside-<collection>`; one of a versioned resource (a document, a
/// person, a tag) has `broadside-<id>`. See `docs/deploy.md`.
fn surrogate_keys(path: &str, version: Option<&str>) -> String {
    let mut keys = String::from("broadside");
    if let Some(collection) = path.strip_prefix("/v1/").and_then(|rest| rest.split('/').next())
        && !collection.is_empty()
        && collection.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
    {
        keys.push_str(" broadside-");
        keys.push_str(collection);
    }
    if let Some((id, _)) = version.map(|v| v.trim_matches('"')).and_then(|v| v.rsplit_once("-v")) {
        keys.push_str(" broadside-");
        keys.push_str(id);
    }
    keys
}

fn is_stream(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_answers_carry_purge_keys_for_their_collection_and_resource() {
        assert_eq!(
            surrogate_keys("/v1/essays/on-organizing", Some("\"0193a5b07c1e-v4\"")),
            "broadside broadside-essays broadside-0193a5b07c1e"
        );
        assert_eq!(surrogate_keys("/v1/events/calendar.ics", None), "broadside broadside-events");
        assert_eq!(surrogate_keys("/healthz", None), "broadside");
    }

    #[test]
    fn a_documents_answer_depends_on_it_and_its_address_and_the_rest_on_the_listings() {
        let id = uuid::Uuid::now_v7();
        let version = format!("\"{}-v4\"", id.simple());
        assert_eq!(
            dependencies("/v1/essays/on-organizing", Some(&version)),
            [Dependency::Document(id), Dependency::Address("essays/on-organizing".into())]
        );
        assert_eq!(dependencies("/v1/people/marx", Some(&version)), [Dependency::Listings]);
        assert_eq!(dependencies("/v1/essays", None), [Dependency::Listings]);
        assert_eq!(dependencies("/v1/events/calendar.ics", None), [Dependency::Listings]);
        assert_eq!(written("/v1/lyrics/the-internationale/publish"), Written::Documents);
        assert_eq!(written("/v1/tags/solidarity"), Written::Listings);
    }

    #[test]
    fn etags_keep_the_version_and_differ_by_bytes() {
        let a = etag_for(Some("\"0193-v3\""), b"x");
        assert!(a.starts_with("\"0193-v3.") && a.ends_with('"'), "{a}");
        assert_ne!(a, etag_for(Some("\"0193-v3\""), b"y"));
        assert_eq!(etag_for(None, b"x").len(), 34);
    }
}
