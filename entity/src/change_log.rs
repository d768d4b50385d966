//! `change_log`: each document's latest change, for sync and the live
//! stream. `seq` numbers changes in commit order; a document's row moves to
//! the end of the log each time it changes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: Uuid,
    pub seq: i64,
    /// `essay`, `lyrics` or `event`.
    pub kind: String,
    /// Whether the document is public (published, not deleted) after it.
    pub public: bool,
    /// Whether it was ever public, at any change.
    pub ever_public: bool,
    /// The latest change made while it was public, or that made it so
    /// (0: never): what tells a cache whether its public output changed.
    pub public_seq: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
