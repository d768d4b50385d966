//! Reads of stored renderings on SQLite, without the pool.
//!
//! Each HTTP worker thread keeps its own read-only connection to the
//! database file, with its statements prepared once. A public document, a
//! public list page of essays or songs and a public sync page that miss the
//! cache are then each one statement on the thread that serves them, with
//! no hand-off to a pool connection's thread and back: for pages in
//! SQLite's cache that takes microseconds, less than the hand-off it
//! replaces (on a cold disk, a page read holds the worker meanwhile). In
//! WAL mode each statement reads the latest committed state, so a write is
//! seen here as soon as it has returned.
//!
//! A read answers only what it can answer alone: a public document or a
//! page whose stored renderings are current. Anything else (no such
//! document, a stale or expired rendering, an error) is left to the pooled
//! path, which decides.
//!
//! Writes look up what they name here too, before their transaction: the
//! writer's account, and tags and people by slug.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, params};
use uuid::Uuid;

use crate::domain::{
    DocumentKind, DocumentStatus, EventTimes, IdOrSlug, Locale, LocalePreference, Months, Translation,
    choose_translation,
};

/// Point reads on one SQLite file; see the module documentation.
#[derive(Debug)]
pub struct Direct {
    /// Tells this database's connections from others' on a thread.
    id: u64,
    path: PathBuf,
}

/// A public document's stored representation and what its headers need.
#[derive(Debug, Clone)]
pub struct StoredDocument {
    pub id: Uuid,
    pub version: i32,
    pub locale: String,
    pub updated_at: DateTime<Utc>,
    pub json: String,
}

thread_local! {
    /// This thread's connections, one per database it has read.
    static CONNECTIONS: RefCell<Vec<(u64, Connection)>> = const { RefCell::new(Vec::new()) };
}

/// How long a lookup waits on a lock (only a WAL checkpoint's reset takes
/// one readers notice) before leaving the read to the pool.
const BUSY: Duration = Duration::from_millis(50);

/// A candidate document, as [`choose_translation`] needs it.
struct Candidate {
    id: Uuid,
    locale: String,
    group: Vec<u8>,
    version: i32,
    updated_at: String,
    rendering: Option<String>,
}

impl Translation for Candidate {
    fn id(&self) -> Uuid {
        self.id
    }
    fn locale(&self) -> &str {
        &self.locale
    }
}

/// A lookup: `?1` the time now, `?2` the kind, `?3` the published status,
/// `?4` the key.
macro_rules! lookup {
    ($key:literal) => {
        concat!(
            "SELECT d.id, d.locale, d.translation_group, d.version, d.updated_at, ",
            "CASE WHEN r.stale THEN NULL WHEN r.expires_at IS NULL OR r.expires_at > ?1 THEN r.document END ",
            "FROM documents d LEFT JOIN document_renderings r ON r.document_id = d.id ",
            "WHERE ",
            $key,
            " AND d.kind = ?2 AND d.status = ?3 AND d.deleted_at IS NULL ORDER BY d.created_at"
        )
    };
}
const BY_ID: &str = lookup!("d.id = ?4");
const BY_SLUG: &str = lookup!("d.slug = ?4");
const BY_GROUP: &str = lookup!("d.translation_group = ?4");

/// Every statement a lookup runs.
const STATEMENTS: [&str; 3] = [BY_ID, BY_SLUG, BY_GROUP];

impl Direct {
    /// Point reads on the database `url` names, when it is a SQLite file.
    pub fn open(url: &str) -> Option<Self> {
        use sea_orm::sqlx::sqlite::SqliteConnectOptions;
        use std::str::FromStr;
        let options = SqliteConnectOptions::from_str(url).ok()?;
        let path = options.get_filename();
        // An in-memory database is not a file other connections can open.
        if url.contains("mode=memory") || !path.is_file() {
            return None;
        }
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let direct = Self { id: NEXT.fetch_add(1, Ordering::Relaxed), path: path.to_path_buf() };
        // Only a file the pool keeps in WAL mode is read without a lock.
        let wal = direct.with(|c| c.query_row("PRAGMA journal_mode", [], |row| row.get::<_, String>(0)));
        match wal {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => Some(direct),
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(%error, "point reads off: cannot read the database file directly");
                None
            }
        }
    }

    /// Runs `read` on this thread's connection, opening it on first use.
    fn with<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        CONNECTIONS.with(|connections| {
            let mut connections = connections.borrow_mut();
            if !connections.iter().any(|(id, _)| *id == self.id) {
                connections.push((self.id, connect(&self.path)?));
            }
            let (_, connection) =
                connections.iter().find(|(id, _)| *id == self.id).ok_or(rusqlite::Error::InvalidQuery)?;
            read(connection)
        })
    }

    /// The public document of `kind` that `key` names in the locale asked
    /// for, when its stored rendering is current; `None` leaves the read to
    /// the pooled path (no such document, or no current rendering).
    pub fn public(
        &self,
        kind: DocumentKind,
        key: &IdOrSlug,
        preference: &LocalePreference,
        default_locale: &Locale,
    ) -> rusqlite::Result<Option<StoredDocument>> {
        let now = sqlx_timestamp(Utc::now());
        let (kind, published) = (kind.as_str(), DocumentStatus::Published.as_str());
        self.with(|c| {
            let candidates: Vec<Candidate> = match key {
                IdOrSlug::Id(id) => {
                    let mut statement = c.prepare_cached(BY_ID)?;
                    let rows = statement
                        .query_map(params![now, kind, published, id.as_bytes().as_slice()], candidate)?;
                    rows.collect::<Result<_, _>>()?
                }
                IdOrSlug::Slug(slug) => {
                    let mut statement = c.prepare_cached(BY_SLUG)?;
                    let rows =
                        statement.query_map(params![now, kind, published, slug.as_str()], candidate)?;
                    rows.collect::<Result<_, _>>()?
                }
            };
            let mut translations = Vec::new();
            if !preference.wanted.is_empty() {
                let mut statement = c.prepare_cached(BY_GROUP)?;
                let mut groups: Vec<&[u8]> = candidates.iter().map(|d| d.group.as_slice()).collect();
                groups.dedup();
                for group in groups {
                    for row in statement.query_map(params![now, kind, published, group], candidate)? {
                        translations.push(row?);
                    }
                }
            }
            let Some(chosen) = choose_translation(candidates, translations, preference, default_locale)
            else {
                return Ok(None);
            };
            let (Some(json), Some(updated_at)) = (chosen.rendering, parse_timestamp(&chosen.updated_at))
            else {
                return Ok(None);
            };
            Ok(Some(StoredDocument {
                id: chosen.id,
                version: chosen.version,
                locale: chosen.locale,
                updated_at,
                json,
            }))
        })
    }
}

/// What a slug names, for [`Direct::id_by_slug`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Tag,
    Person,
}

const TAG_BY_SLUG: &str = "SELECT id FROM tags WHERE slug = ?1";
const PERSON_BY_SLUG: &str = "SELECT id FROM people WHERE slug = ?1";
const USER_EMAIL: &str = "SELECT email FROM users WHERE id = ?1";

impl Direct {
    /// The id of the tag or person `slug` names, if any.
    pub fn id_by_slug(&self, named: Named, slug: &str) -> rusqlite::Result<Option<Uuid>> {
        let sql = match named {
            Named::Tag => TAG_BY_SLUG,
            Named::Person => PERSON_BY_SLUG,
        };
        self.with(|c| {
            let mut statement = c.prepare_cached(sql)?;
            let mut rows = statement.query(params![slug])?;
            rows.next()?.map(|row| uuid_at(row, 0)).transpose()
        })
    }

    /// The ids of the tags or people `slugs` name, by slug; a slug that
    /// names none is left out.
    pub fn ids_by_slug(&self, named: Named, slugs: &[String]) -> rusqlite::Result<HashMap<String, Uuid>> {
        let mut found = HashMap::with_capacity(slugs.len());
        for slug in slugs {
            if let Some(id) = self.id_by_slug(named, slug)? {
                found.insert(slug.clone(), id);
            }
        }
        Ok(found)
    }

    /// The email address of the account `id`, if it exists.
    pub fn user_email(&self, id: Uuid) -> rusqlite::Result<Option<String>> {
        self.with(|c| {
            let mut statement = c.prepare_cached(USER_EMAIL)?;
            let mut rows = statement.query(params![id.as_bytes().as_slice()])?;
            rows.next()?.map(|row| row.get(0)).transpose()
        })
    }
}

/// The order of a public list: its key column and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKey {
    PublishedAt,
    Title,
}

/// Where a public list's rows come from: the documents of a kind (in one
/// locale, or all), or one facet of theirs (a tag, a credited person).
#[derive(Debug, Clone, Copy)]
pub enum ListSource<'a> {
    Documents { locale: Option<&'a str> },
    Facet { facet: &'static str, value: Uuid },
}

/// One row of a public list: the document, its sort key as stored, and its
/// stored listing item when that is current.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub id: Uuid,
    pub key: String,
    pub summary: Option<String>,
}

/// The statement of one list read, and its parameters but the time now
/// (`?1`) and the limit (last).
fn list_statement(
    kind: DocumentKind,
    source: ListSource<'_>,
    key: ListKey,
    descending: bool,
    after: Option<(&str, Uuid)>,
) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let (table, id, column) = match source {
        ListSource::Documents { .. } => ("documents d", "d.id", "d."),
        ListSource::Facet { .. } => ("document_facets d", "d.document_id", "d."),
    };
    let key_column = match key {
        ListKey::PublishedAt => format!("{column}published_at"),
        ListKey::Title => format!("{column}title"),
    };
    let mut values: Vec<Value> = Vec::new();
    let next = |value: Value, values: &mut Vec<Value>| {
        values.push(value);
        format!("?{}", values.len() + 1)
    };
    let mut conditions = Vec::new();
    match source {
        ListSource::Documents { locale } => {
            conditions.push(format!("d.kind = {}", next(kind.as_str().to_owned().into(), &mut values)));
            let published = DocumentStatus::Published.as_str().to_owned();
            conditions.push(format!("d.status = {}", next(published.into(), &mut values)));
            conditions.push("d.deleted_at IS NULL".to_owned());
            if let Some(locale) = locale {
                conditions.push(format!("d.locale = {}", next(locale.to_owned().into(), &mut values)));
            }
        }
        ListSource::Facet { facet, value } => {
            conditions.push(format!("d.facet = {}", next(facet.to_owned().into(), &mut values)));
            conditions.push(format!("d.value = {}", next(value.as_bytes().to_vec().into(), &mut values)));
            conditions.push(format!("d.kind = {}", next(kind.as_str().to_owned().into(), &mut values)));
            // The column itself, which proves the partial index's `WHERE public`.
            conditions.push("d.public".to_owned());
        }
    }
    if let Some((after_key, after_id)) = after {
        let (within, beyond) = if descending { ("<=", "<") } else { (">=", ">") };
        let k = next(after_key.to_owned().into(), &mut values);
        let i = next(after_id.as_bytes().to_vec().into(), &mut values);
        // The first term gives the planner a range to seek to.
        conditions.push(format!(
            "{key_column} {within} {k} AND ({key_column} {beyond} {k} OR ({key_column} = {k} AND {id} {beyond} {i}))"
        ));
    }
    let order = if descending { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT {id}, {key_column}, {} \
         FROM {table} LEFT JOIN document_renderings r ON r.document_id = {id} \
         WHERE {} ORDER BY {key_column} {order}, {id} {order} LIMIT ?{}",
        current_summary("?1"),
        conditions.join(" AND "),
        values.len() + 2,
    );
    (sql, values)
}

/// The listing item of the rendering `r` when it is current: not stale,
/// and not expired at the time now, the parameter `now` (an item says
/// what comes next, which the clock changes).
fn current_summary(now: &str) -> String {
    format!(
        "CASE WHEN r.stale THEN NULL WHEN r.expires_at IS NULL OR r.expires_at > {now} THEN r.summary END"
    )
}

impl Direct {
    /// Up to `limit` rows of a public list of `kind` in order after `after`
    /// (a sort key as stored, and an id).
    pub fn list(
        &self,
        kind: DocumentKind,
        source: ListSource<'_>,
        key: ListKey,
        descending: bool,
        after: Option<(&str, Uuid)>,
        limit: u64,
    ) -> rusqlite::Result<Vec<ListRow>> {
        use rusqlite::types::Value;
        let (sql, values) = list_statement(kind, source, key, descending, after);
        let mut all: Vec<Value> = Vec::with_capacity(values.len() + 2);
        all.push(sqlx_timestamp(Utc::now()).into());
        all.extend(values);
        all.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        self.with(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            let rows = statement.query_map(rusqlite::params_from_iter(all), |row| {
                Ok(ListRow { id: uuid_at(row, 0)?, key: row.get(1)?, summary: row.get(2)? })
            })?;
            rows.collect()
        })
    }

    /// The query plan of every statement these reads run, a line per step,
    /// with sample parameters: for checking that each is bounded by an index.
    pub fn plans(&self) -> rusqlite::Result<Vec<(String, Vec<String>)>> {
        use rusqlite::types::Value;
        let mut statements: Vec<(String, Vec<Value>)> = Vec::new();
        let key = || -> Vec<Value> {
            vec![
                "2026-01-01T00:00:00+00:00".to_owned().into(),
                "essay".to_owned().into(),
                "published".to_owned().into(),
                "a-slug".to_owned().into(),
            ]
        };
        for sql in STATEMENTS {
            statements.push((sql.to_owned(), key()));
        }
        for sql in [TAG_BY_SLUG, PERSON_BY_SLUG] {
            statements.push((sql.to_owned(), vec![Value::Text("a-slug".to_owned())]));
        }
        statements
            .push((CHANGES.to_owned(), vec![key().swap_remove(0), Value::Integer(42), Value::Integer(101)]));
        let at = |t: &str| parse_timestamp(t);
        if let Some(from) = at("2026-01-01T00:00:00+00:00") {
            for to in [None, at("2026-02-01T00:00:00+00:00")] {
                for (locale, after) in [(None, None), (Some("en"), at("2026-01-10T00:00:00+00:00"))] {
                    let after = after.map(|t| (t, Uuid::nil()));
                    let window = Window { from, to, locale, after, rendering: WindowRendering::Summary };
                    for (stream, until) in [(Stream::Long, None), (Stream::Short, Some(from))] {
                        statements.push(window_statement(&window, stream, until, 21));
                    }
                }
            }
        }
        let sources = [
            ListSource::Documents { locale: None },
            ListSource::Documents { locale: Some("en") },
            ListSource::Facet { facet: "t", value: Uuid::nil() },
        ];
        for source in sources {
            for list_key in [ListKey::PublishedAt, ListKey::Title] {
                for descending in [false, true] {
                    for after in [None, Some(("2026-01-01T00:00:00+00:00", Uuid::nil()))] {
                        let (sql, values) =
                            list_statement(DocumentKind::Essay, source, list_key, descending, after);
                        let mut all = vec![Value::Text("2026-01-01T00:00:00+00:00".to_owned())];
                        all.extend(values);
                        all.push(Value::Integer(21));
                        statements.push((sql, all));
                    }
                }
            }
        }
        self.with(|c| {
            statements
                .into_iter()
                .map(|(sql, values)| {
                    let mut explain = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let mut lines = explain
                        .query_map(rusqlite::params_from_iter(&values), |row| row.get::<_, String>(3))?
                        .collect::<rusqlite::Result<Vec<String>>>()?;
                    // Run twice: binding a value that the plan depends on
                    // makes SQLite compile the statement again each time.
                    let mut statement = c.prepare(&sql)?;
                    for _ in 0..2 {
                        statement.query(rusqlite::params_from_iter(&values))?.next()?;
                    }
                    let again = statement.get_status(rusqlite::StatementStatus::RePrepare);
                    if again > 0 {
                        lines.push(format!("RECOMPILED {again} times"));
                    }
                    Ok((sql, lines))
                })
                .collect()
        })
    }
}

/// One public event, in order of its start, with its times.
#[derive(Debug, Clone)]
pub struct WindowRow {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub all_day: bool,
    pub recurrence: Option<String>,
    /// The stored rendering [`Window::rendering`] asks for, when current.
    pub rendering: Option<String>,
}

/// Which stored rendering of each event a window reads with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowRendering {
    /// The listing item of a page.
    Summary,
    /// The `VEVENT` of a calendar.
    Ical,
}

/// Which public events, in order of their start, [`Direct::window`] reads.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    /// Only series that end after this.
    pub from: DateTime<Utc>,
    /// Only events that start before this.
    pub to: Option<DateTime<Utc>>,
    pub locale: Option<&'a str>,
    /// Only events after this start and id.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub rendering: WindowRendering,
}

/// The one bound on the start that ends a stream's index range.
#[derive(Debug, Clone, Copy)]
pub struct StartBound {
    pub at: DateTime<Utc>,
    pub inclusive: bool,
}

impl Window<'_> {
    /// The bound on the start of a stream of this window that starts no
    /// later than `until`, when given: the earlier of that and the end.
    pub fn bound(&self, until: Option<DateTime<Utc>>) -> Option<StartBound> {
        match (self.to, until) {
            (Some(to), Some(until)) if until >= to => Some(StartBound { at: to, inclusive: false }),
            (_, Some(until)) => Some(StartBound { at: until, inclusive: true }),
            (to, None) => to.map(|at| StartBound { at, inclusive: false }),
        }
    }
}

/// The two kinds of series a window reads, each from an index of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Series that run at most [`EventTimes::SHORT_SPAN`]: a range of
    /// `events_public_short_starts` from that long before the window.
    Short,
    /// The others, however long ago they began: `events_public_long_window`.
    Long,
}

/// The statement of one stream of a window and its parameters, at most
/// `limit` rows, none starting after `until` when given. Each index holds
/// the series' months and end, so a series that ended before the window or
/// never runs in its months is passed over without reading its row.
fn window_statement(
    window: &Window<'_>,
    stream: Stream,
    until: Option<DateTime<Utc>>,
    limit: u64,
) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let time = |t: DateTime<Utc>| Value::Text(sqlx_timestamp(t));
    let from = time(window.from);
    let (rendering, mut head) = match window.rendering {
        WindowRendering::Summary => (current_summary("?"), vec![time(Utc::now())]),
        WindowRendering::Ical => ("CASE WHEN r.stale THEN NULL ELSE r.ical END".to_owned(), Vec::new()),
    };
    let (mut sql, mut values) = match stream {
        Stream::Short => (
            String::from("NOT e.long_running AND e.starts_at >= ? AND e.series_ends_at > ?"),
            vec![time(window.from - EventTimes::SHORT_SPAN), from],
        ),
        // The bare column proves the partial index's `WHERE`.
        Stream::Long => (
            String::from("e.long_running AND (e.series_ends_at IS NULL OR e.series_ends_at > ?)"),
            vec![from],
        ),
    };
    sql.push_str(" AND (e.months & ?) <> 0");
    values.push(Value::Integer(Months::of_window(window.from, window.to).bits().into()));
    if let Some(bound) = window.bound(until) {
        let operator = if bound.inclusive { "<=" } else { "<" };
        sql.push_str(&format!(" AND e.starts_at {operator} ?"));
        values.push(time(bound.at));
    }
    // The document's row is read only for its locale: whether it is public
    // the event says itself (`events.public`).
    let mut documents = "";
    if let Some(locale) = window.locale {
        documents = "JOIN documents d ON d.id = e.document_id ";
        sql.push_str(" AND d.locale = ?");
        values.push(Value::Text(locale.to_owned()));
    }
    if let Some((at, id)) = window.after {
        // The first term gives the planner a range to seek to.
        sql.push_str(" AND e.starts_at >= ? AND (e.starts_at > ? OR e.document_id > ?)");
        values.extend([time(at), time(at), Value::Blob(id.as_bytes().to_vec())]);
    }
    values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    head.extend(values);
    let sql = format!(
        "SELECT e.document_id, e.starts_at, e.ends_at, e.time_zone, e.all_day, e.recurrence, {rendering} \
         FROM events e {documents}LEFT JOIN document_renderings r ON r.document_id = e.document_id \
         WHERE e.public AND {sql} ORDER BY e.starts_at, e.document_id LIMIT ?"
    );
    (sql, head)
}

/// Where a window of public events is read, one stream at a time: on the
/// serving thread ([`Direct`]) or through the pool
/// (`services::events::Pooled`).
pub trait WindowSource {
    type Error;

    /// Up to `limit` public events of one stream of `window` starting no
    /// later than `until`, in order of their start.
    fn stream(
        &self,
        window: &Window<'_>,
        stream: Stream,
        until: Option<DateTime<Utc>>,
        limit: u64,
    ) -> impl std::future::Future<Output = Result<Vec<WindowRow>, Self::Error>>;
}

impl WindowSource for Direct {
    type Error = rusqlite::Error;

    async fn stream(
        &self,
        window: &Window<'_>,
        stream: Stream,
        until: Option<DateTime<Utc>>,
        limit: u64,
    ) -> rusqlite::Result<Vec<WindowRow>> {
        let (sql, values) = window_statement(window, stream, until, limit);
        self.with(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            let rows = statement.query_map(rusqlite::params_from_iter(&values), |row| {
                Ok(WindowRow {
                    id: uuid_at(row, 0)?,
                    starts_at: time_at(row, 1)?,
                    ends_at: time_at(row, 2)?,
                    time_zone: row.get(3)?,
                    all_day: row.get(4)?,
                    recurrence: row.get(5)?,
                    rendering: row.get(6)?,
                })
            })?;
            rows.collect()
        })
    }
}

/// One entry of the change log, with the document's stored rendering:
/// `None` when that is not current (the caller renders the document),
/// `Some(None)` when the document is not public.
#[derive(Debug, Clone)]
pub struct ChangeRow {
    pub seq: i64,
    pub document_id: Uuid,
    pub kind: String,
    pub ever_public: bool,
    pub rendering: Option<Option<String>>,
}

/// The change log after `?2`, oldest first, `?3` at most; `?1` the time now.
const CHANGES: &str = "SELECT c.seq, c.document_id, c.kind, c.ever_public, \
     r.document_id IS NOT NULL AND NOT r.stale AND (r.expires_at IS NULL OR r.expires_at > ?1), r.document \
     FROM change_log c LEFT JOIN document_renderings r ON r.document_id = c.document_id \
     WHERE c.seq > ?2 ORDER BY c.seq LIMIT ?3";

impl Direct {
    /// Up to `limit` entries of the change log after `after`.
    pub fn changes(&self, after: i64, limit: u64) -> rusqlite::Result<Vec<ChangeRow>> {
        let now = sqlx_timestamp(Utc::now());
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with(|c| {
            let mut statement = c.prepare_cached(CHANGES)?;
            let rows = statement.query_map(params![now, after, limit], |row| {
                let current: bool = row.get(4)?;
                Ok(ChangeRow {
                    seq: row.get(0)?,
                    document_id: uuid_at(row, 1)?,
                    kind: row.get(2)?,
                    ever_public: row.get(3)?,
                    rendering: if current { Some(row.get(5)?) } else { None },
                })
            })?;
            rows.collect()
        })
    }
}

fn uuid_at(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Uuid> {
    let bytes: Vec<u8> = row.get(index)?;
    Uuid::from_slice(&bytes).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Blob, Box::new(e))
    })
}

fn time_at(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text = row.get_ref(index)?.as_str().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
    })?;
    parse_timestamp(text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            format!("not a time: {text}").into(),
        )
    })
}

fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = Connection::open_with_flags(path, flags)?;
    connection.busy_timeout(BUSY)?;
    connection.set_prepared_statement_cache_capacity(64);
    // One plan per statement, whatever its values: without this guarantee
    // SQLite compiles a statement again whenever a value its plan looked at
    // is bound, and every read here did, spending more time in the parser
    // and planner than in the answer.
    connection.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(connection)
}

fn candidate(row: &rusqlite::Row<'_>) -> rusqlite::Result<Candidate> {
    Ok(Candidate {
        id: uuid_at(row, 0)?,
        locale: row.get(1)?,
        group: row.get(2)?,
        version: row.get(3)?,
        updated_at: row.get(4)?,
        rendering: row.get(5)?,
    })
}

/// A time as sqlx stores it in SQLite, so that stored times compare with it
/// as text.
pub fn sqlx_timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}
