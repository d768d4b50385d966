//! Who may do what to a document: the rules every route applies, in one
//! place. Editors, admins and keys with `content:write` may change any
//! document; authors create documents and change only their own drafts;
//! only editors and admins (and write keys) change the publication state;
//! only admins purge. Authenticated readers see unpublished documents and
//! their history, authors only their own.

use entity::document;

use super::Actor;
use crate::domain::{DocumentStatus, Visibility};

/// Why a caller may not: no credentials (401) or not these (403).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
}

fn forbidden(why: &str) -> Denied {
    Denied::Forbidden(why.to_owned())
}

/// The caller, who must be authenticated.
pub fn authenticated(caller: Option<Actor>) -> Result<Actor, Denied> {
    caller.ok_or_else(|| Denied::Unauthenticated("this operation needs credentials".into()))
}

/// Creating documents, people and tags.
pub fn may_create(actor: &Actor) -> Result<(), Denied> {
    if actor.can_create() { Ok(()) } else { Err(forbidden("this API key may not create content")) }
}

/// Changing, deleting or restoring `document`: anything for editors,
/// admins and write keys; an author's own drafts for the author.
pub fn may_edit(actor: &Actor, document: &document::Model) -> Result<(), Denied> {
    if actor.can_edit_any() {
        return Ok(());
    }
    let own_draft = actor.user_id().is_some_and(|me| document.created_by == Some(me))
        && document.status == DocumentStatus::Draft.as_str();
    match own_draft {
        true => Ok(()),
        false if actor.can_create() => Err(forbidden("authors may change only their own drafts")),
        false => Err(forbidden("this API key may not change content")),
    }
}

/// Publishing, unpublishing, archiving: editors, admins and write keys.
pub fn may_change_state(actor: &Actor) -> Result<(), Denied> {
    if actor.can_edit_any() {
        Ok(())
    } else {
        Err(forbidden("only editors and admins change the publication state"))
    }
}

/// Changing and deleting people and tags, `what` being which.
pub fn may_edit_catalog(actor: &Actor, what: &str) -> Result<(), Denied> {
    if actor.can_edit_any() {
        Ok(())
    } else {
        Err(Denied::Forbidden(format!("only editors, admins and write keys change {what}")))
    }
}

/// Deleting for good: admins only.
pub fn may_purge(actor: &Actor) -> Result<(), Denied> {
    if actor.is_admin() { Ok(()) } else { Err(forbidden("only admins purge documents")) }
}

/// Managing `what` (API keys, webhooks): admins only.
pub fn admin(caller: Option<Actor>, what: &str) -> Result<Actor, Denied> {
    match authenticated(caller)? {
        actor if actor.is_admin() => Ok(actor),
        _ => Err(Denied::Forbidden(format!("only admins manage {what}"))),
    }
}

/// Reading unpublished documents (and revisions): the caller who may.
pub fn unpublished_reader(caller: Option<Actor>, what: &str) -> Result<Actor, Denied> {
    match caller {
        None => Err(Denied::Unauthenticated(format!("{what} need credentials"))),
        Some(actor) if !actor.can_read_unpublished() => {
            Err(Denied::Forbidden(format!("this API key may not read {what}")))
        }
        Some(actor) => Ok(actor),
    }
}

/// The history of a document is its writers' and its editors': an author
/// reads the revisions of their own documents only.
pub fn may_read_history(actor: &Actor, document: &document::Model) -> Result<(), Denied> {
    match actor.visibility() {
        Visibility::Author(me) if document.created_by != Some(me) => {
            Err(forbidden("authors read the revisions of their own documents only"))
        }
        _ => Ok(()),
    }
}

/// Listing deleted documents, to restore them: editors, admins and write
/// keys.
pub fn may_list_deleted(actor: &Actor) -> Result<(), Denied> {
    if actor.can_edit_any() {
        Ok(())
    } else {
        Err(forbidden("only editors, admins and write keys list deleted documents"))
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::auth::{Role, Scope};

    fn draft(by: Option<Uuid>, status: DocumentStatus) -> document::Model {
        let now = chrono::Utc::now();
        document::Model {
            id: Uuid::now_v7(),
            kind: "essay".into(),
            slug: "x".into(),
            locale: "en".into(),
            translation_group: Uuid::now_v7(),
            status: status.as_str().into(),
            title: "X".into(),
            published_at: None,
            publish_at: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            version: 1,
            created_by: by,
        }
    }

    #[test]
    fn authors_change_their_own_drafts_and_nothing_else() {
        let me = Uuid::now_v7();
        let author = Actor::User { id: me, role: Role::Author };
        assert!(may_edit(&author, &draft(Some(me), DocumentStatus::Draft)).is_ok());
        assert!(may_edit(&author, &draft(Some(me), DocumentStatus::Published)).is_err());
        assert!(may_edit(&author, &draft(Some(Uuid::now_v7()), DocumentStatus::Draft)).is_err());
        assert!(may_change_state(&author).is_err() && may_purge(&author).is_err());
        assert!(may_read_history(&author, &draft(Some(Uuid::now_v7()), DocumentStatus::Published)).is_err());
        let editor = Actor::User { id: me, role: Role::Editor };
        assert!(may_edit(&editor, &draft(None, DocumentStatus::Published)).is_ok());
        assert!(may_purge(&editor).is_err());
        let reader = Actor::ApiKey { id: me, name: "k".into(), scopes: vec![Scope::ContentRead] };
        assert!(may_create(&reader).is_err() && unpublished_reader(Some(reader), "revisions").is_ok());
        assert!(matches!(unpublished_reader(None, "revisions"), Err(Denied::Unauthenticated(_))));
    }
}
