//! The OpenAPI document describes every operation: a unique operation id, a description on
//! every response, a schema for the success body and for the error body (`ErrorBody`), and a
//! schema for the request body of every write.

use std::collections::BTreeSet;

use serde_json::Value;

fn document() -> Value {
    serde_json::from_str(&quanze_web::openapi_json()).expect("the document is JSON")
}

/// Every (method, path, operation) of the document.
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                out.push((method.clone(), path.clone(), op));
            }
        }
    }
    out
}

/// Whether a media-type map has at least one entry with a schema.
fn has_schema(content: &Value) -> bool {
    content
        .as_object()
        .is_some_and(|m| !m.is_empty() && m.values().all(|c| c.get("schema").is_some()))
}

#[test]
fn the_document_is_openapi_3_1_with_paths() {
    let doc = document();
    // For a look at the whole document: QUANZE_OPENAPI_OUT=/tmp/openapi.json (CI validates the
    // one `quanze openapi` prints).
    if let Some(out) = std::env::var_os("QUANZE_OPENAPI_OUT") {
        std::fs::write(out, quanze_web::openapi_json()).expect("writing the document");
    }
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    assert!(operations(&doc).len() >= 45, "only {} operations", operations(&doc).len());
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[test]
fn operation_ids_are_unique() {
    let doc = document();
    let mut seen = BTreeSet::new();
    let mut missing = Vec::new();
    let mut twice = Vec::new();
    for (method, path, op) in operations(&doc) {
        match op["operationId"].as_str() {
            None => missing.push(format!("{method} {path}")),
            Some(id) if !seen.insert(id.to_owned()) => {
                twice.push(format!("{id} ({method} {path})"))
            }
            Some(_) => {}
        }
    }
    assert!(missing.is_empty(), "operations without an id: {missing:?}");
    assert!(twice.is_empty(), "operation ids used twice: {twice:?}");
}

#[test]
fn every_response_has_a_description_and_a_schema() {
    let doc = document();
    let mut problems = Vec::new();
    for (method, path, op) in operations(&doc) {
        let at = format!("{method} {path}");
        let responses = op["responses"].as_object().expect("responses");
        let mut success = false;
        let mut error = false;
        for (status, response) in responses {
            if response["description"].as_str().is_none_or(|d| d.trim().is_empty()) {
                problems.push(format!("{at} {status}: no description"));
            }
            if !has_schema(&response["content"]) {
                problems.push(format!("{at} {status}: no schema"));
                continue;
            }
            if status.starts_with('2') {
                success = true;
            } else if status.starts_with('4') || status.starts_with('5') {
                let refs = response["content"]["application/json"]["schema"]["$ref"].as_str();
                if refs != Some("#/components/schemas/ErrorBody") {
                    problems.push(format!("{at} {status}: the error body is not ErrorBody"));
                }
                error = true;
            }
        }
        if !success {
            problems.push(format!("{at}: no success response with a schema"));
        }
        if !error {
            problems.push(format!("{at}: no error response with a schema"));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn every_write_has_a_request_schema() {
    let doc = document();
    let mut problems = Vec::new();
    for (method, path, op) in operations(&doc) {
        if method != "post" && method != "put" {
            continue;
        }
        if !has_schema(&op["requestBody"]["content"]) {
            problems.push(format!("{method} {path}"));
        }
    }
    assert!(problems.is_empty(), "writes without a request schema: {problems:?}");
}

#[test]
fn schema_references_resolve() {
    let doc = document();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut missing = BTreeSet::new();
    fn walk(v: &Value, schemas: &serde_json::Map<String, Value>, missing: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref")
                    && let Some(name) = r.strip_prefix("#/components/schemas/")
                    && !schemas.contains_key(name)
                {
                    missing.insert(name.to_owned());
                }
                m.values().for_each(|x| walk(x, schemas, missing));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, schemas, missing)),
            _ => {}
        }
    }
    walk(&doc, schemas, &mut missing);
    assert!(missing.is_empty(), "unresolved schema references: {missing:?}");
}

#[test]
fn the_main_schemas_have_examples() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let without: Vec<&str> = [
        "UnitView",
        "UnitSummary",
        "ListSummary",
        "VersionSummary",
        "LawView",
        "LedgerHeadView",
        "AuthorityAnswer",
        "Receipt",
        "Created",
        "RegionView",
    ]
    .into_iter()
    .filter(|name| schemas[*name]["example"].is_null())
    .collect();
    assert!(without.is_empty(), "schemas without an example: {without:?}");
}
