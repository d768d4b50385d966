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
//! Once the byte budget is spent, an answer is kept only if its key has
//! lately been asked for clearly more often than the oldest kept answer's,
//! which it then evicts ([`Popularity`]): an archive read at random, far
//! larger than the cache, then neither pushes out the answers asked for
//! often nor spends its misses evicting answers as likely to be asked for
//! as their own.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
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
}

/// How often keys have been asked for lately, approximately (a count-min
/// sketch): each key counts in one counter of each of [`ROWS`] rows, picked
/// by its hash, and its estimate is the least of them (others' keys only
/// ever add to a counter). Every [`AGE_AFTER`] asks every counter halves,
/// so that what is asked for now outweighs what was asked for long ago.
struct Popularity {
    counters: Box<[AtomicU8]>,
    asks: AtomicU64,
}

const ROWS: usize = 4;
const WIDTH: usize = 1 << 15;
const AGE_AFTER: u64 = 8 * WIDTH as u64;

impl Popularity {
    fn new() -> Self {
        Self { counters: (0..ROWS * WIDTH).map(|_| AtomicU8::new(0)).collect(), asks: AtomicU64::new(0) }
    }

    /// The counters of `hash`: a different sixteen bits of it in each row.
    fn slots(hash: u64) -> impl Iterator<Item = usize> {
        (0..ROWS).map(move |row| row * WIDTH + (((hash >> (16 * row)) as usize) & (WIDTH - 1)))
    }

    /// Counts an ask of `hash`. Counts are estimates: two threads counting
    /// at once may count one ask between them, which costs less than
    /// making them wait for each other.
    fn ask(&self, hash: u64) {
        for slot in Self::slots(hash) {
            if let Some(counter) = self.counters.get(slot) {
                let count = counter.load(Ordering::Relaxed);
                counter.store(count.saturating_add(1), Ordering::Relaxed);
            }
        }
        let asks = self.asks.load(Ordering::Relaxed) + 1;
        self.asks.store(asks, Ordering::Relaxed);
        if asks >= AGE_AFTER {
            self.asks.store(0, Ordering::Relaxed);
            for counter in &self.counters {
                counter.store(counter.load(Ordering::Relaxed) / 2, Ordering::Relaxed);
            }
        }
    }

    fn estimate(&self, hash: u64) -> u8 {
        Self::slots(hash)
            .filter_map(|slot| self.counters.get(slot))
            .map(|counter| counter.load(Ordering::Relaxed))
            .min()
            .unwrap_or(0)
    }
}

fn hash(key: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key.as_bytes())
}

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

    /// The key that would be evicted first, if any is kept.
    fn oldest(&self) -> Option<&str> {
        // Stale places (keys since forgotten or kept anew) are dropped as
        // the cache fills; a few are looked past here.
        self.order
            .iter()
            .take(64)
            .find(|(key, stamp)| self.entries.get(key).is_some_and(|slot| slot.stamp == *stamp))
            .map(|(key, _)| key.as_str())
    }

    /// The size of an answer kept, on average (none while none is).
    fn typical(&self) -> usize {
        self.bytes.checked_div(self.entries.len()).unwrap_or(0)
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
    /// Counted only while the cache is full (`full`): until then every
    /// answer is kept, and a hit counts nothing.
    popularity: Popularity,
    full: AtomicBool,
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
            popularity: Popularity::new(),
            full: AtomicBool::new(false),
        }
    }

    /// Waits until no other request is computing `key`, then claims it.
    /// `None` when the answer would not be kept (the cache is full and the
    /// key is not asked for more than the oldest, [`ResponseCache::put`]):
    /// a request waiting for it would compute it again, so none waits.
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
            self.note_fullness(&store);
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
        self.note_fullness(&store);
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

    /// [`ResponseCache::get`], counting the ask: call it once for each
    /// request that may be answered from the cache.
    pub fn ask(&self, key: &str) -> Option<Arc<Cached>> {
        if self.full.load(Ordering::Relaxed) {
            self.popularity.ask(hash(key));
        }
        self.get(key)
    }

    /// Whether another answer of the typical size would not fit.
    fn note_fullness(&self, store: &Store) {
        self.full.store(store.bytes + store.typical() > self.settings.max_bytes, Ordering::Relaxed);
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
    /// kept would fit, or it would be let in ([`ResponseCache::admits`]).
    fn would_keep(&self, key: &str) -> bool {
        let Ok(store) = self.store.read() else { return false };
        let typical = store.typical().max(key.len() + 256);
        store.bytes + typical <= self.settings.max_bytes || self.admits(&store, key)
    }

    /// Whether `key`, once the cache is full, takes the place of the oldest
    /// answer: when it has lately been asked for more often by half again.
    /// Keys asked for alike (an archive read evenly) do not take each
    /// other's places, which would only spend the misses evicting.
    fn admits(&self, store: &Store, key: &str) -> bool {
        let Some(oldest) = store.oldest() else { return true };
        let (candidate, oldest) =
            (self.popularity.estimate(hash(key)), self.popularity.estimate(hash(oldest)));
        u16::from(candidate) > u16::from(oldest) + u16::from(oldest) / 2
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
        if store.bytes + size > self.settings.max_bytes && !self.admits(&store, &key) {
            return;
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
        self.note_fullness(&store);
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
            cache.ask(key);
            cache.put(key.into(), entry(&cache, b"0123456789", &[Dependency::Listings]));
        }
        assert!(cache.get("a").is_none());
        assert!(cache.get("i").is_some());
        assert!(cache.store.read().map(|s| s.bytes).unwrap_or(usize::MAX) <= 8 * 300);
    }

    /// Asks for `key` `times` times, as requests do, and returns whether
    /// it was kept after its answer was computed once more.
    fn ask_and_put(cache: &ResponseCache, key: &str, times: usize) -> bool {
        for _ in 0..times {
            cache.ask(key);
        }
        cache.put(key.into(), entry(cache, b"0123456789", &[Dependency::Listings]));
        cache.get(key).is_some()
    }

    /// A cache holding eight answers, full with `keys`, each then asked for
    /// `times` times (popularity is counted once it is full).
    fn full_of(keys: &[&str], times: usize) -> ResponseCache {
        let cache = ResponseCache::new(settings(8 * 300));
        for key in keys {
            assert!(ask_and_put(&cache, key, 1), "not full: {key} is kept");
        }
        for key in keys {
            for _ in 0..times {
                assert!(cache.ask(key).is_some(), "{key}");
            }
        }
        cache
    }

    #[test]
    fn once_full_an_answer_is_kept_when_asked_for_more_than_the_oldest() {
        let keys = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let cache = full_of(&keys, 1);
        assert!(!ask_and_put(&cache, "once", 1), "asked for as often as the oldest, it is not kept");
        assert!(keys.iter().all(|key| cache.get(key).is_some()), "and evicts nothing");
        assert!(ask_and_put(&cache, "once", 1), "asked for again, it is");
        assert!(cache.get("a").is_none(), "in place of the oldest");
    }

    #[test]
    fn once_full_keys_asked_for_alike_do_not_evict_each_other() {
        let kept: Vec<String> = (0..8).map(|i| format!("kept-{i}")).collect();
        let cache = full_of(&kept.iter().map(String::as_str).collect::<Vec<_>>(), 4);
        // An archive read evenly: every key as often as those kept.
        for i in 0..100 {
            assert!(!ask_and_put(&cache, &format!("other-{i}"), 4), "other-{i}");
        }
        assert!(kept.iter().all(|key| cache.get(key).is_some()));
        // One asked for clearly more often takes the oldest's place.
        assert!(ask_and_put(&cache, "popular", 7));
        assert!(cache.get("kept-0").is_none());
    }

    #[test]
    fn popularity_ages() {
        let popularity = Popularity::new();
        let (often, once) = (hash("often"), hash("once"));
        for _ in 0..100 {
            popularity.ask(often);
        }
        popularity.ask(once);
        assert!(popularity.estimate(often) >= 100 && popularity.estimate(once) >= 1);
        assert_eq!(popularity.estimate(hash("never")), 0);
        for i in 0..AGE_AFTER {
            popularity.ask(i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
        assert!(popularity.estimate(often) < 100, "halved: {}", popularity.estimate(often));
    }

    #[tokio::test]
    async fn once_full_a_miss_that_would_not_be_kept_is_not_waited_for() {
        let cache = ResponseCache::new(settings(8 * 300));
        assert!(cache.flight("first").await.is_some(), "not full: misses of a key wait for one");
        drop(cache);
        let cache = full_of(&["a", "b", "c", "d", "e", "f", "g", "h"], 1);
        cache.ask("new");
        assert!(cache.flight("new").await.is_none(), "its answer would not be kept");
        cache.ask("new");
        assert!(cache.flight("new").await.is_some(), "asked for more: this answer will be kept");
    }
}
