//! schema.org JSON-LD, served by `GET /v1/{type}/{id-or-slug}` to callers
//! that send `Accept: application/ld+json`: the trait each type's DTO
//! implements (in its own folder), and what every type shares. Built from
//! the same DTOs the JSON answers use.

use serde_json::{Map, Value, json};

use super::dto::DocumentFields;

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
pub fn common(kind: &str, document: &DocumentFields, url: &str) -> Map<String, Value> {
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

pub fn person(name: &str) -> Value {
    json!({"@type": "Person", "name": name})
}
