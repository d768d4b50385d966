//! Closing the listening socket without resetting a connection. Closing it
//! outright resets every connection the kernel has completed but the server
//! has not yet accepted (a few per restart under load). So, first, a socket
//! filter that drops every packet is attached to it: the kernel completes no
//! new connection (clients retry their SYN, and reach the next instance, or
//! are refused once the socket is closed); then the server goes on accepting
//! until the queue of completed connections is empty, and serves them.

use std::net::TcpListener;
use std::time::Duration;

/// The longest the queue of completed connections is waited on.
const DRAIN_AT_MOST: Duration = Duration::from_secs(2);

/// Stops new connections at the kernel and waits until those already
/// completed have been accepted.
pub async fn drain(listener: &TcpListener) {
    if let Err(error) = imp::refuse_new(listener) {
        tracing::warn!(%error, "cannot stop the kernel accepting connections; closing the listener as it is");
        return;
    }
    let deadline = tokio::time::Instant::now() + DRAIN_AT_MOST;
    while imp::waiting(listener).unwrap_or(0) > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Let the server take the last one accepted to a worker.
    tokio::time::sleep(Duration::from_millis(20)).await;
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod imp {
    use std::net::TcpListener;
    use std::os::fd::AsRawFd;

    /// Classic BPF: `ret #0`, accept no byte of any packet.
    const BPF_RET_K: u16 = 0x06;

    pub fn refuse_new(listener: &TcpListener) -> std::io::Result<()> {
        let mut drop_all = [libc::sock_filter { code: BPF_RET_K, jt: 0, jf: 0, k: 0 }];
        let program = libc::sock_fprog { len: 1, filter: drop_all.as_mut_ptr() };
        // SAFETY: the descriptor is open for as long as `listener` lives; the
        // program is read during the call only, and its length is right.
        let result = unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_ATTACH_FILTER,
                std::ptr::from_ref(&program).cast(),
                std::mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
            )
        };
        if result == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
    }

    /// Completed connections not yet accepted: for a listening socket, the
    /// kernel reports its accept queue's length as `tcpi_unacked`.
    pub fn waiting(listener: &TcpListener) -> std::io::Result<u32> {
        // SAFETY: `tcp_info` is plain data; the kernel writes at most `length` bytes.
        let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
        let mut length = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
        // SAFETY: as above; `info` and `length` outlive the call.
        let result = unsafe {
            libc::getsockopt(
                listener.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_INFO,
                std::ptr::from_mut(&mut info).cast(),
                &mut length,
            )
        };
        if result == 0 { Ok(info.tcpi_unacked) } else { Err(std::io::Error::last_os_error()) }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod imp {
    use std::net::TcpListener;

    pub fn refuse_new(_: &TcpListener) -> std::io::Result<()> {
        Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "socket filters are Linux-only here"))
    }

    pub fn waiting(_: &TcpListener) -> std::io::Result<u32> {
        Ok(0)
    }
}
