//! Fuzzes the GitLab CI/CD model: a pipeline and the local files it
//! includes, held in memory, through `spec: inputs` interpolation,
//! includes with `inputs:`, `extends:`, `!reference` and `default:`, then
//! the facts and every rule. The input is split into files at lines
//! `#--- <name>`; the first part is `.gitlab-ci.yml`. Every diagnostic
//! must point inside its file, on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "gitlab_session.rs"]
mod session;

fuzz_target!(|data: &[u8]| session::check(data));
