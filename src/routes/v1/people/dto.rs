//! Request parameters and response bodies of `/v1/people`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::routes::v1::listing::listing_schema;
use crate::services::people::{PersonRecord, Work as WorkRecord};

/// Order of a people listing; `name` by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum PersonSort {
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "-name")]
    NameDesc,
}

/// Parameters of `GET /v1/people`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonListParams {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, unchanged.
    #[param(example = "WyJuYW1lIix7InMiOiJBbHZhcm8gUm9kcmlndWV6In0sIjAxOTMiXQ")]
    pub cursor: Option<String>,
    /// `name` (default) or `-name`.
    #[param(inline, example = "name")]
    pub sort: Option<PersonSort>,
    /// Only these top-level fields of each item, comma-separated (unknown
    /// names are a 400).
    #[param(example = "id,slug,title")]
    pub fields: Option<String>,
}

/// Parameters of `GET /v1/people/{id_or_slug}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonGetParams {
    /// Only these top-level fields, comma-separated (unknown names are a 400).
    #[param(example = "id,name,works")]
    pub fields: Option<String>,
}

/// A person in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonSummary {
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6d")]
    pub id: Uuid,
    #[schema(example = "ralph-chaplin")]
    pub slug: String,
    #[schema(example = "Ralph Chaplin")]
    pub name: String,
}

impl From<&entity::person::Model> for PersonSummary {
    fn from(p: &entity::person::Model) -> Self {
        Self { id: p.id, slug: p.slug.clone(), name: p.name.clone() }
    }
}

/// A document a person is credited on.
#[derive(Debug, Serialize, ToSchema)]
pub struct Work {
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6c")]
    pub id: Uuid,
    #[serde(rename = "type")]
    #[schema(example = "lyrics")]
    pub kind: String,
    #[schema(example = "solidarity-forever")]
    pub slug: String,
    #[schema(example = "en")]
    pub locale: String,
    #[schema(example = "Solidarity Forever")]
    pub title: String,
    /// `author`, `writer` or `organizer`.
    #[schema(example = "writer")]
    pub credit: String,
    /// The affiliation (essays) or role (songs) printed with the credit.
    #[schema(example = "lyricist")]
    pub credited_as: Option<String>,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub published_at: Option<DateTime<Utc>>,
}

impl From<&WorkRecord> for Work {
    fn from(w: &WorkRecord) -> Self {
        let d = &w.document;
        Self {
            id: d.id,
            kind: d.kind.clone(),
            slug: d.slug.clone(),
            locale: d.locale.clone(),
            title: d.title.clone(),
            credit: w.role.to_owned(),
            credited_as: w.detail.clone(),
            published_at: d.published_at,
        }
    }
}

/// A person with their most recent works.
#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6d")]
    pub id: Uuid,
    #[schema(example = "ralph-chaplin")]
    pub slug: String,
    #[schema(example = "Ralph Chaplin")]
    pub name: String,
    #[schema(example = "American writer, artist and organizer of the Industrial Workers of the World.")]
    pub bio: Option<String>,
    /// Up to 20 published works, newest first; filter the lists by
    /// `author`, `writer` or `organizer` for all of them.
    pub works: Vec<Work>,
    /// How many published works the person is credited on.
    #[schema(example = 1)]
    pub works_total: u64,
    #[schema(example = 1)]
    pub version: i32,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub updated_at: DateTime<Utc>,
}

impl From<&PersonRecord> for Person {
    fn from(record: &PersonRecord) -> Self {
        let p = &record.person;
        Self {
            id: p.id,
            slug: p.slug.clone(),
            name: p.name.clone(),
            bio: p.bio.clone(),
            works: record.works.iter().map(Work::from).collect(),
            works_total: record.works_total,
            version: p.version,
            updated_at: p.updated_at,
        }
    }
}

listing_schema!(PersonList, PersonSummary, "people");
