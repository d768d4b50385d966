//! Starting as `broadside serve` does: migrating and seeding an empty
//! database once, and SQLite's settings.

use broadside::startup::Application;

use crate::helpers::{fresh_database, test_settings};

/// Starts the application the way `broadside serve` does and lists the essays.
async fn start_and_list_essays(url: &str) -> serde_json::Value {
    let application = Application::build(test_settings(url, true)).await.unwrap_or_else(|e| panic!("{e:#}"));
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    reqwest::get(format!("{address}/v1/essays"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn first_start_migrates_and_loads_the_demo_content_into_an_empty_database() {
    let (url, _dir) = fresh_database().await;
    let essays = start_and_list_essays(&url).await;
    assert_eq!(essays["data"][0]["slug"], "proletarian-internationalism");

    // A second start over the same database adds nothing.
    let essays = start_and_list_essays(&url).await;
    assert_eq!(essays["data"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys_on() {
    let (url, _dir) = fresh_database().await;
    if !url.starts_with("sqlite") {
        return;
    }
    let settings = test_settings(&url, false);
    let db = broadside::database::connect(&settings.database).await.unwrap_or_else(|e| panic!("{e}"));
    use sea_orm::ConnectionTrait;
    let pragma = |sql: &'static str| {
        let db = db.clone();
        async move {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(sea_orm::DbBackend::Sqlite, sql))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("no row"));
            row.try_get_by_index::<String>(0)
                .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    assert_eq!(pragma("PRAGMA journal_mode").await, "wal");
    assert_eq!(pragma("PRAGMA foreign_keys").await, "1");
}

#[tokio::test]
async fn start_up_indexes_once_what_a_migration_says_is_missing_and_reads_no_document_otherwise() {
    use sea_orm::ConnectionTrait;
    let (url, _dir) = fresh_database().await;
    start_and_list_essays(&url).await;
    let found = |address: String| async move {
        let page: serde_json::Value = reqwest::get(format!("{address}/v1/search?q=internationalism"))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        page["data"].as_array().map_or(0, Vec::len)
    };
    let settings = test_settings(&url, false);
    let db = broadside::database::connect(&settings.database).await.unwrap_or_else(|e| panic!("{e}"));
    let backend = db.get_database_backend();
    // An index left empty, as a bulk load by an older version could leave it.
    let emptied: &[&str] = match backend {
        sea_orm::DbBackend::Sqlite => &["DELETE FROM search_index", "DELETE FROM search_keys"],
        _ => &["DELETE FROM search_index"],
    };
    for sql in emptied {
        db.execute_unprepared(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let start = || async {
        let application =
            Application::build(test_settings(&url, false)).await.unwrap_or_else(|e| panic!("{e:#}"));
        let address = format!("http://127.0.0.1:{}", application.port());
        tokio::spawn(application.run_until_stopped());
        address
    };
    assert_eq!(found(start().await).await, 0, "nothing owed: start-up does not look at the documents");

    db.execute_unprepared("INSERT INTO maintenance (task) VALUES ('search_index')")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found(start().await).await, 1, "owed: the next start indexes it");
    let owed = db
        .query_one_raw(sea_orm::Statement::from_string(backend, "SELECT COUNT(*) FROM maintenance"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .and_then(|row| row.try_get_by_index::<i64>(0).ok());
    assert_eq!(owed, Some(0), "and owes nothing after");
}
