//! Refresh tokens: issued at sign-in, rotated on every use, revocable. A
//! rotated token presented again means it leaked: its whole family (every
//! token descended from the same sign-in) is revoked.

use chrono::{DateTime, Duration, Utc};
use entity::{refresh_token, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::auth::secrets;

pub const PREFIX: &str = "bsr_";

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Unknown, expired or revoked: sign in again.
    #[error("the refresh token is not valid")]
    Invalid,
    /// A rotated token came back: the family (the sign-in) is revoked.
    #[error("the refresh token was already used; every token of this sign-in is revoked")]
    Reused { family: Uuid },
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// A new refresh token (in the family `family`, or a new family), and its
/// family: the sign-in its access tokens name.
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    family: Option<Uuid>,
    ttl_seconds: i64,
) -> Result<(String, Uuid), DbErr> {
    let token = secrets::generate(PREFIX);
    let now = Utc::now();
    let family = family.unwrap_or_else(Uuid::now_v7);
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        family_id: Set(family),
        token_hash: Set(secrets::digest(&token)),
        created_at: Set(now),
        expires_at: Set(now + Duration::seconds(ttl_seconds)),
        rotated_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((token, family))
}

/// Trades `token` for a new one in the same family; returns the user, the
/// new token and the family.
pub async fn rotate(
    db: &sea_orm::DatabaseConnection,
    token: &str,
    ttl_seconds: i64,
) -> Result<(user::Model, String, Uuid), SessionError> {
    let txn = crate::database::begin_write(db).await?;
    let found = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secrets::digest(token)))
        .one(&txn)
        .await?;
    let Some(found) = found else { return Err(SessionError::Invalid) };
    let now = Utc::now();
    if found.rotated_at.is_some() {
        revoke_family_in(&txn, found.family_id).await?;
        txn.commit().await?;
        return Err(SessionError::Reused { family: found.family_id });
    }
    if found.revoked_at.is_some() || found.expires_at <= now {
        return Err(SessionError::Invalid);
    }
    // Only one of two concurrent rotations of the same token wins.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RotatedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(found.id))
        .filter(refresh_token::Column::RotatedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(SessionError::Invalid);
    }
    let Some(user) = user::Entity::find_by_id(found.user_id).one(&txn).await? else {
        return Err(SessionError::Invalid);
    };
    let (next, family) = issue(&txn, user.id, Some(found.family_id), ttl_seconds).await?;
    txn.commit().await?;
    Ok((user, next, family))
}

/// Revokes the family of `token` and returns it. Unknown tokens are
/// ignored: signing out twice is not an error.
pub async fn revoke<C: ConnectionTrait>(db: &C, token: &str) -> Result<Option<Uuid>, DbErr> {
    let found = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secrets::digest(token)))
        .one(db)
        .await?;
    let Some(found) = found else { return Ok(None) };
    revoke_family_in(db, found.family_id).await?;
    Ok(Some(found.family_id))
}

/// The families revoked since `since`: sign-ins whose access tokens may
/// still be unexpired.
pub async fn revoked_since<C: ConnectionTrait>(db: &C, since: DateTime<Utc>) -> Result<Vec<Uuid>, DbErr> {
    let rows = refresh_token::Entity::find()
        .select_only()
        .column(refresh_token::Column::FamilyId)
        .filter(refresh_token::Column::RevokedAt.gt(since))
        .distinct()
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    Ok(rows)
}

/// Whether the family `family` has been revoked.
pub async fn family_revoked<C: ConnectionTrait>(db: &C, family: Uuid) -> Result<bool, DbErr> {
    let revoked = refresh_token::Entity::find()
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_not_null())
        .count(db)
        .await?;
    Ok(revoked > 0)
}

async fn revoke_family_in<C: ConnectionTrait>(db: &C, family: Uuid) -> Result<(), DbErr> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .map(|_| ())
}
