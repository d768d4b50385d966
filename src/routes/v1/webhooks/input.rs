//! The body of `POST` and `PATCH /v1/webhooks`, and its checks: a public
//! target, known event types and content types.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::DocumentKind;
use crate::domain::text;
use crate::error::{AppError, FieldError};
use crate::http::body::Body;
use crate::services::webhooks::{self, WebhookFields};
use crate::webhooks::sender::Sender;
use crate::webhooks::valid_pattern;

/// The writable fields of a subscription.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// Where events are POSTed: an `http` or `https` URL of a public host
    /// (private, loopback and link-local addresses are refused unless the
    /// operator allows their network).
    #[schema(example = "https://hooks.example.org/broadside")]
    pub url: String,
    /// What the subscription is for, up to 500 characters.
    #[serde(default)]
    #[schema(example = "Rebuild the static site")]
    pub description: Option<String>,
    /// Event types (`essay.published`), families (`essay.*`) or `*`. The
    /// types are `<essay|lyrics|event>.<created|updated|published|scheduled|
    /// unpublished|archived|deleted|restored|purged>`, `event.cancelled`, and
    /// `<person|tag>.<created|updated|deleted>` (with the public documents
    /// that show the person or tag, whose renderings change with it).
    #[schema(example = json!(["essay.published", "essay.unpublished", "event.cancelled"]))]
    pub event_types: Vec<String>,
    /// Only events about these content types (`essay`, `lyrics`, `event`):
    /// a person's or tag's event passes when a document of one of them
    /// shows it. All events when absent or null.
    #[serde(default)]
    #[schema(example = json!(["essay", "event"]))]
    pub content_types: Option<Vec<String>>,
    /// Deliveries are made only while enabled (default true). Enabling a
    /// subscription that was disabled for failing clears its reason.
    #[serde(default = "enabled_by_default")]
    #[schema(example = true)]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

impl Body for WebhookInput {
    const LIMIT: usize = 16 * 1024;
}

impl WebhookInput {
    pub fn of(webhook: &entity::webhook::Model) -> Self {
        Self {
            url: webhook.url.clone(),
            description: webhook.description.clone(),
            event_types: webhooks::event_types_of(webhook),
            content_types: webhooks::content_types_of(webhook),
            enabled: webhook.enabled,
        }
    }

    /// The fields, checked; a 422 naming every invalid one.
    pub fn fields(self, sender: &Sender) -> Result<WebhookFields, AppError> {
        let mut errors = Vec::new();
        match url::Url::parse(self.url.trim()) {
            _ if self.url.len() > 2000 => errors.push(FieldError::new("url", "at most 2000 characters")),
            _ if text::line(&self.url).is_err() => {
                errors.push(FieldError::new("url", "must be one line without control characters"));
            }
            Ok(url) if !matches!(url.scheme(), "http" | "https") || url.host().is_none() => {
                errors.push(FieldError::new("url", "must be an http or https URL with a host"));
            }
            Ok(url) => {
                if let Some(reason) = refused(sender, &url) {
                    errors.push(FieldError::new("url", reason));
                }
            }
            Err(e) => errors.push(FieldError::new("url", format!("not a URL: {e}"))),
        }
        let description = text::optional_line(self.description.as_deref(), 500).unwrap_or_else(|e| {
            errors.push(FieldError::new("description", e.to_string()));
            None
        });
        if self.event_types.is_empty() || self.event_types.len() > 50 {
            errors.push(FieldError::new("event_types", "name 1 to 50 event types"));
        }
        for (i, pattern) in self.event_types.iter().enumerate() {
            if !valid_pattern(pattern) {
                errors.push(FieldError::new(
                    format!("event_types[{i}]"),
                    format!("`{pattern}` is not an event type such as essay.published, a family such as essay.*, or *"),
                ));
            }
        }
        if let Some(kinds) = &self.content_types {
            if kinds.is_empty() {
                errors.push(FieldError::new("content_types", "name at least one, or leave it out for all"));
            }
            for (i, kind) in kinds.iter().enumerate() {
                if kind.parse::<DocumentKind>().is_err() {
                    errors.push(FieldError::new(
                        format!("content_types[{i}]"),
                        format!("`{kind}` is not essay, lyrics or event"),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(AppError::invalid_fields(errors));
        }
        let mut event_types = self.event_types;
        event_types.dedup();
        Ok(WebhookFields {
            url: self.url.trim().to_owned(),
            description,
            event_types,
            content_types: self.content_types,
            enabled: self.enabled,
        })
    }
}

/// Why `url` may not be a target: an address the sender refuses, or a
/// `localhost` name (which always resolves to loopback).
fn refused(sender: &Sender, url: &url::Url) -> Option<String> {
    if let Some(url::Host::Domain(host)) = url.host() {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if host == "localhost" || host.ends_with(".localhost") {
            let loopback = url::Url::parse("http://127.0.0.1/").ok()?;
            return sender.refuses(&loopback);
        }
    }
    sender.refuses(url)
}
