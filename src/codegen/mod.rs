//! Code generation for the `docker-engine` crate.
//!
//! The Docker Engine publishes its API as a Swagger 2.0 document. progenitor reads only
//! OpenAPI 3.0, and real engines send responses the spec does not describe exactly. These
//! sources are part of the `docker-engine` package: `build.rs` compiles them as a module
//! when the `regenerate` feature is on (`tests/codegen` is a workspace-only crate that
//! compiles the same files to run their unit tests):
//!
//! 1. [`convert`]: Swagger 2.0 -> OpenAPI 3.0.3 by generic, structural rules.
//! 2. [`rules`]: named corrections for what real daemons send and what progenitor cannot
//!    express, each logged where it fires so that `generated/rules.log` shows their reach.
//! 3. [`generate`]: progenitor (builder interface) over the converted document, then
//!    [`post`]: named rules over the generated Rust (fewer lines, names keyed by
//!    operation), formatted.
//! 4. [`cache`]: the spec's SHA-256 in the header of each generated file, which lets a
//!    default build use the committed `generated/` without running any of this.
//!
//! Nothing here edits the spec by hand: every change is a rule that applies to any version
//! of the Engine's swagger file.

pub mod cache;
pub mod convert;
pub mod post;
pub mod rules;

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// What one run of the generator produces.
pub struct Generated {
    /// `engine.rs`: formatted Rust source of the raw client and its types, with the
    /// [`cache::header`].
    pub engine_rs: String,
    /// `operations.rs`: the API version, every operation's method and path template, and
    /// which operations answer with a byte stream, with the [`cache::header`].
    pub operations_rs: String,
    /// The converted OpenAPI 3.0.3 document, pretty-printed JSON.
    pub openapi: String,
    /// One line per rule application: `rule<TAB>location`.
    pub log: String,
    /// The API version the spec describes (`info.version`), e.g. `1.51`.
    pub api_version: String,
    /// Every operation: (operationId, HTTP method, path template).
    pub operations: Vec<Operation>,
}

/// One operation of the spec, as the runtime needs to know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The spec's `operationId`, e.g. `ContainerInspect`.
    pub id: String,
    /// The generated client's method for it, e.g. `container_inspect`.
    pub method_name: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template without version prefix, e.g. `/containers/{id}/json`.
    pub path: String,
}

/// A spec the generator cannot handle. The message names where and which rule.
#[derive(Debug)]
pub struct Error {
    /// Where in the document: a path and method, an operationId or a definition.
    pub location: String,
    /// The rule or stage that failed.
    pub rule: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [rule {}]: {}",
            self.location, self.rule, self.message
        )
    }
}

impl std::error::Error for Error {}

impl Error {
    pub(crate) fn new(
        location: impl Into<String>,
        rule: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error {
            location: location.into(),
            rule: rule.into(),
            message: message.into(),
        }
    }
}

/// Records which rule fired where.
#[derive(Default)]
pub struct RuleLog {
    entries: Vec<(String, String)>,
}

impl RuleLog {
    /// Note that `rule` changed the document at `location`.
    pub fn fired(&mut self, rule: &str, location: impl Into<String>) {
        self.entries.push((rule.to_string(), location.into()));
    }

    /// How often each rule fired.
    pub fn counts(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for (rule, _) in &self.entries {
            *counts.entry(rule.as_str()).or_insert(0) += 1;
        }
        counts
    }

    /// Whether `rule` fired at `location`.
    pub fn has(&self, rule: &str, location: &str) -> bool {
        self.entries.iter().any(|(r, l)| r == rule && l == location)
    }

    fn render(&self) -> String {
        let mut out = String::from("# rule\tcount\n");
        for (rule, n) in self.counts() {
            out.push_str(&format!("{rule}\t{n}\n"));
        }
        out.push_str("\n# rule\tlocation\n");
        let mut sorted = self.entries.clone();
        sorted.sort();
        for (rule, location) in sorted {
            out.push_str(&format!("{rule}\t{location}\n"));
        }
        out
    }
}

/// Parse Swagger 2.0 YAML into JSON values. YAML allows non-string keys (the spec's
/// response codes are integers); JSON and OpenAPI want strings, so keys are stringified.
pub fn parse_yaml(text: &str) -> Result<Value, Error> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text)
        .map_err(|e| Error::new("spec", "parse", format!("not valid YAML: {e}")))?;
    yaml_to_json(yaml)
}

fn yaml_to_json(v: serde_yaml::Value) -> Result<Value, Error> {
    use serde_yaml::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        Error::new("spec", "parse", format!("number {f} has no JSON form"))
                    })?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err(Error::new(
                            "spec",
                            "parse",
                            format!("unsupported mapping key {other:?}"),
                        ));
                    }
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(t.value)?,
    })
}

/// Convert the Engine's swagger text into an OpenAPI 3.0 document with every rule applied.
pub fn to_openapi(swagger_yaml: &str) -> Result<(Value, RuleLog), Error> {
    let swagger = parse_yaml(swagger_yaml)?;
    let mut log = RuleLog::default();
    let mut doc = convert::swagger_to_openapi(&swagger, &mut log)?;
    rules::apply_all(&mut doc, &mut log)?;
    Ok((doc, log))
}

/// Operations in document order.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    ops.push(Operation {
                        id: id.to_string(),
                        method_name: snake_case(id),
                        method: method.to_uppercase(),
                        path: path.clone(),
                    });
                }
            }
        }
    }
    ops
}

/// `ContainerInspect` -> `container_inspect`, the way progenitor names methods.
pub fn snake_case(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn to_spec(doc: Value, location: &str) -> Result<openapiv3::OpenAPI, Error> {
    serde_json::from_value(doc).map_err(|e| {
        Error::new(
            location,
            "openapiv3",
            format!("the converted document is not OpenAPI 3.0: {e}"),
        )
    })
}

/// progenitor with this crate's settings. It reports most problems as errors and some as
/// panics (asserts, `todo!()`); both come back as a message, and a panic prints nothing:
/// the build must not show a backtrace from inside progenitor.
fn run_progenitor(spec: &openapiv3::OpenAPI) -> Result<proc_macro2::TokenStream, String> {
    let mut settings = progenitor_impl::GenerationSettings::new();
    settings
        .with_interface(progenitor_impl::InterfaceStyle::Builder)
        .with_tag(progenitor_impl::TagStyle::Merged)
        // The hand-written layer implements ClientHooks for the generated Client: that is
        // where the negotiated `/v1.xx` prefix, the path guard and tracing live.
        .with_hooks(progenitor_impl::HooksMode::Expected)
        .with_inner_type(quote::quote! { crate::transport::Shared })
        .with_derive("PartialEq");
    let mut generator = progenitor_impl::Generator::new(&settings);
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        generator.generate_tokens(spec)
    }));
    std::panic::set_hook(hook);
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .map(|m| format!("progenitor panicked: {m}"))
            .unwrap_or_else(|| "progenitor panicked".to_string())),
    }
}

/// The first operation that progenitor refuses on its own, as `METHOD /path (operationId)`.
fn locate_failure(doc: &Value) -> Option<String> {
    let paths = doc.get("paths")?.as_object()?;
    for (path, item) in paths {
        for (method, op) in item.as_object()? {
            let mut single = doc.clone();
            single["paths"] = serde_json::json!({ path.clone(): { method.clone(): op.clone() } });
            let spec = to_spec(single, path).ok()?;
            if run_progenitor(&spec).is_err() {
                let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?");
                return Some(format!("{} {path} ({id})", method.to_uppercase()));
            }
        }
    }
    None
}

/// Run the whole pipeline: parse, convert, apply rules, generate with progenitor, format.
pub fn generate(swagger_yaml: &str) -> Result<Generated, Error> {
    let (doc, mut log) = to_openapi(swagger_yaml)?;
    let api_version = doc
        .pointer("/info/version")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::new("info.version", "convert", "the spec has no info.version"))?
        .to_string();
    let operations = operations(&doc);
    let openapi = serde_json::to_string_pretty(&doc).expect("a JSON value always serializes");

    let spec = to_spec(doc.clone(), "document")?;
    let tokens = run_progenitor(&spec).map_err(|message| {
        // Name the operation: generate each one alone until one fails the same way.
        let location = locate_failure(&doc).unwrap_or_else(|| "document".to_string());
        Error::new(
            location,
            "progenitor",
            format!("{message}; the converted document is in generated/openapi.json"),
        )
    })?;

    let mut file: syn::File = syn::parse2(tokens).map_err(|e| {
        Error::new(
            "document",
            "format",
            format!("progenitor emitted invalid Rust: {e}"),
        )
    })?;
    let facts = post::apply_all(&mut file, &operations, &mut log)?;
    let header = cache::header(&cache::sha256_hex(swagger_yaml.as_bytes()), &api_version);
    // `usage-examples-are-text`: progenitor writes a usage example in each builder's doc as
    // an `ignore` code block; as text it documents the same without counting as an ignored
    // doctest in every test run.
    let code = prettyplease::unparse(&file);
    let usage = code.matches("```ignore").count();
    for _ in 0..usage {
        log.fired("usage-examples-are-text", "builder docs");
    }
    let code = code.replace("```ignore", "```text");
    // `strict-path-encoding`: progenitor's `encode_path` leaves `\` as it is, and URL parsing
    // reads `\` as `/` in http URLs and then resolves `..`: `x\..\victim` reached the
    // container `victim` (a_backslash_in_an_id_cannot_reach_another_container). Path
    // parameters go through the transport's encoder instead, which passes only RFC 3986's
    // unreserved characters; the transport's path guard then sees every `..`.
    let calls = code.matches("encode_path(&").count();
    for _ in 0..calls {
        log.fired("strict-path-encoding", "path parameters");
    }
    let code = code.replace("encode_path(&", "crate::transport::encode_segment(&");
    let engine_rs = format!("{header}{code}");
    let operations_rs = operations_table(&header, &api_version, &operations, &facts.streaming);

    Ok(Generated {
        engine_rs,
        operations_rs,
        openapi,
        log: log.render(),
        api_version,
        operations,
    })
}

/// The text of `operations.rs`.
fn operations_table(
    header: &str,
    api_version: &str,
    operations: &[Operation],
    streaming: &[String],
) -> String {
    let mut out = String::from(header);
    out.push_str("/// The API version the spec describes.\n");
    out.push_str(&format!(
        "pub const SPEC_API_VERSION: &str = {api_version:?};\n"
    ));
    out.push_str(
        "/// Every operation: (operationId, generated method, HTTP method, path template).\n",
    );
    out.push_str("pub const OPERATIONS: &[(&str, &str, &str, &str)] = &[\n");
    for op in operations {
        out.push_str(&format!(
            "    ({:?}, {:?}, {:?}, {:?}),\n",
            op.id, op.method_name, op.method, op.path
        ));
    }
    out.push_str("];\n");
    out.push_str(
        "/// The generated methods whose success response is a byte stream\n\
         /// (`ResponseValue<ByteStream>`): logs, attach, pull, build, export, archives ...\n",
    );
    out.push_str("pub const STREAMING: &[&str] = &[\n");
    for method in streaming {
        out.push_str(&format!("    {method:?},\n"));
    }
    out.push_str("];\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spec progenitor cannot take (a path parameter marked optional: progenitor asserts
    /// path parameters are required) stops with a message naming the operation and the
    /// stage, not a panic backtrace.
    #[test]
    fn a_spec_progenitor_refuses_names_the_operation() {
        let spec = r#"
swagger: "2.0"
info: {title: t, version: "1.0"}
paths:
  /fine:
    get:
      operationId: Fine
      responses: {200: {description: ok, schema: {type: object}}}
  /x/{id}:
    get:
      operationId: Broken
      parameters:
        - {name: id, in: path, required: false, type: string}
      responses: {200: {description: ok, schema: {type: object}}}
"#;
        let err = generate(spec)
            .err()
            .expect("progenitor refuses an optional path parameter");
        assert_eq!(err.location, "GET /x/{id} (Broken)");
        assert_eq!(err.rule, "progenitor");
        assert!(err.message.contains("panicked"), "{err}");
    }

    #[test]
    fn method_names_follow_progenitor() {
        assert_eq!(snake_case("ContainerInspect"), "container_inspect");
        assert_eq!(snake_case("GetPluginPrivileges"), "get_plugin_privileges");
        assert_eq!(snake_case("SystemPingHead"), "system_ping_head");
    }
}
