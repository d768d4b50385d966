//! Version 1 of the API. Inside `/v1` only additive changes are made.

pub mod api_keys;
pub mod auth;
mod catalog;
pub mod documents;
pub mod essays;
pub mod events;
pub mod listing;
pub mod lyrics;
pub mod params;
pub mod people;
pub mod search;
pub mod stream;
pub mod sync;
pub mod tags;
pub mod webhooks;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// How `/v1` shows each content type, for the services to record in
/// revisions and webhook payloads and to carry in sync.
pub fn renderers() -> crate::services::render::Renderers {
    use documents::renderer;
    crate::services::render::Renderers {
        essay: renderer::<essays::EssayInput>(),
        lyrics: renderer::<lyrics::LyricsInput>(),
        event: renderer::<events::EventInput>(),
    }
}

pub fn configure(config: &mut ServiceConfig) {
    config.service(
        scope::scope("/v1")
            .configure(auth::configure)
            .configure(api_keys::configure)
            .configure(essays::configure)
            .configure(lyrics::configure)
            .configure(events::configure)
            .configure(people::configure)
            .configure(tags::configure)
            .configure(search::configure)
            .configure(sync::configure)
            .configure(stream::configure)
            .configure(webhooks::configure),
    );
}
