//! The in-process cache of anonymous responses (the HTTP middleware that
//! fills and serves it is [`crate::http::caching`]).
//!
//! The cache is never stale. Every state-changing request, and the
//! scheduler when it publishes, advances a generation counter once its
//! transaction has committed and before its response leaves; an entry is
//! served only while the generation it was computed under is current (and
//! for no longer than the `max-age` public caches are given). A response
//! computed from a read that raced a write is stored under the older
//! generation, so it is never served.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web::Bytes;
use chrono::{DateTime, Utc};

use crate::config::CacheSettings;

/// A response kept for anonymous callers.
pub struct Cached {
    pub generation: u64,
    /// Some answers depend on the clock (an event's next occurrence): none
    /// is kept longer than public caches may keep it.
    pub stored: std::time::Instant,
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub etag: String,
    pub last_modified: Option<DateTime<Utc>>,
    pub body: Bytes,
}

#[derive(Default)]
struct Store {
    entries: HashMap<String, Arc<Cached>>,
    /// Keys oldest first, to evict when the byte budget is spent.
    order: VecDeque<String>,
    bytes: usize,
}

/// The in-process response cache and its generation.
pub struct ResponseCache {
    settings: CacheSettings,
    public_cache_control: HeaderValue,
    generation: AtomicU64,
    /// Whether this instance hears of every write (see [`crate::cluster`]);
    /// while it does not, nothing is served from or kept in the cache.
    coherent: AtomicBool,
    store: RwLock<Store>,
    /// Keys being computed: concurrent misses of one key wait for the first
    /// instead of all computing it (a cold calendar under load would
    /// otherwise be built once per waiting request).
    in_flight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// The right to compute one key; others asking for it wait until it drops.
pub struct Flight<'a> {
    cache: &'a ResponseCache,
    key: String,
    lock: Arc<tokio::sync::Mutex<()>>,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        if let Ok(mut in_flight) = self.cache.in_flight.lock() {
            // Ours, the map's and the guard's: nobody else is waiting.
            if Arc::strong_count(&self.lock) <= 3 {
                in_flight.remove(&self.key);
            }
        }
    }
}

impl ResponseCache {
    pub fn new(settings: CacheSettings) -> Self {
        let public = format!(
            "public, max-age={}, stale-while-revalidate={}",
            settings.max_age, settings.stale_while_revalidate
        );
        Self {
            public_cache_control: HeaderValue::from_str(&public)
                .unwrap_or_else(|_| HeaderValue::from_static("public, max-age=60")),
            settings,
            generation: AtomicU64::new(0),
            coherent: AtomicBool::new(true),
            store: RwLock::new(Store::default()),
            in_flight: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until no other request is computing `key`, then claims it.
    pub async fn flight(&self, key: &str) -> Option<Flight<'_>> {
        let lock = self.in_flight.lock().ok()?.entry(key.to_owned()).or_default().clone();
        let guard = lock.clone().lock_owned().await;
        Some(Flight { cache: self, key: key.to_owned(), lock, _guard: guard })
    }

    /// Content may have changed: nothing cached before now is served again.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut store) = self.store.write() {
            *store = Store::default();
        }
    }

    /// Whether every write is heard of; see the field.
    pub fn coherent(&self) -> bool {
        self.coherent.load(Ordering::SeqCst)
    }

    pub fn set_coherent(&self, coherent: bool) {
        if !coherent {
            self.invalidate();
        }
        self.coherent.store(coherent, Ordering::SeqCst);
    }

    pub fn current(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn get(&self, key: &str) -> Option<Arc<Cached>> {
        if !self.coherent.load(Ordering::SeqCst) {
            return None;
        }
        let entry = self.store.read().ok()?.entries.get(key).cloned()?;
        let fresh = entry.stored.elapsed().as_secs() < u64::from(self.settings.max_age.max(1));
        (entry.generation == self.current() && fresh).then_some(entry)
    }

    pub fn put(&self, key: String, entry: Cached) {
        let size = key.len() + entry.body.len() + 256;
        if size > self.settings.max_bytes / 8 {
            return;
        }
        let Ok(mut store) = self.store.write() else { return };
        if entry.generation != self.current() || !self.coherent.load(Ordering::SeqCst) {
            return;
        }
        while store.bytes + size > self.settings.max_bytes {
            let Some(oldest) = store.order.pop_front() else { break };
            if let Some(gone) = store.entries.remove(&oldest) {
                store.bytes -= oldest.len() + gone.body.len() + 256;
            }
        }
        if let Some(old) = store.entries.insert(key.clone(), Arc::new(entry)) {
            store.bytes -= key.len() + old.body.len() + 256;
            store.order.retain(|k| k != &key);
        }
        store.bytes += size;
        store.order.push_back(key);
    }

    /// How many responses are kept (for tests and metrics).
    pub fn len(&self) -> usize {
        self.store.read().map(|s| s.entries.len()).unwrap_or(0)
    }

    /// The settings it was made with.
    pub fn settings(&self) -> &CacheSettings {
        &self.settings
    }

    /// `Cache-Control` of public answers.
    pub fn public_cache_control(&self) -> &HeaderValue {
        &self.public_cache_control
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(max_bytes: usize) -> CacheSettings {
        CacheSettings { enabled: true, max_bytes, max_age: 60, stale_while_revalidate: 300 }
    }

    fn entry(cache: &ResponseCache, body: &'static [u8]) -> Cached {
        Cached {
            generation: cache.current(),
            stored: std::time::Instant::now(),
            status: StatusCode::OK,
            headers: vec![],
            etag: String::new(),
            last_modified: None,
            body: Bytes::from_static(body),
        }
    }

    #[test]
    fn an_entry_from_before_a_write_is_never_served() {
        let cache = ResponseCache::new(settings(1 << 20));
        let before = entry(&cache, b"old");
        cache.put("a".into(), entry(&cache, b"old"));
        assert!(cache.get("a").is_some());
        cache.invalidate();
        assert!(cache.get("a").is_none());
        cache.put("b".into(), before);
        assert!(cache.get("b").is_none(), "computed under the old generation");
    }

    #[test]
    fn the_byte_budget_evicts_the_oldest() {
        let cache = ResponseCache::new(settings(8 * 300));
        for key in ["a", "b", "c", "d", "e", "f", "g", "h", "i"] {
            cache.put(key.into(), entry(&cache, b"0123456789"));
        }
        assert!(cache.get("a").is_none());
        assert!(cache.get("i").is_some());
        assert!(cache.store.read().map(|s| s.bytes).unwrap_or(usize::MAX) <= 8 * 300);
    }
}
