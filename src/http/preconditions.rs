//! Version ETags and `If-Match`, for everything that is written with
//! optimistic concurrency: documents, people and tags. A resource's ETag
//! names its id and version, so it changes exactly when the resource does.

use actix_web::HttpRequest;
use actix_web::http::header;
use uuid::Uuid;

use crate::error::AppError;

/// The strong ETag of version `version` of resource `id`.
pub fn version_etag(id: Uuid, version: i32) -> String {
    format!("\"{}-v{version}\"", id.simple())
}

/// Does `tag` name the version `current` (`"…-vN"`)? Either exactly, or
/// as a GET answered it: `"…-vN.<hash of the bytes sent>"`.
fn names_version(tag: &str, current: &str) -> bool {
    let stem = current.trim_end_matches('"');
    tag == current
        || tag.strip_prefix(stem).and_then(|rest| rest.strip_prefix('.')).is_some_and(|rest| {
            rest.len() > 1
                && rest.ends_with('"')
                && rest[..rest.len() - 1].bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// The version `If-Match` names for resource `id`, now at `version`: 428
/// without the header, 412 when it names another version. `what` names the
/// resource in the message ("document", "person", "tag").
pub fn if_match(request: &HttpRequest, id: Uuid, version: i32, what: &str) -> Result<i32, AppError> {
    let Some(value) = request.headers().get(header::IF_MATCH) else {
        return Err(AppError::PreconditionRequired(
            "send If-Match with the ETag of the version you are changing".into(),
        ));
    };
    let value =
        value.to_str().map_err(|_| AppError::bad_parameter("If-Match", "not a valid header value"))?;
    let tags: Vec<&str> = value.split(',').map(str::trim).filter(|t| !t.is_empty()).collect();
    if tags.contains(&"*") {
        // `*` matches whatever is there now: exactly the lost update the
        // header exists to prevent.
        return Err(AppError::PreconditionRequired(
            "If-Match: * does not say which version you are changing; send the ETag you last read".into(),
        ));
    }
    let current = version_etag(id, version);
    let matches = tags.iter().any(|tag| names_version(tag, &current));
    if !matches {
        return Err(AppError::PreconditionFailed(format!(
            "the {what} has changed: it is at version {version} (ETag {current})"
        )));
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::names_version;

    #[test]
    fn a_tag_names_its_version_with_or_without_the_body_hash() {
        let current = "\"0193-v3\"";
        assert!(names_version("\"0193-v3\"", current));
        assert!(names_version("\"0193-v3.00ff12ab\"", current));
        for other in ["\"0193-v31\"", "\"0193-v3.\"", "\"0193-v3.zz\"", "W/\"0193-v3\"", "\"0193-v2.00ff\""] {
            assert!(!names_version(other, current), "{other}");
        }
    }
}
