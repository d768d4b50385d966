//! Building the application: the database, the HTTP server bound to its
//! listener (port 0 in tests), the shared state handlers see.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use sea_orm::DatabaseConnection;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::jwt::JwtKeys;
use crate::auth::passwords::Passwords;
use crate::auth::rate_limit::LoginLimiter;
use crate::auth::{Role, secrets};
use crate::config::Settings;
use crate::error::{add_problem_instance, json_error, path_error, route_not_found};
use crate::http::caching::{self, ResponseCache};
use crate::openapi::ApiDoc;
use crate::services::seed::{self, DemoOutcome};
use crate::services::users;
use crate::{background, database, routes, telemetry};

/// What every handler can reach.
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub jwt: JwtKeys,
    pub passwords: Passwords,
    pub login_limiter: LoginLimiter,
    /// Anonymous responses kept in memory; see [`crate::http::caching`].
    pub cache: ResponseCache,
    /// Bumped after every committed change, to wake live change streams.
    pub changes: tokio::sync::watch::Sender<u64>,
    /// Bumped after every write committed through this instance, for the
    /// other instances to hear of (see [`crate::cluster`]).
    pub local_writes: tokio::sync::watch::Sender<u64>,
    /// This process, among the instances sharing the database.
    pub instance: uuid::Uuid,
    /// Sends webhook requests.
    pub webhook_sender: crate::webhooks::sender::Sender,
    /// Wakes the webhook worker: new events may be waiting.
    pub webhook_wakeup: tokio::sync::Notify,
    /// The read replica, when `DATABASE_READ_URL` names one.
    pub replica: Option<crate::cluster::Replica>,
    /// Set when the process is shutting down.
    pub stopping: tokio::sync::watch::Sender<bool>,
    /// When this instance last heard its own heartbeat notice (ms since
    /// the epoch; see [`crate::cluster`]).
    pub heard_at: std::sync::atomic::AtomicI64,
}

impl AppState {
    /// A write through this instance is committed: everything that depends
    /// on content is refreshed, here and on the other instances.
    pub fn content_changed(&self) {
        self.refresh();
        self.local_writes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Content has changed, through this instance or another: no cached
    /// answer may be served again, live change streams and the webhook
    /// worker look for what is new, and the replica is not read until it
    /// has caught up.
    pub fn refresh(&self) {
        // The replica first: a read that finds the cache emptied must not
        // find the replica still trusted.
        if let Some(replica) = &self.replica {
            replica.behind();
        }
        self.cache.invalidate();
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
        self.webhook_wakeup.notify_one();
    }

    /// Where the read-only queries of `request` go: the replica for
    /// anonymous callers while it has caught up; the primary otherwise, so
    /// that callers who can write always read what they wrote.
    pub fn reader(&self, request: &actix_web::HttpRequest) -> &DatabaseConnection {
        match &self.replica {
            Some(replica) if !caching::has_credentials(request.headers()) && replica.caught_up() => {
                &replica.db
            }
            _ => &self.db,
        }
    }
}

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub struct Application {
    address: SocketAddr,
    server: Server,
    state: web::Data<AppState>,
    background: background::Background,
}

impl Application {
    /// Connects, migrates, loads the demo content into an empty database when
    /// the settings ask for it, and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = database::connect(&settings.database).await.with_context(|| {
            format!("cannot open the database at {}", crate::config::redact_url(&settings.database.url))
        })?;
        database::migrate(&db).await.context("cannot apply the database migrations")?;
        let indexed =
            crate::services::search::index_missing(&db).await.context("cannot build the search index")?;
        if indexed > 0 {
            tracing::info!(indexed, "added documents to the search index");
        }
        if settings.seed_demo && seed::load_demo_if_empty(&db).await? == DemoOutcome::Loaded {
            tracing::info!("loaded the demo content into the empty database");
        }
        if settings.auth.jwt_secret_generated {
            tracing::warn!(
                "BROADSIDE_JWT_SECRET is not set: access tokens are signed with a key made up at start-up \
                 and end with the process (set BROADSIDE_ENV=production to require a secret)"
            );
        }
        let application = Self::build_with(settings, db).await?;
        ensure_admin(&application.state).await?;
        Ok(application)
    }

    /// Binds the listener and builds the server over an open database.
    pub async fn build_with(settings: Settings, db: DatabaseConnection) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.listen)
            .with_context(|| format!("cannot listen on {} (BROADSIDE_LISTEN)", settings.listen))?;
        let address = listener.local_addr()?;
        let workers = settings.workers;
        let auth = &settings.auth;
        let jwt = JwtKeys::new(
            &auth.jwt_secret,
            &auth.jwt_issuer,
            &auth.jwt_audience,
            auth.access_token_ttl_seconds,
        );
        let passwords = Passwords::new(auth.password_threads)?;
        let login_limiter = LoginLimiter::new(auth.login_attempts_per_minute);
        let cache = ResponseCache::new(settings.cache.clone());
        if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            // Until this instance hears the others' writes, it cannot trust
            // what it caches (see `cluster::listen`).
            cache.set_coherent(false);
        }
        let webhook_sender = crate::webhooks::sender::Sender::new(&settings.webhooks)
            .context("cannot set up the HTTP client for webhooks")?;
        let replica = match &settings.database.read_url {
            Some(url) => {
                let replica_settings =
                    crate::config::DatabaseSettings { url: url.clone(), ..settings.database.clone() };
                let replica = database::connect(&replica_settings).await.with_context(|| {
                    format!("cannot open the read replica at {}", crate::config::redact_url(url))
                })?;
                Some(crate::cluster::Replica::new(replica))
            }
            None => None,
        };
        let state = web::Data::new(AppState {
            db,
            settings: Arc::new(settings),
            jwt,
            passwords,
            login_limiter,
            cache,
            changes: tokio::sync::watch::Sender::new(0),
            local_writes: tokio::sync::watch::Sender::new(0),
            instance: uuid::Uuid::now_v7(),
            webhook_sender,
            webhook_wakeup: tokio::sync::Notify::new(),
            replica,
            stopping: tokio::sync::watch::Sender::new(false),
            heard_at: std::sync::atomic::AtomicI64::new(chrono::Utc::now().timestamp_millis()),
        });
        let background = background::spawn(state.clone().into_inner());
        if !state.cache.coherent() {
            // Serve once this instance hears the others' writes (a few
            // milliseconds); without them it serves, uncached, after 2 s.
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
            while !state.cache.coherent() && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
        let app_state = state.clone();
        let server = HttpServer::new(move || app(app_state.clone())).workers(workers).listen(listener)?.run();
        Ok(Self { address, server, state, background })
    }

    /// Stops the server when asked (graceful: requests under way finish).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Serves until SIGINT or SIGTERM (or [`Self::handle`] stops it), then
    /// finishes the requests under way and stops the background work (see
    /// [`background::Background::stop`]).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.background.stop().await;
        drop(self.state);
        result
    }
}

fn app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = cors(&state.settings.cors_origins);
    let (app, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(state)
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(
            web::JsonConfig::default()
                .limit(MAX_BODY_BYTES)
                .content_type_required(false)
                .error_handler(json_error),
        )
        .configure(routes::configure)
        .split_for_parts();
    crate::openapi::finish(&mut api);
    app.service(web::redirect("/docs", "/docs/"))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .default_service(web::to(route_not_found))
        .wrap(from_fn(add_problem_instance))
        .wrap(Compress::default())
        .wrap(from_fn(caching::http_caching))
        .wrap(cors)
        .wrap(from_fn(telemetry::log_request))
}

/// Cross-origin access for browser frontends on the configured origins:
/// every method the API has, the headers it reads, and the headers a
/// frontend needs to see (ETags for If-Match, Link for the next page).
fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::HeaderName::from_static("x-api-key"),
            header::HeaderName::from_static("x-revision-message"),
            header::HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            header::LOCATION,
            header::LAST_MODIFIED,
            header::CONTENT_LANGUAGE,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" { cors.allow_any_origin() } else { cors.allowed_origin(origin) };
    }
    cors
}

/// A database without users gets an admin: the one the settings name, or
/// one with a generated password printed once to the terminal.
async fn ensure_admin(state: &AppState) -> anyhow::Result<()> {
    let db = &state.db;
    if users::count(db).await? > 0 {
        return Ok(());
    }
    let auth = &state.settings.auth;
    let email = auth.admin_email.clone().unwrap_or_else(|| "admin@localhost".to_owned());
    let (password, generated) = match &auth.admin_password {
        Some(password) => (password.clone(), false),
        None => (secrets::generate(""), true),
    };
    let hash = state.passwords.hash(password.clone()).await?;
    users::create(db, &email, hash, Role::Admin).await?;
    if generated {
        // Shown once, on the terminal only: never logged.
        eprintln!(
            "\n  Created the first admin account.\n    email:    {email}\n    password: {password}\n  \
             Sign in with POST /v1/auth/token. This password is not shown again.\n"
        );
    } else {
        tracing::info!(%email, "created the first admin account from BROADSIDE_ADMIN_EMAIL");
    }
    Ok(())
}
