//! `GET /v1/{type}/{id_or_slug}` for any content type: the translation
//! asked for, as the caller may see it, as JSON (or its fields) or
//! schema.org JSON-LD.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::Serialize;
use utoipa::ToSchema;

use super::linked_data::{self, LinkedData};
use super::params::{GetParams, document_visibility};
use crate::domain::{IdOrSlug, Locale, LocalePreference, Visibility};
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::fields::Fields;
use crate::http::{http_date, origin, preconditions};
use crate::routes::v1::listing::selected;
use crate::routes::v1::params::id_or_slug;
use crate::services::documents::{self, ContentType, Entry};
use crate::services::renderings;
use crate::state::AppState;

/// The document `key` names, in the translation and shape asked for.
pub async fn get<T, Dto>(
    state: &AppState,
    request: &HttpRequest,
    caller: &Caller,
    key: &str,
    params: &GetParams,
) -> Result<HttpResponse, AppError>
where
    T: ContentType,
    Dto: for<'a> From<&'a Entry<T::Detail>> + Serialize + ToSchema + LinkedData,
{
    let fields = Fields::parse::<Dto>(params.fields.as_deref())?;
    let preference = params.preference(request)?;
    let (visibility, default) = (document_visibility(caller), &state.settings.default_locale);
    let reader = state.reader(request);
    let key = id_or_slug(key)?;
    if visibility == Visibility::Public && !linked_data::wants_json_ld(request) {
        // Anonymous: the representation stored when the document was written.
        if let Some(direct) = &state.direct {
            match direct.public(T::KIND, &key, &preference, default) {
                Ok(Some(found)) => {
                    let mut response = HttpResponse::Ok();
                    headers(&mut response, found.id, found.version, &found.locale, found.updated_at);
                    return stored(response, found.json, fields.as_ref());
                }
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, "point read failed; reading through the pool"),
            }
        }
        let Some(public) = renderings::public(reader, T::KIND, &key, &preference, default).await? else {
            return Err(not_found(T::KIND.as_str(), &key, &preference));
        };
        if let Some(json) = public.json {
            let d = &public.document;
            let mut response = HttpResponse::Ok();
            headers(&mut response, d.id, d.version, &d.locale, d.updated_at);
            return stored(response, json, fields.as_ref());
        }
    }
    let entry = documents::get_entry::<T, _>(reader, visibility, &key, &preference, default)
        .await?
        .ok_or_else(|| not_found(T::KIND.as_str(), &key, &preference))?;
    let d = &entry.document;
    let mut response = HttpResponse::Ok();
    headers(&mut response, d.id, d.version, &d.locale, d.updated_at);
    let dto = Dto::from(&entry);
    if linked_data::wants_json_ld(request) {
        let url = format!("{}/v1/{}/{}", origin(request), T::KIND.collection(), entry.document.id);
        return Ok(response.content_type(linked_data::JSON_LD).json(dto.json_ld(&url)));
    }
    selected(response, &dto, fields.as_ref(), false)
}

/// The headers of every representation of the document `id` at `version`.
fn headers(
    response: &mut HttpResponseBuilder,
    id: uuid::Uuid,
    version: i32,
    locale: &str,
    updated_at: chrono::DateTime<chrono::Utc>,
) {
    response
        .insert_header((header::ETAG, preconditions::version_etag(id, version)))
        .insert_header((header::CONTENT_LANGUAGE, locale.to_owned()))
        .insert_header((header::LAST_MODIFIED, http_date(updated_at)));
}

/// A stored representation, cut down to `fields` when asked.
fn stored(
    mut response: HttpResponseBuilder,
    json: String,
    fields: Option<&Fields>,
) -> Result<HttpResponse, AppError> {
    response.insert_header(header::ContentType::json());
    let Some(fields) = fields else { return Ok(response.body(json)) };
    let mut value: serde_json::Value = serde_json::from_str(&json).map_err(anyhow::Error::from)?;
    fields.select(&mut value);
    Ok(response.json(value))
}

/// No `kind` that `key` names, in the locales asked for.
fn not_found(kind: &str, key: &IdOrSlug, preference: &LocalePreference) -> AppError {
    let key = match key {
        IdOrSlug::Id(id) => id.to_string(),
        IdOrSlug::Slug(slug) => slug.as_str().to_owned(),
    };
    match preference {
        LocalePreference { strict: true, wanted } => {
            let locales: Vec<&str> = wanted.iter().map(Locale::as_str).collect();
            AppError::not_found(format!("no {kind} `{key}` in {}", locales.join(", ")))
        }
        _ => AppError::not_found(format!("no {kind} `{key}`")),
    }
}
