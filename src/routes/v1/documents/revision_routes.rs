/// Declares the revision operations of one content type: list, get, diff
/// and restore. Only [`document_routes!`](super::document_routes) calls it,
/// in a module where the names it uses are already imported.
macro_rules! revision_routes {
    (
        tag = $tag:tt,
        singular = $singular:tt,
        input = $Input:ty,
        paths = [$revisions:tt, $revision:tt, $diff:tt, $revert:tt $(,)?] $(,)?
    ) => {
        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("list_", $singular, "_revisions"),
            summary = concat!("List the revisions of a ", $singular),
            description = "Every version, newest first, with who made it, when, and why. Authenticated \
                readers only; authors, of their own documents only.",
            security(("bearer" = []), ("api_key" = [])),
            params(DocumentPath, RevisionListParams),
            responses(
                (status = 200, description = "A page of revisions.", body = documents::RevisionList),
                PrivateReadRefusals,
            )
        )]
        #[get($revisions)]
        pub async fn list_revisions(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            path: web::Path<DocumentPath>,
            Query(params): Query<RevisionListParams>,
        ) -> Result<HttpResponse, AppError> {
            documents::revisions::list::<Kind>(&state, &request, caller, &path, &params).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("get_", $singular, "_revision"),
            summary = concat!("Get a revision of a ", $singular),
            description = "The document as it was at that version. Authenticated readers only; authors, of \
                their own documents only.",
            security(("bearer" = []), ("api_key" = [])),
            params(RevisionPath),
            responses(
                (status = 200, description = "The revision.", body = documents::Revision),
                PrivateReadRefusals,
            )
        )]
        #[get($revision)]
        pub async fn get_revision(
            state: web::Data<AppState>,
            caller: Caller,
            path: web::Path<RevisionPath>,
        ) -> Result<HttpResponse, AppError> {
            documents::revisions::get::<Kind>(&state, caller, &path).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("diff_", $singular, "_revisions"),
            summary = concat!("Diff two revisions of a ", $singular),
            description = "A JSON Patch (RFC 6902) that turns version `against` into version `{version}`. \
                Authenticated readers only; authors, of their own documents only.",
            security(("bearer" = []), ("api_key" = [])),
            params(RevisionPath, DiffParams),
            responses(
                (status = 200, description = "The patch.", body = Vec<Object>,
                    content_type = "application/json-patch+json",
                    example = json!([{"op": "replace", "path": "/title", "value": "A better title"}])),
                PrivateReadRefusals,
            )
        )]
        #[get($diff)]
        pub async fn diff_revisions(
            state: web::Data<AppState>,
            caller: Caller,
            path: web::Path<RevisionPath>,
            Query(params): Query<DiffParams>,
        ) -> Result<HttpResponse, AppError> {
            documents::revisions::diff::<Kind>(&state, caller, &path, params.against).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("restore_", $singular, "_revision"),
            summary = concat!("Restore a revision of a ", $singular),
            description = "Writes a new revision whose content equals that version's; the publication \
                state is unchanged. `If-Match` with the current ETag is required.",
            security(("bearer" = []), ("api_key" = [])),
            params(RevisionPath, ChangeHeaders),
            responses(
                (status = 200, description = "Restored as a new revision.", body = Dto),
                ChangeRefusals,
                (status = 409, response = Conflict),
                (status = 422, response = UnprocessableContent),
            )
        )]
        #[post($revert)]
        pub async fn restore_revision(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            path: web::Path<RevisionPath>,
        ) -> Result<HttpResponse, AppError> {
            documents::revisions::restore::<$Input>(&state, &request, caller, &path).await
        }
    };
}
pub(crate) use revision_routes;
