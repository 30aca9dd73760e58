//! `cluster.yaml`: any text parses to a checked cluster or an error, and a
//! cluster it accepts has an unambiguous `ManagedBy` of three parts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trellis::config::ClusterConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cluster) = ClusterConfig::parse("cluster.yaml", text) {
        let managed_by = cluster.managed_by();
        let parts: Vec<&str> = managed_by.split('/').collect();
        assert_eq!(
            parts,
            [
                cluster.account_id.as_str(),
                cluster.cluster_name.as_str(),
                cluster.vpc_id.as_str()
            ],
            "{managed_by}"
        );
    }
});
