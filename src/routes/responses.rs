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

/// Missing, malformed, expired or revoked credentials.
#[derive(ToResponse)]
#[response(
    description = "No valid credentials. The response carries `WWW-Authenticate`.",
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"broadside\", error=\"invalid_token\"`")),
    example = json!({
        "type": "about:blank", "title": "Unauthorized", "status": 401,
        "detail": "the access token is invalid or expired", "instance": "/v1/auth/me"
    })
)]
pub struct Unauthorized(#[allow(dead_code)] Problem);

/// Valid credentials without the role or scope the operation needs.
#[derive(ToResponse)]
#[response(
    description = "The caller's role or scopes do not allow this.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Forbidden", "status": 403,
        "detail": "only admins manage API keys", "instance": "/v1/api-keys"
    })
)]
pub struct Forbidden(#[allow(dead_code)] Problem);

/// Well-formed JSON that breaks the rules.
#[derive(ToResponse)]
#[response(
    description = "The body is JSON of the wrong shape, or breaks a rule; `errors` lists every invalid field.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Unprocessable Entity", "status": 422,
        "detail": "2 fields are invalid", "instance": "/v1/api-keys",
        "errors": [{"field": "name", "message": "must not be empty"}, {"field": "scopes", "message": "`everything` is not one of content:read, content:write"}]
    })
)]
pub struct UnprocessableContent(#[allow(dead_code)] Problem);

/// Too many attempts.
#[derive(ToResponse)]
#[response(
    description = "Too many attempts from this address or against this account.",
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait before trying again.")),
    example = json!({
        "type": "about:blank", "title": "Too Many Requests", "status": 429,
        "detail": "too many attempts; retry in 6 s", "instance": "/v1/auth/token"
    })
)]
pub struct TooManyRequests(#[allow(dead_code)] Problem);

/// The request conflicts with existing data.
#[derive(ToResponse)]
#[response(
    description = "Conflicts with existing data, such as a slug taken for this type and locale.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Conflict", "status": 409,
        "detail": "`slug`: taken by another document of this type and locale", "instance": "/v1/essays",
        "errors": [{"field": "slug", "message": "taken by another document of this type and locale"}]
    })
)]
pub struct Conflict(#[allow(dead_code)] Problem);

/// `If-Match` names a version that is no longer current.
#[derive(ToResponse)]
#[response(
    description = "The document changed since the version named in `If-Match`: fetch it again and reapply the change.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Precondition Failed", "status": 412,
        "detail": "the document has changed: it is at version 4", "instance": "/v1/essays/0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b"
    })
)]
pub struct PreconditionFailed(#[allow(dead_code)] Problem);

/// A change sent without `If-Match`.
#[derive(ToResponse)]
#[response(
    description = "Changes need `If-Match` with the ETag of the version being changed.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Precondition Required", "status": 428,
        "detail": "send If-Match with the ETag of the version you are changing", "instance": "/v1/essays/0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b"
    })
)]
pub struct PreconditionRequired(#[allow(dead_code)] Problem);

/// The body took too long to arrive.
#[derive(ToResponse)]
#[response(
    description = "The body did not arrive in time (10 seconds unless the operator says otherwise); the connection is closed.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Request Timeout", "status": 408,
        "detail": "the body did not arrive within 10 s", "instance": "/v1/essays"
    })
)]
pub struct RequestTimeout(#[allow(dead_code)] Problem);

/// The body is larger than the operation accepts.
#[derive(ToResponse)]
#[response(
    description = "The body is larger than this operation's limit (given with its request body); it is refused before it is read.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Payload Too Large", "status": 413,
        "detail": "the body is larger than 786432 bytes, this operation's limit", "instance": "/v1/essays"
    })
)]
pub struct PayloadTooLarge(#[allow(dead_code)] Problem);

/// The body is not of a media type the operation reads.
#[derive(ToResponse)]
#[response(
    description = "The body's `Content-Type` is not one the operation reads (JSON, or a JSON merge patch), or names a charset other than UTF-8.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Unsupported Media Type", "status": 415,
        "detail": "send the body as application/json", "instance": "/v1/essays"
    })
)]
pub struct UnsupportedMediaType(#[allow(dead_code)] Problem);

/// What creating a resource may be refused with: the request (400, 422),
/// the credentials (401, 403), and a conflict with what exists (409).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum CreateRefusals {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
    #[response(status = 409)]
    Conflict(#[ref_response] Conflict),
    #[response(status = 422)]
    UnprocessableContent(#[ref_response] UnprocessableContent),
    #[response(status = 500)]
    ServerError(#[ref_response] ServerError),
}

/// What any change to an existing resource may be refused with: the
/// request (400), the credentials (401, 403), the resource (404), and the
/// version `If-Match` names (412, 428).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ChangeRefusals {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
    #[response(status = 412)]
    PreconditionFailed(#[ref_response] PreconditionFailed),
    #[response(status = 428)]
    PreconditionRequired(#[ref_response] PreconditionRequired),
    #[response(status = 500)]
    ServerError(#[ref_response] ServerError),
}

/// What an operation on something only admins manage may be refused with:
/// the request (400), the credentials (401, 403), and a resource that is
/// not there (404).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum AdminRefusals {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
    #[response(status = 500)]
    ServerError(#[ref_response] ServerError),
}

/// What reading something public that takes no credentials may be
/// refused with: the request (400), and a resource that is not there (404).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ReadRefusals {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
    #[response(status = 500)]
    ServerError(#[ref_response] ServerError),
}

/// What reading something public may be refused with: the request (400),
/// credentials that are sent but wrong (401), and a resource that is not
/// there for this caller (404).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum PublicReadRefusals {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
    #[response(status = 500)]
    ServerError(#[ref_response] ServerError),
}

/// What reading something only authenticated callers see may be refused
/// with.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum PrivateReadRefusals {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
    #[response(status = 500)]
    ServerError(#[ref_response] ServerError),
}
