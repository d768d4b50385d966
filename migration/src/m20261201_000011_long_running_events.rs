//! A window of time (a month of events, a calendar) must not read every
//! event that started before it. An event whose series runs at most 31
//! days ends within 31 days of its start, so a window finds it in a range
//! of `events_starts_at`. The others, series longer than that or without
//! end, are marked `long_running` and read from an index of their own.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Events::Table)
                    .add_column(boolean(Events::LongRunning).default(false))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let longer = match manager.get_database_backend() {
            DbBackend::Postgres => "series_ends_at - starts_at > INTERVAL '31 days'",
            _ => "julianday(series_ends_at) - julianday(starts_at) > 31",
        };
        db.execute_unprepared(&format!(
            "UPDATE events SET long_running = TRUE WHERE series_ends_at IS NULL OR {longer}"
        ))
        .await?;
        db.execute_unprepared(
            "CREATE INDEX events_long_running_starts ON events (starts_at, document_id) WHERE long_running",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS events_long_running_starts")
            .await?;
        manager
            .alter_table(Table::alter().table(Events::Table).drop_column(Events::LongRunning).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Events {
    Table,
    LongRunning,
}
