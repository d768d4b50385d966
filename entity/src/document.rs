//! `documents`: what every essay, lyrics and event shares — identity, slug,
//! locale, translation group, publication status, timestamps and version.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `essay`, `lyrics` or `event`.
    pub kind: String,
    pub slug: String,
    pub locale: String,
    /// Documents that are translations of each other share this id.
    pub translation_group: Uuid,
    /// `draft`, `scheduled`, `published` or `archived`.
    pub status: String,
    pub title: String,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
    pub version: i32,
    /// When a `scheduled` document goes live.
    pub publish_at: Option<DateTimeUtc>,
    /// The user who created it, if a user did (authors may edit only their own drafts).
    pub created_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
