//! Several instances on one PostgreSQL database.
//!
//! Each instance keeps an in-process cache and live change streams, so
//! each must learn of writes made through the others. After every write it
//! commits, an instance sends `NOTIFY broadside_changes` with its own id;
//! every instance `LISTEN`s, and on a notice from another one drops its
//! cache, wakes its streams and its webhook worker, exactly as for a write
//! of its own. Notices arrive within milliseconds of the commit. While the
//! listening connection is down, an instance cannot know what changed, so
//! its cache serves nothing until it is listening again.
//!
//! With a read replica (`DATABASE_READ_URL`), anonymous reads go to the
//! replica only while it has replayed everything the primary had written
//! when the latest change was announced; until then, and for every
//! authenticated caller (who may be reading their own write), reads go to
//! the primary.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};

use crate::startup::AppState;

/// The channel instances announce their writes on.
pub const CHANNEL: &str = "broadside_changes";

/// How long to wait before trying a lost connection again.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);

/// Announces this instance's committed writes to the others. Writes that
/// come faster than a notice can be sent are announced together.
pub async fn announce(state: Arc<AppState>) {
    let mut writes = state.local_writes.subscribe();
    while writes.changed().await.is_ok() {
        writes.mark_unchanged();
        let sql = "SELECT pg_notify($1, $2)";
        let statement = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            sql,
            [CHANNEL.into(), state.instance.to_string().into()],
        );
        if let Err(error) = state.db.execute_raw(statement).await {
            tracing::warn!(%error, "cannot announce a write to the other instances");
        }
    }
}

/// Listens for other instances' writes, for as long as the task runs.
pub async fn listen(state: Arc<AppState>) {
    let pool = state.db.get_postgres_connection_pool().clone();
    let me = state.instance.to_string();
    loop {
        let mut listener = match connect(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                state.cache.set_coherent(false);
                tracing::warn!(%error, "cannot listen for other instances' writes; the cache is off until I can");
                tokio::time::sleep(RECONNECT_AFTER).await;
                continue;
            }
        };
        // Whatever happened while not listening is unknown: start afresh.
        state.refresh();
        state.cache.set_coherent(true);
        loop {
            match listener.try_recv().await {
                Ok(Some(notice)) if notice.payload() != me => state.refresh(),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => {
                    state.cache.set_coherent(false);
                    tracing::warn!("lost the connection that listens for other instances' writes");
                    break;
                }
            }
        }
    }
}

async fn connect(pool: &sea_orm::sqlx::PgPool) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Whether anonymous reads may go to the read replica now.
pub struct Replica {
    pub db: DatabaseConnection,
    caught_up: AtomicBool,
    changed: tokio::sync::Notify,
}

impl Replica {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db, caught_up: AtomicBool::new(false), changed: tokio::sync::Notify::new() }
    }

    pub fn caught_up(&self) -> bool {
        self.caught_up.load(Ordering::SeqCst)
    }

    /// A write was committed (here or elsewhere): the replica may lag it.
    pub fn behind(&self) {
        self.caught_up.store(false, Ordering::SeqCst);
        self.changed.notify_one();
    }
}

/// Follows the replica: after each change, waits until it has replayed the
/// primary's WAL up to where it was just after the change, then lets reads
/// go to it again.
pub async fn follow_replica(state: Arc<AppState>) {
    let Some(replica) = state.replica.as_ref() else { return };
    replica.changed.notify_one();
    loop {
        replica.changed.notified().await;
        loop {
            match replayed(&state.db, &replica.db).await {
                Ok(true) => {
                    replica.caught_up.store(true, Ordering::SeqCst);
                    break;
                }
                Ok(false) => tokio::time::sleep(Duration::from_millis(10)).await,
                Err(error) => {
                    tracing::warn!(%error, "cannot reach the read replica; reading from the primary");
                    tokio::time::sleep(RECONNECT_AFTER).await;
                }
            }
        }
    }
}

/// Whether `replica` has replayed the primary's WAL as it stands now. A
/// server that is not a standby (a replica in name only) has everything.
async fn replayed(primary: &DatabaseConnection, replica: &DatabaseConnection) -> Result<bool, DbErr> {
    let row = primary.query_one_raw(Statement::from_string(
        DatabaseBackend::Postgres,
        "SELECT pg_current_wal_lsn()::text AS lsn",
    ));
    let lsn: String = match row.await? {
        Some(row) => row.try_get("", "lsn")?,
        None => return Ok(false),
    };
    let check = Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT COALESCE(pg_last_wal_replay_lsn() >= $1::pg_lsn, true) AS replayed",
        [lsn.into()],
    );
    match replica.query_one_raw(check).await? {
        Some(row) => row.try_get("", "replayed"),
        None => Ok(false),
    }
}
