/// Declares, in the calling module, the operations on one person or tag:
/// get, create, change and delete, each documented for OpenAPI and one call
/// into the actions of [`super`].
macro_rules! catalog_routes {
    (
        tag = $tag:tt,
        singular = $singular:tt,
        input = $Input:ty,
        get_params = $Params:ty,
        paths = [$collection:tt, $item:tt],
        limit = $limit:tt,
        get = { summary = $get_summary:tt, description = $get_description:tt, found = $found:tt $(,)? },
        create = { summary = $create_summary:tt, description = $create_description:tt $(,)? },
        update = {
            summary = $update_summary:tt,
            description = $update_description:tt,
            body = $patch:tt $(,)?
        },
        delete = { summary = $delete_summary:tt, description = $delete_description:tt $(,)? } $(,)?
    ) => {
        use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

        use crate::error::AppError;
        use crate::http::body::{Json, MergePatch};
        use crate::http::caller::Caller;
        use crate::http::query::Query;
        use crate::routes::responses::{
            ChangeRefusals, Conflict, CreateRefusals, ReadRefusals, UnprocessableContent,
        };
        use crate::routes::v1::catalog::{self, CatalogInput};
        use crate::routes::v1::params::{IfMatch, KeyPath};
        use crate::state::AppState;

        type Dto = <$Input as CatalogInput>::Dto;

        pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
            config.service(create_entry).service(get_entry).service(update_entry).service(delete_entry);
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("get_", $singular),
            summary = $get_summary,
            description = $get_description,
            params(KeyPath, $Params),
            responses(
                (status = 200, description = $found, body = Dto,
                    headers(("ETag" = String, description = "Its version; send as If-Match to change it."))),
                ReadRefusals,
            )
        )]
        #[get($item)]
        pub async fn get_entry(
            request: HttpRequest,
            state: web::Data<AppState>,
            path: web::Path<KeyPath>,
            Query(params): Query<$Params>,
        ) -> Result<HttpResponse, AppError> {
            catalog::get::<$Input>(&state, &request, &path, params.fields.as_deref()).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("create_", $singular),
            summary = $create_summary,
            description = $create_description,
            security(("bearer" = []), ("api_key" = [])),
            request_body(content = $Input, description = $limit),
            responses(
                (status = 201, description = "Created.", body = Dto,
                    headers(
                        ("ETag" = String, description = "Send as If-Match to change it."),
                        ("Location" = String, description = "Where it is."),
                    )),
                CreateRefusals,
            )
        )]
        #[post($collection)]
        pub async fn create_entry(
            state: web::Data<AppState>,
            caller: Caller,
            body: Json<$Input>,
        ) -> Result<HttpResponse, AppError> {
            catalog::create(&state, caller, body.into_inner()).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("update_", $singular),
            summary = $update_summary,
            description = $update_description,
            security(("bearer" = []), ("api_key" = [])),
            params(KeyPath, IfMatch),
            request_body(content = $Input, content_type = "application/merge-patch+json", description = $patch),
            responses(
                (status = 200, description = "Changed.", body = Dto,
                    headers(("ETag" = String, description = "The new version's ETag."))),
                ChangeRefusals,
                (status = 409, response = Conflict),
                (status = 422, response = UnprocessableContent),
            )
        )]
        #[patch($item)]
        pub async fn update_entry(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            path: web::Path<KeyPath>,
            patch: MergePatch<$Input>,
        ) -> Result<HttpResponse, AppError> {
            catalog::update::<$Input>(&state, &request, caller, &path, &patch.patch).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("delete_", $singular),
            summary = $delete_summary,
            description = $delete_description,
            security(("bearer" = []), ("api_key" = [])),
            params(KeyPath, IfMatch),
            responses(
                (status = 204, description = "Deleted."),
                ChangeRefusals,
                (status = 409, response = Conflict),
            )
        )]
        #[delete($item)]
        pub async fn delete_entry(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            path: web::Path<KeyPath>,
        ) -> Result<HttpResponse, AppError> {
            catalog::delete::<$Input>(&state, &request, caller, &path).await
        }
    };
}
pub(crate) use catalog_routes;
