//! Content to start from: the demo set taken from the seed text, and large
//! deterministic synthetic sets for pagination tests and benchmarks.

mod demo;
mod synthetic;

pub use demo::{DemoOutcome, load_demo, load_demo_if_empty};
pub use synthetic::{SyntheticReport, load_synthetic};

use sea_orm::DbErr;

use crate::domain::Invalid;

/// Why seeding failed: the database, or content that broke a domain rule
/// (a bug in the seed itself).
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error("seed content is invalid: {0}")]
    Invalid(#[from] Invalid),
    #[error("cannot write the seed content: {0}")]
    Write(String),
}
