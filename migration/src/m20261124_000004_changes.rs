//! The change log that sync and the live stream read: one row each time a
//! document's rendering may have changed, numbered in commit order.

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
        // Every document there already is, oldest first: an initial sync
        // reads the log from its start.
        let public =
            Expr::col(Documents::Status).eq("published").and(Expr::col(Documents::DeletedAt).is_null());
        let existing = Query::select()
            .columns([Documents::Id, Documents::Kind])
            .expr(public)
            .column(Documents::UpdatedAt)
            .from(Documents::Table)
            .order_by(Documents::CreatedAt, Order::Asc)
            .order_by(Documents::Id, Order::Asc)
            .to_owned();
        let backfill = Query::insert()
            .into_table(Changes::Table)
            .columns([Changes::DocumentId, Changes::Kind, Changes::Public, Changes::CreatedAt])
            .select_from(existing)
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(backfill).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Changes::Table).to_owned()).await
    }
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
enum Documents {
    Table,
    Id,
    Kind,
    Status,
    DeletedAt,
    CreatedAt,
    UpdatedAt,
}
