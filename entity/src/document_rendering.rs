//! `document_renderings`: how the API shows each document, stored when it
//! is written: its list item, and its public representation while it is
//! public. A stale row is rendered again in the background; until then
//! readers render the document themselves.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document_renderings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: Uuid,
    pub stale: bool,
    /// The JSON of its item in a listing.
    #[sea_orm(column_type = "Text", nullable)]
    pub summary: Option<String>,
    /// The JSON of `GET /v1/{type}/{id}` for anonymous callers; `None`
    /// while the document is not public.
    #[sea_orm(column_type = "Text", nullable)]
    pub document: Option<String>,
    /// When what it says stops being true (an event's next occurrence
    /// ends); `None` for renderings the clock does not change.
    pub expires_at: Option<DateTimeUtc>,
    /// An event's `VEVENT` as calendars carry it while it is public; see
    /// `routes::v1::events::vevent` for its form. `None` for other types.
    #[sea_orm(column_type = "Text", nullable)]
    pub ical: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
