//! Policy files: any text as a `*.toml` policy file reads to entries or an
//! error naming the file; never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use trellis::plugin::policy::parse_policy_file;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) = parse_policy_file(Path::new("/policies/fuzz.toml"), text) {
        assert!(error.to_string().contains("fuzz.toml"), "{error}");
    }
});
