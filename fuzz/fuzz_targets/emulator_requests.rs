//! The Lattice emulator's request parsing: any method, path, query and body
//! reaches its router in-process (no socket) and is answered, never a panic;
//! a request it cannot parse is a 4xx, never a 5xx (no faults are
//! configured).
//!
//! Input: requests separated by a NUL byte, each `METHOD PATH?QUERY` on the
//! first line and the body after it; the requests of one input go to one
//! fresh emulator in order, so creates can be followed by reads and updates.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Method, Request};
use lattice_emulator::Emulator;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

/// The request of one `METHOD PATH\nBODY` part, if its first line is one.
fn request(part: &[u8]) -> Option<Request<Body>> {
    let (line, body) = match part.iter().position(|&byte| byte == b'\n') {
        Some(end) => (&part[..end], &part[end + 1..]),
        None => (part, &[][..]),
    };
    let line = std::str::from_utf8(line).ok()?;
    let (method, target) = line.split_once(' ')?;
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    Request::builder()
        .method(method)
        .uri(target)
        .header("content-type", "application/json")
        .body(Body::from(body.to_vec()))
        .ok()
}

fuzz_target!(|data: &[u8]| {
    let emulator = Emulator::new("123456789012", "us-west-2", 2);
    runtime().block_on(async {
        for part in data.split(|&byte| byte == 0).take(16) {
            let Some(request) = request(part) else {
                continue;
            };
            let shown = format!("{} {}", request.method(), request.uri());
            let response = emulator
                .router()
                .oneshot(request)
                .await
                .expect("the router is infallible");
            assert!(
                !response.status().is_server_error(),
                "{shown}: {}",
                response.status()
            );
        }
    });
});
