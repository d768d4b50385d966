//! The OpenAPI document is the contract: generated from the code, committed,
//! and complete.

use serde_json::Value;

use crate::helpers::spawn_app;

const REGENERATE: &str = "cargo run -- openapi > openapi/openapi.json";

#[test]
fn the_committed_spec_is_up_to_date() {
    let generated = broadside::openapi::pretty_json().unwrap_or_else(|e| panic!("{e}"));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: regenerate it with `{REGENERATE}` and commit the result"
    );
}

#[tokio::test]
async fn the_served_spec_is_the_committed_one() {
    let app = spawn_app().await;
    let served = app.get_json("/openapi.json").await;
    let generated: Value = serde_json::from_str(&broadside::openapi::pretty_json().unwrap()).unwrap();
    assert_eq!(served, generated);
    assert_eq!(served["openapi"], "3.1.0");
}

#[test]
fn every_operation_is_documented_with_examples_and_errors() {
    let spec: Value = serde_json::to_value(broadside::openapi::document()).unwrap();
    let paths = spec["paths"].as_object().cloned().unwrap();
    let mut operation_ids = std::collections::HashSet::new();
    let mut operations = 0;
    for (path, item) in &paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            operations += 1;
            let name = format!("{} {path}", method.to_uppercase());
            for key in ["summary", "description", "operationId"] {
                assert!(op[key].as_str().is_some_and(|s| !s.is_empty()), "{name} has no {key}");
            }
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{name} has no tag");
            assert!(operation_ids.insert(op["operationId"].to_string()), "{name}: duplicate operationId");
            let responses =
                op["responses"].as_object().cloned().unwrap_or_else(|| panic!("{name} has no responses"));
            assert!(
                ["200", "201", "202", "204"].iter().any(|s| responses.contains_key(*s)),
                "{name} has no success response"
            );
            // Conditional-request headers are never malformed: at worst they do not match.
            let has_parameters =
                op["parameters"].as_array().is_some_and(|p| p.iter().any(|p| p["name"] != "If-None-Match"));
            let streams =
                responses.get("200").is_some_and(|ok| ok["content"].get("text/event-stream").is_some());
            if method == "get" && !streams {
                assert!(responses.contains_key("304"), "{name} does not document 304");
            }
            let has_body = op.get("requestBody").is_some();
            let secured = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.as_object().is_some_and(|o| !o.is_empty())));
            let mut expected = Vec::new();
            if path.starts_with("/v1") {
                expected.push("500");
            }
            if has_parameters || has_body {
                expected.push("400");
            }
            if has_body {
                expected.extend(["408", "413", "415", "422"]);
                let described = op["requestBody"]["description"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name}: the request body is not described"));
                assert!(described.contains("At most"), "{name}: the request body states no size limit");
            }
            if secured {
                expected.push("401");
            }
            if path.contains('{') {
                expected.push("404");
            }
            // Every write but signing in and out names who may make it.
            let sign_in = ["/v1/auth/token", "/v1/auth/refresh", "/v1/auth/logout"];
            if method != "get" && path.starts_with("/v1") && !sign_in.contains(&path.as_str()) {
                assert!(secured, "{name} changes state but declares no security requirement");
                expected.push("403");
            }
            let conditional =
                op["parameters"].as_array().into_iter().flatten().any(|p| p["name"] == "If-Match");
            if conditional {
                expected.extend(["412", "428"]);
            }
            for status in expected {
                assert!(responses.contains_key(status), "{name} does not document {status}");
            }
            for parameter in op["parameters"].as_array().into_iter().flatten() {
                let pname = parameter["name"].as_str().unwrap_or("?");
                assert!(parameter["description"].is_string(), "{name}: parameter {pname} has no description");
                assert!(
                    parameter.get("example").is_some() || parameter["schema"].get("example").is_some(),
                    "{name}: parameter {pname} has no example"
                );
            }
        }
    }
    assert!(operations >= 11, "only {operations} operations documented");
    for response in ["BadRequest", "NotFound", "ServerError"] {
        let content = &spec["components"]["responses"][response]["content"]["application/problem+json"];
        assert!(content["example"].is_object(), "{response} has no problem+json example");
    }
}

/// Every `$ref` in `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push(target.clone()),
                    _ => references(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves_and_sort_values_are_the_accepted_ones() {
    let spec: Value = serde_json::to_value(broadside::openapi::document()).unwrap();
    let mut found = Vec::new();
    references(&spec, &mut found);
    assert!(!found.is_empty());
    for target in found {
        let pointer = target.trim_start_matches('#');
        assert!(spec.pointer(pointer).is_some(), "{target} does not resolve");
    }
    let sorts = |path: &str| -> Vec<String> {
        spec["paths"][path]["get"]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == "sort")
            .and_then(|p| serde_json::from_value(p["schema"]["enum"].clone()).ok())
            .unwrap()
    };
    assert_eq!(sorts("/v1/essays"), ["-published_at", "published_at", "title", "-title"]);
    assert_eq!(sorts("/v1/events"), ["starts_at", "-starts_at", "title", "-title", "-published_at"]);
}
