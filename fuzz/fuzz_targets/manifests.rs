//! Manifest reading: any text as a manifest file (`trellis plan`'s input),
//! and what reads well normalized into the plugin model. Must never panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use trellis::config::ClusterConfig;
use trellis::kube::manifests::parse_manifests;
use trellis::reconcile::normalize;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let manifests = parse_manifests(Path::new("fuzz.yaml"), text);
    let cluster = ClusterConfig::local();
    for left_out in &manifests.left_out {
        let problem = left_out.problem(&cluster.cluster_name);
        assert!(
            left_out.message.contains("fuzz.yaml"),
            "a left-out message names its file: {problem:?}"
        );
    }
    let snapshot = &manifests.snapshot;
    normalize::routes(snapshot, &cluster);
    normalize::exports(snapshot, &cluster);
    normalize::service_network_objects(snapshot);
    for gateway in normalize::lattice_gateways(snapshot) {
        normalize::gateway_input(snapshot, gateway);
        normalize::gateway_policies(snapshot, gateway);
    }
});
