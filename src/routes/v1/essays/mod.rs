//! `/v1/essays`: essays with their authors, Markdown body and rendered HTML.

mod dto;
mod get;
mod list;

pub use dto::{Essay, EssayList, EssaySummary};

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config.service(list::list_essays).service(get::get_essay);
}
