//! The diagnostic type every rule produces and every renderer consumes.
//! Its [`Severity`] (from `catalogue`) and [`Location`] (from `source`) are
//! re-exported here, where most code names them.

use crate::catalogue::Rule;
pub use crate::catalogue::Severity;
use crate::fix::Fix;
pub use crate::source::Location;

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
    pub fn with_via(self, via: &[Location]) -> Self {
        self.with_via_as(via, "run by this step of the workflow")
    }

    /// Note the job's own step or script line that leads to a location in
    /// another file (labelled `first`), then each file on the way.
    pub fn with_via_as(mut self, via: &[Location], first: &str) -> Self {
        for (depth, location) in via.iter().enumerate() {
            let message = if depth == 0 { first } else { "through here" };
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
