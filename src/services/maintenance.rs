//! Work owed to the data once, recorded by a migration in the small
//! `maintenance` table and done at the next start (for example, indexing
//! what an older version left unindexed). Start-up reads that table, not
//! the documents, so it takes the same time at any archive size.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

use super::{events, search};

fn table() -> Alias {
    Alias::new("maintenance")
}

/// Applies the migrations, then does what they left owed; every command
/// that opens the database calls this, so a server starts with nothing
/// owed after `broadside migrate` or `broadside seed`.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    crate::database::migrate(db).await?;
    for (task, documents) in run_pending(db).await? {
        tracing::info!(task, documents, "did the maintenance a migration asked for");
    }
    Ok(())
}

/// Does what is owed, task by task, each in a transaction that also marks
/// it done. Returns what was done, with how many documents each touched.
pub async fn run_pending(db: &DatabaseConnection) -> Result<Vec<(String, usize)>, DbErr> {
    let pending = Query::select().column(Alias::new("task")).from(table()).to_owned();
    let mut tasks = Vec::new();
    for row in db.query_all(&pending).await? {
        tasks.push(row.try_get_by_index::<String>(0)?);
    }
    let mut done = Vec::new();
    for task in tasks {
        let txn = crate::database::begin_write(db).await?;
        let touched = match task.as_str() {
            "search_index" => search::index_missing(&txn).await?,
            "event_months" => events::record_months(&txn).await?,
            _ => {
                tracing::warn!(task, "an unknown maintenance task is left for a newer version");
                continue;
            }
        };
        let finished =
            Query::delete().from_table(table()).and_where(Expr::col(Alias::new("task")).eq(&task)).to_owned();
        txn.execute(&finished).await?;
        txn.commit().await?;
        done.push((task, touched));
    }
    Ok(done)
}
