//! `GET /v1/{type}/{id_or_slug}` for any content type: the translation
//! asked for, as the caller may see it, as JSON (or its fields) or
//! schema.org JSON-LD.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::linked_data::{self, LinkedData};
use super::params::{GetParams, document_visibility};
use super::target::etag;
use crate::domain::{Locale, LocalePreference};
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::fields::Fields;
use crate::http::{http_date, origin};
use crate::routes::v1::listing::selected;
use crate::routes::v1::params::id_or_slug;
use crate::services::documents::{self, ContentType, Entry};
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
    let entry = documents::get_entry::<T, _>(reader, visibility, &id_or_slug(key)?, &preference, default)
        .await?
        .ok_or_else(|| not_found(T::KIND.as_str(), key, &preference))?;
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::ETAG, etag(&entry.document)))
        .insert_header((header::CONTENT_LANGUAGE, entry.document.locale.clone()))
        .insert_header((header::LAST_MODIFIED, http_date(entry.document.updated_at)));
    let dto = Dto::from(&entry);
    if linked_data::wants_json_ld(request) {
        let url = format!("{}/v1/{}/{}", origin(request), T::KIND.collection(), entry.document.id);
        return Ok(response.content_type(linked_data::JSON_LD).json(dto.json_ld(&url)));
    }
    selected(response, &dto, fields.as_ref(), false)
}

/// No `kind` that `key` names, in the locales asked for.
fn not_found(kind: &str, key: &str, preference: &LocalePreference) -> AppError {
    match preference {
        LocalePreference { strict: true, wanted } => {
            let locales: Vec<&str> = wanted.iter().map(Locale::as_str).collect();
            AppError::not_found(format!("no {kind} `{key}` in {}", locales.join(", ")))
        }
        _ => AppError::not_found(format!("no {kind} `{key}`")),
    }
}
