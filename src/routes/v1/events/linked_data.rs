//! An event in schema.org terms: an `Event` with its status, mode of
//! attendance and location.

use serde_json::{Value, json};

use super::dto::Event;
use crate::routes::v1::documents::linked_data::{LinkedData, common, person};

impl LinkedData for Event {
    fn json_ld(&self, url: &str) -> Value {
        let mut object = common("Event", &self.document, url);
        object.insert("name".into(), json!(self.document.title));
        object.insert("description".into(), json!(self.summary));
        object.insert("startDate".into(), json!(self.when.starts_at.to_rfc3339()));
        object.insert("endDate".into(), json!(self.when.ends_at.to_rfc3339()));
        let status = match self.event_status.as_str() {
            "cancelled" => "EventCancelled",
            "postponed" => "EventPostponed",
            "rescheduled" => "EventRescheduled",
            _ => "EventScheduled",
        };
        object.insert("eventStatus".into(), json!(format!("https://schema.org/{status}")));
        let mode = match self.attendance_mode.as_str() {
            "online" => "OnlineEventAttendanceMode",
            "mixed" => "MixedEventAttendanceMode",
            _ => "OfflineEventAttendanceMode",
        };
        object.insert("eventAttendanceMode".into(), json!(format!("https://schema.org/{mode}")));
        let mut locations = Vec::new();
        if let Some(venue) = &self.venue {
            let mut place = json!({"@type": "Place"});
            if let Some(name) = &venue.name {
                place["name"] = json!(name);
            }
            let mut address = json!({"@type": "PostalAddress"});
            for (key, value) in [
                ("streetAddress", &venue.address),
                ("addressLocality", &venue.city),
                ("addressCountry", &venue.country),
            ] {
                if let Some(value) = value {
                    address[key] = json!(value);
                }
            }
            place["address"] = address;
            if let (Some(latitude), Some(longitude)) = (venue.latitude, venue.longitude) {
                place["geo"] =
                    json!({"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude});
            }
            locations.push(place);
        }
        if let Some(online) = &self.online_url {
            locations.push(json!({"@type": "VirtualLocation", "url": online}));
        }
        match locations.len() {
            0 => {}
            1 => {
                object.insert("location".into(), locations.remove(0));
            }
            _ => {
                object.insert("location".into(), json!(locations));
            }
        }
        if !self.organizers.is_empty() {
            object.insert(
                "organizer".into(),
                json!(self.organizers.iter().map(|o| person(&o.name)).collect::<Vec<_>>()),
            );
        }
        if let Some(recurrence) = &self.when.recurrence {
            object.insert(
                "eventSchedule".into(),
                json!({"@type": "Schedule", "repeatFrequency": recurrence, "scheduleTimezone": self.when.time_zone}),
            );
        }
        if let Some(registration) = &self.registration_url {
            object.insert("offers".into(), json!({"@type": "Offer", "url": registration}));
        }
        Value::Object(object)
    }
}
