//! Changing a document: the ETag `If-Match` must carry, and edits made at
//! once with the same one.

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::{essay_body, json_of};
use crate::helpers::{join_all, spawn_app};

#[tokio::test]
async fn changes_need_the_current_etag() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let (_, etag, doc) =
        json_of(app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&essay_body("etag"))).await)
            .await;
    let path = format!("/v1/essays/{}", doc["id"].as_str().unwrap());
    let patch = json!({"title": "Changed"});
    let response = app.send(Method::PATCH, &path, Some(&editor), None, Some(&patch)).await;
    assert_eq!(response.status(), 428);
    let response = app.send(Method::POST, &format!("{path}/publish"), Some(&editor), None, None).await;
    assert_eq!(response.status(), 428, "every state change needs If-Match");
    let response = app.send(Method::PATCH, &path, Some(&editor), Some("\"stale\""), Some(&patch)).await;
    assert_eq!(response.status(), 412);
    let weak = etag.as_deref().map(|t| format!("W/{t}"));
    let response = app.send(Method::PATCH, &path, Some(&editor), weak.as_deref(), Some(&patch)).await;
    assert_eq!(response.status(), 412, "a weak tag never matches");
    let response = app.send(Method::PATCH, &path, Some(&editor), etag.as_deref(), Some(&patch)).await;
    assert_eq!(response.status(), 200);
    let response = app
        .send(Method::PATCH, &path, Some(&editor), etag.as_deref(), Some(&json!({"title": "Lost?"})))
        .await;
    assert_eq!(response.status(), 412, "the old ETag is stale now");
}

#[tokio::test]
async fn of_concurrent_edits_with_one_etag_exactly_one_wins() {
    let app = spawn_app().await;
    let editor = app.token_for(Role::Editor).await;
    let (_, etag, doc) =
        json_of(app.send(Method::POST, "/v1/essays", Some(&editor), None, Some(&essay_body("race"))).await)
            .await;
    let path = format!("/v1/essays/{}", doc["id"].as_str().unwrap());
    let etag = etag.unwrap();

    let attempts: Vec<_> = (0..32)
        .map(|n| {
            let (app, path, editor, etag) = (&app, path.clone(), editor.clone(), etag.clone());
            Box::pin(async move {
                let patch = json!({"title": format!("Edit number {n}")});
                app.send(Method::PATCH, &path, Some(&editor), Some(&etag), Some(&patch))
                    .await
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let statuses = join_all(attempts).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 31, "{statuses:?}");

    let bearer = format!("Bearer {editor}");
    let revisions: Value =
        app.get_with(&format!("{path}/revisions"), ("authorization", &bearer)).await.json().await.unwrap();
    let versions: Vec<i64> =
        revisions["data"].as_array().into_iter().flatten().filter_map(|r| r["version"].as_i64()).collect();
    assert_eq!(versions, [2, 1], "one revision per accepted change, none lost");
    let current: Value = app.get_with(&path, ("authorization", &bearer)).await.json().await.unwrap();
    let two: Value =
        app.get_with(&format!("{path}/revisions/2"), ("authorization", &bearer)).await.json().await.unwrap();
    assert_eq!(current["title"], two["document"]["title"], "the winner's edit is the one kept");
}

#[tokio::test]
async fn two_editors_with_one_etag_one_wins_and_the_other_rebases() {
    let app = spawn_app().await;
    let (ada, bea) = (app.token_for(Role::Editor).await, app.token_for(Role::Editor).await);
    let (_, etag, doc) = json_of(
        app.send(Method::POST, "/v1/essays", Some(&ada), None, Some(&essay_body("two-editors"))).await,
    )
    .await;
    let path = format!("/v1/essays/{}", doc["id"].as_str().unwrap());
    let etag = etag.unwrap();
    let by_ada = json!({"title": "Ada's title"});
    let by_bea = json!({"subtitle": "Bea's subtitle"});
    let (first, second) = tokio::join!(
        app.send(Method::PATCH, &path, Some(&ada), Some(&etag), Some(&by_ada)),
        app.send(Method::PATCH, &path, Some(&bea), Some(&etag), Some(&by_bea)),
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412]);

    // The loser reads the current version and applies the edit on top of it.
    let current = app.send(Method::GET, &path, Some(&bea), None, None).await;
    let fresh = current.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    let loser = if first.status() == 412 { (&ada, &by_ada) } else { (&bea, &by_bea) };
    let (status, _, merged) =
        json_of(app.send(Method::PATCH, &path, Some(loser.0), Some(&fresh), Some(loser.1)).await).await;
    assert_eq!(status, 200, "{merged}");
    assert_eq!(
        (merged["title"].as_str(), merged["subtitle"].as_str()),
        (Some("Ada's title"), Some("Bea's subtitle"))
    );

    let revisions = app.send(Method::GET, &format!("{path}/revisions"), Some(&ada), None, None).await;
    let revisions: Value = revisions.json().await.unwrap();
    let versions: Vec<i64> =
        revisions["data"].as_array().into_iter().flatten().filter_map(|r| r["version"].as_i64()).collect();
    assert_eq!(versions, [3, 2, 1], "both edits kept, each as its own revision");
}
