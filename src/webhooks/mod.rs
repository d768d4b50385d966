//! Webhooks: content events delivered to integrators' URLs, signed per the
//! Standard Webhooks specification, retried with backoff, logged attempt by
//! attempt.
//!
//! An event is written to the outbox (`webhook_events`, with one
//! `webhook_deliveries` row per matching subscription) in the transaction
//! of the change that causes it, so a committed change never loses its
//! event. Delivery workers on every instance claim due deliveries through
//! the database ([`crate::services::webhooks::claim`]), so each is attempted
//! by one instance at a time, and a crash mid-attempt only delays it.

pub mod network;
pub mod sender;
pub mod signing;

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{webhook_delivery, webhook_event};

use crate::config::WebhookSettings;
use crate::domain::DocumentKind;

/// A delivery claimed for an attempt, with what the attempt needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: webhook_delivery::Model,
    pub event: webhook_event::Model,
    pub url: String,
    pub secret: String,
    /// A secret being rotated out, which signs too.
    pub previous_secret: Option<String>,
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub started_at: DateTime<Utc>,
    pub latency_ms: i32,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub response_snippet: Option<String>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|s| (200..300).contains(&s))
    }

    /// A line saying what went wrong, for logs and disabled subscriptions.
    pub fn failure(&self) -> String {
        match (self.status_code, &self.error) {
            (Some(code), _) => format!("HTTP {code}"),
            (None, Some(error)) => error.clone(),
            (None, None) => "no answer".into(),
        }
    }
}

/// The `webhook-id` of an event: the same on every attempt and replay, so
/// receivers can tell a repeat from a new event.
pub fn message_id(event_id: uuid::Uuid) -> String {
    format!("msg_{}", event_id.simple())
}

/// What can happen to a document of any type.
pub const ACTIONS: [&str; 9] = [
    "created",
    "updated",
    "published",
    "scheduled",
    "unpublished",
    "archived",
    "deleted",
    "restored",
    "purged",
];

/// The event a test delivery carries; sent only by `POST /v1/webhooks/{id}/test`.
pub const TEST_EVENT: &str = "webhook.test";

/// What is shared by documents: a change to one changes every document
/// that shows it.
pub const CATALOG: [&str; 2] = ["person", "tag"];

/// What can happen to a person or tag.
pub const CATALOG_ACTIONS: [&str; 3] = ["created", "updated", "deleted"];

/// Every event type a subscription can name.
pub fn event_types() -> Vec<String> {
    let mut types: Vec<String> =
        DocumentKind::ALL.iter().flat_map(|t| ACTIONS.iter().map(move |a| format!("{t}.{a}"))).collect();
    types.push("event.cancelled".into());
    types.extend(CATALOG.iter().flat_map(|t| CATALOG_ACTIONS.iter().map(move |a| format!("{t}.{a}"))));
    types
}

/// Whether `pattern` is an event type, `<type>.*` or `*`.
pub fn valid_pattern(pattern: &str) -> bool {
    pattern == "*"
        || pattern
            .strip_suffix(".*")
            .is_some_and(|t| t.parse::<DocumentKind>().is_ok() || CATALOG.contains(&t))
        || event_types().iter().any(|t| t == pattern)
}

/// Whether an event of type `event_type` matches `pattern`.
pub fn matches(pattern: &str, event_type: &str) -> bool {
    pattern == "*"
        || pattern == event_type
        || pattern
            .strip_suffix('*')
            .is_some_and(|prefix| prefix.ends_with('.') && event_type.starts_with(prefix))
}

/// The event a revision action causes: `publish` of an essay is
/// `essay.published`.
pub fn event_type(kind: &str, action: &str) -> String {
    let past = match action {
        "create" => "created",
        "update" => "updated",
        "publish" => "published",
        "schedule" => "scheduled",
        "unpublish" => "unpublished",
        "archive" => "archived",
        "delete" => "deleted",
        "restore" => "restored",
        "purge" => "purged",
        // `update`, and `revert` to an earlier revision.
        _ => "updated",
    };
    format!("{kind}.{past}")
}

/// The wait before attempt `failed + 1`, after `failed` failed attempts:
/// `base · 2^(failed-1)`, capped, with "equal jitter" (half fixed, half
/// random) so that receivers coming back up are not hit by every sender
/// at the same instant.
pub fn backoff(settings: &WebhookSettings, failed: i32) -> Duration {
    let exponent = u32::try_from(failed.saturating_sub(1)).unwrap_or(0).min(30);
    let wait = settings.retry_base.saturating_mul(1u32 << exponent).min(settings.retry_max);
    let half = wait / 2;
    half + half.mul_f64(rand::random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> WebhookSettings {
        WebhookSettings {
            enabled: true,
            timeout: Duration::from_secs(10),
            max_attempts: 12,
            retry_base: Duration::from_secs(5),
            retry_max: Duration::from_secs(3600),
            disable_after: 5,
            concurrency: 8,
            poll_interval: Duration::from_secs(1),
            retention_days: 30,
            allowed_networks: vec![],
        }
    }

    #[test]
    fn backoff_doubles_from_the_base_with_jitter_up_to_the_cap() {
        let settings = settings();
        for failed in 1..=20 {
            let full = Duration::from_secs(5 * (1u64 << (failed - 1).min(30))).min(Duration::from_secs(3600));
            for _ in 0..20 {
                let wait = backoff(&settings, failed);
                assert!(wait >= full / 2 && wait <= full, "attempt {failed}: {wait:?} vs {full:?}");
            }
        }
    }

    #[test]
    fn patterns_match_types_families_and_everything() {
        assert!(matches("essay.published", "essay.published"));
        assert!(matches("essay.*", "essay.deleted"));
        assert!(matches("*", "event.cancelled"));
        assert!(!matches("essay.*", "event.published"));
        assert!(!matches("essay.published", "essay.unpublished"));
        assert!(!matches("ess*", "essay.published"));
        for valid in [
            "essay.published",
            "lyrics.deleted",
            "event.cancelled",
            "event.*",
            "*",
            "person.updated",
            "tag.*",
        ] {
            assert!(valid_pattern(valid), "{valid}");
        }
        for invalid in [
            "essay",
            "essay.cancelled",
            "song.published",
            "*.published",
            "webhook.test",
            "",
            "person.published",
        ] {
            assert!(!valid_pattern(invalid), "{invalid}");
        }
        assert_eq!(event_type("lyrics", "delete"), "lyrics.deleted");
        assert_eq!(event_type("essay", "revert"), "essay.updated");
    }
}
