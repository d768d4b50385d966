//! sea-orm entities of Broadside: one file per table, no application logic.
//!
//! Every document of any type has one row in `documents` (the shared
//! publication, visibility and versioning columns) and one row in the table of
//! its type (`essays`, `lyrics`, `events`) keyed by the same id.

pub mod api_key;
pub mod change_log;
pub mod document;
pub mod document_facet;
pub mod document_relation;
pub mod document_rendering;
pub mod document_tag;
pub mod essay;
pub mod essay_author;
pub mod event;
pub mod event_organizer;
pub mod lyrics;
pub mod lyrics_stanza;
pub mod lyrics_writer;
pub mod person;
pub mod refresh_token;
pub mod revision;
pub mod tag;
pub mod user;
pub mod webhook;
pub mod webhook_attempt;
pub mod webhook_delivery;
pub mod webhook_event;
