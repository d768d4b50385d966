//! A document as written, before it is stored: the fields every type
//! shares, checked against the rules of the content model and against what
//! exists (the documents it links to, the tags it names), and each type's
//! own content as domain values. Nothing here touches the database: what
//! the rules need to know of it comes in as [`Known`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::lyrics::{RightsStatus, Song, WriterRole};
use super::markdown::Markdown;
use super::{
    AttendanceMode, Country, DocumentKind, DocumentStatus, EventStatus, EventTimes, Invalid, Locale, Slug,
    text,
};

/// Most tags, related documents or credits one document may have.
pub const MAX_LINKS: usize = 50;
/// Longest title, in characters.
pub const MAX_TITLE: usize = 300;

/// A rule broken by the field named first.
pub type FieldInvalid = (String, Invalid);

/// What every new document carries, whatever its type.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub id: Uuid,
    pub slug: Slug,
    pub locale: Locale,
    pub title: String,
    pub status: DocumentStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The document this one translates; `None` starts a translation group.
    pub translation_of: Option<Uuid>,
    pub tags: Vec<Uuid>,
    /// Documents this one links to, in order.
    pub related: Vec<Uuid>,
}

#[derive(Debug, Clone)]
pub struct NewEssay {
    pub subtitle: Option<String>,
    /// Checked and rendered before the write begins (see [`Markdown::parse`]).
    pub body: Markdown,
    /// Given by the author; derived from the body when `None`.
    pub excerpt: Option<String>,
    /// `(person, affiliation)` in credit order.
    pub authors: Vec<(Uuid, Option<String>)>,
}

#[derive(Debug, Clone)]
pub struct NewLyrics {
    pub song: Song,
    pub writers: Vec<(Uuid, WriterRole)>,
    pub tune: Option<String>,
    pub year: Option<i32>,
    pub language: Locale,
    pub rights_status: RightsStatus,
    pub rights_attribution: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Venue {
    pub name: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub country: Option<Country>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub summary: String,
    /// Checked and rendered before the write begins (see [`Markdown::parse`]).
    pub description: Markdown,
    pub times: EventTimes,
    pub event_status: EventStatus,
    pub attendance_mode: AttendanceMode,
    pub venue: Venue,
    pub online_url: Option<url::Url>,
    pub registration_url: Option<url::Url>,
    pub organizers: Vec<Uuid>,
}

#[derive(Debug, Clone)]
pub enum NewContent {
    Essay(NewEssay),
    Lyrics(NewLyrics),
    /// Boxed: an event's parsed recurrence makes it far larger than the others.
    Event(Box<NewEvent>),
}

impl NewContent {
    pub fn kind(&self) -> DocumentKind {
        match self {
            Self::Essay(_) => DocumentKind::Essay,
            Self::Lyrics(_) => DocumentKind::Lyrics,
            Self::Event(_) => DocumentKind::Event,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewPerson {
    pub id: Uuid,
    pub slug: Slug,
    pub name: String,
    pub bio: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewTag {
    pub id: Uuid,
    pub slug: Slug,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// What a new or changed document consists of.
#[derive(Debug, Clone)]
pub struct Draft {
    pub document: NewDocument,
    /// Tags named by slug that do not exist yet: created with the document.
    pub new_tags: Vec<NewTag>,
    pub content: NewContent,
}

/// The fields every document's request body has, as sent.
#[derive(Debug, Clone, Copy)]
pub struct CommonInput<'a> {
    pub slug: &'a str,
    pub locale: Option<&'a str>,
    pub title: &'a str,
    pub tags: &'a [String],
    pub related: &'a [Uuid],
    pub translation_of: Option<Uuid>,
}

impl CommonInput<'_> {
    /// The documents it names: to look up before [`DocumentDraft::parse`].
    pub fn referenced(&self) -> Vec<Uuid> {
        self.related.iter().copied().chain(self.translation_of).collect()
    }

    /// The valid tag slugs it names, each once: to look up.
    pub fn tag_slugs(&self) -> Vec<Slug> {
        let mut slugs: Vec<Slug> = Vec::new();
        for slug in self.tags.iter().filter_map(|tag| Slug::parse(tag).ok()) {
            if !slugs.contains(&slug) {
                slugs.push(slug);
            }
        }
        slugs
    }
}

/// A document that exists, as much of it as the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Existing {
    pub kind: DocumentKind,
    pub translation_group: Uuid,
}

/// What the database knows that the rules need: the documents, tags and
/// people a body names, those that exist (and are not deleted).
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub documents: HashMap<Uuid, Existing>,
    /// Tag ids by slug.
    pub tags: HashMap<String, Uuid>,
    /// Person ids by slug.
    pub people: HashMap<String, Uuid>,
}

/// The shared part of a document as written, checked.
#[derive(Debug, Clone)]
pub struct DocumentDraft {
    pub document: NewDocument,
    /// Tags named that do not exist yet.
    pub new_tags: Vec<NewTag>,
}

impl DocumentDraft {
    /// Checks `input`, the shared fields of document `id` of `kind`
    /// (new, or an existing one rewritten), against the rules and against
    /// `known`. Every broken rule is reported, each on its field.
    pub fn parse(
        id: Uuid,
        kind: DocumentKind,
        input: &CommonInput<'_>,
        default_locale: &Locale,
        known: &Known,
        now: DateTime<Utc>,
    ) -> Result<Self, Vec<FieldInvalid>> {
        let mut errors: Vec<FieldInvalid> = Vec::new();
        let mut check = |field: &str, result: Result<(), Invalid>| {
            if let Err(e) = result {
                errors.push((field.to_owned(), e));
            }
        };
        let slug = Slug::parse(input.slug);
        check("slug", slug.as_ref().map(|_| ()).map_err(Clone::clone));
        let locale = input.locale.map_or_else(|| Ok(default_locale.clone()), Locale::parse);
        check("locale", locale.as_ref().map(|_| ()).map_err(Clone::clone));
        let title = text::required_line(input.title, MAX_TITLE);
        check("title", title.as_ref().map(|_| ()).map_err(Clone::clone));
        check("tags", at_most(input.tags.len()));
        check("related", at_most(input.related.len()));
        for (i, tag) in input.tags.iter().enumerate() {
            if let Err(e) = Slug::parse(tag) {
                errors.push((format!("tags[{i}]"), e));
            }
        }
        for (i, related) in input.related.iter().enumerate() {
            if *related == id {
                errors
                    .push((format!("related[{i}]"), Invalid::new("a document cannot be related to itself")));
            } else if !known.documents.contains_key(related) {
                errors.push((format!("related[{i}]"), Invalid::new(format!("no document {related}"))));
            }
        }
        let translation_group = match input.translation_of {
            None => None,
            Some(other) => match known.documents.get(&other) {
                Some(original) if original.kind == kind && other != id => Some(original.translation_group),
                Some(_) => {
                    errors.push(("translation_of".into(), Invalid::new(format!("must be another {kind}"))));
                    None
                }
                None => {
                    errors.push(("translation_of".into(), Invalid::new(format!("no document {other}"))));
                    None
                }
            },
        };
        let (Ok(slug), Ok(locale), Ok(title), true) = (slug, locale, title, errors.is_empty()) else {
            return Err(errors);
        };
        let (tags, new_tags) = tags(input.tag_slugs(), known, now);
        let mut related: Vec<Uuid> = Vec::new();
        for id in input.related {
            if !related.contains(id) {
                related.push(*id);
            }
        }
        let document = NewDocument {
            id,
            slug,
            locale,
            title,
            status: DocumentStatus::Draft,
            published_at: None,
            created_at: now,
            translation_of: translation_group,
            tags,
            related,
        };
        Ok(Self { document, new_tags })
    }

    /// The whole draft, with the type's own content.
    pub fn with(self, content: NewContent) -> Draft {
        Draft { document: self.document, new_tags: self.new_tags, content }
    }
}

fn at_most(count: usize) -> Result<(), Invalid> {
    if count > MAX_LINKS { Err(Invalid::new(format!("at most {MAX_LINKS}"))) } else { Ok(()) }
}

/// The ids of the tags `slugs` names, and the tags among them to create.
fn tags(slugs: Vec<Slug>, known: &Known, now: DateTime<Utc>) -> (Vec<Uuid>, Vec<NewTag>) {
    let (mut ids, mut new) = (Vec::new(), Vec::new());
    for slug in slugs {
        match known.tags.get(slug.as_str()) {
            Some(id) => ids.push(*id),
            None => {
                let id = Uuid::now_v7();
                ids.push(id);
                new.push(NewTag { id, name: slug.to_string(), slug, created_at: now });
            }
        }
    }
    (ids, new)
}

/// Checks the people a body credits, `(field, person slug)`, against
/// `known`: each must be a slug, and a person who exists.
pub fn check_credits(credited: &[(String, String)], known: &Known) -> Vec<FieldInvalid> {
    let mut errors = Vec::new();
    for (field, slug) in credited {
        match Slug::parse(slug) {
            Err(e) => errors.push((field.clone(), e)),
            Ok(_) if !known.people.contains_key(slug) => {
                errors.push((field.clone(), Invalid::new(format!("no person `{slug}`"))));
            }
            Ok(_) => {}
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(slug: &'a str, title: &'a str, tags: &'a [String], related: &'a [Uuid]) -> CommonInput<'a> {
        CommonInput { slug, locale: None, title, tags, related, translation_of: None }
    }

    fn english() -> Locale {
        Locale::parse("en").unwrap_or_else(|e| panic!("{e}"))
    }

    fn fields(result: Result<DocumentDraft, Vec<FieldInvalid>>) -> Vec<String> {
        result.err().unwrap_or_default().into_iter().map(|(field, _)| field).collect()
    }

    #[test]
    fn every_broken_rule_is_reported_on_its_field() {
        let id = Uuid::now_v7();
        let tags = ["Not A Tag".to_owned(), "fine".to_owned()];
        let related = [id, Uuid::now_v7()];
        let input = CommonInput { locale: Some("english"), ..input("Bad Slug", "  ", &tags, &related) };
        let parsed =
            DocumentDraft::parse(id, DocumentKind::Essay, &input, &english(), &Known::default(), Utc::now());
        assert_eq!(fields(parsed), ["slug", "locale", "title", "tags[0]", "related[0]", "related[1]"]);
    }

    #[test]
    fn tags_are_found_or_made_and_links_kept_once_in_order() {
        let (id, other) = (Uuid::now_v7(), Uuid::now_v7());
        let known_tag = Uuid::now_v7();
        let mut known = Known::default();
        known.tags.insert("solidarity".into(), known_tag);
        known.documents.insert(other, Existing { kind: DocumentKind::Lyrics, translation_group: other });
        let tags = ["solidarity".to_owned(), "new-tag".to_owned(), "solidarity".to_owned()];
        let related = [other, other];
        let draft = DocumentDraft::parse(
            id,
            DocumentKind::Essay,
            &input("x", " A title ", &tags, &related),
            &english(),
            &known,
            Utc::now(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(draft.document.title, "A title");
        assert_eq!(draft.document.related, [other]);
        assert_eq!(draft.document.tags.len(), 2);
        assert_eq!(draft.document.tags[0], known_tag);
        assert_eq!(draft.new_tags.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(), ["new-tag"]);
        assert_eq!(draft.document.locale, english());
    }

    #[test]
    fn a_translation_is_of_another_document_of_the_same_type() {
        let (id, song, essay) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let group = Uuid::now_v7();
        let mut known = Known::default();
        known.documents.insert(song, Existing { kind: DocumentKind::Lyrics, translation_group: song });
        known.documents.insert(essay, Existing { kind: DocumentKind::Essay, translation_group: group });
        let parse = |of: Uuid| {
            let input = CommonInput { translation_of: Some(of), ..input("x", "T", &[], &[]) };
            DocumentDraft::parse(id, DocumentKind::Essay, &input, &english(), &known, Utc::now())
        };
        assert_eq!(fields(parse(song)), ["translation_of"]);
        assert_eq!(fields(parse(Uuid::now_v7())), ["translation_of"]);
        assert_eq!(parse(essay).map(|d| d.document.translation_of).ok(), Some(Some(group)));
    }

    #[test]
    fn credits_name_people_who_exist() {
        let mut known = Known::default();
        known.people.insert("ralph-chaplin".into(), Uuid::now_v7());
        let credited = [
            ("writers[0].person".to_owned(), "ralph-chaplin".to_owned()),
            ("writers[1].person".to_owned(), "Bad Slug".to_owned()),
            ("writers[2].person".to_owned(), "nobody".to_owned()),
        ];
        let fields: Vec<String> = check_credits(&credited, &known).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["writers[1].person", "writers[2].person"]);
    }
}
