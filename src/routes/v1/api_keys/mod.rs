//! `/v1/api-keys`: keys for integrators, managed by admins.

mod create;
mod delete;
mod dto;
mod list;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config.service(create::create_api_key).service(list::list_api_keys).service(delete::delete_api_key);
}

use crate::auth::policy;
use crate::error::AppError;
use crate::http::caller::Caller;

/// API keys are for admins only.
fn require_admin(caller: Caller) -> Result<crate::auth::Actor, AppError> {
    Ok(policy::admin(caller.0, "API keys")?)
}
