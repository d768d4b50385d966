//! People: their published works, listing by name, and writing them with
//! `If-Match`.

use broadside::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::{answer, create};
use crate::helpers::{fields, spawn_app};

#[tokio::test]
async fn a_person_shows_their_published_works() {
    let app = spawn_app().await;
    let chaplin = app.get_json("/v1/people/ralph-chaplin").await;
    assert_eq!(chaplin["name"], "Ralph Chaplin");
    assert_eq!(chaplin["works_total"], 1);
    assert_eq!(chaplin["works"][0]["slug"], "solidarity-forever");
    assert_eq!(chaplin["works"][0]["credit"], "writer");
    assert_eq!(chaplin["works"][0]["credited_as"], "lyricist");

    let alvaro = app.get_json("/v1/people/alvaro-rodriguez").await;
    assert_eq!(alvaro["works"][0]["type"], "essay");
    assert_eq!(alvaro["works"][0]["credited_as"], "International Secretary, Communist Party USA");
    let id = alvaro["id"].as_str().unwrap();
    assert_eq!(app.get_json(&format!("/v1/people/{id}")).await, alvaro);
}

#[tokio::test]
async fn people_are_listed_by_name() {
    let app = spawn_app().await;
    app.load_synthetic(10).await;
    let people = app.walk("/v1/people", 13).await;
    assert_eq!(people.len(), 102, "2 demo people and 100 synthetic ones");
    let names = fields(&people, "name");
    let back = app.walk("/v1/people?sort=-name", 13).await;
    assert_eq!(fields(&back, "id").into_iter().rev().collect::<Vec<_>>(), fields(&people, "id"));
    assert!(names.contains(&"Alvaro Rodriguez".to_owned()));
}

#[tokio::test]
async fn a_synthetic_person_lists_at_most_twenty_works_but_counts_them_all() {
    let app = spawn_app().await;
    app.load_synthetic(1000).await;
    // Person 7 is credited on documents 7, 107, …, 907 of each type, all published.
    let person = app.get_json("/v1/people/synthetic-person-007").await;
    let works = person["works"].as_array().cloned().unwrap();
    assert_eq!(works.len(), 20);
    assert_eq!(person["works_total"], 30, "{person}");
    let dates = fields(&works, "published_at");
    let parsed: Vec<_> = dates.iter().filter_map(|d| chrono::DateTime::parse_from_rfc3339(d).ok()).collect();
    assert!(parsed.windows(2).all(|w| w[0] >= w[1]), "newest works first");
}

#[tokio::test]
async fn a_person_is_created_changed_and_deleted_with_if_match() {
    let app = spawn_app().await;
    let author = app.token_for(Role::Author).await;
    let editor = app.token_for(Role::Editor).await;
    let body = json!({"slug": "lucy-parsons", "name": "Lucy Parsons", "bio": "Labor organizer."});

    // Anyone who writes content may add a person; nobody anonymous.
    let anonymous = app.send(Method::POST, "/v1/people", None, None, Some(&body)).await;
    assert_eq!(anonymous.status(), 401);
    let (id, etag) = create(&app, &author, "/v1/people", body.clone()).await;
    let again = app.send(Method::POST, "/v1/people", Some(&editor), None, Some(&body)).await;
    let (status, _, problem) = answer(again).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (409, Some("slug")), "{problem}");

    // A reader's ETag names the same version, and the bytes it was sent.
    let public = app.get("/v1/people/lucy-parsons").await;
    let read = public.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    assert!(read.starts_with(etag.trim_end_matches('"')) && read != etag, "{read} after {etag}");
    let etag = read;

    // Changing takes an editor and the current ETag.
    let path = format!("/v1/people/{id}");
    let patch = json!({"name": "Lucy E. Parsons", "bio": null});
    let by_author = app.send(Method::PATCH, &path, Some(&author), Some(&etag), Some(&patch)).await;
    assert_eq!(by_author.status(), 403);
    let without = app.send(Method::PATCH, &path, Some(&editor), None, Some(&patch)).await;
    assert_eq!(without.status(), 428);
    let (status, new_etag, person) =
        answer(app.send(Method::PATCH, &path, Some(&editor), Some(&etag), Some(&patch)).await).await;
    assert_eq!(status, 200, "{person}");
    assert_eq!(
        (person["name"].as_str(), &person["bio"], person["version"].as_i64()),
        (Some("Lucy E. Parsons"), &Value::Null, Some(2))
    );
    let new_etag = new_etag.unwrap();
    assert_ne!(new_etag, etag);
    let stale = app.send(Method::PATCH, &path, Some(&editor), Some(&etag), Some(&patch)).await;
    assert_eq!(stale.status(), 412);

    // Bad values: every field named.
    let bad = json!({"slug": "Lucy Parsons", "name": " "});
    let (status, _, problem) =
        answer(app.send(Method::PATCH, &path, Some(&editor), Some(&new_etag), Some(&bad)).await).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> =
        problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["slug", "name"], "{problem}");
    let unknown = json!({"email": "lucy@example.org"});
    let (status, _, problem) =
        answer(app.send(Method::PATCH, &path, Some(&editor), Some(&new_etag), Some(&unknown)).await).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(app.get_json(&path).await["version"], 2, "nothing written by refused changes");

    // A credited person cannot be deleted; an uncredited one can, once.
    let credited = app.get_json("/v1/people/ralph-chaplin").await;
    let credited_etag =
        format!("\"{}-v{}\"", credited["id"].as_str().unwrap().replace('-', ""), credited["version"]);
    let (status, _, problem) = answer(
        app.send(Method::DELETE, "/v1/people/ralph-chaplin", Some(&editor), Some(&credited_etag), None).await,
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("credited on 1 document"), "{problem}");
    let deleted = app.send(Method::DELETE, &path, Some(&editor), Some(&new_etag), None).await;
    assert_eq!(deleted.status(), 204);
    app.get_problem(&path, 404).await;
    let twice = app.send(Method::DELETE, &path, Some(&editor), Some(&new_etag), None).await;
    assert_eq!(twice.status(), 404);
}
