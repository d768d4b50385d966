//! The actions on people and tags, written once for both: get one, create,
//! change with a merge patch, delete. Each kind says, through
//! [`CatalogInput`], what its body is, how its record is loaded and what
//! its answer looks like; [`catalog_routes!`] declares the documented
//! operations of each kind, one call into these each.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;
use uuid::Uuid;

use super::listing::selected;
use super::params::id_or_slug;
use crate::auth::policy;
use crate::domain::{IdOrSlug, Slug};
use crate::error::{AppError, FieldError};
use crate::http::body::Body;
use crate::http::caller::Caller;
use crate::http::fields::Fields;
use crate::http::input::{checked_name, checked_slug, merged};
use crate::http::preconditions::{if_match, version_etag};
use crate::services::catalog::{self, Catalog};
use crate::services::versioned::Versioned;
use crate::state::AppState;

mod routes;

pub(crate) use routes::catalog_routes;

type Model<I> = <<I as CatalogInput>::Kind as EntityTrait>::Model;
type Record<I> = <<I as CatalogInput>::Kind as Catalog>::Record;

/// The writable fields of a kind of catalog entry, and what the routes need
/// to know of the kind.
pub trait CatalogInput: Body + Serialize + DeserializeOwned {
    type Kind: Catalog;
    /// The answer of a GET and of every write.
    type Dto: for<'a> From<&'a Record<Self>> + Serialize + ToSchema;
    /// `people` or `tags`: the collection's path.
    const COLLECTION: &'static str;

    /// The body that would write `model` as it is: what a merge patch applies to.
    fn of(model: &Model<Self>) -> Self;

    /// The fields, checked; a 422 naming every invalid one.
    fn fields(self) -> Result<<Self::Kind as Catalog>::Fields, AppError>;
}

/// The slug and name every entry has, checked after the entry's other
/// fields (whose `errors` come in): a 422 naming every invalid field.
pub fn slug_and_name(
    slug: &str,
    name: &str,
    max_name: usize,
    mut errors: Vec<FieldError>,
) -> Result<(Slug, String), AppError> {
    let slug = checked_slug("slug", slug, &mut errors);
    let name = checked_name("name", name, max_name, &mut errors);
    match slug {
        Some(slug) if errors.is_empty() => Ok((slug, name)),
        _ => Err(AppError::invalid_fields(errors)),
    }
}

fn subject<I: CatalogInput>() -> &'static str {
    <I::Kind as Catalog>::SUBJECT
}

/// The entry `key` names, or a 404.
async fn find<I: CatalogInput, C: ConnectionTrait>(db: &C, key: &str) -> Result<Record<I>, AppError> {
    I::Kind::get(db, &id_or_slug(key)?)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no {} `{key}`", subject::<I>())))
}

fn etag<I: CatalogInput>(record: &Record<I>) -> String {
    let model = I::Kind::row_of(record);
    version_etag(I::Kind::id_of(model), I::Kind::version_of(model))
}

/// `GET /v1/{people|tags}/{id_or_slug}`, cut down to `fields` when given.
pub async fn get<I: CatalogInput>(
    state: &AppState,
    request: &HttpRequest,
    key: &str,
    fields: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let fields = Fields::parse::<I::Dto>(fields)?;
    let record = find::<I, _>(state.reader(request), key).await?;
    let mut response = HttpResponse::Ok();
    response.insert_header((header::ETAG, etag::<I>(&record)));
    selected(response, &I::Dto::from(&record), fields.as_ref(), false)
}

/// The entry `id` as a writer gets it back: with its ETag, never cached.
async fn written<I: CatalogInput>(
    state: &AppState,
    id: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let record = I::Kind::get(&state.db, &IdOrSlug::Id(id))
        .await?
        .ok_or_else(|| AppError::not_found(format!("no {} {id}", subject::<I>())))?;
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::ETAG, etag::<I>(&record)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"));
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/v1/{}/{id}", I::COLLECTION)));
    }
    Ok(response.json(I::Dto::from(&record)))
}

/// `POST /v1/{people|tags}`.
pub async fn create<I: CatalogInput>(
    state: &AppState,
    caller: Caller,
    input: I,
) -> Result<HttpResponse, AppError> {
    policy::may_create(&caller.required()?)?;
    let fields = input.fields()?;
    let model = catalog::create::<I::Kind>(&state.db, Uuid::now_v7(), fields, &state.renderers)
        .await
        .map_err(|e| AppError::write(e, subject::<I>()))?;
    written::<I>(state, I::Kind::id_of(&model), StatusCode::CREATED).await
}

/// The entry `key` names, for `caller` to change or delete, and the
/// version `If-Match` names.
async fn to_change<I: CatalogInput>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    key: &str,
) -> Result<(Record<I>, i32), AppError> {
    policy::may_edit_catalog(&caller.required()?, I::COLLECTION)?;
    let record = find::<I, _>(&state.db, key).await?;
    let model = I::Kind::row_of(&record);
    let expected = if_match(request, I::Kind::id_of(model), I::Kind::version_of(model), subject::<I>())?;
    Ok((record, expected))
}

/// `PATCH /v1/{people|tags}/{id_or_slug}`: a merge patch on the version
/// `If-Match` names.
pub async fn update<I: CatalogInput>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    key: &str,
    patch: &serde_json::Value,
) -> Result<HttpResponse, AppError> {
    let (record, expected) = to_change::<I>(state, request, caller, key).await?;
    let model = I::Kind::row_of(&record);
    let (id, fields) = (I::Kind::id_of(model), merged(&I::of(model), patch)?.fields()?);
    catalog::update::<I::Kind>(&state.db, id, expected, fields, &state.renderers)
        .await
        .map_err(|e| AppError::write(e, subject::<I>()))?;
    written::<I>(state, id, StatusCode::OK).await
}

/// `DELETE /v1/{people|tags}/{id_or_slug}`, of the version `If-Match`
/// names, once no document shows the entry.
pub async fn delete<I: CatalogInput>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    key: &str,
) -> Result<HttpResponse, AppError> {
    let (record, expected) = to_change::<I>(state, request, caller, key).await?;
    let id = I::Kind::id_of(I::Kind::row_of(&record));
    catalog::delete::<I::Kind>(&state.db, id, expected, &state.renderers)
        .await
        .map_err(|e| AppError::write(e, subject::<I>()))?;
    Ok(HttpResponse::NoContent().finish())
}
