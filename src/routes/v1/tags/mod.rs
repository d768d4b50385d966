//! `/v1/tags`: the tags shared by documents of every type.

mod dto;
mod get;
mod input;
mod list;
mod writes;

pub use dto::{Tag, TagList};
pub use input::TagInput;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list::list_tags)
        .service(writes::create_tag)
        .service(get::get_tag)
        .service(writes::update_tag)
        .service(writes::delete_tag);
}
