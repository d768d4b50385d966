//! The request body that creates or replaces an essay.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::draft::{CommonInput, MAX_LINKS, MAX_TITLE, NewContent, NewEssay};
use crate::domain::markdown::Markdown;
use crate::domain::text;
use crate::error::FieldError;
use crate::http::body::Body;
use crate::http::input::checked;
use crate::routes::v1::documents::{ContentInput, DOCUMENT_LIMIT};
use crate::services::documents::Entry;
use crate::services::essays::{EssayDetail, Essays};

/// An author credit: a person (by slug) and the affiliation printed on this essay.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorInput {
    #[schema(example = "alvaro-rodriguez")]
    pub person: String,
    #[serde(default)]
    #[schema(example = "International Secretary, Communist Party USA")]
    pub affiliation: Option<String>,
}

/// An essay as written. Unknown fields are refused.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EssayInput {
    #[schema(example = "proletarian-internationalism")]
    pub slug: String,
    /// BCP 47; the default locale when absent.
    #[serde(default)]
    #[schema(example = "en")]
    pub locale: Option<String>,
    #[schema(example = "Proletarian Internationalism")]
    pub title: String,
    #[serde(default)]
    #[schema(example = json!(null))]
    pub subtitle: Option<String>,
    /// CommonMark with GitHub extensions; rendered to sanitised HTML on write.
    #[schema(example = "It means that the struggle of the working class…")]
    pub body_markdown: String,
    /// Derived from the body when absent.
    #[serde(default)]
    #[schema(example = json!(null))]
    pub excerpt: Option<String>,
    #[serde(default)]
    pub authors: Vec<AuthorInput>,
    /// Tag slugs; unknown tags are created.
    #[serde(default)]
    #[schema(example = json!(["internationalism", "solidarity"]))]
    pub tags: Vec<String>,
    /// Ids of related documents of any type.
    #[serde(default)]
    pub related: Vec<Uuid>,
    /// The id of the essay this one translates.
    #[serde(default)]
    pub translation_of: Option<Uuid>,
}

impl Body for EssayInput {
    const LIMIT: usize = DOCUMENT_LIMIT;
}

impl ContentInput for EssayInput {
    type Dto = super::dto::Essay;
    type Type = Essays;

    fn common(&self) -> CommonInput<'_> {
        CommonInput {
            slug: &self.slug,
            locale: self.locale.as_deref(),
            title: &self.title,
            tags: &self.tags,
            related: &self.related,
            translation_of: self.translation_of,
        }
    }

    fn credited(&self) -> Vec<(String, String)> {
        self.authors
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("authors[{i}].person"), a.person.clone()))
            .collect()
    }

    fn content(&self, people: &HashMap<String, Uuid>, errors: &mut Vec<FieldError>) -> Option<NewContent> {
        let before = errors.len();
        let subtitle = checked("subtitle", text::optional_line(self.subtitle.as_deref(), MAX_TITLE), errors);
        let excerpt = checked("excerpt", text::optional_lines(self.excerpt.as_deref(), 1000), errors);
        let body = checked("body_markdown", Markdown::parse(&self.body_markdown).map(Some), errors);
        if self.authors.len() > MAX_LINKS {
            errors.push(FieldError::new("authors", format!("at most {MAX_LINKS}")));
        }
        let mut authors = Vec::new();
        for (i, author) in self.authors.iter().enumerate() {
            let field = format!("authors[{i}].affiliation");
            let affiliation =
                checked(&field, text::optional_line(author.affiliation.as_deref(), MAX_TITLE), errors);
            authors.extend(people.get(&author.person).map(|id| (*id, affiliation)));
        }
        let (Some(body), true) = (body, errors.len() == before) else { return None };
        Some(NewContent::Essay(NewEssay { subtitle, body, excerpt, authors }))
    }

    fn from_entry(entry: &Entry<EssayDetail>) -> Self {
        let (d, e) = (&entry.document, &entry.detail.essay);
        Self {
            slug: d.slug.clone(),
            locale: Some(d.locale.clone()),
            title: d.title.clone(),
            subtitle: e.subtitle.clone(),
            body_markdown: e.body_markdown.clone(),
            excerpt: e.excerpt_given.then(|| e.excerpt.clone()),
            authors: entry
                .detail
                .authors
                .iter()
                .map(|c| AuthorInput { person: c.person.slug.clone(), affiliation: c.detail.clone() })
                .collect(),
            tags: entry.shared.tags.iter().map(|t| t.slug.clone()).collect(),
            related: entry.shared.outgoing.clone(),
            translation_of: None,
        }
    }

    fn text(&self) -> String {
        [
            Some(self.title.as_str()),
            self.subtitle.as_deref(),
            self.excerpt.as_deref(),
            Some(&self.body_markdown),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
    }
}
