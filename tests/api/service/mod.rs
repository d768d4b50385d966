//! The process as a whole: probes, starting, stopping, several instances on
//! one database, and the OpenAPI document.

mod health;
mod instances;
mod openapi;
mod plans;
mod shutdown;
mod startup;
