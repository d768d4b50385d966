//! Rows written with optimistic concurrency (documents, people, tags,
//! webhook subscriptions): each carries a version, and a change names the
//! version it was based on. The change is one conditional statement, so of
//! two writers that read the same version exactly one succeeds; the other
//! learns which version the row is at now.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, SqlErr, UpdateMany};
use uuid::Uuid;

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("no such resource")]
    NotFound,
    /// The row changed since the version the caller saw.
    #[error("the resource is at version {current}, not the version given in If-Match")]
    Stale { current: i32 },
    /// A value that must be unique (`field`) is taken.
    #[error("`{field}` is taken")]
    Taken { field: &'static str },
    /// A referenced document or person disappeared meanwhile.
    #[error("a referenced document or person no longer exists")]
    Reference,
    /// The change does not apply to the row's state.
    #[error("{0}")]
    State(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// A failed statement as a [`WriteError`]: a unique violation by the field
/// it concerns (the constraint's name, or the columns the database names),
/// a foreign-key violation as a reference that is gone.
pub fn classify(error: DbErr) -> WriteError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => {
            WriteError::Taken { field: unique_field(&message) }
        }
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => WriteError::Reference,
        _ => WriteError::Database(error),
    }
}

/// The field a unique violation's message concerns: PostgreSQL names the
/// constraint (`documents_kind_slug_locale`), SQLite the columns
/// (`documents.kind, documents.slug, documents.locale`).
fn unique_field(message: &str) -> &'static str {
    ["slug", "email", "key_hash"]
        .into_iter()
        .find(|field| message.contains(field))
        .map_or("id", |field| if field == "key_hash" { "key" } else { field })
}

/// A table whose rows carry an id and a version.
pub trait Versioned: EntityTrait {
    fn id_column() -> Self::Column;
    fn version_column() -> Self::Column;
    fn id_of(model: &Self::Model) -> Uuid;
    fn version_of(model: &Self::Model) -> i32;
}

macro_rules! versioned {
    ($($table:ident),+) => {
        $(impl Versioned for entity::$table::Entity {
            fn id_column() -> Self::Column {
                entity::$table::Column::Id
            }

            fn version_column() -> Self::Column {
                entity::$table::Column::Version
            }

            fn id_of(model: &Self::Model) -> Uuid {
                model.id
            }

            fn version_of(model: &Self::Model) -> i32 {
                model.version
            }
        })+
    };
}
versioned!(document, person, tag, webhook);

/// Applies `set` to row `id` if it is still at version `expected`,
/// bumping its version. Otherwise: `NotFound` when it is gone, `Stale`
/// with its version when that moved on, and `State(otherwise)` when the
/// version is right but a condition `set` added (a filter) is not.
pub async fn bump<E: Versioned, C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    expected: i32,
    set: impl FnOnce(UpdateMany<E>) -> UpdateMany<E>,
    otherwise: &str,
) -> Result<(), WriteError> {
    let update = E::update_many()
        .col_expr(E::version_column(), Expr::col(E::version_column()).add(1))
        .filter(E::id_column().eq(id))
        .filter(E::version_column().eq(expected));
    if set(update).exec(db).await.map_err(classify)?.rows_affected == 1 {
        return Ok(());
    }
    Err(why_not::<E, C>(db, id, expected, otherwise).await?)
}

/// Deletes row `id` if it is still at version `expected`; otherwise as
/// [`bump`] says.
pub async fn delete<E: Versioned, C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    expected: i32,
) -> Result<(), WriteError> {
    let deleted = E::delete_many()
        .filter(E::id_column().eq(id))
        .filter(E::version_column().eq(expected))
        .exec(db)
        .await
        .map_err(classify)?;
    if deleted.rows_affected == 1 {
        return Ok(());
    }
    Err(why_not::<E, C>(db, id, expected, "").await?)
}

/// Why a conditional write on row `id` at version `expected` matched
/// nothing.
async fn why_not<E: Versioned, C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    expected: i32,
    otherwise: &str,
) -> Result<WriteError, DbErr> {
    let current = E::find().filter(E::id_column().eq(id)).one(db).await?;
    Ok(match current.map(|row| E::version_of(&row)) {
        None => WriteError::NotFound,
        Some(current) if current != expected => WriteError::Stale { current },
        Some(_) => WriteError::State(otherwise.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unique_violation_names_its_field_on_either_database() {
        assert_eq!(
            unique_field("duplicate key value violates unique constraint \"documents_kind_slug_locale\""),
            "slug"
        );
        assert_eq!(
            unique_field("UNIQUE constraint failed: documents.kind, documents.slug, documents.locale"),
            "slug"
        );
        assert_eq!(unique_field("UNIQUE constraint failed: users.email"), "email");
        assert_eq!(unique_field("UNIQUE constraint failed: api_keys.key_hash"), "key");
        assert_eq!(unique_field("duplicate key value violates unique constraint \"documents_pkey\""), "id");
    }
}
