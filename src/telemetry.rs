//! The tracing subscriber: human-readable lines on a terminal, JSON lines in
//! production. Every request is logged once with its request id.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber. Safe to call more than once (tests): later
/// calls keep the first subscriber.
pub fn init(settings: &LogSettings) {
    // The HTTP parser logs each malformed request a client sends as an
    // error ("stream error: request parse error"). They are the client's
    // errors, answered 400 or 431 (see `http::connection`): not ours to log,
    // unless the filter asks for actix-http by name.
    let mut directives = settings.filter.clone();
    if !directives.contains("actix_http") {
        directives.push_str(",actix_http::h1::dispatcher=off");
    }
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_span_events(FmtSpan::NONE);
    let _ = match settings.format {
        LogFormat::Pretty => builder.with_target(false).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
    };
}

/// Middleware: gives every request an id (the caller's `X-Request-Id` when it
/// is reasonable, else a new UUID), returns it in `X-Request-Id`, and logs
/// one line per request with method, path, status and latency.
pub async fn log_request(
    request: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::http::header::{HeaderName, HeaderValue};

    let started = std::time::Instant::now();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let method = request.method().clone();
    let path = request.path().to_owned();
    let mut response = next.call(request).await?;
    let status = response.status().as_u16();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(HeaderName::from_static("x-request-id"), value);
    }
    tracing::info!(
        request_id = %request_id,
        method = %method,
        path = %path,
        status,
        latency_us = started.elapsed().as_micros() as u64,
        "request"
    );
    Ok(response)
}
