//! The parameters of document requests: which translation, which fields,
//! which statuses a listing shows, and the bodies and parameters of writes.

use actix_web::HttpRequest;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::policy;
use crate::domain::{DocumentStatus, Locale, LocalePreference, Visibility, accept_language};
use crate::error::AppError;
use crate::http::body::Body;
use crate::http::caller::Caller;
use crate::routes::v1::params::{parse_param, slug_param};
use crate::services::documents::CommonFilter;

/// Parameters of `GET /v1/{type}/{id-or-slug}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GetParams {
    /// The translation to serve (BCP 47): the document the id or slug names,
    /// or its translation into this locale (`pt-BR` also finds `pt`). 404
    /// when there is none, unless `fallback` names another. Without it,
    /// `Accept-Language` is honoured when it can be, else the default
    /// locale's document is served if there is one, else the oldest.
    #[param(example = "es")]
    pub locale: Option<String>,
    /// Locales to try in order when there is no `locale` translation,
    /// comma-separated. `Content-Language` says which was served.
    #[param(example = "en")]
    pub fallback: Option<String>,
    /// Only these top-level fields, comma-separated (unknown names are a 400).
    #[param(example = "id,slug,title")]
    pub fields: Option<String>,
}

impl GetParams {
    /// The locales asked for: `locale` then `fallback`, strictly; else the
    /// `Accept-Language` header, as a preference.
    pub fn preference(&self, request: &HttpRequest) -> Result<LocalePreference, AppError> {
        let Some(locale) = parse_param("locale", self.locale.as_deref(), Locale::parse)? else {
            if self.fallback.is_some() {
                return Err(AppError::bad_parameter("fallback", "applies only with `locale`"));
            }
            let header = request.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
            return Ok(LocalePreference {
                wanted: header.map(accept_language).unwrap_or_default(),
                strict: false,
            });
        };
        let mut wanted = vec![locale];
        for tag in self.fallback.as_deref().into_iter().flat_map(|f| f.split(',')).map(str::trim) {
            wanted.push(Locale::parse(tag).map_err(|e| AppError::bad_parameter("fallback", e.to_string()))?);
        }
        if wanted.len() > 10 {
            return Err(AppError::bad_parameter("fallback", "at most 9 locales"));
        }
        Ok(LocalePreference { wanted, strict: true })
    }
}

/// The header that chooses a translation when `locale` is absent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct AcceptLanguage {
    /// Translations the reader prefers, used when `locale` is absent.
    #[param(rename = "Accept-Language", example = "es-MX, es;q=0.9, en;q=0.5")]
    pub accept_language: Option<String>,
}

/// What a listing shows a caller: anonymous callers and `status=published`
/// (the default) see published documents; authenticated readers may ask
/// for `draft`, `scheduled`, `archived` or `any` (authors see only their
/// own among those), and editors, admins and write keys for `deleted`.
pub fn listing_visibility(
    caller: &Caller,
    status: Option<&str>,
) -> Result<(Visibility, Option<DocumentStatus>), AppError> {
    let wanted = match status {
        None | Some("published") => return Ok((Visibility::Public, None)),
        Some("any" | "deleted") => None,
        Some(other) => Some(other.parse::<DocumentStatus>().map_err(|_| {
            AppError::bad_parameter("status", "must be draft, scheduled, published, archived, any or deleted")
        })?),
    };
    if caller.actor().is_none() {
        return Err(AppError::Unauthorized(
            "only authenticated callers may list documents that are not published".into(),
        ));
    }
    let actor = policy::unpublished_reader(caller.actor().cloned(), "unpublished documents")?;
    if status == Some("deleted") {
        policy::may_list_deleted(&actor)?;
        return Ok((Visibility::Deleted, None));
    }
    Ok((actor.visibility(), wanted))
}

/// What a single-document request shows a caller: authenticated readers see
/// any document that is not deleted (authors only their own, besides the
/// public ones).
pub fn document_visibility(caller: &Caller) -> Visibility {
    caller.actor().map_or(Visibility::Public, crate::auth::Actor::visibility)
}

/// The `tag`, `locale` and `status` filters every document listing has.
pub fn common_filter(
    tag: Option<&str>,
    locale: Option<&str>,
    status: Option<DocumentStatus>,
) -> Result<CommonFilter, AppError> {
    Ok(CommonFilter {
        tag: slug_param("tag", tag)?,
        locale: parse_param("locale", locale, Locale::parse)?,
        status,
    })
}

/// The document a request addresses (`{id_or_slug}`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DocumentPath {
    /// The document's id or slug.
    #[param(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b")]
    pub id_or_slug: String,
}

impl std::ops::Deref for DocumentPath {
    type Target = str;

    fn deref(&self) -> &str {
        &self.id_or_slug
    }
}

/// A revision of the document a request addresses.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RevisionPath {
    /// The document's id or slug.
    #[param(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b")]
    pub id_or_slug: String,
    /// The version number.
    #[param(example = 1)]
    pub version: i32,
}

/// The headers of a change: the version it is based on, and why.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct ChangeHeaders {
    /// The ETag of the version being changed: 428 without it, 412 when the
    /// document changed meanwhile.
    #[param(rename = "If-Match", example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6b-v1\"")]
    pub if_match: String,
    /// Why, recorded with the revision (at most 500 characters).
    #[param(rename = "X-Revision-Message", example = "Fix the date of the meeting")]
    pub revision_message: Option<String>,
}

/// The body of `POST …/publish`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// Publish at this time instead of now: the document is `scheduled`
    /// until then. A time in the past publishes now.
    #[schema(example = "2027-01-01T09:00:00Z")]
    pub publish_at: Option<DateTime<Utc>>,
}

impl Body for PublishRequest {
    const LIMIT: usize = 1024;
}

/// Parameters of `DELETE /v1/{type}/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// `true`: delete for good, revisions included (admins only). Otherwise
    /// the document is soft-deleted and can be restored.
    #[param(example = false)]
    pub purge: Option<bool>,
}

/// Parameters of `GET …/revisions`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RevisionListParams {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, unchanged.
    #[param(example = "12")]
    pub cursor: Option<String>,
}

/// Parameters of `GET …/revisions/{version}/diff`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffParams {
    /// The version to diff from; the patch turns it into `{version}`.
    #[param(example = 1)]
    pub against: i32,
}

/// Declares, in the calling module, the parameters of a content type's
/// listing: page size, status, cursor and the type's sort first, then the
/// tag filter, the type's own filters, the locale and sparse fields.
macro_rules! list_params {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            cursor = $cursor:literal;
            sort { $($sort:tt)* }
            $($own:tt)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// Page size, 1 to 100 (default 20).
            #[param(minimum = 1, maximum = 100, example = 20)]
            pub limit: Option<u32>,
            /// Publication status: `published` (the default, for everyone);
            /// `draft`, `scheduled`, `archived` or `any` for authenticated
            /// readers (authors see only their own documents among those);
            /// `deleted` for editors, admins and write keys, to restore them.
            #[param(example = "published")]
            pub status: Option<String>,
            /// The `next_cursor` of the previous page, unchanged.
            #[param(example = $cursor)]
            pub cursor: Option<String>,
            $($sort)*
            /// Only documents with this tag (a tag slug).
            #[param(example = "solidarity")]
            pub tag: Option<String>,
            $($own)*
            /// Only documents in this locale (BCP 47).
            #[param(example = "en")]
            pub locale: Option<String>,
            /// Only these top-level fields of each item, comma-separated
            /// (unknown names are a 400).
            #[param(example = "id,slug,title")]
            pub fields: Option<String>,
        }
    };
}
pub(crate) use list_params;
