//! Renderers: the same report for people (miette), editors (JSON) and CI
//! (GitHub workflow commands).

pub mod github;
pub mod human;
pub mod json;
