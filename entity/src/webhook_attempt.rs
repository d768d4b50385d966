//! `webhook_attempts`: every HTTP request made for a delivery.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub delivery_id: Uuid,
    /// 1 for the first attempt.
    pub number: i32,
    pub started_at: DateTimeUtc,
    pub latency_ms: i32,
    /// The receiver's HTTP status; none when no answer came.
    pub status_code: Option<i32>,
    /// What went wrong, when no answer came (timeout, refused, …).
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    /// The start of the receiver's answer.
    #[sea_orm(column_type = "Text", nullable)]
    pub response_snippet: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
