//! What every handler and background task can reach: the database, the
//! settings, the keys, the caches and the signals between the parts of the
//! process. Built once by [`crate::startup`].

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::jwt::JwtKeys;
use crate::auth::passwords::Passwords;
use crate::auth::rate_limit::LoginLimiter;
use crate::auth::revocations::Revocations;
use crate::cache::{Dependency, ResponseCache};
use crate::config::Settings;
use crate::database::Replica;
use crate::domain::DocumentKind;
use crate::services::render::Renderers;
use crate::services::{changes, documents};
use crate::webhooks::sender::Sender;

/// What every handler can reach.
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub jwt: JwtKeys,
    pub passwords: Passwords,
    pub login_limiter: LoginLimiter,
    /// Sign-ins that have ended; their access tokens are refused.
    pub revocations: Revocations,
    /// Anonymous responses kept in memory; see [`crate::http::caching`].
    pub cache: ResponseCache,
    /// Bumped after every committed change, to wake live change streams.
    pub changes: tokio::sync::watch::Sender<u64>,
    /// Bumped after every write committed through this instance, for the
    /// other instances to hear of (see [`crate::cluster`]).
    pub local_writes: tokio::sync::watch::Sender<u64>,
    /// Set when a write through this instance changed what listings show
    /// beyond documents (people, tags), for the announcement to say so.
    pub listings_written: std::sync::atomic::AtomicBool,
    /// How far into the change log this instance has forgotten cached
    /// answers; see [`AppState::heard_of`].
    pub public_seen: tokio::sync::Mutex<Seen>,
    /// How many reads of the change log have begun (see `catch_up`).
    pub catch_ups_begun: std::sync::atomic::AtomicU64,
    /// This process, among the instances sharing the database.
    pub instance: uuid::Uuid,
    /// Sends webhook requests.
    pub webhook_sender: Sender,
    /// Wakes the webhook worker: new events may be waiting.
    pub webhook_wakeup: tokio::sync::Notify,
    /// The read replica, when `DATABASE_READ_URL` names one.
    pub replica: Option<Replica>,
    /// Set when the process is shutting down.
    pub stopping: tokio::sync::watch::Sender<bool>,
    /// When this instance last heard its own heartbeat notice (ms since
    /// the epoch; see [`crate::cluster`]).
    pub heard_at: std::sync::atomic::AtomicI64,
    /// How documents are shown (`/v1`'s representation), for revisions,
    /// webhooks and sync.
    pub renderers: Renderers,
    /// Sign-ins ended through this instance, for the other instances to
    /// hear of.
    pub ended_sessions: tokio::sync::broadcast::Sender<uuid::Uuid>,
    /// Point reads without the pool, on a SQLite file.
    pub direct: Option<crate::database::direct::Direct>,
    /// How many documents hold the words searched for (SQLite).
    pub frequencies: crate::services::search::Frequencies,
    /// Writes new documents, those that arrive together in one transaction.
    pub creations: crate::services::creations::Creations,
}

/// Where the last read of the change log ended.
#[derive(Debug, Default)]
pub struct Seen {
    /// The change log's sequence number read up to.
    pub seq: i64,
    /// The number of that read (see `AppState::catch_up`).
    pub read: u64,
}

impl AppState {
    /// A write through this instance has committed: the answers it can have
    /// changed are forgotten here before its response leaves, and the other
    /// instances hear of it.
    pub async fn written(&self, scope: Written) {
        if scope == Written::Listings {
            // Set before the announcement is due, so that it carries it.
            self.listings_written.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        self.heard_of(scope).await;
        self.local_writes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A write through this instance or another has committed: the cached
    /// answers it can have changed are forgotten (none for a draft), live
    /// change streams and the webhook worker look for what is new, and the
    /// replica is not read until it has caught up.
    pub async fn heard_of(&self, scope: Written) {
        // The replica first: a read that misses the cache must not find the
        // replica still trusted.
        if let Some(replica) = &self.replica {
            replica.behind();
        }
        if scope == Written::Listings {
            self.cache.forget(&[Dependency::Listings]);
        }
        if scope != Written::Drafts {
            self.catch_up().await;
        }
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
        self.webhook_wakeup.notify_one();
    }

    /// Reads the change log from where this instance last read it and
    /// forgets the cached answers of the documents whose public output
    /// changed meanwhile: the documents, the addresses that name them, and
    /// the listings. One read at a time, so that one that returns has seen
    /// every write committed before it began. Writes that commit together
    /// (creates are written in one transaction) need only one read: a
    /// caller whose write another read began after, and has finished, is
    /// done.
    async fn catch_up(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        // The number the next read to begin will have: it, and any after
        // it, begin after the caller's write committed.
        let after_now = self.catch_ups_begun.load(SeqCst) + 1;
        let mut seen = self.public_seen.lock().await;
        if seen.read >= after_now {
            return;
        }
        let read = self.catch_ups_begun.fetch_add(1, SeqCst) + 1;
        match public_changes(&self.db, seen.seq).await {
            Ok((Some(changed), newest)) => {
                self.cache.forget(&changed);
                seen.seq = newest;
            }
            Ok((None, newest)) => {
                self.cache.invalidate();
                seen.seq = newest;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot read the change log; forgetting every cached answer");
                self.cache.invalidate();
            }
        }
        seen.read = read;
    }

    /// Anything may have changed (this instance was deaf to the others for
    /// a while): no cached answer is served again.
    pub fn refresh(&self) {
        if let Some(replica) = &self.replica {
            replica.behind();
        }
        self.cache.invalidate();
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
        self.webhook_wakeup.notify_one();
    }

    /// The sign-in `session` has ended (signed out, or revoked): its access
    /// tokens are refused from now on, here and, within milliseconds, on
    /// every other instance (see [`crate::cluster`]).
    pub fn end_session(&self, session: uuid::Uuid) {
        self.revocations.end(session);
        // Nobody listens on SQLite: one process is the whole service.
        let _ = self.ended_sessions.send(session);
    }

    /// Where the read-only queries of `request` go: the replica for
    /// anonymous callers while it has caught up; the primary otherwise, so
    /// that callers who can write always read what they wrote.
    pub fn reader(&self, request: &actix_web::HttpRequest) -> &DatabaseConnection {
        match &self.replica {
            Some(replica) if !crate::auth::has_credentials(request.headers()) && replica.caught_up() => {
                &replica.db
            }
            _ => &self.db,
        }
    }
}

/// What a committed write may have changed, besides the documents its change
/// log rows name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Documents only: the change log says which.
    Documents,
    /// New drafts only: nothing anyone without credentials sees changed,
    /// and no cached answer can have (the change log is not read).
    Drafts,
    /// People, tags or anything else that listings show.
    Listings,
}

/// How many changed documents are forgotten one by one; past this the
/// whole cache is.
const FORGET_ONE_BY_ONE: usize = 10_000;

/// The cached answers that the public changes after `after` can have
/// changed (`None`: too many to name, forget them all), and the newest
/// change seen.
async fn public_changes(
    db: &DatabaseConnection,
    after: i64,
) -> Result<(Option<Vec<Dependency>>, i64), sea_orm::DbErr> {
    let (ids, newest) = changes::public_since(db, after).await?;
    if ids.is_empty() {
        return Ok((Some(Vec::new()), newest));
    }
    if ids.len() > FORGET_ONE_BY_ONE {
        return Ok((None, newest));
    }
    let mut forgotten = vec![Dependency::Listings];
    for chunk in ids.chunks(1_000) {
        let documents = documents::existing_any(db, chunk).await?;
        forgotten.extend(chunk.iter().map(|id| Dependency::Document(*id)));
        for document in documents.values() {
            if let Ok(kind) = document.kind.parse::<DocumentKind>() {
                forgotten.push(Dependency::Address(format!("{}/{}", kind.collection(), document.slug)));
            }
        }
    }
    Ok((Some(forgotten), newest))
}
