//! Fuzzes the readers of task runners' files — Makefile, tox (INI and
//! TOML), justfile, Rakefile, `package.json` scripts — the readers of Ruby,
//! Python and JavaScript scripts' calls, and what a command runs (`make`,
//! `tox`, `just`, `rake`, `pwsh`, scripts): no panic on any text, and
//! every recipe line and script call lies in the file, on character
//! boundaries. The first byte picks the reader (low bits) and whether
//! tasks are named (high bit); the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "tasks_session.rs"]
mod session;

fuzz_target!(|data: &[u8]| session::check(data));
