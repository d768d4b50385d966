//! Domain values and rules. Each type has private fields and a `parse` that
//! is the only way to build one, so anything holding a `Slug` holds a valid
//! slug. Nothing here knows about HTTP or the database.

mod document;
pub mod draft;
mod event;
mod locale;
pub mod lyrics;
pub mod markdown;
pub mod network;
pub mod placeholders;
mod slug;
pub mod text;
pub mod vtimezone;

pub use document::{DocumentKind, DocumentStatus, Visibility};
pub use event::{AttendanceMode, Country, EventStatus, EventTimes, Months, Recurrence, TimeZone};
pub use locale::{Locale, LocalePreference, Translation, accept_language, choose_translation};
pub use slug::{IdOrSlug, Slug};

/// `at` as it is kept: to the microsecond, PostgreSQL's precision on
/// both databases, so that a document as written is the document as any
/// later read finds it.
pub fn kept(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    chrono::SubsecRound::trunc_subsecs(at, 6)
}

/// The time now, [`kept`].
pub fn now() -> chrono::DateTime<chrono::Utc> {
    kept(chrono::Utc::now())
}

/// A rule a value broke, in words fit for the API's error messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
