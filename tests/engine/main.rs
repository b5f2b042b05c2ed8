//! The integration suite against a real engine: one test binary, one module per area.
//!
//! Run by `scripts/test.sh` once per test engine (`DOCKER_ENGINE_TEST_ENGINE=v141|v151`).
//! Tests that change process-wide state (environment variables, restarting the engine)
//! are binaries of their own: `from_env`, `registry_config`, `restart`.

mod common;

mod connect;
mod containers;
mod decode;
mod endpoints;
mod exec;
mod exec_it_tmux;
mod hostile;
mod images;
mod networks_volumes;
mod parity;
mod run_options;
mod streams;
mod timeouts;
#[cfg(feature = "tls")]
mod tls;
#[cfg(not(feature = "tls"))]
mod tls_off;
