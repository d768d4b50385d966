//! `/v1/people`: authors, writers and organizers, with their works.

mod dto;
mod input;
mod list;
mod person;

pub use dto::{Person, PersonList, PersonSummary};
pub use input::PersonInput;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config.service(list::list_people).configure(person::configure);
}
