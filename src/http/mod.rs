//! Cross-cutting HTTP: strict query parsing, pagination cursors and links,
//! version ETags and `If-Match`.

pub mod pagination;
pub mod preconditions;
pub mod query;
