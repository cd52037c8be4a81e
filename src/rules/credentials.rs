//! TP3xx: long-lived credentials next to (or instead of) trusted publishing.
//! TP303, TP304 and TP311 are written once for every CI system, over the
//! views of [`crate::facts::publish_job`] and [`crate::facts::ci_view`];
//! the others read GitHub workflows.

use super::Context;
use crate::catalogue::{
    PUBLISH_TOKEN_ENV, PUBLISH_WITH_PASSWORD, UNKNOWN_PUBLISH_INPUT, UPLOADER_TOO_OLD,
    UV_TRUSTED_PUBLISHING_FALLBACK,
};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::publish::{Auth, PYPI_PUBLISH_DEPRECATED_INPUTS, PYPI_PUBLISH_INPUTS, Uploader};
use crate::facts::site_step;
use crate::registry::Registry;

pub(super) fn publish_with_password(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        for site in &view.facts.publish_sites {
            if site.uploader != Uploader::GhActionPypiPublish {
                continue;
            }
            // Only uploads to PyPI/TestPyPI: a private index legitimately needs a password.
            let Some(index) = site.index() else { continue };
            let Some(step) = site_step(context.repo, &view, site) else {
                continue;
            };
            let file = site.file;
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
                    .with_help("remove `user` and `password` and use trusted publishing (`id-token: write` on the job)")
                    .with_via(&site.via),
                );
                continue;
            }
            if let Auth::Password { location, .. } = &site.auth {
                out.push(
                    Diagnostic::new(
                        &PUBLISH_WITH_PASSWORD,
                        *location,
                        format!(
                            "the upload to {} uses an API token from `password`, not trusted publishing",
                            index.display_name()
                        ),
                    )
                    .with_help(
                        "register a trusted publisher on PyPI, remove `password`, give the job `id-token: write`, then delete the API token and its secret",
                    )
                    .with_via(&site.via),
                );
            }
        }
    }
}

pub(super) fn unknown_publish_input(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        for site in &view.facts.publish_sites {
            if site.uploader != Uploader::GhActionPypiPublish {
                continue;
            }
            let Some(step) = site_step(context.repo, &view, site) else {
                continue;
            };
            for input in &step.with {
                let key = input.key.value.as_str();
                if PYPI_PUBLISH_INPUTS.contains(&key) {
                    continue;
                }
                let location = Location::new(site.file, input.key.span);
                if let Some((_, replacement)) = PYPI_PUBLISH_DEPRECATED_INPUTS
                    .iter()
                    .find(|(alias, _)| *alias == key)
                {
                    let fix = crate::fix::workflow::rename_input(
                        site.file,
                        &context.repo.sources.get(site.file).text,
                        step,
                        &input.key,
                        replacement,
                    );
                    out.push(
                        Diagnostic::new(
                            &UNKNOWN_PUBLISH_INPUT,
                            location,
                            format!("input `{key}` is a deprecated alias of `{replacement}`"),
                        )
                        .with_fix(fix)
                        .with_severity(Severity::Info)
                        .with_help(format!("rename it to `{replacement}`"))
                        .with_via(&site.via),
                    );
                    continue;
                }
                let help = match key {
                    "username" => "the input is `user`; with trusted publishing neither `user` nor `password` is needed".to_string(),
                    "token" | "api-token" | "api_token" | "pypi-token" => "an API token would go in `password`; with trusted publishing remove it and give the job `id-token: write`".to_string(),
                    _ => format!(
                        "its inputs are: {}",
                        PYPI_PUBLISH_INPUTS
                            .iter()
                            .map(|i| format!("`{i}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                out.push(
                    Diagnostic::new(
                        &UNKNOWN_PUBLISH_INPUT,
                        location,
                        format!("pypa/gh-action-pypi-publish has no input `{key}`; it is ignored"),
                    )
                    .with_help(help)
                    .with_via(&site.via),
                );
            }
        }
    }
}

/// TP303, written once over [`PasswordUpload`](crate::facts::publish_job::PasswordUpload)s:
/// an upload to a registry with a token, where trusted publishing could be
/// used instead.
pub(super) fn publish_token_env(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for upload in crate::facts::publish_job::password_uploads(context.repo, context.facts) {
        let site = upload.site;
        if site.uploader == Uploader::GhActionPypiPublish {
            continue; // TP301
        }
        let (index, source) = (upload.index, upload.source);
        // No credential in sight, yet no trusted publishing either: an
        // info, since tplint cannot show the token.
        if let Some(unseen) = &upload.unseen {
            let from = match unseen.step {
                Some((_, what)) => format!(" (perhaps set by {what})"),
                None => String::new(),
            };
            let diagnostic = Diagnostic::new(
                &PUBLISH_TOKEN_ENV,
                upload.given,
                format!(
                    "`{}` cannot upload to {} by trusted publishing here ({}), so it uploads with {source}{from}",
                    site.name(),
                    index.display_name(),
                    unseen.reason
                ),
            )
            .with_severity(Severity::Info)
            .with_help(unseen.help.clone());
            out.push(upload.finish(diagnostic));
            continue;
        }
        if let Some((token, variable)) = upload.id_token_as_password {
            let diagnostic = if index == Registry::Npm {
                // npm 11.5.1 and later exchange the ID token before using a
                // configured one (npm/cli `lib/utils/oidc.js`): the token
                // line changes nothing while the exchange works, and makes
                // a failed one a rejected token. An older npm is TP305's.
                Diagnostic::new(
                    &PUBLISH_TOKEN_ENV,
                    upload.given,
                    format!(
                        "`{}` is given the job's ID token `{token}` as its npm token, but npm takes an ID token only through its exchange, never as a token: when the exchange fails, npm sends the ID token and the registry rejects it, hiding why",
                        site.name()
                    ),
                )
                .with_help(format!(
                    "remove {source}: npm (11.5.1 or later) finds `{variable}` and exchanges it itself"
                ))
            } else {
                Diagnostic::new(
                    &PUBLISH_TOKEN_ENV,
                    upload.given,
                    format!(
                        "`{}` is given the job's ID token `{token}` as its password, but {} takes an ID token only through its exchange, never as an API token, so the upload fails",
                        site.name(),
                        index.display_name()
                    ),
                )
                .with_severity(Severity::Error)
                .with_help(format!(
                    "remove {source}: twine (6.1.0 or later) and uv (0.8.18 or later) find `{variable}` and exchange it themselves"
                ))
            };
            out.push(upload.finish(diagnostic));
            continue;
        }
        if super::npm::reported_as_fallback(site) {
            continue; // TP307
        }
        // A token minted by trusted publishing in the job: the job's own
        // exchange, or TP308's finding.
        if upload.minted_in_job {
            continue;
        }
        let message = format!(
            "`{}` uploads to {} with a token from {source}, so trusted publishing is not used{}",
            site.name(),
            index.display_name(),
            upload
                .overrides
                .as_ref()
                .map(|words| format!(" ({words})"))
                .unwrap_or_default()
        );
        let help = (upload.words.token_upload_help)(site.uploader, index, source);
        out.push(
            upload
                .finish(Diagnostic::new(&PUBLISH_TOKEN_ENV, upload.given, message).with_help(help)),
        );
    }
}

/// TP303, GitHub: a registry's long-lived token handed to a step tplint
/// cannot see into, in a job with no visible upload there
/// ([`crate::facts::tokens_to_opaque`]): an info, since the step may not
/// publish at all.
pub(super) fn token_to_opaque_step(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        let tokens: Vec<_> = (0..view.workflow.jobs.len())
            .flat_map(|index| crate::facts::tokens_to_opaque(context.repo, &view, index))
            .collect();
        // Calls of one reusable workflow passing it the same secret
        // (tracel-ai/burn's 32 jobs): one finding, at the first.
        let same = |a: &crate::facts::TokenToOpaque, b: &crate::facts::TokenToOpaque| {
            a.call && b.call && a.what == b.what && a.given_as == b.given_as
        };
        for (at, token) in tokens.iter().enumerate() {
            if tokens[..at].iter().any(|earlier| same(earlier, token)) {
                continue;
            }
            let more = tokens[at + 1..]
                .iter()
                .filter(|later| same(later, token))
                .count();
            {
                let registry = token.registry.display_name();
                let what = &token.what;
                let message = if token.given_as.starts_with("`~/") {
                    format!(
                        "{} is written with {registry}'s API key, which `gem push` reads, and tplint cannot rule out that this step or a later one publishes with it; if one does, it does so with a long-lived token, not trusted publishing",
                        token.given_as
                    )
                } else {
                    let given_as = if token.named_secret {
                        format!("a secret named as {registry}'s API token")
                    } else {
                        format!("{registry}'s API key variable")
                    };
                    let also = match more {
                        0 => String::new(),
                        1 => " (so is the call of one more job of this workflow)".to_string(),
                        n => format!(" (so are the calls of {n} more jobs of this workflow)"),
                    };
                    format!(
                        "{what} is given {}, {given_as}{also}, and tplint cannot rule out that it publishes; if it does, it does so with a long-lived token, not trusted publishing",
                        token.given_as
                    )
                };
                out.push(
                    Diagnostic::new(&PUBLISH_TOKEN_ENV, token.given, message)
                    .with_severity(Severity::Info)
                    .with_help(format!(
                        "if the job publishes to {registry}, register a trusted publisher and publish by it instead ({}), then remove the token",
                        token.registry.info().publish_hint
                    ))
                    .with_related(
                        token.step,
                        if token.call {
                            "the workflow given the token"
                        } else {
                            "the step given the token"
                        },
                    ),
                );
            }
        }
    }
}

/// TP304, written once over [`PublishJob`](crate::facts::publish_job::PublishJob)s:
/// each `uv publish` to a registry by trusted publishing that may fall
/// back to a password. A `uv publish` given a token (one the job minted by
/// OIDC) uses it and never tries trusted publishing, so it has no fallback,
/// and uv refuses `--trusted-publishing always` beside one (astral-sh/uv
/// `crates/uv-publish/src/lib.rs`, `check_trusted_publishing`: with
/// `automatic`, given credentials skip the exchange).
pub(super) fn uv_trusted_publishing_fallback(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for job in context.publish_jobs() {
        let words = job.words;
        for site in &job.sites {
            if site.uploader != Uploader::Uv
                || site.oidc_required
                || site.index().is_none()
                || site.secret.is_some()
            {
                continue;
            }
            out.push(job.finish(
                Diagnostic::new(
                    &UV_TRUSTED_PUBLISHING_FALLBACK,
                    site.location(),
                    format!(
                        "`uv publish` tries trusted publishing but falls back to password authentication if the OIDC exchange fails, which hides a misconfigured publisher behind {}",
                        words.password_failure
                    ),
                )
                .with_help(format!(
                    "run `uv publish --trusted-publishing always` (or {} `UV_TRUSTED_PUBLISHING: always`) so a failed exchange is reported as such",
                    words.set_variable
                ))
                .with_via_as(&site.via, words.via_first)
                .with_fix(crate::fix::workflow::uv_trusted_publishing_always(
                    site.file,
                    &context.repo.sources.get(site.file).text,
                    site.span,
                )),
            ));
        }
    }
}

/// TP311, written once over [`OldUploader`](crate::facts::ci_view::OldUploader)s:
/// a job relying on trusted publishing with an uploader too old to do it on
/// its CI system.
pub(super) fn uploader_too_old(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for old in crate::facts::ci_view::old_uploaders(context.repo, context.facts) {
        out.push(old.finding.diagnostic(&UPLOADER_TOO_OLD));
    }
}
