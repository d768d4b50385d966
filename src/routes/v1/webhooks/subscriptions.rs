use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CreatedWebhook, Webhook, WebhookList};
use super::input::WebhookInput;
use super::{path_id, require_admin};
use crate::error::AppError;
use crate::http::body::{Json, MergePatch};
use crate::http::caller::Caller;
use crate::http::input::merged;
use crate::http::preconditions::{if_match, version_etag};
use crate::routes::responses::{
    AdminRefusals, BadRequest, ChangeRefusals, Forbidden, ServerError, Unauthorized, UnprocessableContent,
};
use crate::routes::v1::params::IfMatch;
use crate::services::webhooks;
use crate::state::AppState;

fn respond(status: StatusCode, webhook: &entity::webhook::Model) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, version_etag(webhook.id, webhook.version)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(Webhook::from(webhook))
}

async fn target(state: &AppState, raw: &str) -> Result<entity::webhook::Model, AppError> {
    let id = path_id(raw, "id")?;
    webhooks::get(&state.db, id).await?.ok_or_else(|| AppError::not_found(format!("no webhook {id}")))
}

/// Create a webhook
///
/// Subscribes a URL to content events. Each event is POSTed as JSON, signed
/// per the Standard Webhooks specification (`webhook-id`,
/// `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`), and
/// retried with exponential backoff until a 2xx answer or the attempt
/// limit. The response is the only time the signing secret is shown.
/// Admins only.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "create_webhook",
    security(("bearer" = [])),
    request_body(content = WebhookInput, description = "At most 16 KiB."),
    responses(
        (status = 201, description = "Created; the secret is shown this once.", body = CreatedWebhook,
            headers(("ETag" = String, description = "Send as If-Match to change it."), ("Location" = String, description = "The new webhook."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = UnprocessableContent),
        (status = 500, response = ServerError),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<WebhookInput>,
) -> Result<HttpResponse, AppError> {
    let admin = require_admin(caller)?;
    let fields = body.into_inner().fields(&state.webhook_sender)?;
    let webhook = webhooks::create(&state.db, fields, admin.user_id()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, version_etag(webhook.id, webhook.version)))
        .insert_header((header::LOCATION, format!("/v1/webhooks/{}", webhook.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedWebhook { webhook: Webhook::from(&webhook), secret: webhook.secret.clone() }))
}

/// List webhooks
///
/// Every subscription, oldest first, without secrets. Admins only.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscriptions.", body = WebhookList),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 500, response = ServerError),
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    require_admin(caller)?;
    let all = webhooks::list(&state.db).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(WebhookList { data: all.iter().map(Webhook::from).collect() }))
}

/// Get a webhook
///
/// One subscription, without its secret, with the reason it was disabled
/// if its deliveries kept failing. Admins only.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a70")),
    responses(
        (status = 200, description = "The subscription.", body = Webhook,
            headers(("ETag" = String, description = "Send as If-Match to change it."))),
        AdminRefusals,
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    require_admin(caller)?;
    Ok(respond(StatusCode::OK, &target(&state, &id).await?))
}

/// Change a webhook
///
/// Applies a JSON Merge Patch (RFC 7396) to the subscription's writable
/// fields. `"enabled": true` re-enables one disabled for failing; its
/// pending deliveries resume. `If-Match` is required: 428 without it, 412
/// when the subscription changed meanwhile. Admins only.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "update_webhook",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The webhook's id.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a70"),
        IfMatch,
    ),
    request_body(content = WebhookInput, content_type = "application/merge-patch+json",
        description = "Any subset of the writable fields. At most 16 KiB.", example = json!({"enabled": true})),
    responses(
        (status = 200, description = "Changed.", body = Webhook, headers(("ETag" = String, description = "The new version's ETag."))),
        ChangeRefusals,
        (status = 422, response = UnprocessableContent),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    id: web::Path<String>,
    patch: MergePatch<WebhookInput>,
) -> Result<HttpResponse, AppError> {
    require_admin(caller)?;
    let webhook = target(&state, &id).await?;
    let expected = if_match(&request, webhook.id, webhook.version, "webhook")?;
    let fields = merged(&WebhookInput::of(&webhook), &patch.patch)?.fields(&state.webhook_sender)?;
    let updated = webhooks::update(&state.db, webhook.id, expected, fields)
        .await
        .map_err(|e| AppError::write(e, "webhook"))?;
    Ok(respond(StatusCode::OK, &updated))
}

/// Rotate a webhook's secret
///
/// Makes a new signing secret and shows it this once. For 24 hours the
/// previous secret signs every delivery too (a second `v1,` signature in
/// `webhook-signature`), so a receiver can switch to the new one without
/// refusing a delivery. `If-Match` is required. Admins only.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "rotate_webhook_secret",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The webhook's id.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a70"),
        IfMatch,
    ),
    responses(
        (status = 200, description = "Rotated; the new secret is shown this once.", body = CreatedWebhook,
            headers(("ETag" = String, description = "The new version's ETag."))),
        ChangeRefusals,
    )
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    require_admin(caller)?;
    let webhook = target(&state, &id).await?;
    let expected = if_match(&request, webhook.id, webhook.version, "webhook")?;
    let rotated = webhooks::rotate_secret(&state.db, webhook.id, expected)
        .await
        .map_err(|e| AppError::write(e, "webhook"))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, version_etag(rotated.id, rotated.version)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedWebhook { webhook: Webhook::from(&rotated), secret: rotated.secret.clone() }))
}

/// Delete a webhook
///
/// Removes the subscription and its delivery log; nothing more is sent to
/// it, including deliveries still pending. Admins only.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "delete_webhook",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a70")),
    responses(
        (status = 204, description = "Deleted."),
        AdminRefusals,
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    require_admin(caller)?;
    let id = path_id(&id, "id")?;
    if !webhooks::delete(&state.db, id).await? {
        return Err(AppError::not_found(format!("no webhook {id}")));
    }
    Ok(HttpResponse::NoContent().finish())
}
