//! Generated multi-cluster fleets shaped like `examples/multi-cluster`, for
//! the fleet-scale benchmarks.
//!
//! Contract: [`write_fleet`] writes a multi-cluster plan folder: a config
//! cluster holding the Lattice GatewayClass, a Gateway `fleet` (the service
//! network), `routes` HTTPRoutes and one ServiceImport per backend; and
//! [`WORKLOAD_CLUSTERS`] workload clusters, each exporting its share of the
//! Services (a Service, a ServiceExport and an EndpointSlice of two ready
//! endpoints each). Route `i` has `i % 10 + 1` PathPrefix rules, each
//! forwarding to its own ServiceImport, so the fleet has about 5.5 Services
//! per route. The same `routes` always writes the same files.

use std::fmt::Write as _;
use std::path::Path;

/// How many workload clusters export the Services.
pub const WORKLOAD_CLUSTERS: usize = 3;

/// The number of rules (and Services) of route `route`.
pub fn rules_of(route: usize) -> usize {
    route % 10 + 1
}

/// Writes the fleet of `routes` routes into `folder` (which must exist).
pub fn write_fleet(folder: &Path, routes: usize) -> std::io::Result<()> {
    let config = folder.join("config-cluster");
    std::fs::create_dir_all(&config)?;
    std::fs::write(
        config.join("cluster.yaml"),
        cluster_yaml("config-cluster", 0),
    )?;
    std::fs::write(config.join("gateway.yaml"), GATEWAY)?;
    let mut route_text = String::new();
    let mut import_text = String::new();
    let mut exports = vec![String::new(); WORKLOAD_CLUSTERS];
    let mut service_number = 0usize;
    for route in 0..routes {
        let mut rules = String::new();
        for rule in 0..rules_of(route) {
            let service = format!("svc-{route:05}-{rule}");
            write!(
                rules,
                "    - matches: [{{path: {{type: PathPrefix, value: /{service}}}}}]\n      \
                 backendRefs: [{{name: {service}, kind: ServiceImport, port: 80}}]\n"
            )
            .expect("writing to a String");
            write!(
                import_text,
                "---\napiVersion: application-networking.k8s.aws/v1alpha1\nkind: ServiceImport\n\
                 metadata: {{name: {service}, namespace: default}}\n\
                 spec: {{type: ClusterSetIP, ports: [{{port: 80, protocol: TCP}}]}}\n"
            )
            .expect("writing to a String");
            let cluster = service_number % WORKLOAD_CLUSTERS;
            write_export(&mut exports[cluster], &service, service_number);
            service_number += 1;
        }
        write!(
            route_text,
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
             metadata: {{name: route-{route:05}, namespace: default}}\n\
             spec:\n  parentRefs: [{{name: fleet, sectionName: http}}]\n  rules:\n{rules}"
        )
        .expect("writing to a String");
    }
    std::fs::write(config.join("httproutes.yaml"), route_text)?;
    std::fs::write(config.join("serviceimports.yaml"), import_text)?;
    for (index, text) in exports.iter().enumerate() {
        let name = format!("workload-cluster-{}", index + 1);
        let cluster = folder.join(&name);
        std::fs::create_dir_all(&cluster)?;
        std::fs::write(cluster.join("cluster.yaml"), cluster_yaml(&name, index + 1))?;
        std::fs::write(cluster.join("exports.yaml"), text)?;
    }
    Ok(())
}

const GATEWAY: &str = "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n\
metadata: {name: amazon-vpc-lattice}\n\
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}\n---\n\
apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: fleet, namespace: default}\n\
spec:\n  gatewayClassName: amazon-vpc-lattice\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n";

fn cluster_yaml(name: &str, index: usize) -> String {
    format!(
        "clusterName: {name}\nvpcId: vpc-0a1b2c3d4e5f6{index:04}\naccountId: \"123456789012\"\n\
         region: us-west-2\ndefaultServiceNetwork: fleet\n"
    )
}

/// Appends the Service, ServiceExport and EndpointSlice of `service` (the
/// `number`th of the fleet, which picks its endpoint addresses).
fn write_export(text: &mut String, service: &str, number: usize) {
    let (high, low) = (number / 250 % 250, number % 250);
    write!(
        text,
        "---\napiVersion: v1\nkind: Service\nmetadata: {{name: {service}, namespace: default}}\n\
         spec:\n  selector: {{app: {service}}}\n  ports: [{{name: http, protocol: TCP, port: 80, targetPort: 8090}}]\n\
         ---\napiVersion: application-networking.k8s.aws/v1alpha1\nkind: ServiceExport\n\
         metadata:\n  name: {service}\n  namespace: default\n  \
         annotations: {{application-networking.k8s.aws/federation: amazon-vpc-lattice}}\n\
         ---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n\
         metadata:\n  name: {service}-abc12\n  namespace: default\n  \
         labels: {{kubernetes.io/service-name: {service}}}\n\
         addressType: IPv4\nports: [{{name: http, protocol: TCP, port: 8090}}]\n\
         endpoints:\n  - addresses: [\"10.{high}.{low}.11\"]\n    conditions: {{ready: true}}\n  \
         - addresses: [\"10.{high}.{low}.12\"]\n    conditions: {{ready: true}}\n"
    )
    .expect("writing to a String");
}
