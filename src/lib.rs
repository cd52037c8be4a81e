//! tplint checks the CI pipelines that publish packages (GitHub Actions
//! workflows, GitLab CI/CD pipelines) against the trusted publishers
//! registered on PyPI, crates.io, npm, RubyGems.org and NuGet.org, and
//! against each registry's security model.
//!
//! Data flows one way: discover → parse → model → facts → rules →
//! diagnostics → filter → render. `ARCHITECTURE.md` at the project's root
//! maps the modules, their invariants and the known exceptions to that order.

#![forbid(unsafe_code)]

pub mod catalogue;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod facts;
pub mod fix;
pub mod git;
pub mod gitlab;
pub mod lint;
pub mod manifest;
pub mod online;
pub mod overlay;
pub mod registry;
pub mod release_config;
pub mod remote;
pub mod render;
pub mod repo_path;
pub mod repository;
pub mod rules;
pub mod server;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod tri;
pub mod workflow;
pub mod yaml;
