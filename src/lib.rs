//! Broadside: a headless JSON content API for essays, song lyrics and event
//! listings.

pub mod auth;
pub mod background;
pub mod blocking;
pub mod cache;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod database;
pub mod domain;
pub mod error;
pub mod http;
pub mod listener;
pub mod openapi;
pub mod routes;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod webhooks;
