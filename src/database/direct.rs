//! Point reads of stored renderings on SQLite, without the pool.
//!
//! Each HTTP worker thread keeps its own read-only connection to the
//! database file, with its statements prepared once. An anonymous document
//! read that misses the cache is then one indexed lookup on the thread that
//! serves it, with no hand-off to a pool connection's thread and back: for
//! pages in SQLite's cache that takes microseconds, less than the hand-off
//! it replaces. In WAL mode each statement reads the latest committed
//! state, so a write is seen here as soon as it has returned.
//!
//! A lookup answers only what it can answer alone: a public document with
//! a current stored rendering. Anything else (no such document, a stale or
//! expired rendering, an error) is left to the pooled path, which decides.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, params};
use uuid::Uuid;

use crate::domain::{
    DocumentKind, DocumentStatus, IdOrSlug, Locale, LocalePreference, Translation, choose_translation,
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

/// Every statement a lookup runs, for checking their query plans.
pub const STATEMENTS: [&str; 3] = [BY_ID, BY_SLUG, BY_GROUP];

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

fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = Connection::open_with_flags(path, flags)?;
    connection.busy_timeout(BUSY)?;
    connection.set_prepared_statement_cache_capacity(16);
    Ok(connection)
}

fn candidate(row: &rusqlite::Row<'_>) -> rusqlite::Result<Candidate> {
    let id: Vec<u8> = row.get(0)?;
    Ok(Candidate {
        id: Uuid::from_slice(&id).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(e))
        })?,
        locale: row.get(1)?,
        group: row.get(2)?,
        version: row.get(3)?,
        updated_at: row.get(4)?,
        rendering: row.get(5)?,
    })
}

/// A time as sqlx stores it in SQLite, so that stored times compare with it
/// as text.
fn sqlx_timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}
