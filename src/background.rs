//! Work that runs beside the HTTP server: publishing scheduled documents
//! when they fall due, forgetting idle rate-limit entries, delivering
//! webhooks, and keeping in step with other instances.

use std::sync::Arc;

use sea_orm::DatabaseBackend;
use tokio::task::JoinHandle;

use crate::routes::v1::editing;
use crate::startup::AppState;

/// Starts the background tasks; abort them to stop.
pub fn spawn(state: Arc<AppState>) -> Vec<JoinHandle<()>> {
    let mut tasks = vec![scheduler(state.clone())];
    if state.settings.webhooks.enabled {
        tasks.push(tokio::spawn(crate::webhooks::worker::run(state.clone())));
    }
    if state.db.get_database_backend() == DatabaseBackend::Postgres {
        tasks.push(tokio::spawn(crate::cluster::announce(state.clone())));
        tasks.push(tokio::spawn(crate::cluster::listen(state.clone())));
    }
    if state.replica.is_some() {
        tasks.push(tokio::spawn(crate::cluster::follow_replica(state)));
    }
    tasks
}

fn scheduler(state: Arc<AppState>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(state.settings.scheduler_interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut since_cleanup = 0u32;
        loop {
            ticks.tick().await;
            match editing::publish_due(&state, chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(published) => tracing::info!(published, "published scheduled documents"),
                Err(error) => {
                    tracing::warn!(%error, "scheduled publishing failed; it is retried on the next tick")
                }
            }
            since_cleanup += 1;
            if since_cleanup >= 60 {
                state.login_limiter.forget_idle();
                since_cleanup = 0;
            }
        }
    })
}
