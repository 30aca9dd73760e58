//! kube-rs against `kube-test-server` over HTTP. Each test starts its own
//! server; timeouts are safety nets only.

mod controller;
mod crud;
mod errors;
mod expiry;
mod finalizers;
mod lease;
mod ownership;
mod setup;
mod status;
mod support;
mod types;
mod watches;
