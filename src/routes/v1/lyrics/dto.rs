//! Request parameters and response bodies of `/v1/lyrics`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::routes::v1::documents::{DocumentFields, SummaryFields, list_params, sort_param};
use crate::routes::v1::listing::listing_schema;
use crate::services::documents::Entry;
use crate::services::lyrics::LyricsDetail;
use crate::services::people::Credit;

sort_param!(
    /// Order of a lyrics listing; `-published_at` (newest first) by default.
    LyricsSort {
        PublishedAtDesc = "-published_at" => PublishedAt, true,
        PublishedAt = "published_at" => PublishedAt, false,
        Title = "title" => Title, false,
        TitleDesc = "-title" => Title, true,
    }
);

list_params!(
    /// Parameters of `GET /v1/lyrics`.
    pub struct LyricsListParams {
        cursor = "WyItcHVibGlzaGVkX2F0Iix7InQiOiIyMDI2LTExLTI0VDEwOjAwOjAwWiJ9LCIwMTkzIl0";
        sort {
            /// `-published_at` (default), `published_at`, `title` or `-title`.
            #[param(inline, example = "title")]
            pub sort: Option<LyricsSort>,
        }
        /// Only songs written by this person, in any role (a person slug).
        #[param(example = "ralph-chaplin")]
        pub writer: Option<String>,
    }
);

/// A writer as credited on a song.
#[derive(Debug, Serialize, ToSchema)]
pub struct Writer {
    #[schema(example = "ralph-chaplin")]
    pub slug: String,
    #[schema(example = "Ralph Chaplin")]
    pub name: String,
    /// `lyricist`, `composer`, `arranger` or `translator`.
    #[schema(example = "lyricist")]
    pub role: String,
}

fn writers(credits: &[Credit]) -> Vec<Writer> {
    credits
        .iter()
        .map(|c| Writer {
            slug: c.person.slug.clone(),
            name: c.person.name.clone(),
            role: c.detail.clone().unwrap_or_default(),
        })
        .collect()
}

/// Who may reproduce the song.
#[derive(Debug, Serialize, ToSchema)]
pub struct Rights {
    /// `public_domain` or `licensed`.
    #[schema(example = "public_domain")]
    pub status: String,
    #[schema(example = "Words by Ralph Chaplin, 1915. Public domain.")]
    pub attribution: Option<String>,
}

/// One stanza, stored once however often it is sung.
#[derive(Debug, Serialize, ToSchema)]
pub struct Stanza {
    /// Referenced by `arrangement`.
    #[schema(example = "chorus")]
    pub id: String,
    /// `verse`, `chorus`, `refrain`, `bridge`, `pre_chorus`, `intro` or `outro`.
    #[schema(example = "chorus")]
    pub kind: String,
    #[schema(example = json!(["Solidarity forever, solidarity forever", "Solidarity forever", "For the Union makes us strong"]))]
    pub lines: Vec<String>,
}

/// A song in a list: no stanzas.
#[derive(Debug, Serialize, ToSchema)]
pub struct LyricsSummary {
    #[serde(flatten)]
    pub document: SummaryFields,
    pub writers: Vec<Writer>,
    #[schema(example = "John Brown’s Body")]
    pub tune: Option<String>,
    #[schema(example = 1915)]
    pub year: Option<i32>,
}

impl From<&Entry<LyricsDetail>> for LyricsSummary {
    fn from(entry: &Entry<LyricsDetail>) -> Self {
        let lyrics = &entry.detail.lyrics;
        Self {
            document: entry.into(),
            writers: writers(&entry.detail.writers),
            tune: lyrics.tune.clone(),
            year: lyrics.year,
        }
    }
}

/// A whole song.
#[derive(Debug, Serialize, ToSchema)]
pub struct Lyrics {
    #[serde(flatten)]
    pub document: DocumentFields,
    pub writers: Vec<Writer>,
    #[schema(example = "John Brown’s Body")]
    pub tune: Option<String>,
    #[schema(example = 1915)]
    pub year: Option<i32>,
    /// BCP 47 language of the sung text.
    #[schema(example = "en")]
    pub language: String,
    pub rights: Rights,
    #[schema(example = "Sung to the tune of “John Brown’s Body”; the chorus follows every verse.")]
    pub notes: Option<String>,
    pub stanzas: Vec<Stanza>,
    /// Stanza ids in sung order.
    #[schema(example = json!(["v1", "chorus", "v2", "chorus"]))]
    pub arrangement: Vec<String>,
    /// The whole song in sung order; stanzas are separated by a blank line.
    #[schema(example = "When the union’s inspiration through the workers’ blood shall run\n…")]
    pub text: String,
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(|v| v.as_str().map(String::from)).collect())
        .unwrap_or_default()
}

impl From<&Entry<LyricsDetail>> for Lyrics {
    fn from(entry: &Entry<LyricsDetail>) -> Self {
        let lyrics = &entry.detail.lyrics;
        Self {
            document: entry.into(),
            writers: writers(&entry.detail.writers),
            tune: lyrics.tune.clone(),
            year: lyrics.year,
            language: lyrics.language.clone(),
            rights: Rights {
                status: lyrics.rights_status.clone(),
                attribution: lyrics.rights_attribution.clone(),
            },
            notes: lyrics.notes.clone(),
            stanzas: entry
                .detail
                .stanzas
                .iter()
                .map(|s| Stanza { id: s.key.clone(), kind: s.kind.clone(), lines: strings(&s.lines) })
                .collect(),
            arrangement: strings(&lyrics.arrangement),
            text: lyrics.text.clone(),
        }
    }
}

listing_schema!(LyricsList, LyricsSummary, "song summaries");
