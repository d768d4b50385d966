//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::database;
use crate::error::AppError;
use crate::state::AppState;

/// The state of the process or of its dependencies.
#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
    /// The database backend in use (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "sqlite")]
    pub database: Option<&'static str>,
}

/// Liveness
///
/// Answers 200 while the process is up, without touching the database.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_liveness",
    responses((status = 200, description = "The process is up.", body = Health,
        example = json!({"status": "ok"})))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(Health { status: "ok", database: None })
}

/// Readiness
///
/// Answers 200 when the database answers a query, 503 otherwise.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_readiness",
    responses(
        (status = 200, description = "Ready to serve.", body = Health,
            example = json!({"status": "ok", "database": "sqlite"})),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    database::ping(&state.db).await.map_err(|error| {
        tracing::warn!(%error, "readiness check failed");
        AppError::Unavailable("the database is unreachable".into())
    })?;
    let body = Health { status: "ok", database: Some(database::backend_name(&state.db)) };
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(body))
}
