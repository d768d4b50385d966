//! Scheduled publishing: a document scheduled for a time is published by
//! whichever instance first looks once that time has come, with its
//! revision and events, exactly as an editor publishing it then would.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::content::with_content_type;
use super::render::Renderers;
use super::versioned::WriteError;
use super::workflow;
use crate::domain::DocumentKind;

/// Publishes what fell due by `now`, of every content type. `published`
/// hears of each as soon as it is committed. Returns how many went live.
/// A document that cannot be published is left for the next call; the
/// others go ahead.
pub async fn publish_due(
    db: &DatabaseConnection,
    renderers: &Renderers,
    now: DateTime<Utc>,
    published: &mut (dyn FnMut(Uuid) + Send),
) -> Result<u64, WriteError> {
    let mut count = 0;
    let mut outcome = Ok(());
    for kind in DocumentKind::ALL {
        let mut counting = |id: Uuid| {
            count += 1;
            published(id);
        };
        let done = with_content_type!(kind, T => workflow::publish_due::<T>(db, now, renderers, &mut counting).await);
        outcome = outcome.and(done);
    }
    outcome.map(|()| count)
}
