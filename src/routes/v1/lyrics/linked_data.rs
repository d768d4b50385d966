//! Lyrics in schema.org terms: a `MusicComposition` with its lyrics.

use serde_json::{Value, json};

use super::dto::Lyrics;
use crate::routes::v1::documents::linked_data::{LinkedData, common, person};

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
