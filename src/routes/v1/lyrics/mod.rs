//! `/v1/lyrics`: songs as stanzas stored once, an arrangement giving the
//! sung order, and the full text in that order.

mod document;
mod dto;
mod input;
mod linked_data;
mod list;

pub use dto::{Lyrics, LyricsList, LyricsSummary};
pub use input::LyricsInput;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config.service(list::list_lyrics).configure(document::configure);
}
