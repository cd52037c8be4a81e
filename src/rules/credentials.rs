//! TP3xx: long-lived credentials next to (or instead of) trusted publishing.

use super::{Context, rule};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::publish::{Auth, Uploader};

rule!(
    PUBLISH_WITH_PASSWORD,
    "TP301",
    "publish-with-password",
    Warning,
    "gh-action-pypi-publish is given a password (an API token), so trusted publishing is not used",
    Some(publish_with_password)
);

fn publish_with_password(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        for site in &view.facts.publish_sites {
            if site.uploader != Uploader::GhActionPypiPublish {
                continue;
            }
            // Only uploads to PyPI/TestPyPI: a private index legitimately needs a password.
            let Some(index) = site.index() else { continue };
            let step = &view.job(site.job).steps[site.step];
            let file = view.file.file;
            if let Some(user) = step.input("user")
                && !user.value.is_expression()
                && user.value.value != "__token__"
            {
                out.push(
                    Diagnostic::new(
                        &PUBLISH_WITH_PASSWORD,
                        Location::new(file, user.value.span),
                        format!(
                            "`user: {}` makes the upload to {} fail: it accepts only API tokens with user `__token__`, or trusted publishing",
                            user.value.value,
                            index.display_name()
                        ),
                    )
                    .with_severity(Severity::Error)
                    .with_help("remove `user` and `password` and use trusted publishing (`id-token: write` on the job)"),
                );
                continue;
            }
            if let Auth::Password { span, .. } = site.auth {
                out.push(
                    Diagnostic::new(
                        &PUBLISH_WITH_PASSWORD,
                        Location::new(file, span),
                        format!(
                            "the upload to {} uses an API token from `password`, not trusted publishing",
                            index.display_name()
                        ),
                    )
                    .with_help(
                        "register a trusted publisher on PyPI, remove `password`, give the job `id-token: write`, then delete the API token and its secret",
                    ),
                );
            }
        }
    }
}
