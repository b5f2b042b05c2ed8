//! Swagger 2.0 -> OpenAPI 3.0.3, by structural rules that hold for any Swagger 2.0 document.
//!
//! Each rule is the mapping the OpenAPI 3.0 specification gives for the Swagger 2.0
//! construct (section "Migrating from Swagger 2.0" of the OpenAPI 3.0 documentation):
//!
//! - `definitions` -> `components/schemas`, every `$ref` rewritten to match;
//! - `in: body` parameters -> `requestBody`, with one media type picked from `consumes`;
//! - other parameters: `type`/`format`/`items`/`enum`/`default`/`pattern` -> `schema`;
//! - responses: status keys as strings, `schema` -> `content[<media type>]` picked from
//!   `produces`, response `headers` get a `schema`, `examples` dropped;
//! - `x-nullable` -> `nullable`; `type: file` -> `string`/`binary`;
//! - `swagger`, `host`, `basePath`, `schemes`, global `produces`/`consumes` dropped: the
//!   client adds the negotiated `/v1.xx` prefix at run time, so the paths stay unversioned.

use serde_json::{Map, Value, json};

use super::{Error, RuleLog};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Keys a Swagger 2.0 non-body parameter carries that belong in its OpenAPI 3.0 `schema`.
const PARAM_SCHEMA_KEYS: [&str; 14] = [
    "type",
    "format",
    "items",
    "enum",
    "default",
    "pattern",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
];

/// Convert a whole Swagger 2.0 document.
pub fn swagger_to_openapi(swagger: &Value, log: &mut RuleLog) -> Result<Value, Error> {
    let version = swagger.get("swagger").and_then(Value::as_str).unwrap_or("");
    if version != "2.0" {
        return Err(Error::new(
            "swagger",
            "convert",
            format!("expected a Swagger 2.0 document, found swagger: {version:?}"),
        ));
    }
    let global_consumes = strings(swagger.get("consumes"));
    let global_produces = strings(swagger.get("produces"));

    let mut doc = Map::new();
    doc.insert("openapi".into(), json!("3.0.3"));
    doc.insert(
        "info".into(),
        swagger.get("info").cloned().unwrap_or_else(|| json!({})),
    );
    if let Some(tags) = swagger.get("tags") {
        doc.insert("tags".into(), tags.clone());
    }

    let mut schemas = Map::new();
    if let Some(defs) = swagger.get("definitions").and_then(Value::as_object) {
        for (name, schema) in defs {
            let mut schema = schema.clone();
            convert_schema(&mut schema, &format!("definitions/{name}"), log);
            schemas.insert(name.clone(), schema);
        }
    }

    let mut paths = Map::new();
    if let Some(src_paths) = swagger.get("paths").and_then(Value::as_object) {
        for (path, item) in src_paths {
            let item = item
                .as_object()
                .ok_or_else(|| Error::new(path.clone(), "convert", "path item is not an object"))?;
            let shared_params = item
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut out_item = Map::new();
            for (method, op) in item {
                if method == "parameters" {
                    continue;
                }
                if !METHODS.contains(&method.as_str()) {
                    return Err(Error::new(
                        path.to_string(),
                        "convert",
                        format!("unknown path item key {method:?}"),
                    ));
                }
                let location = format!("{} {}", method.to_uppercase(), path);
                let converted = convert_operation(
                    op,
                    &shared_params,
                    &global_consumes,
                    &global_produces,
                    &location,
                    log,
                )?;
                out_item.insert(method.clone(), converted);
            }
            paths.insert(path.clone(), Value::Object(out_item));
        }
    }
    doc.insert("paths".into(), Value::Object(paths));
    doc.insert(
        "components".into(),
        json!({ "schemas": Value::Object(schemas) }),
    );
    Ok(Value::Object(doc))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn convert_operation(
    op: &Value,
    shared_params: &[Value],
    global_consumes: &[String],
    global_produces: &[String],
    location: &str,
    log: &mut RuleLog,
) -> Result<Value, Error> {
    let src = op
        .as_object()
        .ok_or_else(|| Error::new(location, "convert", "operation is not an object"))?;
    let consumes = src
        .get("consumes")
        .map(|c| strings(Some(c)))
        .unwrap_or_else(|| global_consumes.to_vec());
    let produces = src
        .get("produces")
        .map(|p| strings(Some(p)))
        .unwrap_or_else(|| global_produces.to_vec());

    let mut out = Map::new();
    for key in [
        "operationId",
        "summary",
        "description",
        "tags",
        "deprecated",
    ] {
        if let Some(v) = src.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    if !out.contains_key("operationId") {
        return Err(Error::new(
            location,
            "convert",
            "operation has no operationId",
        ));
    }

    let mut params = Vec::new();
    let own = src
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // Operation-level parameters override path-level ones with the same name and location.
    let mut all: Vec<Value> = shared_params
        .iter()
        .filter(|p| {
            !own.iter()
                .any(|o| o.get("name") == p.get("name") && o.get("in") == p.get("in"))
        })
        .cloned()
        .collect();
    all.extend(own);
    for param in all {
        let name = param
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        let place = param.get("in").and_then(Value::as_str).unwrap_or("");
        match place {
            "body" => {
                let media = pick_request_media(&consumes);
                let mut schema = param.get("schema").cloned().unwrap_or_else(|| json!({}));
                convert_schema(&mut schema, &format!("{location} body"), log);
                let mut body = Map::new();
                if let Some(d) = param.get("description") {
                    body.insert("description".into(), d.clone());
                }
                body.insert(
                    "required".into(),
                    json!(
                        param
                            .get("required")
                            .and_then(Value::as_bool)
                            .unwrap_or(false)
                    ),
                );
                body.insert("content".into(), json!({ media: { "schema": schema } }));
                out.insert("requestBody".into(), Value::Object(body));
            }
            "formData" => {
                return Err(Error::new(
                    location,
                    "convert",
                    format!("formData parameter {name:?} is not supported"),
                ));
            }
            "query" | "path" | "header" => params.push(convert_parameter(&param, location, log)),
            other => {
                return Err(Error::new(
                    location,
                    "convert",
                    format!("parameter {name:?} has unknown location {other:?}"),
                ));
            }
        }
    }
    if !params.is_empty() {
        out.insert("parameters".into(), Value::Array(params));
    }

    let mut responses = Map::new();
    if let Some(src_responses) = src.get("responses").and_then(Value::as_object) {
        for (code, response) in src_responses {
            let media = pick_response_media(&produces, response.get("schema"));
            let mut r = Map::new();
            r.insert(
                "description".into(),
                response
                    .get("description")
                    .cloned()
                    .unwrap_or_else(|| json!("")),
            );
            if let Some(schema) = response.get("schema") {
                let mut schema = schema.clone();
                convert_schema(&mut schema, &format!("{location} response {code}"), log);
                r.insert("content".into(), json!({ media: { "schema": schema } }));
            }
            if let Some(headers) = response.get("headers").and_then(Value::as_object) {
                let mut hs = Map::new();
                for (h, spec) in headers {
                    let mut schema = Map::new();
                    let mut header = Map::new();
                    for (k, v) in spec.as_object().into_iter().flatten() {
                        if k == "description" {
                            header.insert(k.clone(), v.clone());
                        } else if PARAM_SCHEMA_KEYS.contains(&k.as_str()) {
                            schema.insert(k.clone(), v.clone());
                        }
                    }
                    header.insert("schema".into(), Value::Object(schema));
                    hs.insert(h.clone(), Value::Object(header));
                }
                r.insert("headers".into(), Value::Object(hs));
            }
            responses.insert(code.clone(), Value::Object(r));
        }
    }
    out.insert("responses".into(), Value::Object(responses));
    Ok(Value::Object(out))
}

fn convert_parameter(param: &Value, location: &str, log: &mut RuleLog) -> Value {
    let mut out = Map::new();
    let mut schema = Map::new();
    for (k, v) in param.as_object().into_iter().flatten() {
        match k.as_str() {
            "name" | "in" | "description" | "required" => {
                out.insert(k.clone(), v.clone());
            }
            // Swagger's array serialisation hint; OpenAPI 3 expresses it with style/explode.
            // The Engine API takes no array-valued query parameters, so it carries nothing.
            "collectionFormat" => {}
            k if PARAM_SCHEMA_KEYS.contains(&k) => {
                schema.insert(k.to_string(), v.clone());
            }
            _ => {}
        }
    }
    let mut schema = Value::Object(schema);
    let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
    convert_schema(&mut schema, &format!("{location} parameter {name}"), log);
    out.insert("schema".into(), schema);
    Value::Object(out)
}

/// The request media type progenitor should see. progenitor takes one media type per body
/// and knows JSON, octet-stream, text/plain and forms. Tar archives are bytes on the wire:
/// both engines accept them as `application/octet-stream`.
fn pick_request_media(consumes: &[String]) -> &'static str {
    if consumes.is_empty() || consumes.iter().any(|c| c == "application/json") {
        "application/json"
    } else if consumes.iter().any(|c| c == "text/plain")
        && !consumes
            .iter()
            .any(|c| c.contains("octet") || c.contains("tar"))
    {
        "text/plain"
    } else {
        "application/octet-stream"
    }
}

/// The response media type: JSON when the operation produces JSON and the schema is not raw
/// bytes, else octet-stream (logs, archives, raw streams, plain text: progenitor hands all
/// of them back as a byte stream).
fn pick_response_media(produces: &[String], schema: Option<&Value>) -> &'static str {
    let binary = schema.is_some_and(|s| {
        s.get("format").and_then(Value::as_str) == Some("binary")
            || s.get("type").and_then(Value::as_str) == Some("file")
    });
    if !binary && (produces.is_empty() || produces.iter().any(|p| p == "application/json")) {
        "application/json"
    } else {
        "application/octet-stream"
    }
}

/// Rewrite one schema in place, recursively: `$ref` targets, `x-nullable`, `type: file`,
/// and vendor keys OpenAPI 3.0 schemas do not have.
pub fn convert_schema(schema: &mut Value, location: &str, log: &mut RuleLog) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(name) = r.strip_prefix("#/definitions/")
            {
                *r = format!("#/components/schemas/{name}");
            }
            if let Some(n) = map.remove("x-nullable") {
                map.insert("nullable".into(), n);
            }
            if map.get("type").and_then(Value::as_str) == Some("file") {
                map.insert("type".into(), json!("string"));
                map.insert("format".into(), json!("binary"));
                log.fired("file-as-binary", location);
            }
            // Swagger's `example` on a schema is valid OpenAPI 3.0 too; `x-*` stay as
            // extensions. Recurse into the schema-valued keys only, so that property
            // *names* such as `type` are never mistaken for keywords.
            for key in ["items", "additionalProperties", "not"] {
                if let Some(child) = map.get_mut(key)
                    && child.is_object()
                {
                    convert_schema(child, location, log);
                }
            }
            for key in ["allOf", "anyOf", "oneOf"] {
                if let Some(Value::Array(items)) = map.get_mut(key) {
                    for child in items {
                        convert_schema(child, location, log);
                    }
                }
            }
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                for (name, child) in props.iter_mut() {
                    convert_schema(child, &format!("{location}.{name}"), log);
                }
            }
        }
        Value::Array(items) => {
            for child in items {
                convert_schema(child, location, log);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(yaml: &str) -> Value {
        let swagger = super::super::parse_yaml(yaml).unwrap();
        swagger_to_openapi(&swagger, &mut RuleLog::default()).unwrap()
    }

    #[test]
    fn definitions_become_components_and_refs_follow() {
        let doc = convert(
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\ndefinitions:\n  A: {type: object, properties: {b: {$ref: '#/definitions/B'}}}\n  B: {type: string}\n",
        );
        assert_eq!(doc["openapi"], "3.0.3");
        assert_eq!(
            doc["components"]["schemas"]["A"]["properties"]["b"]["$ref"],
            "#/components/schemas/B"
        );
        assert!(doc.get("definitions").is_none());
    }

    #[test]
    fn body_parameter_becomes_request_body_with_consumed_media() {
        let doc = convert(
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\nconsumes: [application/json]\npaths:\n  /x:\n    post:\n      operationId: X\n      consumes: [application/x-tar]\n      parameters:\n        - {name: q, in: query, type: integer, default: 3}\n        - {name: ctx, in: body, schema: {type: string, format: binary}}\n      responses:\n        200: {description: ok}\n",
        );
        let op = &doc["paths"]["/x"]["post"];
        assert_eq!(
            op["requestBody"]["content"]["application/octet-stream"]["schema"]["format"],
            "binary"
        );
        assert_eq!(op["requestBody"]["required"], false);
        assert_eq!(
            op["parameters"][0]["schema"],
            json!({"type": "integer", "default": 3})
        );
        assert!(
            op["responses"].get("200").is_some(),
            "integer status keys become strings"
        );
    }

    #[test]
    fn response_schema_moves_under_produced_media_and_headers_get_schemas() {
        let doc = convert(
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /p:\n    get:\n      operationId: P\n      produces: [text/plain]\n      responses:\n        200:\n          description: ok\n          schema: {type: string}\n          headers: {Api-Version: {type: string, description: v}}\n",
        );
        let r = &doc["paths"]["/p"]["get"]["responses"]["200"];
        assert_eq!(
            r["content"]["application/octet-stream"]["schema"]["type"],
            "string"
        );
        assert_eq!(r["headers"]["Api-Version"]["schema"]["type"], "string");
    }

    #[test]
    fn x_nullable_and_file_are_translated_but_property_names_are_not() {
        let mut log = RuleLog::default();
        let mut s =
            json!({"type": "object", "x-nullable": true, "properties": {"type": {"type": "file"}}});
        convert_schema(&mut s, "t", &mut log);
        assert_eq!(s["nullable"], true);
        assert_eq!(
            s["properties"]["type"],
            json!({"type": "string", "format": "binary"})
        );
    }

    #[test]
    fn not_swagger_two_is_a_named_error() {
        let err =
            swagger_to_openapi(&json!({"openapi": "3.0.0"}), &mut RuleLog::default()).unwrap_err();
        assert!(err.to_string().contains("Swagger 2.0"), "{err}");
    }
}
