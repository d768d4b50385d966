//! Work that runs beside the HTTP server: publishing scheduled documents
//! when they fall due, forgetting idle rate-limit entries, rendering what a
//! wide change left stale, delivering webhooks, and keeping in step with
//! other instances.

mod webhooks;

use std::sync::Arc;

use sea_orm::DatabaseBackend;
use tokio::task::JoinHandle;

use crate::services::{renderings, scheduler};
use crate::state::{AppState, Written};

/// The background tasks of one process.
pub struct Background {
    state: Arc<AppState>,
    /// The webhook worker, which is let finish the attempts it has begun.
    worker: Option<JoinHandle<()>>,
    /// The rest, which are stopped at once.
    tasks: Vec<JoinHandle<()>>,
}

impl Background {
    /// Stops everything: the webhook worker claims nothing more and gets
    /// as long as one attempt may take to record those under way (what it
    /// cannot finish is attempted again by any instance once its lease
    /// ends); the rest stop at once.
    pub async fn stop(self) {
        for task in &self.tasks {
            task.abort();
        }
        if self.state.db.get_database_backend() == DatabaseBackend::Postgres {
            // The announcer is gone: announce what it may not have.
            crate::cluster::announce_once(&self.state).await;
        }
        if let Some(worker) = self.worker {
            self.state.stopping.send_replace(true);
            let grace = self.state.settings.webhooks.timeout + std::time::Duration::from_secs(1);
            let abort = worker.abort_handle();
            if tokio::time::timeout(grace, worker).await.is_err() {
                abort.abort();
            }
        }
    }
}

/// Starts the background tasks.
pub fn spawn(state: Arc<AppState>) -> Background {
    let mut tasks = vec![scheduler(state.clone()), renderer(state.clone())];
    let worker = state.settings.webhooks.enabled.then(|| tokio::spawn(webhooks::run(state.clone())));
    if state.db.get_database_backend() == DatabaseBackend::Postgres {
        tasks.push(tokio::spawn(crate::cluster::announce(state.clone())));
        tasks.push(tokio::spawn(crate::cluster::listen(state.clone())));
        tasks.push(tokio::spawn(crate::cluster::heartbeat(state.clone())));
        tasks.push(tokio::spawn(crate::cluster::announce_ended_sessions(state.clone())));
    }
    if state.replica.is_some() {
        tasks.push(tokio::spawn(crate::cluster::follow_replica(state.clone())));
    }
    Background { state, worker, tasks }
}

fn scheduler(state: Arc<AppState>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(state.settings.scheduler_interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut since_cleanup = 0u32;
        loop {
            ticks.tick().await;
            let mut any = false;
            let mut announce = |_| any = true;
            let published =
                scheduler::publish_due(&state.db, &state.renderers, chrono::Utc::now(), &mut announce).await;
            if any {
                state.written(Written::Documents).await;
            }
            match published {
                Ok(0) => {}
                Ok(published) => tracing::info!(published, "published scheduled documents"),
                Err(error) => {
                    tracing::warn!(%error, "scheduled publishing failed; it is retried on the next tick")
                }
            }
            since_cleanup += 1;
            if since_cleanup >= 60 {
                state.login_limiter.forget_idle();
                state.revocations.forget_expired();
                since_cleanup = 0;
            }
        }
    })
}

/// Renders the documents whose renderings a wide change marked stale, a
/// batch at a time so that no write waits long behind it.
fn renderer(state: Arc<AppState>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(1));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            loop {
                match renderings::render_stale(&state.db, &state.renderers, 500).await {
                    Ok(0) => break,
                    Ok(rendered) => tracing::debug!(rendered, "rendered stale documents"),
                    Err(error) => {
                        tracing::warn!(%error, "rendering stale documents failed; it is retried");
                        break;
                    }
                }
            }
        }
    })
}
