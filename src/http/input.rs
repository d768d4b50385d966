//! Request bodies into domain values: each field checked by its domain
//! rule, every broken one collected as a [`FieldError`] on its path, and
//! JSON Merge Patches (RFC 7396) applied to a body before it is checked.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::domain::{Invalid, Slug, text};
use crate::error::{AppError, FieldError};

/// A name or title: one line, trimmed, 1 to `max` characters; else an
/// error on `field`.
pub fn checked_name(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    text::required_line(value, max).unwrap_or_else(|e| {
        errors.push(FieldError::new(field, e.to_string()));
        String::new()
    })
}

/// An optional value a domain rule checked; else an error on `field`.
pub fn checked<T>(
    field: &str,
    result: Result<Option<T>, Invalid>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    result.unwrap_or_else(|e| {
        errors.push(FieldError::new(field, e.to_string()));
        None
    })
}

/// A slug; else an error on `field`.
pub fn checked_slug(field: &str, value: &str, errors: &mut Vec<FieldError>) -> Option<Slug> {
    Slug::parse(value).map_err(|e| errors.push(FieldError::new(field, e.to_string()))).ok()
}

/// `current` with the JSON Merge Patch (RFC 7396) `patch` applied, read
/// back as a request body: a field the body does not have, or a value of
/// the wrong type, is a 422 naming it.
pub fn merged<I: Serialize + DeserializeOwned>(current: &I, patch: &Value) -> Result<I, AppError> {
    if !patch.is_object() {
        return Err(AppError::invalid_fields(vec![FieldError::new(
            "body",
            "a merge patch is a JSON object",
        )]));
    }
    let mut body = serde_json::to_value(current).map_err(anyhow::Error::from)?;
    json_patch::merge(&mut body, patch);
    serde_json::from_value(body).map_err(|e| {
        let message = e.to_string();
        let field = message.split('`').nth(1).unwrap_or("body").to_owned();
        AppError::invalid_fields(vec![FieldError::new(field, message)])
    })
}

/// The optional `X-Revision-Message` header: why a change was made.
pub fn revision_message(request: &actix_web::HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = request.headers().get("x-revision-message") else { return Ok(None) };
    let text = value.to_str().map_err(|_| {
        AppError::bad_parameter("X-Revision-Message", "must be visible ASCII; percent-encode other text")
    })?;
    if text.chars().count() > 500 {
        return Err(AppError::bad_parameter("X-Revision-Message", "at most 500 characters"));
    }
    Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty()))
}
