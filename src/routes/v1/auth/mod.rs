//! `/v1/auth`: signing in for an access token and a refresh token, rotating
//! and revoking refresh tokens, and asking who one is.

mod dto;
mod logout;
mod me;
mod refresh;
mod token;

pub use dto::{Me, TokenPair};

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(token::create_token)
        .service(refresh::refresh_token)
        .service(logout::logout)
        .service(me::get_me);
}
