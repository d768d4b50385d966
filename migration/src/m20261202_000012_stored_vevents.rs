//! A calendar is a window of events, each written as a `VEVENT`. Writing
//! them per request expanded every recurrence and escaped every field each
//! time; each event's `VEVENT` is now stored with its other renderings,
//! when it is written. Events rendered before this have none: they are
//! marked stale, so the background renders them again (until it has,
//! readers render those events themselves, as for any stale rendering).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            // Marking a large archive's events is not a request: no limit
            // (this migration runs in a transaction of its own).
            manager.get_connection().execute_unprepared("SET LOCAL statement_timeout = 0").await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(DocumentRenderings::Table)
                    .add_column(text_null(DocumentRenderings::Ical))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE document_renderings SET stale = TRUE \
                 WHERE document_id IN (SELECT document_id FROM events)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(DocumentRenderings::Table)
                    .drop_column(DocumentRenderings::Ical)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum DocumentRenderings {
    Table,
    Ical,
}
