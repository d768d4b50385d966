//! Making one delivery attempt: a signed POST, with a whole-request
//! timeout, no redirects, only permitted addresses, and at most
//! [`MAX_RESPONSE_BYTES`] of the answer read.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::network::{self, Network};
use super::signing;
use super::{Claimed, Outcome};
use crate::config::WebhookSettings;

/// How much of a receiver's answer is read; the rest is dropped.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// How much of it the delivery log keeps.
pub const SNIPPET_CHARS: usize = 500;

/// Sends webhook requests. Cheap to clone.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allowed: Arc<[Network]>,
}

/// Resolves host names to the addresses a webhook may reach, and only
/// those: checking here, at connection time, leaves no gap between the
/// check and the connection for a name to start resolving elsewhere.
struct GuardedResolver {
    allowed: Arc<[Network]>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allowed = self.allowed.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refusal = None;
            let permitted: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match network::check(a.ip(), &allowed) {
                    Ok(()) => true,
                    Err(reason) => {
                        refusal = Some(reason);
                        false
                    }
                })
                .collect();
            if permitted.is_empty() {
                let reason = refusal.unwrap_or_else(|| "it has no addresses".into());
                return Err(format!("refused to connect to {host}: {reason}").into());
            }
            Ok(Box::new(permitted.into_iter()) as Addrs)
        })
    }
}

impl Sender {
    pub fn new(settings: &WebhookSettings) -> anyhow::Result<Self> {
        let allowed: Arc<[Network]> = settings.allowed_networks.clone().into();
        // The process's provider for any other rustls client, too: ring,
        // which sqlx is built with. Installed once; later calls find it.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        let tls =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()?
                .with_root_certificates(roots)
                .with_no_client_auth();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .dns_resolver(Arc::new(GuardedResolver { allowed: allowed.clone() }))
            // A proxy would resolve the target itself, past the guard.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(std::time::Duration::from_secs(5)))
            .pool_max_idle_per_host(4)
            .user_agent(concat!("Broadside-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client, allowed })
    }

    /// Whether `url` names a host that is an address webhooks may not reach
    /// (host names are checked when they are resolved, at each attempt).
    pub fn refuses(&self, url: &url::Url) -> Option<String> {
        let ip: IpAddr = match url.host()? {
            url::Host::Ipv4(ip) => ip.into(),
            url::Host::Ipv6(ip) => ip.into(),
            url::Host::Domain(_) => return None,
        };
        network::check(ip, &self.allowed).err()
    }

    /// One attempt at `claimed`: a fresh timestamp and signature each time,
    /// the same `webhook-id`.
    pub async fn attempt(&self, claimed: &Claimed) -> Outcome {
        let started_at = Utc::now();
        let clock = Instant::now();
        let outcome = |status_code: Option<i32>, error: Option<String>, snippet: Option<String>| Outcome {
            started_at,
            latency_ms: i32::try_from(clock.elapsed().as_millis()).unwrap_or(i32::MAX),
            status_code,
            error,
            response_snippet: snippet,
        };
        let url = match url::Url::parse(&claimed.url) {
            Ok(url) => url,
            Err(e) => return outcome(None, Some(format!("the URL is invalid: {e}")), None),
        };
        if let Some(reason) = self.refuses(&url) {
            return outcome(None, Some(format!("refused to connect: {reason}")), None);
        }
        let id = super::message_id(claimed.event.id);
        let timestamp = started_at.timestamp();
        let body = claimed.event.payload.clone();
        let mut signature = signing::sign(&claimed.secret, &id, timestamp, body.as_bytes());
        if let Some(previous) = &claimed.previous_secret {
            // During a rotation: a signature with each secret, so that a
            // receiver with either accepts it.
            signature.push(' ');
            signature.push_str(&signing::sign(previous, &id, timestamp, body.as_bytes()));
        }
        let request = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body);
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => return outcome(None, Some(describe(&error)), None),
        };
        let status = i32::from(response.status().as_u16());
        let mut read = Vec::new();
        // A slow or endless answer ends the attempt at the timeout; its
        // status already counts.
        while read.len() < MAX_RESPONSE_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => read.extend_from_slice(&chunk),
                Ok(None) | Err(_) => break,
            }
        }
        let snippet: String = String::from_utf8_lossy(&read).chars().take(SNIPPET_CHARS).collect();
        outcome(Some(status), None, (!snippet.is_empty()).then_some(snippet))
    }
}

/// A failed request in words: what kind of failure, and its innermost cause.
fn describe(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    format!("{kind}: {cause}")
}
