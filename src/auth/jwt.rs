//! Short-lived access tokens: HS256 JWTs whose validation pins the
//! algorithm and checks `exp`, `nbf`, `iss` and `aud`. Each names the
//! sign-in it belongs to (`sid`), so that signing out, or a stolen refresh
//! token coming back, ends it at once (see [`super::revocations`]). Keys
//! are built once.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Role;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user's id.
    pub sub: Uuid,
    pub role: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    /// Not valid before this (the moment it was issued).
    pub nbf: i64,
    pub exp: i64,
    /// Unique per token.
    pub jti: Uuid,
    /// The sign-in (the family of refresh tokens) the token belongs to.
    pub sid: Uuid,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, audience: &str, ttl_seconds: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl_seconds,
        }
    }

    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    /// A signed access token for `user`, in the sign-in `session`.
    pub fn issue(
        &self,
        user: Uuid,
        role: Role,
        session: Uuid,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = Utc::now().timestamp();
        self.sign(&Claims {
            sub: user,
            role: role.as_str().to_owned(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            nbf: now,
            exp: now + self.ttl_seconds,
            jti: Uuid::now_v7(),
            sid: session,
        })
    }

    fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// The claims of a token this server signed and that is still valid.
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        decode::<Claims>(token, &self.decoding, &self.validation).map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn keys(secret: &[u8]) -> JwtKeys {
        JwtKeys::new(secret, "broadside", "broadside-api", 900)
    }

    #[test]
    fn a_token_round_trips() {
        let keys = keys(b"0123456789abcdef0123456789abcdef");
        let user = Uuid::now_v7();
        let token = keys.issue(user, Role::Editor, Uuid::now_v7()).unwrap_or_default();
        let claims = keys.verify(&token).map_err(|e| e.to_string());
        assert_eq!(claims.map(|c| (c.sub, c.role)), Ok((user, "editor".to_owned())));
    }

    #[test]
    fn forged_expired_and_foreign_tokens_fail() {
        let keys = keys(b"0123456789abcdef0123456789abcdef");
        let other = keys_with_audience(b"0123456789abcdef0123456789abcdef", "someone-else");
        let token = keys.issue(Uuid::now_v7(), Role::Admin, Uuid::now_v7()).unwrap_or_default();
        assert!(keys_with_secret(b"another secret, 32 bytes long!!!").verify(&token).is_err(), "wrong key");
        assert!(other.verify(&token).is_err(), "wrong audience");

        // alg: none, with the same claims.
        let mut parts = token.split('.');
        let (_, payload) = (parts.next(), parts.next().unwrap_or_default());
        let none = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#));
        assert!(keys.verify(&none).is_err(), "alg none");

        let expired = JwtKeys::new(b"0123456789abcdef0123456789abcdef", "broadside", "broadside-api", -60);
        let old = expired.issue(Uuid::now_v7(), Role::Admin, Uuid::now_v7()).unwrap_or_default();
        assert!(keys.verify(&old).is_err(), "expired");

        // Signed with the right key, but not valid for another minute.
        let mut claims = keys.verify(&token).unwrap_or_else(|e| panic!("{e}"));
        claims.nbf = Utc::now().timestamp() + 60;
        let early = keys.sign(&claims).unwrap_or_default();
        assert!(keys.verify(&early).is_err(), "not yet valid");

        // A token without a sign-in is not one of ours.
        let mut value = serde_json::to_value(&claims).unwrap_or_default();
        value["nbf"] = serde_json::json!(Utc::now().timestamp());
        if let Some(object) = value.as_object_mut() {
            object.remove("sid");
        }
        let no_session = encode(
            &Header::new(Algorithm::HS256),
            &value,
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap_or_default();
        assert!(keys.verify(&no_session).is_err(), "no sid");
    }

    fn keys_with_secret(secret: &[u8]) -> JwtKeys {
        keys(secret)
    }

    fn keys_with_audience(secret: &[u8], audience: &str) -> JwtKeys {
        JwtKeys::new(secret, "broadside", audience, 900)
    }
}
