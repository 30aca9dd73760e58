//! Loading plugins: the `trellis:plugin` version gate (a compatible version
//! loads and answers, an incompatible one is refused naming both versions),
//! components that export nothing of the package, and plugins that export
//! only some interfaces.
//!
//! Plugins "built for" another version are the default plugin with the
//! version in its interface names rewritten (`@0.1.1` to `@0.1.9` and so on:
//! same length, so the component stays valid). The naming-only test plugin
//! is built for 0.1.0, before the `dns` interface (0.1.1): it loads, and
//! is skipped for DNS records.

use std::path::Path;

use trellis::config::ClusterConfig;
use trellis::plugin::bindings::naming::{ListenerSubject, NamingSubject};
use trellis::plugin::bindings::types::{
    AttachedListener, CallContext, ListenerProtocol, ObjectMeta, RouteInput, RouteKind,
};
use trellis::plugin::{Interface, Plugin, PluginEngine, PluginError, WIT_VERSION};

/// The component at `path`, built for `built`, with every `trellis:plugin`
/// interface name moved to `@{version}` (which must be as long).
fn built_for(path: &str, built: &str, version: &str) -> Vec<u8> {
    let from = format!("@{built}").into_bytes();
    let to = format!("@{version}").into_bytes();
    assert_eq!(from.len(), to.len(), "the rewrite keeps the length");
    let mut bytes = std::fs::read(path).unwrap();
    let mut rewritten = 0;
    for at in 0..bytes.len().saturating_sub(from.len()) {
        let name_start = at.saturating_sub(40);
        if bytes[at..].starts_with(&from) && contains(&bytes[name_start..at], b"trellis:plugin/") {
            bytes[at..at + to.len()].copy_from_slice(&to);
            rewritten += 1;
        }
    }
    assert!(rewritten > 0, "{path} names trellis:plugin interfaces");
    bytes
}

/// The default plugin (which exports every interface) built for `version`.
fn default_plugin_built_for(version: &str) -> Vec<u8> {
    built_for(env!("TRELLIS_DEFAULT_PLUGIN_WASM"), WIT_VERSION, version)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

fn naming_only(engine: &PluginEngine) -> Plugin {
    Plugin::from_file(engine, Path::new(env!("TRELLIS_TEST_PLUGIN_NAMING_ONLY")))
        .expect("the naming-only plugin loads")
}

fn context() -> CallContext {
    CallContext {
        cluster: (&ClusterConfig::local()).into(),
        config: "{}".into(),
        namespace_labels: Vec::new(),
    }
}

fn meta(kind: &str, name: &str) -> ObjectMeta {
    ObjectMeta {
        kind: kind.into(),
        namespace: "default".into(),
        name: name.into(),
        annotations: Vec::new(),
        labels: Vec::new(),
    }
}

fn route() -> RouteInput {
    RouteInput {
        kind: RouteKind::Http,
        meta: meta("HTTPRoute", "rates"),
        hostnames: Vec::new(),
        listeners: vec![AttachedListener {
            gateway: meta("Gateway", "my-gateway"),
            listener_name: "http".into(),
            port: 80,
            protocol: "HTTP".into(),
            tls_mode: None,
            tls_options: Vec::new(),
        }],
        rules: Vec::new(),
        policies: Vec::new(),
        raw: "{}".into(),
    }
}

fn subjects() -> Vec<NamingSubject> {
    vec![
        NamingSubject::Service,
        NamingSubject::Listener(ListenerSubject {
            port: 80,
            protocol: ListenerProtocol::Http,
        }),
    ]
}

#[tokio::test]
async fn a_plugin_built_for_a_compatible_newer_version_loads_and_answers() {
    let engine = PluginEngine::new().unwrap();
    let newer = Plugin::load(&engine, "newer", &default_plugin_built_for("0.1.9"))
        .expect("a plugin built for 0.1.9 loads on a 0.1.1 host");
    let current = Plugin::default_plugin(&engine).unwrap();
    for interface in Interface::ALL {
        assert!(newer.exports(interface), "{interface}");
    }

    let owner = meta("HTTPRoute", "rates");
    let names = newer
        .name_resources(&context(), &owner, &subjects())
        .await
        .expect("the newer plugin answers");
    assert_eq!(
        names,
        current
            .name_resources(&context(), &owner, &subjects())
            .await
            .unwrap()
    );
    assert!(names[0].is_some(), "{names:?}");
}

#[tokio::test]
async fn a_plugin_built_for_a_compatible_newer_version_links_its_imports() {
    let engine = PluginEngine::new().unwrap();
    let bytes = built_for(env!("TRELLIS_TEST_PLUGIN_NAMING_ONLY"), "0.1.0", "0.1.9");
    let plugin =
        Plugin::load(&engine, "newer", &bytes).expect("log@0.1.9 links to the host's log@0.1.1");
    let names = plugin
        .name_resources(&context(), &meta("HTTPRoute", "rates"), &subjects())
        .await
        .expect("the call, which logs, answers");
    assert_eq!(names, [Some("only-rates".to_owned()), None]);
}

#[test]
fn a_plugin_built_for_an_incompatible_version_is_refused_naming_both_versions() {
    let engine = PluginEngine::new().unwrap();
    for (version, expected) in [("0.2.0", "0.1.x"), ("1.1.0", "0.1.x"), ("0.0.9", "0.1.x")] {
        let error = Plugin::load(&engine, "team-prefix", &default_plugin_built_for(version))
            .err()
            .unwrap_or_else(|| panic!("a plugin built for {version} is refused"));
        assert!(
            matches!(
                &error,
                PluginError::IncompatibleVersion { plugin, found, supported }
                    if plugin == "team-prefix"
                        && found.to_string() == version
                        && supported.to_string() == WIT_VERSION
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "plugin team-prefix is built for trellis:plugin@{version}; this Trellis supports \
                 trellis:plugin@{expected} ({WIT_VERSION}): rebuild it against \
                 wit/since_v{WIT_VERSION} or upgrade Trellis"
            )
        );
        assert_eq!(error.reason(), "PluginVersionIncompatible");
    }
}

#[test]
fn a_component_that_exports_no_trellis_interface_is_refused() {
    /// The smallest valid component: the preamble of an empty one.
    const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\x00\x01\x00";
    let engine = PluginEngine::new().unwrap();
    let error = Plugin::load(&engine, "empty", EMPTY_COMPONENT)
        .err()
        .expect("an empty component is refused");
    assert!(
        matches!(&error, PluginError::NothingExported { plugin } if plugin == "empty"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("exports no trellis:plugin interface"),
        "{error}"
    );
}

#[test]
fn a_plugin_that_exports_only_naming_says_so() {
    let engine = PluginEngine::new().unwrap();
    let plugin = naming_only(&engine);
    let exported: Vec<Interface> = Interface::ALL
        .into_iter()
        .filter(|&interface| plugin.exports(interface))
        .collect();
    assert_eq!(exported, [Interface::Naming]);
}

#[tokio::test]
async fn a_plugin_that_exports_only_naming_names() {
    let engine = PluginEngine::new().unwrap();
    let plugin = naming_only(&engine);
    let names = plugin
        .name_resources(&context(), &meta("HTTPRoute", "rates"), &subjects())
        .await
        .expect("naming works");
    assert_eq!(names, [Some("only-rates".to_owned()), None]);
}

#[tokio::test]
async fn calling_an_interface_a_plugin_does_not_export_is_an_error_naming_it() {
    let engine = PluginEngine::new().unwrap();
    let plugin = naming_only(&engine);
    let not_exported = |result: Result<(), PluginError>, interface: Interface| {
        let error = result.expect_err("the call fails");
        assert!(
            matches!(
                &error,
                PluginError::NotExported { plugin, interface: called }
                    if plugin == "trellis_test_plugin_naming_only" && *called == interface
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!("plugin trellis_test_plugin_naming_only does not export {interface}")
        );
    };
    let ctx = context();
    let owner = meta("HTTPRoute", "rates");
    not_exported(
        plugin.translate_route(&ctx, &route(), None).await.map(drop),
        Interface::Translate,
    );
    not_exported(
        plugin.tag_resources(&ctx, &owner, &[]).await.map(drop),
        Interface::Tagging,
    );
    not_exported(
        plugin.route_auth_policy(&ctx, &route()).await.map(drop),
        Interface::Auth,
    );
    not_exported(
        plugin
            .route_dns_record(&ctx, &route(), "rates.example.com")
            .await
            .map(drop),
        Interface::Dns,
    );
    plugin
        .name_resources(&ctx, &owner, &subjects())
        .await
        .expect("the plugin keeps naming after refused calls");
}
