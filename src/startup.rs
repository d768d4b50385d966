//! Building the application: the database, the HTTP server bound to its
//! listener (port 0 in tests), the shared state handlers see.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use sea_orm::DatabaseConnection;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Settings;
use crate::error::{add_problem_instance, path_error, route_not_found};
use crate::openapi::ApiDoc;
use crate::services::seed::{self, DemoOutcome};
use crate::{database, routes, telemetry};

/// What every handler can reach.
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
}

pub struct Application {
    address: SocketAddr,
    server: Server,
}

impl Application {
    /// Connects, migrates, loads the demo content into an empty database when
    /// the settings ask for it, and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = database::connect(&settings.database).await.with_context(|| {
            format!("cannot open the database at {}", crate::config::redact_url(&settings.database.url))
        })?;
        database::migrate(&db).await.context("cannot apply the database migrations")?;
        if settings.seed_demo && seed::load_demo_if_empty(&db).await? == DemoOutcome::Loaded {
            tracing::info!("loaded the demo content into the empty database");
        }
        Self::build_with(settings, db)
    }

    /// Binds the listener and builds the server over an open database.
    pub fn build_with(settings: Settings, db: DatabaseConnection) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.listen)
            .with_context(|| format!("cannot listen on {} (BROADSIDE_LISTEN)", settings.listen))?;
        let address = listener.local_addr()?;
        let workers = settings.workers;
        let state = web::Data::new(AppState { db, settings: Arc::new(settings) });
        let server = HttpServer::new(move || app(state.clone())).workers(workers).listen(listener)?.run();
        Ok(Self { address, server })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests under way.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
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
    let (app, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(state)
        .app_data(web::PathConfig::default().error_handler(path_error))
        .configure(routes::configure)
        .split_for_parts();
    app.service(web::redirect("/docs", "/docs/"))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .default_service(web::to(route_not_found))
        .wrap(from_fn(add_problem_instance))
        .wrap(Compress::default())
        .wrap(from_fn(telemetry::log_request))
}
