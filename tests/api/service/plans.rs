//! The reads an archive makes hot are bounded by indexes: every statement
//! the service runs to answer them is EXPLAINed on the database under test
//! (SQLite, and PostgreSQL in CI), and none may scan a table that grows
//! with the archive. A plan regression fails here, not in production.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use broadside::database::{self, direct};
use broadside::routes::v1::renderers;
use broadside::services::{events, seed};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

use crate::helpers::{fresh_database, settings_with, start};

/// Tables whose size does not grow with the archive: a scan of one is a
/// scan of a handful of rows.
const SMALL: [&str; 6] = ["maintenance", "people", "tags", "users", "webhooks", "seaql_migrations"];

/// Partial indexes holding only the rows a background task is after (stale
/// or dated renderings), or the long-running event series a window of time
/// must consider whatever their start: a walk along one is bounded by those.
const PARTIAL: [&str; 3] =
    ["document_renderings_stale", "document_renderings_expiring", "events_public_long_window"];

/// The public reads whose cost must not grow with the archive.
fn hot_reads() -> Vec<String> {
    let seq = |n: u64| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("seq:{n}"))
    };
    [
        "/v1/essays/synthetic-essay-000100".to_owned(),
        "/v1/lyrics/synthetic-lyrics-000101".to_owned(),
        "/v1/events/synthetic-event-000102".to_owned(),
        "/v1/essays?limit=20".to_owned(),
        "/v1/essays?limit=20&sort=title".to_owned(),
        "/v1/essays?limit=20&tag=organizing".to_owned(),
        "/v1/essays?limit=20&author=synthetic-person-007".to_owned(),
        "/v1/lyrics?limit=20".to_owned(),
        "/v1/events?limit=20".to_owned(),
        "/v1/events?limit=20&from=2024-03-01&to=2024-04-01".to_owned(),
        "/v1/events/calendar.ics".to_owned(),
        "/v1/sync?limit=100".to_owned(),
        format!("/v1/sync?limit=100&cursor={}", seq(600)),
        format!("/v1/sync?limit=100&cursor={}", seq(1_190)),
        "/v1/search?q=proletarian".to_owned(),
        "/v1/search?q=workers".to_owned(),
        "/v1/people/synthetic-person-007".to_owned(),
        "/v1/tags/organizing".to_owned(),
    ]
    .into()
}

#[tokio::test]
async fn every_hot_read_is_answered_through_indexes() {
    let (url, dir) = fresh_database().await;
    let settings = settings_with(&url, false, &[("BROADSIDE_CACHE", "false")]);
    let mut db = database::connect(&settings.database).await.unwrap_or_else(|e| panic!("connect: {e}"));
    let recording = Arc::new(AtomicBool::new(false));
    let statements: Arc<Mutex<Vec<Statement>>> = Arc::default();
    {
        let (recording, statements) = (recording.clone(), statements.clone());
        db.set_metric_callback(move |info| {
            if recording.load(Ordering::SeqCst)
                && let Ok(mut statements) = statements.lock()
            {
                statements.push(info.statement.clone());
            }
        });
    }
    database::migrate(&db).await.unwrap_or_else(|e| panic!("migrate: {e}"));
    seed::load_synthetic(&db, 400, &renderers(), &mut |_, _| {})
        .await
        .unwrap_or_else(|e| panic!("seed: {e}"));
    database::analyze(&db).await.unwrap_or_else(|e| panic!("analyze: {e}"));
    let app = start(settings, db.clone(), url, Some(dir)).await;

    recording.store(true, Ordering::SeqCst);
    for path in hot_reads() {
        let response = app.get(&path).await;
        assert!(response.status().is_success(), "{path}: {}", response.status());
    }
    recording.store(false, Ordering::SeqCst);

    let backend = db.get_database_backend();
    let recorded = statements.lock().map(|s| s.clone()).unwrap_or_default();
    let mut seen = HashSet::new();
    let mut scans = Vec::new();
    for statement in recorded.into_iter().filter(|s| s.sql.trim_start().to_uppercase().starts_with("SELECT"))
    {
        if !seen.insert(statement.sql.clone()) {
            continue;
        }
        let plan = explain(&db, &statement).await;
        if plan
            .iter()
            .any(|line| scans_a_large_table(backend, &statement.sql, line) && !reads_a_subquery(&plan, line))
        {
            scans.push(format!("{}\n  {}", statement.sql, plan.join("\n  ")));
        }
    }
    assert!(seen.len() >= 10, "too few statements recorded: {seen:#?}");
    if let Some(direct) = direct::Direct::open(&app.database_url) {
        // Reads on the serving thread run beside the pool; check theirs too.
        let plans = direct.plans().unwrap_or_else(|e| panic!("{e}"));
        assert!(plans.len() > 20, "{plans:#?}");
        for (sql, plan) in plans {
            // A statement compiled anew at each run spends more time in
            // SQLite's parser than in its answer.
            if plan
                .iter()
                .any(|line| line.starts_with("RECOMPILED") || scans_a_large_table(backend, &sql, line))
            {
                scans.push(format!("{sql}\n  {}", plan.join("\n  ")));
            }
        }
    }
    assert!(scans.is_empty(), "statements that scan a table or are compiled anew:\n\n{}", scans.join("\n\n"));
}

/// The plan of `statement`, a line per step. PostgreSQL is told to avoid
/// sequential scans, which it would rightly pick on a table this small: a
/// scan left in its plan is one no index can replace.
async fn explain(db: &sea_orm::DatabaseConnection, statement: &Statement) -> Vec<String> {
    let backend = statement.db_backend;
    let prefix = if backend == DbBackend::Sqlite { "EXPLAIN QUERY PLAN " } else { "EXPLAIN " };
    let explain = Statement {
        sql: format!("{prefix}{}", statement.sql),
        values: statement.values.clone(),
        db_backend: backend,
    };
    let txn = db.begin().await.unwrap_or_else(|e| panic!("{e}"));
    if backend == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL enable_seqscan = off").await.unwrap_or_else(|e| panic!("{e}"));
    }
    let rows = txn.query_all_raw(explain).await.unwrap_or_else(|e| panic!("{}: {e}", statement.sql));
    txn.commit().await.unwrap_or_else(|e| panic!("{e}"));
    let column = if backend == DbBackend::Sqlite { "detail" } else { "QUERY PLAN" };
    rows.iter().map(|row| row.try_get::<String>("", column).unwrap_or_else(|e| panic!("{e}"))).collect()
}

/// Whether a SQLite plan line reads the rows of a subquery of the same
/// plan (`SCAN c` after `CO-ROUTINE c` or `MATERIALIZE c`), whose own
/// steps are checked on their own lines.
fn reads_a_subquery(plan: &[String], line: &str) -> bool {
    let Some(name) = line.trim().strip_prefix("SCAN ") else { return false };
    plan.iter().any(|step| {
        let step = step.trim();
        [step.strip_prefix("CO-ROUTINE "), step.strip_prefix("MATERIALIZE ")].contains(&Some(name))
    })
}

/// Whether a plan line of `sql` reads a whole table that grows with the
/// archive.
fn scans_a_large_table(backend: DbBackend, sql: &str, line: &str) -> bool {
    let step = match backend {
        // `SCAN documents`, `SCAN d USING INDEX …`, `SCAN search_index VIRTUAL TABLE INDEX 0:M2`
        DbBackend::Sqlite => line.trim().strip_prefix("SCAN "),
        // `Seq Scan on documents d  (cost=…)`
        _ => line.split("Seq Scan on ").nth(1),
    };
    let Some(step) = step else { return false };
    let table = step.split_whitespace().next().unwrap_or_default();
    if SMALL.contains(&table) || table.starts_with('(') || table == "CONSTANT" {
        return false;
    }
    // A full-text match is the index's own lookup.
    if step.contains("VIRTUAL TABLE INDEX") && sql.contains(" MATCH ") {
        return false;
    }
    if let Some(index) = step.split(" INDEX ").nth(1).and_then(|i| i.split_whitespace().next()) {
        // The rows a background task is after, or a first page read in
        // index order with nothing to skip: bounded either way.
        return !(PARTIAL.contains(&index) || (!sql.contains(" WHERE ") && sql.contains(" LIMIT ")));
    }
    true
}

/// The window reads of stored renderings answer, on the serving thread
/// (SQLite; a failed one is left to the pool quietly, which the HTTP tests
/// would not notice) and through the pool: page after page in order, each
/// event's stored item and `VEVENT` current, the same from both.
#[tokio::test]
async fn windows_page_through_current_renderings() {
    let app = crate::helpers::spawn_app().await;
    app.load_synthetic(60).await;
    let db = database::connect(&settings_with(&app.database_url, false, &[]).database)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    let pooled = events::Pooled(&db);
    let direct = direct::Direct::open(&app.database_url);
    let from = chrono::DateTime::parse_from_rfc3339("1900-01-01T00:00:00Z")
        .unwrap_or_else(|e| panic!("{e}"))
        .with_timezone(&chrono::Utc);
    let to = Some(from + chrono::Duration::days(365 * 300));
    let renderings = [direct::WindowRendering::Summary, direct::WindowRendering::Ical];
    for (to, rendering) in [None, to].into_iter().flat_map(|to| renderings.map(|r| (to, r))) {
        let mut window = direct::Window { from, to, locale: None, after: None, rendering };
        let mut seen = Vec::new();
        loop {
            let rows = events::window(&pooled, &window, 7).await.unwrap_or_else(|e| panic!("{e}"));
            if let Some(direct) = &direct {
                let on_thread = events::window(direct, &window, 7).await.unwrap_or_else(|e| panic!("{e}"));
                let key = |rows: &[direct::WindowRow]| {
                    rows.iter().map(|row| (row.id, row.rendering.clone())).collect::<Vec<_>>()
                };
                assert_eq!(key(&on_thread), key(&rows), "{rendering:?}");
            }
            let Some(last) = rows.last() else { break };
            window.after = Some((last.starts_at, last.id));
            assert!(rows.iter().all(|row| row.rendering.is_some()), "{rendering:?}: {rows:?}");
            let ical =
                rows.iter().filter_map(|row| row.rendering.as_deref()).all(|r| r.contains("BEGIN:VEVENT"));
            assert_eq!(ical, rendering == direct::WindowRendering::Ical, "{rows:?}");
            seen.extend(rows.into_iter().map(|row| (row.starts_at, row.id)));
        }
        assert!(seen.len() > 40, "every published event: {}", seen.len());
        assert!(seen.windows(2).all(|pair| pair[0] < pair[1]), "in order, none twice");
    }
}
