//! Error responses shared by every operation, as reusable OpenAPI responses.

use utoipa::ToResponse;

use crate::error::Problem;

/// A query parameter, path segment or header is malformed or unknown.
#[derive(ToResponse)]
#[response(
    description = "A query parameter, path segment or header is malformed or unknown; `errors` names each one.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Bad Request", "status": 400,
        "detail": "parameter `limit`: must be between 1 and 100", "instance": "/v1/essays",
        "errors": [{"field": "limit", "message": "must be between 1 and 100"}]
    })
)]
pub struct BadRequest(#[allow(dead_code)] Problem);

/// No such document, or it is not visible to the caller.
#[derive(ToResponse)]
#[response(
    description = "No such resource, or it is not visible to the caller.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Not Found", "status": 404,
        "detail": "no essay `no-such-essay`", "instance": "/v1/essays/no-such-essay"
    })
)]
pub struct NotFound(#[allow(dead_code)] Problem);

/// A fault of the server; the body says nothing more.
#[derive(ToResponse)]
#[response(
    description = "The server failed; the cause is logged, not sent.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Internal Server Error", "status": 500,
        "detail": "the server could not complete the request", "instance": "/v1/essays"
    })
)]
pub struct ServerError(#[allow(dead_code)] Problem);

/// The database is unreachable.
#[derive(ToResponse)]
#[response(
    description = "A dependency is unavailable.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Service Unavailable", "status": 503,
        "detail": "the database is unreachable", "instance": "/readyz"
    })
)]
pub struct Unavailable(#[allow(dead_code)] Problem);
