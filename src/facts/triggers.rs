//! Events that let people outside the maintainers start a workflow.
//! Whether a job or step runs on one of them is decided by
//! [`super::conditions`].

/// An event that can be started by someone without write access.
pub struct UntrustedTrigger {
    pub event: &'static str,
    /// PyPI refuses OIDC tokens minted for this event.
    pub rejected_by_pypi: bool,
    /// Why the event is risky, for messages.
    pub reason: &'static str,
}

pub const UNTRUSTED_TRIGGERS: &[UntrustedTrigger] = &[
    UntrustedTrigger {
        event: "pull_request_target",
        rejected_by_pypi: true,
        reason: "runs with the base repository's permissions for pull requests from anyone, and PyPI rejects its OIDC tokens",
    },
    UntrustedTrigger {
        event: "pull_request",
        rejected_by_pypi: false,
        reason: "runs for pull requests, whose code is not yet reviewed",
    },
    UntrustedTrigger {
        event: "workflow_run",
        rejected_by_pypi: false,
        reason: "runs with the repository's permissions after another workflow, which may have been started by a pull request",
    },
    UntrustedTrigger {
        event: "issue_comment",
        rejected_by_pypi: false,
        reason: "can be started by anyone who can comment on an issue or pull request",
    },
];

pub fn untrusted(event: &str) -> Option<&'static UntrustedTrigger> {
    UNTRUSTED_TRIGGERS.iter().find(|t| t.event == event)
}
