//! The content model: documents of three types, people, tags and the links
//! between them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(People::Table)
                    .col(uuid(People::Id).primary_key())
                    .col(string_uniq(People::Slug))
                    .col(string(People::Name))
                    .col(text_null(People::Bio))
                    .col(timestamp_with_time_zone(People::CreatedAt))
                    .col(timestamp_with_time_zone(People::UpdatedAt))
                    .col(integer(People::Version))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("people_name", People::Table, [People::Name, People::Id])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Tags::Table)
                    .col(uuid(Tags::Id).primary_key())
                    .col(string_uniq(Tags::Slug))
                    .col(string(Tags::Name))
                    .col(timestamp_with_time_zone(Tags::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(uuid(Documents::Id).primary_key())
                    .col(string_len(Documents::Kind, 16))
                    .col(string(Documents::Slug))
                    .col(string_len(Documents::Locale, 35))
                    .col(uuid(Documents::TranslationGroup))
                    .col(string_len(Documents::Status, 16))
                    .col(string(Documents::Title))
                    .col(timestamp_with_time_zone_null(Documents::PublishedAt))
                    .col(timestamp_with_time_zone(Documents::CreatedAt))
                    .col(timestamp_with_time_zone(Documents::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Documents::DeletedAt))
                    .col(integer(Documents::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    // Slug before locale: a slug asked for without a locale
                    // is found through this index too.
                    "documents_kind_slug_locale",
                    Documents::Table,
                    [Documents::Kind, Documents::Slug, Documents::Locale],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "documents_kind_status_published",
                Documents::Table,
                [Documents::Kind, Documents::Status, Documents::PublishedAt, Documents::Id],
            ))
            .await?;
        manager
            .create_index(index(
                "documents_kind_status_title",
                Documents::Table,
                [Documents::Kind, Documents::Status, Documents::Title, Documents::Id],
            ))
            .await?;
        manager
            .create_index(index(
                "documents_translation_group",
                Documents::Table,
                [Documents::TranslationGroup],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Essays::Table)
                    .col(uuid(Essays::DocumentId).primary_key())
                    .col(string_null(Essays::Subtitle))
                    .col(text(Essays::BodyMarkdown))
                    .col(text(Essays::BodyHtml))
                    .col(text(Essays::Excerpt))
                    .col(boolean(Essays::ExcerptGiven))
                    .col(integer(Essays::WordCount))
                    .col(integer(Essays::ReadingTimeMinutes))
                    .foreign_key(&mut cascade("essays_document", Essays::Table, Essays::DocumentId))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Lyrics::Table)
                    .col(uuid(Lyrics::DocumentId).primary_key())
                    .col(string_null(Lyrics::Tune))
                    .col(integer_null(Lyrics::Year))
                    .col(string_len(Lyrics::Language, 35))
                    .col(string_len(Lyrics::RightsStatus, 16))
                    .col(text_null(Lyrics::RightsAttribution))
                    .col(text_null(Lyrics::Notes))
                    .col(json(Lyrics::Arrangement))
                    .col(text(Lyrics::Text))
                    .foreign_key(&mut cascade("lyrics_document", Lyrics::Table, Lyrics::DocumentId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LyricsStanzas::Table)
                    .col(uuid(LyricsStanzas::DocumentId))
                    .col(string_len(LyricsStanzas::Key, 32))
                    .col(integer(LyricsStanzas::Position))
                    .col(string_len(LyricsStanzas::Kind, 16))
                    .col(json(LyricsStanzas::Lines))
                    .primary_key(Index::create().col(LyricsStanzas::DocumentId).col(LyricsStanzas::Key))
                    .foreign_key(&mut cascade(
                        "lyrics_stanzas_document",
                        LyricsStanzas::Table,
                        LyricsStanzas::DocumentId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(uuid(Events::DocumentId).primary_key())
                    .col(text(Events::Summary))
                    .col(text(Events::DescriptionMarkdown))
                    .col(text(Events::DescriptionHtml))
                    .col(timestamp_with_time_zone(Events::StartsAt))
                    .col(timestamp_with_time_zone(Events::EndsAt))
                    .col(timestamp_with_time_zone_null(Events::SeriesEndsAt))
                    .col(string_len(Events::TimeZone, 64))
                    .col(boolean(Events::AllDay))
                    .col(string_len_null(Events::Recurrence, 512))
                    .col(string_len(Events::EventStatus, 16))
                    .col(string_len(Events::AttendanceMode, 16))
                    .col(string_null(Events::VenueName))
                    .col(string_null(Events::VenueAddress))
                    .col(string_null(Events::VenueCity))
                    .col(string_len_null(Events::VenueCountry, 2))
                    .col(double_null(Events::VenueLatitude))
                    .col(double_null(Events::VenueLongitude))
                    .col(string_len_null(Events::OnlineUrl, 2048))
                    .col(string_len_null(Events::RegistrationUrl, 2048))
                    .foreign_key(&mut cascade("events_document", Events::Table, Events::DocumentId))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("events_starts_at", Events::Table, [Events::StartsAt])).await?;

        for (table, name) in [
            (EssayAuthors::Table.into_iden(), "essay_authors"),
            (EventOrganizers::Table.into_iden(), "event_organizers"),
        ] {
            let mut create = Table::create();
            create
                .table(table.clone())
                .col(uuid(Link::DocumentId))
                .col(uuid(Link::PersonId))
                .col(integer(Link::Position))
                .primary_key(Index::create().col(Link::DocumentId).col(Link::PersonId))
                .foreign_key(&mut cascade(&format!("{name}_document"), table.clone(), Link::DocumentId))
                .foreign_key(&mut person_fk(&format!("{name}_person"), table.clone()));
            if name == "essay_authors" {
                create.col(string_null(Link::Affiliation));
            }
            manager.create_table(create.to_owned()).await?;
            manager.create_index(index(&format!("{name}_person"), table, [Link::PersonId])).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(LyricsWriters::Table)
                    .col(uuid(Link::DocumentId))
                    .col(uuid(Link::PersonId))
                    .col(string_len(Link::Role, 32))
                    .col(integer(Link::Position))
                    .primary_key(Index::create().col(Link::DocumentId).col(Link::PersonId).col(Link::Role))
                    .foreign_key(&mut cascade(
                        "lyrics_writers_document",
                        LyricsWriters::Table,
                        Link::DocumentId,
                    ))
                    .foreign_key(&mut person_fk("lyrics_writers_person", LyricsWriters::Table))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("lyrics_writers_person", LyricsWriters::Table, [Link::PersonId])).await?;

        manager
            .create_table(
                Table::create()
                    .table(DocumentTags::Table)
                    .col(uuid(Link::DocumentId))
                    .col(uuid(DocumentTags::TagId))
                    .primary_key(Index::create().col(Link::DocumentId).col(DocumentTags::TagId))
                    .foreign_key(&mut cascade(
                        "document_tags_document",
                        DocumentTags::Table,
                        Link::DocumentId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("document_tags_tag")
                            .from(DocumentTags::Table, DocumentTags::TagId)
                            .to(Tags::Table, Tags::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "document_tags_tag",
                DocumentTags::Table,
                [DocumentTags::TagId.into_iden(), Link::DocumentId.into_iden()],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DocumentRelations::Table)
                    .col(uuid(Link::DocumentId))
                    .col(uuid(DocumentRelations::RelatedId))
                    .col(integer(Link::Position))
                    .primary_key(Index::create().col(Link::DocumentId).col(DocumentRelations::RelatedId))
                    .foreign_key(&mut cascade(
                        "document_relations_document",
                        DocumentRelations::Table,
                        Link::DocumentId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("document_relations_related")
                            .from(DocumentRelations::Table, DocumentRelations::RelatedId)
                            .to(Documents::Table, Documents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "document_relations_related",
                DocumentRelations::Table,
                [DocumentRelations::RelatedId],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DocumentRelations::Table.into_iden(),
            DocumentTags::Table.into_iden(),
            LyricsWriters::Table.into_iden(),
            EventOrganizers::Table.into_iden(),
            EssayAuthors::Table.into_iden(),
            Events::Table.into_iden(),
            LyricsStanzas::Table.into_iden(),
            Lyrics::Table.into_iden(),
            Essays::Table.into_iden(),
            Documents::Table.into_iden(),
            Tags::Table.into_iden(),
            People::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

fn index<T, C, const N: usize>(name: &str, table: T, columns: [C; N]) -> IndexCreateStatement
where
    T: IntoIden,
    C: IntoIden,
{
    let mut create = Index::create();
    create.name(name).table(table);
    for column in columns {
        create.col(column);
    }
    create.to_owned()
}

/// A link row belongs to its document and goes when the document goes.
fn cascade<T: IntoIden, C: IntoIden>(name: &str, table: T, column: C) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Documents::Table, Documents::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A person cannot be removed while a document still credits them.
fn person_fk<T: IntoIden>(name: &str, table: T) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, Link::PersonId)
        .to(People::Table, People::Id)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
    Slug,
    Name,
    Bio,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Tags {
    Table,
    Id,
    Slug,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    Kind,
    Slug,
    Locale,
    TranslationGroup,
    Status,
    Title,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
    Version,
}

#[derive(DeriveIden)]
enum Essays {
    Table,
    DocumentId,
    Subtitle,
    BodyMarkdown,
    BodyHtml,
    Excerpt,
    ExcerptGiven,
    WordCount,
    ReadingTimeMinutes,
}

#[derive(DeriveIden)]
enum Lyrics {
    Table,
    DocumentId,
    Tune,
    Year,
    Language,
    RightsStatus,
    RightsAttribution,
    Notes,
    Arrangement,
    Text,
}

#[derive(DeriveIden)]
enum LyricsStanzas {
    Table,
    DocumentId,
    Key,
    Position,
    Kind,
    Lines,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    DocumentId,
    Summary,
    DescriptionMarkdown,
    DescriptionHtml,
    StartsAt,
    EndsAt,
    SeriesEndsAt,
    TimeZone,
    AllDay,
    Recurrence,
    EventStatus,
    AttendanceMode,
    VenueName,
    VenueAddress,
    VenueCity,
    VenueCountry,
    VenueLatitude,
    VenueLongitude,
    OnlineUrl,
    RegistrationUrl,
}

#[derive(DeriveIden)]
enum EssayAuthors {
    Table,
}

#[derive(DeriveIden)]
enum EventOrganizers {
    Table,
}

#[derive(DeriveIden)]
enum LyricsWriters {
    Table,
}

#[derive(DeriveIden)]
enum DocumentTags {
    Table,
    TagId,
}

#[derive(DeriveIden)]
enum DocumentRelations {
    Table,
    RelatedId,
}

/// Columns shared by the link tables.
#[derive(DeriveIden)]
enum Link {
    DocumentId,
    PersonId,
    Position,
    Role,
    Affiliation,
}
