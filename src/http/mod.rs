//! Cross-cutting HTTP: strict query parsing, pagination cursors and links,
//! version ETags and `If-Match`, caching and conditional GETs, field
//! selection.

pub mod caching;
pub mod fields;
pub mod pagination;
pub mod preconditions;
pub mod query;
