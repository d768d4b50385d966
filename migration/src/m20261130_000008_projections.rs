//! What reads at scale need, kept beside the documents by every write:
//!
//! - `change_log`: one row per document, its latest change (`seq`, in
//!   commit order), so that a sync page is a range of one index instead of
//!   a grouping of the whole history. It replaces `changes`.
//! - `document_renderings`: each document's list item, and its public
//!   representation while it is public, as the API serves them, so that a
//!   read is one lookup of stored bytes. Rows start stale; the service
//!   renders stale rows in the background.
//! - `document_facets`: a row per tag and per credited person of each
//!   document, with the columns lists sort by, so that a list filtered by
//!   tag or person reads one range of an index.
//!
//! - `maintenance`: work the service owes the data once, at its next
//!   start, such as indexing what an older version left unindexed; start-up
//!   checks this one small table instead of reading every document.
//!
//! And the search index keeps public documents only: nothing else is ever
//! searched.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
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
        let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;

        manager
            .create_table(
                Table::create()
                    .table(ChangeLog::Table)
                    .col(uuid(ChangeLog::DocumentId).primary_key())
                    .col(big_integer(ChangeLog::Seq))
                    .col(string_len(ChangeLog::Kind, 16))
                    .col(boolean(ChangeLog::Public))
                    .col(boolean(ChangeLog::EverPublic))
                    .col(big_integer(ChangeLog::PublicSeq))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("change_log_seq")
                    .table(ChangeLog::Table)
                    .col(ChangeLog::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Each document's latest change; `public_seq`, the latest change that
        // involved it while public, is that change for a document ever public.
        db.execute_unprepared(
            "INSERT INTO change_log (document_id, seq, kind, public, ever_public, public_seq) \
             SELECT c.document_id, c.seq, c.kind, c.public, \
             EXISTS (SELECT 1 FROM changes p WHERE p.document_id = c.document_id AND p.public), \
             CASE WHEN EXISTS (SELECT 1 FROM changes p WHERE p.document_id = c.document_id AND p.public) \
             THEN c.seq ELSE 0 END \
             FROM changes c \
             WHERE c.seq = (SELECT MAX(m.seq) FROM changes m WHERE m.document_id = c.document_id)",
        )
        .await?;
        manager.drop_table(Table::drop().table(Changes::Table).to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table(DocumentRenderings::Table)
                    .col(uuid(DocumentRenderings::DocumentId).primary_key())
                    .col(boolean(DocumentRenderings::Stale))
                    .col(text_null(DocumentRenderings::Summary))
                    .col(text_null(DocumentRenderings::Document))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DocumentRenderings::Table, DocumentRenderings::DocumentId)
                            .to(Documents::Table, Documents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "CREATE INDEX document_renderings_stale ON document_renderings (document_id) WHERE stale",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO document_renderings (document_id, stale) SELECT id, TRUE FROM documents",
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(DocumentFacets::Table)
                    .col(string_len(DocumentFacets::Facet, 1))
                    .col(uuid(DocumentFacets::Value))
                    .col(uuid(DocumentFacets::DocumentId))
                    .col(string_len(DocumentFacets::Kind, 16))
                    .col(boolean(DocumentFacets::Public))
                    .col(timestamp_with_time_zone_null(DocumentFacets::PublishedAt))
                    .col(string(DocumentFacets::Title))
                    .col(timestamp_with_time_zone_null(DocumentFacets::StartsAt))
                    .primary_key(
                        Index::create()
                            .col(DocumentFacets::Facet)
                            .col(DocumentFacets::Value)
                            .col(DocumentFacets::DocumentId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DocumentFacets::Table, DocumentFacets::DocumentId)
                            .to(Documents::Table, Documents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("document_facets_document")
                    .table(DocumentFacets::Table)
                    .col(DocumentFacets::DocumentId)
                    .to_owned(),
            )
            .await?;
        // The orders a filtered public list reads, each one index range.
        for (name, column) in [("published", "published_at"), ("title", "title"), ("starts", "starts_at")] {
            db.execute_unprepared(&format!(
                "CREATE INDEX document_facets_public_{name} ON document_facets \
                 (facet, value, kind, {column}, document_id) WHERE public"
            ))
            .await?;
        }
        // A person's works of every type, newest first.
        db.execute_unprepared(
            "CREATE INDEX document_facets_public_works ON document_facets \
             (facet, value, published_at, document_id) WHERE public",
        )
        .await?;
        let public = "(d.status = 'published' AND d.deleted_at IS NULL)";
        for (facet, table, value) in [
            ("t", "document_tags", "tag_id"),
            ("p", "essay_authors", "person_id"),
            ("p", "lyrics_writers", "person_id"),
            ("p", "event_organizers", "person_id"),
        ] {
            db.execute_unprepared(&format!(
                "INSERT INTO document_facets \
                 (facet, value, document_id, kind, public, published_at, title, starts_at) \
                 SELECT DISTINCT '{facet}', l.{value}, d.id, d.kind, {public}, d.published_at, d.title, e.starts_at \
                 FROM {table} l JOIN documents d ON d.id = l.document_id \
                 LEFT JOIN events e ON e.document_id = d.id"
            ))
            .await?;
        }

        // Only what may be found is indexed.
        let hidden =
            "SELECT d.id FROM documents d WHERE NOT (d.status = 'published' AND d.deleted_at IS NULL)";
        if postgres {
            db.execute_unprepared(&format!("DELETE FROM search_index WHERE document_id IN ({hidden})"))
                .await?;
        } else {
            db.execute_unprepared(&format!(
                "DELETE FROM search_index WHERE rowid IN \
                 (SELECT rowid FROM search_keys WHERE document_id IN ({hidden}))"
            ))
            .await?;
            db.execute_unprepared(&format!("DELETE FROM search_keys WHERE document_id IN ({hidden})"))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Maintenance::Table)
                    .col(string_len(Maintenance::Task, 64).primary_key())
                    .to_owned(),
            )
            .await?;
        // Documents an older version left out of the index are added once.
        db.execute_unprepared("INSERT INTO maintenance (task) VALUES ('search_index')").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        manager.drop_table(Table::drop().table(Maintenance::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(DocumentFacets::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(DocumentRenderings::Table).to_owned()).await?;
        manager
            .create_table(
                Table::create()
                    .table(Changes::Table)
                    .col(big_integer(Changes::Seq).auto_increment().primary_key())
                    .col(uuid(Changes::DocumentId))
                    .col(string_len(Changes::Kind, 16))
                    .col(boolean(Changes::Public))
                    .col(timestamp_with_time_zone(Changes::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("changes_document")
                    .table(Changes::Table)
                    .col(Changes::DocumentId)
                    .col(Changes::Seq)
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "INSERT INTO changes (seq, document_id, kind, public, created_at) \
             SELECT seq, document_id, kind, public, CURRENT_TIMESTAMP FROM change_log ORDER BY seq",
        )
        .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(
                "SELECT setval(pg_get_serial_sequence('changes', 'seq'), GREATEST((SELECT MAX(seq) FROM changes), 1))",
            )
            .await?;
        }
        manager.drop_table(Table::drop().table(ChangeLog::Table).to_owned()).await?;
        // The index of hidden documents is not restored: an older version
        // searches public documents among what it finds.
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ChangeLog {
    Table,
    DocumentId,
    Seq,
    Kind,
    Public,
    EverPublic,
    PublicSeq,
}

#[derive(DeriveIden)]
enum Changes {
    Table,
    Seq,
    DocumentId,
    Kind,
    Public,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DocumentRenderings {
    Table,
    DocumentId,
    Stale,
    Summary,
    Document,
}

#[derive(DeriveIden)]
enum DocumentFacets {
    Table,
    Facet,
    Value,
    DocumentId,
    Kind,
    Public,
    PublishedAt,
    Title,
    StartsAt,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Maintenance {
    Table,
    Task,
}
