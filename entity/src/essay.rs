//! `essays`: the essay-specific part of a document.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "essays")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: Uuid,
    pub subtitle: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub body_markdown: String,
    /// Sanitised HTML, rendered from `body_markdown` when it is written.
    #[sea_orm(column_type = "Text")]
    pub body_html: String,
    #[sea_orm(column_type = "Text")]
    pub excerpt: String,
    /// Whether `excerpt` was given by the author rather than derived.
    pub excerpt_given: bool,
    pub word_count: i32,
    pub reading_time_minutes: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
