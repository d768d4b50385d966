//! Documents over HTTP, for every content type alike: reading one, and
//! writing — create, merge-patch, the publication workflow, revisions.
//! Each type supplies its request body ([`ContentInput`]) and its DTO; its
//! routes are declared by [`document_routes!`] as one-line calls into the
//! action files here: `create`, `update`, `state` (publish, unpublish,
//! archive, delete, restore, purge), `revisions`, and `get`.

mod create;
mod dto;
mod get;
mod input;
pub mod linked_data;
mod params;
mod revision_routes;
pub mod revisions;
mod routes;
mod state;
mod target;
mod update;

pub use create::create;
pub(crate) use dto::sort_param;
pub use dto::{DocumentFields, DocumentLink, PersonRef, SummaryFields, TagRef};
pub use get::get;
pub(crate) use input::document_input;
pub use input::{CommonFields, ContentInput, DOCUMENT_LIMIT, credited_twice, renderer, snapshot};
pub(crate) use params::list_params;
pub use params::{
    AcceptLanguage, ChangeHeaders, DeleteParams, DiffParams, DocumentPath, GetParams, PublishRequest,
    RevisionListParams, RevisionPath, common_filter, listing_visibility,
};
pub(crate) use revision_routes::revision_routes;
pub use revisions::{Revision, RevisionList};
pub(crate) use routes::document_routes;
pub use state::{change_state, publish, purge};
pub use update::update;
