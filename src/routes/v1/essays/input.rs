//! The request body that creates or replaces an essay.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::draft::{MAX_LINKS, MAX_TITLE, NewContent, NewEssay};
use crate::domain::markdown::Markdown;
use crate::domain::text;
use crate::error::FieldError;
use crate::http::input::checked;
use crate::routes::v1::documents::{ContentInput, credited_twice, document_input};
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

document_input!(
    /// An essay as written. Unknown fields are refused.
    pub struct EssayInput {
        slug = "proletarian-internationalism",
        title = "Proletarian Internationalism";
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
    }
);

impl ContentInput for EssayInput {
    type Summary = super::dto::EssaySummary;
    type Dto = super::dto::Essay;
    type Type = Essays;

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
            if let Some(first) = self.authors[..i].iter().position(|a| a.person == author.person) {
                errors
                    .push(FieldError::new(format!("authors[{i}].person"), credited_twice("authors", first)));
            }
            let field = format!("authors[{i}].affiliation");
            let affiliation =
                checked(&field, text::optional_line(author.affiliation.as_deref(), MAX_TITLE), errors);
            authors.extend(people.get(&author.person).map(|id| (*id, affiliation)));
        }
        let (Some(body), true) = (body, errors.len() == before) else { return None };
        Some(NewContent::Essay(NewEssay { subtitle, body, excerpt, authors }))
    }

    fn from_entry(entry: &Entry<EssayDetail>) -> Self {
        let e = &entry.detail.essay;
        Self {
            subtitle: e.subtitle.clone(),
            body_markdown: e.body_markdown.clone(),
            excerpt: e.excerpt_given.then(|| e.excerpt.clone()),
            authors: entry
                .detail
                .authors
                .iter()
                .map(|c| AuthorInput { person: c.person.slug.clone(), affiliation: c.detail.clone() })
                .collect(),
            ..Self::shared_of(entry)
        }
    }

    fn content_bytes(&self) -> usize {
        self.body_markdown.len() + self.excerpt.as_ref().map_or(0, String::len)
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
