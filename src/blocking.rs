//! CPU-bound work (rendering Markdown, checking a document before it is
//! written) runs here, on tokio's blocking threads, never on the HTTP
//! workers: a slow body must not hold up `/healthz`, cached reads or other
//! writes. At most one piece of work per core runs at once; the rest wait
//! their turn without holding a thread.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| {
        Semaphore::new(std::thread::available_parallelism().map(std::num::NonZeroUsize::get).unwrap_or(2))
    })
}

/// Runs `work` on a blocking thread and waits for its result.
pub async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let _permit = permits().acquire().await?;
    Ok(tokio::task::spawn_blocking(work).await?)
}
