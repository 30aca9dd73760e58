//! Write [Trellis](https://github.com/trellis-dev/trellis) plugins in Rust.
//!
//! A Trellis plugin is a WebAssembly component that implements the WIT world
//! `trellis:plugin/plugin@0.1.1` (`wit/since_v0.1.1/`): translation, naming,
//! tagging and auth of the VPC Lattice resources that Kubernetes objects
//! become, and the DNS record (an ExternalDNS `DNSEndpoint`) of a route's
//! custom domain. With this crate a plugin is a type that implements [`Plugin`] —
//! only the methods it has an opinion on; every other method defers to the
//! next plugin of the chain — and one [`export_plugin!`] line.
//!
//! ```
//! use trellis_plugin_sdk::{CallContext, NamingSubject, ObjectMeta, Plugin, PluginError};
//!
//! /// Names every route's Lattice service `web-<route>`.
//! struct WebPrefix;
//!
//! impl Plugin for WebPrefix {
//!     fn name(
//!         _ctx: &CallContext,
//!         owner: &ObjectMeta,
//!         subjects: &[NamingSubject],
//!     ) -> Result<Vec<Option<String>>, PluginError> {
//!         let service = trellis_plugin_sdk::lattice_name(&["web", &owner.name], 40);
//!         Ok(subjects
//!             .iter()
//!             .map(|subject| matches!(subject, NamingSubject::Service).then(|| service.clone()))
//!             .collect())
//!     }
//! }
//!
//! trellis_plugin_sdk::export_plugin!(WebPrefix);
//!
//! # fn main() {
//! use trellis_plugin_sdk::{ListenerProtocol, ListenerSubject, testing};
//! let route = testing::object_meta("HTTPRoute", "shop", "Cart_API");
//! let listener = ListenerSubject { port: 80, protocol: ListenerProtocol::Http };
//! let names = WebPrefix::name(
//!     &testing::context("{}", &[]),
//!     &route,
//!     &[NamingSubject::Service, NamingSubject::Listener(listener)],
//! );
//! assert_eq!(names, Ok(vec![Some("web-cart-api".to_owned()), None]));
//! # }
//! ```
//!
//! Build it with `cargo build --release --target wasm32-wasip2`: the `.wasm`
//! in `target/wasm32-wasip2/release/` is the component Trellis loads. The
//! crate's `README.md` is the whole walk-through: crate, fixtures,
//! `trellis test`, policy file, hot reload.
//!
//! # What the host guarantees
//!
//! Policies put plugins in a chain per object; the built-in default plugin is
//! always last. Naming, auth and DNS records: the first answer that is not
//! `None` wins.
//! Tagging: every plugin is asked and tags merge, earlier plugins winning on
//! a key. Translation runs from the end of the chain, so a plugin other than
//! the default always gets the result so far as `previous`. The host
//! validates every answer (name rules, tag rules, …) before it reaches AWS;
//! an error or an invalid answer is reported on the object and leaves its
//! live Lattice resources as they are.

/// The bindings wit-bindgen generates for the world `plugin`. Plugin code
/// rarely needs this module: the types are re-exported at the crate root and
/// [`export_plugin!`] implements the `Guest` traits.
pub mod bindings {
    wit_bindgen::generate!({
        world: "plugin",
        path: "../../wit/since_v0.1.1",
        additional_derives: [PartialEq],
        // `export!` is used by the crates of plugins, through `export_plugin!`.
        pub_export_macro: true,
        default_bindings_module: "trellis_plugin_sdk::bindings",
    });
}

mod config;
mod error;
mod export;
mod labels;
pub mod log;
mod names;
mod plugin;
pub mod testing;

pub use bindings::exports::trellis::plugin::auth::AuthPolicy;
pub use bindings::exports::trellis::plugin::dns::{DnsDecision, DnsRecord};
pub use bindings::exports::trellis::plugin::naming::{ListenerSubject, NamingSubject, RuleSubject};
pub use bindings::exports::trellis::plugin::tagging::TaggingSubject;
pub use bindings::trellis::plugin::types::*;
pub use names::{SERVICE_NAME_MAX_LENGTH, SERVICE_NETWORK_NAME_MAX_LENGTH, lattice_name};
pub use plugin::Plugin;

/// The README's Rust examples, compiled by `cargo test` so that the
/// tutorial keeps compiling.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
