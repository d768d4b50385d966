//! `/v1/events`: events with times in their own zone, recurrence, venue and
//! status.

mod dto;
mod get;
mod list;

pub use dto::{Event, EventList, EventSummary};

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config.service(list::list_events).service(get::get_event);
}
