//! How a document is shown: the representations of each content type that
//! the stored renderings, revisions, webhook payloads and sync records
//! carry. They are an API version's representations (today `/v1`'s),
//! registered once at start-up as [`Renderers`]; the services call them,
//! so that nothing below the routes depends on a route, and every place a
//! document is shown shows it alike.

use serde_json::Value;

use super::documents::{ContentType, Entry};
use super::essays::{EssayDetail, Essays};
use super::events::{EventDetail, Events};
use super::lyrics::{Lyrics, LyricsDetail};

/// The representations of one content type.
pub struct Renderer<D> {
    /// The document as `GET /v1/{type}/{id}` answers it, as JSON text; the
    /// entry is as its reader may see it.
    pub document: fn(&Entry<D>) -> Result<String, serde_json::Error>,
    /// Its item in a listing, as JSON text.
    pub summary: fn(&Entry<D>) -> Result<String, serde_json::Error>,
    /// `{"document": …, "input": …}`: the document as shown, and the request
    /// body that recreates it (what restoring a revision writes back).
    pub snapshot: fn(&Entry<D>) -> Value,
    /// Its `VEVENT`, for calendars, as stored text; `None` for types that
    /// calendars do not carry.
    pub ical: fn(&Entry<D>) -> Option<String>,
}

/// The renderer of each content type.
pub struct Renderers {
    pub essay: Renderer<EssayDetail>,
    pub lyrics: Renderer<LyricsDetail>,
    pub event: Renderer<EventDetail>,
}

/// A content type whose renderer [`Renderers`] holds.
pub trait Rendered: ContentType {
    fn renderer(renderers: &Renderers) -> &Renderer<Self::Detail>;
}

impl Rendered for Essays {
    fn renderer(renderers: &Renderers) -> &Renderer<EssayDetail> {
        &renderers.essay
    }
}

impl Rendered for Lyrics {
    fn renderer(renderers: &Renderers) -> &Renderer<LyricsDetail> {
        &renderers.lyrics
    }
}

impl Rendered for Events {
    fn renderer(renderers: &Renderers) -> &Renderer<EventDetail> {
        &renderers.event
    }
}

impl Renderers {
    /// `entry` rendered for a revision: the document and the body that
    /// recreates it.
    pub fn render<T: Rendered>(&self, entry: &Entry<T::Detail>) -> Value {
        (T::renderer(self).snapshot)(entry)
    }

    /// `entry` as `GET` answers it, as JSON text.
    pub fn document<T: Rendered>(&self, entry: &Entry<T::Detail>) -> Result<String, serde_json::Error> {
        (T::renderer(self).document)(entry)
    }

    /// `entry` as calendars carry it, for types they carry.
    pub fn ical<T: Rendered>(&self, entry: &Entry<T::Detail>) -> Option<String> {
        (T::renderer(self).ical)(entry)
    }

    /// `entry` as a listing's item, as JSON text.
    pub fn summary<T: Rendered>(&self, entry: &Entry<T::Detail>) -> Result<String, serde_json::Error> {
        (T::renderer(self).summary)(entry)
    }
}
