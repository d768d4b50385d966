//! `/v1/people`: authors, writers and organizers, with their works.

mod dto;
mod get;
mod input;
mod list;
mod writes;

pub use dto::{Person, PersonList, PersonSummary};
pub use input::PersonInput;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list::list_people)
        .service(writes::create_person)
        .service(get::get_person)
        .service(writes::update_person)
        .service(writes::delete_person);
}
