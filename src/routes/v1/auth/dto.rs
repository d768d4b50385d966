//! Request and response bodies of `/v1/auth`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Actor;
use crate::domain::text;
use crate::error::{AppError, FieldError};
use crate::http::body::Body;

/// Credentials for `POST /v1/auth/token`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    #[schema(example = "editor@example.org")]
    pub email: String,
    #[schema(example = "correct horse battery staple")]
    pub password: String,
}

impl Body for Credentials {
    const LIMIT: usize = 4 * 1024;
    const CREDENTIALS: bool = false;
}

impl Credentials {
    /// The email must be one line that could be an address; the password
    /// anything of at most 1,024 characters.
    pub fn check(&self) -> Result<(), AppError> {
        let mut errors = Vec::new();
        if let Err(e) = text::line(&self.email) {
            errors.push(FieldError::new("email", e.to_string()));
        } else if self.email.is_empty() || self.email.chars().count() > 320 {
            errors.push(FieldError::new("email", "1 to 320 characters"));
        }
        if self.password.chars().count() > 1024 {
            errors.push(FieldError::new("password", "at most 1024 characters"));
        }
        if errors.is_empty() { Ok(()) } else { Err(AppError::invalid_fields(errors)) }
    }
}

/// A refresh token, for `POST /v1/auth/refresh` and `POST /v1/auth/logout`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[schema(example = "bsr_9Xn2…")]
    pub refresh_token: String,
}

impl Body for RefreshRequest {
    const LIMIT: usize = 4 * 1024;
    const CREDENTIALS: bool = false;
}

/// An access token and the refresh token that renews it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiJ9…", "token_type": "Bearer", "expires_in": 900,
    "refresh_token": "bsr_9Xn2…"
}))]
pub struct TokenPair {
    /// A JWT to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Trade it at `POST /v1/auth/refresh` for a new pair; each refresh
    /// token works once.
    pub refresh_token: String,
}

/// The authenticated caller.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"kind": "user", "id": "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b", "email": "editor@example.org", "role": "editor"}))]
pub struct Me {
    /// `user` or `api_key`.
    pub kind: &'static str,
    pub id: Uuid,
    /// Users only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Users only: `admin`, `editor` or `author`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// API keys only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// API keys only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

impl Me {
    pub fn of(actor: &Actor, email: Option<String>) -> Self {
        match actor {
            Actor::User { id, role, .. } => Self {
                kind: "user",
                id: *id,
                email,
                role: Some(role.as_str().to_owned()),
                name: None,
                scopes: None,
            },
            Actor::ApiKey { id, name, scopes } => Self {
                kind: "api_key",
                id: *id,
                email: None,
                role: None,
                name: Some(name.clone()),
                scopes: Some(scopes.iter().map(|s| s.as_str().to_owned()).collect()),
            },
        }
    }
}
