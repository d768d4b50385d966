//! Checkpoints of a SQLite file's write-ahead log, on a thread of their own.
//!
//! Left to itself, SQLite checkpoints in the connection that commits, once
//! the log has grown past 1,000 pages: that writer copies the pages into
//! the database file and syncs it while it still holds the turn to write,
//! and every write behind it waits. At a million documents the pages are
//! spread over gigabytes and a checkpoint was a good part of the writer's
//! time. Here the connection that writes never checkpoints
//! (`wal_autocheckpoint=0`); after each commit it tells this thread, which
//! checkpoints a moment later, beside the writer, on the other core: a
//! passive checkpoint waits for no one and blocks no one. Gathering the
//! commits of that moment into one checkpoint also copies a page that many
//! of them wrote (the last leaf of an index that grows at its end) once.
//!
//! The log starts over from its beginning only when a transaction that
//! writes begins with all of it copied, and under steady writes a
//! checkpoint beside them never catches up: the log would grow without
//! end. So the thread then takes the turn to write, briefly, and copies
//! what was written while it copied the rest.
//!
//! The thread ends when writes pause, letting go of the file, and starts
//! again with the next commit.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How long after a commit the checkpoint waits for more.
const GATHER: Duration = Duration::from_millis(100);

/// How long the thread waits for a commit before it ends.
const IDLE: Duration = Duration::from_secs(30);

/// The checkpoints of one SQLite file.
#[derive(Debug)]
pub struct Checkpoints {
    path: PathBuf,
    /// The turn to write in this process.
    turn: Arc<tokio::sync::Mutex<()>>,
    /// Wakes the thread, while it runs.
    wake: Mutex<Option<SyncSender<()>>>,
}

impl Checkpoints {
    /// Checkpoints of the file at `path`, which this process writes taking
    /// `turn`.
    pub fn new(path: &Path, turn: Arc<tokio::sync::Mutex<()>>) -> Self {
        Self { path: path.to_path_buf(), turn, wake: Mutex::new(None) }
    }

    /// After a commit: the log is checkpointed soon.
    pub fn committed(&self) {
        let mut wake = self.wake.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(thread) = wake.as_ref() {
            match thread.try_send(()) {
                // Full: a checkpoint is due already, and covers this commit.
                Ok(()) | Err(TrySendError::Full(())) => return,
                Err(TrySendError::Disconnected(())) => {}
            }
        }
        let (sender, receiver) = mpsc::sync_channel(1);
        let (path, turn) = (self.path.clone(), self.turn.clone());
        let started = std::thread::Builder::new()
            .name("sqlite-checkpoints".into())
            .spawn(move || run(&path, &turn, receiver));
        match started {
            Ok(_) => {
                let _ = sender.try_send(());
                *wake = Some(sender);
            }
            // The log then grows until a later commit starts the thread.
            Err(error) => tracing::error!(%error, "cannot start the thread that checkpoints"),
        }
    }
}

fn run(path: &Path, turn: &tokio::sync::Mutex<()>, commits: Receiver<()>) {
    let connection = match open(path) {
        Ok(connection) => connection,
        Err(error) => {
            tracing::error!(%error, "cannot open the database file to checkpoint it");
            return;
        }
    };
    while let Ok(()) = commits.recv_timeout(IDLE) {
        std::thread::sleep(GATHER);
        // The commits of that moment: this checkpoint covers them.
        let _ = commits.try_recv();
        checkpoint(&connection);
        // Nothing writes while this copies what was written meanwhile: all
        // of the log is copied, and the next transaction starts it over.
        let _turn = turn.blocking_lock();
        checkpoint(&connection);
    }
    // A commit told as the wait ran out is covered here; the next one
    // starts a thread again.
    drop(commits);
    checkpoint(&connection);
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(path, flags)
}

/// Copies what the log holds into the database file, as far as readers
/// allow, without waiting on anyone.
fn checkpoint(connection: &Connection) {
    let done = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
    });
    match done {
        Ok((log, copied)) => tracing::trace!(log, copied, "checkpointed"),
        Err(error) => tracing::warn!(%error, "checkpoint failed"),
    }
}
