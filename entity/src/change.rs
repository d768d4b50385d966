//! `changes`: the log sync and the live stream read. Each row says that a
//! document's rendering may have changed; `seq` numbers rows in commit order.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub document_id: Uuid,
    /// `essay`, `lyrics` or `event`.
    pub kind: String,
    /// Whether the document was public (published, not deleted) after it.
    pub public: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
