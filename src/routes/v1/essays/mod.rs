//! `/v1/essays`: essays with their authors, Markdown body and rendered HTML.

mod dto;
mod feeds;
mod get;
mod input;
mod linked_data;
mod list;
mod writes;

pub use dto::{Essay, EssayList, EssaySummary};
pub use input::EssayInput;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list::list_essays)
        .service(feeds::essays_atom)
        .service(feeds::essays_rss)
        .service(feeds::essays_json_feed)
        .configure(writes::configure)
        .service(get::get_essay);
}
