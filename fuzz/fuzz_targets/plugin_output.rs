//! Plugin output validation: any answer a plugin could give (as the WIT
//! types' JSON) is accepted or refused with an error naming a field; never
//! a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trellis::reconcile::fuzzing::{PluginOutput, validate_plugin_output};

fuzz_target!(|data: &[u8]| {
    let Ok(output) = serde_json::from_slice::<PluginOutput>(data) else {
        return;
    };
    if let Err(error) = validate_plugin_output(&output) {
        assert!(!error.field.is_empty(), "{error}");
    }
});
