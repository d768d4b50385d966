//! Request parameters and response bodies of `/v1/essays`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::routes::v1::documents::{DocumentFields, SummaryFields, list_params, sort_param};
use crate::routes::v1::listing::listing_schema;
use crate::services::documents::Entry;
use crate::services::essays::EssayDetail;
use crate::services::people::Credit;

sort_param!(
    /// Order of an essay listing; `-published_at` (newest first) by default.
    EssaySort {
        PublishedAtDesc = "-published_at" => PublishedAt, true,
        PublishedAt = "published_at" => PublishedAt, false,
        Title = "title" => Title, false,
        TitleDesc = "-title" => Title, true,
    }
);

list_params!(
    /// Parameters of `GET /v1/essays`.
    pub struct EssayListParams {
        cursor = "WyItcHVibGlzaGVkX2F0Iix7InQiOiIyMDI2LTExLTI0VDEwOjAwOjAwWiJ9LCIwMTkzIl0";
        sort {
            /// `-published_at` (default), `published_at`, `title` or `-title`.
            #[param(inline, example = "-published_at")]
            pub sort: Option<EssaySort>,
        }
        /// Only essays by this person (a person slug).
        #[param(example = "alvaro-rodriguez")]
        pub author: Option<String>,
    }
);

/// An author as credited on an essay.
#[derive(Debug, Serialize, ToSchema)]
pub struct Author {
    #[schema(example = "alvaro-rodriguez")]
    pub slug: String,
    #[schema(example = "Alvaro Rodriguez")]
    pub name: String,
    /// The affiliation printed with the name on this essay.
    #[schema(example = "International Secretary, Communist Party USA")]
    pub affiliation: Option<String>,
}

fn authors(credits: &[Credit]) -> Vec<Author> {
    credits
        .iter()
        .map(|c| Author {
            slug: c.person.slug.clone(),
            name: c.person.name.clone(),
            affiliation: c.detail.clone(),
        })
        .collect()
}

/// An essay in a list: no body.
#[derive(Debug, Serialize, ToSchema)]
pub struct EssaySummary {
    #[serde(flatten)]
    pub document: SummaryFields,
    #[schema(example = json!(null))]
    pub subtitle: Option<String>,
    /// Given by the author, or the start of the body.
    #[schema(
        example = "It means that the struggle of the working class for a better life is a global struggle because capitalism is a global system."
    )]
    pub excerpt: String,
    pub authors: Vec<Author>,
    #[schema(example = 3)]
    pub reading_time_minutes: i32,
}

impl From<&Entry<EssayDetail>> for EssaySummary {
    fn from(entry: &Entry<EssayDetail>) -> Self {
        let essay = &entry.detail.essay;
        Self {
            document: entry.into(),
            subtitle: essay.subtitle.clone(),
            excerpt: essay.excerpt.clone(),
            authors: authors(&entry.detail.authors),
            reading_time_minutes: essay.reading_time_minutes,
        }
    }
}

/// A whole essay.
#[derive(Debug, Serialize, ToSchema)]
pub struct Essay {
    #[serde(flatten)]
    pub document: DocumentFields,
    #[schema(example = json!(null))]
    pub subtitle: Option<String>,
    pub authors: Vec<Author>,
    /// Given by the author, or the start of the body.
    #[schema(
        example = "It means that the struggle of the working class for a better life is a global struggle because capitalism is a global system."
    )]
    pub excerpt: String,
    /// The body as written: CommonMark with GitHub extensions.
    #[schema(
        example = "It means that the struggle of the working class…\n\n> When the union’s inspiration…"
    )]
    pub body_markdown: String,
    /// The body rendered to sanitised HTML when it was written.
    #[schema(example = "<p>It means that the struggle of the working class…</p>")]
    pub body_html: String,
    #[schema(example = 640)]
    pub word_count: i32,
    #[schema(example = 3)]
    pub reading_time_minutes: i32,
}

impl From<&Entry<EssayDetail>> for Essay {
    fn from(entry: &Entry<EssayDetail>) -> Self {
        let essay = &entry.detail.essay;
        Self {
            document: entry.into(),
            subtitle: essay.subtitle.clone(),
            authors: authors(&entry.detail.authors),
            excerpt: essay.excerpt.clone(),
            body_markdown: essay.body_markdown.clone(),
            body_html: essay.body_html.clone(),
            word_count: essay.word_count,
            reading_time_minutes: essay.reading_time_minutes,
        }
    }
}

listing_schema!(EssayList, EssaySummary, "essay summaries");
