//! Request parameters and response bodies of `/v1/tags`.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::routes::v1::listing::listing_schema;
use crate::services::tags::TagRecord;

/// Order of a tag listing; `slug` by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum TagSort {
    #[serde(rename = "slug")]
    Slug,
    #[serde(rename = "-slug")]
    SlugDesc,
}

/// Parameters of `GET /v1/tags`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TagListParams {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, unchanged.
    #[param(example = "WyJzbHVnIix7InMiOiJsYWJvciJ9LCIwMTkzIl0")]
    pub cursor: Option<String>,
    /// `slug` (default) or `-slug`.
    #[param(inline, example = "slug")]
    pub sort: Option<TagSort>,
    /// Only these top-level fields of each item, comma-separated (unknown
    /// names are a 400).
    #[param(example = "id,slug,title")]
    pub fields: Option<String>,
}

/// Parameters of `GET /v1/tags/{id_or_slug}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TagGetParams {
    /// Only these top-level fields, comma-separated (unknown names are a 400).
    #[param(example = "slug,document_count")]
    pub fields: Option<String>,
}

/// A tag and how many published documents carry it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tag {
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6e")]
    pub id: Uuid,
    #[schema(example = "solidarity")]
    pub slug: String,
    #[schema(example = "Solidarity")]
    pub name: String,
    /// Published documents of any type with this tag.
    #[schema(example = 2)]
    pub document_count: u64,
    #[schema(example = 1)]
    pub version: i32,
}

impl From<&TagRecord> for Tag {
    fn from(record: &TagRecord) -> Self {
        Self {
            id: record.tag.id,
            slug: record.tag.slug.clone(),
            name: record.tag.name.clone(),
            document_count: record.documents,
            version: record.tag.version,
        }
    }
}

listing_schema!(TagList, Tag, "tags");
