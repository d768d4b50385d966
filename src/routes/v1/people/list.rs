use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{PersonList, PersonListParams, PersonSort, PersonSummary};
use crate::error::AppError;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, ServerError};
use crate::routes::v1::listing::listing;
use crate::routes::v1::params::page_request;
use crate::services::people;
use crate::state::AppState;

/// List people
///
/// Authors, writers and organizers in name order, with cursor pagination.
#[utoipa::path(
    tag = "people",
    operation_id = "list_people",
    params(PersonListParams),
    responses(
        (status = 200, description = "A page of people.", body = PersonList,
            headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 500, response = ServerError),
    )
)]
#[get("/people")]
pub async fn list_people(
    request: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<PersonListParams>,
) -> Result<HttpResponse, AppError> {
    let descending = params.sort == Some(PersonSort::NameDesc);
    let sort = if descending { "-name" } else { "name" };
    let (limit, after) = page_request(params.limit, params.cursor.as_deref(), sort)?;
    let page = people::list(state.reader(&request), descending, after.as_ref(), limit).await?;
    listing::<_, PersonSummary>(&request, page, params.fields.as_deref())
}
