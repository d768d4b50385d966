//! The body of `POST` and `PATCH /v1/people`, and what the shared catalog
//! actions need to know of people.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::Person;
use crate::domain::text;
use crate::error::AppError;
use crate::http::body::Body;
use crate::http::input::checked;
use crate::routes::v1::catalog::{CatalogInput, slug_and_name};
use crate::services::catalog;
use crate::services::people::PersonFields;

/// Longest biography, in characters.
const MAX_BIO: usize = 10_000;

/// The writable fields of a person.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// Lowercase letters, digits and single hyphens; unique among people.
    #[schema(example = "ralph-chaplin")]
    pub slug: String,
    /// 1 to 200 characters.
    #[schema(example = "Ralph Chaplin")]
    pub name: String,
    /// Up to 10,000 characters of plain text.
    #[serde(default)]
    #[schema(example = "American writer, artist and organizer of the Industrial Workers of the World.")]
    pub bio: Option<String>,
}

impl Body for PersonInput {
    const LIMIT: usize = 64 * 1024;
}

impl CatalogInput for PersonInput {
    type Kind = catalog::Person;
    type Dto = Person;
    const COLLECTION: &'static str = "people";

    fn of(person: &entity::person::Model) -> Self {
        Self { slug: person.slug.clone(), name: person.name.clone(), bio: person.bio.clone() }
    }

    fn fields(self) -> Result<PersonFields, AppError> {
        let mut errors = Vec::new();
        let bio = checked("bio", text::optional_lines(self.bio.as_deref(), MAX_BIO), &mut errors);
        let (slug, name) = slug_and_name(&self.slug, &self.name, 200, errors)?;
        Ok(PersonFields { slug, name, bio })
    }
}
