//! Request and response bodies of `/v1/api-keys`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Scope;
use crate::error::{AppError, FieldError};
use crate::http::body::Body;
use crate::services::api_keys::scopes_of;

/// A key to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    /// What the key is for, 1 to 100 characters.
    #[schema(example = "static site build")]
    pub name: String,
    /// `content:read` (drafts and revisions) and/or `content:write`.
    #[schema(example = json!(["content:read"]))]
    pub scopes: Vec<String>,
    /// When the key stops working; never, if absent.
    #[schema(example = "2027-11-24T00:00:00Z")]
    pub expires_at: Option<DateTime<Utc>>,
}

impl Body for NewApiKey {
    const LIMIT: usize = 4 * 1024;
}

impl NewApiKey {
    /// The name and scopes, or a 422 naming every invalid field.
    pub fn validate(&self) -> Result<(String, Vec<Scope>), AppError> {
        let mut errors = Vec::new();
        let name = crate::domain::text::required_line(&self.name, 100).unwrap_or_else(|e| {
            errors.push(FieldError::new("name", e.to_string()));
            String::new()
        });
        let mut scopes = Vec::new();
        for (i, scope) in self.scopes.iter().enumerate() {
            match scope.parse::<Scope>() {
                Ok(scope) if !scopes.contains(&scope) => scopes.push(scope),
                Ok(_) => {}
                Err(e) => errors.push(FieldError::new(format!("scopes[{i}]"), e.to_string())),
            }
        }
        if self.scopes.is_empty() {
            errors.push(FieldError::new("scopes", "name at least one scope"));
        }
        if self.expires_at.is_some_and(|at| at <= Utc::now()) {
            errors.push(FieldError::new("expires_at", "must be in the future"));
        }
        if errors.is_empty() { Ok((name.to_owned(), scopes)) } else { Err(AppError::invalid_fields(errors)) }
    }
}

/// A key as listed: never the key itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKey {
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6f")]
    pub id: Uuid,
    #[schema(example = "static site build")]
    pub name: String,
    /// The first characters of the key, to recognise it.
    #[schema(example = "bsk_Q2xhc3Mg")]
    pub prefix: String,
    #[schema(example = json!(["content:read"]))]
    pub scopes: Vec<String>,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub created_at: DateTime<Utc>,
    #[schema(example = json!(null))]
    pub last_used_at: Option<DateTime<Utc>>,
    #[schema(example = json!(null))]
    pub expires_at: Option<DateTime<Utc>>,
    #[schema(example = json!(null))]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<&entity::api_key::Model> for ApiKey {
    fn from(k: &entity::api_key::Model) -> Self {
        Self {
            id: k.id,
            name: k.name.clone(),
            prefix: k.prefix.clone(),
            scopes: scopes_of(k).iter().map(|s| s.as_str().to_owned()).collect(),
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            expires_at: k.expires_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A key just created, with the secret: shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub api_key: ApiKey,
    /// Send as `X-API-Key`. Store it now: it is never shown again.
    #[schema(example = "bsk_Q2xhc3Mgc3RydWdnbGUgaXMgdGhlIG1vdG9yIG9mIGhpc3Rvcnk")]
    pub key: String,
}

/// All API keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    pub data: Vec<ApiKey>,
}
