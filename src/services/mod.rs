//! The only code that talks to sea-orm: one module per aggregate. Handlers
//! call these with domain values and get records back.
//!
//! `documents` holds what the three content types share — the visibility
//! rule, keyset pagination, tags, relations and translations — so that each
//! type's module adds only what is its own.

pub mod api_keys;
pub mod catalog;
pub mod changes;
pub mod content;
pub mod creations;
pub mod documents;
pub mod essays;
pub mod events;
pub mod facets;
pub mod known;
pub mod lyrics;
pub mod maintenance;
pub mod pages;
pub mod people;
pub mod projections;
pub mod render;
pub mod renderings;
pub mod scheduler;
pub mod search;
pub mod seed;
pub mod sessions;
pub mod tags;
pub mod users;
pub mod versioned;
pub mod webhooks;
pub mod workflow;
pub mod writes;
