use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::dto::{Delivery, DeliveryList, DeliveryListParams};
use super::{path_id, require_admin};
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::query::Query;
use crate::routes::responses::{AdminRefusals, Conflict};
use crate::routes::v1::listing::listing;
use crate::routes::v1::params::page_request;
use crate::services::pages::SortKey;
use crate::services::webhooks;
use crate::state::AppState;

async fn respond(
    state: &AppState,
    status: StatusCode,
    delivery: entity::webhook_delivery::Model,
) -> Result<HttpResponse, AppError> {
    let delivery = Delivery::from(&webhooks::logged(&state.db, delivery).await?);
    Ok(HttpResponse::build(status).insert_header((header::CACHE_CONTROL, "private, no-store")).json(delivery))
}

/// List a webhook's deliveries
///
/// The delivery log, newest first: each event sent to this subscription,
/// its state, and every attempt with the receiver's status, the latency and
/// the start of its answer (or why no answer came). Cursor pagination;
/// `status` narrows it to pending, succeeded or failed deliveries. Admins
/// only.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhook_deliveries",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The webhook's id.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a70"),
        DeliveryListParams,
    ),
    responses(
        (status = 200, description = "A page of deliveries.", body = DeliveryList,
            headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when there is a next page"))),
        AdminRefusals,
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    request: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    Query(params): Query<DeliveryListParams>,
) -> Result<HttpResponse, AppError> {
    require_admin(caller)?;
    let id = path_id(&id, "id")?;
    let (limit, after) = page_request(params.limit, params.cursor.as_deref(), webhooks::DELIVERY_SORT)?;
    if after.as_ref().is_some_and(|cursor| !matches!(cursor.key, SortKey::Time(_))) {
        return Err(AppError::bad_parameter("cursor", "not a cursor of this listing"));
    }
    if webhooks::get(&state.db, id).await?.is_none() {
        return Err(AppError::not_found(format!("no webhook {id}")));
    }
    let status = params.status.map(|s| s.as_str());
    let page = webhooks::deliveries(&state.db, id, status, after.as_ref(), limit).await?;
    let mut response = listing::<_, Delivery>(&request, page, None)?;
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// Replay a delivery
///
/// Sends the event of a delivery to its subscription again, as a new
/// delivery (due now, retried like any other) that names the one it
/// replays. The payload and `webhook-id` are the original's, so a receiver
/// that already handled it can tell. The delivery must be finished
/// (succeeded or failed) and the subscription enabled. Admins only.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "replay_webhook_delivery",
    security(("bearer" = [])),
    params(("delivery_id" = Uuid, Path, description = "The delivery to replay.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a71")),
    responses(
        (status = 202, description = "Queued: the new delivery.", body = Delivery),
        AdminRefusals,
        (status = 409, response = Conflict),
    )
)]
#[post("/webhooks/deliveries/{delivery_id}/replay")]
pub async fn replay_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    delivery_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    require_admin(caller)?;
    let id = path_id(&delivery_id, "delivery_id")?;
    let original = webhooks::delivery(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no delivery {id}")))?;
    if original.status == webhooks::PENDING {
        return Err(AppError::conflict(
            "status",
            "the delivery is still pending; it is attempted on its own",
        ));
    }
    let webhook = webhooks::get(&state.db, original.webhook_id).await?;
    if !webhook.is_some_and(|w| w.enabled) {
        return Err(AppError::conflict("enabled", "the webhook is disabled; enable it before replaying"));
    }
    let replay = webhooks::replay(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no delivery {id}")))?;
    state.webhook_wakeup.notify_one();
    respond(&state, StatusCode::ACCEPTED, replay).await
}

/// Send a test event
///
/// Sends a `webhook.test` event to the subscription now, whether or not it
/// is enabled, and answers with the outcome: one attempt, not retried,
/// logged like any other delivery. Admins only.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "test_webhook",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a70")),
    responses(
        (status = 200, description = "Attempted: the delivery, `succeeded` or `failed`, with its attempt.", body = Delivery),
        AdminRefusals,
    )
)]
#[post("/webhooks/{id}/test")]
pub async fn test_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    require_admin(caller)?;
    let id = path_id(&id, "id")?;
    let webhook =
        webhooks::get(&state.db, id).await?.ok_or_else(|| AppError::not_found(format!("no webhook {id}")))?;
    let settings = &state.settings.webhooks;
    let claimed = webhooks::test_delivery(&state.db, &webhook, webhooks::lease(settings)).await?;
    let delivery = webhooks::attempt(&state.db, &state.webhook_sender, settings, &claimed, false).await;
    let delivery = match delivery {
        Some(delivery) => delivery,
        None => webhooks::delivery(&state.db, claimed.delivery.id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("webhook {id} was deleted meanwhile")))?,
    };
    respond(&state, StatusCode::OK, delivery).await
}
