//! Stopping as SIGTERM does: live streams end at once and cleanly, requests
//! under way and connections the kernel has already completed are served,
//! and the process is gone within seconds.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::helpers::spawn_app;

#[tokio::test]
async fn open_change_streams_end_cleanly_and_at_once() {
    let mut app = spawn_app().await;
    let mut streams = Vec::new();
    for _ in 0..3 {
        let mut response = app.get("/v1/changes/stream").await;
        assert_eq!(response.status(), 200);
        let first = response.chunk().await.unwrap().expect("a first chunk");
        assert!(String::from_utf8_lossy(&first).contains("connected"));
        streams.push(tokio::spawn(async move {
            // Read to the end: a clean end of the chunked body, not a reset.
            while response.chunk().await?.is_some() {}
            Ok::<_, reqwest::Error>(())
        }));
    }
    let started = Instant::now();
    app.stop().await;
    assert!(started.elapsed() < Duration::from_secs(3), "stopping took {:?}", started.elapsed());
    for stream in streams {
        let ended = tokio::time::timeout(Duration::from_secs(1), stream).await;
        assert!(matches!(ended, Ok(Ok(Ok(())))), "a stream did not end cleanly: {ended:?}");
    }
}

#[tokio::test]
async fn connections_waiting_to_be_accepted_are_served_not_reset() {
    let mut app = spawn_app().await;
    let address = app.address.trim_start_matches("http://").to_owned();
    app.pause_accepting().await;
    // The kernel completes these and queues them; the server has not taken them.
    let mut waiting = Vec::new();
    for _ in 0..20 {
        let mut stream = std::net::TcpStream::connect(&address).unwrap_or_else(|e| panic!("{e}"));
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        waiting.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answers = tokio::task::spawn_blocking(move || {
        waiting
            .into_iter()
            .map(|mut stream| {
                let mut answer = Vec::new();
                stream.read_to_end(&mut answer).map(|_| String::from_utf8_lossy(&answer).into_owned())
            })
            .collect::<Vec<_>>()
    });
    app.stop().await;
    for answer in answers.await.unwrap() {
        let answer = answer.unwrap_or_else(|e| panic!("a waiting connection was not served: {e}"));
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    // And once stopped, nothing listens.
    assert!(
        std::net::TcpStream::connect_timeout(
            &address.parse().unwrap_or_else(|e| panic!("{e}")),
            Duration::from_millis(500)
        )
        .is_err()
    );
}
