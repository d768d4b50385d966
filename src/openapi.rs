//! The OpenAPI document: the `info` block, tags and shared responses here;
//! paths and schemas come from the same registrations that build the router
//! (`routes::configure`), so the document cannot miss a route.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, Problem};
use crate::routes;
use crate::routes::responses::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed, PreconditionRequired,
    RequestTimeout, ServerError, TooManyRequests, Unauthorized, Unavailable, UnprocessableContent,
    UnsupportedMediaType,
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
        (name = "search", description = "Full-text search across every type, ranked, with highlighted snippets."),
        (name = "sync", description = "Delta sync for offline-first apps: every change since a cursor."),
        (name = "auth", description = "Signing in: access tokens, refresh tokens, the caller."),
        (name = "api-keys", description = "API keys for integrators, managed by admins."),
        (name = "webhooks", description = "Signed, retried, logged deliveries of content events (Standard Webhooks), managed by admins."),
        (name = "operations", description = "Liveness and readiness."),
    ),
    components(
        schemas(Problem, FieldError),
        responses(
            BadRequest, NotFound, ServerError, Unavailable, Unauthorized, Forbidden, UnprocessableContent,
            TooManyRequests, Conflict, PreconditionFailed, PreconditionRequired, RequestTimeout,
            PayloadTooLarge, UnsupportedMediaType
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
    let (_, mut api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    finish(&mut api);
    api
}

/// What the route registrations cannot say themselves, added to the
/// document they produce (here and where the server is built).
pub fn finish(api: &mut utoipa::openapi::OpenApi) {
    conditional_gets(api);
    request_bodies(api);
}

/// Every request body is read by [`crate::http::body`], whatever the
/// route: each operation that takes one can answer 408, 413 and 415.
fn request_bodies(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Ref, RefOr};
    for item in api.paths.paths.values_mut() {
        for operation in [item.post.as_mut(), item.patch.as_mut(), item.put.as_mut()].into_iter().flatten() {
            if operation.request_body.is_none() {
                continue;
            }
            let responses = &mut operation.responses.responses;
            for (status, name) in
                [("408", "RequestTimeout"), ("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType")]
            {
                responses.insert(status.into(), RefOr::Ref(Ref::from_response_name(name)));
            }
        }
    }
}

/// Every GET is answered by the caching middleware
/// ([`crate::http::caching`]), whatever the route: each documents the
/// validators and cache headers it sends, `If-None-Match`, and 304.
fn conditional_gets(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{HeaderBuilder, Ref, RefOr, Required, ResponseBuilder, Type};

    let text = |description: &str| {
        HeaderBuilder::new()
            .schema(Some(utoipa::openapi::ObjectBuilder::new().schema_type(Type::String)))
            .description(Some(description))
            .build()
    };
    let etag = "A strong validator of the bytes sent: send it back in `If-None-Match`. A document's ETag starts \
        with its version (`\"<id>-v<n>.<hash>\"`) and also serves as `If-Match` for changing it.";
    let cache_control = "`public, max-age=…, stale-while-revalidate=…` for anonymous callers; `private, no-store` \
        for anything asked with credentials.";
    let vary = "`Accept, Accept-Encoding, Accept-Language, Authorization, X-API-Key`.";
    let surrogate_key = "Anonymous answers only: keys a CDN can purge this answer by, space-separated: \
        `broadside` (everything), `broadside-<collection>`, and `broadside-<id>` for one document, person or tag.";
    let not_modified = ResponseBuilder::new()
        .description(
            "Not modified: the representation still has the ETag named in `If-None-Match` (or has not \
            changed since `If-Modified-Since`). No body.",
        )
        .header("ETag", text(etag))
        .header("Cache-Control", text(cache_control))
        .header("Vary", text(vary))
        .build();
    api.components
        .get_or_insert_with(Default::default)
        .responses
        .insert("NotModified".into(), not_modified.into());

    let if_none_match = ParameterBuilder::new()
        .name("If-None-Match")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some("ETags the caller holds; a match is answered 304 with no body."))
        .schema(Some(utoipa::openapi::ObjectBuilder::new().schema_type(Type::String)))
        .example(Some(serde_json::json!("\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6b-v3.9f86d081884c7d65\"")))
        .build();
    for item in api.paths.paths.values_mut() {
        let Some(operation) = item.get.as_mut() else { continue };
        let streams = matches!(operation.responses.responses.get("200"),
            Some(RefOr::T(ok)) if ok.content.contains_key("text/event-stream"));
        if streams {
            // A stream is never cached nor answered 304.
            continue;
        }
        operation.parameters.get_or_insert_with(Vec::new).push(if_none_match.clone().into());
        let responses = &mut operation.responses.responses;
        responses.insert("304".into(), RefOr::Ref(Ref::from_response_name("NotModified")));
        if let Some(RefOr::T(ok)) = responses.get_mut("200") {
            ok.headers.entry("ETag".into()).or_insert_with(|| text(etag).into());
            ok.headers.insert("Cache-Control".into(), text(cache_control).into());
            ok.headers.insert("Vary".into(), text(vary).into());
            ok.headers.insert("Surrogate-Key".into(), text(surrogate_key).into());
        }
    }
}

/// The document as committed in `openapi/openapi.json`: pretty-printed, with
/// a final newline.
pub fn pretty_json() -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&document()).map(|json| json + "\n")
}
