//! The diagnostic type every rule produces and every renderer consumes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalogue::Rule;
use crate::fix::Fix;
use crate::source::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A place in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: FileId,
    pub span: Span,
}

impl Location {
    pub fn new(file: FileId, span: Span) -> Self {
        Self { file, span }
    }
}

/// A secondary place that explains the diagnostic ("publisher declared here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub message: String,
    pub location: Location,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// Short text under the primary location in human output.
    pub label: Option<String>,
    pub location: Location,
    pub related: Vec<Related>,
    /// The edits that resolve it, when the rule knows them.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic at the rule's default severity.
    pub fn new(rule: &'static Rule, location: Location, message: impl Into<String>) -> Self {
        Self {
            rule,
            severity: rule.severity,
            message: message.into(),
            help: None,
            label: None,
            location,
            related: Vec::new(),
            fix: None,
        }
    }

    pub fn with_fix(mut self, fix: impl Into<Option<Fix>>) -> Self {
        self.fix = fix.into();
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(Related {
            message: message.into(),
            location,
        });
        self
    }

    /// Note the steps that lead to a location in a local action or script:
    /// the workflow's `uses:` or `run:`, then each file on the way.
    pub fn with_via(mut self, via: &[Location]) -> Self {
        for (depth, location) in via.iter().enumerate() {
            let message = if depth == 0 {
                "run by this step of the workflow"
            } else {
                "through here"
            };
            self.related.push(Related {
                message: message.into(),
                location: *location,
            });
        }
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}
