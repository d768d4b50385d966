//! `lyrics_stanzas`: each stanza of a song, stored once however often it is
//! sung.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lyrics_stanzas")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: Uuid,
    /// The stanza's id within its song, such as `v1` or `chorus`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub position: i32,
    /// `verse`, `chorus`, `bridge`, `refrain`, …
    pub kind: String,
    /// JSON array of lines.
    pub lines: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
