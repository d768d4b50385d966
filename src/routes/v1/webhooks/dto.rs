//! Response bodies and parameters of `/v1/webhooks`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::services::webhooks::{self, LoggedDelivery};

/// A subscription, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a70")]
    pub id: Uuid,
    #[schema(example = "https://hooks.example.org/broadside")]
    pub url: String,
    #[schema(example = "Rebuild the static site")]
    pub description: Option<String>,
    #[schema(example = json!(["essay.published", "essay.unpublished", "event.cancelled"]))]
    pub event_types: Vec<String>,
    #[schema(example = json!(["essay", "event"]))]
    pub content_types: Option<Vec<String>>,
    #[schema(example = true)]
    pub enabled: bool,
    /// Why it was disabled, when its deliveries kept failing.
    #[schema(example = json!(null))]
    pub disabled_reason: Option<String>,
    /// Deliveries in a row that failed all their attempts.
    #[schema(example = 0)]
    pub failed_deliveries: i32,
    /// While a secret rotation is under way: until when the previous secret
    /// signs each delivery too.
    #[schema(example = json!(null))]
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    #[schema(example = 1)]
    pub version: i32,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub created_at: DateTime<Utc>,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub updated_at: DateTime<Utc>,
}

impl From<&entity::webhook::Model> for Webhook {
    fn from(w: &entity::webhook::Model) -> Self {
        Self {
            id: w.id,
            url: w.url.clone(),
            description: w.description.clone(),
            event_types: webhooks::event_types_of(w),
            content_types: webhooks::content_types_of(w),
            enabled: w.enabled,
            disabled_reason: w.disabled_reason.clone(),
            failed_deliveries: w.failed_deliveries,
            previous_secret_expires_at: webhooks::previous_secret(w).and(w.previous_secret_expires_at),
            version: w.version,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// A subscription just created, with its signing secret: shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The Standard Webhooks signing secret. Store it now: it is never
    /// shown again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=")]
    pub secret: String,
}

/// All subscriptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub data: Vec<Webhook>,
}

/// One HTTP request made for a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct Attempt {
    /// 1 for the first attempt.
    #[schema(example = 1)]
    pub number: i32,
    #[schema(example = "2026-11-24T10:00:01Z")]
    pub started_at: DateTime<Utc>,
    #[schema(example = 42)]
    pub latency_ms: i32,
    /// The receiver's status; null when no answer came.
    #[schema(example = 503)]
    pub status_code: Option<i32>,
    /// Why no answer came: timed out, could not connect, refused address.
    #[schema(example = json!(null))]
    pub error: Option<String>,
    /// The first 500 characters of the answer.
    #[schema(example = "Service Unavailable")]
    pub response_snippet: Option<String>,
}

/// One event on its way to one subscription, with every attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a71")]
    pub id: Uuid,
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a70")]
    pub webhook_id: Uuid,
    /// The `webhook-id` header: the same on every attempt and replay.
    #[schema(example = "msg_0193a5b07c1e7d2a9f3b1c2d3e4f5a72")]
    pub message_id: String,
    #[schema(example = "essay.published")]
    pub event_type: String,
    /// `pending`, `succeeded` or `failed` (every attempt failed).
    #[schema(example = "succeeded")]
    pub status: String,
    /// When a pending delivery is next attempted.
    #[schema(example = json!(null))]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The delivery this one replays.
    #[schema(example = json!(null))]
    pub replay_of: Option<Uuid>,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub created_at: DateTime<Utc>,
    #[schema(example = "2026-11-24T10:00:01Z")]
    pub completed_at: Option<DateTime<Utc>>,
    /// Every attempt, first to last.
    pub attempts: Vec<Attempt>,
}

impl From<&LoggedDelivery> for Delivery {
    fn from(logged: &LoggedDelivery) -> Self {
        let d = &logged.delivery;
        Self {
            id: d.id,
            webhook_id: d.webhook_id,
            message_id: crate::webhooks::message_id(d.event_id),
            event_type: logged.event_type.clone(),
            next_attempt_at: (d.status == webhooks::PENDING).then_some(d.next_attempt_at),
            status: d.status.clone(),
            replay_of: d.replay_of,
            created_at: d.created_at,
            completed_at: d.completed_at,
            attempts: logged
                .attempts
                .iter()
                .map(|a| Attempt {
                    number: a.number,
                    started_at: a.started_at,
                    latency_ms: a.latency_ms,
                    status_code: a.status_code,
                    error: a.error.clone(),
                    response_snippet: a.response_snippet.clone(),
                })
                .collect(),
        }
    }
}

/// A page of the delivery log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub data: Vec<Delivery>,
    /// Pass as `cursor` for the next page; null on the last.
    #[schema(example = json!(null))]
    pub next_cursor: Option<String>,
}

/// Delivery states, to filter the log by.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Succeeded,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => webhooks::PENDING,
            Self::Succeeded => webhooks::SUCCEEDED,
            Self::Failed => webhooks::FAILED,
        }
    }
}

/// Parameters of `GET /v1/webhooks/{id}/deliveries`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryListParams {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, unchanged.
    #[param(example = "WyItY3JlYXRlZF9hdCIseyJ0IjoiMjAyNi0xMS0yNFQxMDowMDowMFoifSwiMDE5MyJd")]
    pub cursor: Option<String>,
    /// Only deliveries in this state.
    #[param(inline, example = "failed")]
    pub status: Option<DeliveryStatus>,
}
