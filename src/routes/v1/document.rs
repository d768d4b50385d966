//! What the representation of every document has, whatever its type, and the
//! request parameters every document endpoint shares. Each type's DTOs
//! flatten these in, so the three types look alike where they are alike.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::linked_data::{self, LinkedData};
use crate::domain::Visibility;
use crate::domain::{DocumentStatus, IdOrSlug, Invalid, Locale, LocalePreference, Slug, accept_language};
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::fields::Fields;
use crate::http::pagination;
use crate::services::documents::{self, CommonFilter, ContentType, Cursor, Entry, Link, Page};
use crate::services::people::Credit;
use crate::state::AppState;

/// The fields every full document has.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentFields {
    /// UUID v7.
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b")]
    pub id: Uuid,
    /// `essay`, `lyrics` or `event`.
    #[serde(rename = "type")]
    #[schema(example = "essay")]
    pub kind: String,
    /// Unique per type and locale: lowercase letters, digits and hyphens.
    #[schema(example = "proletarian-internationalism")]
    pub slug: String,
    /// BCP 47 language tag.
    #[schema(example = "en")]
    pub locale: String,
    /// `draft`, `scheduled`, `published` or `archived`.
    #[schema(example = "published")]
    pub status: String,
    /// Revision number: 1 when created, one more on every change.
    #[schema(example = 1)]
    pub version: i32,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub created_at: DateTime<Utc>,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub updated_at: DateTime<Utc>,
    #[schema(example = "Proletarian Internationalism")]
    pub title: String,
    pub tags: Vec<TagRef>,
    /// Visible documents of any type this one links to or is linked from.
    pub related: Vec<DocumentLink>,
    /// The same document in other locales.
    pub translations: Vec<DocumentLink>,
}

impl<D> From<&Entry<D>> for DocumentFields {
    fn from(entry: &Entry<D>) -> Self {
        let d = &entry.document;
        Self {
            id: d.id,
            kind: d.kind.clone(),
            slug: d.slug.clone(),
            locale: d.locale.clone(),
            status: d.status.clone(),
            version: d.version,
            published_at: d.published_at,
            created_at: d.created_at,
            updated_at: d.updated_at,
            title: d.title.clone(),
            tags: entry.shared.tags.iter().map(TagRef::from).collect(),
            related: entry.shared.related.iter().map(DocumentLink::from).collect(),
            translations: entry.shared.translations.iter().map(DocumentLink::from).collect(),
        }
    }
}

/// The fields every document summary in a list has.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryFields {
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b")]
    pub id: Uuid,
    /// `essay`, `lyrics` or `event`.
    #[serde(rename = "type")]
    #[schema(example = "essay")]
    pub kind: String,
    #[schema(example = "proletarian-internationalism")]
    pub slug: String,
    #[schema(example = "en")]
    pub locale: String,
    #[schema(example = "published")]
    pub status: String,
    #[schema(example = 1)]
    pub version: i32,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub updated_at: DateTime<Utc>,
    #[schema(example = "Proletarian Internationalism")]
    pub title: String,
    pub tags: Vec<TagRef>,
    /// The ETag of this version, for `If-Match` (to change it, or restore
    /// it when it is deleted).
    #[schema(example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6b-v1\"")]
    pub etag: String,
    /// When it was deleted; `null` unless listed with `status=deleted`.
    #[schema(example = json!(null))]
    pub deleted_at: Option<DateTime<Utc>>,
}

impl<D> From<&Entry<D>> for SummaryFields {
    fn from(entry: &Entry<D>) -> Self {
        let d = &entry.document;
        Self {
            id: d.id,
            kind: d.kind.clone(),
            slug: d.slug.clone(),
            locale: d.locale.clone(),
            status: d.status.clone(),
            version: d.version,
            published_at: d.published_at,
            updated_at: d.updated_at,
            title: d.title.clone(),
            tags: entry.shared.tags.iter().map(TagRef::from).collect(),
            etag: super::editing::etag(d),
            deleted_at: d.deleted_at,
        }
    }
}

/// A tag as shown on a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagRef {
    #[schema(example = "solidarity")]
    pub slug: String,
    #[schema(example = "Solidarity")]
    pub name: String,
}

impl From<&entity::tag::Model> for TagRef {
    fn from(tag: &entity::tag::Model) -> Self {
        Self { slug: tag.slug.clone(), name: tag.name.clone() }
    }
}

/// A link to another document.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentLink {
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6c")]
    pub id: Uuid,
    #[serde(rename = "type")]
    #[schema(example = "lyrics")]
    pub kind: String,
    #[schema(example = "solidarity-forever")]
    pub slug: String,
    #[schema(example = "en")]
    pub locale: String,
    #[schema(example = "Solidarity Forever")]
    pub title: String,
}

impl From<&Link> for DocumentLink {
    fn from(link: &Link) -> Self {
        Self {
            id: link.id,
            kind: link.kind.clone(),
            slug: link.slug.clone(),
            locale: link.locale.clone(),
            title: link.title.clone(),
        }
    }
}

/// A person credited on a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRef {
    #[schema(example = "alvaro-rodriguez")]
    pub slug: String,
    #[schema(example = "Alvaro Rodriguez")]
    pub name: String,
}

impl From<&Credit> for PersonRef {
    fn from(credit: &Credit) -> Self {
        Self { slug: credit.person.slug.clone(), name: credit.person.name.clone() }
    }
}

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

/// A `{id_or_slug}` path segment.
pub fn id_or_slug(value: &str) -> Result<IdOrSlug, AppError> {
    IdOrSlug::parse(value).map_err(|e| AppError::bad_parameter("id_or_slug", e.to_string()))
}

/// An optional parameter parsed into a domain value, or a 400 naming it.
pub fn parse_param<T>(
    name: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, Invalid>,
) -> Result<Option<T>, AppError> {
    value.map(|v| parse(v).map_err(|e| AppError::bad_parameter(name, e.to_string()))).transpose()
}

pub fn slug_param(name: &str, value: Option<&str>) -> Result<Option<Slug>, AppError> {
    parse_param(name, value, Slug::parse)
}

/// `limit`, `cursor` and the sort, checked together: a cursor belongs to
/// the sort it was made for.
pub fn page_request(
    limit: Option<u32>,
    cursor: Option<&str>,
    sort: &str,
) -> Result<(u64, Option<Cursor>), AppError> {
    Ok((pagination::limit(limit)?, pagination::after(cursor, sort)?))
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
    let actor = match caller.actor() {
        None => {
            return Err(AppError::Unauthorized(
                "only authenticated callers may list documents that are not published".into(),
            ));
        }
        Some(actor) if !actor.can_read_unpublished() => {
            return Err(AppError::Forbidden("this API key may not read unpublished documents".into()));
        }
        Some(actor) => actor,
    };
    if status == Some("deleted") {
        if !actor.can_edit_any() {
            return Err(AppError::Forbidden(
                "only editors, admins and write keys list deleted documents".into(),
            ));
        }
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

/// `GET /v1/{type}/{id_or_slug}` for any content type.
pub async fn get<T, Dto>(
    state: &AppState,
    request: &HttpRequest,
    caller: &Caller,
    id_or_slug_value: &str,
    params: &GetParams,
) -> Result<HttpResponse, AppError>
where
    T: ContentType,
    Dto: for<'a> From<&'a Entry<T::Detail>> + Serialize + ToSchema + LinkedData,
{
    let fields = Fields::parse::<Dto>(params.fields.as_deref())?;
    let key = id_or_slug(id_or_slug_value)?;
    let preference = params.preference(request)?;
    let visibility = document_visibility(caller);
    let entry = documents::get_entry::<T, _>(
        state.reader(request),
        visibility,
        &key,
        &preference,
        &state.settings.default_locale,
    )
    .await?
    .ok_or_else(|| {
        let kind = T::KIND.as_str();
        match &preference {
            LocalePreference { strict: true, wanted } => {
                let locales: Vec<&str> = wanted.iter().map(Locale::as_str).collect();
                AppError::not_found(format!("no {kind} `{id_or_slug_value}` in {}", locales.join(", ")))
            }
            _ => AppError::not_found(format!("no {kind} `{id_or_slug_value}`")),
        }
    })?;
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::ETAG, super::editing::etag(&entry.document)))
        .insert_header((header::CONTENT_LANGUAGE, entry.document.locale.clone()))
        .insert_header((header::LAST_MODIFIED, http_date(entry.document.updated_at)));
    let dto = Dto::from(&entry);
    if linked_data::wants_json_ld(request) {
        let url =
            format!("{}/v1/{}/{}", crate::http::origin(request), T::KIND.collection(), entry.document.id);
        return Ok(response.content_type(linked_data::JSON_LD).json(dto.json_ld(&url)));
    }
    selected(response, &dto, fields.as_ref(), false)
}

/// An HTTP date (RFC 9110), as `Last-Modified` carries it.
pub fn http_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// `body` as JSON, cut down to `fields` when given: the body itself, or
/// each item of a listing's `data`.
pub fn selected<B: Serialize>(
    mut response: actix_web::HttpResponseBuilder,
    body: &B,
    fields: Option<&Fields>,
    listing: bool,
) -> Result<HttpResponse, AppError> {
    let Some(fields) = fields else { return Ok(response.json(body)) };
    let mut value = serde_json::to_value(body).map_err(anyhow::Error::from)?;
    if listing {
        value["data"].as_array_mut().into_iter().flatten().for_each(|item| fields.select(item));
    } else {
        fields.select(&mut value);
    }
    Ok(response.json(value))
}

/// A page of a listing: `{"data": [...], "next_cursor": ...}`.
#[derive(Debug, Serialize)]
pub struct Listing<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The response for a page: the body (its items cut down to `fields`), and
/// a `Link` header when there is a next page.
pub fn listing<S, T>(
    request: &HttpRequest,
    page: Page<S>,
    fields: Option<&str>,
) -> Result<HttpResponse, AppError>
where
    T: for<'a> From<&'a S> + Serialize + ToSchema,
{
    let fields = Fields::parse::<T>(fields)?;
    let next_cursor = page.next.as_ref().map(pagination::encode);
    let mut response = HttpResponse::Ok();
    if let Some(next) = &next_cursor {
        response.insert_header((header::LINK, pagination::next_link(request, next)));
    }
    let body = Listing { data: page.items.iter().map(T::from).collect::<Vec<T>>(), next_cursor };
    selected(response, &body, fields.as_ref(), true)
}

/// Declares the OpenAPI schema of one listing type, whose body is
/// [`Listing`]: utoipa documents concrete types under their own names.
macro_rules! listing_schema {
    ($name:ident, $item:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ".")]
        #[derive(utoipa::ToSchema)]
        #[allow(dead_code)]
        pub struct $name {
            pub data: Vec<$item>,
            /// Pass as `cursor` to get the next page; `null` on the last page.
            #[schema(example = "WyItcHVibGlzaGVkX2F0Iix7InQiOiIyMDI2LTExLTI0VDEwOjAwOjAwWiJ9LCIwMTkzIl0")]
            pub next_cursor: Option<String>,
        }
    };
}
pub(crate) use listing_schema;

/// Declares a sort parameter: its accepted values and the listing order each
/// one means. (`$text:tt`, not `literal`: utoipa must see the string itself
/// in `serde(rename)` to document the accepted values.)
macro_rules! sort_param {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:tt => $field:ident, $descending:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub fn sort(self) -> crate::services::documents::Sort {
                use crate::services::documents::{Sort, SortField};
                match self {
                    $(Self::$variant => Sort::new(SortField::$field, $descending),)+
                }
            }
        }
    };
}
pub(crate) use sort_param;
