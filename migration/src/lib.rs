//! The schema of Broadside as an ordered list of migrations, each with a down.
//! The same migrations run on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_content;
mod m20261124_000002_accounts;
mod m20261124_000003_revisions;
mod m20261124_000004_changes;
mod m20261124_000005_search;
mod m20261124_000006_webhooks;
mod m20261129_000007_ended_sessions;
mod m20261130_000008_projections;
mod m20261130_000009_rendering_expiry;
mod m20261201_000010_partial_expiry;
mod m20261201_000011_long_running_events;
mod m20261202_000012_stored_vevents;
mod m20261203_000013_event_months;
mod m20261204_000014_public_events;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_content::Migration),
            Box::new(m20261124_000002_accounts::Migration),
            Box::new(m20261124_000003_revisions::Migration),
            Box::new(m20261124_000004_changes::Migration),
            Box::new(m20261124_000005_search::Migration),
            Box::new(m20261124_000006_webhooks::Migration),
            Box::new(m20261129_000007_ended_sessions::Migration),
            Box::new(m20261130_000008_projections::Migration),
            Box::new(m20261130_000009_rendering_expiry::Migration),
            Box::new(m20261201_000010_partial_expiry::Migration),
            Box::new(m20261201_000011_long_running_events::Migration),
            Box::new(m20261202_000012_stored_vevents::Migration),
            Box::new(m20261203_000013_event_months::Migration),
            Box::new(m20261204_000014_public_events::Migration),
        ]
    }
}
