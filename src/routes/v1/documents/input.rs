//! The `/v1` request body of a document, whatever its type, and how it
//! becomes a [`Draft`]: the shared fields checked by the content model's
//! rules ([`DocumentDraft::parse`]) against what exists, the type's own
//! fields by the type (Markdown rendered off the async workers), every
//! broken rule answered at once.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::draft::{CommonInput, DocumentDraft, Draft, NewContent, check_credits};
use crate::error::{AppError, FieldError};
use crate::http::body::Body;
use crate::services::documents::{ContentType, Entry};
use crate::services::known;
use crate::services::render::{Rendered, Renderer};
use crate::state::AppState;

/// The largest document body accepted, in bytes (768 KiB): room for the
/// largest Markdown ([`crate::domain::markdown::MAX_BYTES`], 512 KiB) with
/// its JSON escapes and the other fields.
pub const DOCUMENT_LIMIT: usize = 768 * 1024;

/// The detail of the content type `I` writes.
pub type Detail<I> = <<I as ContentInput>::Type as ContentType>::Detail;

/// The fields every document's body has, whatever its type: implemented
/// by [`document_input!`](crate::routes::v1::documents::document_input).
pub trait CommonFields {
    fn common(&self) -> CommonInput<'_>;
}

/// A content type's request body (the writable fields of a document), and
/// the representation `/v1` answers with.
pub trait ContentInput: Body + CommonFields + Serialize + Clone + Send + Sized {
    type Type: Rendered;
    /// The document as `GET /v1/{type}/{id}` shows it.
    type Dto: for<'a> From<&'a Entry<Detail<Self>>> + Serialize;
    /// The document as a listing shows it.
    type Summary: for<'a> From<&'a Entry<Detail<Self>>> + Serialize;

    /// Every person the body credits: `(field, person slug)`.
    fn credited(&self) -> Vec<(String, String)>;

    /// The type's own content as domain values, people resolved through
    /// `people`; each invalid field is added to `errors`. CPU-bound (it
    /// renders Markdown): called off the async workers.
    fn content(&self, people: &HashMap<String, Uuid>, errors: &mut Vec<FieldError>) -> Option<NewContent>;

    /// The body that would recreate `entry`: what merge patches apply to.
    fn from_entry(entry: &Entry<Detail<Self>>) -> Self;

    /// Everything a reader sees, for the placeholder check.
    fn text(&self) -> String;

    /// About how many bytes of text [`content`](Self::content) works
    /// through (Markdown, stanzas): how long it takes.
    fn content_bytes(&self) -> usize;

    /// The document as calendars carry it, stored text (events only).
    fn ical(_entry: &Entry<Detail<Self>>) -> Option<String> {
        None
    }
}

/// How `/v1` renders a document of the type `I` writes, for revisions: the
/// document as shown, and the body that recreates it (what restoring a
/// revision writes back).
pub fn snapshot<I: ContentInput>(entry: &Entry<Detail<I>>) -> Value {
    json!({ "document": I::Dto::from(entry), "input": I::from_entry(entry) })
}

/// `/v1`'s representations of the type `I` writes, for the services to
/// store and send.
pub fn renderer<I: ContentInput>() -> Renderer<Detail<I>> {
    Renderer {
        document: |entry| serde_json::to_string(&I::Dto::from(entry)),
        summary: |entry| serde_json::to_string(&I::Summary::from(entry)),
        snapshot: snapshot::<I>,
        ical: I::ical,
    }
}

/// The message for a credit that repeats `list[first]` (a person credited
/// twice alike).
pub fn credited_twice(list: &str, first: usize) -> String {
    format!("credits the same person as `{list}[{first}]`")
}

/// Content this small is checked and rendered on the request's own
/// thread: tens of microseconds, whatever it holds.
const INLINE_CONTENT_BYTES: usize = 4 * 1024;

/// `input`, for document `id` (new, or an existing one rewritten), as a
/// draft; else a 422 listing every invalid field.
pub async fn prepare<I: ContentInput>(state: &AppState, id: Uuid, input: &I) -> Result<Draft, AppError> {
    let (common, credited) = (input.common(), input.credited());
    let known = known::known(&state.db, state.direct.as_ref(), &common, &credited).await?;
    let kind = <I::Type as ContentType>::KIND;
    let document =
        DocumentDraft::parse(id, kind, &common, &state.settings.default_locale, &known, crate::domain::now());
    let mut errors: Vec<FieldError> = Vec::new();
    let mut invalid = |broken: Vec<(String, crate::domain::Invalid)>| {
        errors.extend(broken.into_iter().map(|(field, e)| FieldError::new(field, e.to_string())));
    };
    invalid(document.as_ref().err().cloned().unwrap_or_default());
    invalid(check_credits(&credited, &known));
    // The type's own fields are CPU work (Markdown): off the async
    // workers, and before any transaction begins, unless there is too
    // little of it to hold up anything (a hand-off takes longer).
    let (content, content_errors) = if input.content_bytes() <= INLINE_CONTENT_BYTES {
        let mut errors = Vec::new();
        (input.content(&known.people, &mut errors), errors)
    } else {
        let (owned, people) = (input.clone(), known.people);
        crate::blocking::run(move || {
            let mut errors = Vec::new();
            (owned.content(&people, &mut errors), errors)
        })
        .await?
    };
    errors.extend(content_errors);
    match (document, content) {
        (Ok(document), Some(content)) if errors.is_empty() => Ok(document.with(content)),
        _ => Err(AppError::invalid_fields(errors)),
    }
}

/// Declares, in the calling module, a content type's request body: the
/// fields every document has (slug, locale and title first; tags, related
/// documents and the translated document last) around the type's own,
/// with its size limit, its [`CommonFields`], and `shared_of`, the shared
/// fields as an entry holds them (the type's own at their defaults), for
/// [`ContentInput::from_entry`].
macro_rules! document_input {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            slug = $slug:literal,
            title = $title:literal;
            $($own:tt)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Lowercase letters, digits and single hyphens; unique per type
            /// and locale.
            #[schema(example = $slug)]
            pub slug: String,
            /// BCP 47; the default locale when absent.
            #[serde(default)]
            #[schema(example = "en")]
            pub locale: Option<String>,
            #[schema(example = $title)]
            pub title: String,
            $($own)*
            /// Tag slugs; unknown tags are created.
            #[serde(default)]
            #[schema(example = json!(["solidarity"]))]
            pub tags: Vec<String>,
            /// Ids of related documents of any type.
            #[serde(default)]
            pub related: Vec<uuid::Uuid>,
            /// The id of the document this one translates (of the same type).
            #[serde(default)]
            pub translation_of: Option<uuid::Uuid>,
        }

        impl $crate::http::body::Body for $name {
            const LIMIT: usize = $crate::routes::v1::documents::DOCUMENT_LIMIT;
        }

        impl $crate::routes::v1::documents::CommonFields for $name {
            fn common(&self) -> $crate::domain::draft::CommonInput<'_> {
                $crate::domain::draft::CommonInput {
                    slug: &self.slug,
                    locale: self.locale.as_deref(),
                    title: &self.title,
                    tags: &self.tags,
                    related: &self.related,
                    translation_of: self.translation_of,
                }
            }
        }

        impl $name {
            fn shared_of<D>(entry: &$crate::services::documents::Entry<D>) -> Self {
                let document = &entry.document;
                Self {
                    slug: document.slug.clone(),
                    locale: Some(document.locale.clone()),
                    title: document.title.clone(),
                    tags: entry.shared.tags.iter().map(|t| t.slug.clone()).collect(),
                    related: entry.shared.outgoing.clone(),
                    translation_of: None,
                    ..Self::default()
                }
            }
        }
    };
}
pub(crate) use document_input;
