//! Webhooks: subscriptions, the outbox of events written in the same
//! transaction as the change that causes them, one delivery per event and
//! subscription, and every attempt at it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhooks::Table)
                    .col(uuid(Webhooks::Id).primary_key())
                    .col(text(Webhooks::Url))
                    .col(text_null(Webhooks::Description))
                    .col(json(Webhooks::EventTypes))
                    .col(json_null(Webhooks::ContentTypes))
                    .col(boolean(Webhooks::Enabled))
                    .col(text_null(Webhooks::DisabledReason))
                    .col(integer(Webhooks::FailedDeliveries).default(0))
                    .col(text(Webhooks::Secret))
                    .col(text_null(Webhooks::PreviousSecret))
                    .col(timestamp_with_time_zone_null(Webhooks::PreviousSecretExpiresAt))
                    .col(integer(Webhooks::Version))
                    .col(uuid_null(Webhooks::CreatedBy))
                    .col(timestamp_with_time_zone(Webhooks::CreatedAt))
                    .col(timestamp_with_time_zone(Webhooks::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookEvents::Table)
                    .col(uuid(WebhookEvents::Id).primary_key())
                    .col(string_len(WebhookEvents::EventType, 40))
                    .col(uuid_null(WebhookEvents::DocumentId))
                    .col(text(WebhookEvents::Payload))
                    .col(timestamp_with_time_zone(WebhookEvents::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_events_created_at")
                    .table(WebhookEvents::Table)
                    .col(WebhookEvents::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(uuid(WebhookDeliveries::Id).primary_key())
                    .col(uuid(WebhookDeliveries::WebhookId))
                    .col(uuid(WebhookDeliveries::EventId))
                    .col(string_len(WebhookDeliveries::Status, 16))
                    .col(integer(WebhookDeliveries::Attempts).default(0))
                    .col(timestamp_with_time_zone(WebhookDeliveries::NextAttemptAt))
                    .col(integer_null(WebhookDeliveries::LastStatusCode))
                    .col(text_null(WebhookDeliveries::LastError))
                    .col(uuid_null(WebhookDeliveries::ReplayOf))
                    .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::CompletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("webhook_deliveries_webhook")
                            .from(WebhookDeliveries::Table, WebhookDeliveries::WebhookId)
                            .to(Webhooks::Table, Webhooks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("webhook_deliveries_event")
                            .from(WebhookDeliveries::Table, WebhookDeliveries::EventId)
                            .to(WebhookEvents::Table, WebhookEvents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // What the delivery workers look for: pending rows by due time.
        manager
            .create_index(
                Index::create()
                    .name("webhook_deliveries_due")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        // The delivery log of one subscription, newest first.
        manager
            .create_index(
                Index::create()
                    .name("webhook_deliveries_webhook")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::WebhookId)
                    .col(WebhookDeliveries::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_deliveries_event")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::EventId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(uuid(WebhookAttempts::Id).primary_key())
                    .col(uuid(WebhookAttempts::DeliveryId))
                    .col(integer(WebhookAttempts::Number))
                    .col(timestamp_with_time_zone(WebhookAttempts::StartedAt))
                    .col(integer(WebhookAttempts::LatencyMs))
                    .col(integer_null(WebhookAttempts::StatusCode))
                    .col(text_null(WebhookAttempts::Error))
                    .col(text_null(WebhookAttempts::ResponseSnippet))
                    .foreign_key(
                        ForeignKey::create()
                            .name("webhook_attempts_delivery")
                            .from(WebhookAttempts::Table, WebhookAttempts::DeliveryId)
                            .to(WebhookDeliveries::Table, WebhookDeliveries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_attempts_delivery")
                    .table(WebhookAttempts::Table)
                    .col(WebhookAttempts::DeliveryId)
                    .col(WebhookAttempts::Number)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WebhookAttempts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WebhookEvents::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Webhooks::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Webhooks {
    Table,
    Id,
    Url,
    Description,
    EventTypes,
    ContentTypes,
    Enabled,
    DisabledReason,
    FailedDeliveries,
    Secret,
    PreviousSecret,
    PreviousSecretExpiresAt,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookEvents {
    Table,
    Id,
    EventType,
    DocumentId,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    WebhookId,
    EventId,
    Status,
    Attempts,
    NextAttemptAt,
    LastStatusCode,
    LastError,
    ReplayOf,
    CreatedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    Number,
    StartedAt,
    LatencyMs,
    StatusCode,
    Error,
    ResponseSnippet,
}
