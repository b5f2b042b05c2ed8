//! Named corrections applied to the converted OpenAPI 3.0 document.
//!
//! Each rule says which engine sent what, or which progenitor limit it works around. Every
//! rule is generic (it matches a shape, never a type name), so it applies unchanged to any
//! version of the Engine's swagger file, and each application is logged with its location.

use serde_json::{Map, Value, json};

use super::{Error, RuleLog};

/// Apply every rule, in order.
pub fn apply_all(doc: &mut Value, log: &mut RuleLog) -> Result<(), Error> {
    wire_form_differs(doc, log);
    array_definition_as_item(doc, log);
    drop_content_type_header_params(doc, log);
    prose_code_blocks(doc, "#", log);
    streams_are_bytes(doc, log);
    success_without_schema_is_bytes(doc, log);
    byte_bodies_are_binary(doc, log);
    errors_are_json(doc, log);
    one_success_type(doc, log)?;
    one_error_type(doc, log);
    every_error_is_typed(doc, log);
    top_level_nullable(doc, log);
    for_each_body_schema(doc, &mut |schema, location| {
        ref_sibling_nullable(schema, location, log);
        nullable_collections(schema, location, log);
        open_enums(schema, location, log);
        tolerate_missing_required(schema, location, log);
        text_formats(schema, location, log);
        validation_to_docs(schema, location, log);
    });
    for_each_parameter_schema(doc, &mut |schema, location| {
        text_formats(schema, location, log);
        validation_to_docs(schema, location, log);
    });
    Ok(())
}

/// Visit every schema object reachable from components, request bodies and responses:
/// the schemas of data that crosses the wire as JSON (or bytes).
fn for_each_body_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            walk(schema, &format!("#/components/schemas/{name}"), f);
        }
    }
    for_each_operation(doc, &mut |op, location| {
        if let Some(Value::Object(content)) =
            op.get_mut("requestBody").and_then(|b| b.get_mut("content"))
        {
            for media in content.values_mut() {
                if let Some(schema) = media.get_mut("schema") {
                    walk(schema, &format!("{location} body"), f);
                }
            }
        }
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            for (code, response) in responses.iter_mut() {
                if let Some(Value::Object(content)) = response.get_mut("content") {
                    for media in content.values_mut() {
                        if let Some(schema) = media.get_mut("schema") {
                            walk(schema, &format!("{location} response {code}"), f);
                        }
                    }
                }
            }
        }
    });
}

fn for_each_parameter_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    for_each_operation(doc, &mut |op, location| {
        if let Some(Value::Array(params)) = op.get_mut("parameters") {
            for p in params {
                let name = p
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string();
                if let Some(schema) = p.get_mut("schema") {
                    walk(schema, &format!("{location} parameter {name}"), f);
                }
            }
        }
    });
}

fn for_each_operation(doc: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            if let Value::Object(item) = item {
                for (method, op) in item.iter_mut() {
                    if let Value::Object(op) = op {
                        let location = format!("{} {}", method.to_uppercase(), path);
                        f(op, &location);
                    }
                }
            }
        }
    }
}

/// Depth-first over schema-valued keys; `location` grows with property names.
fn walk(schema: &mut Value, location: &str, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    let Value::Object(map) = schema else { return };
    f(map, location);
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = map.get_mut(key) {
            walk(child, &format!("{location}[{key}]"), f);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = map.get_mut(key) {
            for (i, child) in items.iter_mut().enumerate() {
                walk(child, &format!("{location}[{key}{i}]"), f);
            }
        }
    }
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for (name, child) in props.iter_mut() {
            walk(child, &format!("{location}.{name}"), f);
        }
    }
}

/// `array-definition-as-item`: a definition that is itself an array, used as the `items` of
/// another array, stands for its own items there. v1.41's `ContainerSummary` is an array,
/// and `SystemDataUsageResponse.Containers` lists it as items: an array of arrays, where the
/// daemon sends an array of containers (seen on Docker 20.10 and 28.5 at API 1.41: `GET
/// /system/df` did not decode). The definition's items become a definition of their own,
/// `<Name>Item`, and such `items` refer to it.
fn array_definition_as_item(doc: &mut Value, log: &mut RuleLog) {
    let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") else {
        return;
    };
    let arrays: Vec<String> = schemas
        .iter()
        .filter(|(_, s)| {
            s.get("type").and_then(Value::as_str) == Some("array") && s.get("items").is_some()
        })
        .map(|(name, _)| name.clone())
        .collect();
    let refs: Vec<(String, String)> = arrays
        .iter()
        .map(|n| (n.clone(), format!("#/components/schemas/{n}")))
        .collect();
    // Where is an array definition used as `items`?
    let mut used: Vec<String> = Vec::new();
    for_each_body_schema(doc, &mut |schema, _| {
        if let Some(r) = schema
            .get("items")
            .and_then(|i| i.get("$ref"))
            .and_then(Value::as_str)
            && let Some((name, _)) = refs.iter().find(|(_, full)| full == r)
            && !used.contains(name)
        {
            used.push(name.clone());
        }
    });
    if used.is_empty() {
        return;
    }
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return;
    };
    let mut item_ref = Vec::new();
    for name in &used {
        let items = schemas[name]["items"].clone();
        let target = match items.get("$ref").and_then(Value::as_str) {
            Some(r) => r.to_string(),
            None => {
                let item = format!("{name}Item");
                if schemas.contains_key(&item) {
                    continue;
                }
                schemas.insert(item.clone(), items);
                let r = format!("#/components/schemas/{item}");
                schemas[name]["items"] = json!({ "$ref": r });
                r
            }
        };
        item_ref.push((format!("#/components/schemas/{name}"), target));
    }
    for_each_body_schema(doc, &mut |schema, location| {
        let Some(items) = schema.get_mut("items") else {
            return;
        };
        let Some(r) = items.get("$ref").and_then(Value::as_str) else {
            return;
        };
        if let Some((_, target)) = item_ref.iter().find(|(from, _)| from == r) {
            items["$ref"] = Value::String(target.clone());
            log.fired("array-definition-as-item", location);
        }
    });
}

/// `content-type-header-param`: `/build` declares its `Content-type` header as a parameter.
/// progenitor sets the content type from the request body's media type, and a second,
/// caller-supplied value could contradict it; the body's media type wins.
fn drop_content_type_header_params(doc: &mut Value, log: &mut RuleLog) {
    for_each_operation(doc, &mut |op, location| {
        if let Some(Value::Array(params)) = op.get_mut("parameters") {
            params.retain(|p| {
                let is_ct = p.get("in").and_then(Value::as_str) == Some("header")
                    && p.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case("content-type"));
                if is_ct {
                    log.fired("content-type-header-param", location);
                }
                !is_ct
            });
        }
    });
}

/// `prose-code-blocks`: the spec's descriptions hold JSON and shell examples in fences with
/// no language. Doc comments are Markdown to rustdoc, which would compile such a block as a
/// Rust doctest; they are marked `text`.
fn prose_code_blocks(value: &mut Value, location: &str, log: &mut RuleLog) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if let (true, Value::String(text)) = (key == "description", &mut *child) {
                    if let Some(fixed) = mark_fences(text) {
                        *text = fixed;
                        log.fired("prose-code-blocks", location);
                    }
                } else {
                    prose_code_blocks(child, &format!("{location}/{key}"), log);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                prose_code_blocks(child, &format!("{location}/{i}"), log);
            }
        }
        _ => {}
    }
}

/// Opening fences without an info string get `text`, and indented code blocks (four
/// spaces after a blank line) become fenced `text` blocks; `None` when nothing changes.
fn mark_fences(text: &str) -> Option<String> {
    let indented = |l: &str| l.starts_with("    ") && !l.trim().is_empty();
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out: Vec<String> = Vec::new();
    let (mut fenced, mut changed) = (false, false);
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            if !fenced && info.trim().is_empty() {
                out.push(format!("{}```text", &line[..line.len() - trimmed.len()]));
                changed = true;
            } else {
                out.push(line.to_string());
            }
            fenced = !fenced;
            i += 1;
            continue;
        }
        let after_blank = i == 0 || lines[i - 1].trim().is_empty();
        if !fenced && after_blank && indented(line) {
            out.push("```text".to_string());
            while i < lines.len()
                && (indented(lines[i])
                    || (lines[i].trim().is_empty()
                        && lines.get(i + 1).is_some_and(|n| indented(n))))
            {
                out.push(lines[i].get(4..).unwrap_or("").to_string());
                i += 1;
            }
            out.push("```".to_string());
            changed = true;
            continue;
        }
        out.push(line.to_string());
        i += 1;
    }
    changed.then(|| out.join("\n"))
}

/// `wire-form-differs`: definitions the daemon writes in another shape than the spec
/// gives them, by name, with what it writes. Each becomes a schema that takes any JSON
/// value (`serde_json::Value`), with that note in its docs, so that the answers carrying
/// it decode. A definition a spec does not have is passed over.
pub const WIRE_FORM_DIFFERS: &[(&str, &str)] = &[(
    "PluginInterfaceType",
    "the daemon writes it as a string, `prefix.capability/version` (`docker.logdriver/1.0`): moby's `PluginInterfaceType.MarshalJSON`",
)];

fn wire_form_differs(doc: &mut Value, log: &mut RuleLog) {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return;
    };
    for (name, note) in WIRE_FORM_DIFFERS {
        if let Some(schema) = schemas.get_mut(*name) {
            let was = schema
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            let description = format!("{was}\n\nOn the wire {note}.").trim().to_string();
            *schema = json!({ "description": description });
            log.fired("wire-form-differs", format!("#/components/schemas/{name}"));
        }
    }
}

/// `streams-are-bytes`: the operations of the `stream-items` table answer with a stream of
/// JSON objects, however the spec describes their success. Where it gives the 200 a JSON
/// schema (events, stats), progenitor would decode the whole stream as one object and fail
/// at the second; where it says 204 (plugin pull and upgrade), progenitor returns `()` and
/// drops the daemon's progress unread. Both become a 200 of bytes, read as a stream; an
/// inline item schema moves to `components` under the name typify gave it
/// (`<OperationId>Response`), so `stream-items` still finds the item type.
fn streams_are_bytes(doc: &mut Value, log: &mut RuleLog) {
    let streaming: Vec<&str> = super::post::STREAM_ITEMS
        .iter()
        .map(|(id, _)| *id)
        .collect();
    let mut moved = Vec::new();
    for_each_operation(doc, &mut |op, location| {
        let Some(id) = op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return;
        };
        if !streaming.contains(&id.as_str()) {
            return;
        }
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            return;
        };
        let bytes = json!({ "description": "a stream of JSON objects", "content": {
            "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } });
        let json_schema = responses
            .get_mut("200")
            .and_then(|r| r.pointer_mut("/content/application~1json/schema"))
            .map(Value::take);
        if let Some(schema) = json_schema {
            if schema.get("$ref").is_none() {
                moved.push((format!("{id}Response"), schema));
            }
            responses.insert("200".into(), bytes);
            log.fired("streams-are-bytes", format!("{location}: 200 is a stream"));
        } else if responses.contains_key("204") && !responses.contains_key("200") {
            responses.remove("204");
            responses.insert("200".into(), bytes);
            log.fired(
                "streams-are-bytes",
                format!("{location}: 204 is a 200 stream"),
            );
        }
    });
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, schema) in moved {
            schemas.entry(name).or_insert(schema);
        }
    }
}

/// `success-without-schema-is-bytes`: a 200 with no schema (pull, build, load, push,
/// export, archive, attach, exec start, ...) carries a body all the same: progress JSON
/// lines, a tar archive or a raw stream. progenitor returns `()` for a schema-less response
/// and drops the body, so these become `application/octet-stream` and come back as a
/// `ByteStream` that the hand-written layer decodes.
fn success_without_schema_is_bytes(doc: &mut Value, log: &mut RuleLog) {
    for_each_operation(doc, &mut |op, location| {
        if let Some(response) = op
            .get_mut("responses")
            .and_then(|r| r.get_mut("200"))
            .and_then(Value::as_object_mut)
            && !response.contains_key("content")
        {
            response.insert(
                    "content".into(),
                    json!({ "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } }),
                );
            log.fired("success-without-schema-is-bytes", location);
        }
    });
}

/// `byte-bodies-are-binary`: progenitor sends an `application/octet-stream` body only when
/// its schema is exactly `string`/`binary`. The spec gives the image import body of
/// `POST /images/create` and the tar bodies plain `string` (or a `binary` with extra keys);
/// all of them are bytes on the wire.
fn byte_bodies_are_binary(doc: &mut Value, log: &mut RuleLog) {
    let binary = json!({ "type": "string", "format": "binary" });
    for_each_operation(doc, &mut |op, location| {
        let schema = op
            .get_mut("requestBody")
            .and_then(|b| b.get_mut("content"))
            .and_then(|c| c.get_mut("application/octet-stream"))
            .and_then(|m| m.get_mut("schema"));
        if let Some(schema) = schema
            && *schema != binary
        {
            *schema = binary.clone();
            log.fired("byte-bodies-are-binary", location);
        }
    });
}

/// `errors-are-json`: the daemon answers every error with a JSON `{"message": ...}`, also
/// on endpoints whose `produces` lists only raw streams or tar (`/session`, logs, attach,
/// export). Error responses are read as JSON whatever the operation produces.
fn errors_are_json(doc: &mut Value, log: &mut RuleLog) {
    for_each_operation(doc, &mut |op, location| {
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            return;
        };
        for (code, response) in responses.iter_mut() {
            if is_success(code) {
                continue;
            }
            let Some(Value::Object(content)) = response.get_mut("content") else {
                continue;
            };
            if content.contains_key("application/json") {
                continue;
            }
            if let Some((_, media)) = content.iter().next().map(|(k, v)| (k.clone(), v.clone())) {
                content.clear();
                content.insert("application/json".into(), media);
                log.fired("errors-are-json", format!("{location} response {code}"));
            }
        }
    });
}

fn is_success(code: &str) -> bool {
    code == "101" || code.starts_with('2')
}

/// `one-success-type`: progenitor asserts one success type per operation. The spec lists
/// `101` beside `200` for attach (the upgrade is the hand-written layer's job) and an empty
/// `204` beside a typed `200` for `/auth`. Keep the typed (JSON) success response, else the
/// first one with a body, and drop the others.
fn one_success_type(doc: &mut Value, log: &mut RuleLog) -> Result<(), Error> {
    let mut failure = None;
    for_each_operation(doc, &mut |op, location| {
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            return;
        };
        let codes: Vec<String> = responses
            .keys()
            .filter(|c| is_success(c))
            .cloned()
            .collect();
        if codes.len() < 2 {
            return;
        }
        let media_of = |r: &Value| {
            r.get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.keys().next().cloned())
        };
        let keep = codes
            .iter()
            .find(|c| media_of(&responses[c.as_str()]).as_deref() == Some("application/json"))
            .or_else(|| {
                codes
                    .iter()
                    .find(|c| c.starts_with('2') && media_of(&responses[c.as_str()]).is_some())
            })
            .or_else(|| codes.iter().find(|c| c.starts_with('2')))
            .cloned();
        let Some(keep) = keep else {
            failure = Some(Error::new(
                location,
                "one-success-type",
                "no 2xx response to keep",
            ));
            return;
        };
        for code in codes.iter().filter(|c| **c != keep) {
            responses.remove(code);
            log.fired(
                "one-success-type",
                format!("{location} drops {code}, keeps {keep}"),
            );
        }
    });
    failure.map_or(Ok(()), Err)
}

/// `one-error-type`: progenitor asserts one error type per operation. v1.41 gives the 400
/// of the archive endpoints an inline `allOf` extension of `ErrorResponse` beside plain
/// `ErrorResponse` for 404/500. Every error response takes the schema most of them share.
fn one_error_type(doc: &mut Value, log: &mut RuleLog) {
    for_each_operation(doc, &mut |op, location| {
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            return;
        };
        let schema_of = |r: &Value| r.pointer("/content/application~1json/schema").cloned();
        let mut seen: Vec<(Value, usize)> = Vec::new();
        for (code, r) in responses.iter() {
            if is_success(code) {
                continue;
            }
            if let Some(s) = schema_of(r) {
                match seen.iter_mut().find(|(v, _)| *v == s) {
                    Some((_, n)) => *n += 1,
                    None => seen.push((s, 1)),
                }
            }
        }
        if seen.len() < 2 {
            return;
        }
        let common = seen
            .iter()
            .max_by_key(|(_, n)| *n)
            .map(|(s, _)| s.clone())
            .expect("non-empty");
        for (code, r) in responses.iter_mut() {
            if is_success(code) {
                continue;
            }
            if let Some(schema) = r.pointer_mut("/content/application~1json/schema")
                && *schema != common
            {
                *schema = common.clone();
                log.fired("one-error-type", format!("{location} response {code}"));
            }
        }
    });
}

/// `every-error-is-typed`: the daemon answers errors the spec does not list for an
/// operation (a 400 "client version 1.5 is too old" from `/version`, a 409 from endpoints
/// that document only 404/500), always as a JSON `{"message": ...}`. Each operation gets
/// `4XX` and `5XX` responses with its error schema, so that any error status is decoded and
/// its message kept.
fn every_error_is_typed(doc: &mut Value, log: &mut RuleLog) {
    let fallback = doc
        .pointer("/components/schemas/ErrorResponse")
        .map(|_| json!({ "$ref": "#/components/schemas/ErrorResponse" }));
    for_each_operation(doc, &mut |op, location| {
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            return;
        };
        let schema = responses
            .iter()
            .filter(|(code, _)| !is_success(code))
            .find_map(|(_, r)| r.pointer("/content/application~1json/schema").cloned())
            .or_else(|| fallback.clone());
        let Some(schema) = schema else { return };
        for range in ["4XX", "5XX"] {
            if !responses.contains_key(range) {
                responses.insert(
                    range.into(),
                    json!({ "description": "an error the daemon reports", "content": { "application/json": { "schema": schema.clone() } } }),
                );
                log.fired("every-error-is-typed", format!("{location} {range}"));
            }
        }
    });
}

/// `top-level-nullable`: `x-nullable` on a whole definition (ContainerState, Health, ...)
/// makes typify emit `struct X(Option<XInner>)`, a wrapper on every use. The properties
/// that refer to these definitions are optional already, so the flag adds nothing there.
fn top_level_nullable(doc: &mut Value, log: &mut RuleLog) {
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            if let Some(map) = schema.as_object_mut()
                && map.remove("nullable").is_some()
            {
                log.fired("top-level-nullable", format!("#/components/schemas/{name}"));
            }
        }
    }
}

/// `ref-sibling-nullable`: in OpenAPI 3.0 the siblings of `$ref` are ignored, so
/// `{$ref, nullable: true}` would lose its nullability. `allOf: [$ref]` keeps both.
fn ref_sibling_nullable(schema: &mut Map<String, Value>, location: &str, log: &mut RuleLog) {
    if schema.contains_key("$ref") && schema.get("nullable") == Some(&json!(true)) {
        let target = schema.remove("$ref").expect("checked");
        schema.insert("allOf".into(), json!([{ "$ref": target }]));
        log.fired("ref-sibling-nullable", location);
    } else if schema.contains_key("$ref") {
        schema.remove("nullable");
    }
}

/// `nullable-collections`: Go encodes nil slices and maps as `null`. Both engines send
/// `null` where the spec promises an array or map, even where it says `x-nullable: false`
/// (seen: `Info.Plugins.Authorization`, `ImageSummary.Labels`, `ContainerInspect.ExecIDs`,
/// `HostConfig.Binds`, `EndpointSettings.Links`, `IPAM.Options`, `IPAM.Config`,
/// `VolumeList.Warnings`, the whole body of `GET /containers/{id}/changes`). Every array
/// and map accepts `null`.
fn nullable_collections(schema: &mut Map<String, Value>, location: &str, log: &mut RuleLog) {
    let is_array = schema.get("type").and_then(Value::as_str) == Some("array");
    let is_map = schema
        .get("additionalProperties")
        .is_some_and(|a| a.is_object() || *a == json!(true))
        && !schema.contains_key("properties");
    if (is_array || is_map) && schema.get("nullable") != Some(&json!(true)) {
        schema.insert("nullable".into(), json!(true));
        log.fired("nullable-collections", location);
    }
}

/// `open-enums`: engines send values their spec does not list (`Info.Isolation` is `""` on
/// both engines; the v1.41 and v1.45 specs lack it), and a closed Rust enum would fail the
/// whole response, a whole list for one odd item. Enumerations in bodies become plain
/// values; the known ones stay in the documentation. Parameters keep their enums: those
/// are what this client sends.
fn open_enums(schema: &mut Map<String, Value>, location: &str, log: &mut RuleLog) {
    if let Some(Value::Array(values)) = schema.remove("enum") {
        let known: Vec<String> = values
            .iter()
            .map(|v| match v {
                Value::String(s) => format!("`{s:?}`"),
                other => format!("`{other}`"),
            })
            .collect();
        let note = format!("Known values: {}.", known.join(", "));
        let description = match schema.get("description").and_then(Value::as_str) {
            Some(d) => format!("{}\n\n{note}", d.trim_end()),
            None => note,
        };
        schema.insert("description".into(), Value::String(description));
        log.fired("open-enums", location);
    }
}

/// `tolerate-missing-required`: engines omit fields their spec marks required (with v1.41
/// types, `ImageSummary.VirtualSize` is missing from a 28.5 engine's answer; older engines
/// lack fields newer specs require). A response must decode whatever a real engine sends,
/// so no body field is required; the spec's list stays in the documentation.
fn tolerate_missing_required(schema: &mut Map<String, Value>, location: &str, log: &mut RuleLog) {
    if let Some(Value::Array(required)) = schema.remove("required")
        && !required.is_empty()
    {
        log.fired("tolerate-missing-required", location);
    }
}

/// `text-formats`: string formats other than `binary` (`date-time`, `dateTime`,
/// `ip-address`, `CIDR`, `uri`, `json`) would make typify parse them into chrono or
/// `std::net` types; engines send empty strings and zero times there (`""` for a container
/// without an address), and one failed parse fails the whole response. They stay text.
fn text_formats(schema: &mut Map<String, Value>, location: &str, log: &mut RuleLog) {
    let is_string = schema.get("type").and_then(Value::as_str) == Some("string");
    if is_string
        && schema
            .get("format")
            .and_then(Value::as_str)
            .is_some_and(|f| f != "binary")
    {
        schema.remove("format");
        log.fired("text-formats", location);
    }
}

/// `validation-to-docs`: `pattern` would make typify validate with the `regress` crate on
/// every decode (and add it to the build); `minLength`/`maxLength` turn a plain string into
/// a newtype (`ContainerSummaryId(String)`) that only checks the length. The daemon
/// validates what it accepts; the constraints stay in the documentation.
fn validation_to_docs(schema: &mut Map<String, Value>, location: &str, log: &mut RuleLog) {
    let mut notes = Vec::new();
    if let Some(Value::String(p)) = schema.remove("pattern") {
        notes.push(format!("Pattern: `{p}`."));
    }
    for (key, label) in [
        ("minLength", "Minimum length"),
        ("maxLength", "Maximum length"),
    ] {
        if let Some(n) = schema.remove(key) {
            notes.push(format!("{label}: {n}."));
        }
    }
    if notes.is_empty() {
        return;
    }
    let note = notes.join(" ");
    let description = match schema.get("description").and_then(Value::as_str) {
        Some(d) => format!("{}\n\n{note}", d.trim_end()),
        None => note,
    };
    schema.insert("description".into(), Value::String(description));
    log.fired("validation-to-docs", location);
}

#[cfg(test)]
mod array_items_tests {
    use super::*;

    #[test]
    fn an_array_definition_used_as_items_stands_for_its_items() {
        let mut doc = json!({
            "components": { "schemas": {
                "Summary": { "type": "array", "items": { "type": "object", "properties": { "Id": { "type": "string" } } } },
                "Usage": { "type": "object", "properties": {
                    "Containers": { "type": "array", "items": { "$ref": "#/components/schemas/Summary" } }
                } },
                "Tags": { "type": "array", "items": { "type": "string" } }
            } },
            "paths": {}
        });
        let mut log = RuleLog::default();
        array_definition_as_item(&mut doc, &mut log);
        let s = &doc["components"]["schemas"];
        assert_eq!(
            s["Usage"]["properties"]["Containers"]["items"]["$ref"],
            "#/components/schemas/SummaryItem"
        );
        assert_eq!(
            s["Summary"]["items"]["$ref"],
            "#/components/schemas/SummaryItem"
        );
        assert_eq!(s["SummaryItem"]["properties"]["Id"]["type"], "string");
        // An array definition nobody uses as items is left alone.
        assert_eq!(s["Tags"]["items"]["type"], "string");
        assert!(log.has(
            "array-definition-as-item",
            "#/components/schemas/Usage.Containers"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_with_op(op: Value) -> Value {
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": op}}, "components": {"schemas": {}}})
    }

    #[test]
    fn unlabelled_fences_become_text_and_labelled_ones_stay() {
        assert_eq!(
            mark_fences("a\n```\n{}\n```\nb\n```json\nx\n```\n").unwrap(),
            "a\n```text\n{}\n```\nb\n```json\nx\n```\n"
        );
        assert_eq!(mark_fences("no code"), None);
        assert_eq!(
            mark_fences("see:\n\n    a b\n\n    c\nafter").unwrap(),
            "see:\n\n```text\na b\n\nc\n```\nafter"
        );
        assert_eq!(mark_fences("x\n    not after a blank line"), None);
    }

    #[test]
    fn schemaless_200_becomes_a_byte_stream() {
        let mut doc = doc_with_op(
            json!({"operationId": "X", "responses": {"200": {"description": "ok"}, "204": {"description": "none"}}}),
        );
        let mut log = RuleLog::default();
        apply_all(&mut doc, &mut log).unwrap();
        let r = &doc["paths"]["/x"]["get"]["responses"];
        assert_eq!(
            r["200"]["content"]["application/octet-stream"]["schema"]["format"],
            "binary"
        );
        assert!(
            r.get("204").is_none(),
            "the typed-or-bodied 200 wins over an empty 204"
        );
        assert!(log.has("success-without-schema-is-bytes", "GET /x"));
    }

    #[test]
    fn json_streams_answer_bytes_and_keep_their_item_schema() {
        let item = json!({"type": "object", "properties": {"Action": {"type": "string"}}});
        let mut doc = doc_with_op(json!({"operationId": "SystemEvents", "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": item}}}}}));
        doc["paths"]["/p"] = json!({"post": {"operationId": "PluginPull", "responses": {
            "204": {"description": "no error"}}}});
        doc["paths"]["/d"] = json!({"delete": {"operationId": "SecretDelete", "responses": {
            "204": {"description": "no error"}}}});
        let mut log = RuleLog::default();
        apply_all(&mut doc, &mut log).unwrap();
        let binary = json!({"type": "string", "format": "binary"});
        let bytes = |path: &str, method: &str| {
            doc["paths"][path][method]["responses"]["200"]["content"]["application/octet-stream"]
                ["schema"]
                .clone()
        };
        assert_eq!(bytes("/x", "get"), binary);
        assert_eq!(doc["components"]["schemas"]["SystemEventsResponse"], item);
        assert_eq!(bytes("/p", "post"), binary);
        let delete = doc["paths"]["/d"]["delete"]["responses"]
            .as_object()
            .unwrap();
        assert_eq!(
            delete.keys().collect::<Vec<_>>(),
            ["204"],
            "not a stream: left alone"
        );
        assert!(log.has("streams-are-bytes", "GET /x: 200 is a stream"));
        assert!(log.has("streams-are-bytes", "POST /p: 204 is a 200 stream"));
    }

    #[test]
    fn typed_success_is_kept_over_upgrade_and_empty_alternatives() {
        let mut doc = doc_with_op(json!({"operationId": "X", "responses": {
            "101": {"description": "upgrade"},
            "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
            "204": {"description": "none"}}}));
        apply_all(&mut doc, &mut RuleLog::default()).unwrap();
        let r = doc["paths"]["/x"]["get"]["responses"].as_object().unwrap();
        assert_eq!(r.keys().collect::<Vec<_>>(), ["200"]);
    }

    #[test]
    fn error_responses_share_the_most_common_schema() {
        let e = json!({"$ref": "#/components/schemas/ErrorResponse"});
        let odd = json!({"allOf": [e.clone(), {"type": "object"}]});
        let mut doc = doc_with_op(json!({"operationId": "X", "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
            "400": {"description": "bad", "content": {"application/json": {"schema": odd}}},
            "404": {"description": "nf", "content": {"application/json": {"schema": e.clone()}}},
            "500": {"description": "err", "content": {"application/json": {"schema": e.clone()}}}}}));
        apply_all(&mut doc, &mut RuleLog::default()).unwrap();
        assert_eq!(
            doc["paths"]["/x"]["get"]["responses"]["400"]["content"]["application/json"]["schema"],
            e
        );
    }

    #[test]
    fn body_schemas_become_tolerant() {
        let mut doc =
            doc_with_op(json!({"operationId": "X", "responses": {"200": {"description": "ok"}}}));
        doc["components"]["schemas"]["T"] = json!({
            "type": "object", "nullable": true, "required": ["A"],
            "properties": {
                "A": {"type": "array", "items": {"type": "string"}, "nullable": false},
                "M": {"type": "object", "additionalProperties": {"type": "string"}},
                "E": {"type": "string", "enum": ["a", "b"], "description": "e"},
                "D": {"type": "string", "format": "dateTime", "pattern": "^x$", "minLength": 64},
                "N": {"type": "integer", "format": "int64"},
                "R": {"$ref": "#/components/schemas/U", "nullable": true}
            }
        });
        let mut log = RuleLog::default();
        apply_all(&mut doc, &mut log).unwrap();
        let t = &doc["components"]["schemas"]["T"];
        assert!(t.get("nullable").is_none() && t.get("required").is_none());
        assert_eq!(t["properties"]["A"]["nullable"], true);
        assert_eq!(t["properties"]["M"]["nullable"], true);
        assert!(t["properties"]["E"].get("enum").is_none());
        assert!(
            t["properties"]["E"]["description"]
                .as_str()
                .unwrap()
                .ends_with("Known values: `\"a\"`, `\"b\"`.")
        );
        assert!(
            t["properties"]["D"].get("format").is_none()
                && t["properties"]["D"].get("pattern").is_none()
        );
        assert!(t["properties"]["D"].get("minLength").is_none());
        assert!(
            t["properties"]["D"]["description"]
                .as_str()
                .unwrap()
                .ends_with("Pattern: `^x$`. Minimum length: 64.")
        );
        assert_eq!(
            t["properties"]["N"]["format"], "int64",
            "integer formats stay"
        );
        assert_eq!(
            t["properties"]["R"],
            json!({"allOf": [{"$ref": "#/components/schemas/U"}], "nullable": true})
        );
        assert_eq!(log.counts()["nullable-collections"], 2);
    }

    #[test]
    fn parameters_keep_enums_but_lose_patterns() {
        let mut doc = doc_with_op(json!({"operationId": "X",
            "parameters": [
                {"name": "s", "in": "query", "schema": {"type": "string", "enum": ["a"], "pattern": "x"}},
                {"name": "Content-type", "in": "header", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}}}));
        apply_all(&mut doc, &mut RuleLog::default()).unwrap();
        let params = doc["paths"]["/x"]["get"]["parameters"].as_array().unwrap();
        assert_eq!(params.len(), 1, "Content-type header parameter dropped");
        assert_eq!(
            params[0]["schema"],
            json!({"type": "string", "enum": ["a"], "description": "Pattern: `x`."})
        );
    }
}
