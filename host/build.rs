//! Builds the Wasm plugins of the workspace for `wasm32-wasip2` with a nested
//! `cargo build`, in its own target directory, so that the ordinary
//! `cargo build` of the host embeds the default plugin from source.
//!
//! Sets for the host crate:
//! - `TRELLIS_DEFAULT_PLUGIN_WASM`: the default plugin's component (embedded);
//! - `TRELLIS_TEST_PLUGIN_MISBEHAVING`: the test plugin that traps, loops,
//!   allocates without bound or returns invalid output on request;
//! - `TRELLIS_TEST_PLUGIN_NAMING_ONLY`: the test plugin that exports only
//!   `naming`;
//! - `TRELLIS_EXAMPLE_PLUGIN_TEAM_PREFIX`, `TRELLIS_EXAMPLE_PLUGIN_COST_TAGS`,
//!   `TRELLIS_EXAMPLE_PLUGIN_ORG_AUTH`: the example plugins built on the SDK
//!   (`plugins/team-prefix`, `plugins/cost-tags`, `plugins/org-auth`);
//! - `TRELLIS_DEFAULT_PLUGIN_PRECOMPILED`: the default plugin compiled to
//!   native code for the target (empty when it cannot be: see
//!   [`precompile_default_plugin`]), and `TRELLIS_DEFAULT_PLUGIN_ENGINE`, the
//!   compatibility fingerprint of the engine that compiled it.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "src/plugin/compilation.rs"]
mod compilation;

const WASM_TARGET: &str = "wasm32-wasip2";

/// Workspace packages built as plugins, with the env var naming each output.
const PLUGINS: &[(&str, &str, &str)] = &[
    (
        "trellis-plugin-default",
        "trellis_plugin_default",
        "TRELLIS_DEFAULT_PLUGIN_WASM",
    ),
    (
        "trellis-test-plugin-misbehaving",
        "trellis_test_plugin_misbehaving",
        "TRELLIS_TEST_PLUGIN_MISBEHAVING",
    ),
    (
        "trellis-test-plugin-naming-only",
        "trellis_test_plugin_naming_only",
        "TRELLIS_TEST_PLUGIN_NAMING_ONLY",
    ),
    (
        "team-prefix",
        "team_prefix",
        "TRELLIS_EXAMPLE_PLUGIN_TEAM_PREFIX",
    ),
    ("cost-tags", "cost_tags", "TRELLIS_EXAMPLE_PLUGIN_COST_TAGS"),
    ("org-auth", "org_auth", "TRELLIS_EXAMPLE_PLUGIN_ORG_AUTH"),
];

/// Variables of the outer build that must not leak into the nested one: they
/// carry host-only flags, wrappers (clippy) or a target dir.
const LEAKING_VARIABLES: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_LLVM_COV",
    "CARGO_LLVM_COV_TARGET_DIR",
    "LLVM_PROFILE_FILE",
    "__CARGO_FIX_PLZ",
];

fn main() {
    let manifest_dir =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir
        .parent()
        .expect("host/ sits in the workspace")
        .to_path_buf();
    for watched in [
        "wit",
        "plugins/default/src",
        "plugins/default/Cargo.toml",
        "tests/plugins/misbehaving",
        "tests/plugins/naming-only",
        "plugins/sdk/src",
        "plugins/sdk/Cargo.toml",
        "plugins/lattice-names/src",
        "plugins/lattice-names/Cargo.toml",
        "plugins/team-prefix/src",
        "plugins/team-prefix/Cargo.toml",
        "plugins/cost-tags/src",
        "plugins/cost-tags/Cargo.toml",
        "plugins/org-auth/src",
        "plugins/org-auth/Cargo.toml",
        "Cargo.lock",
    ] {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(watched).display()
        );
    }

    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    require_wasm_target(&rustc);

    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target_dir = outer_target_dir(&out_dir)
        .unwrap_or_else(|| out_dir.clone())
        .join("wasm-plugins");
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(&workspace)
        .args([
            "build",
            "--release",
            "--target",
            WASM_TARGET,
            "--target-dir",
        ])
        .arg(&target_dir);
    for (package, _, _) in PLUGINS {
        command.args(["-p", package]);
    }
    for variable in LEAKING_VARIABLES {
        command.env_remove(variable);
    }
    let output = command
        .output()
        .expect("running the nested cargo build of the plugins");
    if !output.status.success() {
        panic!(
            "building the Wasm plugins for {WASM_TARGET} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    for (_, artifact, variable) in PLUGINS {
        let wasm = target_dir
            .join(WASM_TARGET)
            .join("release")
            .join(format!("{artifact}.wasm"));
        assert!(
            wasm.is_file(),
            "the nested build did not produce {}",
            wasm.display()
        );
        println!("cargo:rustc-env={variable}={}", wasm.display());
    }
    let default_plugin = target_dir
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{}.wasm", PLUGINS[0].1));
    precompile_default_plugin(&default_plugin, &out_dir);
}

/// Compiles the default plugin to native code with the runtime's compilation
/// settings ([`compilation::configure`]), so that Trellis starts without
/// compiling it, and tells the host crate where the code is and which
/// engine made it.
///
/// Only for a native build (target = host): the build script's compiler
/// emits code for the machine it runs on. A cross build embeds an empty
/// artifact and compiles the plugin at start, as does a build with
/// `TRELLIS_NO_PRECOMPILE` set.
fn precompile_default_plugin(wasm: &Path, out_dir: &Path) {
    println!("cargo:rerun-if-env-changed=TRELLIS_NO_PRECOMPILE");
    let artifact = out_dir.join("default-plugin.cwasm");
    let native = env::var("TARGET").ok() == env::var("HOST").ok();
    let (code, fingerprint) = if native && env::var_os("TRELLIS_NO_PRECOMPILE").is_none() {
        let mut config = wasmtime::Config::new();
        compilation::configure(&mut config);
        let engine = wasmtime::Engine::new(&config).expect("building the precompiling engine");
        let bytes = std::fs::read(wasm).expect("reading the default plugin");
        let code = engine
            .precompile_component(&bytes)
            .expect("precompiling the default plugin");
        (code, compilation::compatibility_fingerprint(&engine))
    } else {
        (Vec::new(), 0)
    };
    std::fs::write(&artifact, code).expect("writing the precompiled default plugin");
    println!(
        "cargo:rustc-env=TRELLIS_DEFAULT_PLUGIN_PRECOMPILED={}",
        artifact.display()
    );
    println!("cargo:rustc-env=TRELLIS_DEFAULT_PLUGIN_ENGINE={fingerprint}");
}

/// Makes sure the Wasm target's standard library is installed.
///
/// When rustup manages the toolchain (its proxy sets `RUSTUP_TOOLCHAIN`) and
/// the target is missing — rustup adds `rust-toolchain.toml`'s targets only
/// when it installs the toolchain itself — this adds it with
/// `rustup target add` and says so in a build warning. Where that is not
/// possible (no rustup, offline, a system toolchain) the build stops with the
/// command to run.
fn require_wasm_target(rustc: &str) {
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .expect("running rustc --print sysroot");
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    let installed = || sysroot.join("lib/rustlib").join(WASM_TARGET).is_dir();
    if installed() {
        return;
    }
    let rustup_said = match env::var("RUSTUP_TOOLCHAIN") {
        Ok(toolchain) => match add_target_with_rustup(&toolchain) {
            Ok(()) if installed() => {
                println!(
                    "cargo:warning=installed the {WASM_TARGET} target for toolchain {toolchain} \
                     with `rustup target add {WASM_TARGET}`: Trellis builds its plugins for it"
                );
                return;
            }
            Ok(()) => format!(
                "`rustup target add` succeeded but {} has no {WASM_TARGET}",
                sysroot.display()
            ),
            Err(why) => why,
        },
        Err(_) => "the toolchain is not managed by rustup".to_owned(),
    };
    panic!(
        "the {WASM_TARGET} target is not installed for {}; Trellis builds its plugins for it \
         ({rustup_said}). Install it with `rustup target add {WASM_TARGET}`.",
        sysroot.display()
    );
}

/// Runs `rustup target add` for the Wasm target on `toolchain`; the error
/// says what rustup answered.
fn add_target_with_rustup(toolchain: &str) -> Result<(), String> {
    let output = Command::new("rustup")
        .args(["target", "add", WASM_TARGET, "--toolchain", toolchain])
        .output()
        .map_err(|error| format!("running rustup failed: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`rustup target add` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// The outer build's target directory: the ancestor of `OUT_DIR` that cargo
/// marked with `CACHEDIR.TAG`.
fn outer_target_dir(out_dir: &Path) -> Option<PathBuf> {
    out_dir
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
}
