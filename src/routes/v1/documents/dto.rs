//! What the representation of every document has, whatever its type:
//! each type's DTOs flatten these in, so the three types look alike where
//! they are alike.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::services::documents::{Entry, Link};
use crate::services::people::Credit;

/// The fields every full document has.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentFields {
    /// UUID v7.
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b")]
    pub id: Uuid,
    /// `essay`, `lyrics` or `event`.
    #[serde(rename = "type")]
    #[schema(example = "essay")]
    pub kind: String,
    /// Unique per type and locale: lowercase letters, digits and hyphens.
    #[schema(example = "proletarian-internationalism")]
    pub slug: String,
    /// BCP 47 language tag.
    #[schema(example = "en")]
    pub locale: String,
    /// `draft`, `scheduled`, `published` or `archived`.
    #[schema(example = "published")]
    pub status: String,
    /// Revision number: 1 when created, one more on every change.
    #[schema(example = 1)]
    pub version: i32,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub created_at: DateTime<Utc>,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub updated_at: DateTime<Utc>,
    #[schema(example = "Proletarian Internationalism")]
    pub title: String,
    pub tags: Vec<TagRef>,
    /// Visible documents of any type this one links to or is linked from.
    pub related: Vec<DocumentLink>,
    /// The same document in other locales.
    pub translations: Vec<DocumentLink>,
}

impl<D> From<&Entry<D>> for DocumentFields {
    fn from(entry: &Entry<D>) -> Self {
        let d = &entry.document;
        Self {
            id: d.id,
            kind: d.kind.clone(),
            slug: d.slug.clone(),
            locale: d.locale.clone(),
            status: d.status.clone(),
            version: d.version,
            published_at: d.published_at,
            created_at: d.created_at,
            updated_at: d.updated_at,
            title: d.title.clone(),
            tags: entry.shared.tags.iter().map(TagRef::from).collect(),
            related: entry.shared.related.iter().map(DocumentLink::from).collect(),
            translations: entry.shared.translations.iter().map(DocumentLink::from).collect(),
        }
    }
}

/// The fields every document summary in a list has.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryFields {
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b")]
    pub id: Uuid,
    /// `essay`, `lyrics` or `event`.
    #[serde(rename = "type")]
    #[schema(example = "essay")]
    pub kind: String,
    #[schema(example = "proletarian-internationalism")]
    pub slug: String,
    #[schema(example = "en")]
    pub locale: String,
    #[schema(example = "published")]
    pub status: String,
    #[schema(example = 1)]
    pub version: i32,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub updated_at: DateTime<Utc>,
    #[schema(example = "Proletarian Internationalism")]
    pub title: String,
    pub tags: Vec<TagRef>,
    /// The ETag of this version, for `If-Match` (to change it, or restore
    /// it when it is deleted).
    #[schema(example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6b-v1\"")]
    pub etag: String,
    /// When it was deleted; `null` unless listed with `status=deleted`.
    #[schema(example = json!(null))]
    pub deleted_at: Option<DateTime<Utc>>,
}

impl<D> From<&Entry<D>> for SummaryFields {
    fn from(entry: &Entry<D>) -> Self {
        let d = &entry.document;
        Self {
            id: d.id,
            kind: d.kind.clone(),
            slug: d.slug.clone(),
            locale: d.locale.clone(),
            status: d.status.clone(),
            version: d.version,
            published_at: d.published_at,
            updated_at: d.updated_at,
            title: d.title.clone(),
            tags: entry.shared.tags.iter().map(TagRef::from).collect(),
            etag: super::target::etag(d),
            deleted_at: d.deleted_at,
        }
    }
}

/// A tag as shown on a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagRef {
    #[schema(example = "solidarity")]
    pub slug: String,
    #[schema(example = "Solidarity")]
    pub name: String,
}

impl From<&entity::tag::Model> for TagRef {
    fn from(tag: &entity::tag::Model) -> Self {
        Self { slug: tag.slug.clone(), name: tag.name.clone() }
    }
}

/// A link to another document.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentLink {
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
}

impl From<&Link> for DocumentLink {
    fn from(link: &Link) -> Self {
        Self {
            id: link.id,
            kind: link.kind.clone(),
            slug: link.slug.clone(),
            locale: link.locale.clone(),
            title: link.title.clone(),
        }
    }
}

/// A person credited on a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRef {
    #[schema(example = "alvaro-rodriguez")]
    pub slug: String,
    #[schema(example = "Alvaro Rodriguez")]
    pub name: String,
}

impl From<&Credit> for PersonRef {
    fn from(credit: &Credit) -> Self {
        Self { slug: credit.person.slug.clone(), name: credit.person.name.clone() }
    }
}

/// Declares a sort parameter: its accepted values and the listing order each
/// one means. (`$text:tt`, not `literal`: utoipa must see the string itself
/// in `serde(rename)` to document the accepted values.)
macro_rules! sort_param {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:tt => $field:ident, $descending:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub fn sort(self) -> crate::services::documents::Sort {
                use crate::services::documents::{Sort, SortField};
                match self {
                    $(Self::$variant => Sort::new(SortField::$field, $descending),)+
                }
            }
        }
    };
}
pub(crate) use sort_param;
