//! Starting the app for a test, and building test content.

use std::collections::HashMap;

use broadside::auth::Role;
use broadside::auth::passwords::Passwords;
use broadside::config::Settings;
use broadside::database;
use broadside::domain::draft::{NewContent, NewDocument, NewEssay, NewTag};
use broadside::domain::markdown::Markdown;
use broadside::domain::{DocumentStatus, Locale, Slug};
use broadside::routes::v1::renderers;
use broadside::services::projections;
use broadside::services::seed;
use broadside::services::users;
use broadside::services::writes::Batch;
use broadside::startup::Application;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::Value;
use uuid::Uuid;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub database_url: String,
    stopper: broadside::startup::Stopper,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _scratch: Option<Scratch>,
}

/// Where a test's database lives, removed when the test is done with it: a
/// SQLite file's directory, or a database on the test PostgreSQL server
/// (dropped, so that a whole run leaves the server no larger than it found
/// it).
pub enum Scratch {
    Directory { _dir: tempfile::TempDir },
    Database { server: String, name: String },
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let Scratch::Database { server, name } = self else { return };
        let statement = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        let admin = format!("{server}/postgres");
        // Drop runs inside the test's runtime, which cannot be blocked on:
        // the statement runs on a thread and a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async {
                let admin = sea_orm::Database::connect(admin).await?;
                admin.execute_unprepared(&statement).await?;
                admin.close().await
            })?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("test database {name} was not dropped: {e}");
        }
    }
}

/// A fresh database URL: a SQLite file in a new directory, or a new database
/// on the PostgreSQL server named by `BROADSIDE_TEST_DATABASE_URL`. The
/// database lasts as long as the `Scratch` returned with it.
pub async fn fresh_database() -> (String, Scratch) {
    match std::env::var("BROADSIDE_TEST_DATABASE_URL") {
        Ok(server) if !server.is_empty() => {
            let server = server.trim_end_matches('/').to_owned();
            let name = format!("test_{}", Uuid::now_v7().simple());
            let admin = sea_orm::Database::connect(format!("{server}/postgres"))
                .await
                .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server: {e}"));
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
            let _ = admin.close().await;
            (format!("{server}/{name}"), Scratch::Database { server, name })
        }
        _ => {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
            let url = format!("sqlite://{}", dir.path().join("broadside.db").display());
            (url, Scratch::Directory { _dir: dir })
        }
    }
}

pub const ADMIN_EMAIL: &str = "admin@example.org";
pub const ADMIN_PASSWORD: &str = "admin password 1234";
pub const JWT_SECRET: &str = "test secret: thirty-two bytes or more, honestly";

pub fn test_settings(database_url: &str, seed_demo: bool) -> Settings {
    settings_with(database_url, seed_demo, &[])
}

pub fn settings_with(database_url: &str, seed_demo: bool, extra: &[(&str, &str)]) -> Settings {
    let mut vars: HashMap<String, String> = [
        ("BROADSIDE_LISTEN", "127.0.0.1:0"),
        ("DATABASE_URL", database_url),
        ("BROADSIDE_WORKERS", "1"),
        ("BROADSIDE_DB_MAX_CONNECTIONS", "4"),
        ("BROADSIDE_LOG", "error"),
        ("BROADSIDE_SEED_DEMO", if seed_demo { "true" } else { "false" }),
        ("BROADSIDE_ADMIN_EMAIL", ADMIN_EMAIL),
        ("BROADSIDE_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("BROADSIDE_JWT_SECRET", JWT_SECRET),
        ("BROADSIDE_LOGIN_ATTEMPTS_PER_MINUTE", "1000"),
        ("BROADSIDE_SCHEDULER_INTERVAL_MS", "200"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    Settings::from_vars(&vars).unwrap_or_else(|e| panic!("settings: {e}"))
}

/// The app over a fresh database holding the demo content and an admin.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// The same, with settings overridden.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let (database_url, dir) = fresh_database().await;
    let settings = settings_with(&database_url, true, extra);
    let db = database::connect(&settings.database).await.unwrap_or_else(|e| panic!("connect: {e}"));
    database::migrate(&db).await.unwrap_or_else(|e| panic!("migrate: {e}"));
    seed::load_demo(&db, &renderers()).await.unwrap_or_else(|e| panic!("demo: {e}"));
    add_user(&db, ADMIN_EMAIL, ADMIN_PASSWORD, Role::Admin).await;
    start(settings, db, database_url, Some(dir)).await
}

/// Another instance over the database at `database_url`, as a second
/// server behind a load balancer (or the same one restarted) would be.
pub async fn spawn_instance(database_url: &str, extra: &[(&str, &str)]) -> TestApp {
    let settings = settings_with(database_url, false, extra);
    let db = database::connect(&settings.database).await.unwrap_or_else(|e| panic!("connect: {e}"));
    start(settings, db, database_url.to_owned(), None).await
}

pub async fn start(
    settings: Settings,
    db: DatabaseConnection,
    database_url: String,
    scratch: Option<Scratch>,
) -> TestApp {
    let application =
        Application::build_with(settings, db.clone()).await.unwrap_or_else(|e| panic!("build: {e}"));
    let address = format!("http://127.0.0.1:{}", application.port());
    let stopper = application.stopper();
    let task = Some(tokio::spawn(application.run_until_stopped()));
    TestApp { address, client: reqwest::Client::new(), db, database_url, stopper, task, _scratch: scratch }
}

pub async fn add_user(db: &DatabaseConnection, email: &str, password: &str, role: Role) {
    let hash = Passwords::new(1)
        .unwrap_or_else(|e| panic!("{e}"))
        .hash(password.to_owned())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    users::create(db, email, hash, role).await.unwrap_or_else(|e| panic!("{e}"));
}

impl TestApp {
    /// Stops the server as SIGTERM would, and waits until its background
    /// work has stopped too.
    pub async fn stop(&mut self) {
        self.stopper.stop().await;
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Stops taking connections; the kernel still completes them and
    /// queues them, as it does for a server too busy to take them.
    pub async fn pause_accepting(&self) {
        self.stopper.server().pause().await;
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// Signs in; returns the token pair.
    pub async fn sign_in(&self, email: &str, password: &str) -> Value {
        let response = self
            .post_json("/v1/auth/token", &serde_json::json!({"email": email, "password": password}))
            .await;
        assert_eq!(response.status(), 200, "sign in as {email}");
        response.json().await.expect("a token pair")
    }

    /// A user with `role` (created now) and their access token.
    pub async fn token_for(&self, role: Role) -> String {
        let email = format!("{}-{}@example.org", role.as_str(), Uuid::now_v7().simple());
        add_user(&self.db, &email, "a long enough password", role).await;
        let pair = self.sign_in(&email, "a long enough password").await;
        pair["access_token"].as_str().expect("an access token").to_owned()
    }

    /// A request with a bearer token (or none) and optional If-Match.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        if_match: Option<&str>,
        body: Option<&Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method.clone(), format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// The ETag a GET of `path` answers, as `token` sees it.
    pub async fn etag(&self, path: &str, token: &str) -> Option<String> {
        let response = self.send(reqwest::Method::GET, path, Some(token), None, None).await;
        response.headers().get("etag").and_then(|v| v.to_str().ok()).map(String::from)
    }

    pub async fn get_with(&self, path: &str, header: (&str, &str)) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .header(header.0, header.1)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// GET, expecting 200 and a JSON body.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }

    /// GET, expecting `status` and a problem+json body; returns the body.
    pub async fn get_problem(&self, path: &str, status: u16) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(String::from);
        assert_eq!(content_type.as_deref(), Some("application/problem+json"), "GET {path}");
        let problem: Value = response.json().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert_eq!(problem["status"], status, "{problem}");
        assert_eq!(problem["instance"], path.split('?').next().unwrap_or(path), "{problem}");
        assert!(problem["title"].is_string() && problem["detail"].is_string(), "{problem}");
        problem
    }

    /// Every item of a listing, following `next_cursor` page by page.
    pub async fn walk(&self, path: &str, limit: u32) -> Vec<Value> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10_000 {
            let mut url = format!("{path}{separator}limit={limit}");
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={c}"));
            }
            let page = self.get_json(&url).await;
            items.extend(page["data"].as_array().cloned().unwrap_or_else(|| panic!("{url}: {page}")));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return items,
            }
        }
        panic!("{path} never ended");
    }

    pub async fn load_synthetic(&self, n: usize) {
        seed::load_synthetic(&self.db, n, &renderers(), &mut |_, _| {})
            .await
            .unwrap_or_else(|e| panic!("synthetic: {e}"));
    }

    /// The one value `sql` selects, straight from the database.
    pub async fn scalar<T: sea_orm::TryGetable>(&self, sql: &str) -> T {
        let backend = self.db.get_database_backend();
        let row = self
            .db
            .query_one_raw(Statement::from_string(backend, sql.to_owned()))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .unwrap_or_else(|| panic!("{sql}: no row"));
        row.try_get_by_index::<T>(0).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// A count straight from the database, to check the API against.
    pub async fn count(&self, sql: &str) -> i64 {
        self.scalar(sql).await
    }

    /// Inserts one essay, as the writes of a later version of the API would.
    pub async fn insert_essay(&self, essay: TestEssay<'_>) -> Uuid {
        let id = Uuid::now_v7();
        let mut batch = Batch::default();
        let mut tags = Vec::new();
        for tag in essay.new_tags {
            let tag_id = Uuid::now_v7();
            tags.push(tag_id);
            batch.add_tag(NewTag {
                id: tag_id,
                slug: slug(tag),
                name: (*tag).to_owned(),
                created_at: Utc::now(),
            });
        }
        batch.add_document(
            NewDocument {
                id,
                slug: slug(essay.slug),
                locale: Locale::parse(essay.locale).unwrap_or_else(|e| panic!("{e}")),
                title: essay.title.to_owned(),
                status: essay.status,
                published_at: essay.published_at,
                created_at: Utc::now(),
                translation_of: essay.translation_of,
                tags,
                related: essay.related,
            },
            NewContent::Essay(NewEssay {
                subtitle: None,
                body: Markdown::parse(essay.body).unwrap_or_else(|e| panic!("{e}")),
                excerpt: None,
                authors: essay.authors,
            }),
            None,
        );
        let txn = broadside::database::begin_write(&self.db).await.unwrap_or_else(|e| panic!("{e}"));
        batch.insert(&txn).await.unwrap_or_else(|e| panic!("insert: {e}"));
        projections::written(&txn, &[id], &[], &renderers()).await.unwrap_or_else(|e| panic!("{e}"));
        txn.commit().await.unwrap_or_else(|e| panic!("{e}"));
        id
    }

    /// The id of a document from the database.
    pub async fn id_of(&self, kind: &str, slug: &str) -> Uuid {
        self.scalar(&format!(
            "SELECT id FROM documents WHERE kind = '{kind}' AND slug = '{slug}' AND locale = 'en'"
        ))
        .await
    }
}

pub struct TestEssay<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub locale: &'a str,
    pub status: DocumentStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub body: &'a str,
    pub new_tags: &'a [&'a str],
    pub related: Vec<Uuid>,
    pub translation_of: Option<Uuid>,
    pub authors: Vec<(Uuid, Option<String>)>,
}

impl<'a> TestEssay<'a> {
    pub fn published(slug: &'a str) -> Self {
        Self {
            slug,
            title: slug,
            locale: "en",
            status: DocumentStatus::Published,
            published_at: Some(Utc::now()),
            body: "A paragraph.",
            new_tags: &[],
            related: vec![],
            translation_of: None,
            authors: vec![],
        }
    }

    pub fn draft(slug: &'a str) -> Self {
        Self { status: DocumentStatus::Draft, published_at: None, ..Self::published(slug) }
    }
}

pub fn slug(value: &str) -> Slug {
    Slug::parse(value).unwrap_or_else(|e| panic!("{value}: {e}"))
}

/// The `field` of every item.
pub fn fields(items: &[Value], field: &str) -> Vec<String> {
    let text = |item: &Value| item[field].as_str().unwrap_or_else(|| panic!("{field}: {item}")).to_owned();
    items.iter().map(text).collect()
}

/// Awaits every future together on this task, all in flight at once;
/// returns their outputs in order.
pub async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    use std::task::Poll;
    let mut pending: Vec<_> = futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (slot, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => {
                        *output = Some(value);
                        *slot = None;
                    }
                    Poll::Pending => done = false,
                }
            }
        }
        if done { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    outputs.into_iter().flatten().collect()
}
