//! `/v1/tags`: the tags shared by documents of every type.

mod dto;
mod input;
mod list;
mod tag;

pub use dto::{Tag, TagList};
pub use input::TagInput;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config.service(list::list_tags).configure(tag::configure);
}
