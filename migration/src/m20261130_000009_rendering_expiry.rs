//! Some renderings say what depends on the clock: an event's next
//! occurrence. `expires_at` is when such a rendering stops being true (the
//! end of the occurrence it names as under way or next); readers do not use
//! a rendering past it, and the service renders it again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(DocumentRenderings::Table)
                    .add_column(timestamp_with_time_zone_null(DocumentRenderings::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("document_renderings_expiry")
                    .table(DocumentRenderings::Table)
                    .col(DocumentRenderings::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        // Event renderings made before expiry was recorded are made again.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE document_renderings SET stale = TRUE, summary = NULL, document = NULL \
                 WHERE document_id IN (SELECT id FROM documents WHERE kind = 'event')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop().name("document_renderings_expiry").table(DocumentRenderings::Table).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DocumentRenderings::Table)
                    .drop_column(DocumentRenderings::ExpiresAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum DocumentRenderings {
    Table,
    ExpiresAt,
}
