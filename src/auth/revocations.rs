//! Sign-ins that ended before their access tokens expire: signed out, or
//! revoked because a refresh token came back twice. Access tokens name
//! their sign-in (`sid`); a request with a token of an ended sign-in is
//! refused at once, without a database read. Each instance keeps the set in
//! memory for as long as a token of those sign-ins could still be valid;
//! the instance that ends a sign-in tells the others (see
//! [`crate::cluster`]), and an instance that may have missed their notices
//! reads the set back from the database.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use uuid::Uuid;

pub struct Revocations {
    /// Ended sign-ins, and until when a token of theirs could be valid.
    ended: RwLock<HashMap<Uuid, Instant>>,
    /// How long an access token lives, plus the leeway its `exp` is given.
    ttl: Duration,
}

impl Revocations {
    pub fn new(access_token_ttl: Duration) -> Self {
        Self { ended: RwLock::new(HashMap::new()), ttl: access_token_ttl + Duration::from_secs(10) }
    }

    /// `session` has ended: its access tokens stop working now.
    pub fn end(&self, session: Uuid) {
        let until = Instant::now() + self.ttl;
        if let Ok(mut ended) = self.ended.write() {
            ended.insert(session, until);
        }
    }

    /// Whether `session` has ended. A poisoned lock refuses, never admits.
    pub fn ended(&self, session: Uuid) -> bool {
        self.ended.read().map_or(true, |ended| ended.contains_key(&session))
    }

    /// Forgets sign-ins whose tokens have all expired by now.
    pub fn forget_expired(&self) {
        let now = Instant::now();
        if let Ok(mut ended) = self.ended.write() {
            ended.retain(|_, until| *until > now);
        }
    }

    pub fn len(&self) -> usize {
        self.ended.read().map_or(0, |ended| ended.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ended_session_stays_ended_while_its_tokens_live() {
        let revocations = Revocations::new(Duration::from_secs(900));
        let (one, other) = (Uuid::now_v7(), Uuid::now_v7());
        revocations.end(one);
        assert!(revocations.ended(one));
        assert!(!revocations.ended(other));
        revocations.forget_expired();
        assert!(revocations.ended(one), "its tokens may still be valid");

        let short = Revocations { ended: RwLock::new(HashMap::new()), ttl: Duration::ZERO };
        short.end(one);
        short.forget_expired();
        assert!(short.is_empty());
    }
}
