//! The generated client: every endpoint of the Engine API, typed.
//!
//! Generated at build time from `spec/engine-api.yaml` (a reviewed copy is in
//! `generated/engine.rs`). Get it bound to a connection with [`crate::Docker::raw`]; its
//! models are in [`types`] (also `docker_engine::types`). Each method returns a builder
//! that ends in `.send()`; errors convert into [`crate::Error`] with `?`.
#![allow(
    missing_docs,
    clippy::all,
    unused_imports,
    dead_code,
    unreachable_patterns,
    rustdoc::all
)]

include!(concat!(env!("OUT_DIR"), "/engine.rs"));
