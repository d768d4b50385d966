//! Which sign-ins ended lately is read at start-up and whenever an instance
//! may have missed the others' notices: by when each refresh token was
//! revoked, without reading them all.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("refresh_tokens_revoked")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::RevokedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("refresh_tokens_revoked").table(RefreshTokens::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    RevokedAt,
}
