//! `/v1/webhooks`: subscriptions to content events, their delivery logs,
//! replays and test deliveries. Admins only.

mod deliveries;
mod dto;
mod input;
mod subscriptions;

use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::policy;
use crate::error::AppError;
use crate::http::caller::Caller;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(subscriptions::create_webhook)
        .service(subscriptions::list_webhooks)
        .service(deliveries::replay_delivery)
        .service(subscriptions::get_webhook)
        .service(subscriptions::update_webhook)
        .service(subscriptions::delete_webhook)
        .service(subscriptions::rotate_webhook_secret)
        .service(deliveries::list_deliveries)
        .service(deliveries::test_webhook);
}

/// Webhooks are for admins only.
fn require_admin(caller: Caller) -> Result<crate::auth::Actor, AppError> {
    Ok(policy::admin(caller.0, "webhooks")?)
}

/// The id in a path, or a 400.
fn path_id(raw: &str, name: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::try_parse(raw).map_err(|_| AppError::bad_parameter(name, "not a UUID"))
}
