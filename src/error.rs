//! One error type for the whole API, rendered as RFC 9457
//! `application/problem+json`. Each variant documents its status. 5xx bodies
//! are generic; their cause is logged once, never sent.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::policy::Denied;
use crate::domain::draft::FieldInvalid;
use crate::services::versioned::WriteError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "about:blank",
    "title": "Bad Request",
    "status": 400,
    "detail": "query parameter `limit`: must be between 1 and 100",
    "instance": "/v1/essays",
    "errors": [{"field": "limit", "message": "must be between 1 and 100"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP status phrase.
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person to read.
    pub detail: String,
    /// The path of the request that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// One entry per invalid field or parameter.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// What is wrong with one field or parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field or parameter name.
    #[schema(example = "limit")]
    pub field: String,
    #[schema(example = "must be between 1 and 100")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: a query parameter, path segment or header is malformed; `errors`
    /// names each offending parameter.
    #[error("{detail}")]
    BadRequest { detail: String, errors: Vec<FieldError> },
    /// 401: no valid credentials; the response carries `WWW-Authenticate`.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: valid credentials without the role or scope this needs.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such document or route (or the caller may not see it).
    #[error("{0}")]
    NotFound(String),
    /// 405: the route exists, not with this method; the response carries
    /// `Allow`.
    #[error("{detail}")]
    MethodNotAllowed { detail: String, allow: String },
    /// 408: the body did not arrive in time; the connection is closed.
    #[error("{0}")]
    RequestTimeout(String),
    /// 409: the request conflicts with existing data, such as a taken slug.
    #[error("{detail}")]
    Conflict { detail: String, errors: Vec<FieldError> },
    /// 412: `If-Match` names a version that is no longer current.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 413: the body is larger than the operation accepts; it is not read.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: the body is not of a media type the operation reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: the body is well-formed JSON but breaks the rules; `errors`
    /// lists every invalid field.
    #[error("{detail}")]
    Unprocessable { detail: String, errors: Vec<FieldError> },
    /// 428: a change was sent without `If-Match`.
    #[error("{0}")]
    PreconditionRequired(String),
    /// 429: too many attempts; the response carries `Retry-After`.
    #[error("too many attempts; retry in {retry_after_seconds} s")]
    TooManyRequests { retry_after_seconds: u64 },
    /// 503: a dependency the request needs is unavailable.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a fault of ours; the client learns nothing more.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A 422 listing every invalid field.
    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("`{}`: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        Self::Unprocessable { detail, errors }
    }

    /// A 409 about one field.
    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Conflict {
            detail: format!("`{field}`: {message}"),
            errors: vec![FieldError::new(field, message)],
        }
    }

    /// A 400 about one query parameter or path segment.
    pub fn bad_parameter(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::BadRequest {
            detail: format!("parameter `{field}`: {message}"),
            errors: vec![FieldError::new(field, message)],
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }
}

impl AppError {
    /// A failed write to a `what` (a document, person, tag or webhook) as
    /// the caller sees it.
    pub fn write(error: WriteError, what: &str) -> Self {
        match error {
            WriteError::NotFound => Self::not_found(format!("no such {what}")),
            WriteError::Stale { current } => Self::PreconditionFailed(format!(
                "the {what} has changed meanwhile: it is at version {current}"
            )),
            WriteError::Taken { field } if what == "document" => {
                Self::conflict(field, "taken by another document of this type and locale")
            }
            WriteError::Taken { field } => Self::conflict(field, format!("taken by another {what}")),
            WriteError::Reference => Self::invalid_fields(vec![FieldError::new(
                "related",
                "a referenced document or person no longer exists",
            )]),
            WriteError::State(detail) => Self::Conflict { detail, errors: vec![] },
            WriteError::Database(error) => error.into(),
        }
    }
}

impl From<Denied> for AppError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Unauthenticated(why) => Self::Unauthorized(why),
            Denied::Forbidden(why) => Self::Forbidden(why),
        }
    }
}

impl From<Vec<FieldInvalid>> for AppError {
    /// A 422 listing every field that broke a rule.
    fn from(errors: Vec<FieldInvalid>) -> Self {
        Self::invalid_fields(
            errors.into_iter().map(|(field, e)| FieldError::new(field, e.to_string())).collect(),
        )
    }
}

impl From<WriteError> for AppError {
    fn from(error: WriteError) -> Self {
        Self::write(error, "document")
    }
}

impl From<sea_orm::DbErr> for AppError {
    /// A database too busy to answer in time (no connection free within the
    /// pool's wait, or a statement past its time limit) is a 503 the client
    /// may retry; anything else is a fault of ours.
    fn from(error: sea_orm::DbErr) -> Self {
        if busy(&error) {
            tracing::warn!(%error, "the database is busy; answering 503");
            return Self::Unavailable("the service is busy; try again in a moment".into());
        }
        Self::Internal(error.into())
    }
}

/// Whether `error` says the database is overloaded rather than wrong.
fn busy(error: &sea_orm::DbErr) -> bool {
    use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};
    match error {
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout) => true,
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => {
            // PostgreSQL's query_canceled: the statement ran past its limit.
            e.as_database_error().and_then(|e| e.code()).is_some_and(|code| code == "57014")
                || matches!(**e, sea_orm::sqlx::Error::PoolTimedOut)
        }
        _ => false,
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (detail, errors) = match self {
            Self::BadRequest { detail, errors }
            | Self::Conflict { detail, errors }
            | Self::Unprocessable { detail, errors } => (detail.clone(), errors.clone()),
            Self::MethodNotAllowed { detail, .. } => (detail.clone(), Vec::new()),
            Self::Unauthorized(detail)
            | Self::Forbidden(detail)
            | Self::NotFound(detail)
            | Self::RequestTimeout(detail)
            | Self::PayloadTooLarge(detail)
            | Self::UnsupportedMediaType(detail)
            | Self::PreconditionFailed(detail)
            | Self::PreconditionRequired(detail)
            | Self::Unavailable(detail) => (detail.clone(), Vec::new()),
            Self::TooManyRequests { .. } => (self.to_string(), Vec::new()),
            Self::Internal(cause) => {
                tracing::error!(error = ?cause, "request failed");
                ("the server could not complete the request".to_owned(), Vec::new())
            }
        };
        let mut response = problem_response(status, detail, errors);
        match self {
            Self::Unauthorized(_) => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"broadside\", error=\"invalid_token\""),
                );
            }
            Self::MethodNotAllowed { allow, .. } => {
                if let Ok(value) = HeaderValue::from_str(allow) {
                    response.headers_mut().insert(header::ALLOW, value);
                }
            }
            Self::RequestTimeout(_) => {
                response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            Self::TooManyRequests { retry_after_seconds } => {
                if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
            }
            Self::Unavailable(_) => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        response
    }
}

/// A problem+json response. The `instance` member is filled in by
/// [`add_problem_instance`], which knows the request path.
pub fn problem_response(status: StatusCode, detail: String, errors: Vec<FieldError>) -> HttpResponse {
    let problem = Problem {
        kind: "about:blank".to_owned(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        instance: None,
        errors,
    };
    let mut response = HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .json(&problem);
    response.extensions_mut().insert(problem);
    response
}

/// Middleware: sets `instance` on every problem response to the request path.
pub async fn add_problem_instance(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let path = request.path().to_owned();
    let response = next.call(request).await?.map_into_boxed_body();
    let problem = response.response().extensions().get::<Problem>().cloned();
    let Some(mut problem) = problem else {
        return Ok(response);
    };
    problem.instance = Some(path);
    Ok(response.map_body(|head, _| {
        head.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        BoxBody::new(serde_json::to_vec(&problem).unwrap_or_default())
    }))
}

/// actix's path extractor rejections become problem+json.
pub fn path_error(error: actix_web::error::PathError, _: &actix_web::HttpRequest) -> actix_web::Error {
    AppError::BadRequest { detail: format!("invalid path: {error}"), errors: vec![] }.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_database_is_a_503_to_retry_and_other_faults_a_500() {
        let busy = AppError::from(sea_orm::DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout));
        assert_eq!(busy.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        let response = busy.error_response();
        assert_eq!(response.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("1"));
        let broken = AppError::from(sea_orm::DbErr::Custom("broken".into()));
        assert_eq!(broken.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
