//! Black-box tests: each starts the real application on port 0 over a fresh,
//! migrated database and talks HTTP to it. SQLite by default; set
//! `BROADSIDE_TEST_DATABASE_URL=postgres://user@host:port` to run the same
//! tests on PostgreSQL (each test gets a database of its own).
//!
//! `v1/` mirrors `src/routes/v1`; `http/` holds behaviour every route shares;
//! `service/` the process as a whole.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod http;
mod service;
mod v1;
