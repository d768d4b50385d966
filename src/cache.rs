//! The in-process cache of anonymous responses (the HTTP middleware that
//! fills and serves it is [`crate::http::caching`]).
//!
//! The cache is never stale, and a write forgets only what it can change.
//! Each answer is kept with what it was computed from ([`Dependency`]): one
//! document (and the address that named it), or the listings (lists,
//! feeds, calendars, search, sync, people, tags). Once a write has
//! committed, and before its response leaves, the answers depending on what
//! it changed publicly are forgotten; a draft edit forgets nothing. An
//! answer computed from a read that raced a write is not kept: every
//! forgetting advances a generation, each dependency remembers the
//! generation that last forgot it, and an answer whose computation began
//! before that is dropped instead of stored.
//!
//! Once the byte budget is spent, an answer is kept the second time it is
//! computed, evicting the oldest: an archive read at random, far larger
//! than the cache, then neither pushes out the answers asked for often nor
//! spends every miss evicting one.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::config::CacheSettings;

/// What a cached answer was computed from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dependency {
    /// One document, however it was addressed.
    Document(Uuid),
    /// The address `{collection}/{id or slug}`, whichever document it names
    /// (publishing another document under a slug changes what it names).
    Address(String),
    /// Everything that lists or counts documents.
    Listings,
}

/// A response kept for anonymous callers.
pub struct Cached {
    /// The generation its computation began under.
    pub generation: u64,
    /// Some answers depend on the clock (an event's next occurrence): none
    /// is kept longer than public caches may keep it.
    pub stored: std::time::Instant,
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub etag: String,
    pub last_modified: Option<DateTime<Utc>>,
    pub body: Bytes,
    pub dependencies: Vec<Dependency>,
}

impl Cached {
    fn size(&self, key: &str) -> usize {
        key.len() + self.body.len() + 256
    }
}

/// How many forgotten dependencies are remembered before the cache starts
/// afresh (bounds the memory a long stream of writes can take).
const REMEMBERED: usize = 65_536;

struct Slot {
    cached: Arc<Cached>,
    /// Which insertion of the key this is, to match it in `order`.
    stamp: u64,
}

#[derive(Default)]
struct Store {
    entries: HashMap<String, Slot>,
    /// Keys oldest first, with their stamps, to evict when the byte budget
    /// is spent; a stamp no longer in `entries` is a key since forgotten or
    /// stored anew.
    order: VecDeque<(String, u64)>,
    stamps: u64,
    bytes: usize,
    /// The keys stored under each dependency.
    dependents: HashMap<Dependency, HashSet<String>>,
    /// The generation that last forgot each dependency.
    forgotten: HashMap<Dependency, u64>,
    /// Nothing computed before this generation is stored.
    floor: u64,
    /// Keys (hashed) that missed once while the cache was full; see
    /// [`ResponseCache::put`].
    seen: HashSet<u64>,
}

/// How many keys that missed once are remembered before starting afresh.
const SEEN_AT_MOST: usize = 65_536;

impl Store {
    fn remove(&mut self, key: &str) {
        let Some(slot) = self.entries.remove(key) else { return };
        self.bytes -= slot.cached.size(key);
        for dependency in &slot.cached.dependencies {
            if let Some(keys) = self.dependents.get_mut(dependency) {
                keys.remove(key);
                if keys.is_empty() {
                    self.dependents.remove(dependency);
                }
            }
        }
    }

    fn evict_oldest(&mut self) -> bool {
        let Some((key, stamp)) = self.order.pop_front() else { return false };
        if self.entries.get(&key).is_some_and(|slot| slot.stamp == stamp) {
            self.remove(&key);
        }
        true
    }
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
    /// `None` when the answer would not be kept (the cache is full and the
    /// key has not missed before, [`ResponseCache::put`]): a request
    /// waiting for it would compute it again, so none waits.
    pub async fn flight(&self, key: &str) -> Option<Flight<'_>> {
        if !self.would_keep(key) {
            return None;
        }
        let lock = self.in_flight.lock().ok()?.entry(key.to_owned()).or_default().clone();
        let guard = lock.clone().lock_owned().await;
        Some(Flight { cache: self, key: key.to_owned(), lock, _guard: guard })
    }

    /// Anything may have changed: nothing cached before now is served again.
    pub fn invalidate(&self) {
        if let Ok(mut store) = self.store.write() {
            let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
            *store = Store { floor: generation, ..Store::default() };
        }
    }

    /// What `changed` names may have changed: the answers computed from it
    /// are not served again.
    pub fn forget(&self, changed: &[Dependency]) {
        if changed.is_empty() {
            return;
        }
        let Ok(mut store) = self.store.write() else { return };
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        for dependency in changed {
            for key in store.dependents.remove(dependency).unwrap_or_default() {
                store.remove(&key);
            }
            store.forgotten.insert(dependency.clone(), generation);
        }
        if store.forgotten.len() > REMEMBERED {
            *store = Store { floor: generation, ..Store::default() };
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

    /// The generation a computation begins under.
    pub fn current(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn get(&self, key: &str) -> Option<Arc<Cached>> {
        if !self.coherent.load(Ordering::SeqCst) {
            return None;
        }
        let entry = self.store.read().ok()?.entries.get(key).map(|slot| slot.cached.clone())?;
        let fresh = entry.stored.elapsed().as_secs() < u64::from(self.settings.max_age.max(1));
        fresh.then_some(entry)
    }

    /// Whether an answer for `key` may be kept now: one the size of those
    /// kept would fit, or the key has missed before.
    fn would_keep(&self, key: &str) -> bool {
        let Ok(store) = self.store.read() else { return false };
        let typical = store.bytes.checked_div(store.entries.len()).unwrap_or(0).max(key.len() + 256);
        store.bytes + typical <= self.settings.max_bytes
            || store.seen.contains(&xxhash_rust::xxh3::xxh3_64(key.as_bytes()))
    }

    pub fn put(&self, key: String, entry: Cached) {
        let size = entry.size(&key);
        if size > self.settings.max_bytes / 8 {
            return;
        }
        let Ok(mut store) = self.store.write() else { return };
        let raced = entry.generation < store.floor
            || entry
                .dependencies
                .iter()
                .any(|d| store.forgotten.get(d).is_some_and(|g| *g > entry.generation));
        if raced || !self.coherent.load(Ordering::SeqCst) {
            return;
        }
        store.remove(&key);
        if store.bytes + size > self.settings.max_bytes {
            // Full: an answer is kept the second time it is computed, not
            // the first, so that a long tail of pages asked for once (an
            // archive read at random) does not push out the ones asked for
            // often, nor spend each miss evicting one.
            let hash = xxhash_rust::xxh3::xxh3_64(key.as_bytes());
            if !store.seen.remove(&hash) {
                if store.seen.len() >= SEEN_AT_MOST {
                    store.seen.clear();
                }
                store.seen.insert(hash);
                return;
            }
        }
        while store.bytes + size > self.settings.max_bytes && store.evict_oldest() {}
        if store.order.len() > 2 * store.entries.len() + 1024 {
            let Store { order, entries, .. } = &mut *store;
            order.retain(|(key, stamp)| entries.get(key).is_some_and(|slot| slot.stamp == *stamp));
        }
        store.stamps += 1;
        let stamp = store.stamps;
        for dependency in &entry.dependencies {
            store.dependents.entry(dependency.clone()).or_default().insert(key.clone());
        }
        store.bytes += size;
        store.order.push_back((key.clone(), stamp));
        store.entries.insert(key, Slot { cached: Arc::new(entry), stamp });
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

    fn entry(cache: &ResponseCache, body: &'static [u8], dependencies: &[Dependency]) -> Cached {
        Cached {
            generation: cache.current(),
            stored: std::time::Instant::now(),
            status: StatusCode::OK,
            headers: vec![],
            etag: String::new(),
            last_modified: None,
            body: Bytes::from_static(body),
            dependencies: dependencies.to_vec(),
        }
    }

    #[test]
    fn an_entry_from_before_a_write_is_never_served() {
        let cache = ResponseCache::new(settings(1 << 20));
        let before = entry(&cache, b"old", &[Dependency::Listings]);
        cache.put("a".into(), entry(&cache, b"old", &[Dependency::Listings]));
        assert!(cache.get("a").is_some());
        cache.invalidate();
        assert!(cache.get("a").is_none());
        cache.put("b".into(), before);
        assert!(cache.get("b").is_none(), "computed under the old generation");
    }

    #[test]
    fn a_change_forgets_only_what_depends_on_it() {
        let cache = ResponseCache::new(settings(1 << 20));
        let (one, two) = (Uuid::now_v7(), Uuid::now_v7());
        let raced = entry(&cache, b"1", &[Dependency::Document(one)]);
        cache.put("one".into(), entry(&cache, b"1", &[Dependency::Document(one)]));
        cache.put("two".into(), entry(&cache, b"2", &[Dependency::Document(two)]));
        cache.put("list".into(), entry(&cache, b"[]", &[Dependency::Listings]));
        cache.forget(&[Dependency::Document(one), Dependency::Listings]);
        assert!(cache.get("one").is_none() && cache.get("list").is_none());
        assert!(cache.get("two").is_some(), "another document stays");
        cache.put("one".into(), raced);
        assert!(cache.get("one").is_none(), "computed before the change that forgot it");
        let unrelated = entry(&cache, b"2", &[Dependency::Document(two)]);
        cache.forget(&[Dependency::Document(one)]);
        cache.put("two".into(), unrelated);
        assert!(cache.get("two").is_some(), "a change elsewhere does not stop it being kept");
        assert_eq!(cache.store.read().map(|s| s.bytes).unwrap_or(0), 1 + 3 + 256);
    }

    #[test]
    fn the_byte_budget_evicts_the_oldest() {
        let cache = ResponseCache::new(settings(8 * 300));
        for key in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "i"] {
            cache.put(key.into(), entry(&cache, b"0123456789", &[Dependency::Listings]));
        }
        assert!(cache.get("a").is_none());
        assert!(cache.get("i").is_some());
        assert!(cache.store.read().map(|s| s.bytes).unwrap_or(usize::MAX) <= 8 * 300);
    }

    #[test]
    fn once_full_an_answer_is_kept_the_second_time() {
        let cache = ResponseCache::new(settings(8 * 300));
        let keys = ["a", "b", "c", "d", "e", "f", "g", "h"];
        for key in keys {
            cache.put(key.into(), entry(&cache, b"0123456789", &[Dependency::Listings]));
        }
        cache.put("once".into(), entry(&cache, b"0123456789", &[Dependency::Listings]));
        assert!(cache.get("once").is_none(), "asked for once, it is not kept");
        assert!(keys.iter().all(|key| cache.get(key).is_some()), "and evicts nothing");
        cache.put("once".into(), entry(&cache, b"0123456789", &[Dependency::Listings]));
        assert!(cache.get("once").is_some(), "asked for again, it is");
        assert!(cache.get("a").is_none(), "in place of the oldest");
    }

    #[tokio::test]
    async fn once_full_a_miss_that_would_not_be_kept_is_not_waited_for() {
        let cache = ResponseCache::new(settings(8 * 300));
        assert!(cache.flight("first").await.is_some(), "not full: misses of a key wait for one");
        for key in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            cache.put(key.into(), entry(&cache, b"0123456789", &[Dependency::Listings]));
        }
        assert!(cache.flight("new").await.is_none(), "its answer would not be kept");
        cache.put("new".into(), entry(&cache, b"0123456789", &[Dependency::Listings]));
        assert!(cache.get("new").is_none());
        assert!(cache.flight("new").await.is_some(), "missed before: this answer will be kept");
    }
}
