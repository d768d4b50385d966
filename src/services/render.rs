//! How a document is shown: the representation of each content type that
//! every revision, webhook payload and sync record carries. It is an API
//! version's representation (today `/v1`'s), registered once at start-up
//! as [`Renderers`]; the services call it, so that nothing below the routes
//! depends on a route, and every place a document is shown shows it alike.

use serde_json::Value;

use super::documents::{ContentType, Entry};
use super::essays::{EssayDetail, Essays};
use super::events::{EventDetail, Events};
use super::lyrics::{Lyrics, LyricsDetail};

/// Renders a document as it stands: `{"document": …, "input": …}`, the
/// document as the API shows it and the request body that recreates it.
pub type Render<D> = fn(&Entry<D>) -> Value;

/// The renderer of each content type.
#[derive(Clone, Copy)]
pub struct Renderers {
    pub essay: Render<EssayDetail>,
    pub lyrics: Render<LyricsDetail>,
    pub event: Render<EventDetail>,
}

/// A content type whose renderer [`Renderers`] holds.
pub trait Rendered: ContentType {
    fn renderer(renderers: &Renderers) -> Render<Self::Detail>;
}

impl Rendered for Essays {
    fn renderer(renderers: &Renderers) -> Render<EssayDetail> {
        renderers.essay
    }
}

impl Rendered for Lyrics {
    fn renderer(renderers: &Renderers) -> Render<LyricsDetail> {
        renderers.lyrics
    }
}

impl Rendered for Events {
    fn renderer(renderers: &Renderers) -> Render<EventDetail> {
        renderers.event
    }
}

impl Renderers {
    /// `entry` rendered: the document and the body that recreates it.
    pub fn render<T: Rendered>(&self, entry: &Entry<T::Detail>) -> Value {
        (T::renderer(self))(entry)
    }
}
