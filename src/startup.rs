//! Building the application: the database, the HTTP server bound to its
//! listener (port 0 in tests), the shared state handlers see.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, web};
use anyhow::Context;
use sea_orm::DatabaseConnection;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::jwt::JwtKeys;
use crate::auth::passwords::Passwords;
use crate::auth::rate_limit::LoginLimiter;
use crate::auth::revocations::Revocations;
use crate::auth::{Role, secrets};
use crate::cache::ResponseCache;
use crate::config::Settings;
use crate::error::{add_problem_instance, path_error};
use crate::http::caching;
use crate::http::methods;
use crate::openapi::ApiDoc;
use crate::services::seed::{self, DemoOutcome};
use crate::services::{maintenance, users};
use crate::state::AppState;
use crate::{background, database, routes, telemetry};

pub struct Application {
    address: SocketAddr,
    server: Server,
    state: web::Data<AppState>,
    background: background::Background,
    stopper: Stopper,
}

/// How long requests under way may take to finish once the process is
/// asked to stop.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Stops the server as SIGTERM does: no connection is reset, none is left
/// waiting. New connections stop being accepted by the kernel first;
/// those it had already accepted are taken and served; live change streams
/// end; requests under way finish (for at most [`SHUTDOWN_GRACE`]).
#[derive(Clone)]
pub struct Stopper {
    handle: actix_web::dev::ServerHandle,
    state: web::Data<AppState>,
    listener: Option<Arc<TcpListener>>,
}

impl Stopper {
    /// The server's own handle (to pause accepting, for one).
    pub fn server(&self) -> &actix_web::dev::ServerHandle {
        &self.handle
    }

    pub async fn stop(&self) {
        // Accepting may have been paused; the queue is drained all the same.
        self.handle.resume().await;
        if let Some(listener) = &self.listener {
            crate::listener::drain(listener).await;
        }
        self.state.stopping.send_replace(true);
        self.handle.stop(true).await;
    }
}

impl Application {
    /// Connects, migrates, loads the demo content into an empty database when
    /// the settings ask for it, and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = database::connect(&settings.database).await.with_context(|| {
            format!("cannot open the database at {}", crate::config::redact_url(&settings.database.url))
        })?;
        maintenance::migrate(&db).await.context("cannot apply the database migrations")?;
        if settings.seed_demo
            && seed::load_demo_if_empty(&db, &routes::v1::renderers()).await? == DemoOutcome::Loaded
        {
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
        let revocations = Revocations::new(std::time::Duration::from_secs(
            u64::try_from(auth.access_token_ttl_seconds).unwrap_or(0),
        ));
        // Sign-ins ended while this process was not running may still have
        // live access tokens.
        let since = chrono::Utc::now() - chrono::Duration::seconds(auth.access_token_ttl_seconds + 10);
        for session in crate::services::sessions::revoked_since(&db, since).await? {
            revocations.end(session);
        }
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
                Some(database::Replica::new(replica))
            }
            None => None,
        };
        let direct = database::direct::Direct::open(&settings.database.url);
        // The cache starts empty: only changes from now on concern it.
        let public_seen = crate::services::changes::head(&db).await?;
        let creations = crate::services::creations::Creations::start(db.clone(), routes::v1::renderers());
        let state = web::Data::new(AppState {
            db,
            settings: Arc::new(settings),
            jwt,
            passwords,
            login_limiter,
            revocations,
            cache,
            changes: tokio::sync::watch::Sender::new(0),
            local_writes: tokio::sync::watch::Sender::new(0),
            listings_written: std::sync::atomic::AtomicBool::new(false),
            public_seen: tokio::sync::Mutex::new(crate::state::Seen { seq: public_seen, read: 0 }),
            catch_ups_begun: std::sync::atomic::AtomicU64::new(0),
            instance: uuid::Uuid::now_v7(),
            webhook_sender,
            webhook_wakeup: tokio::sync::Notify::new(),
            replica,
            stopping: tokio::sync::watch::Sender::new(false),
            heard_at: std::sync::atomic::AtomicI64::new(chrono::Utc::now().timestamp_millis()),
            ended_sessions: tokio::sync::broadcast::Sender::new(1024),
            renderers: routes::v1::renderers(),
            direct,
            frequencies: Default::default(),
            creations,
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
        // A second handle on the listening socket, to stop the kernel
        // accepting for it before the server closes it.
        let drain = listener.try_clone().ok().map(Arc::new);
        let server = serve(listener, workers, app_state)?;
        let stopper = Stopper { handle: server.handle(), state: state.clone(), listener: drain };
        Ok(Self { address, server, state, background, stopper })
    }

    /// Stops the server when asked, as SIGTERM does.
    pub fn stopper(&self) -> Stopper {
        self.stopper.clone()
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Serves until SIGINT or SIGTERM (or [`Self::stopper`] stops it), then
    /// stops as [`Stopper`] says and stops the background work (see
    /// [`background::Background::stop`]).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let mut server = self.server;
        let result = tokio::select! {
            result = &mut server => result,
            () = shutdown_signal() => {
                tracing::info!("stopping: finishing the requests under way");
                // The server acts on the stop only while it is polled.
                let ((), result) = tokio::join!(self.stopper.stop(), server);
                result
            }
        };
        self.background.stop().await;
        drop(self.state);
        result
    }
}

/// The HTTP/1.1 server on `listener`: actix-web's app on actix-http's
/// connections, as `HttpServer` assembles them, each connection's output
/// passing through [`crate::http::connection::Problems`].
fn serve(listener: TcpListener, workers: usize, state: web::Data<AppState>) -> std::io::Result<Server> {
    use actix_service::{ServiceFactoryExt, fn_service, map_config};
    let address = listener.local_addr()?;
    let builder = actix_server::Server::build();
    let closing = builder.graceful_shutdown_signal();
    builder
        .workers(workers)
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
        .listen("broadside", listener, move || {
            let closing = closing.clone();
            let app = actix_service::IntoServiceFactory::into_factory(app(state.clone()))
                .map_err(|error: actix_web::Error| error.error_response());
            let http = actix_http::HttpService::build()
                // Idle keep-alive connections close when a shutdown begins.
                .graceful_shutdown_signal(move || {
                    let closing = closing.clone();
                    async move { closing.notified().await }
                })
                .keep_alive(actix_http::KeepAlive::Timeout(std::time::Duration::from_secs(5)))
                .client_request_timeout(std::time::Duration::from_secs(5))
                .client_disconnect_timeout(std::time::Duration::from_secs(1))
                .local_addr(address)
                .h1(map_config(app, |_| actix_web::dev::AppConfig::default()));
            fn_service(|stream: actix_rt::net::TcpStream| async move {
                let peer = stream.peer_addr().ok();
                Ok::<_, actix_http::error::DispatchError>((
                    crate::http::connection::Problems::new(stream),
                    peer,
                ))
            })
            .and_then(http)
        })
        .map(|builder| builder.run())
}

/// Resolves at the first SIGTERM or SIGINT.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; stopping on SIGINT only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
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
        .configure(routes::configure)
        .split_for_parts();
    crate::openapi::finish(&mut api);
    let routes = web::Data::new(methods::Routes::of(&api));
    app.app_data(routes)
        .service(web::redirect("/docs", "/docs/"))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .default_service(web::to(methods::unrouted))
        .wrap(from_fn(add_problem_instance))
        .wrap(Compress::default())
        .wrap(from_fn(caching::http_caching))
        .wrap(from_fn(methods::head_as_get))
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
