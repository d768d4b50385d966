//! Only event renderings expire; every other rendering's `expires_at` is
//! NULL. A full index on the column is mostly NULLs, so the planner's
//! statistics call it unselective and the background's "expired since"
//! query scanned every rendering. A partial index holds just the dated
//! rows, and `expires_at <= ?` implies the index's condition. It has a
//! name of its own: a pooled SQLite connection may still hold the schema
//! from before the old index was dropped.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX document_renderings_expiring ON document_renderings (expires_at) \
             WHERE expires_at IS NOT NULL",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS document_renderings_expiry").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("CREATE INDEX document_renderings_expiry ON document_renderings (expires_at)")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS document_renderings_expiring").await?;
        Ok(())
    }
}
