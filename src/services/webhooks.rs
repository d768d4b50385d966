//! Webhook subscriptions, the outbox, and the state of every delivery. See
//! [`crate::webhooks`] for how the pieces fit.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{document, webhook, webhook_attempt, webhook_delivery, webhook_event};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait, UpdateMany,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::pages::{Cursor, Page, SortKey, column, keyset};
use super::versioned::{self, WriteError};
use crate::config::WebhookSettings;
use crate::domain::{DocumentKind, DocumentStatus};
use crate::webhooks::sender::Sender;
use crate::webhooks::{self, Claimed, Outcome, signing};

/// A document rendering larger than this goes without its `document` (the
/// receiver fetches it from the API), keeping every request small.
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

/// Delivery states.
pub const PENDING: &str = "pending";
pub const SUCCEEDED: &str = "succeeded";
pub const FAILED: &str = "failed";

/// The writable fields of a subscription, checked.
#[derive(Debug, Clone)]
pub struct WebhookFields {
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub content_types: Option<Vec<String>>,
    pub enabled: bool,
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    fields: WebhookFields,
    created_by: Option<Uuid>,
) -> Result<webhook::Model, DbErr> {
    let now = Utc::now();
    webhook::ActiveModel {
        id: Set(Uuid::now_v7()),
        url: Set(fields.url),
        description: Set(fields.description),
        event_types: Set(json!(fields.event_types)),
        content_types: Set(fields.content_types.map(|c| json!(c))),
        enabled: Set(fields.enabled),
        disabled_reason: Set(None),
        failed_deliveries: Set(0),
        secret: Set(signing::new_secret()),
        previous_secret: Set(None),
        previous_secret_expires_at: Set(None),
        version: Set(1),
        created_by: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
}

pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<webhook::Model>, DbErr> {
    webhook::Entity::find()
        .order_by_asc(webhook::Column::CreatedAt)
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await
}

pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<webhook::Model>, DbErr> {
    webhook::Entity::find_by_id(id).one(db).await
}

/// Replaces the fields of `id` at version `expected`. Enabling a
/// subscription clears the reason it was disabled and its failure count.
pub async fn update(
    db: &DatabaseConnection,
    id: Uuid,
    expected: i32,
    fields: WebhookFields,
) -> Result<webhook::Model, WriteError> {
    let enabled = fields.enabled;
    let set = |update: UpdateMany<webhook::Entity>| {
        let update = update
            .col_expr(webhook::Column::Url, Expr::value(fields.url))
            .col_expr(webhook::Column::Description, Expr::value(fields.description))
            .col_expr(webhook::Column::EventTypes, Expr::value(json!(fields.event_types)))
            .col_expr(webhook::Column::ContentTypes, Expr::value(fields.content_types.map(|c| json!(c))))
            .col_expr(webhook::Column::Enabled, Expr::value(fields.enabled))
            .col_expr(webhook::Column::UpdatedAt, Expr::value(Utc::now()));
        if enabled {
            update
                .col_expr(webhook::Column::DisabledReason, Expr::value(Option::<String>::None))
                .col_expr(webhook::Column::FailedDeliveries, Expr::value(0))
        } else {
            update
        }
    };
    versioned::bump::<webhook::Entity, _>(db, id, expected, set, "").await?;
    get(db, id).await?.ok_or(WriteError::NotFound)
}

/// How long a replaced secret keeps signing beside the new one.
pub const ROTATION_OVERLAP_HOURS: i64 = 24;

/// Gives `id` (at version `expected`) a new secret. The one it replaces
/// keeps signing for [`ROTATION_OVERLAP_HOURS`], so receivers can switch
/// without refusing a delivery.
pub async fn rotate_secret(
    db: &DatabaseConnection,
    id: Uuid,
    expected: i32,
) -> Result<webhook::Model, WriteError> {
    let current = get(db, id).await?.ok_or(WriteError::NotFound)?;
    if current.version != expected {
        return Err(WriteError::Stale { current: current.version });
    }
    let now = Utc::now();
    let set = |update: UpdateMany<webhook::Entity>| {
        update
            .col_expr(webhook::Column::PreviousSecret, Expr::value(Some(current.secret)))
            .col_expr(
                webhook::Column::PreviousSecretExpiresAt,
                Expr::value(Some(now + Duration::hours(ROTATION_OVERLAP_HOURS))),
            )
            .col_expr(webhook::Column::Secret, Expr::value(signing::new_secret()))
            .col_expr(webhook::Column::UpdatedAt, Expr::value(now))
    };
    versioned::bump::<webhook::Entity, _>(db, id, expected, set, "").await?;
    get(db, id).await?.ok_or(WriteError::NotFound)
}

/// The secret a rotation replaced, while it still signs.
pub fn previous_secret(webhook: &webhook::Model) -> Option<String> {
    let live = webhook.previous_secret_expires_at.is_some_and(|until| until > Utc::now());
    webhook.previous_secret.clone().filter(|_| live)
}

/// Deletes a subscription with its delivery log; `false` when there is none.
pub async fn delete<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, DbErr> {
    Ok(webhook::Entity::delete_many().filter(webhook::Column::Id.eq(id)).exec(db).await?.rows_affected == 1)
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

pub fn event_types_of(webhook: &webhook::Model) -> Vec<String> {
    strings(&webhook.event_types)
}

pub fn content_types_of(webhook: &webhook::Model) -> Option<Vec<String>> {
    webhook.content_types.as_ref().map(strings)
}

/// Whether `webhook` takes events of `event_type` about documents of
/// `kinds` (for a person's or tag's event: the documents that show it).
fn wants(webhook: &webhook::Model, event_type: &str, kinds: &[String]) -> bool {
    event_types_of(webhook).iter().any(|p| webhooks::matches(p, event_type))
        && content_types_of(webhook).is_none_or(|wanted| wanted.iter().any(|k| kinds.contains(k)))
}

/// Where the API serves `document`.
fn href(document: &document::Model) -> String {
    let collection = document.kind.parse::<DocumentKind>().map_or("documents", DocumentKind::collection);
    format!("/v1/{collection}/{}", document.id)
}

/// The `data` of an event about `document`: what it is, and its public
/// rendering (from the revision snapshot) while it is public.
fn data(document: &document::Model, rendering: Option<&str>) -> Value {
    let public = document.status == DocumentStatus::Published.as_str() && document.deleted_at.is_none();
    let mut data = json!({
        "id": document.id,
        "content_type": document.kind,
        "slug": document.slug,
        "locale": document.locale,
        "status": document.status,
        "deleted": document.deleted_at.is_some(),
        "version": document.version,
        "href": href(document),
        "document": Value::Null,
    });
    if public && let Some(rendered) = rendering {
        if rendered.len() <= MAX_DOCUMENT_BYTES {
            data["document"] = serde_json::from_str(rendered).unwrap_or(Value::Null);
        } else {
            data["document_omitted"] = json!("larger than the webhook payload limit; fetch it from href");
        }
    }
    data
}

/// Writes an event to the outbox, with a delivery for every enabled
/// subscription that wants it. Call it inside the transaction of the change.
async fn enqueue<C: ConnectionTrait>(
    db: &C,
    event_type: &str,
    kinds: &[String],
    document_id: Option<Uuid>,
    data: Value,
) -> Result<(), DbErr> {
    let mut outbox = Outbox::default();
    outbox.add(&subscribers(db).await?, event_type, kinds, document_id, data);
    outbox.write(db).await
}

/// The enabled subscriptions, which every event is offered to.
async fn subscribers<C: ConnectionTrait>(db: &C) -> Result<Vec<webhook::Model>, DbErr> {
    webhook::Entity::find().filter(webhook::Column::Enabled.eq(true)).all(db).await
}

/// The events of one transaction and their deliveries, written together:
/// two statements however many documents changed.
#[derive(Default)]
struct Outbox {
    events: Vec<webhook_event::ActiveModel>,
    deliveries: Vec<webhook_delivery::ActiveModel>,
}

impl Outbox {
    /// An event, with a delivery for each of `subscribers` that wants it;
    /// nothing if none does.
    fn add(
        &mut self,
        subscribers: &[webhook::Model],
        event_type: &str,
        kinds: &[String],
        document_id: Option<Uuid>,
        data: Value,
    ) {
        let mut wanting = subscribers.iter().filter(|w| wants(w, event_type, kinds)).peekable();
        if wanting.peek().is_none() {
            return;
        }
        let (id, now) = (Uuid::now_v7(), Utc::now());
        self.deliveries.extend(wanting.map(|w| new_delivery(w.id, id, now, None)));
        self.events.push(new_event(id, now, event_type, document_id, data));
    }

    async fn write<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr> {
        super::writes::insert_all(db, self.events).await?;
        super::writes::insert_all(db, self.deliveries).await
    }
}

/// Event `id`, of `now`, with its payload: the bytes every attempt sends.
fn new_event(
    id: Uuid,
    now: DateTime<Utc>,
    event_type: &str,
    document_id: Option<Uuid>,
    data: Value,
) -> webhook_event::ActiveModel {
    let payload = json!({
        "id": webhooks::message_id(id),
        "type": event_type,
        "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    });
    webhook_event::ActiveModel {
        id: Set(id),
        event_type: Set(event_type.to_owned()),
        document_id: Set(document_id),
        payload: Set(payload.to_string()),
        created_at: Set(now),
    }
}

fn new_delivery(
    webhook_id: Uuid,
    event_id: Uuid,
    due: DateTime<Utc>,
    replay_of: Option<Uuid>,
) -> webhook_delivery::ActiveModel {
    webhook_delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        webhook_id: Set(webhook_id),
        event_id: Set(event_id),
        status: Set(PENDING.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(due),
        last_status_code: Set(None),
        last_error: Set(None),
        replay_of: Set(replay_of),
        created_at: Set(Utc::now()),
        completed_at: Set(None),
    }
}

/// The events document changes cause: for each, the one its revision
/// action names, and `event.cancelled` when an event was cancelled by it.
/// Each change comes with the document's public representation, while it
/// is public.
pub async fn documents_changed<C: ConnectionTrait>(
    db: &C,
    changed: &[(&document::Model, Option<&str>)],
    action: &str,
    cancelled: bool,
) -> Result<(), DbErr> {
    let subscribers = subscribers(db).await?;
    if subscribers.is_empty() {
        return Ok(());
    }
    let mut outbox = Outbox::default();
    for (document, rendering) in changed {
        let data = data(document, *rendering);
        let kinds = [document.kind.clone()];
        let event_type = webhooks::event_type(&document.kind, action);
        outbox.add(&subscribers, &event_type, &kinds, Some(document.id), data.clone());
        if cancelled {
            outbox.add(&subscribers, "event.cancelled", &kinds, Some(document.id), data);
        }
    }
    outbox.write(db).await
}

/// The event of a change to a person or tag (`subject`: `person` or
/// `tag`): what it is now (`fields`; for a deletion, what it was), and the
/// public documents that show it, whose renderings change with it.
pub async fn catalog_changed<C: ConnectionTrait>(
    db: &C,
    subject: &str,
    action: &str,
    mut fields: Value,
    documents: &[Uuid],
) -> Result<(), DbErr> {
    let shown: Vec<document::Model> = if documents.is_empty() {
        Vec::new()
    } else {
        document::Entity::find()
            .filter(document::Column::Id.is_in(documents.iter().copied()))
            .filter(document::Column::Status.eq(DocumentStatus::Published.as_str()))
            .filter(document::Column::DeletedAt.is_null())
            .all(db)
            .await?
    };
    let mut kinds: Vec<String> = shown.iter().map(|d| d.kind.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let listed: Vec<Value> =
        shown.iter().map(|d| json!({"id": d.id, "content_type": d.kind, "href": href(d)})).collect();
    fields["documents"] = json!(listed);
    enqueue(db, &webhooks::event_type(subject, action), &kinds, None, fields).await
}

/// The event of a purge: the document is gone, so only its id and type.
pub async fn document_purged<C: ConnectionTrait>(db: &C, document: &document::Model) -> Result<(), DbErr> {
    let data = json!({"id": document.id, "content_type": document.kind, "slug": document.slug, "locale": document.locale});
    let kinds = [document.kind.clone()];
    enqueue(db, &webhooks::event_type(&document.kind, "purge"), &kinds, Some(document.id), data).await
}

/// Claims up to `limit` due deliveries of enabled subscriptions for this
/// instance: each is leased until `lease` from now, and no other instance
/// takes it meanwhile (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's
/// write transaction is exclusive). A lease that runs out (the instance
/// died mid-attempt) makes the delivery due again.
pub async fn claim(
    db: &DatabaseConnection,
    limit: u64,
    lease: std::time::Duration,
) -> Result<Vec<Claimed>, DbErr> {
    let now = Utc::now();
    let due = || {
        let enabled = Query::select()
            .column(webhook::Column::Id)
            .from(webhook::Entity)
            .and_where(Expr::col(webhook::Column::Enabled).eq(true))
            .to_owned();
        webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.eq(PENDING))
            .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
            .filter(webhook_delivery::Column::WebhookId.in_subquery(enabled))
    };
    // Most polls find nothing: look before taking a write lock.
    if due().one(db).await?.is_none() {
        return Ok(Vec::new());
    }
    let txn = crate::database::begin_write(db).await?;
    let due = due()
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(&txn)
        .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let until = now + Duration::from_std(lease).unwrap_or(Duration::minutes(1));
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(until))
        .filter(webhook_delivery::Column::Id.is_in(due.iter().map(|d| d.id)))
        .exec(&txn)
        .await?;
    let claimed = with_targets(&txn, due).await?;
    txn.commit().await?;
    Ok(claimed)
}

async fn with_targets<C: ConnectionTrait>(
    db: &C,
    deliveries: Vec<webhook_delivery::Model>,
) -> Result<Vec<Claimed>, DbErr> {
    let events: HashMap<Uuid, webhook_event::Model> = webhook_event::Entity::find()
        .filter(webhook_event::Column::Id.is_in(deliveries.iter().map(|d| d.event_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let hooks: HashMap<Uuid, webhook::Model> = webhook::Entity::find()
        .filter(webhook::Column::Id.is_in(deliveries.iter().map(|d| d.webhook_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    Ok(deliveries
        .into_iter()
        .filter_map(|delivery| {
            let event = events.get(&delivery.event_id)?.clone();
            let hook = hooks.get(&delivery.webhook_id)?;
            Some(Claimed {
                url: hook.url.clone(),
                secret: hook.secret.clone(),
                previous_secret: previous_secret(hook),
                event,
                delivery,
            })
        })
        .collect())
}

/// Records the attempt at `claimed` and what follows from it: done, retried
/// after a backoff, or failed for good once `settings.max_attempts` are
/// spent (`retry: false` makes one attempt the last, for tests). A
/// subscription whose deliveries keep failing every attempt is disabled,
/// with the reason. Returns the delivery as it now stands (`None` when it
/// was deleted with its subscription, or another instance recorded the
/// attempt after this one's lease ran out).
pub async fn record_attempt(
    db: &DatabaseConnection,
    claimed: &Claimed,
    outcome: &Outcome,
    settings: &WebhookSettings,
    retry: bool,
) -> Result<Option<webhook_delivery::Model>, DbErr> {
    let delivery = &claimed.delivery;
    let number = delivery.attempts + 1;
    let now = Utc::now();
    let succeeded = outcome.succeeded();
    let exhausted = !succeeded && (!retry || number >= settings.max_attempts);
    let (status, next, completed) = if succeeded {
        (SUCCEEDED, now, Some(now))
    } else if exhausted {
        (FAILED, now, Some(now))
    } else {
        let wait = webhooks::backoff(settings, number);
        (PENDING, now + Duration::from_std(wait).unwrap_or(Duration::hours(1)), None)
    };
    let txn = crate::database::begin_write(db).await?;
    let updated = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(number))
        .col_expr(webhook_delivery::Column::Status, Expr::value(status))
        .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(next))
        .col_expr(webhook_delivery::Column::LastStatusCode, Expr::value(outcome.status_code))
        .col_expr(webhook_delivery::Column::LastError, Expr::value(outcome.error.clone()))
        .col_expr(webhook_delivery::Column::CompletedAt, Expr::value(completed))
        .filter(webhook_delivery::Column::Id.eq(delivery.id))
        .filter(webhook_delivery::Column::Attempts.eq(delivery.attempts))
        .filter(webhook_delivery::Column::Status.eq(PENDING))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(None);
    }
    webhook_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(delivery.id),
        number: Set(number),
        started_at: Set(outcome.started_at),
        latency_ms: Set(outcome.latency_ms),
        status_code: Set(outcome.status_code),
        error: Set(outcome.error.clone()),
        response_snippet: Set(outcome.response_snippet.clone()),
    }
    .insert(&txn)
    .await?;
    if succeeded {
        webhook::Entity::update_many()
            .col_expr(webhook::Column::FailedDeliveries, Expr::value(0))
            .filter(webhook::Column::Id.eq(delivery.webhook_id))
            .filter(webhook::Column::FailedDeliveries.ne(0))
            .exec(&txn)
            .await?;
    } else if exhausted && retry {
        note_failed_delivery(&txn, delivery.webhook_id, number, &outcome.failure(), settings).await?;
    }
    let current = webhook_delivery::Entity::find_by_id(delivery.id).one(&txn).await?;
    txn.commit().await?;
    Ok(current)
}

/// Counts a delivery that failed every attempt against its subscription,
/// and disables the subscription when too many did in a row.
async fn note_failed_delivery<C: ConnectionTrait>(
    db: &C,
    webhook_id: Uuid,
    attempts: i32,
    last: &str,
    settings: &WebhookSettings,
) -> Result<(), DbErr> {
    webhook::Entity::update_many()
        .col_expr(webhook::Column::FailedDeliveries, Expr::col(webhook::Column::FailedDeliveries).add(1))
        .filter(webhook::Column::Id.eq(webhook_id))
        .exec(db)
        .await?;
    let reason = format!(
        "disabled at {}: {} deliveries in a row failed all of their attempts; the last failed \
         {attempts} times, finally with: {last}",
        Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        settings.disable_after,
    );
    let disabled = webhook::Entity::update_many()
        .col_expr(webhook::Column::Enabled, Expr::value(false))
        .col_expr(webhook::Column::DisabledReason, Expr::value(reason))
        .col_expr(webhook::Column::Version, Expr::col(webhook::Column::Version).add(1))
        .col_expr(webhook::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(webhook::Column::Id.eq(webhook_id))
        .filter(webhook::Column::Enabled.eq(true))
        .filter(webhook::Column::FailedDeliveries.gte(settings.disable_after))
        .exec(db)
        .await?;
    if disabled.rows_affected == 1 {
        tracing::warn!(%webhook_id, last, "disabled a webhook whose deliveries keep failing");
    }
    Ok(())
}

/// A test event for `webhook`, claimed for an immediate attempt.
pub async fn test_delivery(
    db: &DatabaseConnection,
    webhook: &webhook::Model,
    lease: std::time::Duration,
) -> Result<Claimed, DbErr> {
    let data = json!({"webhook_id": webhook.id, "message": "A test delivery from Broadside."});
    let txn = crate::database::begin_write(db).await?;
    let event = new_event(Uuid::now_v7(), Utc::now(), webhooks::TEST_EVENT, None, data).insert(&txn).await?;
    let until = event.created_at + Duration::from_std(lease).unwrap_or(Duration::minutes(1));
    let delivery = new_delivery(webhook.id, event.id, until, None).insert(&txn).await?;
    txn.commit().await?;
    Ok(Claimed {
        delivery,
        event,
        url: webhook.url.clone(),
        secret: webhook.secret.clone(),
        previous_secret: previous_secret(webhook),
    })
}

/// A new delivery of the event `delivery_id` delivered, to the same
/// subscription, due now. `None` when there is no such delivery.
pub async fn replay<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    delivery_id: Uuid,
) -> Result<Option<webhook_delivery::Model>, DbErr> {
    let Some(original) = webhook_delivery::Entity::find_by_id(delivery_id).one(db).await? else {
        return Ok(None);
    };
    let replay = new_delivery(original.webhook_id, original.event_id, Utc::now(), Some(original.id));
    replay.insert(db).await.map(Some)
}

pub async fn delivery<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<webhook_delivery::Model>, DbErr> {
    webhook_delivery::Entity::find_by_id(id).one(db).await
}

/// A delivery as its log shows it.
#[derive(Debug, Clone)]
pub struct LoggedDelivery {
    pub delivery: webhook_delivery::Model,
    pub event_type: String,
    pub attempts: Vec<webhook_attempt::Model>,
}

/// The sort the delivery log's cursors belong to: newest first.
pub const DELIVERY_SORT: &str = "-created_at";

/// The deliveries of `webhook_id`, newest first, `limit` after the one
/// `after` names (by creation time and id), optionally in one `status`.
pub async fn deliveries<C: ConnectionTrait>(
    db: &C,
    webhook_id: Uuid,
    status: Option<&str>,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<LoggedDelivery>, DbErr> {
    let mut select =
        webhook_delivery::Entity::find().filter(webhook_delivery::Column::WebhookId.eq(webhook_id));
    if let Some(status) = status {
        select = select.filter(webhook_delivery::Column::Status.eq(status));
    }
    let created_at = column(webhook_delivery::Entity, webhook_delivery::Column::CreatedAt);
    let id = column(webhook_delivery::Entity, webhook_delivery::Column::Id);
    let rows = keyset(select, created_at, id, true, after).limit(limit + 1).all(db).await?;
    let page = Page::from_rows(rows, limit, |d| Cursor {
        sort: DELIVERY_SORT.to_owned(),
        key: SortKey::Time(d.created_at),
        id: d.id,
    });
    Ok(Page { items: with_log(db, page.items).await?, next: page.next })
}

/// `deliveries` with their event types and attempts.
async fn with_log<C: ConnectionTrait>(
    db: &C,
    rows: Vec<webhook_delivery::Model>,
) -> Result<Vec<LoggedDelivery>, DbErr> {
    let ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
    let mut attempts: HashMap<Uuid, Vec<webhook_attempt::Model>> = HashMap::new();
    for attempt in webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.is_in(ids))
        .order_by_asc(webhook_attempt::Column::Number)
        .all(db)
        .await?
    {
        attempts.entry(attempt.delivery_id).or_default().push(attempt);
    }
    let types: HashMap<Uuid, String> = webhook_event::Entity::find()
        .select_only()
        .column(webhook_event::Column::Id)
        .column(webhook_event::Column::EventType)
        .filter(webhook_event::Column::Id.is_in(rows.iter().map(|d| d.event_id)))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|delivery| LoggedDelivery {
            event_type: types.get(&delivery.event_id).cloned().unwrap_or_default(),
            attempts: attempts.remove(&delivery.id).unwrap_or_default(),
            delivery,
        })
        .collect())
}

/// Removes events older than `days` that have nothing left to deliver,
/// with their deliveries and attempts. Returns how many went.
pub async fn forget_old_events(db: &DatabaseConnection, days: i64) -> Result<u64, DbErr> {
    let cutoff = Utc::now() - Duration::days(days);
    let pending = Query::select()
        .column(webhook_delivery::Column::EventId)
        .from(webhook_delivery::Entity)
        .and_where(Expr::col(webhook_delivery::Column::Status).eq(PENDING))
        .to_owned();
    let result = webhook_event::Entity::delete_many()
        .filter(webhook_event::Column::CreatedAt.lt(cutoff))
        .filter(webhook_event::Column::Id.not_in_subquery(pending))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// One delivery with its event type and attempts.
pub async fn logged<C: ConnectionTrait>(
    db: &C,
    delivery: webhook_delivery::Model,
) -> Result<LoggedDelivery, DbErr> {
    let id = delivery.id;
    with_log(db, vec![delivery]).await?.pop().ok_or(DbErr::RecordNotFound(format!("delivery {id}")))
}

/// How long an instance keeps a delivery it claimed, beyond the request
/// timeout, before others may take it over.
const LEASE_MARGIN: std::time::Duration = std::time::Duration::from_secs(30);

/// How long an attempt may hold its delivery before others take it over.
pub fn lease(settings: &WebhookSettings) -> std::time::Duration {
    settings.timeout + LEASE_MARGIN
}

/// One attempt, recorded; with `retry: false` it is the delivery's last.
pub async fn attempt(
    db: &DatabaseConnection,
    sender: &Sender,
    settings: &WebhookSettings,
    claimed: &Claimed,
    retry: bool,
) -> Option<webhook_delivery::Model> {
    let outcome = sender.attempt(claimed).await;
    let delivery = claimed.delivery.id;
    if outcome.succeeded() {
        tracing::debug!(%delivery, latency_ms = outcome.latency_ms, "delivered a webhook");
    } else {
        tracing::info!(%delivery, attempt = claimed.delivery.attempts + 1, failure = %outcome.failure(), "a webhook attempt failed");
    }
    match record_attempt(db, claimed, &outcome, settings, retry).await {
        Ok(current) => current,
        Err(error) => {
            // The lease runs out and the attempt is made again: at least
            // once, never lost.
            tracing::warn!(%delivery, %error, "cannot record a webhook attempt; it will be retried");
            None
        }
    }
}
