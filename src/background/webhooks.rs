//! The delivery worker each instance runs: it claims due deliveries, makes
//! their attempts concurrently, records each, and sleeps until a write
//! wakes it or the poll interval passes (deliveries due for a retry, and
//! events written by other instances, are found by polling).

use std::sync::Arc;
use std::time::Duration;

use crate::services::webhooks;
use crate::state::AppState;

/// How often old events are cleared away.
const CLEANUP_EVERY: Duration = Duration::from_secs(3600);

/// How long after one claim a write's wake-up waits before the next: under
/// a stream of writes (hundreds of commits a second) the worker looks for
/// new deliveries at most forty times a second, not once a commit, each a
/// read beside the writes; a delivery waits at most this long for it.
const GATHER: Duration = Duration::from_millis(25);

/// Runs until the process stops (`AppState::stopping`), then lets the
/// attempts under way finish. Up to `concurrency` attempts run at once;
/// whenever one ends, the worker claims more, so a slow receiver holds one
/// slot, not the whole batch.
pub async fn run(state: Arc<AppState>) {
    let settings = state.settings.webhooks.clone();
    let mut last_cleanup = tokio::time::Instant::now();
    let mut stopping = state.stopping.subscribe();
    let mut running = tokio::task::JoinSet::new();
    while !*stopping.borrow() {
        let free = settings.concurrency.saturating_sub(running.len());
        let mut more = false;
        let claimed_at = tokio::time::Instant::now();
        if free > 0 {
            match webhooks::claim(&state.db, free as u64, webhooks::lease(&settings)).await {
                Ok(claimed) => {
                    more = claimed.len() == free;
                    for claimed in claimed {
                        let state = state.clone();
                        running.spawn(async move {
                            let (sender, settings) = (&state.webhook_sender, &state.settings.webhooks);
                            webhooks::attempt(&state.db, sender, settings, &claimed, true).await;
                        });
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot claim webhook deliveries; trying again shortly"),
            }
        }
        if last_cleanup.elapsed() >= CLEANUP_EVERY {
            last_cleanup = tokio::time::Instant::now();
            match webhooks::forget_old_events(&state.db, settings.retention_days).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "removed old webhook events"),
                Err(error) => tracing::warn!(%error, "cannot remove old webhook events"),
            }
        }
        if more {
            // Every free slot was filled: wait for one to empty.
            if running.join_next().await.is_none() {
                continue;
            }
        } else {
            tokio::select! {
                Some(_) = running.join_next(), if !running.is_empty() => {}
                () = state.webhook_wakeup.notified() => {
                    // The wake-ups meanwhile are one.
                    tokio::time::sleep_until(claimed_at + GATHER).await;
                }
                () = tokio::time::sleep(settings.poll_interval) => {}
                _ = stopping.changed() => {}
            }
        }
    }
    while running.join_next().await.is_some() {}
}
