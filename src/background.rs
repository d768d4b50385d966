//! Work that runs beside the HTTP server: for now, forgetting idle
//! rate-limit entries so that their memory stays bounded.

use std::sync::Arc;
use std::time::Duration;

use crate::startup::AppState;

/// Starts the background loop.
pub fn spawn(state: Arc<AppState>) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(60));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            state.login_limiter.forget_idle();
        }
    });
}
