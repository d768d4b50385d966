//! Who is calling and what they may do: users with roles (signing in with a
//! password for a short-lived JWT and a rotating refresh token) and API keys
//! with scopes.

pub mod jwt;
pub mod passwords;
pub mod policy;
pub mod rate_limit;
pub mod revocations;
pub mod secrets;

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::domain::{Invalid, Visibility};

/// Does a request with `headers` carry credentials? Then what it is shown
/// is private.
pub fn has_credentials(headers: &actix_web::http::header::HeaderMap) -> bool {
    headers.contains_key(actix_web::http::header::AUTHORIZATION) || headers.contains_key("x-api-key")
}

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything, including users and API keys.
    Admin,
    /// All content, including publishing.
    Editor,
    /// Creates content; edits and deletes only their own drafts; cannot publish.
    Author,
}

impl Role {
    pub const ALL: [Self; 3] = [Self::Admin, Self::Editor, Self::Author];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Author => "author",
        }
    }
}

impl FromStr for Role {
    type Err = Invalid;

    fn from_str(value: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == value)
            .ok_or_else(|| Invalid::new(format!("`{value}` is not one of admin, editor, author")))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Read drafts, scheduled and archived documents, and revisions.
    ContentRead,
    /// Create, change, publish and delete content (implies `content:read`).
    ContentWrite,
}

impl Scope {
    pub const ALL: [Self; 2] = [Self::ContentRead, Self::ContentWrite];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContentRead => "content:read",
            Self::ContentWrite => "content:write",
        }
    }
}

impl FromStr for Scope {
    type Err = Invalid;

    fn from_str(value: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| Invalid::new(format!("`{value}` is not one of content:read, content:write")))
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User { id: Uuid, role: Role },
    ApiKey { id: Uuid, name: String, scopes: Vec<Scope> },
}

impl Actor {
    fn has_scope(&self, scope: Scope) -> bool {
        matches!(self, Self::ApiKey { scopes, .. } if scopes.contains(&scope))
    }

    fn role(&self) -> Option<Role> {
        match self {
            Self::User { role, .. } => Some(*role),
            Self::ApiKey { .. } => None,
        }
    }

    /// Drafts, scheduled and archived documents, and revisions (for
    /// authors, of their own documents only: see [`Self::visibility`]).
    pub fn can_read_unpublished(&self) -> bool {
        self.role().is_some() || self.has_scope(Scope::ContentRead) || self.has_scope(Scope::ContentWrite)
    }

    /// What this caller sees of the documents that are not public: all of
    /// them, but an author only their own.
    pub fn visibility(&self) -> Visibility {
        match self {
            Self::User { id, role: Role::Author } => Visibility::Author(*id),
            _ if self.can_read_unpublished() => Visibility::Staff,
            _ => Visibility::Public,
        }
    }

    /// Creating documents (authors included).
    pub fn can_create(&self) -> bool {
        self.role().is_some() || self.has_scope(Scope::ContentWrite)
    }

    /// Changing any document, publishing, and purging nothing.
    pub fn can_edit_any(&self) -> bool {
        matches!(self.role(), Some(Role::Admin | Role::Editor)) || self.has_scope(Scope::ContentWrite)
    }

    pub fn is_admin(&self) -> bool {
        self.role() == Some(Role::Admin)
    }

    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Self::User { id, .. } => Some(*id),
            Self::ApiKey { .. } => None,
        }
    }

    /// `user` or `api_key`, for revisions.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::User { .. } => "user",
            Self::ApiKey { .. } => "api_key",
        }
    }

    pub fn id(&self) -> Uuid {
        match self {
            Self::User { id, .. } | Self::ApiKey { id, .. } => *id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> Actor {
        Actor::User { id: Uuid::now_v7(), role }
    }

    fn key(scopes: &[Scope]) -> Actor {
        Actor::ApiKey { id: Uuid::now_v7(), name: "ci".into(), scopes: scopes.to_vec() }
    }

    #[test]
    fn roles_and_scopes_grant_what_they_say() {
        assert!(user(Role::Author).can_create() && !user(Role::Author).can_edit_any());
        assert!(user(Role::Editor).can_edit_any() && !user(Role::Editor).is_admin());
        assert!(user(Role::Admin).is_admin());
        assert!(key(&[Scope::ContentRead]).can_read_unpublished());
        assert!(!key(&[Scope::ContentRead]).can_create());
        assert!(key(&[Scope::ContentWrite]).can_edit_any());
        assert!(!key(&[]).can_read_unpublished());
        assert!(!key(&[Scope::ContentWrite]).is_admin());
    }
}
