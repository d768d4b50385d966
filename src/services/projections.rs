//! What every content write keeps beside the documents, in its own
//! transaction, so that reads never have to work it out: the change log
//! (sync, the live stream and cache invalidation read it), the facets
//! (filtered listings), the search index (public documents only) and the
//! stored renderings (every read). One call after the write, whatever it
//! was.

use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::documents::dedup;
use super::render::Renderers;
use super::writes::Fresh;
use super::{changes, facets, renderings, search};

/// After a write changed the rows of `changed`: `showed` are documents that
/// showed them before the write and may not now (a rewrite can drop links).
pub async fn written<C: ConnectionTrait>(
    db: &C,
    changed: &[Uuid],
    showed: &[Uuid],
    renderers: &Renderers,
) -> Result<(), DbErr> {
    written_but_rendering(db, changed, showed, &[], renderers).await
}

/// [`written`], leaving the renderings of `rendered` to the caller, which
/// has those documents loaded already (see [`renderings::store`]).
pub async fn written_but_rendering<C: ConnectionTrait>(
    db: &C,
    changed: &[Uuid],
    showed: &[Uuid],
    rendered: &[Uuid],
    renderers: &Renderers,
) -> Result<(), DbErr> {
    let mut shown = changes::affected(db, changed).await?;
    shown.extend_from_slice(showed);
    let shown = dedup(shown);
    let public_then_or_now = changes::record_exactly(db, &shown).await?;
    facets::refresh(db, changed).await?;
    // The index holds public documents only: one that was not public and
    // is not now (a draft's every save) has nothing there to change.
    let indexed: Vec<Uuid> = changed.iter().copied().filter(|id| public_then_or_now.contains(id)).collect();
    search::index(db, &indexed).await?;
    let others: Vec<Uuid> = shown.into_iter().filter(|id| !rendered.contains(id)).collect();
    renderings::refresh(db, &others, renderers).await
}

/// After new documents were written (`fresh`, as [`super::writes::Batch`]
/// returns them), leaving their renderings to the caller as
/// [`written_but_rendering`] does. Documents that nothing else shows (no
/// links to others, no translation group joined) need nothing read back:
/// the change log and facets are written from what is known of them.
pub async fn created<C: ConnectionTrait>(
    db: &C,
    fresh: &[Fresh],
    renderers: &Renderers,
) -> Result<(), DbErr> {
    let ids: Vec<Uuid> = fresh.iter().map(|document| document.id).collect();
    if !fresh.iter().all(Fresh::unlinked) {
        return written_but_rendering(db, &ids, &[], &ids, renderers).await;
    }
    changes::record_new(db, fresh).await?;
    facets::insert(db, fresh).await?;
    let public: Vec<Uuid> =
        fresh.iter().filter(|document| document.public).map(|document| document.id).collect();
    search::index(db, &public).await
}

/// After a change to a person or tag that `showing` documents show.
pub async fn shown<C: ConnectionTrait>(db: &C, showing: &[Uuid], renderers: &Renderers) -> Result<(), DbErr> {
    changes::record_exactly(db, showing).await?;
    renderings::refresh(db, showing, renderers).await
}

/// Before document `id` is deleted for good: drops it from the search index
/// and returns the documents that show it, for [`purged`].
pub async fn purging<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    search::unindex(db, &[id]).await?;
    changes::affected(db, &[id]).await
}

/// After document `id` is gone: its absence goes into the change log, and
/// the documents that showed it are rendered without it.
pub async fn purged<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    showed: &[Uuid],
    renderers: &Renderers,
) -> Result<(), DbErr> {
    changes::record_exactly(db, showed).await?;
    let others: Vec<Uuid> = showed.iter().copied().filter(|other| *other != id).collect();
    renderings::refresh(db, &others, renderers).await
}
