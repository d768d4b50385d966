//! `/v1/changes/stream`: the change feed of `/v1/sync`, live, as
//! Server-Sent Events. Each event's `id:` is the sync cursor after it, so a
//! client that reconnects with `Last-Event-ID` (browsers do it on their own)
//! misses nothing, and one that has synced can go live from its cursor.

use std::time::Duration;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::sync::{Change, changes_after, decode, stream_visibility};
use crate::domain::Visibility;
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, Forbidden, ServerError, Unauthorized};
use crate::services::changes;
use crate::state::AppState;

/// How often the stream looks at the log even when this process has not
/// seen a write: writes by other processes on the same database.
const POLL: Duration = Duration::from_secs(1);

/// Parameters of `GET /v1/changes/stream`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// Start after this sync cursor (a `next_cursor`, or an event's `id`).
    /// `Last-Event-ID` takes precedence. Neither: only changes from now on.
    #[param(example = "c2VxOjQy")]
    pub cursor: Option<String>,
    /// `true`: drafts, scheduled and archived documents too (authenticated
    /// callers with `content:read`).
    #[param(example = false)]
    pub preview: Option<bool>,
}

/// Where a stream is and what it still has to send.
struct Feed {
    state: web::Data<AppState>,
    visibility: Visibility,
    after: i64,
    pending: std::collections::VecDeque<Change>,
    changed: tokio::sync::watch::Receiver<u64>,
    /// Set when the process begins to shut down: the stream ends at once,
    /// cleanly, and the client reconnects (to another instance, or to this
    /// one restarted) with `Last-Event-ID`.
    stopping: tokio::sync::watch::Receiver<bool>,
    started: bool,
}

fn event(change: &Change) -> Bytes {
    let data = serde_json::to_string(change).unwrap_or_else(|_| "{}".to_owned());
    Bytes::from(format!("id: {}\nevent: change\ndata: {data}\n\n", change.cursor))
}

impl Feed {
    fn new(state: web::Data<AppState>, visibility: Visibility, after: i64) -> Self {
        let (changed, stopping) = (state.changes.subscribe(), state.stopping.subscribe());
        Self { state, visibility, after, pending: Default::default(), changed, stopping, started: false }
    }

    /// The next bytes to send: an event, or a heartbeat after a quiet
    /// spell; `None` when the stream ends because the process is stopping.
    async fn next(&mut self) -> Result<Option<Bytes>, AppError> {
        if *self.stopping.borrow() {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            return Ok(Some(Bytes::from_static(b"retry: 2000\n: connected\n\n")));
        }
        let quiet_since = tokio::time::Instant::now();
        loop {
            if let Some(change) = self.next_change().await? {
                return Ok(Some(event(&change)));
            }
            let until_heartbeat = self.state.settings.stream_heartbeat.saturating_sub(quiet_since.elapsed());
            if until_heartbeat.is_zero() {
                return Ok(Some(Bytes::from_static(b": heartbeat\n\n")));
            }
            if !self.wait(until_heartbeat.min(POLL)).await {
                return Ok(None);
            }
        }
    }

    /// The next change the caller may see, if there is one yet.
    async fn next_change(&mut self) -> Result<Option<Change>, AppError> {
        if self.pending.is_empty() {
            let (page, last, _) = changes_after(&self.state, Some(self.after), 100, self.visibility).await?;
            self.after = last;
            self.pending.extend(page);
        }
        Ok(self.pending.pop_front())
    }

    /// Waits at most `limit` for a write: a write in this process wakes the
    /// stream at once, the caller's poll catches writes made elsewhere.
    /// `false` when the process begins to stop.
    async fn wait(&mut self, limit: std::time::Duration) -> bool {
        tokio::select! {
            _ = tokio::time::timeout(limit, self.changed.changed()) => true,
            _ = self.stopping.wait_for(|stopping| *stopping) => false,
        }
    }

    /// The response body: events until the process stops or a read fails.
    fn into_body(self) -> impl futures_util::Stream<Item = Result<Bytes, actix_web::Error>> {
        futures_util::stream::unfold(self, |mut feed| async move {
            match feed.next().await {
                Ok(Some(bytes)) => Some((Ok(bytes), feed)),
                Ok(None) => None,
                Err(error) => {
                    tracing::warn!(%error, "a change stream ended on an error");
                    None
                }
            }
        })
    }
}

/// Where a stream starts: after `Last-Event-ID`, else after `cursor`, else
/// at the newest change.
async fn start(state: &AppState, request: &HttpRequest, cursor: Option<&str>) -> Result<i64, AppError> {
    let last_event = match request.headers().get("last-event-id") {
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| AppError::bad_parameter("Last-Event-ID", "not a cursor from this stream"))?,
        ),
        None => None,
    };
    match last_event.or(cursor) {
        Some(cursor) => decode(cursor),
        None => Ok(changes::head(&state.db).await?),
    }
}

/// Stream changes live
///
/// Server-Sent Events (`text/event-stream`) carrying the change records of
/// `GET /v1/sync` as they are written: `event: change`, `id:` the cursor
/// after the change, `data:` the record. Resume with `Last-Event-ID` (or
/// `cursor`) and nothing is missed; comments are sent as heartbeats while
/// nothing changes. Drafts appear only in a preview stream.
#[utoipa::path(
    tag = "sync",
    operation_id = "stream_changes",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        StreamParams,
        ("Last-Event-ID" = Option<String>, Header, description = "The `id` of the last event received, to resume after it.", example = "c2VxOjQy"),
    ),
    responses(
        (status = 200, description = "An endless stream of change events.", content_type = "text/event-stream", body = String,
            example = json!("id: c2VxOjQz\nevent: change\ndata: {\"cursor\":\"c2VxOjQz\",\"op\":\"delete\",\"type\":\"essay\",\"id\":\"0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b\"}\n\n")),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 500, response = ServerError),
    )
)]
#[get("/changes/stream")]
pub async fn stream_changes(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    Query(params): Query<StreamParams>,
) -> Result<HttpResponse, AppError> {
    let visibility = stream_visibility(&caller, params.preview == Some(true))?;
    let after = start(&state, &request, params.cursor.as_deref()).await?;
    let body = Feed::new(state, visibility, after).into_body();
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // Events must leave as they are written, never held by a compressor.
        .insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("identity")))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(body))
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config.service(stream_changes);
}
