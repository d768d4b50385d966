//! Random secrets (refresh tokens, API keys) and how they are stored: only a
//! SHA-256 digest ever reaches the database.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A new secret: `prefix` followed by 256 random bits, base64url.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a secret: SHA-256, hex. A fast hash is right here:
/// the secret has 256 bits of entropy, unlike a password.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_and_digests_stable() {
        let a = generate("bsk_");
        let b = generate("bsk_");
        assert_ne!(a, b);
        assert!(a.starts_with("bsk_") && a.len() > 40);
        assert_eq!(digest(&a), digest(&a));
        assert_eq!(digest(&a).len(), 64);
    }
}
