//! The body of `POST` and `PATCH /v1/tags`, and what the shared catalog
//! actions need to know of tags.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::Tag;
use crate::error::AppError;
use crate::http::body::Body;
use crate::routes::v1::catalog::{CatalogInput, slug_and_name};
use crate::services::catalog;
use crate::services::tags::TagFields;

/// The writable fields of a tag.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagInput {
    /// Lowercase letters, digits and single hyphens; unique among tags.
    #[schema(example = "solidarity")]
    pub slug: String,
    /// 1 to 100 characters.
    #[schema(example = "Solidarity")]
    pub name: String,
}

impl Body for TagInput {
    const LIMIT: usize = 16 * 1024;
}

impl CatalogInput for TagInput {
    type Kind = catalog::Tag;
    type Dto = Tag;
    const COLLECTION: &'static str = "tags";

    fn of(tag: &entity::tag::Model) -> Self {
        Self { slug: tag.slug.clone(), name: tag.name.clone() }
    }

    fn fields(self) -> Result<TagFields, AppError> {
        let (slug, name) = slug_and_name(&self.slug, &self.name, 100, Vec::new())?;
        Ok(TagFields { slug, name })
    }
}
