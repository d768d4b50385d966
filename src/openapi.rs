//! The OpenAPI document: the `info` block, tags and shared responses here;
//! paths and schemas come from the same registrations that build the router
//! (`routes::configure`), so the document cannot miss a route.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, Problem};
use crate::routes;
use crate::routes::responses::{
    BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, ServerError,
    TooManyRequests, Unauthorized, Unavailable, UnprocessableContent,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Broadside",
        description = "A headless JSON content API for essays, song lyrics and event listings.\n\n\
            Everything is under `/v1`; within a version only additive changes are made. \
            Lists are cursor-paginated: pass `next_cursor` back as `cursor`, or follow the `Link` header. \
            Errors are RFC 9457 `application/problem+json` documents.",
        license(name = "MIT", identifier = "MIT"),
    ),
    tags(
        (name = "essays", description = "Essays: Markdown bodies rendered to sanitised HTML, authors with affiliations."),
        (name = "lyrics", description = "Song lyrics: stanzas stored once, an arrangement giving the sung order."),
        (name = "events", description = "Event listings: times in their own zone, recurrence, venue, status."),
        (name = "people", description = "Authors, writers and organizers, with their works."),
        (name = "tags", description = "Tags shared by documents of every type."),
        (name = "auth", description = "Signing in: access tokens, refresh tokens, the caller."),
        (name = "api-keys", description = "API keys for integrators, managed by admins."),
        (name = "operations", description = "Liveness and readiness."),
    ),
    components(
        schemas(Problem, FieldError),
        responses(
            BadRequest, NotFound, ServerError, Unavailable, Unauthorized, Forbidden, UnprocessableContent,
            TooManyRequests, Conflict, PreconditionFailed, PreconditionRequired
        )
    ),
    modifiers(&SecuritySchemes),
)]
pub struct ApiDoc;

/// Users send a JWT as `Authorization: Bearer …`; integrators send an API
/// key as `X-API-Key`.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from `POST /v1/auth/token`."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "A key from `POST /v1/api-keys`.",
            ))),
        );
    }
}

/// The document the server serves at `/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    api
}

/// The document as committed in `openapi/openapi.json`: pretty-printed, with
/// a final newline.
pub fn pretty_json() -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&document()).map(|json| json + "\n")
}
