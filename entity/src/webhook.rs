//! `webhooks`: subscriptions of integrators to content events.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Where deliveries are POSTed: an `http` or `https` URL.
    #[sea_orm(column_type = "Text")]
    pub url: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// Event types and patterns (`essay.published`, `event.*`, `*`), a JSON array.
    pub event_types: Json,
    /// Content types (`essay`, `lyrics`, `event`) to limit events to; all when null.
    pub content_types: Option<Json>,
    pub enabled: bool,
    /// Why the subscription was disabled, when it was disabled for failing.
    #[sea_orm(column_type = "Text", nullable)]
    pub disabled_reason: Option<String>,
    /// Deliveries in a row that failed every attempt.
    pub failed_deliveries: i32,
    /// The signing secret, `whsec_` and base64.
    #[sea_orm(column_type = "Text")]
    pub secret: String,
    /// The secret a rotation replaced: it signs too, until it expires.
    #[sea_orm(column_type = "Text", nullable)]
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
