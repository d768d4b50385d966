//! `/v1/essays`: essays with their authors, Markdown body and rendered HTML.

mod document;
mod dto;
mod feeds;
mod input;
mod linked_data;
mod list;

pub use dto::{Essay, EssayList, EssaySummary};
pub use input::EssayInput;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list::list_essays)
        .service(feeds::essays_atom)
        .service(feeds::essays_rss)
        .service(feeds::essays_json_feed)
        .configure(document::configure);
}
