//! A test plugin that misbehaves on request, to prove that the host contains
//! it: the annotation `trellis.test/misbehave` on the object being translated
//! (or named, or tagged) selects the misbehavior.
//!
//! | value          | what the plugin does                                     |
//! |----------------|----------------------------------------------------------|
//! | `trap`         | panics (a Wasm trap)                                     |
//! | `loop`         | never returns                                            |
//! | `oom`          | allocates without bound                                  |
//! | `refuse`       | returns a `plugin-error` naming `spec.rules[0]`          |
//! | `bad-name`     | names the service `Not A Valid Name!`                    |
//! | `no-name`      | defers every name (`none`)                               |
//! | `bad-priority` | gives its rule priority 0                                |
//! | `dup-priority` | gives two rules the same priority                        |
//! | `bad-tags`     | returns one tag list too few                             |
//! | `log-flood`    | logs 10,000 lines, then behaves                          |
//! | `log-bytes`    | logs 100 lines of 1 MiB (and a 1 MiB field), then behaves |
//! | `random`       | names `<random hex>.<insecure random hex>.random.test` as the service's custom domain (translate-route) |
//! | `count`        | names `call-<n>.count.test` as the service's custom domain, `n` counting the instance's `translate-route` calls |
//! | `leak`         | as `count`, after leaking 6 MiB (kept until the instance ends) |
//!
//! Without the annotation it behaves: one listener per attached port with a
//! fixed-response 404 default and one fixed-response 200 rule per route rule.

wit_bindgen::generate!({ world: "plugin", path: "../../../wit/since_v0.1.0" });

/// `wasi:random`, read directly (not through std), for the `random` mode.
mod wasi_random {
    wit_bindgen::generate!({ world: "wasi:random/imports", path: "wit/random.wit" });
}

use exports::trellis::plugin::auth::{self, AuthPolicy};
use exports::trellis::plugin::naming::{self, NamingSubject};
use exports::trellis::plugin::tagging::{self, TaggingSubject};
use exports::trellis::plugin::translate;
use trellis::plugin::log::{Level, log};
use trellis::plugin::types::{
    CallContext, ExportInput, GatewayInput, KeyValue, LatticeMatch, ListenerProtocol, ListenerSpec,
    ObjectMeta, PluginError, RouteInput, RouteTranslation, RuleAction, RuleSpec, ServiceSpec,
    TargetGroupSpec,
};

/// The annotation selecting a misbehavior.
const MODE_ANNOTATION: &str = "trellis.test/misbehave";

struct Misbehaving;

fn mode(meta: &ObjectMeta) -> &str {
    let mode = meta
        .annotations
        .iter()
        .find(|pair| pair.key == MODE_ANNOTATION)
        .map_or("", |pair| pair.value.as_str());
    misbehave(mode);
    mode
}

/// The misbehaviors every function shares.
fn misbehave(mode: &str) {
    match mode {
        "trap" => panic!("misbehaving plugin: trap requested"),
        "loop" => loop {
            std::hint::black_box(());
        },
        "oom" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1; 1 << 20]);
                std::hint::black_box(&hoard);
            }
        }
        "log-flood" => {
            for line in 0..10_000 {
                log(Level::Info, &format!("line {line}"), &[]);
            }
        }
        "log-bytes" => {
            let line = "x".repeat(1 << 20);
            let fields = [("payload".to_owned(), line.clone())];
            for _ in 0..100 {
                log(Level::Info, &line, &fields);
            }
        }
        _ => {}
    }
}

/// The `translate-route` calls of this instance so far.
static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// `call-<n>.count.test`, `n` counting this instance's calls of the
/// `count` and `leak` modes (1 on a fresh instance).
fn counted_domain() -> String {
    let calls = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
    format!("call-{calls}.count.test")
}

/// A domain name made of 8 bytes of `wasi:random/random` and 8 of
/// `wasi:random/insecure`, in hex.
fn random_domain() -> String {
    let hex = |bytes: Vec<u8>| {
        bytes
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    };
    let secure = hex(wasi_random::wasi::random::random::get_random_bytes(8));
    let insecure = hex(wasi_random::wasi::random::insecure::get_insecure_random_bytes(8));
    format!("{secure}.{insecure}.random.test")
}

impl translate::Guest for Misbehaving {
    fn translate_route(
        _ctx: CallContext,
        route: RouteInput,
        _previous: Option<RouteTranslation>,
    ) -> Result<RouteTranslation, PluginError> {
        let mode = mode(&route.meta);
        if mode == "refuse" {
            return Err(PluginError {
                reason: "Refused".into(),
                field: Some("spec.rules[0]".into()),
                message: "refusal requested".into(),
            });
        }
        let rules: Vec<RuleSpec> = route
            .rules
            .iter()
            .map(|rule| RuleSpec {
                priority: match mode {
                    "bad-priority" => 0,
                    "dup-priority" => 1,
                    _ => rule.index + 1,
                },
                match_: LatticeMatch {
                    path: None,
                    path_case_sensitive: false,
                    method: None,
                    headers: Vec::new(),
                },
                action: RuleAction::FixedResponse(200),
            })
            .collect();
        let mut ports: Vec<u16> = route
            .listeners
            .iter()
            .map(|listener| listener.port)
            .collect();
        ports.sort_unstable();
        ports.dedup();
        let mut networks: Vec<String> = route
            .listeners
            .iter()
            .map(|listener| listener.gateway.name.clone())
            .collect();
        networks.sort();
        networks.dedup();
        let listeners = ports
            .into_iter()
            .map(|port| ListenerSpec {
                port,
                protocol: ListenerProtocol::Http,
                default_action: RuleAction::FixedResponse(404),
                rules: rules.clone(),
            })
            .collect();
        Ok(RouteTranslation {
            service: ServiceSpec {
                custom_domain_name: match mode {
                    "random" => Some(random_domain()),
                    "count" => Some(counted_domain()),
                    "leak" => {
                        std::hint::black_box(Vec::leak(vec![1u8; 6 << 20]));
                        Some(counted_domain())
                    }
                    _ => None,
                },
                certificate_arn: None,
                service_networks: networks,
                listeners,
                allow_takeover_from: None,
            },
            target_groups: Vec::new(),
        })
    }

    fn translate_export(
        _ctx: CallContext,
        service_export: ExportInput,
        _previous: Option<Vec<TargetGroupSpec>>,
    ) -> Result<Vec<TargetGroupSpec>, PluginError> {
        mode(&service_export.meta);
        Ok(Vec::new())
    }

    fn gateway_service_network(
        _ctx: CallContext,
        gateway: GatewayInput,
        _previous: Option<String>,
    ) -> Result<String, PluginError> {
        mode(&gateway.meta);
        Ok(gateway.meta.name)
    }
}

impl naming::Guest for Misbehaving {
    fn name(
        _ctx: CallContext,
        owner: ObjectMeta,
        subjects: Vec<NamingSubject>,
    ) -> Result<Vec<Option<String>>, PluginError> {
        let mode = mode(&owner);
        Ok(subjects
            .iter()
            .map(|subject| match (mode, subject) {
                ("no-name", _) => None,
                ("bad-name", NamingSubject::Service) => Some("Not A Valid Name!".into()),
                (_, NamingSubject::Service) => Some(format!("mb-{}", owner.name)),
                (_, NamingSubject::Listener(listener)) => {
                    Some(format!("mb-{}-{}", owner.name, listener.port))
                }
                (_, NamingSubject::Rule(rule)) => Some(format!("mb-rule-{}", rule.priority)),
                (_, NamingSubject::TargetGroup(key)) => Some(format!("mb-tg-{}", key.name)),
            })
            .collect())
    }
}

impl tagging::Guest for Misbehaving {
    fn tags(
        _ctx: CallContext,
        owner: ObjectMeta,
        subjects: Vec<TaggingSubject>,
    ) -> Result<Vec<Vec<KeyValue>>, PluginError> {
        let count = if mode(&owner) == "bad-tags" {
            subjects.len().saturating_sub(1)
        } else {
            subjects.len()
        };
        Ok(vec![Vec::new(); count])
    }
}

impl auth::Guest for Misbehaving {
    fn route_auth_policy(
        _ctx: CallContext,
        route: RouteInput,
    ) -> Result<Option<AuthPolicy>, PluginError> {
        mode(&route.meta);
        Ok(None)
    }

    fn gateway_auth_policy(
        _ctx: CallContext,
        gateway: GatewayInput,
    ) -> Result<Option<AuthPolicy>, PluginError> {
        mode(&gateway.meta);
        Ok(None)
    }
}

export!(Misbehaving);
