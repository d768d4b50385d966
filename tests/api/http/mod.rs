//! HTTP behaviour every route shares: bad and hostile input, methods and
//! negotiation, caching, and output formats hostile text must not break.

mod bad_input;
mod caching;
mod hostile_input;
mod outputs;
mod semantics;
