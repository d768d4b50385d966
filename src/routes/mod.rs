//! The HTTP surface: operational endpoints at the root, the API under `/v1`.
//! Routes and the OpenAPI document are registered together, so nothing is
//! routed undocumented.

pub mod health;
pub mod responses;
pub mod v1;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config.service(health::healthz).service(health::readyz).configure(v1::configure);
}
