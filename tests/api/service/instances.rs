//! Several instances on one database, as behind a load balancer: a write
//! through one is seen through the other's cache within a second and in
//! its live stream; anonymous reads can go to a read replica while the
//! writer reads its own writes from the primary. Cross-instance cache
//! invalidation rides on PostgreSQL `LISTEN/NOTIFY`, so those tests run on
//! PostgreSQL (SQLite is one process's database).

use std::time::{Duration, Instant};

use broadside::auth::Role;
use broadside::database;
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, fresh_database, spawn_app, spawn_instance};

fn on_postgres() -> bool {
    std::env::var("BROADSIDE_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

const ESSAY: &str = "/v1/essays/proletarian-internationalism";

async fn retitle(app: &TestApp, token: &str, title: &str) {
    let etag = app.etag(ESSAY, token).await;
    let patched =
        app.send(Method::PATCH, ESSAY, Some(token), etag.as_deref(), Some(&json!({"title": title}))).await;
    assert_eq!(patched.status(), 200);
}

#[tokio::test]
async fn a_write_through_one_instance_is_seen_through_the_others_cache_within_a_second() {
    if !on_postgres() {
        return;
    }
    let a = spawn_app().await;
    let b = spawn_instance(&a.database_url, &[]).await;
    let editor = a.token_for(Role::Editor).await;
    for round in 1..=5 {
        // B has the essay cached.
        for _ in 0..2 {
            b.get(ESSAY).await;
        }
        let cached = b.get(ESSAY).await;
        assert_eq!(cached.headers().get("x-cache").and_then(|v| v.to_str().ok()), Some("hit"));
        let title = format!("Retitled through A, round {round}");
        retitle(&a, &editor, &title).await;
        let written = Instant::now();
        loop {
            let seen: Value = b.get_json(ESSAY).await;
            if seen["title"] == title.as_str() {
                break;
            }
            assert!(written.elapsed() < Duration::from_secs(1), "B still serves {} after 1 s", seen["title"]);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        eprintln!(
            "round {round}: B served the new title {} ms after A's write returned",
            written.elapsed().as_millis()
        );
    }
}

#[tokio::test]
async fn the_stream_on_one_instance_carries_writes_made_through_another() {
    let a = spawn_app().await;
    let b = spawn_instance(&a.database_url, &[]).await;
    let editor = a.token_for(Role::Editor).await;
    let mut stream = b
        .client
        .get(format!("{}/v1/changes/stream", b.address))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stream.status(), 200);
    // Without Last-Event-ID the stream carries changes from now on.
    retitle(&a, &editor, "Written through A, streamed by B").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut text = String::new();
    while !text.contains("proletarian-internationalism") {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.chunk()).await {
            Ok(Ok(Some(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
            other => panic!("no event on B for A's write: {other:?}; read {text}"),
        }
    }
    assert!(text.contains("Written through A, streamed by B"), "{text}");
}

#[tokio::test]
async fn anonymous_reads_go_to_the_replica_and_writers_read_the_primary() {
    if !on_postgres() {
        return;
    }
    // The "replica" is a separate database holding the demo content only:
    // whatever an anonymous read finds there, it read from the replica.
    let (replica_url, _replica) = fresh_database().await;
    let settings = crate::helpers::test_settings(&replica_url, true);
    let replica = database::connect(&settings.database).await.unwrap_or_else(|e| panic!("{e}"));
    database::migrate(&replica).await.unwrap_or_else(|e| panic!("{e}"));
    broadside::services::seed::load_demo(&replica, &broadside::routes::v1::renderers())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let primary = spawn_app().await;
    let settings = [("DATABASE_READ_URL", replica_url.as_str()), ("BROADSIDE_CACHE", "false")];
    let app = spawn_instance(&primary.database_url, &settings).await;
    let editor = app.token_for(Role::Editor).await;
    retitle(&app, &editor, "Only on the primary").await;

    // Right after a write, reads wait for the replica to catch up (here at
    // once: it is no standby); then anonymous reads go to it.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let theirs: Value = app.get_json(ESSAY).await;
        if theirs["title"] != "Only on the primary" {
            break;
        }
        assert!(Instant::now() < deadline, "anonymous reads never went to the replica");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mine = app.send(Method::GET, ESSAY, Some(&editor), None, None).await;
    let mine: Value = mine.json().await.unwrap();
    assert_eq!(mine["title"], "Only on the primary", "the writer reads their write");
    let listed = app.send(Method::GET, "/v1/essays?fields=title", Some(&editor), None, None).await;
    assert!(listed.text().await.unwrap().contains("Only on the primary"));
}

/// With a real streaming standby of the test server
/// (`BROADSIDE_TEST_REPLICA_URL`, as CI sets up): while the standby's replay
/// is paused, so that it lags every write, anonymous reads still see each
/// write at once, because they go to the primary until it has caught up.
#[tokio::test]
async fn a_lagging_replica_is_not_read_until_it_has_caught_up() {
    let replica_server = match std::env::var("BROADSIDE_TEST_REPLICA_URL") {
        Ok(url) if on_postgres() && !url.is_empty() => url.trim_end_matches('/').to_owned(),
        _ => return,
    };
    let primary = spawn_app().await;
    let name = primary.database_url.rsplit('/').next().unwrap().to_owned();
    let replica_url = format!("{replica_server}/{name}");
    let control = sea_orm::Database::connect(format!("{replica_server}/postgres"))
        .await
        .unwrap_or_else(|e| panic!("the standby: {e}"));
    // The new database, with its demo content, reaches the standby.
    let title_on_standby = || async {
        let standby = sea_orm::Database::connect(&replica_url).await.ok()?;
        let row = standby
            .query_one_raw(Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT title FROM documents WHERE slug = 'proletarian-internationalism'",
            ))
            .await
            .ok()??;
        row.try_get::<String>("", "title").ok()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while title_on_standby().await.is_none() {
        assert!(Instant::now() < deadline, "the test database never reached the standby");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let settings = [("DATABASE_READ_URL", replica_url.as_str()), ("BROADSIDE_CACHE", "false")];
    let app = spawn_instance(&primary.database_url, &settings).await;
    let editor = app.token_for(Role::Editor).await;

    control.execute_unprepared("SELECT pg_wal_replay_pause()").await.unwrap_or_else(|e| panic!("{e}"));
    let title = "Written while the replica lags";
    retitle(&app, &editor, title).await;
    for _ in 0..20 {
        let seen: Value = app.get_json(ESSAY).await;
        assert_eq!(seen["title"], title, "an anonymous read was served stale");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_ne!(title_on_standby().await.as_deref(), Some(title), "the standby was meant to lag");
    control.execute_unprepared("SELECT pg_wal_replay_resume()").await.unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while title_on_standby().await.as_deref() != Some(title) {
        assert!(Instant::now() < deadline, "the standby never caught up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for _ in 0..10 {
        let seen: Value = app.get_json(ESSAY).await;
        assert_eq!(seen["title"], title);
    }
}

#[tokio::test]
async fn signing_out_through_one_instance_ends_the_access_token_on_every_other() {
    if !on_postgres() {
        return;
    }
    let a = spawn_app().await;
    let b = spawn_instance(&a.database_url, &[]).await;
    let email = "instances-editor@example.org";
    crate::helpers::add_user(&a.db, email, "a long enough password", Role::Editor).await;
    let pair = a.sign_in(email, "a long enough password").await;
    let bearer = format!("Bearer {}", pair["access_token"].as_str().unwrap());
    assert_eq!(b.get_with("/v1/auth/me", ("authorization", &bearer)).await.status(), 200);
    let logout = a.post_json("/v1/auth/logout", &json!({"refresh_token": pair["refresh_token"]})).await;
    assert_eq!(logout.status(), 204);
    let ended = Instant::now();
    loop {
        let status = b.get_with("/v1/auth/me", ("authorization", &bearer)).await.status();
        if status == 401 {
            break;
        }
        assert!(ended.elapsed() < Duration::from_secs(1), "B still takes the token after 1 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    eprintln!("B refused the token {} ms after A signed it out", ended.elapsed().as_millis());
}
