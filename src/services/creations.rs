//! Creates that arrive together are written together. SQLite has one
//! writer, and a create's transaction spends most of its time on the
//! statements around its rows (the change log, facets, renderings, the
//! revision), not on the rows themselves. One writer task takes every
//! create waiting when it is free and writes them in one transaction with
//! one statement per table: under load a transaction carries many, alone
//! it carries one and waits for nothing.
//!
//! Nothing changes for the caller: each create is answered once its
//! transaction has committed, with the document as it was written. A
//! transaction that fails is not an answer for the others in it: each is
//! then written alone, and gets its own answer (a slug taken, say).

use std::any::Any;
use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::{mpsc, oneshot};

use super::content::with_content_type;
use super::documents::Entry;
use super::render::{Rendered, Renderers};
use super::versioned::WriteError;
use super::workflow::{self, Creation};
use crate::domain::DocumentKind;

/// At most this many creates in one transaction, so that no other writer
/// waits long behind one.
const MOST: usize = 32;

/// A created document, of the type its kind names.
type Created = Box<dyn Any + Send>;

struct Job {
    kind: DocumentKind,
    creation: Creation,
    reply: oneshot::Sender<Result<Created, WriteError>>,
}

/// Where creates are sent to be written.
pub struct Creations {
    jobs: mpsc::Sender<Job>,
}

fn stopped() -> WriteError {
    WriteError::Database(DbErr::Custom("the writer of new documents has stopped".into()))
}

impl Creations {
    /// Starts the task that writes creates to `db`. It ends when this is
    /// dropped, after writing what was sent.
    pub fn start(db: DatabaseConnection, renderers: Renderers) -> Self {
        let (jobs, waiting) = mpsc::channel(4 * MOST);
        tokio::spawn(write(db, Arc::new(renderers), waiting));
        Self { jobs }
    }

    /// Creates a draft of type `T` and its first revision, as
    /// [`workflow::create`] does.
    pub async fn create<T: Rendered>(&self, creation: Creation) -> Result<Entry<T::Detail>, WriteError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { kind: T::KIND, creation, reply }).await.map_err(|_| stopped())?;
        let created = answer.await.map_err(|_| stopped())??;
        created.downcast::<Entry<T::Detail>>().map(|entry| *entry).map_err(|_| stopped())
    }
}

async fn write(db: DatabaseConnection, renderers: Arc<Renderers>, mut waiting: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MOST);
    while waiting.recv_many(&mut jobs, MOST).await > 0 {
        for kind in [DocumentKind::Essay, DocumentKind::Lyrics, DocumentKind::Event] {
            let (these, others) = std::mem::take(&mut jobs).into_iter().partition(|job| job.kind == kind);
            jobs = others;
            if these.is_empty() {
                continue;
            }
            let (db, renderers) = (db.clone(), renderers.clone());
            // A task of its own: a panic fails these creates, not the writer.
            let written = tokio::spawn(async move {
                with_content_type!(kind, T => write_together::<T>(&db, &renderers, these).await)
            });
            if let Err(error) = written.await {
                tracing::error!(%error, "writing new documents failed");
            }
        }
        jobs.clear();
    }
}

/// Writes `jobs` in one transaction, or each alone if that fails.
async fn write_together<T: Rendered>(db: &DatabaseConnection, renderers: &Renderers, jobs: Vec<Job>) {
    let (creations, replies): (Vec<Creation>, Vec<_>) =
        jobs.into_iter().map(|j| (j.creation, j.reply)).unzip();
    if creations.len() > 1
        && let Ok(entries) = workflow::create_all::<T>(db, creations.clone(), renderers).await
    {
        for (entry, reply) in entries.into_iter().zip(replies) {
            let _ = reply.send(Ok(Box::new(entry)));
        }
        return;
    }
    for (creation, reply) in creations.into_iter().zip(replies) {
        let _ = reply.send(create_alone::<T>(db, renderers, creation).await);
    }
}

async fn create_alone<T: Rendered>(
    db: &DatabaseConnection,
    renderers: &Renderers,
    creation: Creation,
) -> Result<Created, WriteError> {
    let mut created = workflow::create_all::<T>(db, vec![creation], renderers).await?;
    let entry = created.pop().ok_or(WriteError::NotFound)?;
    Ok(Box::new(entry))
}
