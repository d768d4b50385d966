//! `/v1/events`: events with times in their own zone, recurrence, venue and
//! status.

mod calendar;
mod document;
mod dto;
mod ical;
mod input;
mod linked_data;
mod list;
mod vevent;

pub use dto::{Event, EventList, EventSummary};
pub use input::EventInput;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list::list_events)
        .service(calendar::events_calendar)
        .service(calendar::event_calendar)
        .service(calendar::event_occurrences)
        .configure(document::configure);
}
