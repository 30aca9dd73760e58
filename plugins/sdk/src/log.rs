//! Structured logging through the host: one line per call, attributed by the
//! host to the plugin and the object being translated, with key/value
//! `fields`.
//!
//! ```
//! trellis_plugin_sdk::log::info("named by team", &[("team", "payments")]);
//! ```
//!
//! In a Wasm component the line goes to the host's log (`trellis run` and
//! `trellis test` show it); natively (a plugin's unit tests) it goes to
//! standard error, which `cargo test` shows for failing tests.

pub use crate::bindings::trellis::plugin::log::Level;

/// Very detailed tracing.
pub fn trace(message: &str, fields: &[(&str, &str)]) {
    emit(Level::Trace, message, fields);
}

/// Debugging detail.
pub fn debug(message: &str, fields: &[(&str, &str)]) {
    emit(Level::Debug, message, fields);
}

/// Normal operation.
pub fn info(message: &str, fields: &[(&str, &str)]) {
    emit(Level::Info, message, fields);
}

/// Something unexpected that the plugin handled.
pub fn warn(message: &str, fields: &[(&str, &str)]) {
    emit(Level::Warn, message, fields);
}

/// Something the plugin could not handle (return a
/// [`PluginError`](crate::PluginError) too: the log is for operators, the
/// error for the object's status).
pub fn error(message: &str, fields: &[(&str, &str)]) {
    emit(Level::Error, message, fields);
}

/// Emits one line at `level`.
pub fn emit(level: Level, message: &str, fields: &[(&str, &str)]) {
    #[cfg(target_arch = "wasm32")]
    {
        let fields: Vec<(String, String)> = fields
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        crate::bindings::trellis::plugin::log::log(level, message, &fields);
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[{level:?}] {message} {fields:?}");
}
