//! Turning new documents into rows, and writing rows in batches. One document
//! and a hundred thousand take the same path: the rows of a document are
//! built once, here, and inserted in as few statements as the database's
//! parameter limit allows.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    document, document_relation, document_tag, essay, essay_author, event, event_organizer, lyrics,
    lyrics_stanza, lyrics_writer, person, tag,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QuerySelect, TryIntoModel,
};
use uuid::Uuid;

use crate::domain::draft::{NewContent, NewDocument, NewEssay, NewEvent, NewLyrics, NewPerson, NewTag};
use crate::domain::{DocumentKind, DocumentStatus};

/// A new document as it is written, for what is kept beside it (see
/// [`super::projections::created`]): what would otherwise be read back.
#[derive(Debug, Clone)]
pub struct Fresh {
    pub id: Uuid,
    pub kind: DocumentKind,
    pub public: bool,
    pub title: String,
    pub published_at: Option<DateTime<Utc>>,
    /// When it starts (events).
    pub starts_at: Option<DateTime<Utc>>,
    /// Joins the translation group of another document.
    pub translates: bool,
    /// The documents it links to.
    pub related: Vec<Uuid>,
    pub tags: Vec<Uuid>,
    /// The people it credits, each once.
    pub people: Vec<Uuid>,
}

/// Rows waiting to be inserted, table by table.
#[derive(Default)]
pub struct Batch {
    people: Vec<person::ActiveModel>,
    tags: Vec<tag::ActiveModel>,
    documents: Vec<document::ActiveModel>,
    fresh: Vec<Fresh>,
    essays: Vec<essay::ActiveModel>,
    essay_authors: Vec<essay_author::ActiveModel>,
    lyrics: Vec<lyrics::ActiveModel>,
    stanzas: Vec<lyrics_stanza::ActiveModel>,
    writers: Vec<lyrics_writer::ActiveModel>,
    events: Vec<event::ActiveModel>,
    organizers: Vec<event_organizer::ActiveModel>,
    document_tags: Vec<document_tag::ActiveModel>,
    relations: Vec<document_relation::ActiveModel>,
}

/// The rows of new documents as they were written: what a read of them
/// inside the transaction would find, but for the tags and people they
/// name, which other writers may change and a create reads in its
/// transaction.
#[derive(Debug, Default)]
pub struct Inserted {
    pub documents: Vec<document::Model>,
    pub essays: Vec<essay::Model>,
    pub essay_authors: Vec<essay_author::Model>,
    pub lyrics: Vec<lyrics::Model>,
    pub stanzas: Vec<lyrics_stanza::Model>,
    pub writers: Vec<lyrics_writer::Model>,
    pub events: Vec<event::Model>,
    pub organizers: Vec<event_organizer::Model>,
    pub document_tags: Vec<document_tag::Model>,
}

impl Inserted {
    /// The people the documents credit, each once.
    pub fn people(&self) -> Vec<Uuid> {
        let authors = self.essay_authors.iter().map(|credit| credit.person_id);
        let writers = self.writers.iter().map(|credit| credit.person_id);
        let organizers = self.organizers.iter().map(|credit| credit.person_id);
        super::pages::dedup(authors.chain(writers).chain(organizers).collect())
    }
}

fn models<A>(rows: &[A]) -> Result<Vec<<A::Entity as EntityTrait>::Model>, DbErr>
where
    A: ActiveModelTrait + TryIntoModel<<A::Entity as EntityTrait>::Model> + Clone,
{
    rows.iter().map(|row| row.clone().try_into_model()).collect()
}

impl Fresh {
    /// Whether no other document can show it: it links to none and
    /// joins no translation group (nothing can link to it yet).
    pub fn unlinked(&self) -> bool {
        !self.translates && self.related.is_empty()
    }
}

fn position(index: usize) -> i32 {
    i32::try_from(index).unwrap_or(i32::MAX)
}

impl Batch {
    pub fn documents(&self) -> usize {
        self.documents.len()
    }

    pub fn add_person(&mut self, new: NewPerson) {
        self.people.push(person::ActiveModel {
            id: Set(new.id),
            slug: Set(new.slug.to_string()),
            name: Set(new.name),
            bio: Set(new.bio),
            created_at: Set(new.created_at),
            updated_at: Set(new.created_at),
            version: Set(1),
        });
    }

    pub fn add_tag(&mut self, new: NewTag) {
        self.tags.push(tag::ActiveModel {
            id: Set(new.id),
            slug: Set(new.slug.to_string()),
            name: Set(new.name),
            created_at: Set(new.created_at),
            version: Set(1),
        });
    }

    /// A new document, and who created it (a user), if anyone did.
    pub fn add_document(&mut self, new: NewDocument, content: NewContent, created_by: Option<Uuid>) {
        let id = new.id;
        let (mut people, starts_at) = match &content {
            NewContent::Essay(essay) => (essay.authors.iter().map(|(person, _)| *person).collect(), None),
            NewContent::Lyrics(song) => (song.writers.iter().map(|(person, _)| *person).collect(), None),
            NewContent::Event(event) => (event.organizers.clone(), Some(event.times.starts_at())),
        };
        people.sort_unstable();
        people.dedup();
        self.fresh.push(Fresh {
            id,
            kind: content.kind(),
            public: new.status == DocumentStatus::Published,
            title: new.title.clone(),
            published_at: new.published_at,
            starts_at,
            translates: new.translation_of.is_some(),
            related: new.related.clone(),
            tags: new.tags.clone(),
            people,
        });
        self.documents.push(document::ActiveModel {
            publish_at: Set(None),
            created_by: Set(created_by),
            id: Set(id),
            kind: Set(content.kind().as_str().to_owned()),
            slug: Set(new.slug.to_string()),
            locale: Set(new.locale.to_string()),
            translation_group: Set(new.translation_of.unwrap_or(id)),
            status: Set(new.status.as_str().to_owned()),
            title: Set(new.title.clone()),
            published_at: Set(new.published_at),
            created_at: Set(new.created_at),
            updated_at: Set(new.created_at),
            deleted_at: Set(None),
            version: Set(1),
        });
        self.add_content(id, new, content);
    }

    /// The rows of a document's content: its type's rows, tags and relations
    /// (not the `documents` row itself).
    pub fn add_content(&mut self, id: Uuid, new: NewDocument, content: NewContent) {
        for tag_id in new.tags {
            self.document_tags.push(document_tag::ActiveModel { document_id: Set(id), tag_id: Set(tag_id) });
        }
        for (index, related_id) in new.related.into_iter().enumerate() {
            self.relations.push(document_relation::ActiveModel {
                document_id: Set(id),
                related_id: Set(related_id),
                position: Set(position(index)),
            });
        }
        match content {
            NewContent::Essay(new) => self.add_essay(id, new),
            NewContent::Lyrics(new) => self.add_lyrics(id, new),
            NewContent::Event(event) => self.add_event(id, *event, new.status == DocumentStatus::Published),
        }
    }

    fn add_essay(&mut self, id: Uuid, new: NewEssay) {
        let (body_markdown, rendered) = new.body.into_parts();
        let reading_time = rendered.reading_time_minutes();
        self.essays.push(essay::ActiveModel {
            document_id: Set(id),
            subtitle: Set(new.subtitle),
            body_markdown: Set(body_markdown),
            body_html: Set(rendered.html),
            excerpt_given: Set(new.excerpt.is_some()),
            excerpt: Set(new.excerpt.unwrap_or(rendered.excerpt)),
            word_count: Set(position(rendered.word_count)),
            reading_time_minutes: Set(position(reading_time)),
        });
        for (index, (person_id, affiliation)) in new.authors.into_iter().enumerate() {
            self.essay_authors.push(essay_author::ActiveModel {
                document_id: Set(id),
                person_id: Set(person_id),
                position: Set(position(index)),
                affiliation: Set(affiliation),
            });
        }
    }

    fn add_lyrics(&mut self, id: Uuid, new: NewLyrics) {
        let arrangement = serde_json::Value::from(new.song.arrangement().to_vec());
        self.lyrics.push(lyrics::ActiveModel {
            document_id: Set(id),
            tune: Set(new.tune),
            year: Set(new.year),
            language: Set(new.language.to_string()),
            rights_status: Set(new.rights_status.as_str().to_owned()),
            rights_attribution: Set(new.rights_attribution),
            notes: Set(new.notes),
            arrangement: Set(arrangement),
            text: Set(new.song.text()),
        });
        for (index, stanza) in new.song.stanzas().iter().enumerate() {
            self.stanzas.push(lyrics_stanza::ActiveModel {
                document_id: Set(id),
                key: Set(stanza.key().to_owned()),
                position: Set(position(index)),
                kind: Set(stanza.kind().as_str().to_owned()),
                lines: Set(serde_json::Value::from(stanza.lines().to_vec())),
            });
        }
        for (index, (person_id, role)) in new.writers.into_iter().enumerate() {
            self.writers.push(lyrics_writer::ActiveModel {
                document_id: Set(id),
                person_id: Set(person_id),
                role: Set(role.as_str().to_owned()),
                position: Set(position(index)),
            });
        }
    }

    /// The rows of event `id`, of a document `public` or not (a change of
    /// that later is [`super::facets::refresh`]'s to record).
    fn add_event(&mut self, id: Uuid, new: NewEvent, public: bool) {
        let (description_markdown, description) = new.description.into_parts();
        let times = &new.times;
        self.events.push(event::ActiveModel {
            document_id: Set(id),
            summary: Set(new.summary),
            description_markdown: Set(description_markdown),
            description_html: Set(description.html),
            starts_at: Set(times.starts_at()),
            ends_at: Set(times.ends_at()),
            series_ends_at: Set(times.series_ends_at()),
            long_running: Set(times.long_running()),
            months: Set(times.months().bits()),
            public: Set(public),
            time_zone: Set(times.time_zone().name().to_owned()),
            all_day: Set(times.all_day()),
            recurrence: Set(times.recurrence().map(|r| r.as_str().to_owned())),
            event_status: Set(new.event_status.as_str().to_owned()),
            attendance_mode: Set(new.attendance_mode.as_str().to_owned()),
            venue_name: Set(new.venue.name),
            venue_address: Set(new.venue.address),
            venue_city: Set(new.venue.city),
            venue_country: Set(new.venue.country.map(|c| c.as_str().to_owned())),
            venue_latitude: Set(new.venue.latitude),
            venue_longitude: Set(new.venue.longitude),
            online_url: Set(new.online_url.map(String::from)),
            registration_url: Set(new.registration_url.map(String::from)),
        });
        for (index, person_id) in new.organizers.into_iter().enumerate() {
            self.organizers.push(event_organizer::ActiveModel {
                document_id: Set(id),
                person_id: Set(person_id),
                position: Set(position(index)),
            });
        }
    }

    /// Inserts every row, parents before children. Call it inside a
    /// transaction: a failure part-way must leave nothing behind; and keep
    /// what is derived from documents up to date after it
    /// ([`super::projections::written`], or for new documents only,
    /// [`super::projections::created`] with what this returns).
    pub async fn insert<C: ConnectionTrait>(mut self, db: &C) -> Result<Vec<Fresh>, DbErr> {
        insert_all(db, std::mem::take(&mut self.people)).await?;
        self.insert_tags(db).await?;
        self.insert_rest(db).await
    }

    /// [`Self::insert`], returning also the rows written, so that nothing
    /// need be read back.
    pub async fn insert_keeping<C: ConnectionTrait>(
        mut self,
        db: &C,
    ) -> Result<(Vec<Fresh>, Inserted), DbErr> {
        insert_all(db, std::mem::take(&mut self.people)).await?;
        self.insert_tags(db).await?;
        let rows = Inserted {
            documents: models(&self.documents)?,
            essays: models(&self.essays)?,
            essay_authors: models(&self.essay_authors)?,
            lyrics: models(&self.lyrics)?,
            stanzas: models(&self.stanzas)?,
            writers: models(&self.writers)?,
            events: models(&self.events)?,
            organizers: models(&self.organizers)?,
            document_tags: models(&self.document_tags)?,
        };
        Ok((self.insert_rest(db).await?, rows))
    }

    /// Inserts the documents and their content, once people and tags are in.
    async fn insert_rest<C: ConnectionTrait>(self, db: &C) -> Result<Vec<Fresh>, DbErr> {
        insert_all(db, self.documents).await?;
        insert_all(db, self.essays).await?;
        insert_all(db, self.essay_authors).await?;
        insert_all(db, self.lyrics).await?;
        insert_all(db, self.stanzas).await?;
        insert_all(db, self.writers).await?;
        insert_all(db, self.events).await?;
        insert_all(db, self.organizers).await?;
        insert_all(db, self.document_tags).await?;
        insert_all(db, self.relations).await?;
        Ok(self.fresh)
    }
}

impl Batch {
    /// Inserts the new tags. A tag another document created first (in
    /// this batch, or in a write that committed since the tag was found
    /// missing) is the same tag: the documents link to that one.
    async fn insert_tags<C: ConnectionTrait>(&mut self, db: &C) -> Result<(), DbErr> {
        let tags = std::mem::take(&mut self.tags);
        let wanted: Vec<(Uuid, String)> = tags
            .iter()
            .filter_map(|t| match (&t.id, &t.slug) {
                (Set(id), Set(slug)) => Some((*id, slug.clone())),
                _ => None,
            })
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        upsert_all(db, tags, OnConflict::column(tag::Column::Slug).do_nothing().to_owned()).await?;
        let stored: HashMap<String, Uuid> = tag::Entity::find()
            .select_only()
            .columns([tag::Column::Slug, tag::Column::Id])
            .filter(tag::Column::Slug.is_in(wanted.iter().map(|(_, slug)| slug.clone())))
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let same: HashMap<Uuid, Uuid> = wanted
            .into_iter()
            .filter_map(|(id, slug)| {
                stored.get(&slug).filter(|stored| **stored != id).map(|stored| (id, *stored))
            })
            .collect();
        for link in &mut self.document_tags {
            if let Set(tag) = &link.tag_id
                && let Some(stored) = same.get(tag)
            {
                link.tag_id = Set(*stored);
            }
        }
        for tag in self.fresh.iter_mut().flat_map(|fresh| &mut fresh.tags) {
            if let Some(stored) = same.get(tag) {
                *tag = *stored;
            }
        }
        Ok(())
    }
}

/// Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMETERS: usize = 30_000;

pub(crate) async fn insert_all<A, C>(db: &C, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait,
    C: ConnectionTrait,
{
    write_all(db, rows, None).await
}

/// Inserts `rows`, or updates those whose key exists as `on_conflict` says.
pub(crate) async fn upsert_all<A, C>(db: &C, rows: Vec<A>, on_conflict: OnConflict) -> Result<(), DbErr>
where
    A: ActiveModelTrait,
    C: ConnectionTrait,
{
    write_all(db, rows, Some(on_conflict)).await
}

async fn write_all<A, C>(db: &C, mut rows: Vec<A>, on_conflict: Option<OnConflict>) -> Result<(), DbErr>
where
    A: ActiveModelTrait,
    C: ConnectionTrait,
{
    use sea_orm::Iterable;
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_statement = (MAX_PARAMETERS / columns).max(1);
    while !rows.is_empty() {
        let rest = rows.split_off(per_statement.min(rows.len()));
        let chunk = std::mem::replace(&mut rows, rest);
        let mut insert = A::Entity::insert_many(chunk);
        if let Some(on_conflict) = &on_conflict {
            insert = insert.on_conflict(on_conflict.clone());
        }
        insert.exec_without_returning(db).await?;
    }
    Ok(())
}
