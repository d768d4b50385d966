//! Writing content: immutable revisions of every document, who created a
//! document, when a scheduled one goes live, and versions for tags.

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
                    .table(Revisions::Table)
                    .col(uuid(Revisions::Id).primary_key())
                    .col(uuid(Revisions::DocumentId))
                    .col(integer(Revisions::Version))
                    .col(string_len(Revisions::Action, 16))
                    .col(json(Revisions::Snapshot))
                    .col(string_len(Revisions::ActorKind, 16))
                    .col(uuid_null(Revisions::ActorId))
                    .col(string(Revisions::ActorName))
                    .col(text_null(Revisions::Message))
                    .col(timestamp_with_time_zone(Revisions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("revisions_document")
                            .from(Revisions::Table, Revisions::DocumentId)
                            .to(Documents::Table, Documents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("revisions_document_version")
                    .table(Revisions::Table)
                    .col(Revisions::DocumentId)
                    .col(Revisions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for column in [timestamp_with_time_zone_null(Documents::PublishAt), uuid_null(Documents::CreatedBy)] {
            let mut column = column;
            manager
                .alter_table(Table::alter().table(Documents::Table).add_column(&mut column).to_owned())
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("documents_status_publish_at")
                    .table(Documents::Table)
                    .col(Documents::Status)
                    .col(Documents::PublishAt)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(Tags::Table).add_column(integer(Tags::Version).default(1)).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Tags::Table).drop_column(Tags::Version).to_owned()).await?;
        manager
            .drop_index(Index::drop().name("documents_status_publish_at").table(Documents::Table).to_owned())
            .await?;
        for column in [Documents::CreatedBy, Documents::PublishAt] {
            manager
                .alter_table(Table::alter().table(Documents::Table).drop_column(column).to_owned())
                .await?;
        }
        manager.drop_table(Table::drop().table(Revisions::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Revisions {
    Table,
    Id,
    DocumentId,
    Version,
    Action,
    Snapshot,
    ActorKind,
    ActorId,
    ActorName,
    Message,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    Status,
    PublishAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Tags {
    Table,
    Version,
}
