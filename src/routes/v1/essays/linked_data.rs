//! An essay in schema.org terms: an `Article`.

use serde_json::{Value, json};

use super::dto::Essay;
use crate::routes::v1::documents::linked_data::{LinkedData, common, person};

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
