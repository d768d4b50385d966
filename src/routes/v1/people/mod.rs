//! `/v1/people`: authors, writers and organizers, with their works.

mod dto;
mod get;
mod list;

pub use dto::{Person, PersonList, PersonSummary};

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config.service(list::list_people).service(get::get_person);
}
