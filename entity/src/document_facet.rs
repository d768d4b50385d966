//! `document_facets`: one row per tag (`t`) and per credited person (`p`)
//! of each document, with the columns listings sort by, so that a filtered
//! public listing reads one range of an index.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document_facets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub facet: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub value: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: Uuid,
    pub kind: String,
    pub public: bool,
    pub published_at: Option<DateTimeUtc>,
    pub title: String,
    pub starts_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
