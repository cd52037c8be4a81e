//! Events that let people outside the maintainers start a workflow.
//! Whether a job or step runs on one of them is decided by
//! [`super::conditions`].

/// An event that can be started by someone without write access.
pub struct UntrustedTrigger {
    pub event: &'static str,
    /// Why the event is risky, for messages (which registries refuse its
    /// tokens is theirs to say: `Registry::refuses_event`).
    pub reason: &'static str,
}

pub const UNTRUSTED_TRIGGERS: &[UntrustedTrigger] = &[
    UntrustedTrigger {
        event: "pull_request_target",
        reason: "runs with the base repository's permissions for pull requests from anyone",
    },
    UntrustedTrigger {
        event: "pull_request",
        reason: "runs for pull requests, whose code is not yet reviewed",
    },
    UntrustedTrigger {
        event: "workflow_run",
        reason: "runs with the repository's permissions after another workflow, which may have been started by a pull request",
    },
    UntrustedTrigger {
        event: "issue_comment",
        reason: "can be started by anyone who can comment on an issue or pull request",
    },
];

pub fn untrusted(event: &str) -> Option<&'static UntrustedTrigger> {
    UNTRUSTED_TRIGGERS.iter().find(|t| t.event == event)
}
