//! Connecting to the database (SQLite by default, PostgreSQL to scale out)
//! and bringing its schema up to date.

pub mod direct;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

use crate::config::DatabaseSettings;

/// Opens a pool. A SQLite file is created when missing and runs in WAL mode
/// with foreign keys enforced.
pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(settings.url.clone());
    options
        .max_connections(settings.max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        // Past this a request is answered 503 with `Retry-After`, not kept waiting.
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Without table statistics SQLite's planner may pick a
                // status index over the slug index and scan every published
                // document; `optimize` analyses the tables that need it.
                .pragma("optimize", "0x10002")
        });
    Database::connect(options).await
}

/// Begins a transaction that will write. On SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`), where the busy timeout applies: a deferred
/// transaction that reads first and writes later fails at once with
/// "database is locked" when another writer got there in between.
/// PostgreSQL ignores the mode.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
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
