//! The model of a local action's metadata file (`action.yml`): its inputs
//! with their defaults and, for a composite action, its steps. Steps have
//! the same shape as a workflow's, so every fact about steps applies to them.

use super::{Problem, Spanned, Step};
use crate::source::Span;

/// One `action.yml` / `action.yaml`.
#[derive(Debug, Default)]
pub struct Action {
    pub name: Option<Spanned<String>>,
    pub inputs: Vec<ActionInput>,
    /// `runs.using`: `composite`, `node20`, `docker`, ...
    pub using: Option<Spanned<String>>,
    /// The steps of a composite action; empty for any other kind.
    pub steps: Vec<Step>,
    pub problems: Vec<Problem>,
}

#[derive(Clone, Debug)]
pub struct ActionInput {
    pub name: Spanned<String>,
    /// `default:`, when the input has one.
    pub default: Option<Spanned<String>>,
}

impl Action {
    /// Whether the action runs steps tplint can read (`runs.using: composite`).
    pub fn is_composite(&self) -> bool {
        self.using
            .as_ref()
            .is_some_and(|u| u.value.trim().eq_ignore_ascii_case("composite"))
    }

    pub fn input(&self, name: &str) -> Option<&ActionInput> {
        // GitHub input names are case-insensitive.
        self.inputs
            .iter()
            .find(|i| i.name.value.eq_ignore_ascii_case(name))
    }

    /// Where a diagnostic about the action as a whole belongs.
    pub fn anchor(&self) -> Span {
        self.using
            .as_ref()
            .map(|u| u.span)
            .or_else(|| self.name.as_ref().map(|n| n.span))
            .unwrap_or_else(|| Span::empty(0))
    }
}
