//! A test plugin that exports only `naming` (and imports `log`), to prove
//! that the host loads a plugin exporting a subset of the `trellis:plugin`
//! interfaces and calls it only for what it exports.
//!
//! It names a route's service `only-<route name>` and defers every other
//! subject (`none`), logging one line per call.

wit_bindgen::generate!({
    inline: "
        package trellis:test-naming-only;

        world naming-only {
            import trellis:plugin/log@0.1.0;
            export trellis:plugin/naming@0.1.0;
        }
    ",
    path: "../../../wit/since_v0.1.0",
    generate_all,
});

use exports::trellis::plugin::naming::{Guest, NamingSubject};
use trellis::plugin::log::{Level, log};
use trellis::plugin::types::{CallContext, ObjectMeta, PluginError};

struct NamingOnly;

impl Guest for NamingOnly {
    fn name(
        _ctx: CallContext,
        owner: ObjectMeta,
        subjects: Vec<NamingSubject>,
    ) -> Result<Vec<Option<String>>, PluginError> {
        log(
            Level::Debug,
            "naming",
            &[("subjects".into(), subjects.len().to_string())],
        );
        Ok(subjects
            .iter()
            .map(|subject| match subject {
                NamingSubject::Service => Some(format!("only-{}", owner.name)),
                _ => None,
            })
            .collect())
    }
}

export!(NamingOnly);
