//! `webhook_events`: the outbox. An event is written in the transaction of
//! the change that causes it, with the exact payload every subscription
//! receives.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Such as `essay.published`.
    pub event_type: String,
    pub document_id: Option<Uuid>,
    /// The JSON body sent, byte for byte.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
