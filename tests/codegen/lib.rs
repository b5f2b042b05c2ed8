//! The generator of `docker-engine`, compiled as a library for its unit tests.
//!
//! The sources live in `src/codegen/` and ship inside the `docker-engine` package, where
//! `build.rs` compiles them as a module (`#[path = "src/codegen/mod.rs"] mod codegen;`) when
//! the `regenerate` feature is on. This crate compiles the very same files the same way,
//! so that `cargo test -p docker-engine-codegen` (and `cargo test --workspace --lib`) runs
//! their tests.

#[path = "../../src/codegen/mod.rs"]
pub mod codegen;

pub use codegen::*;
