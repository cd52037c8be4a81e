//! Fuzzes the language server's message handling: a session over an
//! in-memory connection (initialize, then messages built from the input:
//! buffers opened, changed and closed, code actions and hovers at any
//! range, settings, requests it does not know, and raw JSON), then
//! shutdown. The server must answer every request and stop cleanly.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "server_session.rs"]
mod session;

fuzz_target!(|data: &[u8]| session::session(data));
