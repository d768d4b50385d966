//! A month far from the archive's start read every yearly event that began
//! before it, expanding each rule, until enough of them occurred in the
//! month: about one in twelve. Each event now records the months (UTC) in
//! which an occurrence may be running, kept with its end in the indexes a
//! window reads, so a window skips the others without reading them. Existing
//! events start with all twelve, which is always true, and the service
//! works out their months once at its next start (`event_months`).

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
                    .add_column(integer(Events::Months).default(4095))
                    .to_owned(),
            )
            .await?;
        // Each window's index holds the months and the end of a series, so
        // that the ones a window leaves out are passed over in the index.
        // Long-running series, read whatever their start, are few (one in
        // seven events here): their index holds all a window reads of them
        // (`long_running` too, which SQLite would otherwise read the row for).
        // New names: a pooled SQLite connection may still hold the schema
        // from before the old index was dropped.
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX events_long_running_window ON events \
             (starts_at, document_id, months, series_ends_at, ends_at, time_zone, all_day, recurrence, long_running) \
             WHERE long_running",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS events_long_running_starts").await?;
        db.execute_unprepared(
            "CREATE INDEX events_short_starts ON events (starts_at, document_id, series_ends_at, months) \
             WHERE NOT long_running",
        )
        .await?;
        db.execute_unprepared("INSERT INTO maintenance (task) VALUES ('event_months')").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DELETE FROM maintenance WHERE task = 'event_months'").await?;
        db.execute_unprepared(
            "CREATE INDEX events_long_running_starts ON events (starts_at, document_id) WHERE long_running",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS events_long_running_window").await?;
        db.execute_unprepared("DROP INDEX IF EXISTS events_short_starts").await?;
        manager.alter_table(Table::alter().table(Events::Table).drop_column(Events::Months).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Months,
}
