//! The demo content: the essay, the song it quotes and the meeting it
//! describes, as given by the seed text. The seed names no date or venue for
//! the meeting, so those are sample values, tagged `sample` and said to be so
//! in the description.

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use entity::document;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::SeedError;
use crate::domain::draft::Draft;
use crate::domain::draft::{
    NewContent, NewDocument, NewEssay, NewEvent, NewLyrics, NewPerson, NewTag, Venue,
};
use crate::domain::lyrics::{RightsStatus, Song, Stanza, StanzaKind, WriterRole};
use crate::domain::markdown::Markdown;
use crate::domain::{
    AttendanceMode, Country, DocumentKind, DocumentStatus, EventStatus, EventTimes, Locale, Recurrence, Slug,
    TimeZone,
};
use crate::services::content::with_content_type;
use crate::services::render::{Rendered, Renderers};
use crate::services::versioned::WriteError;
use crate::services::workflow::{self, Change, Transition};
use crate::services::writes::Batch;

pub const ESSAY_SLUG: &str = "proletarian-internationalism";
pub const LYRICS_SLUG: &str = "solidarity-forever";
pub const EVENT_SLUG: &str = "international-meeting-of-communist-and-workers-parties";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded,
    AlreadyPresent,
    /// The database holds other content, so start-up left it alone.
    NotEmpty,
}

/// Loads the demo content unless the database already holds any document.
pub async fn load_demo_if_empty(
    db: &DatabaseConnection,
    renderers: &Renderers,
) -> Result<DemoOutcome, SeedError> {
    if document::Entity::find().count(db).await? > 0 {
        return Ok(DemoOutcome::NotEmpty);
    }
    load_demo(db, renderers).await
}

/// Loads the demo content unless it is there already: in one transaction,
/// each document written as the API writes it (created as a draft, then
/// published), so each has the revisions, change-log rows and index
/// entries of its versions.
pub async fn load_demo(db: &DatabaseConnection, renderers: &Renderers) -> Result<DemoOutcome, SeedError> {
    let present = document::Entity::find()
        .filter(document::Column::Kind.eq(DocumentKind::Essay.as_str()))
        .filter(document::Column::Slug.eq(ESSAY_SLUG))
        .count(db)
        .await?;
    if present > 0 {
        return Ok(DemoOutcome::AlreadyPresent);
    }
    let demo = demo_content(Utc::now())?;
    let txn = crate::database::begin_write(db).await?;
    demo.catalog.insert(&txn).await?;
    let change = Change::by_system("seed", "demo content");
    for draft in demo.documents {
        let id = draft.document.id;
        let write =
            with_content_type!(draft.content.kind(), T => write::<T>(&txn, draft, &change, renderers).await);
        write.map_err(|e| SeedError::Write(format!("demo document {id}: {e}")))?;
    }
    txn.commit().await?;
    Ok(DemoOutcome::Loaded)
}

/// Creates `draft` and publishes it, as an editor would.
async fn write<T: Rendered>(
    db: &crate::database::WriteTransaction,
    draft: Draft,
    change: &Change,
    renderers: &Renderers,
) -> Result<(), WriteError> {
    let created = workflow::create::<T>(db, draft, None, change, renderers).await?;
    let document = &created.document;
    workflow::transition::<T>(db, document.id, document.version, Transition::Publish, change, renderers)
        .await?;
    Ok(())
}

const ESSAY_PARAGRAPHS: &[&str] = &[
    "It means that the struggle of the working class for a better life is a global struggle because capitalism is a global system.",
    "The politics of communist parties are rooted in proletarian internationalism – we recognize that the working classes of the whole world have common interests in mutual understanding, liberation, peace and development.",
    "We support the broadest possible unity of the international working class. We support international solidarity with other peoples and movements struggling for liberation worldwide. We support resistance to imperialism wherever it is found.",
    "For instance, in the U.S., the working class makes up the vast majority of the population, yet it does not hold a majority of political power. The working class (workers and their families) number almost the entire population.",
    "So why do they not have political power? Because we live in a global class society. The main dominant class is a small class called the capitalist class. They use the power of the state (monopoly on the use of violence) plus fake news and fake ideas to exercise political control. The reason that the majority working class does not have political power is because we are not united locally, nationally and internationally. The ruling capitalist class works hard to keep us disunited. We must not allow working class solidarity to be undermined by nationalism, xenophobia, nor divisions along skin color, gender and other factors. We must continuously struggle to stay true to our mission – working class emancipation from wage slavery.",
    "The U.S. labor movement uses the phrase Solidarity Forever For the Union Makes US Strong.",
    "The international working class is also more powerful as a whole, with international solidarity!",
    "From its early history, the U.S. trade union movement has declared solidarity forever, for the union makes us strong.",
];

const ESSAY_CLOSING: &[&str] = &[
    "Political parties of the working class are also united in the struggle against imperialism and in the fight for socialism. We are in fact united in the international Communist movement.",
    "One such expression is the annual meeting of Communist and Workers Parties. This is global gathering of representatives of over 100 communist and workers’ parties with over 100 million members. These parties also have strong relationships with their unions and mass movements. We stand together against imperialism and engaged in the working class struggles for emancipation from wage slavery.",
];

const VERSES: [&[&str]; 6] = [
    &[
        "When the union’s inspiration through the workers’ blood shall run",
        "There can be no power greater anywhere beneath the sun",
        "Yet what force on earth is weaker than the feeble strength of one",
        "For the Union makes us strong",
    ],
    &[
        "Is there aught we hold in common with the greedy parasite",
        "Who would lash us into serfdom and would crush us with his might?",
        "Is there anything left to us but to organize and fight?",
        "For the union makes us strong",
    ],
    &[
        "It is we who ploughed the prairies, built the cities where they trade",
        "Dug the mines and built the workshops, endless miles of railroad laid",
        "Now we stand outcast and starving ‘mid the wonders we have made",
        "But the union makes us strong",
    ],
    &[
        "All the world that’s owned by idle drones is ours and ours alone",
        "We have laid the wide foundations, built it skyward stone by stone",
        "It is ours, not to slave in, but to master and to own",
        "While the union makes us strong",
    ],
    &[
        "They have taken untold millions that they never toiled to earn",
        "But without our brain and muscle not a single wheel can turn",
        "We can break their haughty power gain our freedom when we learn",
        "That the Union makes us strong",
    ],
    &[
        "In our hands is placed a power greater than their hoarded gold",
        "Greater than the might of armies magnified a thousandfold",
        "We can bring to birth a new world from the ashes of the old",
        "For the Union makes us strong",
    ],
];

const CHORUS: &[&str] =
    &["Solidarity forever, solidarity forever", "Solidarity forever", "For the Union makes us strong"];

/// A Markdown block quote of `lines`, one line each.
fn block_quote(lines: &[&str]) -> String {
    lines.iter().map(|line| format!("> {line}")).collect::<Vec<_>>().join("\\\n")
}

/// The essay body: the seed's paragraphs without the two website-builder
/// placeholders, the song's stanzas quoted as it quotes them.
pub fn essay_markdown() -> String {
    let mut blocks: Vec<String> = ESSAY_PARAGRAPHS.iter().map(|p| (*p).to_owned()).collect();
    blocks.push(block_quote(VERSES[0]));
    blocks.push(block_quote(CHORUS));
    for verse in &VERSES[1..] {
        blocks.push(block_quote(verse));
    }
    blocks.extend(ESSAY_CLOSING.iter().map(|p| (*p).to_owned()));
    blocks.join("\n\n") + "\n"
}

fn song() -> Result<Song, SeedError> {
    let lines = |lines: &[&str]| lines.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>();
    let mut stanzas = Vec::new();
    let mut arrangement = Vec::new();
    for (index, verse) in VERSES.iter().enumerate() {
        let key = format!("v{}", index + 1);
        stanzas.push(Stanza::new(&key, StanzaKind::Verse, lines(verse))?);
        arrangement.push(key);
        arrangement.push("chorus".to_owned());
    }
    stanzas.push(Stanza::new("chorus", StanzaKind::Chorus, lines(CHORUS))?);
    Ok(Song::new(stanzas, arrangement)?)
}

fn slug(value: &str) -> Result<Slug, SeedError> {
    Ok(Slug::parse(value)?)
}

/// The demo set: the people and tags it credits, and its documents in the
/// order they can be written (the essay links to the other two).
struct Demo {
    catalog: Batch,
    documents: Vec<Draft>,
}

fn demo_content(now: DateTime<Utc>) -> Result<Demo, SeedError> {
    let english = Locale::parse("en")?;
    let mut batch = Batch::default();
    let mut documents = Vec::new();

    let alvaro = Uuid::now_v7();
    let chaplin = Uuid::now_v7();
    batch.add_person(NewPerson {
        id: alvaro,
        slug: slug("alvaro-rodriguez")?,
        name: "Alvaro Rodriguez".into(),
        bio: Some("International Secretary of the Communist Party USA.".into()),
        created_at: now,
    });
    batch.add_person(NewPerson {
        id: chaplin,
        slug: slug("ralph-chaplin")?,
        name: "Ralph Chaplin".into(),
        bio: Some(
            "American writer, artist and organizer of the Industrial Workers of the World (1887–1961), \
             who wrote “Solidarity Forever” in 1915."
                .into(),
        ),
        created_at: now,
    });

    let mut tag_ids = std::collections::HashMap::new();
    for (value, name) in [
        ("internationalism", "Internationalism"),
        ("solidarity", "Solidarity"),
        ("labor", "Labor"),
        ("union-songs", "Union songs"),
        ("communist-parties", "Communist parties"),
        ("sample", "Sample data"),
    ] {
        let id = Uuid::now_v7();
        tag_ids.insert(value, id);
        batch.add_tag(NewTag { id, slug: slug(value)?, name: name.into(), created_at: now });
    }
    let tags = |names: &[&str]| names.iter().filter_map(|n| tag_ids.get(n).copied()).collect::<Vec<_>>();

    let essay_id = Uuid::now_v7();
    let lyrics_id = Uuid::now_v7();
    let event_id = Uuid::now_v7();
    let draft = |id,
                 slug_value: &str,
                 title: &str,
                 tags: Vec<Uuid>,
                 related: Vec<Uuid>,
                 content: NewContent|
     -> Result<Draft, SeedError> {
        let document = NewDocument {
            id,
            slug: slug(slug_value)?,
            locale: english.clone(),
            title: title.into(),
            status: DocumentStatus::Draft,
            published_at: None,
            created_at: now,
            translation_of: None,
            tags,
            related,
        };
        Ok(Draft { document, new_tags: Vec::new(), content })
    };

    documents.push(draft(
        lyrics_id,
        LYRICS_SLUG,
        "Solidarity Forever",
        tags(&["solidarity", "labor", "union-songs"]),
        vec![],
        NewContent::Lyrics(NewLyrics {
            song: song()?,
            writers: vec![(chaplin, WriterRole::Lyricist)],
            tune: Some("John Brown’s Body".into()),
            year: Some(1915),
            language: english.clone(),
            rights_status: RightsStatus::PublicDomain,
            rights_attribution: Some("Words by Ralph Chaplin, 1915. Public domain.".into()),
            notes: Some("Sung to the tune of “John Brown’s Body”; the chorus follows every verse.".into()),
        }),
    )?);

    let istanbul = TimeZone::parse("Europe/Istanbul")?;
    let starts_at = Utc
        .with_ymd_and_hms(2026, 10, 23, 7, 0, 0)
        .single()
        .ok_or_else(|| crate::domain::Invalid::new("sample start time"))?;
    documents.push(draft(
        event_id,
        EVENT_SLUG,
        "International Meeting of Communist and Workers’ Parties",
        tags(&["internationalism", "communist-parties", "sample"]),
        vec![],
        NewContent::Event(Box::new(NewEvent {
            summary: "The annual global gathering of representatives of over 100 communist and workers’ parties \
                      with over 100 million members."
                .into(),
            description: Markdown::parse("The annual meeting of Communist and Workers Parties is a global gathering of \
                representatives of over 100 communist and workers’ parties with over 100 million members. These \
                parties also have strong relationships with their unions and mass movements.\n\n\
                **Sample data.** The seed text gives no date, time or venue for the meeting: the dates, time zone \
                and venue shown here are placeholders for demonstration, not an announcement.\n",
            )?,
            times: EventTimes::new(
                starts_at,
                starts_at + Duration::hours(56),
                istanbul,
                false,
                Some(Recurrence::parse("FREQ=YEARLY")?),
            )?,
            event_status: EventStatus::Scheduled,
            attendance_mode: AttendanceMode::InPerson,
            venue: Venue {
                name: Some("Sample venue (to be announced)".into()),
                address: None,
                city: Some("Istanbul".into()),
                country: Some(Country::parse("TR")?),
                latitude: None,
                longitude: None,
            },
            online_url: None,
            registration_url: None,
            organizers: vec![],
        })),
    )?);

    documents.push(draft(
        essay_id,
        ESSAY_SLUG,
        "Proletarian Internationalism",
        tags(&["internationalism", "solidarity", "labor"]),
        vec![lyrics_id, event_id],
        NewContent::Essay(NewEssay {
            subtitle: None,
            body: Markdown::parse(&essay_markdown())?,
            excerpt: None,
            authors: vec![(alvaro, Some("International Secretary, Communist Party USA".into()))],
        }),
    )?);
    Ok(Demo { catalog: batch, documents })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_essay_leaves_out_the_placeholder_paragraphs() {
        let body = essay_markdown();
        assert!(!body.contains("sounding professional"));
        assert!(!body.contains("overthink"));
        assert!(body.contains("> Solidarity forever, solidarity forever"));
    }

    #[test]
    fn the_song_has_six_verses_and_one_chorus_sung_after_each() {
        let song = song().unwrap_or_else(|e| panic!("{e}"));
        let kinds: Vec<_> = song.stanzas().iter().map(|s| s.kind()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == StanzaKind::Verse).count(), 6);
        assert_eq!(kinds.iter().filter(|k| **k == StanzaKind::Chorus).count(), 1);
        assert_eq!(song.arrangement().len(), 12);
        assert!(song.arrangement().iter().skip(1).step_by(2).all(|k| k == "chorus"));
    }
}
