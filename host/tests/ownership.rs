//! Ownership of listeners and rules on a service a route manages, and of a
//! service a route's name override points at, through the real AWS SDK
//! client against the Lattice emulator on 127.0.0.1.
//!
//! The rule (README "Ownership"): listeners and rules tagged `ManagedBy`
//! another owner are never modified or deleted, and one where the route
//! needs it is a `Conflicted` problem; untagged ones are never deleted, and
//! adopted only exactly at the route's port (same protocol) and priority
//! (same match).

use std::num::NonZeroU32;
use std::path::Path;
use std::time::Duration;

use aws_sdk_vpclattice::config::Credentials;
use lattice_emulator::Emulator;
use trellis::acm::PendingCertificates;
use trellis::kube::manifests::load_plan_inputs;
use trellis::lattice::model::{
    CreateListenerInput, CreateRuleInput, CreateServiceInput, FixedResponseAction, Listener, Rule,
    RuleAction, RuleMatch, Tags,
};
use trellis::lattice::{InMemoryLattice, Lattice, SdkLattice, SdkOptions};
use trellis::plugin::{Plugin, PluginEngine, PluginSet};
use trellis::reconcile::{Prune, Reconciled, plan, reconcile};

const MANAGED_BY: &str = "application-networking.k8s.aws/ManagedBy";
const OURS: &str = "123456789012/config-cluster/vpc-0a1b2c3d4e5f60000";
const THEIRS: &str = "123456789012/someone-else/vpc-0a1b2c3d4e5f69999";

const CLUSTER: &str = r#"clusterName: config-cluster
vpcId: vpc-0a1b2c3d4e5f60000
accountId: "123456789012"
region: us-west-2
defaultServiceNetwork: my-gateway
"#;

const MESH: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: my-gateway, namespace: default}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: rates, namespace: default}
spec:
  ports: [{name: http, port: 80, targetPort: 8090}]
"#;

/// The route `rates` with one rule per path prefix, in order.
fn route(paths: &[&str]) -> String {
    let rules: String = paths
        .iter()
        .map(|path| {
            format!(
                "  - matches: [{{path: {{type: PathPrefix, value: {path}}}}}]\n    backendRefs: [{{name: rates, port: 80}}]\n"
            )
        })
        .collect();
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: rates, namespace: default}}\nspec:\n  parentRefs: [{{name: my-gateway}}]\n  rules:\n{rules}"
    )
}

/// A route with a service-name override whose second backend is a
/// ServiceImport that does not exist.
const OVERRIDE_ROUTE: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: rates
  namespace: default
  annotations: {application-networking.k8s.aws/service-name-override: hand-made}
spec:
  parentRefs: [{name: my-gateway}]
  rules:
  - backendRefs:
    - {group: application-networking.k8s.aws, kind: ServiceImport, name: missing, port: 80}
"#;

struct Account {
    emulator: Emulator,
    lattice: SdkLattice,
    plugins: PluginSet,
}

impl Account {
    async fn start() -> Self {
        let emulator = Emulator::new("123456789012", "us-west-2", 100);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(emulator.clone().serve(listener));
        let options = SdkOptions {
            endpoint_url: Some(url),
            calls_per_second: NonZeroU32::new(1000).unwrap(),
            burst: NonZeroU32::new(1000).unwrap(),
            max_attempts: 2,
            initial_backoff: Duration::from_millis(1),
            ..SdkOptions::default()
        };
        let engine = PluginEngine::new().unwrap();
        Self {
            emulator,
            lattice: SdkLattice::with_credentials(
                "us-west-2",
                Credentials::new("AKIDEXAMPLE", "secret", None, None, "t"),
                &options,
            ),
            plugins: PluginSet::stock(Plugin::default_plugin(&engine).unwrap()),
        }
    }

    /// Applies the mesh with `route` (no prune), as `trellis apply` does.
    async fn apply(&self, route: &str) -> Reconciled {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), route);
        let clusters = load_plan_inputs(&[dir.path().to_path_buf()]).unwrap();
        reconcile(
            &clusters,
            &self.plugins,
            &self.lattice,
            &PendingCertificates,
            Prune::No,
        )
        .await
    }

    fn listeners(&self) -> Vec<Listener> {
        self.emulator.lattice().state().listeners
    }

    fn rules(&self) -> Vec<Rule> {
        self.emulator.lattice().state().rules
    }
}

fn write(dir: &Path, route: &str) {
    std::fs::write(dir.join("cluster.yaml"), CLUSTER).unwrap();
    std::fs::write(dir.join("input.yaml"), format!("{MESH}---\n{route}")).unwrap();
}

/// The match `plan` gives the route's rule for `path` (from the in-memory
/// account, so an out-of-band rule can be made with exactly that match).
async fn planned_match(path: &str) -> RuleMatch {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &route(&[path]));
    let clusters = load_plan_inputs(&[dir.path().to_path_buf()]).unwrap();
    let engine = PluginEngine::new().unwrap();
    let plugins = PluginSet::stock(Plugin::default_plugin(&engine).unwrap());
    let report = plan(&clusters, &plugins, &InMemoryLattice::new("1", "us-west-2")).await;
    report.state.rules[0].match_.clone()
}

fn tagged(owner: Option<&str>) -> Tags {
    owner
        .map(|owner| Tags::from([(MANAGED_BY.to_owned(), owner.to_owned())]))
        .unwrap_or_default()
}

fn fixed_404() -> RuleAction {
    RuleAction::FixedResponse(FixedResponseAction { status_code: 404 })
}

async fn listener(
    lattice: &dyn Lattice,
    service: &str,
    port: u16,
    protocol: &str,
    owner: Option<&str>,
) -> Listener {
    lattice
        .create_listener(CreateListenerInput {
            service_identifier: service.into(),
            name: format!("by-hand-{port}"),
            port,
            protocol: protocol.into(),
            default_action: fixed_404(),
            tags: tagged(owner),
        })
        .await
        .unwrap()
}

async fn rule(
    lattice: &dyn Lattice,
    listener: &Listener,
    priority: u32,
    path: &str,
    owner: Option<&str>,
) -> Rule {
    lattice
        .create_rule(CreateRuleInput {
            service_identifier: listener.service_id.clone(),
            listener_identifier: listener.id.clone(),
            name: format!("by-hand-{priority}"),
            priority,
            match_: planned_match(path).await,
            action: fixed_404(),
            tags: tagged(owner),
        })
        .await
        .unwrap()
}

fn operations(reconciled: &Reconciled) -> Vec<&'static str> {
    reconciled.calls.iter().map(|call| call.operation).collect()
}

fn route_problems(reconciled: &Reconciled) -> Vec<(String, String)> {
    reconciled
        .problems
        .iter()
        .map(|problem| (problem.reason.clone(), problem.message.clone()))
        .collect()
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    let mut ids: Vec<String> = items.iter().map(|item| id(item).to_owned()).collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn others_and_untagged_listeners_and_rules_elsewhere_are_never_touched() {
    let account = Account::start().await;
    let first = account.apply(&route(&["/rates"])).await;
    assert!(first.problems.is_empty(), "{:#?}", first.problems);
    let ours = account.listeners()[0].clone();
    let service = ours.service_id.clone();
    let lattice = &account.lattice;
    // Out of band: another owner's and an untagged rule on the route's
    // listener, at priorities it does not use.
    let their_rule = rule(lattice, &ours, 50, "/theirs", Some(THEIRS)).await;
    let hand_rule = rule(lattice, &ours, 60, "/by-hand", None).await;
    // And a listener on another port (Lattice allows two per service):
    // someone else's, then an untagged one; each time the route changes.
    for (owner, port, path) in [(Some(THEIRS), 8080, "/rates-v2"), (None, 9090, "/rates-v3")] {
        let foreign_listener = listener(lattice, &service, port, "HTTP", owner).await;
        let foreign_rules: Vec<Rule> = account
            .rules()
            .into_iter()
            .filter(|r| r.id == their_rule.id || r.id == hand_rule.id)
            .collect();
        assert_eq!(foreign_rules.len(), 2);

        let changed = account.apply(&route(&[path])).await;
        assert!(changed.problems.is_empty(), "{:#?}", changed.problems);
        let operations = operations(&changed);
        assert!(operations.contains(&"DeleteRule"), "{operations:?}");
        assert!(operations.contains(&"CreateRule"), "{operations:?}");
        for call in &changed.calls {
            let text = call.input.to_string();
            for foreign in [&foreign_listener.id, &their_rule.id, &hand_rule.id] {
                assert!(
                    !text.contains(foreign.as_str()),
                    "{} touched {foreign}",
                    call.operation
                );
            }
        }
        assert!(
            account.listeners().contains(&foreign_listener),
            "{foreign_listener:?} was changed or deleted"
        );
        let rules = account.rules();
        for foreign in &foreign_rules {
            assert!(
                rules.contains(foreign),
                "{foreign:?} was changed or deleted"
            );
        }
        assert_eq!(
            ids(&rules, |r| &r.id).len(),
            3,
            "the route's new rule and the two foreign ones: {rules:#?}"
        );
        lattice
            .delete_listener(&service, &foreign_listener.id)
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_owners_rule_or_listener_where_the_route_needs_one_is_a_conflict() {
    let account = Account::start().await;
    let first = account.apply(&route(&["/rates"])).await;
    assert!(first.problems.is_empty(), "{:#?}", first.problems);
    let ours = account.listeners()[0].clone();
    let lattice = &account.lattice;

    // Priority 2, which the route's second rule needs, is someone else's.
    let theirs = rule(lattice, &ours, 2, "/theirs", Some(THEIRS)).await;
    let before = account.emulator.lattice().state();
    let blocked = account.apply(&route(&["/rates", "/more"])).await;
    assert_eq!(operations(&blocked), Vec::<&str>::new(), "no call is made");
    let problems = route_problems(&blocked);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, "Conflicted");
    assert!(
        problems[0].1.contains(&theirs.arn) && problems[0].1.contains(THEIRS),
        "{}",
        problems[0].1
    );
    assert_eq!(account.emulator.lattice().state(), before);

    // The route's own port held by someone else's listener.
    lattice
        .delete_rule(&ours.service_id, &ours.id, &theirs.id)
        .await
        .unwrap();
    let rules = account.rules();
    for own in &rules {
        lattice
            .delete_rule(&ours.service_id, &ours.id, &own.id)
            .await
            .unwrap();
    }
    lattice
        .delete_listener(&ours.service_id, &ours.id)
        .await
        .unwrap();
    let their_listener = listener(lattice, &ours.service_id, 80, "HTTP", Some(THEIRS)).await;
    let blocked = account.apply(&route(&["/rates"])).await;
    assert_eq!(operations(&blocked), Vec::<&str>::new());
    let problems = route_problems(&blocked);
    assert_eq!(problems[0].0, "Conflicted", "{problems:?}");
    assert!(
        problems[0].1.contains(&their_listener.arn),
        "{}",
        problems[0].1
    );
    assert_eq!(account.listeners(), [their_listener]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untagged_listeners_and_rules_are_adopted_only_exactly_where_the_route_needs_them() {
    let account = Account::start().await;
    let lattice = &account.lattice;
    // A hand-made service of the route's name (adopted, as upstream does),
    // with a listener and a rule exactly as the route wants them, and a
    // rule elsewhere.
    let service = lattice
        .create_service(CreateServiceInput {
            name: "rates-default".into(),
            custom_domain_name: None,
            certificate_arn: None,
            auth_type: "NONE".into(),
            tags: Tags::new(),
        })
        .await
        .unwrap();
    let hand_listener = listener(lattice, &service.id, 80, "HTTP", None).await;
    let exact = rule(lattice, &hand_listener, 1, "/rates", None).await;
    let elsewhere = rule(lattice, &hand_listener, 70, "/kept", None).await;

    let adopted = account.apply(&route(&["/rates"])).await;
    assert!(adopted.problems.is_empty(), "{:#?}", adopted.problems);
    let operations = operations(&adopted);
    for made in [
        "CreateService",
        "CreateListener",
        "CreateRule",
        "DeleteListener",
        "DeleteRule",
    ] {
        assert!(!operations.contains(&made), "{made} in {operations:?}");
    }
    let listeners = account.listeners();
    assert_eq!(ids(&listeners, |l| &l.id), [hand_listener.id.as_str()]);
    assert_eq!(
        listeners[0].tags.get(MANAGED_BY).map(String::as_str),
        Some(OURS)
    );
    let rules = account.rules();
    let now = |id: &str| rules.iter().find(|r| r.id == id).cloned().unwrap();
    assert_eq!(
        now(&exact.id).tags.get(MANAGED_BY).map(String::as_str),
        Some(OURS)
    );
    assert!(matches!(now(&exact.id).action, RuleAction::Forward(_)));
    assert_eq!(
        now(&elsewhere.id),
        elsewhere,
        "the rule elsewhere is left as it is"
    );

    // An untagged rule at a priority the route needs, with another match,
    // is neither adopted nor deleted: a conflict.
    let blocking = rule(lattice, &hand_listener, 2, "/not-the-routes", None).await;
    let blocked = account.apply(&route(&["/rates", "/more"])).await;
    let problems = route_problems(&blocked);
    assert_eq!(problems[0].0, "Conflicted", "{problems:?}");
    assert!(problems[0].1.contains(&blocking.arn), "{}", problems[0].1);
    assert!(blocked.calls.is_empty(), "{:?}", blocked.calls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_override_with_a_missing_import_leaves_an_untagged_service_alone() {
    let account = Account::start().await;
    let lattice = &account.lattice;
    lattice
        .create_service(CreateServiceInput {
            name: "hand-made".into(),
            custom_domain_name: None,
            certificate_arn: None,
            auth_type: "NONE".into(),
            tags: Tags::new(),
        })
        .await
        .unwrap();
    let before = account.emulator.lattice().state();

    let refused = account.apply(OVERRIDE_ROUTE).await;
    let problems = route_problems(&refused);
    assert_eq!(
        problems,
        [(
            "BackendNotFound".to_owned(),
            "ServiceImport default/missing referenced by route default/rates with \
             service-name-override=\"hand-made\" does not exist; refusing to claim the \
             existing service"
                .to_owned()
        )]
    );
    let route_calls: Vec<_> = refused
        .calls
        .iter()
        .filter(|call| call.input.to_string().contains("hand-made"))
        .collect();
    assert!(route_calls.is_empty(), "{route_calls:?}");
    let after = account.emulator.lattice().state();
    assert_eq!(after.services, before.services, "the service is untouched");
    assert!(after.listeners.is_empty() && after.rules.is_empty());
    assert!(after.target_groups.is_empty());
    assert!(after.service_network_service_associations.is_empty());
}
