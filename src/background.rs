//! Work that runs beside the HTTP server: publishing scheduled documents
//! when they fall due, and forgetting idle rate-limit entries.

use std::sync::Arc;

use crate::routes::v1::editing;
use crate::startup::AppState;

/// Starts the background loop.
pub fn spawn(state: Arc<AppState>) {
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
    });
}
