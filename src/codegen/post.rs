//! Named rules over the Rust that progenitor generates, applied to its syntax tree before
//! formatting. Like the document rules, each one matches a shape (never a definition name,
//! but for the one table of `stream-items`) and logs where it fires.
//!
//! - `schemars-behind-feature`: every model derives `JsonSchema` when the crate's
//!   `schemars` feature is on.
//! - `no-struct-builders`: typify's `types::builder` module (half of the generated lines)
//!   goes; the raw builders hold their request body as the model itself.
//! - `op-aliases`: `types::op::<method>::{Body, Response, Item}` and an alias per field,
//!   the names the hand-written layer uses, derived from operations only.
//! - `stream-items`: the item type of the JSON-lines streams the spec leaves untyped.
//! - the byte-stream operations are listed for `operations.rs` ([`Facts::streaming`]).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{Fields, GenericArgument, ImplItem, Item, PathArguments, ReturnType, Type};

use super::{Error, Operation, RuleLog};

/// How many modules deep the field aliases of one operation go, below `types::op::<op>`:
/// `body::host_config::mounts::bind_options` is 4.
pub const MAX_MODULE_DEPTH: usize = 4;

/// `stream-items`: the item type of each JSON-lines stream, by operationId, as candidate
/// type names, first found wins. The spec gives pull, push, build and load no response
/// schema at all (their 200 is a stream of JSON objects, read as bytes), and events and
/// stats are streams when asked to follow (the `streams-are-bytes` rule makes each of
/// these operations answer bytes). When no candidate exists in a spec, no `Item`
/// is emitted for that operation and the log says so.
pub const STREAM_ITEMS: &[(&str, &[&str])] = &[
    ("ImageCreate", &["CreateImageInfo"]),
    ("ImagePush", &["PushImageInfo"]),
    ("ImageBuild", &["BuildInfo"]),
    // `docker load` writes the same JSON messages as a build (`stream`, `status`,
    // `progress`, `progressDetail`, `error`, `errorDetail`): `BuildInfo` carries them all.
    ("ImageLoad", &["BuildInfo"]),
    ("SystemEvents", &["EventMessage", "SystemEventsResponse"]),
    (
        "ContainerStats",
        &["ContainerStatsResponse", "ContainerStats"],
    ),
    // Plugin pull, upgrade and push report progress with the messages of an image pull
    // and push.
    ("PluginPull", &["CreateImageInfo"]),
    ("PluginUpgrade", &["CreateImageInfo"]),
    ("PluginPush", &["PushImageInfo"]),
];

/// What the rules learned from the generated code that `operations.rs` carries.
pub struct Facts {
    /// Generated methods whose success response is a `ByteStream`, in client order.
    pub streaming: Vec<String>,
}

/// Apply every rule to the generated file, in order.
pub fn apply_all(
    file: &mut syn::File,
    operations: &[Operation],
    log: &mut RuleLog,
) -> Result<Facts, Error> {
    schemars_behind_feature(file)?;
    no_struct_builders(file, log)?;
    let sigs = signatures(file)?;
    let streaming = sigs
        .iter()
        .filter(|s| is_byte_stream(&s.success))
        .map(|s| s.method.clone())
        .collect();
    let types = Types::read(types_items(file)?);
    let op = op_aliases(&types, &sigs, operations, log)?;
    types_items(file)?.push(op);
    Ok(Facts { streaming })
}

fn types_items(file: &mut syn::File) -> Result<&mut Vec<Item>, Error> {
    module_items(&mut file.items, "types").ok_or_else(|| {
        Error::new(
            "generated code",
            "post",
            "progenitor emitted no `mod types`",
        )
    })
}

fn module_items<'a>(items: &'a mut [Item], name: &str) -> Option<&'a mut Vec<Item>> {
    items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// `schemars-behind-feature`: every serde model in `types` gets
/// `#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]`, so that the crate's
/// optional `schemars` feature describes each generated type, while the generated text
/// stays the same whichever features are on.
fn schemars_behind_feature(file: &mut syn::File) -> Result<(), Error> {
    let attr = || -> syn::Attribute {
        syn::parse_quote! {
            #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
        }
    };
    for item in types_items(file)? {
        match item {
            Item::Struct(s) if derives(&s.attrs, "Deserialize") => s.attrs.push(attr()),
            Item::Enum(e) if derives(&e.attrs, "Deserialize") => e.attrs.push(attr()),
            _ => {}
        }
    }
    Ok(())
}

/// Whether `#[derive(...)]` among `attrs` names a trait whose last path segment is `name`.
fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|paths| paths.iter().any(|p| last_is(p, name)))
        })
}

fn last_is(path: &syn::Path, name: &str) -> bool {
    path.segments.last().is_some_and(|s| s.ident == name)
}

fn path_of(ty: &Type) -> Option<&syn::Path> {
    match ty {
        Type::Path(p) if p.qself.is_none() => Some(&p.path),
        Type::Group(g) => path_of(&g.elem),
        Type::Paren(p) => path_of(&p.elem),
        _ => None,
    }
}

/// The type arguments of a path type's last segment: `Result<A, B>` -> `[A, B]`.
fn type_args(ty: &Type) -> Vec<&Type> {
    let Some(seg) = path_of(ty).and_then(|p| p.segments.last()) else {
        return Vec::new();
    };
    match &seg.arguments {
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|a| match a {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn last_ident(ty: &Type) -> Option<&syn::Ident> {
    path_of(ty)
        .and_then(|p| p.segments.last())
        .map(|s| &s.ident)
}

fn is_byte_stream(ty: &Type) -> bool {
    last_ident(ty).is_some_and(|i| i == "ByteStream")
}

/// `no-struct-builders`: typify writes a builder struct for every model (`types::builder`,
/// with `impl X { fn builder() }`), only so that the raw builders can offer `body_map`.
/// They go: a raw builder's `body` holds `Result<types::X, String>`, `.body(value)` takes
/// anything `TryInto<types::X>` as before, `body_map` is gone and `send()` sends the body
/// as it is. A body whose model has no `Default` starts as "not initialized".
fn no_struct_builders(file: &mut syn::File, log: &mut RuleLog) -> Result<(), Error> {
    let types = types_items(file)?;
    let mut has_default = BTreeSet::new();
    for item in types.iter() {
        match item {
            Item::Struct(s) if derives(&s.attrs, "Default") => {
                has_default.insert(s.ident.to_string());
            }
            Item::Enum(e) if derives(&e.attrs, "Default") => {
                has_default.insert(e.ident.to_string());
            }
            Item::Impl(i)
                if i.trait_
                    .as_ref()
                    .is_some_and(|(_, path, _)| last_is(path, "Default")) =>
            {
                if let Some(name) = last_ident(&i.self_ty) {
                    has_default.insert(name.to_string());
                }
            }
            _ => {}
        }
    }
    let before = types.len();
    let mut builders = 0;
    types.retain(|item| match item {
        Item::Mod(m) if m.ident == "builder" => {
            builders = m.content.as_ref().map_or(0, |(_, items)| {
                items
                    .iter()
                    .filter(|i| matches!(i, Item::Struct(_)))
                    .count()
            });
            false
        }
        _ => true,
    });
    if types.len() == before {
        return Ok(());
    }
    for item in types.iter_mut() {
        if let Item::Impl(i) = item
            && i.trait_.is_none()
        {
            i.items
                .retain(|it| !matches!(it, ImplItem::Fn(f) if f.sig.ident == "builder"));
        }
    }
    types.retain(|item| !matches!(item, Item::Impl(i) if i.trait_.is_none() && i.items.is_empty()));
    log.fired(
        "no-struct-builders",
        format!("types::builder ({builders} builders)"),
    );

    let Some(ops) = module_items(&mut file.items, "builder") else {
        return Ok(());
    };
    // Raw builders whose body is a typify builder: struct name -> model name.
    let mut retargeted = BTreeMap::new();
    for item in ops.iter_mut() {
        let Item::Struct(s) = item else { continue };
        let Fields::Named(fields) = &mut s.fields else {
            continue;
        };
        for field in fields.named.iter_mut() {
            if field.ident.as_ref().is_none_or(|i| i != "body") {
                continue;
            }
            let Some(body) = type_args(&field.ty).first().copied() else {
                continue;
            };
            let Some(path) = path_of(body) else { continue };
            let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if segs.len() == 3 && segs[0] == "types" && segs[1] == "builder" {
                let model = format_ident!("{}", segs[2]);
                field.ty = syn::parse_quote!(Result<types::#model, String>);
                retargeted.insert(s.ident.to_string(), model);
            }
        }
    }
    for item in ops.iter_mut() {
        let Item::Impl(i) = item else { continue };
        if i.trait_.is_some() {
            continue;
        }
        let Some(name) = last_ident(&i.self_ty).map(|n| n.to_string()) else {
            continue;
        };
        let Some(model) = retargeted.get(&name) else {
            continue;
        };
        let defaulted = has_default.contains(&model.to_string());
        i.items
            .retain(|it| !matches!(it, ImplItem::Fn(f) if f.sig.ident == "body_map"));
        for it in i.items.iter_mut() {
            let ImplItem::Fn(f) = it else { continue };
            let mut fix = BodyFix {
                defaulted,
                in_new: f.sig.ident == "new",
            };
            fix.visit_block_mut(&mut f.block);
        }
        log.fired(
            "no-struct-builders",
            format!(
                "{name}.body: types::{model}{}",
                if defaulted {
                    ""
                } else {
                    " (no Default: required)"
                }
            ),
        );
    }
    Ok(())
}

/// Rewrites a raw builder's methods once its body is the model itself.
struct BodyFix {
    defaulted: bool,
    in_new: bool,
}

impl VisitMut for BodyFix {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::MethodCall(call) = expr else {
            return;
        };
        let receiver_is_body =
            matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("body"));
        let arg_is_from = call.args.len() == 1
            && matches!(&call.args[0], syn::Expr::Path(p)
                if p.path.segments.len() == 2
                    && p.path.segments[0].ident == "From"
                    && p.path.segments[1].ident == "from");
        // send(): `body.and_then(|v| types::X::try_from(v)...)` -> `body`;
        // body(): `value.try_into().map(From::from)` -> `value.try_into()`.
        if (call.method == "and_then" && receiver_is_body) || (call.method == "map" && arg_is_from)
        {
            *expr = (*call.receiver).clone();
        }
    }

    fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
        syn::visit_mut::visit_field_value_mut(self, field);
        // new(): `body: Ok(Default::default())` only when the model has a default.
        if self.in_new
            && !self.defaulted
            && matches!(&field.member, syn::Member::Named(i) if i == "body")
        {
            field.expr = syn::parse_quote!(Err("body was not initialized".to_string()));
        }
    }
}

/// One operation as the generated client sees it.
struct Sig {
    /// The generated method, e.g. `container_create`.
    method: String,
    /// The JSON request body type (`types::X`, `Vec<types::X>` ...), if any.
    body: Option<Type>,
    /// The success type of `send()`.
    success: Type,
    /// The error type of `send()`.
    error: Type,
}

/// Every operation's method, body and success and error types, in client order.
fn signatures(file: &syn::File) -> Result<Vec<Sig>, Error> {
    let err = |m: String| Error::new("generated code", "op-aliases", m);
    let mut methods = Vec::new();
    for item in &file.items {
        let Item::Impl(i) = item else { continue };
        if i.trait_.is_some() || last_ident(&i.self_ty).is_none_or(|n| n != "Client") {
            continue;
        }
        for it in &i.items {
            let ImplItem::Fn(f) = it else { continue };
            let ReturnType::Type(_, ty) = &f.sig.output else {
                continue;
            };
            let Some(path) = path_of(ty) else { continue };
            if path.segments.len() == 2 && path.segments[0].ident == "builder" {
                methods.push((f.sig.ident.to_string(), path.segments[1].ident.to_string()));
            }
        }
    }
    let builders = file
        .items
        .iter()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
            _ => None,
        })
        .ok_or_else(|| err("progenitor emitted no `mod builder`".into()))?;
    let mut bodies = BTreeMap::new();
    let mut sends = BTreeMap::new();
    for item in builders {
        match item {
            Item::Struct(s) => {
                let body = s
                    .fields
                    .iter()
                    .find(|f| f.ident.as_ref().is_some_and(|i| i == "body"))
                    .and_then(|f| type_args(&f.ty).first().copied().cloned())
                    // A raw body (`reqwest::Body`: bytes, tar) has no model.
                    .filter(|t| {
                        path_of(t).is_some_and(|p| {
                            p.segments.first().is_some_and(|s| s.ident != "reqwest")
                        })
                    });
                bodies.insert(s.ident.to_string(), body);
            }
            Item::Impl(i) if i.trait_.is_none() => {
                let Some(name) = last_ident(&i.self_ty) else {
                    continue;
                };
                for it in &i.items {
                    let ImplItem::Fn(f) = it else { continue };
                    if f.sig.ident != "send" {
                        continue;
                    }
                    let ReturnType::Type(_, ty) = &f.sig.output else {
                        continue;
                    };
                    // Result<ResponseValue<S>, Error<E>>
                    let args = type_args(ty);
                    let (Some(ok), Some(error)) = (args.first(), args.get(1)) else {
                        return Err(err(format!("{name}::send returns {}", quote!(#ty))));
                    };
                    let (Some(success), Some(error)) = (
                        type_args(ok).first().map(|t| (*t).clone()),
                        type_args(error).first().map(|t| (*t).clone()),
                    ) else {
                        return Err(err(format!("{name}::send returns {}", quote!(#ty))));
                    };
                    sends.insert(name.to_string(), (success, error));
                }
            }
            _ => {}
        }
    }
    methods
        .into_iter()
        .map(|(method, builder)| {
            let (success, error) = sends
                .remove(&builder)
                .ok_or_else(|| err(format!("builder::{builder} has no send()")))?;
            Ok(Sig {
                method,
                body: bodies.remove(&builder).flatten(),
                success,
                error,
            })
        })
        .collect()
}

/// The models of `types` by name, as far as the aliases need them.
struct Types(BTreeMap<String, Kind>);

enum Kind {
    /// A struct with named fields: (field, type).
    Struct(Vec<(syn::Ident, Type)>),
    /// `struct X(T)`: a newtype (typify's form for a map or array definition).
    Newtype(Type),
    Enum,
}

impl Types {
    fn read(items: &[Item]) -> Types {
        let mut map = BTreeMap::new();
        for item in items {
            match item {
                Item::Struct(s) => {
                    let kind = match &s.fields {
                        Fields::Named(f) => Kind::Struct(
                            f.named
                                .iter()
                                .filter_map(|f| Some((f.ident.clone()?, f.ty.clone())))
                                .collect(),
                        ),
                        Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                            Kind::Newtype(f.unnamed[0].ty.clone())
                        }
                        _ => continue,
                    };
                    map.insert(s.ident.to_string(), kind);
                }
                Item::Enum(e) => {
                    map.insert(e.ident.to_string(), Kind::Enum);
                }
                _ => {}
            }
        }
        Types(map)
    }

    /// The model a type names: `types::X` (as the client writes it) or a bare `X` (as the
    /// models write each other).
    fn named<'a>(&self, ty: &'a Type) -> Option<&'a syn::Ident> {
        let path = path_of(ty)?;
        if path.leading_colon.is_some() {
            return None;
        }
        let segs: Vec<&syn::PathSegment> = path.segments.iter().collect();
        let seg = match segs.as_slice() {
            [only] => only,
            [first, second] if first.ident == "types" => second,
            _ => return None,
        };
        (matches!(seg.arguments, PathArguments::None)
            && self.0.contains_key(&seg.ident.to_string()))
        .then_some(&seg.ident)
    }

    fn kind(&self, name: &syn::Ident) -> Option<&Kind> {
        self.0.get(&name.to_string())
    }

    fn is_struct(&self, name: &syn::Ident) -> bool {
        matches!(self.kind(name), Some(Kind::Struct(_)))
    }

    /// The element of a list: an (optional) `Vec<T>`, or a newtype around one.
    fn element(&self, ty: &Type) -> Option<Type> {
        let vec_arg = |ty: &Type| {
            let ty = strip_option(ty);
            last_ident(ty)
                .is_some_and(|i| i == "Vec")
                .then(|| type_args(ty).first().map(|t| (*t).clone()))
                .flatten()
        };
        vec_arg(ty).or_else(
            || match self.named(strip_option(ty)).and_then(|n| self.kind(n)) {
                Some(Kind::Newtype(inner)) => vec_arg(inner),
                _ => None,
            },
        )
    }
}

impl Types {
    /// An expression turning `expr` of list type `ty` into a `Vec` of its elements, for
    /// the shapes [`Types::element`] reads.
    fn vec_expr(&self, ty: &Type, expr: TokenStream) -> Option<TokenStream> {
        if last_ident(ty).is_some_and(|i| i == "Vec") {
            return Some(expr);
        }
        if last_ident(ty).is_some_and(|i| i == "Option") {
            let inner = self.vec_expr(type_args(ty).first()?, quote!(v))?;
            return Some(if inner.to_string() == "v" {
                quote!(#expr.unwrap_or_default())
            } else {
                quote!(#expr.map(|v| #inner).unwrap_or_default())
            });
        }
        match self.named(ty).and_then(|n| self.kind(n)) {
            Some(Kind::Newtype(inner)) => self.vec_expr(inner, quote!(#expr.0)),
            _ => None,
        }
    }
}

/// `Option<T>` -> `T`, repeatedly.
fn strip_option(ty: &Type) -> &Type {
    let mut ty = ty;
    while last_ident(ty).is_some_and(|i| i == "Option") {
        match type_args(ty).first() {
            Some(t) => ty = t,
            None => break,
        }
    }
    ty
}

/// `Option<T>`, `Vec<T>`, `Box<T>` and `HashMap<String, T>` (or `BTreeMap`) -> `T`, repeatedly.
fn peel(ty: &Type) -> &Type {
    let mut ty = ty;
    loop {
        let Some(name) = last_ident(ty) else {
            return ty;
        };
        let args = type_args(ty);
        let next = match (name.to_string().as_str(), args.as_slice()) {
            ("Option" | "Vec" | "Box", [t]) => *t,
            ("HashMap" | "BTreeMap", [k, v]) if last_ident(k).is_some_and(|k| k == "String") => *v,
            _ => return ty,
        };
        ty = next;
    }
}

/// `super::` `n` times.
fn supers(n: usize) -> TokenStream {
    let s = (0..n).map(|_| quote!(super::));
    quote!(#(#s)*)
}

/// Rewrites a type as the client or the models write it so that it resolves from a module
/// `depth` levels below `types`.
struct Relocate<'a> {
    depth: usize,
    types: &'a Types,
}

impl VisitMut for Relocate<'_> {
    fn visit_type_path_mut(&mut self, tp: &mut syn::TypePath) {
        syn::visit_mut::visit_type_path_mut(self, tp);
        if tp.qself.is_some() || tp.path.leading_colon.is_some() {
            return;
        }
        let supers = supers(self.depth);
        let first = &tp.path.segments[0].ident;
        if tp.path.segments.len() > 1 && first == "types" {
            let rest: Vec<_> = tp.path.segments.iter().skip(1).collect();
            *tp = syn::parse_quote!(#supers #(#rest)::*);
        } else if tp.path.segments.len() == 1 && first == "ByteStream" {
            *tp = syn::parse_quote!(::progenitor_client::ByteStream);
        } else if tp.path.segments.len() == 1 && self.types.0.contains_key(&first.to_string()) {
            let path = &tp.path;
            *tp = syn::parse_quote!(#supers #path);
        }
    }
}

fn relocate(ty: &Type, depth: usize, types: &Types) -> Type {
    let mut ty = ty.clone();
    Relocate { depth, types }.visit_type_mut(&mut ty);
    ty
}

/// `foo_bar` -> `FooBar`; `type_` -> `Type`; a keyword gets a trailing `_`.
fn upper_camel(field: &syn::Ident) -> syn::Ident {
    let name = field.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name);
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    syn::parse_str::<syn::Ident>(&out).unwrap_or_else(|_| format_ident!("{out}_"))
}

/// What one operation's module says, for counting.
#[derive(Default)]
struct Emitted {
    aliases: usize,
}

/// The aliases for the fields of model `name`, for a module `depth` levels below `types`
/// and `level` modules below the operation's.
fn field_items(
    name: &syn::Ident,
    types: &Types,
    depth: usize,
    level: usize,
    ancestors: &mut Vec<String>,
    emitted: &mut Emitted,
) -> Vec<TokenStream> {
    let Some(Kind::Struct(fields)) = types.kind(name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (field, ty) in fields {
        let Some(target) = types.named(peel(ty)) else {
            continue;
        };
        let alias = upper_camel(field);
        if !seen.insert(alias.to_string()) {
            continue;
        }
        let up = supers(depth);
        out.push(quote!(pub type #alias = #up #target;));
        emitted.aliases += 1;
        if level >= MAX_MODULE_DEPTH {
            continue;
        }
        let inner = match types.kind(target) {
            Some(Kind::Struct(_)) => {
                module_of(target, types, depth + 1, level + 1, ancestors, emitted)
            }
            Some(Kind::Newtype(inner)) => match types.named(peel(inner)) {
                Some(item) => {
                    let up = supers(depth + 1);
                    let mut items = vec![quote!(pub type Item = #up #item;)];
                    emitted.aliases += 1;
                    if level + 1 < MAX_MODULE_DEPTH {
                        let sub = module_of(item, types, depth + 2, level + 2, ancestors, emitted);
                        if !sub.is_empty() {
                            items.push(quote!(pub mod item { #(#sub)* }));
                        }
                    }
                    items
                }
                None => Vec::new(),
            },
            _ => Vec::new(),
        };
        if !inner.is_empty() {
            out.push(quote!(pub mod #field { #(#inner)* }));
        }
    }
    out
}

/// The field aliases of a struct model, unless it is already on the path (a cycle).
fn module_of(
    name: &syn::Ident,
    types: &Types,
    depth: usize,
    level: usize,
    ancestors: &mut Vec<String>,
    emitted: &mut Emitted,
) -> Vec<TokenStream> {
    if ancestors.contains(&name.to_string()) || !types.is_struct(name) {
        return Vec::new();
    }
    ancestors.push(name.to_string());
    let items = field_items(name, types, depth, level, ancestors, emitted);
    ancestors.pop();
    items
}

/// `op-aliases`: `types::op`, one module per operation, named after its generated method,
/// with names derived from the operation alone:
///
/// - `Body`: the JSON request body; `Response`: the success type (`()` when there is
///   none, `ByteStream` for bytes); `Item`: the element when `Response` is a list (a
///   `Vec<T>` or a model around one, optional or not), with `fn items(Response) ->
///   Vec<Item>` whatever that shape, or the JSON-lines item `stream-items` names;
/// - modules `body`, `response`, `item` for those that are models, holding an alias per
///   field whose type (through `Option`, `Vec`, `Box`, `HashMap<String, _>`) is a model:
///   field `host_config` -> `HostConfig`, and for a model a module `host_config` with its
///   own fields' aliases, for a newtype (`PortMap`) a module with its `Item`;
///   [`MAX_MODULE_DEPTH`] modules deep at most, a model never inside itself;
/// - `types::op::ErrorBody`: the error body of the operations.
fn op_aliases(
    types: &Types,
    sigs: &[Sig],
    operations: &[Operation],
    log: &mut RuleLog,
) -> Result<Item, Error> {
    // stream-items: method -> model name.
    let mut stream_items = BTreeMap::new();
    for (id, candidates) in STREAM_ITEMS {
        let Some(op) = operations.iter().find(|o| o.id == *id) else {
            log.fired(
                "stream-items",
                format!("{id}: no such operation in this spec"),
            );
            continue;
        };
        // A model, or a newtype (an older spec gives stats a bare `object`: a map).
        match candidates
            .iter()
            .find(|c| types.kind(&format_ident!("{c}")).is_some())
        {
            Some(found) => {
                log.fired("stream-items", format!("{id}: Item = {found}"));
                stream_items.insert(op.method_name.clone(), format_ident!("{found}"));
            }
            None => log.fired(
                "stream-items",
                format!(
                    "{id}: none of {} in this spec, no Item",
                    candidates.join(", ")
                ),
            ),
        }
    }

    let mut errors: Vec<(String, usize, &Type)> = Vec::new();
    let mut modules = Vec::new();
    for sig in sigs {
        let e = &sig.error;
        let key = quote!(#e).to_string();
        match errors.iter_mut().find(|(k, ..)| *k == key) {
            Some((_, n, _)) => *n += 1,
            None => errors.push((key, 1, &sig.error)),
        }

        let depth = 2;
        let mut emitted = Emitted::default();
        let mut items = Vec::new();
        let id = operations
            .iter()
            .find(|o| o.method_name == sig.method)
            .map_or(sig.method.as_str(), |o| o.id.as_str());
        let root = |alias: &str,
                    module: &str,
                    ty: &Type,
                    items: &mut Vec<TokenStream>,
                    emitted: &mut Emitted| {
            let alias = format_ident!("{alias}");
            let module = format_ident!("{module}");
            let target = relocate(ty, depth, types);
            items.push(quote!(pub type #alias = #target;));
            emitted.aliases += 1;
            if let Some(name) = types.named(ty) {
                let fields = module_of(name, types, depth + 1, 1, &mut Vec::new(), emitted);
                if !fields.is_empty() {
                    items.push(quote!(pub mod #module { #(#fields)* }));
                }
            }
        };
        if let Some(body) = &sig.body {
            root("Body", "body", body, &mut items, &mut emitted);
        }
        root(
            "Response",
            "response",
            &sig.success,
            &mut items,
            &mut emitted,
        );
        let item = match stream_items.get(&sig.method) {
            Some(model) => Some(syn::parse_quote!(types::#model)),
            None => types.element(&sig.success),
        };
        if let Some(item) = &item {
            root("Item", "item", item, &mut items, &mut emitted);
        }
        // A list's items, whatever shape the spec gives the list (`Vec<T>`,
        // `Option<Vec<T>>`, a newtype around either).
        if !stream_items.contains_key(&sig.method)
            && item.is_some()
            && let Some(body) = types.vec_expr(&sig.success, quote!(response))
        {
            items.push(quote! {
                /// The items of a `Response`; none when the daemon sent `null`.
                pub fn items(response: Response) -> ::std::vec::Vec<Item> {
                    #body
                }
            });
        }
        let doc = format!(" The types of `{id}` (`Client::{}`).", sig.method);
        let name = format_ident!("{}", sig.method);
        modules.push(quote! {
            #[doc = #doc]
            pub mod #name { #(#items)* }
        });
        log.fired(
            "op-aliases",
            format!("{} ({} aliases)", sig.method, emitted.aliases),
        );
    }
    let error_body = errors.iter().max_by_key(|(_, n, _)| *n).map(|(_, _, ty)| {
        let ty = relocate(ty, 1, types);
        quote! {
            /// The error body every operation shares (`{"message": ...}`).
            pub type ErrorBody = #ty;
        }
    });
    if errors.len() > 1 {
        log.fired(
            "op-aliases",
            format!(
                "ErrorBody: {} error types, the most common one kept",
                errors.len()
            ),
        );
    }
    let tokens = quote! {
        /// Names for the generated types, derived from operations rather than from the
        /// spec's definition names (which Docker renames between API versions): one module
        /// per operation, named after its method, with `Body`, `Response`, `Item` and an
        /// alias per field that is a model (`op::container_create::body::HostConfig`).
        pub mod op {
            #error_body
            #(#modules)*
        }
    };
    syn::parse2(tokens).map_err(|e| Error::new("types::op", "op-aliases", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_become_alias_names() {
        assert_eq!(upper_camel(&format_ident!("host_config")), "HostConfig");
        assert_eq!(upper_camel(&format_ident!("type_")), "Type");
        assert_eq!(upper_camel(&format_ident!("ipv4_address")), "Ipv4Address");
        assert_eq!(upper_camel(&format_ident!("self_")), "Self_");
    }

    #[test]
    fn peel_unwraps_containers() {
        let ty: Type = syn::parse_quote!(
            ::std::option::Option<
                ::std::collections::HashMap<
                    ::std::string::String,
                    ::std::option::Option<::std::vec::Vec<PortBinding>>,
                >,
            >
        );
        let peeled = peel(&ty);
        assert_eq!(quote!(#peeled).to_string(), "PortBinding");
        let keyed: Type = syn::parse_quote!(::std::collections::HashMap<i64, X>);
        let peeled = peel(&keyed);
        assert_eq!(
            quote!(#peeled).to_string(),
            quote!(#keyed).to_string(),
            "only string-keyed maps are peeled"
        );
    }
}
