//! `lyrics`: the song-specific part of a document. The stanzas live in
//! `lyrics_stanzas`; `arrangement` is the sung order of their keys.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lyrics")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: Uuid,
    pub tune: Option<String>,
    pub year: Option<i32>,
    /// BCP 47 language of the sung text.
    pub language: String,
    /// `public_domain` or `licensed`.
    pub rights_status: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub rights_attribution: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    /// JSON array of stanza keys in sung order.
    pub arrangement: Json,
    /// The whole song in sung order, rendered when it is written.
    #[sea_orm(column_type = "Text")]
    pub text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
