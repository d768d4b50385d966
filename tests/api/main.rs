//! Black-box tests: each starts the real application on port 0 over a fresh,
//! migrated database and talks HTTP to it. SQLite by default; set
//! `BROADSIDE_TEST_DATABASE_URL=postgres://user@host:port` to run the same
//! tests on PostgreSQL (each test gets a database of its own).

mod helpers;

mod api_keys;
mod auth;
mod bad_input;
mod caching;
mod calendars;
mod catalog;
mod essays;
mod events;
mod feeds;
mod health;
mod hostile_input;
mod http_semantics;
mod instances;
mod lifecycle;
mod locales;
mod lyrics;
mod openapi;
mod outputs;
mod pagination;
mod people;
mod search;
mod shutdown;
mod startup;
mod stream;
mod sync;
mod tags;
mod visibility;
mod webhooks;
mod writers;
