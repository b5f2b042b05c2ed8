//! The generated client: every endpoint of the Engine API, typed.
//!
//! Generated from `spec/engine-api.yaml` (a reviewed copy is in `generated/engine.rs`).
//! Get it bound to a connection with [`crate::Docker::raw`]; its models are in [`types`]
//! (also `docker_engine::types`). Each method returns a builder that ends in `.send()`;
//! every call goes through the crate's one transport core, and its errors convert into
//! [`crate::Error`] with `?`.
#![allow(
    missing_docs,
    clippy::all,
    unused_imports,
    dead_code,
    unreachable_patterns,
    private_interfaces,
    rustdoc::all
)]

include!(concat!(env!("OUT_DIR"), "/engine.rs"));

/// The error body every operation shares (`{"message": ...}`).
pub type ErrorBody = types::op::ErrorBody;

/// What a generated call's `send()` returns.
pub(crate) type CallResult<T> =
    std::result::Result<ResponseValue<T>, progenitor_client::Error<ErrorBody>>;
