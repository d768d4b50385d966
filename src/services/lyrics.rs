//! Songs: their own table, their stanzas and their writers. Everything else
//! about them is shared with the other types in `documents`.

use std::collections::HashMap;

use entity::{lyrics, lyrics_stanza, lyrics_writer, person};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::documents::{CommonFilter, ContentType, Listing};
use super::people::{self, Credit};
use super::writes::Inserted;
use crate::database::direct::Direct;
use crate::domain::{DocumentKind, Slug, Visibility};

pub struct Lyrics;

#[derive(Debug, Clone)]
pub struct LyricsDetail {
    pub lyrics: lyrics::Model,
    /// In stored order; `lyrics.arrangement` gives the sung order.
    pub stanzas: Vec<lyrics_stanza::Model>,
    pub writers: Vec<Credit>,
}

impl ContentType for Lyrics {
    const KIND: DocumentKind = DocumentKind::Lyrics;
    type Detail = LyricsDetail;

    async fn load<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, LyricsDetail>, DbErr> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let writers = people::credits_of::<lyrics_writer::Entity, C>(db, ids).await?;
        let stanzas = lyrics_stanza::Entity::find()
            .filter(lyrics_stanza::Column::DocumentId.is_in(ids.iter().copied()))
            .order_by_asc(lyrics_stanza::Column::Position)
            .all(db)
            .await?;
        let songs = lyrics::Entity::find()
            .filter(lyrics::Column::DocumentId.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        Ok(details(songs, stanzas, writers))
    }

    fn written(rows: &mut Inserted, people: &HashMap<Uuid, person::Model>) -> HashMap<Uuid, LyricsDetail> {
        let writers = people::credits::<lyrics_writer::Entity>(&rows.writers, people);
        details(std::mem::take(&mut rows.lyrics), std::mem::take(&mut rows.stanzas), writers)
    }

    async fn clear<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
        lyrics_writer::Entity::delete_many()
            .filter(lyrics_writer::Column::DocumentId.eq(id))
            .exec(db)
            .await?;
        lyrics_stanza::Entity::delete_many()
            .filter(lyrics_stanza::Column::DocumentId.eq(id))
            .exec(db)
            .await?;
        lyrics::Entity::delete_many().filter(lyrics::Column::DocumentId.eq(id)).exec(db).await?;
        Ok(())
    }
}

/// Songs with their stanzas (each song's in stored order) and writers.
fn details(
    songs: Vec<lyrics::Model>,
    stanzas: Vec<lyrics_stanza::Model>,
    mut writers: HashMap<Uuid, Vec<Credit>>,
) -> HashMap<Uuid, LyricsDetail> {
    let mut by_song: HashMap<Uuid, Vec<lyrics_stanza::Model>> = HashMap::new();
    for stanza in stanzas {
        by_song.entry(stanza.document_id).or_default().push(stanza);
    }
    songs
        .into_iter()
        .map(|lyrics| {
            let id = lyrics.document_id;
            let detail = LyricsDetail {
                lyrics,
                stanzas: by_song.remove(&id).unwrap_or_default(),
                writers: writers.remove(&id).unwrap_or_default(),
            };
            (id, detail)
        })
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct LyricsFilter {
    pub common: CommonFilter,
    /// Slug of a person credited as writer, in any role.
    pub writer: Option<Slug>,
}

/// What a listing of `filter` reads, as `visibility` sees it; `None` when
/// it names a tag or person that does not exist, so nothing can match.
/// The names are looked up on the serving thread when `direct` is given.
pub async fn listing<C: ConnectionTrait>(
    db: &C,
    direct: Option<&Direct>,
    visibility: Visibility,
    filter: &LyricsFilter,
) -> Result<Option<Listing>, DbErr> {
    let person = filter.writer.as_ref();
    people::listing::<lyrics_writer::Entity, C>(
        db,
        direct,
        DocumentKind::Lyrics,
        visibility,
        &filter.common,
        person,
    )
    .await
}
