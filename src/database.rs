//! Connecting to the database (SQLite by default, PostgreSQL to scale out)
//! and bringing its schema up to date.

mod checkpoints;
pub mod direct;
pub mod ranking;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteQueryResult, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    ExecResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

use crate::config::DatabaseSettings;

/// Opens a pool. A SQLite file is created when missing and runs in WAL mode
/// with foreign keys enforced.
///
/// On SQLite, transactions that write (see [`begin_write`]) also get a
/// connection of their own, besides the pool. SQLite empties a
/// connection's page cache whenever another connection has committed
/// since it last read, so writes taking turns on the pool's connections
/// read the upper pages of every index they touch anew, from the OS, each
/// time; the one writing connection keeps them.
pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    let db = Database::connect(options(settings, settings.max_connections, false)).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // Without table statistics SQLite's planner may pick a status index
        // over the slug index and scan every published document: the tables
        // that need it are analysed, once for all connections (statistics
        // belong to the file). Not as each connection opens: after a bulk
        // load, on a cold disk, that reads gigabytes, for longer than a
        // connection may take to open, and nothing would start.
        db.execute_unprepared("PRAGMA optimize=0x10002").await?;
        let writes = writes(&db);
        if writes.connection.get().is_none() {
            let mut writer = options(settings, 1, true);
            // Closed when writes pause, so that a file no longer in use
            // (a test's) is let go.
            writer.min_connections(0).idle_timeout(Duration::from_secs(60));
            let _ = writes.connection.set(Database::connect(writer).await?);
            let options = db.get_sqlite_connection_pool().connect_options();
            let file = options.get_filename();
            if file.is_file() {
                let _ = writes.checkpoints.set(checkpoints::Checkpoints::new(file, writes.turn.clone()));
            }
        }
    }
    Ok(db)
}

/// The page cache of the connection that writes, in KiB: the upper levels
/// of the indexes a write touches, at a million documents.
const WRITER_CACHE_KIB: u32 = 16 * 1024;

/// The size the write-ahead log is cut back to once checkpointed, in bytes.
const WAL_KEPT: u64 = 64 * 1024 * 1024;

/// How to open a pool of `connections`; on SQLite, for the connection that
/// writes when `writer` says so.
fn options(settings: &DatabaseSettings, connections: u32, writer: bool) -> ConnectOptions {
    let mut options = ConnectOptions::new(settings.url.clone());
    options
        .max_connections(connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        // Past this a request is answered 503 with `Retry-After`, not kept waiting.
        .acquire_timeout(Duration::from_secs(5))
        // A connection in use moments ago is handed out as it is: a ping on
        // every acquire is a round trip to the connection's thread (SQLite)
        // or the server for each request.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |sqlite| {
            let sqlite = sqlite
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Creates written together use statements whose shape
                // follows the number of rows (one for each batch size and
                // table); with sqlx's default of 100 these pushed the hot
                // reads out of the cache, to be prepared again.
                .statement_cache_capacity(400);
            if !writer {
                return sqlite;
            }
            sqlite
                .pragma("cache_size", format!("-{WRITER_CACHE_KIB}"))
                // Checkpoints are another thread's (see `checkpoints`).
                .pragma("wal_autocheckpoint", "0")
                .pragma("journal_size_limit", WAL_KEPT.to_string())
        })
        .map_sqlx_sqlite_pool_opts(|pool| {
            pool.after_connect(|connection, _| {
                Box::pin(async move {
                    let mut handle = connection.lock_handle().await?;
                    // SAFETY: the handle is locked to this task while the function registers.
                    unsafe { ranking::register(handle.as_raw_handle().as_ptr()) }
                        .map_err(|message| sea_orm::sqlx::Error::Configuration(message.into()))
                })
            })
        });
    if let Some(limit) = settings.statement_timeout {
        // A statement past this is cancelled (`query_canceled`), and the
        // request answered 503: one slow query holds a connection no longer.
        let limit = format!("{}ms", limit.as_millis());
        options.map_sqlx_postgres_opts(move |postgres| {
            postgres.options([("statement_timeout", limit.as_str())])
        });
    }
    options
}

/// Begins a transaction that will write. On SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`), where the busy timeout applies: a deferred
/// transaction that reads first and writes later fails at once with
/// "database is locked" when another writer got there in between.
/// PostgreSQL ignores the mode.
///
/// On SQLite the transactions of this process also take turns before they
/// begin, first come first served, on the connection that writes (see
/// [`connect`]). Left to SQLite's busy handler, a waiting
/// writer sleeps in growing steps of up to 100 ms: the lock sat idle between
/// writers, and the slowest writes took a second.
pub async fn begin_write<W: Writer>(db: &W) -> Result<WriteTransaction, DbErr> {
    db.begin_write().await
}

/// What a writing transaction can begin on: the pool, or (as a savepoint)
/// a transaction already writing, which holds the turn.
pub trait Writer: Sync {
    fn begin_write(&self) -> impl std::future::Future<Output = Result<WriteTransaction, DbErr>> + Send;
}

impl Writer for DatabaseConnection {
    async fn begin_write(&self) -> Result<WriteTransaction, DbErr> {
        let (turn, on, writes) = match self.get_database_backend() {
            DbBackend::Sqlite => {
                let writes = writes(self);
                let turn = writes.turn.clone().lock_owned().await;
                // A pool opened otherwise than by `connect` writes on itself.
                let on = writes.connection.get().cloned().unwrap_or_else(|| self.clone());
                (Some(turn), on, Some(writes))
            }
            _ => (None, self.clone(), None),
        };
        let txn = on
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await?;
        Ok(WriteTransaction { txn, held: None, writes, _turn: turn })
    }
}

impl Writer for WriteTransaction {
    async fn begin_write(&self) -> Result<WriteTransaction, DbErr> {
        // What this one holds back goes first: the savepoint writes directly.
        self.send_held().await?;
        Ok(WriteTransaction { txn: self.txn.begin().await?, held: None, writes: None, _turn: None })
    }
}

/// How this process writes to one SQLite file.
#[derive(Default)]
struct Writes {
    /// Whose turn it is.
    turn: Arc<tokio::sync::Mutex<()>>,
    /// The connection that writes, once [`connect`] has opened it.
    connection: OnceLock<DatabaseConnection>,
    /// What checkpoints the file, for that connection (which does not).
    checkpoints: OnceLock<checkpoints::Checkpoints>,
}

/// How this process writes to the SQLite file `db` opens.
fn writes(db: &DatabaseConnection) -> Arc<Writes> {
    static WRITES: OnceLock<Mutex<HashMap<PathBuf, Arc<Writes>>>> = OnceLock::new();
    let file = db.get_sqlite_connection_pool().connect_options().get_filename().to_path_buf();
    let mut writes = WRITES.get_or_init(Mutex::default).lock().unwrap_or_else(PoisonError::into_inner);
    writes.entry(file).or_default().clone()
}

/// A transaction that writes, holding this process's turn to write (on
/// SQLite) until it ends.
pub struct WriteTransaction {
    // Declared first, so dropped (rolled back) before the turn passes on.
    txn: DatabaseTransaction,
    /// Inserts held back, when holding (see [`Self::holding_inserts`]).
    held: Option<Mutex<Vec<Statement>>>,
    /// How this process writes to the SQLite file, for a transaction (not
    /// a savepoint) there.
    writes: Option<Arc<Writes>>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTransaction {
    /// On SQLite, from now on, holds back each insert until the next
    /// statement and sends them together: one hand-off to the connection's
    /// thread and back (sqlx runs each SQLite connection on a thread of its
    /// own) for many statements, where the turn to write spent most of its
    /// time on hand-offs. A read still sees every insert before it, and
    /// `commit` sends what is held first.
    ///
    /// For transactions that read nothing from their inserts' results: a
    /// held insert answers that it changed no rows, and its error (a
    /// unique or foreign-key violation) comes from the statement it goes
    /// with, or from `commit`. PostgreSQL runs each statement as it comes.
    pub fn holding_inserts(mut self) -> Self {
        if self.txn.get_database_backend() == DbBackend::Sqlite {
            self.held = Some(Mutex::default());
        }
        self
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        self.send_held().await?;
        self.txn.commit().await?;
        if let Some(checkpoints) = self.writes.as_ref().and_then(|writes| writes.checkpoints.get()) {
            checkpoints.committed();
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }

    /// The inserts held back, now no longer held.
    fn take_held(&self) -> Vec<Statement> {
        self.held
            .as_ref()
            .map(|held| std::mem::take(&mut *held.lock().unwrap_or_else(PoisonError::into_inner)))
            .unwrap_or_default()
    }

    /// Sends the inserts held back, if any.
    async fn send_held(&self) -> Result<(), DbErr> {
        let mut held = self.take_held();
        if let Some(last) = held.pop() {
            self.txn.execute_raw(together(held, last)).await?;
        }
        Ok(())
    }

    /// `stmt`, after the inserts held back.
    fn after_held(&self, stmt: Statement) -> Statement {
        together(self.take_held(), stmt)
    }
}

/// Whether `stmt` is an insert that returns nothing: one a transaction
/// holding inserts may hold back.
fn holdable(stmt: &Statement) -> bool {
    let sql = stmt.sql.trim_start();
    sql.get(..7).is_some_and(|start| start.eq_ignore_ascii_case("INSERT "))
        && !sql.to_ascii_uppercase().contains(" RETURNING ")
}

/// SQLite statements, then `last`, as one: their texts in order and their
/// values in order (each statement numbers its `?`s from one, and sqlx
/// binds the values across the statements in turn).
fn together(first: Vec<Statement>, last: Statement) -> Statement {
    if first.is_empty() {
        return last;
    }
    let backend = last.db_backend;
    let mut sql =
        String::with_capacity(first.iter().map(|s| s.sql.len() + 2).sum::<usize>() + last.sql.len());
    let mut values = Vec::new();
    for statement in first.into_iter().chain([last]) {
        if !sql.is_empty() {
            sql.push_str(";\n");
        }
        sql.push_str(&statement.sql);
        values.extend(statement.values.map(|v| v.0).unwrap_or_default());
    }
    Statement::from_sql_and_values(backend, sql, values)
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTransaction {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        if let Some(held) = &self.held
            && holdable(&stmt)
        {
            held.lock().unwrap_or_else(PoisonError::into_inner).push(stmt);
            return Ok(SqliteQueryResult::default().into());
        }
        // Sent on its own: its rows affected are its own.
        self.send_held().await?;
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.send_held().await?;
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        // The held inserts give no rows: the first row is the query's.
        self.txn.query_one_raw(self.after_held(stmt)).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(self.after_held(stmt)).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Refreshes the planner's statistics, after a bulk load.
pub async fn analyze(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("ANALYZE").await.map(|_| ())
}

/// Whether the database answers a trivial query.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}

pub fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Sqlite => "sqlite",
        DbBackend::Postgres => "postgres",
        _ => "other",
    }
}

/// Whether anonymous reads may go to the read replica now: only when it
/// has caught up with the latest change this instance knows of.
pub struct Replica {
    pub db: DatabaseConnection,
    /// Bumped at each change.
    generation: AtomicU64,
    /// The generation the replica is known to have caught up with.
    caught_up_with: AtomicU64,
    changed: tokio::sync::Notify,
}

impl Replica {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            generation: AtomicU64::new(1),
            caught_up_with: AtomicU64::new(0),
            changed: tokio::sync::Notify::new(),
        }
    }

    pub fn caught_up(&self) -> bool {
        self.caught_up_with.load(Ordering::SeqCst) == self.generation.load(Ordering::SeqCst)
    }

    /// A write was committed (here or elsewhere): the replica may lag it.
    pub fn behind(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_one();
    }

    /// The latest change known, as a generation number.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Whether the replica is known to have caught up with `generation`.
    pub fn reached(&self, generation: u64) -> bool {
        self.caught_up_with.load(Ordering::SeqCst) == generation
    }

    /// The replica has replayed what the primary had at `generation`.
    pub fn caught_up_with(&self, generation: u64) {
        self.caught_up_with.store(generation, Ordering::SeqCst);
    }

    /// Resolves at the next change.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn memory() -> DatabaseConnection {
        let mut options = ConnectOptions::new("sqlite::memory:");
        // One connection: each holds a database of its own.
        options.max_connections(1).min_connections(1).sqlx_logging(false);
        let db = Database::connect(options).await.expect("an in-memory database");
        db.execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
            .await
            .expect("a table");
        db
    }

    fn insert(id: i64, name: &str) -> Statement {
        Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO t (id, name) VALUES (?, ?)",
            [id.into(), name.into()],
        )
    }

    #[test]
    fn only_inserts_that_return_nothing_are_held() {
        let sql = |sql: &str| Statement::from_string(DbBackend::Sqlite, sql);
        assert!(holdable(&sql("INSERT INTO t (id) VALUES (?)")));
        assert!(holdable(&sql("insert into t (id) values (?) on conflict do nothing")));
        assert!(!holdable(&sql("INSERT INTO t (id) VALUES (?) RETURNING id")));
        assert!(!holdable(&sql("UPDATE t SET name = ? WHERE id = ?")));
        assert!(!holdable(&sql("SELECT 1")));
    }

    #[tokio::test]
    async fn held_inserts_are_seen_by_the_next_read_and_count_no_rows_of_others() {
        let db = memory().await;
        let txn = begin_write(&db).await.expect("a transaction").holding_inserts();
        for (id, name) in [(1, "one"), (2, "two"), (3, "three")] {
            let held = txn.execute_raw(insert(id, name)).await.expect("held");
            assert_eq!(held.rows_affected(), 0, "held, not yet run");
        }
        let count = Statement::from_string(DbBackend::Sqlite, "SELECT COUNT(*) AS n FROM t");
        let row = txn.query_one_raw(count.clone()).await.expect("a read").expect("a row");
        assert_eq!(row.try_get::<i64>("", "n").expect("a count"), 3);
        // An update after held inserts answers for its own rows only.
        txn.execute_raw(insert(4, "four")).await.expect("held");
        let update = Statement::from_string(DbBackend::Sqlite, "UPDATE t SET name = 'uno' WHERE id = 1");
        assert_eq!(txn.execute_raw(update).await.expect("an update").rows_affected(), 1);
        txn.execute_raw(insert(5, "five")).await.expect("held");
        txn.commit().await.expect("committed, with what was held");
        let row = db.query_one_raw(count).await.expect("a read").expect("a row");
        assert_eq!(row.try_get::<i64>("", "n").expect("a count"), 5);
    }

    #[tokio::test]
    async fn a_held_insert_that_fails_fails_the_statement_it_goes_with() {
        let db = memory().await;
        let txn = begin_write(&db).await.expect("a transaction").holding_inserts();
        txn.execute_raw(insert(1, "same")).await.expect("held");
        txn.execute_raw(insert(2, "same")).await.expect("held, not yet run");
        let count = Statement::from_string(DbBackend::Sqlite, "SELECT COUNT(*) AS n FROM t");
        let error = txn.query_one_raw(count.clone()).await.expect_err("the taken name");
        assert!(matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))), "{error}");
        drop(txn);
        let row = db.query_one_raw(count).await.expect("a read").expect("a row");
        assert_eq!(row.try_get::<i64>("", "n").expect("a count"), 0, "rolled back whole");
    }

    /// Writes `rows` rows of 4,000 bytes, one transaction each.
    async fn write_rows(db: &DatabaseConnection, rows: usize) {
        let insert =
            Statement::from_string(DbBackend::Sqlite, "INSERT INTO t (data) VALUES (zeroblob(4000))");
        for _ in 0..rows {
            let txn = begin_write(db).await.expect("a transaction");
            txn.execute_raw(insert.clone()).await.expect("a row");
            txn.commit().await.expect("committed");
        }
    }

    /// Waits until the database file holds `bytes` at least.
    async fn file_reaches(path: &std::path::Path, bytes: u64) -> bool {
        for _ in 0..100 {
            if std::fs::metadata(path).map(|file| file.len()).unwrap_or(0) >= bytes {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    #[tokio::test]
    async fn the_log_is_checkpointed_beside_the_writer_and_starts_over() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("checkpoints.db");
        let settings = DatabaseSettings {
            url: format!("sqlite://{}?mode=rwc", path.display()),
            max_connections: 2,
            read_url: None,
            statement_timeout: None,
        };
        let db = connect(&settings).await.expect("a database");
        db.execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
            .await
            .expect("a table");
        // Long enough for many checkpoints, however fast the rows go in.
        let (started, mut rows) = (std::time::Instant::now(), 0u64);
        while started.elapsed() < Duration::from_millis(1500) {
            write_rows(&db, 100).await;
            rows += 100;
        }
        // The connections stay open: only the thread that checkpoints
        // copies the rows into the file.
        assert!(file_reaches(&path, rows * 4000).await, "the rows are not in the file");
        // Under steady writes the log starts over again and again, rather
        // than grow by every row written: each transaction adds two or
        // three pages of 4 KiB (the row's and those above it).
        let log =
            std::fs::metadata(dir.path().join("checkpoints.db-wal")).map(|file| file.len()).expect("a log");
        assert!(log < rows * 6 * 1024, "the log holds {log} bytes for {rows} rows");
    }
}
