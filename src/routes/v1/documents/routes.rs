/// Declares, in the calling module, the operations on one document of a
/// content type: get, the writes and the revisions. Each is documented for
/// OpenAPI (utoipa needs the type's own body and DTO named in each
/// annotation) and is one call into the action of
/// [`crate::routes::v1::documents`] that does the work.
macro_rules! document_routes {
    (
        tag = $tag:tt,
        singular = $singular:tt,
        input = $Input:ty,
        published = $Published:ident,
        get = {
            summary = $get_summary:tt,
            description = $get_description:tt,
            found = $found:tt,
            json_ld = $json_ld:tt $(,)?
        },
        paths = [$collection:tt, $item:tt, $publish:tt, $unpublish:tt, $archive:tt, $restore:tt,
                 $revisions:tt, $revision:tt, $diff:tt, $revert:tt $(,)?] $(,)?
    ) => {
        use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

        use crate::error::AppError;
        use crate::http::body::{Json, MergePatch, OptionalJson};
        use crate::http::caller::Caller;
        use crate::http::query::Query;
        use crate::routes::responses::{
            ChangeRefusals, Conflict, CreateRefusals, PrivateReadRefusals, PublicReadRefusals,
            UnprocessableContent,
        };
        use crate::routes::v1::documents::{
            self, AcceptLanguage, ChangeHeaders, ContentInput, DeleteParams, DiffParams, DocumentPath,
            GetParams, PublishRequest, RevisionListParams, RevisionPath,
        };
        use crate::services::workflow::Transition;
        use crate::state::AppState;

        type Kind = <$Input as ContentInput>::Type;
        type Dto = <$Input as ContentInput>::Dto;

        /// The result of publishing.
        #[derive(utoipa::ToSchema)]
        #[allow(dead_code)]
        pub struct $Published {
            pub document: Dto,
            /// Non-blocking: placeholder copy found in the text, such as "lorem ipsum".
            pub warnings: Vec<String>,
        }

        pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
            config
                .service(create)
                .service(update)
                .service(remove)
                .service(restore)
                .service(publish)
                .service(unpublish)
                .service(archive)
                .service(list_revisions)
                .service(get_revision)
                .service(diff_revisions)
                .service(restore_revision)
                .service(get_document);
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("get_", $singular),
            summary = $get_summary,
            description = $get_description,
            security((), ("bearer" = []), ("api_key" = [])),
            params(DocumentPath, GetParams, AcceptLanguage),
            responses(
                (status = 200, description = $found,
                    content((Dto = "application/json"), (Object = "application/ld+json", example = json!$json_ld)),
                    headers(("Content-Language" = String, description = "The locale of the document served."))),
                PublicReadRefusals,
            )
        )]
        #[get($item)]
        pub async fn get_document(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            path: web::Path<DocumentPath>,
            Query(params): Query<GetParams>,
        ) -> Result<HttpResponse, AppError> {
            documents::get::<Kind, Dto>(&state, &request, &caller, &path, &params).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("create_", $singular),
            summary = concat!("Create a draft ", $singular),
            description = "Validates every field (422 lists each invalid one), creates the document as a \
                draft at version 1 and records revision 1. Authors, editors, admins and keys with \
                `content:write`.",
            security(("bearer" = []), ("api_key" = [])),
            params(("X-Revision-Message" = Option<String>, Header, example = "First draft",
                description = "Why, recorded with the revision (≤ 500 characters).")),
            request_body(content = $Input,
                description = "At most 768 KiB of JSON; the Markdown in it at most 512 KiB."),
            responses(
                (status = 201, description = "Created.", body = Dto,
                    headers(
                        ("ETag" = String, description = "Send as If-Match to change it."),
                        ("Location" = String, description = "The new document."),
                    )),
                CreateRefusals,
            )
        )]
        #[post($collection)]
        pub async fn create(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            body: Json<$Input>,
        ) -> Result<HttpResponse, AppError> {
            documents::create::<$Input>(&state, &request, caller, body.into_inner()).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("update_", $singular),
            summary = concat!("Change a ", $singular),
            description = "Applies a JSON Merge Patch (RFC 7396) to the document's writable fields (the \
                shape of the create body) and records a revision. `If-Match` with the current ETag is \
                required: 428 without it, 412 when the document changed meanwhile. Authors may change only \
                their own drafts.",
            security(("bearer" = []), ("api_key" = [])),
            params(DocumentPath, ChangeHeaders),
            request_body(content = $Input, content_type = "application/merge-patch+json",
                description = "Any subset of the writable fields; `null` removes an optional one. At most \
                    768 KiB."),
            responses(
                (status = 200, description = "Changed.", body = Dto,
                    headers(("ETag" = String, description = "The new version's ETag."))),
                ChangeRefusals,
                (status = 409, response = Conflict),
                (status = 422, response = UnprocessableContent),
            )
        )]
        #[patch($item)]
        pub async fn update(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            path: web::Path<DocumentPath>,
            patch: MergePatch<$Input>,
        ) -> Result<HttpResponse, AppError> {
            documents::update::<$Input>(&state, &request, caller, &path, patch.patch).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("delete_", $singular),
            summary = concat!("Delete a ", $singular),
            description = "Soft delete: the document leaves every public and authenticated surface and can \
                be restored with `…/restore`. With `purge=true` (admins only) it is deleted for good, \
                revisions included. `If-Match` is required.",
            security(("bearer" = []), ("api_key" = [])),
            params(DocumentPath, ChangeHeaders, DeleteParams),
            responses(
                (status = 200, description = "Soft-deleted.", body = Dto),
                (status = 204, description = "Purged."),
                ChangeRefusals,
            )
        )]
        #[delete($item)]
        pub async fn remove(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            path: web::Path<DocumentPath>,
            Query(params): Query<DeleteParams>,
        ) -> Result<HttpResponse, AppError> {
            if params.purge == Some(true) {
                return documents::purge::<Kind>(&state, &request, caller, &path).await;
            }
            documents::change_state::<$Input>(&state, &request, caller, &path, Transition::Delete).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("restore_", $singular),
            summary = concat!("Restore a deleted ", $singular),
            description = "Undoes a soft delete. `If-Match` is required: the ETag the delete answered \
                with, or the one `status=deleted` lists.",
            security(("bearer" = []), ("api_key" = [])),
            params(DocumentPath, ChangeHeaders),
            responses((status = 200, description = "Restored.", body = Dto), ChangeRefusals)
        )]
        #[post($restore)]
        pub async fn restore(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            path: web::Path<DocumentPath>,
        ) -> Result<HttpResponse, AppError> {
            documents::change_state::<$Input>(&state, &request, caller, &path, Transition::Restore).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("publish_", $singular),
            summary = concat!("Publish a ", $singular),
            description = "Publishes now, or at `publish_at` (the document is `scheduled` until the \
                scheduler publishes it, within seconds of that time). Answers with non-blocking `warnings` \
                when the text contains placeholder copy. Editors, admins and keys with `content:write`. \
                `If-Match` is required.",
            security(("bearer" = []), ("api_key" = [])),
            params(DocumentPath, ChangeHeaders),
            request_body(content = Option<PublishRequest>,
                description = "Optional: when to publish. At most 1 KiB."),
            responses(
                (status = 200, description = "Published or scheduled.", body = $Published),
                ChangeRefusals,
                (status = 422, response = UnprocessableContent),
            )
        )]
        #[post($publish)]
        pub async fn publish(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            path: web::Path<DocumentPath>,
            OptionalJson(body): OptionalJson<PublishRequest>,
        ) -> Result<HttpResponse, AppError> {
            let publish_at = body.and_then(|b| b.publish_at);
            documents::publish::<$Input>(&state, &request, caller, &path, publish_at).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("unpublish_", $singular),
            summary = concat!("Unpublish a ", $singular),
            description = "Back to draft: it leaves every public surface. Editors, admins and keys with \
                `content:write`. `If-Match` is required.",
            security(("bearer" = []), ("api_key" = [])),
            params(DocumentPath, ChangeHeaders),
            responses((status = 200, description = "Now a draft.", body = Dto), ChangeRefusals)
        )]
        #[post($unpublish)]
        pub async fn unpublish(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            path: web::Path<DocumentPath>,
        ) -> Result<HttpResponse, AppError> {
            documents::change_state::<$Input>(&state, &request, caller, &path, Transition::Unpublish).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("archive_", $singular),
            summary = concat!("Archive a ", $singular),
            description = "Archived documents leave every public surface but are kept. Editors, admins and \
                keys with `content:write`. `If-Match` is required.",
            security(("bearer" = []), ("api_key" = [])),
            params(DocumentPath, ChangeHeaders),
            responses((status = 200, description = "Archived.", body = Dto), ChangeRefusals)
        )]
        #[post($archive)]
        pub async fn archive(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            path: web::Path<DocumentPath>,
        ) -> Result<HttpResponse, AppError> {
            documents::change_state::<$Input>(&state, &request, caller, &path, Transition::Archive).await
        }

        $crate::routes::v1::documents::revision_routes!(
            tag = $tag,
            singular = $singular,
            input = $Input,
            paths = [$revisions, $revision, $diff, $revert],
        );
    };
}
pub(crate) use document_routes;
