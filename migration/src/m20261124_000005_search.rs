//! Full-text search: an FTS5 table on SQLite, a table with a generated,
//! GIN-indexed `tsvector` on PostgreSQL. Both hold one row per document
//! (title and body text); the service fills them in the transaction of each
//! write, and indexes what is missing at start-up.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                // FTS5 finds rows by rowid only; `search_keys` maps each
                // document to its row, so that a write replaces one row
                // without scanning the index.
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE search_index USING fts5(\
                     title, body, tokenize = 'unicode61 remove_diacritics 2')",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TABLE search_keys (\
                     rowid INTEGER PRIMARY KEY, \
                     document_id uuid NOT NULL UNIQUE REFERENCES documents (id) ON DELETE CASCADE)",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE TABLE search_index (\
                     document_id uuid PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE, \
                     title text NOT NULL, body text NOT NULL, \
                     tsv tsvector GENERATED ALWAYS AS (\
                     setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')) STORED)",
                )
                .await?;
                db.execute_unprepared("CREATE INDEX search_index_tsv ON search_index USING gin (tsv)")
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            db.execute_unprepared("DROP TABLE search_keys").await?;
        }
        db.execute_unprepared("DROP TABLE search_index").await.map(|_| ())
    }
}
