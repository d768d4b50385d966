//! Events: their own table and their organizers, and the date-range filters
//! that must expand recurrences. Everything else about them is shared with
//! the other types in `documents`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{document, event, event_organizer};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::documents::{self, CommonFilter, ContentType, Cursor, Entry, Page, Sort};
use super::people::{self, Credit};
use crate::domain::{Country, DocumentKind, EventStatus, EventTimes, Recurrence, Slug, TimeZone, Visibility};

pub struct Events;

#[derive(Debug, Clone)]
pub struct EventDetail {
    pub event: event::Model,
    pub organizers: Vec<Credit>,
}

impl EventDetail {
    /// The stored times as a domain value. Stored rows were validated when
    /// written; a row that no longer parses (say, a zone since removed from
    /// the database of zones) is shown in UTC without recurrence.
    pub fn times(&self) -> Option<EventTimes> {
        let e = &self.event;
        let zone = TimeZone::parse(&e.time_zone).or_else(|_| TimeZone::parse("UTC")).ok()?;
        let recurrence = e.recurrence.as_deref().and_then(|r| Recurrence::parse(r).ok());
        EventTimes::new(e.starts_at, e.ends_at, zone, e.all_day, recurrence.clone())
            .or_else(|_| EventTimes::new(e.starts_at, e.ends_at, zone, e.all_day, None))
            .ok()
    }
}

impl ContentType for Events {
    const KIND: DocumentKind = DocumentKind::Event;
    type Detail = EventDetail;

    async fn load<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, EventDetail>, DbErr> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut organizers = people::credits_of::<event_organizer::Entity, C>(db, ids).await?;
        let events = event::Entity::find()
            .filter(event::Column::DocumentId.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        Ok(events
            .into_iter()
            .map(|event| {
                let organizers = organizers.remove(&event.document_id).unwrap_or_default();
                (event.document_id, EventDetail { event, organizers })
            })
            .collect())
    }

    fn shown_until(detail: &EventDetail, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let times = detail.times()?;
        times.occurrences(Some(now), None, 1).into_iter().next().map(|o| o.ends_at)
    }

    async fn clear<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
        event_organizer::Entity::delete_many()
            .filter(event_organizer::Column::DocumentId.eq(id))
            .exec(db)
            .await?;
        event::Entity::delete_many().filter(event::Column::DocumentId.eq(id)).exec(db).await?;
        Ok(())
    }

    fn starts_at(detail: &EventDetail) -> Option<DateTime<Utc>> {
        Some(detail.event.starts_at)
    }

    async fn cancelled<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, DbErr> {
        let event = event::Entity::find_by_id(id).one(db).await?;
        Ok(event.is_some_and(|e| e.event_status == crate::domain::EventStatus::Cancelled.as_str()))
    }
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub common: CommonFilter,
    /// Slug of a person credited as organizer.
    pub organizer: Option<Slug>,
    /// Keep events with an occurrence that ends after this.
    pub from: Option<DateTime<Utc>>,
    /// Keep events with an occurrence that starts before this.
    pub to: Option<DateTime<Utc>>,
    /// `Some(true)`: an occurrence is still to come or running; `Some(false)`:
    /// the last occurrence has ended.
    pub upcoming: Option<bool>,
    pub country: Option<Country>,
    pub event_status: Option<EventStatus>,
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    visibility: Visibility,
    filter: &EventFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Page<Entry<EventDetail>>, DbErr> {
    let on_document = event::Entity::belongs_to(document::Entity)
        .from(event::Column::DocumentId)
        .to(document::Column::Id)
        .into();
    let select = documents::find(DocumentKind::Event, visibility).join_rev(JoinType::InnerJoin, on_document);
    let Some(mut listing) = documents::filter(db, select, visibility, &filter.common).await? else {
        return Ok(Page::empty());
    };
    if let Some(organizer) = &filter.organizer {
        match people::credited::<event_organizer::Entity, C>(db, listing, organizer).await? {
            Some(credited) => listing = credited,
            None => return Ok(Page::empty()),
        }
    }
    let mut select = listing.select.clone();
    if let Some(country) = &filter.country {
        select = select.filter(event::Column::VenueCountry.eq(country.as_str()));
    }
    if let Some(status) = filter.event_status {
        select = select.filter(event::Column::EventStatus.eq(status.as_str()));
    }

    let mut from = filter.from;
    let to = filter.to;
    match filter.upcoming {
        Some(true) => from = Some(from.map_or(now, |f| f.max(now))),
        Some(false) => {
            select = select
                .filter(event::Column::SeriesEndsAt.is_not_null())
                .filter(event::Column::SeriesEndsAt.lte(now));
        }
        None => {}
    }
    // SQL narrows by the series as a whole; recurring events are then checked
    // occurrence by occurrence.
    if let Some(from) = from {
        select = select.filter(
            Condition::any()
                .add(event::Column::SeriesEndsAt.is_null())
                .add(event::Column::SeriesEndsAt.gt(from)),
        );
    }
    if let Some(to) = to {
        select = select.filter(event::Column::StartsAt.lt(to));
    }
    let windowed = from.is_some() || to.is_some();
    let keep = |entry: &Entry<EventDetail>| {
        if !windowed || entry.detail.event.recurrence.is_none() {
            return true;
        }
        entry.detail.times().is_some_and(|times| times.overlaps(from, to))
    };
    listing.select = select;
    listing.narrowed = true;
    listing.starts = Some(documents::Starts { from, to });
    documents::list::<Events, C>(db, listing, sort, after, limit, keep).await
}
