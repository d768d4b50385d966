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
    let current = version_etag(id, version);
    let matches = value.split(',').map(str::trim).any(|tag| tag == "*" || tag == current);
    if !matches {
        return Err(AppError::PreconditionFailed(format!(
            "the {what} has changed: it is at version {version} (ETag {current})"
        )));
    }
    Ok(version)
}
