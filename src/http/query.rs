//! A query-string extractor stricter than actix's: unknown parameters are
//! refused, and every rejection is a 400 problem that names the parameter.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Query parameters deserialized into `T` (which should deny unknown fields).
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(request.query_string()).map(Query))
    }
}

pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    // No parameter has a use for control characters; refused here, they
    // never reach a query (PostgreSQL cannot even hold U+0000).
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if let Err(e) = crate::domain::text::line(&value) {
            return Err(AppError::bad_parameter(&name, e.to_string()));
        }
    }
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let message = error.inner().to_string();
        let path = error.path().to_string();
        let field = if path.is_empty() || path == "." {
            // serde reports an unknown field at the root; its name is in the message.
            message.split('`').nth(1).unwrap_or("?").to_owned()
        } else {
            path
        };
        if message.starts_with("unknown field") {
            let allowed = message.split_once("expected ").map(|(_, rest)| rest).unwrap_or("none");
            return AppError::bad_parameter(&field, format!("unknown parameter; expected {allowed}"));
        }
        AppError::bad_parameter(&field, message)
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Params {
        limit: Option<u32>,
        cursor: Option<String>,
    }

    fn field_of(query: &str) -> Option<String> {
        match parse::<Params>(query) {
            Err(AppError::BadRequest { errors, .. }) => errors.first().map(|e| e.field.clone()),
            _ => None,
        }
    }

    #[test]
    fn names_the_parameter_that_is_wrong() {
        assert_eq!(field_of("limit=ten"), Some("limit".into()));
        assert_eq!(field_of("limit=5&colour=red"), Some("colour".into()));
        assert_eq!(field_of("limit=1&limit=2"), Some("limit".into()));
        assert!(parse::<Params>("limit=5&cursor=abc").is_ok());
        assert!(parse::<Params>("").is_ok());
        assert_eq!(field_of("cursor=a%00b"), Some("cursor".into()));
        assert_eq!(field_of("cursor=a%0D%0Ab"), Some("cursor".into()));
    }
}
