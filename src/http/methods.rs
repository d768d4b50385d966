//! Methods as HTTP defines them, for every route at once: `HEAD` is a `GET`
//! without its body (CDNs, link checkers and uptime monitors use it), a
//! method a route does not have is `405` with `Allow`, and `OPTIONS` says
//! which methods a route has.

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::AppError;

/// Middleware: a `HEAD` request is served as the `GET` it stands for (its
/// cache entry, its headers, its `ETag`); the HTTP layer then sends the
/// headers alone, with the `Content-Length` the body would have had.
pub async fn head_as_get(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let head = request.method() == Method::HEAD;
    if head {
        request.head_mut().method = Method::GET;
    }
    let response = next.call(request).await?.map_into_boxed_body();
    if head && matches!(response.response().body().size(), BodySize::Stream) {
        // A stream (live changes, or a compressed body) has no length to
        // tell, and a live stream would never end: it is not started.
        return Ok(response.map_body(|_, _| BoxBody::new(actix_web::body::None::new())));
    }
    Ok(response)
}

/// Every route of the API and its methods, from the OpenAPI document the
/// routes were registered with, and the documentation's own.
pub struct Routes(Vec<(ResourceDef, Vec<Method>)>);

impl Routes {
    pub fn of(api: &utoipa::openapi::OpenApi) -> Self {
        let mut routes: Vec<(ResourceDef, Vec<Method>)> = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (Method::GET, item.get.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                ];
                (
                    ResourceDef::new(path.as_str()),
                    methods.into_iter().filter(|(_, on)| *on).map(|(m, _)| m).collect(),
                )
            })
            .collect();
        for path in ["/openapi.json", "/docs", "/docs/{_:.*}"] {
            routes.push((ResourceDef::new(path), vec![Method::GET]));
        }
        Self(routes)
    }

    /// The methods `path` has, in a fixed order; empty when no route matches.
    pub fn allowed(&self, path: &str) -> Vec<Method> {
        let mut allowed: Vec<Method> = Vec::new();
        for (route, methods) in &self.0 {
            if route.is_match(path) {
                for method in methods {
                    if !allowed.contains(method) {
                        allowed.push(method.clone());
                    }
                }
            }
        }
        let order = |m: &Method| {
            [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE]
                .iter()
                .position(|o| o == m)
        };
        allowed.sort_by_key(order);
        allowed
    }
}

/// The `Allow` value for `methods`: `HEAD` wherever `GET` is, and `OPTIONS`.
fn allow(methods: &[Method]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for method in methods {
        names.push(method.as_str());
        if *method == Method::GET {
            names.push("HEAD");
        }
    }
    names.push("OPTIONS");
    names.join(", ")
}

/// The default service: a path no route has is `404`; a method the route
/// does not have is `405` with `Allow`; `OPTIONS` answers `204` with it.
pub async fn unrouted(request: HttpRequest, routes: web::Data<Routes>) -> Result<HttpResponse, AppError> {
    let allowed = routes.allowed(request.path());
    if allowed.is_empty() {
        return Err(AppError::not_found(format!("no route for {} {}", request.method(), request.path())));
    }
    if request.method() == Method::OPTIONS {
        return Ok(HttpResponse::build(StatusCode::NO_CONTENT)
            .insert_header((header::ALLOW, allow(&allowed)))
            .finish());
    }
    Err(AppError::MethodNotAllowed {
        detail: format!("{} takes {}, not {}", request.path(), allow(&allowed), request.method()),
        allow: allow(&allowed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_names_head_with_get_and_always_options() {
        assert_eq!(allow(&[Method::GET, Method::POST]), "GET, HEAD, POST, OPTIONS");
        assert_eq!(allow(&[Method::POST]), "POST, OPTIONS");
    }

    #[test]
    fn methods_of_every_matching_route_are_allowed() {
        let routes = Routes(vec![
            (ResourceDef::new("/v1/essays/{id_or_slug}"), vec![Method::GET, Method::PATCH, Method::DELETE]),
            (ResourceDef::new("/v1/essays/feed.atom"), vec![Method::GET]),
            (ResourceDef::new("/v1/essays"), vec![Method::GET, Method::POST]),
        ]);
        assert_eq!(routes.allowed("/v1/essays/feed.atom"), vec![Method::GET, Method::PATCH, Method::DELETE]);
        assert_eq!(routes.allowed("/v1/essays"), vec![Method::GET, Method::POST]);
        assert!(routes.allowed("/v1/poems").is_empty());
        assert!(routes.allowed("/v1/essays/a/b").is_empty());
    }
}
