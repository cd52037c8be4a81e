//! Fixes as data: a rule may attach to a diagnostic the text edits that
//! resolve it, with an [`Applicability`] that says how far they can be
//! trusted. The CLI (`check --fix`, `--diff`) and the language server
//! (quick fixes, "fix all") apply them through the same engine ([`apply`]);
//! [`edit`] builds edits that keep a file's comments, quoting, indentation
//! and line endings.
//!
//! No fix is offered that breaks its file. Before a check's diagnostics
//! leave [`crate::lint`], [`verify`] makes each fix's edits on a copy of
//! the text and reads the file again as it was read: a fix after which the
//! file no longer parses (or no longer reads as the same workflow or
//! pipeline), or a fix meant to edit only comments ([`Reach::Comments`])
//! after which the file holds different values, is withdrawn: it becomes
//! display-only, its message saying why, so neither `--fix`,
//! `--unsafe-fixes` nor the editor applies it. Demoting it to unsafe would
//! not do: an unsafe fix may change what a workflow does in a way the rule
//! means, never break the file or change it in a way nobody asked for.
//! Fixes that pass alone are checked again together when the engine
//! applies them ([`verify::apply_vetted`]); one that would break the file
//! in company waits for the next pass.

pub mod apply;
pub mod edit;
pub mod run;
pub mod verify;
pub mod workflow;

use serde::Serialize;

use crate::catalogue::Rule;
use crate::source::Location;

/// How far a fix can be trusted, from least to most. Ordered, so that
/// "apply everything at least `Unsafe`" is a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown to explain the fix, never applied: it needs something tplint
    /// does not know offline (a commit SHA), or a decision only the user
    /// can make.
    DisplayOnly,
    /// Right in most cases, but may change what the workflow does in a way
    /// to look at (an environment that must exist, permissions replaced).
    Unsafe,
    /// Keeps the workflow's meaning apart from the finding, or is certainly
    /// what the user wants.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// What a fix means to change in its file, which decides how its result is
/// checked before it is offered ([`verify`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Reach {
    /// Only comments (a suppression removed, a version comment added): the
    /// file must hold the same values afterwards, comments and positions
    /// apart.
    Comments,
    /// The file's values: it must still parse, and read as the same kind of
    /// file with no new structural problem.
    #[default]
    Values,
}

/// Replace the text at `location` with `content` (an empty span inserts,
/// empty content deletes). Offsets are bytes of the original text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edit {
    pub location: Location,
    pub content: String,
}

impl Edit {
    pub fn replace(location: Location, content: impl Into<String>) -> Self {
        Self {
            location,
            content: content.into(),
        }
    }

    pub fn insert(location: Location, content: impl Into<String>) -> Self {
        let at = crate::source::Span::empty(location.span.start);
        Self::replace(Location::new(location.file, at), content)
    }

    pub fn delete(location: Location) -> Self {
        Self::replace(location, String::new())
    }
}

/// What resolves one diagnostic: edits, possibly in several files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, imperative: "set `environment: pypi` on job `publish`".
    pub message: String,
    pub applicability: Applicability,
    /// Sorted by file and position; never overlapping.
    pub edits: Vec<Edit>,
    pub reach: Reach,
}

impl Fix {
    pub fn new(
        applicability: Applicability,
        message: impl Into<String>,
        edits: impl IntoIterator<Item = Edit>,
    ) -> Self {
        let mut edits: Vec<Edit> = edits.into_iter().collect();
        edits.sort();
        edits.dedup();
        Self {
            message: message.into(),
            applicability,
            edits,
            reach: Reach::Values,
        }
    }

    /// The same fix, marked as editing only comments.
    pub fn comments_only(mut self) -> Self {
        self.reach = Reach::Comments;
        self
    }

    /// The fix withdrawn: described, never applied, the message saying why.
    pub fn withdrawn(&self, why: &str) -> Self {
        Self {
            message: format!("{} (not offered: {why})", self.message),
            applicability: Applicability::DisplayOnly,
            edits: Vec::new(),
            reach: self.reach,
        }
    }

    pub fn safe(message: impl Into<String>, edits: impl IntoIterator<Item = Edit>) -> Self {
        Self::new(Applicability::Safe, message, edits)
    }

    pub fn unsafe_edits(message: impl Into<String>, edits: impl IntoIterator<Item = Edit>) -> Self {
        Self::new(Applicability::Unsafe, message, edits)
    }

    /// A fix described but never applied.
    pub fn display_only(message: impl Into<String>) -> Self {
        Self::new(Applicability::DisplayOnly, message, [])
    }

    /// Whether the fix may be applied when `required` is asked for.
    pub fn applies(&self, required: Applicability) -> bool {
        self.applicability >= required
            && self.applicability > Applicability::DisplayOnly
            && !self.edits.is_empty()
    }
}

/// Whether a rule's diagnostics carry fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixAvailability {
    /// Every diagnostic (that tplint can edit safely) has one.
    Always,
    /// Some diagnostics have one; the rule's doc says which.
    Sometimes,
    None,
}

/// The rules that fix, and how often. Each rule's doc says the same in its
/// "Fix" section (checked by the tests).
const FIXABLE: &[(&str, FixAvailability)] = &[
    ("TP000", FixAvailability::Always),
    ("TP104", FixAvailability::Sometimes),
    ("TP201", FixAvailability::Sometimes),
    ("TP202", FixAvailability::Sometimes),
    ("TP302", FixAvailability::Sometimes),
    ("TP304", FixAvailability::Sometimes),
    ("TP401", FixAvailability::Sometimes),
    ("TP501", FixAvailability::Sometimes),
    ("TP502", FixAvailability::Sometimes),
    ("TP503", FixAvailability::Always),
];

pub fn availability(rule: &Rule) -> FixAvailability {
    FIXABLE
        .iter()
        .find(|(code, _)| *code == rule.code)
        .map_or(FixAvailability::None, |(_, a)| *a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applicability_is_ordered_from_least_trusted() {
        assert!(Applicability::DisplayOnly < Applicability::Unsafe);
        assert!(Applicability::Unsafe < Applicability::Safe);
        let edit = Edit::insert(
            Location::new(crate::source::FileId(0), crate::source::Span::empty(0)),
            "x",
        );
        let safe = Fix::safe("s", [edit.clone()]);
        let risky = Fix::unsafe_edits("u", [edit]);
        assert!(safe.applies(Applicability::Safe) && safe.applies(Applicability::Unsafe));
        assert!(!risky.applies(Applicability::Safe) && risky.applies(Applicability::Unsafe));
        assert!(!Fix::display_only("d").applies(Applicability::DisplayOnly));
    }

    #[test]
    fn the_table_names_registered_rules() {
        for (code, _) in FIXABLE {
            assert!(crate::catalogue::lookup(code).is_some(), "{code}");
        }
    }
}
