//! What every handler and background task can reach: the database, the
//! settings, the keys, the caches and the signals between the parts of the
//! process. Built once by [`crate::startup`].

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::jwt::JwtKeys;
use crate::auth::passwords::Passwords;
use crate::auth::rate_limit::LoginLimiter;
use crate::auth::revocations::Revocations;
use crate::cache::ResponseCache;
use crate::config::Settings;
use crate::database::Replica;
use crate::services::render::Renderers;
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
}

impl AppState {
    /// A write through this instance is committed: everything that depends
    /// on content is refreshed, here and on the other instances.
    pub fn content_changed(&self) {
        self.refresh();
        self.local_writes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Content has changed, through this instance or another: no cached
    /// answer may be served again, live change streams and the webhook
    /// worker look for what is new, and the replica is not read until it
    /// has caught up.
    pub fn refresh(&self) {
        // The replica first: a read that finds the cache emptied must not
        // find the replica still trusted.
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
