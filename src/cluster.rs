//! Several instances on one PostgreSQL database.
//!
//! Each instance keeps an in-process cache and live change streams, so
//! each must learn of writes made through the others. After every write it
//! commits, an instance sends `NOTIFY broadside_changes` with its own id
//! (and ` listings` when people or tags changed); every instance `LISTEN`s,
//! and on a notice from another one reads the change log from where it
//! last read it, forgets the cached answers of the documents whose public
//! output changed, and wakes its streams and its webhook worker, exactly as
//! for a write of its own. Notices arrive within milliseconds of the
//! commit. While the
//! listening connection is down, or silent (each instance sends itself a
//! heartbeat notice every few seconds), an instance cannot know what
//! changed, so its cache serves nothing until it hears notices again.
//!
//! With a read replica (`DATABASE_READ_URL`), anonymous reads go to the
//! replica only while it has replayed everything the primary had written
//! when the latest change was announced; until then, and for every
//! authenticated caller (who may be reading their own write), reads go to
//! the primary.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};

use crate::state::{AppState, Written};

/// The channel instances announce their writes on.
pub const CHANNEL: &str = "broadside_changes";

/// Added to a write's notice when it changed what listings show beyond
/// documents.
const LISTINGS: &str = " listings";

/// The notice that a sign-in has ended: this, then its id.
const ENDED: &str = "ended:";

/// How long to wait before trying a lost connection again.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);

/// How often an instance sends itself a notice, to know that it still
/// hears them; and how long it may go without hearing one before it stops
/// trusting its cache.
const HEARTBEAT: Duration = Duration::from_secs(5);
const DEAF_AFTER: Duration = Duration::from_secs(12);

fn notice(payload: &str) -> Statement {
    Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), payload.into()],
    )
}

/// Announces this instance's committed writes to the others. Writes that
/// come faster than a notice can be sent are announced together; a notice
/// that cannot be sent is tried again until it is.
pub async fn announce(state: Arc<AppState>) {
    let mut writes = state.local_writes.subscribe();
    let me = state.instance.to_string();
    let listings = format!("{me}{LISTINGS}");
    while writes.changed().await.is_ok() {
        writes.mark_unchanged();
        let payload = match state.listings_written.swap(false, Ordering::SeqCst) {
            true => &listings,
            false => &me,
        };
        while let Err(error) = state.db.execute_raw(notice(payload)).await {
            tracing::warn!(%error, "cannot announce a write to the other instances; trying again");
            tokio::time::sleep(RECONNECT_AFTER).await;
        }
    }
}

/// Tells the other instances of each sign-in ended through this one, so
/// that they refuse its access tokens too.
pub async fn announce_ended_sessions(state: Arc<AppState>) {
    let mut ended = state.ended_sessions.subscribe();
    loop {
        let session = match ended.recv().await {
            Ok(session) => session,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "sign-ins ended faster than they could be announced");
                continue;
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        while let Err(error) = state.db.execute_raw(notice(&format!("{ENDED}{session}"))).await {
            tracing::warn!(%error, "cannot tell the other instances that a sign-in ended; trying again");
            tokio::time::sleep(RECONNECT_AFTER).await;
        }
    }
}

/// Announces once, whether or not there is anything new: at shutdown, so
/// that no write of this instance goes unannounced.
pub async fn announce_once(state: &AppState) {
    if let Err(error) = state.db.execute_raw(notice(&state.instance.to_string())).await {
        tracing::warn!(%error, "cannot announce the last writes to the other instances");
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Listens for other instances' writes, for as long as the task runs, on a
/// connection of its own.
pub async fn listen(state: Arc<AppState>) {
    let me = state.instance.to_string();
    let ping = format!("ping:{me}");
    loop {
        let mut listener = match connect(&state.settings.database.url).await {
            Ok(listener) => listener,
            Err(error) => {
                state.cache.set_coherent(false);
                tracing::warn!(%error, "cannot listen for other instances' writes; the cache is off until I can");
                tokio::time::sleep(RECONNECT_AFTER).await;
                continue;
            }
        };
        // Whatever happened while not listening is unknown: start afresh.
        reload_ended_sessions(&state).await;
        hearing(&state);
        loop {
            match listener.try_recv().await {
                Ok(Some(notice)) if notice.payload() == ping => hearing(&state),
                Ok(Some(notice))
                    if notice.payload().starts_with(&me) || notice.payload().starts_with("ping:") => {}
                Ok(Some(notice)) if notice.payload().starts_with(ENDED) => {
                    match notice.payload()[ENDED.len()..].parse::<uuid::Uuid>() {
                        Ok(session) => state.revocations.end(session),
                        Err(_) => tracing::warn!(payload = notice.payload(), "an unreadable notice"),
                    }
                }
                Ok(Some(notice)) => match notice.payload().ends_with(LISTINGS) {
                    true => state.heard_of(Written::Listings).await,
                    false => state.heard_of(Written::Documents).await,
                },
                Ok(None) | Err(_) => {
                    state.cache.set_coherent(false);
                    tracing::warn!("lost the connection that listens for other instances' writes");
                    break;
                }
            }
        }
    }
}

/// Reads back the sign-ins ended while this instance may not have heard
/// of them, whose access tokens may still be valid.
async fn reload_ended_sessions(state: &AppState) {
    let ttl = state.settings.auth.access_token_ttl_seconds + 10;
    let since = chrono::Utc::now() - chrono::Duration::seconds(ttl);
    match crate::services::sessions::revoked_since(&state.db, since).await {
        Ok(sessions) => sessions.into_iter().for_each(|session| state.revocations.end(session)),
        Err(error) => tracing::warn!(%error, "cannot read which sign-ins have ended"),
    }
}

/// The listener is known to hear notices now. If the cache was off for
/// want of them, it starts afresh.
fn hearing(state: &AppState) {
    state.heard_at.store(now_ms(), Ordering::SeqCst);
    if !state.cache.coherent() {
        state.refresh();
        state.cache.set_coherent(true);
    }
}

/// Sends this instance a notice every few seconds. If none arrives for a
/// while (a connection that is open in name only), the cache serves
/// nothing until one does.
pub async fn heartbeat(state: Arc<AppState>) {
    let ping = format!("ping:{}", state.instance);
    let mut ticks = tokio::time::interval(HEARTBEAT);
    loop {
        ticks.tick().await;
        let silent = now_ms() - state.heard_at.load(Ordering::SeqCst);
        if silent > DEAF_AFTER.as_millis() as i64 && state.cache.coherent() {
            tracing::warn!(silent_ms = silent, "no notices heard lately; the cache is off until they are");
            state.cache.set_coherent(false);
        }
        if let Err(error) = state.db.execute_raw(notice(&ping)).await {
            tracing::warn!(%error, "cannot send the heartbeat notice");
        }
    }
}

async fn connect(url: &str) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Follows the replica: after each change, notes where the primary's WAL
/// stands, waits until the replica has replayed that far, and then lets
/// reads go to it again, unless another change came meanwhile.
pub async fn follow_replica(state: Arc<AppState>) {
    let Some(replica) = state.replica.as_ref() else { return };
    match standby(&replica.db).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            "DATABASE_READ_URL is not a standby server: it is read as if it were always up to date"
        ),
        Err(error) => tracing::warn!(%error, "cannot reach the read replica; reading from the primary"),
    }
    loop {
        let generation = replica.generation();
        if replica.reached(generation) {
            replica.changed().await;
            continue;
        }
        match catch_up(&state.db, &replica.db).await {
            Ok(()) => replica.caught_up_with(generation),
            Err(error) => {
                tracing::warn!(%error, "cannot follow the read replica; reading from the primary");
                tokio::time::sleep(RECONNECT_AFTER).await;
            }
        }
    }
}

async fn standby(replica: &DatabaseConnection) -> Result<bool, DbErr> {
    let statement =
        Statement::from_string(DatabaseBackend::Postgres, "SELECT pg_is_in_recovery() AS standby");
    match replica.query_one_raw(statement).await? {
        Some(row) => row.try_get("", "standby"),
        None => Ok(false),
    }
}

/// Waits until `replica` has replayed the primary's WAL as it stands now.
/// A server that is not a standby has everything.
async fn catch_up(primary: &DatabaseConnection, replica: &DatabaseConnection) -> Result<(), DbErr> {
    let row = primary
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT pg_current_wal_lsn()::text AS lsn",
        ))
        .await?;
    let lsn: String = match row {
        Some(row) => row.try_get("", "lsn")?,
        None => return Err(DbErr::Custom("the primary did not say where its WAL stands".into())),
    };
    loop {
        let check = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT COALESCE(pg_last_wal_replay_lsn() >= $1::pg_lsn, true) AS replayed",
            [lsn.clone().into()],
        );
        let replayed: bool = match replica.query_one_raw(check).await? {
            Some(row) => row.try_get("", "replayed")?,
            None => false,
        };
        if replayed {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
