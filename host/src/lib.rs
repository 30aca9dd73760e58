//! Trellis: a Kubernetes controller for Amazon VPC Lattice whose policy —
//! translation, naming, tagging, auth — runs in sandboxed WebAssembly plugins.
//!
//! The flow: a [`kube::Snapshot`] of Kubernetes objects is normalized into the
//! plugin model ([`reconcile::normalize`]), translated by plugins
//! ([`plugin`]), validated, planned and applied to a [`lattice`]
//! implementation, which records the API calls it makes ([`reconcile`]).
//! [`acm`] discovers the ACM certificate of an HTTPS route that names none.
//! [`object`] is the vocabulary every room shares. `ARCHITECTURE.md` at the
//! repository's root is the map.

pub mod acm;
pub mod config;
pub mod controller;
pub mod harness;
pub mod kube;
pub mod lattice;
pub mod object;
pub mod plugin;
pub mod reconcile;
