//! What a document as written names, looked up: the documents it links to,
//! the tags it carries and the people it credits, as far as they exist.
//! These are the facts the rules of [`DocumentDraft::parse`] check it
//! against.
//!
//! [`DocumentDraft::parse`]: crate::domain::draft::DocumentDraft::parse

use std::collections::HashMap;

use entity::{person, tag};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::documents;
use crate::database::direct::{Direct, Named};
use crate::domain::draft::{CommonInput, Existing, Known};
use crate::domain::{DocumentKind, Slug};

/// What exists of what `input` names and of the people `credited` names.
/// With `direct` (SQLite), tags and people are looked up on the calling
/// thread rather than through the pool.
pub async fn known<C: ConnectionTrait>(
    db: &C,
    direct: Option<&Direct>,
    input: &CommonInput<'_>,
    credited: &[(String, String)],
) -> Result<Known, DbErr> {
    let referenced = documents::existing(db, &input.referenced()).await?;
    let documents = referenced
        .into_values()
        .filter_map(|d| {
            let kind = d.kind.parse::<DocumentKind>().ok()?;
            Some((d.id, Existing { kind, translation_group: d.translation_group }))
        })
        .collect();
    let tags: Vec<String> = input.tag_slugs().iter().map(Slug::to_string).collect();
    let people: Vec<String> =
        credited.iter().filter(|(_, slug)| Slug::parse(slug).is_ok()).map(|(_, slug)| slug.clone()).collect();
    let on_thread = |direct: &Direct| -> rusqlite::Result<_> {
        Ok((direct.ids_by_slug(Named::Tag, &tags)?, direct.ids_by_slug(Named::Person, &people)?))
    };
    let found = direct
        .map(on_thread)
        .transpose()
        .inspect_err(|error| tracing::debug!(%error, "tags and people left to the pool"))
        .ok()
        .flatten();
    let (tags, people) = match found {
        Some(found) => found,
        None => (
            ids_by_slug(db, tag::Entity, tag::Column::Id, tag::Column::Slug, &tags).await?,
            ids_by_slug(db, person::Entity, person::Column::Id, person::Column::Slug, &people).await?,
        ),
    };
    Ok(Known { documents, tags, people })
}

/// The ids of the rows of `table` with each of `slugs`, by slug.
async fn ids_by_slug<C: ConnectionTrait, E: EntityTrait>(
    db: &C,
    _table: E,
    id: E::Column,
    slug: E::Column,
    slugs: &[String],
) -> Result<HashMap<String, Uuid>, DbErr> {
    if slugs.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String)> = E::find()
        .select_only()
        .column(id)
        .column(slug)
        .filter(slug.is_in(slugs.iter().cloned()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, slug)| (slug, id)).collect())
}
