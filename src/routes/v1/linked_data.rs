//! schema.org JSON-LD for each content type, served by `GET /v1/{type}/{id-or-slug}`
//! to callers that send `Accept: application/ld+json`: an `Article`, a
//! `MusicComposition` with its lyrics, an `Event` with its status, mode of
//! attendance and location. Built from the same DTOs the JSON answers use.

use serde_json::{Map, Value, json};

use super::document::DocumentFields;
use super::essays::Essay;
use super::events::Event;
use super::lyrics::Lyrics;

/// The media type, and what `Accept` must name to get it.
pub const JSON_LD: &str = "application/ld+json";

/// A DTO that can say what it is in schema.org terms.
pub trait LinkedData {
    /// The JSON-LD document; `url` is the document's own address.
    fn json_ld(&self, url: &str) -> Value;
}

/// Does the request prefer JSON-LD to plain JSON, by the weights of its
/// `Accept` (JSON on a tie, and when it accepts neither)?
pub fn wants_json_ld(request: &actix_web::HttpRequest) -> bool {
    let accept = request.headers().get(actix_web::http::header::ACCEPT).and_then(|v| v.to_str().ok());
    crate::http::negotiation::preferred(accept, &["application/json", JSON_LD]) == Some(JSON_LD)
}

/// What every type shares: name, language, dates, keywords.
fn common(kind: &str, document: &DocumentFields, url: &str) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("@context".into(), json!("https://schema.org"));
    object.insert("@type".into(), json!(kind));
    object.insert("@id".into(), json!(url));
    object.insert("url".into(), json!(url));
    object.insert("identifier".into(), json!(document.id));
    object.insert("inLanguage".into(), json!(document.locale));
    object.insert("dateCreated".into(), json!(document.created_at));
    object.insert("dateModified".into(), json!(document.updated_at));
    if let Some(published) = document.published_at {
        object.insert("datePublished".into(), json!(published));
    }
    if !document.tags.is_empty() {
        object.insert(
            "keywords".into(),
            json!(document.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>()),
        );
    }
    object
}

fn person(name: &str) -> Value {
    json!({"@type": "Person", "name": name})
}

impl LinkedData for Essay {
    fn json_ld(&self, url: &str) -> Value {
        let mut object = common("Article", &self.document, url);
        object.insert("headline".into(), json!(self.document.title));
        if let Some(subtitle) = &self.subtitle {
            object.insert("alternativeHeadline".into(), json!(subtitle));
        }
        object.insert("description".into(), json!(self.excerpt));
        object.insert("articleBody".into(), json!(self.body_markdown));
        object.insert("wordCount".into(), json!(self.word_count));
        object.insert("timeRequired".into(), json!(format!("PT{}M", self.reading_time_minutes)));
        let authors: Vec<Value> = self
            .authors
            .iter()
            .map(|a| {
                let mut author = person(&a.name);
                if let Some(affiliation) = &a.affiliation {
                    author["affiliation"] = json!({"@type": "Organization", "name": affiliation});
                }
                author
            })
            .collect();
        object.insert("author".into(), json!(authors));
        Value::Object(object)
    }
}

impl LinkedData for Lyrics {
    fn json_ld(&self, url: &str) -> Value {
        let mut object = common("MusicComposition", &self.document, url);
        object.insert("name".into(), json!(self.document.title));
        let by_role = |roles: &[&str]| -> Vec<Value> {
            self.writers
                .iter()
                .filter(|w| roles.contains(&w.role.as_str()))
                .map(|w| person(&w.name))
                .collect()
        };
        object.insert("lyricist".into(), json!(by_role(&["lyricist", "writer"])));
        object.insert("composer".into(), json!(by_role(&["composer", "writer"])));
        object.insert(
            "lyrics".into(),
            json!({"@type": "CreativeWork", "text": self.text, "inLanguage": self.language}),
        );
        if let Some(year) = self.year {
            object.insert("dateCreated".into(), json!(year.to_string()));
        }
        if let Some(tune) = &self.tune {
            object.insert("isBasedOn".into(), json!({"@type": "MusicComposition", "name": tune}));
        }
        if let Some(attribution) = &self.rights.attribution {
            object.insert("copyrightNotice".into(), json!(attribution));
        }
        if self.rights.status == "public_domain" {
            object.insert("license".into(), json!("https://creativecommons.org/publicdomain/mark/1.0/"));
        }
        Value::Object(object)
    }
}

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
