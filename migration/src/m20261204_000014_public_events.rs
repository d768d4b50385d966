//! A window of public events read, for each event its index led to, the
//! document's row only to learn whether it is public: most of a month's
//! cost beyond a list page's. Each event now says so itself, kept with the
//! document by the write that changes either (beside its facets), and the
//! windows' indexes hold it, so that a window of public events reads no
//! `documents` row at all.

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
                    .table(Events::Table)
                    .add_column(boolean(Events::Public).default(false))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE events SET public = EXISTS (SELECT 1 FROM documents d \
             WHERE d.id = events.document_id AND d.status = 'published' AND d.deleted_at IS NULL)",
        )
        .await?;
        // New names: a pooled SQLite connection may still hold the schema
        // from before the old indexes were dropped.
        db.execute_unprepared(
            "CREATE INDEX events_public_long_window ON events \
             (starts_at, document_id, months, series_ends_at, ends_at, time_zone, all_day, recurrence, \
             long_running, public) WHERE long_running",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX events_public_short_starts ON events \
             (starts_at, document_id, series_ends_at, months, public) WHERE NOT long_running",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS events_long_running_window").await?;
        db.execute_unprepared("DROP INDEX IF EXISTS events_short_starts").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX events_long_running_window ON events \
             (starts_at, document_id, months, series_ends_at, ends_at, time_zone, all_day, recurrence, long_running) \
             WHERE long_running",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX events_short_starts ON events (starts_at, document_id, series_ends_at, months) \
             WHERE NOT long_running",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS events_public_long_window").await?;
        db.execute_unprepared("DROP INDEX IF EXISTS events_public_short_starts").await?;
        manager.alter_table(Table::alter().table(Events::Table).drop_column(Events::Public).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Public,
}
