//! The request body that creates or replaces a song.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::Locale;
use crate::domain::draft::{MAX_LINKS, MAX_TITLE, NewContent, NewLyrics};
use crate::domain::lyrics::{RightsStatus, Song, Stanza, StanzaKind, WriterRole};
use crate::domain::text;
use crate::error::FieldError;
use crate::http::input::checked;
use crate::routes::v1::documents::{ContentInput, credited_twice, document_input};
use crate::services::documents::Entry;
use crate::services::lyrics::{Lyrics, LyricsDetail};

/// A writer credit: a person (by slug) and their role.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WriterInput {
    #[schema(example = "ralph-chaplin")]
    pub person: String,
    /// `lyricist`, `composer`, `arranger` or `translator`.
    #[schema(example = "lyricist")]
    pub role: String,
}

/// A stanza, stored once however often it is sung.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StanzaInput {
    /// Referenced by `arrangement`.
    #[schema(example = "chorus")]
    pub id: String,
    /// `verse`, `chorus`, `refrain`, `bridge`, `pre_chorus`, `intro` or `outro`.
    #[schema(example = "chorus")]
    pub kind: String,
    #[schema(example = json!(["Solidarity forever, solidarity forever"]))]
    pub lines: Vec<String>,
}

/// Who may reproduce the song.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RightsInput {
    /// `public_domain` or `licensed`.
    #[schema(example = "public_domain")]
    pub status: String,
    #[serde(default)]
    pub attribution: Option<String>,
}

document_input!(
    /// A song as written. Unknown fields are refused.
    pub struct LyricsInput {
        slug = "solidarity-forever",
        title = "Solidarity Forever";
        #[serde(default)]
        pub writers: Vec<WriterInput>,
        #[serde(default)]
        #[schema(example = "John Brown’s Body")]
        pub tune: Option<String>,
        #[serde(default)]
        #[schema(example = 1915)]
        pub year: Option<i32>,
        /// BCP 47 language of the sung text; the locale when absent.
        #[serde(default)]
        pub language: Option<String>,
        pub rights: RightsInput,
        #[serde(default)]
        pub notes: Option<String>,
        pub stanzas: Vec<StanzaInput>,
        /// Stanza ids in sung order.
        #[schema(example = json!(["v1", "chorus", "v2", "chorus"]))]
        pub arrangement: Vec<String>,
    }
);

impl ContentInput for LyricsInput {
    type Summary = super::dto::LyricsSummary;
    type Dto = super::dto::Lyrics;
    type Type = Lyrics;

    fn credited(&self) -> Vec<(String, String)> {
        self.writers
            .iter()
            .enumerate()
            .map(|(i, w)| (format!("writers[{i}].person"), w.person.clone()))
            .collect()
    }

    fn content(&self, people: &HashMap<String, Uuid>, errors: &mut Vec<FieldError>) -> Option<NewContent> {
        let before = errors.len();
        let tune = checked("tune", text::optional_line(self.tune.as_deref(), MAX_TITLE), errors);
        let notes = checked("notes", text::optional_lines(self.notes.as_deref(), 5000), errors);
        let attribution = checked(
            "rights.attribution",
            text::optional_lines(self.rights.attribution.as_deref(), 5000),
            errors,
        );
        let mut push = |field: String, message: String| errors.push(FieldError::new(field, message));
        if self.writers.len() > MAX_LINKS {
            push("writers".into(), format!("at most {MAX_LINKS}"));
        }
        let mut writers = Vec::new();
        for (i, writer) in self.writers.iter().enumerate() {
            let same = |w: &&WriterInput| w.person == writer.person && w.role == writer.role;
            if let Some(first) = self.writers[..i].iter().position(|w| same(&w)) {
                push(format!("writers[{i}].person"), credited_twice("writers", first));
            }
            match writer.role.parse::<WriterRole>() {
                Ok(role) => writers.extend(people.get(&writer.person).map(|id| (*id, role))),
                Err(e) => push(format!("writers[{i}].role"), e.to_string()),
            }
        }
        if self.year.is_some_and(|y| !(1000..=2100).contains(&y)) {
            push("year".into(), "between 1000 and 2100".into());
        }
        let language =
            match self.language.as_deref().or(self.locale.as_deref()).map(Locale::parse).transpose() {
                Ok(language) => language,
                Err(e) => {
                    push("language".into(), e.to_string());
                    None
                }
            };
        let rights = self
            .rights
            .status
            .parse::<RightsStatus>()
            .map_err(|e| push("rights.status".into(), e.to_string()))
            .ok();
        let mut stanzas = Vec::new();
        for (i, stanza) in self.stanzas.iter().enumerate() {
            let kind = match stanza.kind.parse::<StanzaKind>() {
                Ok(kind) => kind,
                Err(e) => {
                    push(format!("stanzas[{i}].kind"), e.to_string());
                    continue;
                }
            };
            let broken =
                stanza.lines.iter().enumerate().find_map(|(j, line)| text::line(line).err().map(|e| (j, e)));
            if let Some((j, e)) = broken {
                push(format!("stanzas[{i}].lines[{j}]"), e.to_string());
                continue;
            }
            match Stanza::new(&stanza.id, kind, stanza.lines.clone()) {
                Ok(stanza) => stanzas.push(stanza),
                Err(e) => push(format!("stanzas[{i}]"), e.to_string()),
            }
        }
        let song = if stanzas.len() == self.stanzas.len() {
            Song::new(stanzas, self.arrangement.clone())
                .map_err(|e| push("arrangement".into(), e.to_string()))
                .ok()
        } else {
            None
        };
        let (Some(song), Some(rights), true) = (song, rights, errors.len() == before) else { return None };
        let language = language.or_else(|| Locale::parse("en").ok())?;
        Some(NewContent::Lyrics(NewLyrics {
            song,
            writers,
            tune,
            year: self.year,
            language,
            rights_status: rights,
            rights_attribution: attribution,
            notes,
        }))
    }

    fn from_entry(entry: &Entry<LyricsDetail>) -> Self {
        let l = &entry.detail.lyrics;
        let strings =
            |v: &serde_json::Value| -> Vec<String> { serde_json::from_value(v.clone()).unwrap_or_default() };
        Self {
            writers: entry
                .detail
                .writers
                .iter()
                .map(|c| WriterInput {
                    person: c.person.slug.clone(),
                    role: c.detail.clone().unwrap_or_default(),
                })
                .collect(),
            tune: l.tune.clone(),
            year: l.year,
            language: Some(l.language.clone()),
            rights: RightsInput {
                status: l.rights_status.clone(),
                attribution: l.rights_attribution.clone(),
            },
            notes: l.notes.clone(),
            stanzas: entry
                .detail
                .stanzas
                .iter()
                .map(|s| StanzaInput { id: s.key.clone(), kind: s.kind.clone(), lines: strings(&s.lines) })
                .collect(),
            arrangement: strings(&l.arrangement),
            ..Self::shared_of(entry)
        }
    }

    fn content_bytes(&self) -> usize {
        let lines = self.stanzas.iter().flat_map(|s| &s.lines);
        lines.map(String::len).sum::<usize>() + self.notes.as_ref().map_or(0, String::len)
    }

    fn text(&self) -> String {
        let mut text = vec![self.title.clone()];
        text.extend(self.notes.clone());
        text.extend(self.stanzas.iter().flat_map(|s| s.lines.clone()));
        text.join("\n")
    }
}
