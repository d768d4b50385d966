//! Authentication as a typed handler parameter. `Caller` is anonymous when
//! no credentials are sent; credentials that are sent but bad are always
//! rejected with 401 and `WWW-Authenticate`, never treated as anonymous.
//!
//! Users send `Authorization: Bearer <access token>`; integrators send
//! `X-API-Key: <key>`. The caller is worked out once per request, whoever
//! asks first: request bodies ask before they are read (see
//! [`crate::http::body`]), so bad credentials are refused before the body.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::auth::Actor;
use crate::error::AppError;
use crate::services::{api_keys, sessions};
use crate::state::AppState;

/// The caller, if authenticated.
#[derive(Debug, Clone)]
pub struct Caller(pub Option<Actor>);

/// The caller of a request, once worked out.
type Resolved = Rc<tokio::sync::OnceCell<Caller>>;

impl Caller {
    /// The actor, or 401 when anonymous.
    pub fn required(self) -> Result<Actor, AppError> {
        self.0.ok_or_else(|| AppError::Unauthorized("this operation needs credentials".into()))
    }

    pub fn actor(&self) -> Option<&Actor> {
        self.0.as_ref()
    }

    /// The caller of `request`, worked out on the first call and kept.
    pub async fn resolve(request: &HttpRequest) -> Result<Self, AppError> {
        let resolved = {
            let mut extensions = request.extensions_mut();
            match extensions.get::<Resolved>() {
                Some(resolved) => resolved.clone(),
                None => {
                    let resolved = Resolved::default();
                    extensions.insert(resolved.clone());
                    resolved
                }
            }
        };
        resolved.get_or_try_init(|| authenticate(request)).await.cloned()
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move { Self::resolve(&request).await })
    }
}

async fn authenticate(request: &HttpRequest) -> Result<Caller, AppError> {
    let state = request
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))?;
    let invalid = |why: &str| AppError::Unauthorized(why.to_owned());
    let bearer = request.headers().get("authorization");
    let api_key = request.headers().get("x-api-key");
    match (bearer, api_key) {
        (None, None) => Ok(Caller(None)),
        (Some(_), Some(_)) => Err(invalid("send either a bearer token or an API key, not both")),
        (Some(header), None) => {
            let header = header.to_str().map_err(|_| invalid("malformed Authorization header"))?;
            let token = header
                .strip_prefix("Bearer ")
                .filter(|t| !t.is_empty())
                .ok_or_else(|| invalid("the Authorization header must be `Bearer <token>`"))?;
            let claims =
                state.jwt.verify(token).map_err(|_| invalid("the access token is invalid or expired"))?;
            // Signed out, or revoked: known at once from memory, on every
            // instance; only an instance that may have missed the others'
            // notices asks the database.
            let ended = state.revocations.ended(claims.sid)
                || (!state.cache.coherent() && sessions::family_revoked(&state.db, claims.sid).await?);
            if ended {
                return Err(invalid("this sign-in has ended; sign in again"));
            }
            let role = claims.role.parse().map_err(|_| invalid("the access token is invalid or expired"))?;
            Ok(Caller(Some(Actor::User { id: claims.sub, role })))
        }
        (None, Some(key)) => {
            let key = key.to_str().map_err(|_| invalid("malformed X-API-Key header"))?;
            match api_keys::authenticate(&state.db, key.trim()).await? {
                Some(actor) => Ok(Caller(Some(actor))),
                None => Err(invalid("the API key is unknown, expired or revoked")),
            }
        }
    }
}
