//! The plugin test harness behind `trellis test`: fixtures of manifests and
//! the Lattice state and problems they must produce, run through a plugin
//! against a fresh in-memory Lattice, with no cluster and no AWS.
//!
//! A fixture is a folder holding `expected.yaml` and either `input.yaml`
//! (with an optional `cluster.yaml` beside it) or cluster subfolders, each
//! with its `cluster.yaml` and manifests, as in `trellis plan`; an optional
//! `plugin-config.json` is the plugin's configuration.
//! `expected.yaml` holds `state`, `problems` and `statuses` in the field
//! names of `plan --output json`.

mod diff;
mod fixture;

pub use diff::{Difference, differences};
pub use fixture::{
    Fixture, FixtureInputs, FixtureOutcome, HarnessError, check_fixture, discover, fixture_inputs,
    run_fixture,
};
