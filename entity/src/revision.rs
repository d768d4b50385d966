//! `revisions`: every version of every document, immutable once written.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "revisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub document_id: Uuid,
    pub version: i32,
    /// `create`, `update`, `publish`, `schedule`, `unpublish`, `archive`,
    /// `delete`, `restore`, `revert`.
    pub action: String,
    /// The document as of this version: its state and every writable field.
    pub snapshot: Json,
    /// `user`, `api_key` or `system` (the scheduler).
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub message: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
