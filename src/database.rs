//! Connecting to the database (SQLite by default, PostgreSQL to scale out)
//! and bringing its schema up to date.

pub mod direct;
pub mod ranking;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
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
    let db = Database::connect(options(settings, settings.max_connections, None)).await?;
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
            let mut writer = options(settings, 1, Some(WRITER_CACHE_KIB));
            // Closed when writes pause, so that a file no longer in use
            // (a test's) is let go.
            writer.min_connections(0).idle_timeout(Duration::from_secs(60));
            let _ = writes.connection.set(Database::connect(writer).await?);
        }
    }
    Ok(db)
}

/// The page cache of the connection that writes, in KiB: the upper levels
/// of the indexes a write touches, at a million documents.
const WRITER_CACHE_KIB: u32 = 16 * 1024;

/// How to open a pool of `connections` (on SQLite with a page cache of
/// `cache_kib`, when given).
fn options(settings: &DatabaseSettings, connections: u32, cache_kib: Option<u32>) -> ConnectOptions {
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
            match cache_kib {
                Some(kib) => sqlite.pragma("cache_size", format!("-{kib}")),
                None => sqlite,
            }
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
        let (turn, on) = match self.get_database_backend() {
            DbBackend::Sqlite => {
                let writes = writes(self);
                let turn = writes.turn.clone().lock_owned().await;
                // A pool opened otherwise than by `connect` writes on itself.
                (Some(turn), writes.connection.get().cloned().unwrap_or_else(|| self.clone()))
            }
            _ => (None, self.clone()),
        };
        let txn = on
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await?;
        Ok(WriteTransaction { txn, _turn: turn })
    }
}

impl Writer for WriteTransaction {
    async fn begin_write(&self) -> Result<WriteTransaction, DbErr> {
        Ok(WriteTransaction { txn: self.txn.begin().await?, _turn: None })
    }
}

/// How this process writes to one SQLite file.
#[derive(Default)]
struct Writes {
    /// Whose turn it is.
    turn: Arc<tokio::sync::Mutex<()>>,
    /// The connection that writes, once [`connect`] has opened it.
    connection: OnceLock<DatabaseConnection>,
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
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTransaction {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTransaction {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
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
