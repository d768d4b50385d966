//! Large, deterministic data sets: the same N gives the same documents (ids
//! included) every time, about one in ten of them a draft or archived so that
//! visibility is exercised. Running it again with a larger N adds only the
//! documents still missing.

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use entity::{document, person};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::SeedError;
use crate::domain::draft::{
    NewContent, NewDocument, NewEssay, NewEvent, NewLyrics, NewPerson, NewTag, Venue,
};
use crate::domain::lyrics::{RightsStatus, Song, Stanza, StanzaKind, WriterRole};
use crate::domain::markdown::Markdown;
use crate::domain::{
    AttendanceMode, Country, DocumentKind, DocumentStatus, EventStatus, EventTimes, Invalid, Locale,
    Recurrence, Slug, TimeZone,
};
use crate::services::content::with_content_type;
use crate::services::render::Renderers;
use crate::services::workflow::{self, Change};
use crate::services::writes::Batch;

const PEOPLE: usize = 100;
const TAGS: &[&str] = &[
    "history",
    "organizing",
    "strikes",
    "housing",
    "peace",
    "education",
    "health",
    "culture",
    "climate",
    "youth",
    "farmworkers",
    "transport",
];
const ADJECTIVES: &[&str] = &[
    "Common", "Long", "Quiet", "Open", "Shared", "Northern", "Early", "Second", "Broad", "Patient", "Steady",
    "Bright",
];
const NOUNS: &[&str] = &[
    "Ground", "Harvest", "Picket", "Assembly", "Union", "Bridge", "Commons", "Workshop", "Council", "March",
    "Table", "Season",
];
const SENTENCES: &[&str] = &[
    "Workers met after the shift to compare notes on wages and hours.",
    "The committee agreed to publish its minutes for every member to read.",
    "A delegation travelled to share what had been learned elsewhere.",
    "Tenants organized building by building, floor by floor.",
    "The reading group worked through the history of the movement.",
    "Every proposal was put to a vote of the whole assembly.",
    "The newsletter reached more readers each month than the last.",
    "Solidarity was shown in deeds as much as in words.",
];
/// `(zone, country, city)` for synthetic venues.
const PLACES: &[(&str, &str, &str)] = &[
    ("Europe/Istanbul", "TR", "Istanbul"),
    ("Europe/Athens", "GR", "Athens"),
    ("America/New_York", "US", "New York"),
    ("Asia/Kolkata", "IN", "Kolkata"),
    ("Africa/Johannesburg", "ZA", "Johannesburg"),
    ("America/Sao_Paulo", "BR", "São Paulo"),
    ("Asia/Tokyo", "JP", "Tokyo"),
    ("Europe/Lisbon", "PT", "Lisbon"),
];
/// Documents to a transaction: few enough that a write renders them all
/// in it, and that a seed interrupted loses little.
const CHUNK: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticReport {
    /// Documents added of each type (the same for every type).
    pub added_per_type: usize,
}

fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// A UUID v7 made from `at` and a counter, so the same input gives the same id.
fn deterministic_id(at: DateTime<Utc>, stream: u8, index: usize) -> Uuid {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    let mut tail = [0u8; 10];
    tail[0] = stream;
    tail[2..].copy_from_slice(&(index as u64).to_be_bytes());
    uuid::Builder::from_unix_timestamp_millis(millis, &tail).into_uuid()
}

fn pick<T: Copy>(items: &[T], n: usize) -> T {
    items[n % items.len()]
}

fn stream(kind: DocumentKind) -> u8 {
    match kind {
        DocumentKind::Essay => 1,
        DocumentKind::Lyrics => 2,
        DocumentKind::Event => 3,
    }
}

fn person_slug(n: usize) -> String {
    format!("synthetic-person-{n:03}")
}

/// Ensures `n` synthetic documents of each type exist, a chunk to a
/// transaction (an interrupted seed goes on from where it stopped), telling
/// `progress` how many documents of the `3 × n` are present after each.
pub async fn load_synthetic(
    db: &DatabaseConnection,
    n: usize,
    renderers: &Renderers,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<SyntheticReport, SeedError> {
    ensure_people_and_tags(db).await?;
    let mut present = Vec::with_capacity(DocumentKind::ALL.len());
    for kind in DocumentKind::ALL {
        let prefix = format!("synthetic-{}-", kind.as_str());
        let existing = document::Entity::find()
            .filter(document::Column::Kind.eq(kind.as_str()))
            .filter(document::Column::Slug.starts_with(&prefix))
            .count(db)
            .await? as usize;
        present.push(existing.min(n));
    }
    let added = n.saturating_sub(present.iter().copied().min().unwrap_or(n));
    let total = n * DocumentKind::ALL.len();
    for (k, kind) in DocumentKind::ALL.into_iter().enumerate() {
        let existing = present[k];
        for chunk in (existing..n).step_by(CHUNK) {
            let end = (chunk + CHUNK).min(n);
            let mut batch = Batch::default();
            let mut ids = Vec::with_capacity(end - chunk);
            for i in chunk..end {
                let (document, content) = generate(kind, i)?;
                ids.push(document.id);
                batch.add_document(document, content, None);
            }
            let txn = crate::database::begin_write(db).await?;
            batch.insert(&txn).await?;
            record(&txn, kind, &ids, renderers).await?;
            txn.commit().await?;
            present[k] = end;
            progress(present.iter().sum(), total);
        }
    }
    Ok(SyntheticReport { added_per_type: added })
}

async fn ensure_people_and_tags(db: &DatabaseConnection) -> Result<(), SeedError> {
    let txn = crate::database::begin_write(db).await?;
    let people_present =
        person::Entity::find().filter(person::Column::Slug.eq(person_slug(0))).count(&txn).await? > 0;
    if !people_present {
        let mut batch = Batch::default();
        for p in 0..PEOPLE {
            batch.add_person(NewPerson {
                id: deterministic_id(epoch(), 4, p),
                slug: Slug::parse(&person_slug(p))?,
                name: format!("{} {}", pick(ADJECTIVES, p), pick(NOUNS, p / ADJECTIVES.len() + p)),
                bio: Some(format!("Synthetic person number {p}.")),
                created_at: epoch(),
            });
        }
        for (t, name) in TAGS.iter().enumerate() {
            batch.add_tag(NewTag {
                id: deterministic_id(epoch(), 5, t),
                slug: Slug::parse(name)?,
                name: (*name).to_owned(),
                created_at: epoch(),
            });
        }
        batch.insert(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Revision 1 of each of `ids`, just written, as if each had been created
/// through the API.
async fn record(
    txn: &crate::database::WriteTransaction,
    kind: DocumentKind,
    ids: &[Uuid],
    renderers: &Renderers,
) -> Result<(), SeedError> {
    let change = Change::by_system("seed", "synthetic content");
    with_content_type!(kind, T => workflow::record_created::<T, _>(txn, ids, &change, renderers).await?);
    Ok(())
}

fn generate(kind: DocumentKind, i: usize) -> Result<(NewDocument, NewContent), Invalid> {
    let created_at = epoch() + Duration::minutes(17 * i as i64);
    let status = match i % 20 {
        3 => DocumentStatus::Draft,
        13 => DocumentStatus::Archived,
        _ => DocumentStatus::Published,
    };
    let locale = if i % 8 == 5 { "es" } else { "en" };
    let title = format!("{} {} {}", pick(ADJECTIVES, i), pick(NOUNS, i / ADJECTIVES.len()), i);
    let tags = vec![
        deterministic_id(epoch(), 5, i % TAGS.len()),
        deterministic_id(epoch(), 5, (i / TAGS.len() + 1 + i) % TAGS.len()),
    ];
    let tags = crate::services::documents::dedup(tags);
    let person = deterministic_id(epoch(), 4, i % PEOPLE);
    let document = NewDocument {
        id: deterministic_id(created_at, stream(kind), i),
        slug: Slug::parse(&format!("synthetic-{}-{i:06}", kind.as_str()))?,
        locale: Locale::parse(locale)?,
        title,
        status,
        published_at: (status != DocumentStatus::Draft).then_some(created_at + Duration::minutes(5)),
        created_at,
        translation_of: None,
        tags,
        related: vec![],
    };
    let paragraph = |offset: usize| -> String {
        (0..4).map(|s| pick(SENTENCES, i + offset + s * 3)).collect::<Vec<_>>().join(" ")
    };
    let content = match kind {
        DocumentKind::Essay => NewContent::Essay(NewEssay {
            subtitle: i.is_multiple_of(3).then(|| format!("Notes from meeting {i}")),
            body: Markdown::parse(&format!(
                "{}\n\n{}\n\n> {}\n\n{}\n",
                paragraph(0),
                paragraph(1),
                pick(SENTENCES, i + 5),
                paragraph(2)
            ))?,
            excerpt: None,
            authors: vec![(person, i.is_multiple_of(2).then(|| "Synthetic Collective".to_owned()))],
        }),
        DocumentKind::Lyrics => {
            let line = |offset: usize| pick(SENTENCES, i + offset).trim_end_matches('.').to_owned();
            let song = Song::new(
                vec![
                    Stanza::new("v1", StanzaKind::Verse, vec![line(0), line(1)])?,
                    Stanza::new("v2", StanzaKind::Verse, vec![line(2), line(3)])?,
                    Stanza::new("chorus", StanzaKind::Chorus, vec![line(4)])?,
                ],
                ["v1", "chorus", "v2", "chorus"].map(String::from).to_vec(),
            )?;
            NewContent::Lyrics(NewLyrics {
                song,
                writers: vec![(person, WriterRole::Lyricist)],
                tune: i.is_multiple_of(4).then(|| "John Brown’s Body".to_owned()),
                year: Some(1900 + (i % 120) as i32),
                language: Locale::parse(locale)?,
                rights_status: RightsStatus::PublicDomain,
                rights_attribution: None,
                notes: None,
            })
        }
        DocumentKind::Event => {
            let (zone, country, city) = pick(PLACES, i);
            let starts_at = epoch() + Duration::days(5 * 365) + Duration::hours(2 * i as i64);
            let recurrence = i.is_multiple_of(7).then(|| Recurrence::parse("FREQ=YEARLY")).transpose()?;
            NewContent::Event(Box::new(NewEvent {
                summary: pick(SENTENCES, i).to_owned(),
                description: Markdown::parse(&paragraph(3))?,
                times: EventTimes::new(
                    starts_at,
                    starts_at + Duration::hours(3),
                    TimeZone::parse(zone)?,
                    false,
                    recurrence,
                )?,
                event_status: if i % 10 == 9 { EventStatus::Cancelled } else { EventStatus::Scheduled },
                attendance_mode: pick(
                    &[AttendanceMode::InPerson, AttendanceMode::Online, AttendanceMode::Mixed],
                    i,
                ),
                venue: Venue {
                    name: Some(format!("{} Hall", pick(NOUNS, i))),
                    address: None,
                    city: Some(city.to_owned()),
                    country: Some(Country::parse(country)?),
                    latitude: None,
                    longitude: None,
                },
                online_url: None,
                registration_url: None,
                organizers: vec![person],
            }))
        }
    };
    Ok((document, content))
}
