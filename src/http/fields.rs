//! Sparse field selection, `fields=id,slug,title`: a smaller payload for
//! mobile lists. The names a response may be cut down to are the
//! properties of its type's OpenAPI schema (`ToSchema`), so the parameter
//! and the documented shape cannot drift apart.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use utoipa::ToSchema;

use crate::error::AppError;

/// The top-level fields a caller asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields(Vec<String>);

impl Fields {
    /// Parses `value` against the properties of `T`'s schema; an empty or
    /// unknown name is a 400 listing the valid ones.
    pub fn parse<T: ToSchema>(value: Option<&str>) -> Result<Option<Self>, AppError> {
        let Some(value) = value else { return Ok(None) };
        let allowed = properties::<T>();
        let schema = T::name();
        let mut fields = Vec::new();
        for name in value.split(',').map(str::trim) {
            if !allowed.iter().any(|a| a == name) {
                let what =
                    if name.is_empty() { "an empty field name".to_owned() } else { format!("`{name}`") };
                return Err(AppError::bad_parameter(
                    "fields",
                    format!("{what} is not a field of {schema}; its fields are {}", allowed.join(", ")),
                ));
            }
            if !fields.iter().any(|f| f == name) {
                fields.push(name.to_owned());
            }
        }
        Ok(Some(Self(fields)))
    }

    /// Keeps only the selected fields of a JSON object.
    pub fn select(&self, value: &mut Value) {
        if let Value::Object(map) = value {
            map.retain(|key, _| self.0.iter().any(|f| f == key));
        }
    }
}

/// The property names of `T`'s schema, with those of its `allOf` parts
/// (flattened structs) included; worked out once per type.
fn properties<T: ToSchema>() -> Vec<String> {
    static BY_SCHEMA: OnceLock<Mutex<HashMap<String, Vec<String>>>> = OnceLock::new();
    let by_schema = BY_SCHEMA.get_or_init(Default::default);
    let name = T::name().into_owned();
    if let Some(known) = by_schema.lock().ok().and_then(|known| known.get(&name).cloned()) {
        return known;
    }
    let mut parts = Vec::new();
    T::schemas(&mut parts);
    let schemas: serde_json::Map<String, Value> = parts
        .into_iter()
        .filter_map(|(name, schema)| serde_json::to_value(schema).ok().map(|schema| (name, schema)))
        .collect();
    let schema = serde_json::to_value(T::schema()).unwrap_or_default();
    let names = collect(&schemas, &schema, 0);
    if let Ok(mut known) = by_schema.lock() {
        known.insert(name, names.clone());
    }
    names
}

fn collect(schemas: &serde_json::Map<String, Value>, schema: &Value, depth: u8) -> Vec<String> {
    if depth > 8 {
        return Vec::new();
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return schemas.get(name).map(|s| collect(schemas, s, depth + 1)).unwrap_or_default();
    }
    let mut names: Vec<String> =
        schema["properties"].as_object().into_iter().flatten().map(|(k, _)| k.clone()).collect();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        for name in collect(schemas, part, depth + 1) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct Common {
        id: u32,
        slug: String,
    }

    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct Essay {
        #[serde(flatten)]
        common: Common,
        title: String,
        body_html: String,
    }

    #[test]
    fn flattened_fields_are_selectable_and_unknown_ones_are_not() {
        let all = properties::<Essay>();
        for name in ["id", "slug", "title", "body_html"] {
            assert!(all.iter().any(|a| a == name), "{name} in {all:?}");
        }
        let fields = Fields::parse::<Essay>(Some("id, title,id")).ok().flatten();
        assert_eq!(fields, Some(Fields(vec!["id".into(), "title".into()])));
        assert!(Fields::parse::<Essay>(Some("id,password")).is_err());
        assert!(Fields::parse::<Essay>(Some("id,")).is_err());
        let mut value = serde_json::json!({"id": 1, "title": "t", "body_html": "<p>"});
        Fields(vec!["title".into()]).select(&mut value);
        assert_eq!(value, serde_json::json!({"title": "t"}));
    }
}
