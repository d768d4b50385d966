//! User accounts.

use chrono::Utc;
use entity::user;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, SqlErr,
};
use uuid::Uuid;

use crate::auth::Role;
use crate::database::direct::Direct;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("a user with this email exists already")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Emails are compared and stored in lower case.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether `email` looks like an address: something, `@`, a dotted domain.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && email.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    email: &str,
    password_hash: String,
    role: Role,
) -> Result<user::Model, UserError> {
    let now = Utc::now();
    user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(normalise_email(email)),
        password_hash: Set(password_hash),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|error| match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => UserError::EmailTaken,
        _ => UserError::Database(error),
    })
}

pub async fn by_email<C: ConnectionTrait>(db: &C, email: &str) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find().filter(user::Column::Email.eq(normalise_email(email))).one(db).await
}

pub async fn by_id<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find_by_id(id).one(db).await
}

/// The email address of account `id`, if it exists; with `direct`
/// (SQLite), read on the calling thread rather than through the pool.
pub async fn email<C: ConnectionTrait>(
    db: &C,
    direct: Option<&Direct>,
    id: Uuid,
) -> Result<Option<String>, DbErr> {
    if let Some(direct) = direct {
        match direct.user_email(id) {
            Ok(email) => return Ok(email),
            Err(error) => tracing::debug!(%error, "the account left to the pool"),
        }
    }
    Ok(by_id(db, id).await?.map(|user| user.email))
}

pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<user::Model>, DbErr> {
    user::Entity::find().order_by_asc(user::Column::Email).all(db).await
}

pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    user::Entity::find().count(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_loosely_and_stored_in_lower_case() {
        assert!(valid_email("editor@example.org"));
        for bad in ["", "no-at", "@example.org", "a@b", "a b@example.org", "a@.org"] {
            assert!(!valid_email(bad), "{bad}");
        }
        assert_eq!(normalise_email(" Editor@Example.ORG "), "editor@example.org");
    }
}
