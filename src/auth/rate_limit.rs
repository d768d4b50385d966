//! Brute-force protection for signing in: attempts are limited per client
//! address and per account, in memory, per process.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

pub struct LoginLimiter {
    by_address: Keyed<IpAddr>,
    by_account: Keyed<String>,
    clock: DefaultClock,
}

impl LoginLimiter {
    /// `per_minute` attempts from one address, and as many against one account.
    pub fn new(per_minute: NonZeroU32) -> Self {
        let quota = Quota::per_minute(per_minute);
        Self {
            by_address: RateLimiter::keyed(quota),
            by_account: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// `Err(wait)` when this attempt is one too many.
    pub fn check(&self, address: IpAddr, account: &str) -> Result<(), Duration> {
        let now = self.clock.now();
        self.by_address.check_key(&address).map_err(|not_until| not_until.wait_time_from(now))?;
        self.by_account.check_key(&account.to_lowercase()).map_err(|not_until| not_until.wait_time_from(now))
    }

    /// Forgets keys whose limits have fully recovered, so memory stays bounded.
    pub fn forget_idle(&self) {
        self.by_address.retain_recent();
        self.by_account.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attempt_after_the_quota_must_wait() {
        let limiter = LoginLimiter::new(NonZeroU32::MIN.saturating_add(2));
        let here: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..3 {
            assert!(limiter.check(here, "a@example.org").is_ok());
        }
        assert!(limiter.check(here, "b@example.org").is_err(), "the address is limited");
        let elsewhere: IpAddr = [127, 0, 0, 2].into();
        assert!(limiter.check(elsewhere, "A@example.org").is_err(), "the account is limited");
        assert!(limiter.check(elsewhere, "c@example.org").is_ok());
    }
}
