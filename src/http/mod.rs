//! Cross-cutting HTTP: strict query parsing, pagination cursors and links.

pub mod pagination;
pub mod query;
