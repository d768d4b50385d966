//! `/v1/tags`: the tags shared by documents of every type.

mod dto;
mod list;

pub use dto::{Tag, TagList};

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config.service(list::list_tags);
}
