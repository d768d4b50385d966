//! `events`: the event-specific part of a document. Times are stored in UTC
//! and shown in the event's own IANA time zone.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    #[sea_orm(column_type = "Text")]
    pub description_markdown: String,
    #[sea_orm(column_type = "Text")]
    pub description_html: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// When the last occurrence ends; `None` for a recurrence without end.
    pub series_ends_at: Option<DateTimeUtc>,
    /// Whether the series runs longer than 31 days, or without end: such
    /// events are found apart from the others, which a window of time finds
    /// by their start.
    pub long_running: bool,
    /// The months (UTC, bit 0 January) in which an occurrence may be
    /// running; all twelve (4095) when not known more closely.
    pub months: i32,
    /// Whether the document is public (published, not deleted), as the
    /// write that last changed either left it: a window of public events
    /// reads it here rather than from the document.
    pub public: bool,
    pub time_zone: String,
    pub all_day: bool,
    /// An RFC 5545 RRULE value such as `FREQ=YEARLY`.
    pub recurrence: Option<String>,
    /// `scheduled`, `cancelled`, `postponed` or `rescheduled`.
    pub event_status: String,
    /// `in_person`, `online` or `mixed`.
    pub attendance_mode: String,
    pub venue_name: Option<String>,
    pub venue_address: Option<String>,
    pub venue_city: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub venue_country: Option<String>,
    pub venue_latitude: Option<f64>,
    pub venue_longitude: Option<f64>,
    pub online_url: Option<String>,
    pub registration_url: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
