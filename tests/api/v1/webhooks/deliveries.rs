//! Webhook deliveries: retries, a service restart, disabling and replay,
//! test deliveries, secret rotation, and several instances on one database.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::{
    FAST, Receiver, create_essay, deliveries, essay, publish, publish_essay, subscribe, verify,
    verify_with_reference_library,
};
use crate::helpers::{join_all, spawn_app_with, spawn_instance};

#[tokio::test]
async fn a_receiver_failing_three_times_gets_the_event_once_more_with_four_attempts_logged() {
    let app = spawn_app_with(FAST).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(3).await;
    let hook = subscribe(&app, &admin, &receiver.url, json!(["essay.published"])).await;
    publish_essay(&app, &admin, "third-time-lucky", None).await;

    let received = receiver.wait_for(Duration::from_secs(10), |r| r.iter().any(|d| d.answered == 204)).await;
    // No attempt follows the success.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received_after = receiver.received();
    assert_eq!(received_after.len(), received.len());
    let answers: Vec<u16> = received.iter().map(|d| d.answered).collect();
    assert_eq!(answers, vec![500, 500, 500, 204]);
    // One event, the same id on every attempt, each freshly signed.
    assert!(received.iter().all(|d| d.id == received[0].id && d.body == received[0].body));
    let secret = hook["secret"].as_str().unwrap();
    for delivery in &received {
        verify(secret, delivery).unwrap_or_else(|e| panic!("{e}"));
    }
    let log = deliveries(&app, &admin, hook["id"].as_str().unwrap()).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "succeeded");
    let codes: Vec<i64> = log[0]["attempts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["status_code"].as_i64())
        .collect();
    assert_eq!(codes, vec![500, 500, 500, 204]);
    assert_eq!(log[0]["attempts"][0]["response_snippet"], "not yet");
    let numbers: Vec<i64> =
        log[0]["attempts"].as_array().into_iter().flatten().filter_map(|a| a["number"].as_i64()).collect();
    assert_eq!(numbers, vec![1, 2, 3, 4]);
}

#[tokio::test]
async fn a_receiver_down_while_the_service_restarts_gets_the_event_after_the_restart() {
    let mut app = spawn_app_with(FAST).await;
    let admin = app.token_for(Role::Admin).await;
    // Port 1: no test can listen there, so every connection is refused.
    let hook = subscribe(&app, &admin, "http://127.0.0.1:1/hook", json!(["essay.*"])).await;
    let hook_id = hook["id"].as_str().unwrap().to_owned();
    publish_essay(&app, &admin, "across-a-restart", None).await;

    // Refused connections are logged and retried.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = deliveries(&app, &admin, &hook_id).await;
        let attempts: Vec<Value> =
            log.iter().flat_map(|d| d["attempts"].as_array().cloned().unwrap()).collect();
        if attempts.len() >= 2 {
            assert!(log.iter().all(|d| d["status"] == "pending"), "{log:#?}");
            for attempt in &attempts {
                let error = attempt["error"].as_str().unwrap_or_else(|| panic!("{log:#?}"));
                assert!(error.contains("connect"), "{error}");
            }
            break;
        }
        assert!(Instant::now() < deadline, "no failed attempts logged: {log:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A graceful stop, as on SIGTERM: attempts under way finish first, so
    // none is left leased to the stopped instance.
    app.stop().await;
    use sea_orm::EntityTrait;
    let left = entity::webhook_delivery::Entity::find().all(&app.db).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(left.len(), 2);
    for delivery in left {
        assert_eq!(delivery.status, "pending");
        let lease_ends = chrono::Utc::now() + chrono::Duration::seconds(10);
        assert!(delivery.next_attempt_at < lease_ends, "left leased: {delivery:?}");
    }

    // The receiver comes up elsewhere; the restarted service is told where.
    let receiver = Receiver::start(0).await;
    let restarted = spawn_instance(&app.database_url, FAST).await;
    let path = format!("/v1/webhooks/{hook_id}");
    let etag = restarted.etag(&path, &admin).await;
    let moved = json!({"url": receiver.url});
    let response = restarted.send(Method::PATCH, &path, Some(&admin), etag.as_deref(), Some(&moved)).await;
    assert_eq!(response.status(), 200);
    // created, updated-by-publish: every event of the subscription arrives.
    let received = receiver
        .wait_for(Duration::from_secs(45), |r| {
            let types: HashSet<String> =
                r.iter().map(|d| d.json()["type"].as_str().unwrap().to_owned()).collect();
            types.contains("essay.created") && types.contains("essay.published")
        })
        .await;
    let secret = hook["secret"].as_str().unwrap();
    for delivery in &received {
        verify(secret, delivery).unwrap_or_else(|e| panic!("{e}"));
    }
    // Recorded once the answer is in.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = deliveries(&restarted, &admin, &hook_id).await;
        if log.iter().all(|d| d["status"] == "succeeded") {
            break;
        }
        assert!(Instant::now() < deadline, "{log:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_subscription_that_keeps_failing_is_disabled_with_its_reason_and_can_be_replayed() {
    let mut settings = FAST.to_vec();
    settings.extend([("BROADSIDE_WEBHOOK_MAX_ATTEMPTS", "2"), ("BROADSIDE_WEBHOOK_DISABLE_AFTER", "2")]);
    let app = spawn_app_with(&settings).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(usize::MAX).await;
    let hook = subscribe(&app, &admin, &receiver.url, json!(["essay.created"])).await;
    let path = format!("/v1/webhooks/{}", hook["id"].as_str().unwrap());
    for slug in ["failing-one", "failing-two"] {
        let created = app.send(Method::POST, "/v1/essays", Some(&admin), None, Some(&essay(slug))).await;
        assert_eq!(created.status(), 201);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let disabled = loop {
        let current: Value =
            app.send(Method::GET, &path, Some(&admin), None, None).await.json().await.unwrap();
        if current["enabled"] == false {
            break current;
        }
        assert!(Instant::now() < deadline, "never disabled: {current}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let reason = disabled["disabled_reason"].as_str().unwrap();
    assert!(reason.contains("HTTP 500") && reason.contains("2 deliveries"), "{reason}");
    assert_eq!(receiver.received().len(), 4, "two deliveries, two attempts each");
    let log = deliveries(&app, &admin, hook["id"].as_str().unwrap()).await;
    assert!(log.iter().all(|d| d["status"] == "failed" && d["attempts"].as_array().map(Vec::len) == Some(2)));

    // A replay waits for the subscription to be enabled again.
    let replay = format!("/v1/webhooks/deliveries/{}/replay", log[0]["id"].as_str().unwrap());
    let refused = app.send(Method::POST, &replay, Some(&admin), None, None).await;
    assert_eq!(refused.status(), 409);
    let etag = app.etag(&path, &admin).await;
    let enabled =
        app.send(Method::PATCH, &path, Some(&admin), etag.as_deref(), Some(&json!({"enabled": true}))).await;
    assert_eq!(enabled.status(), 200);
    let enabled: Value = enabled.json().await.unwrap();
    assert_eq!(enabled["disabled_reason"], Value::Null);
    assert_eq!(enabled["failed_deliveries"], 0);
    let replayed = app.send(Method::POST, &replay, Some(&admin), None, None).await;
    assert_eq!(replayed.status(), 202);
    let replayed: Value = replayed.json().await.unwrap();
    assert_eq!(replayed["replay_of"], log[0]["id"]);
    assert_eq!(replayed["message_id"], log[0]["message_id"], "a replay carries the original webhook-id");
    receiver.wait_for(Duration::from_secs(10), |r| r.len() >= 5).await;
    let last = receiver.received().pop().map(|d| d.id).unwrap();
    assert_eq!(last, log[0]["message_id"].as_str().unwrap());
}

#[tokio::test]
async fn a_test_delivery_reports_its_outcome_at_once() {
    let app = spawn_app_with(FAST).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(0).await;
    let hook = subscribe(&app, &admin, &receiver.url, json!(["event.cancelled"])).await;
    let path = format!("/v1/webhooks/{}/test", hook["id"].as_str().unwrap());
    let response = app.send(Method::POST, &path, Some(&admin), None, None).await;
    assert_eq!(response.status(), 200);
    let delivery: Value = response.json().await.unwrap();
    assert_eq!(delivery["status"], "succeeded", "{delivery}");
    assert_eq!(delivery["event_type"], "webhook.test");
    assert_eq!(delivery["attempts"][0]["status_code"], 204);
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    verify(hook["secret"].as_str().unwrap(), &received[0]).unwrap_or_else(|e| panic!("{e}"));

    // A test to a receiver that is gone fails once, with the reason, and
    // is not retried.
    receiver.stop().await;
    let response = app.send(Method::POST, &path, Some(&admin), None, None).await;
    let delivery: Value = response.json().await.unwrap();
    assert_eq!(delivery["status"], "failed", "{delivery}");
    assert!(delivery["attempts"][0]["error"].as_str().is_some_and(|e| e.contains("connect")), "{delivery}");
    assert_eq!(delivery["attempts"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_new_one_for_a_day() {
    let app = spawn_app_with(FAST).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(0).await;
    let hook = subscribe(&app, &admin, &receiver.url, json!(["essay.*"])).await;
    let old = hook["secret"].as_str().unwrap().to_owned();
    let path = format!("/v1/webhooks/{}", hook["id"].as_str().unwrap());
    let rotate = format!("{path}/rotate-secret");
    assert_eq!(app.send(Method::POST, &rotate, Some(&admin), None, None).await.status(), 428);
    let etag = app.etag(&path, &admin).await;
    let rotated = app.send(Method::POST, &rotate, Some(&admin), etag.as_deref(), None).await;
    assert_eq!(rotated.status(), 200);
    let rotated: Value = rotated.json().await.unwrap();
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert!(new.starts_with("whsec_") && new != old);
    let until = rotated["previous_secret_expires_at"].as_str().unwrap();
    let until = chrono::DateTime::parse_from_rfc3339(until).unwrap_or_else(|e| panic!("{rotated}: {e}"));
    let hours = (until.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes();
    assert!((23 * 60..=24 * 60).contains(&hours), "{rotated}");
    assert_eq!(app.send(Method::POST, &rotate, Some(&admin), etag.as_deref(), None).await.status(), 412);

    let test = format!("{path}/test");
    assert_eq!(app.send(Method::POST, &test, Some(&admin), None, None).await.status(), 200);
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].signature.split(' ').count(), 2, "{}", received[0].signature);
    verify(&new, &received[0]).unwrap_or_else(|e| panic!("new secret: {e}"));
    verify(&old, &received[0]).unwrap_or_else(|e| panic!("old secret: {e}"));
    verify_with_reference_library(&new, &received);
    verify_with_reference_library(&old, &received);
}

#[tokio::test]
async fn two_instances_publish_a_hundred_scheduled_documents_once_each_with_one_event_each() {
    let app = spawn_app_with(FAST).await;
    let other = spawn_instance(&app.database_url, FAST).await;
    let admin = app.token_for(Role::Admin).await;
    let receiver = Receiver::start(0).await;
    let second = Receiver::start(0).await;
    subscribe(&app, &admin, &receiver.url, json!(["essay.published"])).await;
    subscribe(&other, &admin, &second.url, json!(["essay.*"])).await;

    let started = Instant::now();
    let mut drafts = Vec::new();
    for chunk in (0..100).collect::<Vec<_>>().chunks(10) {
        let created = join_all(
            chunk
                .iter()
                .map(|n| {
                    let (app, admin) = (if n % 2 == 0 { &app } else { &other }, &admin);
                    async move { create_essay(app, admin, &format!("scheduled-{n}")).await }
                })
                .collect(),
        )
        .await;
        drafts.extend(created);
    }
    // Scheduling takes no longer than creating did: this far ahead, every
    // one is still scheduled when the last is, however slow the machine.
    let ahead = started.elapsed() * 2 + Duration::from_secs(2);
    let at = (chrono::Utc::now() + chrono::Duration::from_std(ahead).unwrap()).to_rfc3339();
    for (chunk_start, chunk) in drafts.chunks(10).enumerate() {
        join_all(
            chunk
                .iter()
                .enumerate()
                .map(|(i, (id, etag))| {
                    let app = if (chunk_start * 10 + i) % 2 == 0 { &app } else { &other };
                    let (admin, at) = (&admin, &at);
                    async move { publish(app, admin, id, etag.as_deref(), Some(at)).await }
                })
                .collect(),
        )
        .await;
    }
    let ids: Vec<String> = drafts.into_iter().map(|(id, _)| id).collect();
    let received = receiver.wait_for(Duration::from_secs(30), |r| r.len() >= 100).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let received = if receiver.received().len() > received.len() { receiver.received() } else { received };
    let published: Vec<String> =
        received.iter().map(|d| d.json()["data"]["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(published.len(), 100, "exactly one event per document");
    assert_eq!(published.iter().collect::<HashSet<_>>(), ids.iter().collect::<HashSet<_>>());
    // Only these documents were ever published through the workflow here.
    let publications = app
        .count("SELECT COUNT(*) FROM revisions WHERE action = 'publish' AND actor_name = 'scheduler'")
        .await;
    assert_eq!(publications, 100, "each document published once");
    let live = app.get_json("/v1/essays?limit=100&sort=-published_at").await;
    assert_eq!(
        live["data"].as_array().map(|d| d
            .iter()
            .filter(|e| e["slug"].as_str().is_some_and(|s| s.starts_with("scheduled-")))
            .count()),
        Some(100)
    );
    // The other subscription got its own copy of each: one published
    // event per document (and the creates and schedules before them).
    let theirs = second
        .wait_for(Duration::from_secs(30), |r| {
            r.iter().filter(|d| d.json()["type"] == "essay.published").count() >= 100
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let theirs = if second.received().len() > theirs.len() { second.received() } else { theirs };
    let published_ids: Vec<String> = theirs
        .iter()
        .filter(|d| d.json()["type"] == "essay.published")
        .map(|d| d.json()["data"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(published_ids.len(), 100);
    assert_eq!(published_ids.iter().collect::<HashSet<_>>().len(), 100);
    // Once every delivery has gone out (the creates' and schedules' may
    // still be on their way), each was attempted once, by one instance.
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.count("SELECT COUNT(*) FROM webhook_deliveries WHERE status <> 'succeeded'").await > 0 {
        assert!(Instant::now() < deadline, "deliveries left undelivered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let attempts = app.count("SELECT COUNT(*) FROM webhook_attempts").await;
    let deliveries = app.count("SELECT COUNT(*) FROM webhook_deliveries").await;
    assert_eq!(attempts, deliveries, "each delivery attempted once, by one instance");
}
