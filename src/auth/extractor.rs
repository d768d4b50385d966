//! Authentication as a typed handler parameter. `Caller` is anonymous when
//! no credentials are sent; credentials that are sent but bad are always
//! rejected with 401 and `WWW-Authenticate`, never treated as anonymous.
//!
//! Users send `Authorization: Bearer <access token>`; integrators send
//! `X-API-Key: <key>`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use super::Actor;
use crate::error::AppError;
use crate::services::api_keys;
use crate::startup::AppState;

/// The caller, if authenticated.
#[derive(Debug, Clone)]
pub struct Caller(pub Option<Actor>);

impl Caller {
    /// The actor, or 401 when anonymous.
    pub fn required(self) -> Result<Actor, AppError> {
        self.0.ok_or_else(|| AppError::Unauthorized("this operation needs credentials".into()))
    }

    pub fn actor(&self) -> Option<&Actor> {
        self.0.as_ref()
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = request.app_data::<web::Data<AppState>>().cloned();
        let bearer = request.headers().get("authorization").map(|v| v.to_str().map(str::to_owned));
        let api_key = request.headers().get("x-api-key").map(|v| v.to_str().map(str::to_owned));
        Box::pin(async move {
            let state =
                state.ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))?;
            let invalid = |why: &str| AppError::Unauthorized(why.to_owned());
            match (bearer, api_key) {
                (None, None) => Ok(Caller(None)),
                (Some(_), Some(_)) => Err(invalid("send either a bearer token or an API key, not both")),
                (Some(header), None) => {
                    let header = header.map_err(|_| invalid("malformed Authorization header"))?;
                    let token = header
                        .strip_prefix("Bearer ")
                        .filter(|t| !t.is_empty())
                        .ok_or_else(|| invalid("the Authorization header must be `Bearer <token>`"))?;
                    let claims = state
                        .jwt
                        .verify(token)
                        .map_err(|_| invalid("the access token is invalid or expired"))?;
                    let role =
                        claims.role.parse().map_err(|_| invalid("the access token is invalid or expired"))?;
                    let email = claims.sub.to_string();
                    Ok(Caller(Some(Actor::User { id: claims.sub, email, role })))
                }
                (None, Some(key)) => {
                    let key = key.map_err(|_| invalid("malformed X-API-Key header"))?;
                    match api_keys::authenticate(&state.db, key.trim()).await? {
                        Some(actor) => Ok(Caller(Some(actor))),
                        None => Err(invalid("the API key is unknown, expired or revoked")),
                    }
                }
            }
        })
    }
}
