//! The HTTP/1.1 parser answers a request it cannot parse (conflicting or
//! malformed lengths, bad header syntax, a bad request line: `400`; too
//! many or too large headers: `431`) itself, before the application sees a
//! request, with an empty body and the connection closed. Every other
//! refusal of the API is problem+json; so that these are too, each
//! connection's outgoing bytes pass through [`Problems`], which recognises
//! such an answer (the application never sends a `400` or `431` without a
//! body) and writes the same status and headers with a problem document.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use actix_web::web::{Buf, Bytes};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose parser refusals leave as problem+json.
pub struct Problems<T> {
    io: T,
    /// What is left to write of a rewritten refusal.
    pending: Option<Bytes>,
}

impl<T> Problems<T> {
    pub fn new(io: T) -> Self {
        Self { io, pending: None }
    }
}

/// The refusals the parser writes, and what they mean.
const REFUSALS: [(&str, &str); 2] = [
    (
        "400 Bad Request",
        "the request is not valid HTTP/1.1: its request line or a header is malformed, or its body's \
         length is given twice or in ways that conflict",
    ),
    ("431 Request Header Fields Too Large", "the request has too many headers, or headers too large"),
];

/// `written` with the parser's empty refusal at its end (if that is what it
/// ends with) given a problem+json body.
fn rewrite(written: &[u8]) -> Option<Bytes> {
    if !written.ends_with(b"\r\n\r\n") {
        return None;
    }
    // A refusal is a status line and three short headers: it is in the last
    // few hundred bytes, or it is not there.
    let tail_at = written.len().saturating_sub(512);
    for version in ["HTTP/1.1 ", "HTTP/1.0 "] {
        for (status, detail) in REFUSALS {
            let line = format!("{version}{status}\r\n");
            let Some(start) = find_last(&written[tail_at..], line.as_bytes()).map(|at| tail_at + at) else {
                continue;
            };
            let Ok(head) = std::str::from_utf8(&written[start + line.len()..written.len() - 2]) else {
                continue;
            };
            let headers: Vec<&str> = head.split_terminator("\r\n").collect();
            let empty = headers.iter().any(|h| h.eq_ignore_ascii_case("content-length: 0"));
            if !empty || headers.iter().any(|h| h.is_empty() || !h.contains(": ")) {
                continue;
            }
            let (code, title) = status.split_once(' ').unwrap_or((status, status));
            let body = serde_json::json!({"type": "about:blank", "title": title, "status": code.parse::<u16>().unwrap_or(400), "detail": detail})
                .to_string();
            let mut out = written[..start].to_vec();
            out.extend_from_slice(line.as_bytes());
            for header in headers.iter().filter(|h| !h.to_ascii_lowercase().starts_with("content-length:")) {
                out.extend_from_slice(header.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            let extra = format!(
                "content-type: application/problem+json\r\ncache-control: no-store\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            out.extend_from_slice(extra.as_bytes());
            out.extend_from_slice(body.as_bytes());
            return Some(Bytes::from(out));
        }
    }
    None
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|window| window == needle)
}

impl<T: AsyncWrite + Unpin> Problems<T> {
    /// Writes what is left of a rewritten refusal.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some(pending) = self.pending.as_mut() {
            if !pending.has_remaining() {
                self.pending = None;
                break;
            }
            let written = ready!(Pin::new(&mut self.io).poll_write(cx, pending))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            pending.advance(written);
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Problems<T> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Problems<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if let Some(rewritten) = rewrite(buf) {
            // The caller's bytes are taken; what the socket does not take
            // now is written before anything else, and before a flush.
            this.pending = Some(rewritten);
            if let Poll::Ready(Err(error)) = this.poll_pending(cx) {
                return Poll::Ready(Err(error));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    /// A socket that takes at most `step` bytes a write.
    struct Trickle {
        out: Vec<u8>,
        step: usize,
    }

    impl AsyncWrite for Trickle {
        fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            let n = buf.len().min(this.step);
            this.out.extend_from_slice(&buf[..n]);
            Poll::Ready(Ok(n))
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    async fn through(written: &[u8], step: usize) -> String {
        let mut connection = Problems::new(Trickle { out: Vec::new(), step });
        let mut at = 0;
        while at < written.len() {
            at += connection.write(&written[at..]).await.unwrap_or(written.len());
        }
        let _ = connection.flush().await;
        String::from_utf8_lossy(&connection.io.out).into_owned()
    }

    const REFUSED: &str = "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: Sun, 29 Nov 2026 12:00:00 GMT\r\n\r\n";

    #[tokio::test]
    async fn a_parser_refusal_gets_a_problem_body_however_the_socket_takes_it() {
        for step in [1, 7, 4096] {
            let out = through(REFUSED.as_bytes(), step).await;
            let (head, body) = out.split_once("\r\n\r\n").unwrap_or_default();
            assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{out}");
            assert!(
                head.contains("content-type: application/problem+json") && head.contains("connection: close")
            );
            assert!(head.contains(&format!("content-length: {}", body.len())), "{out}");
            let problem: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
            assert_eq!(problem["status"], 400, "{out}");
        }
    }

    #[tokio::test]
    async fn after_a_pipelined_answer_too_and_nothing_else_changes() {
        let ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
        let out = through(format!("{ok}{REFUSED}").as_bytes(), 4096).await;
        assert!(out.starts_with(ok) && out.contains("\"status\":400"), "{out}");
        let large =
            "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
        assert!(through(large.as_bytes(), 10).await.contains("\"status\":431"));
        // The application's own refusals have bodies; they pass as they are.
        let own = "HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(through(own.as_bytes(), 3).await, own);
        let empty_ok = "HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(through(empty_ok.as_bytes(), 4096).await, empty_ok);
    }
}
