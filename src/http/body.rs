//! Request bodies, read strictly and in order: credentials are checked
//! before a byte of the body is read (`401`), then the media type (`415`),
//! the declared length against the operation's limit (`413`, without
//! reading it), then the body itself within the limit and a deadline (`413`
//! past the limit, `408` when it trickles in too slowly), and last its JSON
//! (`400` when malformed, `422` naming the field when it does not fit).
//! Every refusal is problem+json.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};
use crate::http::caller::Caller;
use crate::state::AppState;

/// `application/json`, for bodies that create or replace.
pub const JSON: &[&str] = &["application/json"];
/// Merge patches: `application/merge-patch+json`, or plain JSON.
pub const MERGE_PATCH: &[&str] = &["application/merge-patch+json", "application/json"];

/// A request body an operation reads.
pub trait Body: DeserializeOwned + 'static {
    /// The largest body accepted, in bytes.
    const LIMIT: usize;
    /// Whether only authenticated callers may send it (checked before the
    /// body is read).
    const CREDENTIALS: bool = true;
}

/// A JSON body of type `T`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// The future of an extractor that reads the body.
type Extracting<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

fn extracting<T, F>(
    request: &HttpRequest,
    payload: &mut Payload,
    read: impl FnOnce(HttpRequest, Payload) -> F,
) -> Extracting<T>
where
    F: Future<Output = Result<T, AppError>> + 'static,
{
    Box::pin(read(request.clone(), payload.take()))
}

impl<T: Body> FromRequest for Json<T> {
    type Error = AppError;
    type Future = Extracting<Self>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        extracting(request, payload, |request, payload| async move {
            let bytes = read(&request, payload, T::CREDENTIALS, T::LIMIT, JSON).await?;
            parse(&bytes).map(Json)
        })
    }
}

/// A JSON Merge Patch (RFC 7396) of a `T`: any JSON object, checked
/// against `T` once applied. The limit and the credentials are `T`'s.
#[derive(Debug)]
pub struct MergePatch<T> {
    pub patch: serde_json::Value,
    of: std::marker::PhantomData<T>,
}

impl<T: Body> FromRequest for MergePatch<T> {
    type Error = AppError;
    type Future = Extracting<Self>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        extracting(request, payload, |request, payload| async move {
            let bytes = read(&request, payload, T::CREDENTIALS, T::LIMIT, MERGE_PATCH).await?;
            let patch: serde_json::Value = parse(&bytes)?;
            if !patch.is_object() {
                return Err(AppError::invalid_fields(vec![FieldError::new(
                    "body",
                    "a merge patch is a JSON object",
                )]));
            }
            Ok(Self { patch, of: std::marker::PhantomData })
        })
    }
}

/// An optional JSON body of type `T`: none at all, or one that parses.
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T: Body> FromRequest for OptionalJson<T> {
    type Error = AppError;
    type Future = Extracting<Self>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        extracting(request, payload, |request, payload| async move {
            let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok());
            let chunked = request.headers().contains_key(header::TRANSFER_ENCODING);
            if !chunked && declared.is_none_or(|length| length.trim() == "0") {
                authenticate(&request, T::CREDENTIALS).await?;
                return Ok(Self(None));
            }
            let bytes = read(&request, payload, T::CREDENTIALS, T::LIMIT, JSON).await?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Self(None));
            }
            parse(&bytes).map(|body| Self(Some(body)))
        })
    }
}

async fn authenticate(request: &HttpRequest, credentials: bool) -> Result<(), AppError> {
    let caller = Caller::resolve(request).await?;
    if credentials && caller.actor().is_none() {
        return Err(AppError::Unauthorized("this operation needs credentials".into()));
    }
    Ok(())
}

/// The body's bytes, after the checks the module describes.
async fn read(
    request: &HttpRequest,
    mut payload: Payload,
    credentials: bool,
    limit: usize,
    media_types: &[&str],
) -> Result<Bytes, AppError> {
    authenticate(request, credentials).await?;
    media_type(request, media_types)?;
    let too_large = || {
        AppError::PayloadTooLarge(format!("the body is larger than {limit} bytes, this operation's limit"))
    };
    if let Some(length) = request.headers().get(header::CONTENT_LENGTH) {
        let length = length
            .to_str()
            .ok()
            .and_then(|l| l.trim().parse::<u64>().ok())
            .ok_or_else(|| AppError::bad_parameter("Content-Length", "not a number of bytes"))?;
        if length > limit as u64 {
            return Err(too_large());
        }
    }
    let timeout = request
        .app_data::<web::Data<AppState>>()
        .map_or(std::time::Duration::from_secs(10), |state| state.settings.body_timeout);
    let deadline = tokio::time::Instant::now() + timeout;
    let mut body = BytesMut::new();
    loop {
        let chunk = match tokio::time::timeout_at(deadline, payload.next()).await {
            Err(_) => {
                return Err(AppError::RequestTimeout(format!(
                    "the body did not arrive within {} s",
                    timeout.as_secs()
                )));
            }
            Ok(None) => break,
            Ok(Some(Err(error))) => {
                return Err(AppError::BadRequest {
                    detail: format!("the body could not be read: {error}"),
                    errors: vec![],
                });
            }
            Ok(Some(Ok(chunk))) => chunk,
        };
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Checks `Content-Type` against the media types the operation reads.
fn media_type(request: &HttpRequest, accepted: &[&str]) -> Result<(), AppError> {
    let refuse = || AppError::UnsupportedMediaType(format!("send the body as {}", accepted.join(" or ")));
    let value = request.headers().get(header::CONTENT_TYPE).ok_or_else(refuse)?;
    let value = value.to_str().map_err(|_| refuse())?;
    let mut parts = value.split(';').map(str::trim);
    let essence = parts.next().unwrap_or("");
    if !accepted.iter().any(|accepted| essence.eq_ignore_ascii_case(accepted)) {
        return Err(refuse());
    }
    for parameter in parts {
        if let Some((name, value)) = parameter.split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
            && !value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        {
            return Err(AppError::UnsupportedMediaType(
                "JSON bodies are UTF-8: send charset=utf-8 or none".into(),
            ));
        }
    }
    Ok(())
}

/// `bytes` as a `T`: malformed JSON is a 400, JSON of the wrong shape a 422
/// naming the field, by its path (`venue.city`, `stanzas[2].lines`).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let malformed = |error: serde_json::Error| AppError::BadRequest {
        detail: format!("the body is not valid JSON: {error}"),
        errors: vec![],
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if !inner.is_data() {
            return malformed(inner);
        }
        let message = inner.to_string();
        // serde names an unknown or missing field in its message, not in the path.
        let named = (message.starts_with("unknown field") || message.starts_with("missing field"))
            .then(|| message.split('`').nth(1))
            .flatten();
        let field = match (path.as_str(), named) {
            ("" | ".", Some(name)) => name.to_owned(),
            ("" | ".", None) => "body".to_owned(),
            (path, Some(name)) if !path.ends_with(name) => format!("{path}.{name}"),
            (path, _) => path.to_owned(),
        };
        AppError::invalid_fields(vec![FieldError::new(field, message)])
    })?;
    deserializer.end().map_err(malformed)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Venue {
        city: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Event {
        title: String,
        venue: Option<Venue>,
    }

    fn refusal(body: &str) -> (u16, String) {
        match parse::<Event>(body.as_bytes()) {
            Ok(_) => (200, String::new()),
            Err(AppError::Unprocessable { errors, .. }) => (422, errors[0].field.clone()),
            Err(AppError::BadRequest { .. }) => (400, String::new()),
            Err(other) => (0, other.to_string()),
        }
    }

    #[test]
    fn json_refusals_name_the_field_by_its_path() {
        assert_eq!(refusal(r#"{"title": "x"}"#).0, 200);
        assert_eq!(refusal(r#"{"title": "x", "venue": {"city": 3}}"#), (422, "venue.city".into()));
        assert_eq!(refusal(r#"{"title": "x", "colour": 1}"#), (422, "colour".into()));
        assert_eq!(refusal(r#"{"title": "x", "venue": {}}"#), (422, "venue.city".into()));
        assert_eq!(refusal(r#"{"venue": null}"#), (422, "title".into()));
        assert_eq!(refusal(r#"{"title": "x""#).0, 400);
        assert_eq!(refusal(r#"{"title": "x"} trailing"#).0, 400);
        assert_eq!(refusal("").0, 400);
    }
}
