//! API keys for integrators: shown once when created, stored as a digest,
//! scoped, optionally expiring, revocable.

use chrono::{DateTime, Duration, Utc};
use entity::api_key;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::auth::{Actor, Scope, secrets};

pub const PREFIX: &str = "bsk_";

/// Scopes as stored: space-separated.
pub fn scopes_of(model: &api_key::Model) -> Vec<Scope> {
    model.scopes.split(' ').filter_map(|s| s.parse().ok()).collect()
}

/// A new key; the secret is in the second value and nowhere else.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    name: &str,
    scopes: &[Scope],
    expires_at: Option<DateTime<Utc>>,
    created_by: Option<Uuid>,
) -> Result<(api_key::Model, String), DbErr> {
    let secret = secrets::generate(PREFIX);
    let model = api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        prefix: Set(secret.chars().take(12).collect()),
        key_hash: Set(secrets::digest(&secret)),
        scopes: Set(scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")),
        created_by: Set(created_by),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((model, secret))
}

pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<api_key::Model>, DbErr> {
    api_key::Entity::find().order_by_asc(api_key::Column::CreatedAt).all(db).await
}

/// Revokes a key; `false` when there is no such live key.
pub async fn revoke<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, DbErr> {
    let result = api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The caller a presented key stands for, if it is live. Records its use
/// (at most once a minute, to keep reads cheap).
pub async fn authenticate<C: ConnectionTrait>(db: &C, secret: &str) -> Result<Option<Actor>, DbErr> {
    let now = Utc::now();
    let Some(key) = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(secrets::digest(secret)))
        .filter(api_key::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(api_key::Column::ExpiresAt.is_null())
                .add(api_key::Column::ExpiresAt.gt(now)),
        )
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if key.last_used_at.is_none_or(|at| at < now - Duration::minutes(1)) {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(now))
            .filter(api_key::Column::Id.eq(key.id))
            .exec(db)
            .await?;
    }
    Ok(Some(Actor::ApiKey { id: key.id, name: key.name.clone(), scopes: scopes_of(&key) }))
}
