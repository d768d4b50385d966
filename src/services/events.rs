//! Events: their own table and their organizers, and the date-range filters
//! that must expand recurrences. Everything else about them is shared with
//! the other types in `documents`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{document, event, event_organizer, person};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::documents::{self, CommonFilter, ContentType, Cursor, Entry, Page, Sort, SortField};
use super::pages::SortKey;
use super::people::{self, Credit};
use super::writes::Inserted;
use crate::database::direct::{Stream, Window, WindowRendering, WindowRow, WindowSource};
use crate::domain::{
    Country, DocumentKind, EventStatus, EventTimes, Locale, Months, Recurrence, Slug, TimeZone, Visibility,
};

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
        stored_times(e.starts_at, e.ends_at, &e.time_zone, e.all_day, e.recurrence.as_deref())
    }
}

/// Stored times as a domain value; see [`EventDetail::times`].
fn stored_times(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    time_zone: &str,
    all_day: bool,
    recurrence: Option<&str>,
) -> Option<EventTimes> {
    let zone = TimeZone::parse(time_zone).or_else(|_| TimeZone::parse("UTC")).ok()?;
    EventTimes::stored(starts_at, ends_at, zone, all_day, recurrence.and_then(parsed_rule)).ok()
}

/// A stored rule, parsed once per thread: a window reads the same few
/// rules (`FREQ=YEARLY`) over and over, and parsing one is a good part of
/// checking it.
fn parsed_rule(text: &str) -> Option<Recurrence> {
    /// Most rules kept per thread; past that, the cache starts again.
    const KEPT: usize = 256;
    thread_local! {
        static RULES: std::cell::RefCell<HashMap<String, Option<Recurrence>>> =
            std::cell::RefCell::new(HashMap::new());
    }
    RULES.with(|rules| {
        let mut rules = rules.borrow_mut();
        if let Some(parsed) = rules.get(text) {
            return parsed.clone();
        }
        if rules.len() >= KEPT {
            rules.clear();
        }
        let parsed = Recurrence::parse(text).ok();
        rules.insert(text.to_owned(), parsed.clone());
        parsed
    })
}

impl ContentType for Events {
    const KIND: DocumentKind = DocumentKind::Event;
    type Detail = EventDetail;

    async fn load<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, EventDetail>, DbErr> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let organizers = people::credits_of::<event_organizer::Entity, C>(db, ids).await?;
        let events = event::Entity::find()
            .filter(event::Column::DocumentId.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        Ok(details(events, organizers))
    }

    fn written(rows: &mut Inserted, people: &HashMap<Uuid, person::Model>) -> HashMap<Uuid, EventDetail> {
        let organizers = people::credits::<event_organizer::Entity>(&rows.organizers, people);
        details(std::mem::take(&mut rows.events), organizers)
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

fn details(
    events: Vec<event::Model>,
    mut organizers: HashMap<Uuid, Vec<Credit>>,
) -> HashMap<Uuid, EventDetail> {
    events
        .into_iter()
        .map(|event| {
            let organizers = organizers.remove(&event.document_id).unwrap_or_default();
            (event.document_id, EventDetail { event, organizers })
        })
        .collect()
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

/// An event's id and what its times are worked out from, in the order of
/// [`stored_times`]'s arguments.
const TIMES: [event::Column; 6] = [
    event::Column::DocumentId,
    event::Column::StartsAt,
    event::Column::EndsAt,
    event::Column::TimeZone,
    event::Column::AllDay,
    event::Column::Recurrence,
];

/// Works out the months of every long-running event (series that a window
/// reads by those months) left at all twelve by the migration that added
/// them. Returns how many events it narrowed.
pub async fn record_months<C: ConnectionTrait>(db: &C) -> Result<usize, DbErr> {
    type Row = (Uuid, DateTime<Utc>, DateTime<Utc>, String, bool, Option<String>);
    let (mut after, mut narrowed) = (None::<Uuid>, 0);
    loop {
        let mut page = event::Entity::find()
            .select_only()
            .columns(TIMES)
            .filter(event::Column::LongRunning.eq(true))
            .filter(event::Column::Months.eq(Months::ALL.bits()))
            .order_by_asc(event::Column::DocumentId)
            .limit(1_000);
        if let Some(after) = after {
            page = page.filter(event::Column::DocumentId.gt(after));
        }
        let rows: Vec<Row> = page.into_tuple().all(db).await?;
        let Some(last) = rows.last().map(|row| row.0) else { return Ok(narrowed) };
        let mut by_months: HashMap<Months, Vec<Uuid>> = HashMap::new();
        for (id, starts_at, ends_at, zone, all_day, recurrence) in rows {
            let months = stored_times(starts_at, ends_at, &zone, all_day, recurrence.as_deref())
                .map_or(Months::ALL, |times| times.months());
            if months != Months::ALL {
                by_months.entry(months).or_default().push(id);
            }
        }
        for (months, ids) in by_months {
            narrowed += ids.len();
            event::Entity::update_many()
                .col_expr(event::Column::Months, Expr::value(months.bits()))
                .filter(event::Column::DocumentId.is_in(ids))
                .exec(db)
                .await?;
        }
        after = Some(last);
    }
}

/// A window read through a pool connection, with the statement the
/// serving thread runs, built for the pool's database.
pub struct Pooled<'a, C>(pub &'a C);

/// A window row as the pool reads it: the rendering with what says
/// whether it is current.
type PooledRow = (
    Uuid,
    DateTime<Utc>,
    DateTime<Utc>,
    String,
    bool,
    Option<String>,
    Option<bool>,
    Option<DateTime<Utc>>,
    Option<String>,
);

impl<C: ConnectionTrait> WindowSource for Pooled<'_, C> {
    type Error = DbErr;

    async fn stream(
        &self,
        window: &Window<'_>,
        stream: Stream,
        until: Option<DateTime<Utc>>,
        limit: u64,
    ) -> Result<Vec<WindowRow>, DbErr> {
        use entity::document_rendering as rendering;
        use sea_orm::sea_query::ExprTrait;
        let column = |c: event::Column| Expr::col((event::Entity, c));
        let stored = match window.rendering {
            WindowRendering::Summary => rendering::Column::Summary,
            WindowRendering::Ical => rendering::Column::Ical,
        };
        let on_rendering = event::Entity::belongs_to(rendering::Entity)
            .from(event::Column::DocumentId)
            .to(rendering::Column::DocumentId)
            .into();
        let from = window.from;
        let mut select = event::Entity::find()
            .select_only()
            .columns(TIMES)
            .column(rendering::Column::Stale)
            .column(rendering::Column::ExpiresAt)
            .column(stored)
            .join(JoinType::LeftJoin, on_rendering)
            // The bare columns prove the partial indexes' `WHERE`.
            .filter(column(event::Column::Public))
            .filter(column(event::Column::Months).bit_and(Months::of_window(from, window.to).bits()).ne(0));
        select = match stream {
            Stream::Short => select
                .filter(column(event::Column::LongRunning).not())
                .filter(event::Column::StartsAt.gte(from - EventTimes::SHORT_SPAN))
                .filter(event::Column::SeriesEndsAt.gt(from)),
            Stream::Long => select.filter(column(event::Column::LongRunning)).filter(
                Condition::any()
                    .add(event::Column::SeriesEndsAt.is_null())
                    .add(event::Column::SeriesEndsAt.gt(from)),
            ),
        };
        if let Some(bound) = window.bound(until) {
            select = select.filter(match bound.inclusive {
                true => event::Column::StartsAt.lte(bound.at),
                false => event::Column::StartsAt.lt(bound.at),
            });
        }
        if let Some(locale) = window.locale {
            let on_document = event::Entity::belongs_to(document::Entity)
                .from(event::Column::DocumentId)
                .to(document::Column::Id);
            select = select
                .join(JoinType::InnerJoin, on_document.into())
                .filter(document::Column::Locale.eq(locale));
        }
        if let Some((at, id)) = window.after {
            // The first term gives the planner a range to seek to.
            select = select.filter(event::Column::StartsAt.gte(at)).filter(
                Condition::any().add(event::Column::StartsAt.gt(at)).add(event::Column::DocumentId.gt(id)),
            );
        }
        let select = select.order_by_asc(event::Column::StartsAt).order_by_asc(event::Column::DocumentId);
        let statement = documents::limited(select, self.0.get_database_backend(), limit);
        let rows = self.0.query_all_raw(statement).await?;
        let now = Utc::now();
        rows.iter()
            .map(|row| {
                let (id, starts_at, ends_at, time_zone, all_day, recurrence, stale, expires_at, stored): PooledRow =
                    row.try_get_many_by_index()?;
                // A missing rendering has neither; a stale one is never
                // current, a summary only until it expires.
                let current = stale == Some(false)
                    && (window.rendering == WindowRendering::Ical || expires_at.is_none_or(|at| at > now));
                Ok(WindowRow {
                    id,
                    starts_at,
                    ends_at,
                    time_zone,
                    all_day,
                    recurrence,
                    rendering: stored.filter(|_| current),
                })
            })
            .collect()
    }
}

/// Up to `limit` public events of `window`, in order of their start.
/// Long-running series are read first: those that began long ago come
/// first, and short ones that start after the last of a full batch of
/// them cannot be among the first `limit`.
pub async fn window<S: WindowSource>(
    source: &S,
    window: &Window<'_>,
    limit: u64,
) -> Result<Vec<WindowRow>, S::Error> {
    let mut rows = source.stream(window, Stream::Long, None, limit).await?;
    let until = rows.last().filter(|_| rows.len() as u64 >= limit).map(|row| row.starts_at);
    // Short series start at most a span before the window.
    if until.is_none_or(|until| until >= window.from - EventTimes::SHORT_SPAN) {
        rows.extend(source.stream(window, Stream::Short, until, limit).await?);
    }
    rows.sort_by_key(|row| (row.starts_at, row.id));
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(rows)
}

/// The window of public events that [`window`] reads for `filter`, when
/// stored renderings can answer alone: a window of time with a start (or
/// `upcoming`), and no other filter but one locale.
fn public_window(filter: &EventFilter, now: DateTime<Utc>, rendering: WindowRendering) -> Option<Window<'_>> {
    let common = &filter.common;
    if filter.organizer.is_some()
        || filter.country.is_some()
        || filter.event_status.is_some()
        || filter.upcoming == Some(false)
        || common.tag.is_some()
        || common.status.is_some()
    {
        return None;
    }
    let from = match filter.upcoming {
        Some(true) => filter.from.map_or(now, |from| from.max(now)),
        _ => filter.from?,
    };
    let locale = common.locale.as_ref().map(Locale::as_str);
    Some(Window { from, to: filter.to, locale, after: None, rendering })
}

/// More than `limit` public events of `window` in order of their start
/// when there are, each with an occurrence inside the window: SQL narrows
/// by the series as a whole, and recurring events are then checked
/// occurrence by occurrence, as [`list`] does. The index passes over the
/// series that never run in the window's months, so most rows read are
/// kept: the first batch reads an eighth more than the page, for those
/// that run near the window's months but not in it (a series' months are
/// taken a day wide either side). When fewer are kept (every other year,
/// say), each batch is twice the last, up to [`WINDOW_BATCH`].
async fn read_window<S: WindowSource>(
    source: &S,
    mut window: Window<'_>,
    limit: u64,
) -> Result<Vec<WindowRow>, S::Error> {
    let mut batch = limit + 1 + limit / 8 + 2;
    let wanted = usize::try_from(limit + 1).unwrap_or(usize::MAX);
    let mut kept = Vec::new();
    loop {
        let rows = self::window(source, &window, batch).await?;
        let exhausted = (rows.len() as u64) < batch;
        window.after = rows.last().map(|row| (row.starts_at, row.id)).or(window.after);
        let room = wanted - kept.len();
        kept.extend(
            rows.into_iter()
                .filter(|row| {
                    // Without an end, SQL's condition on the series is exact.
                    if row.recurrence.is_none() || window.to.is_none() {
                        return true;
                    }
                    stored_times(
                        row.starts_at,
                        row.ends_at,
                        &row.time_zone,
                        row.all_day,
                        row.recurrence.as_deref(),
                    )
                    .is_some_and(|times| times.overlaps(Some(window.from), window.to))
                })
                .take(room),
        );
        if exhausted || kept.len() == wanted {
            return Ok(kept);
        }
        batch = (batch * 2).min(WINDOW_BATCH.max(limit + 1));
    }
}

/// Most rows of a window read at once, unless a page needs more.
const WINDOW_BATCH: u64 = 1_000;

/// The page [`list`] gives anonymous readers, of the listing items stored
/// when each event was written, when it can be read so: earliest first,
/// filtered as [`public_window`] allows, every item current. `None` leaves
/// the page to [`list`].
pub async fn stored_page<S: WindowSource>(
    source: &S,
    filter: &EventFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Option<Page<String>>, S::Error> {
    if sort.field != SortField::StartsAt || sort.descending {
        return Ok(None);
    }
    let Some(mut window) = public_window(filter, Utc::now(), WindowRendering::Summary) else {
        return Ok(None);
    };
    if let Some(cursor) = after {
        let SortKey::Time(at) = cursor.key else { return Ok(None) };
        window.after = Some((at, cursor.id));
    }
    let rows = read_window(source, window, limit).await?;
    let page = Page::from_rows(rows, limit, |row| Cursor {
        sort: sort.name(),
        key: SortKey::Time(row.starts_at),
        id: row.id,
    });
    // An item not current: the pooled path renders it.
    let items: Option<Vec<String>> = page.items.into_iter().map(|row| row.rendering).collect();
    Ok(items.map(|items| Page { items, next: page.next }))
}

/// The stored `VEVENT`s of the calendar of `filter`, earliest first, at
/// most `limit`, when they can be read so, as [`stored_page`]'s items
/// are. `None` leaves the calendar to [`list`].
pub async fn stored_calendar<S: WindowSource>(
    source: &S,
    filter: &EventFilter,
    limit: u64,
) -> Result<Option<Vec<String>>, S::Error> {
    let Some(window) = public_window(filter, Utc::now(), WindowRendering::Ical) else { return Ok(None) };
    let mut rows = read_window(source, window, limit).await?;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(rows.into_iter().map(|row| row.rendering).collect())
}
