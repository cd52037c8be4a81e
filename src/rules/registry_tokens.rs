//! TP308 and TP309: the actions that exchange the job's OIDC token for a
//! registry token (crates.io, NuGet.org, RubyGems.org), and whether what
//! they mint is what the publish uses.

use super::Context;
use crate::catalogue::{NUGET_LOGIN_USER, REGISTRY_TOKEN_NOT_WIRED};
use crate::diagnostic::{Diagnostic, Location};
use crate::facts::publish::{Auth, Mint, output_references};
use crate::facts::{WorkflowView, unwired_mint};
use crate::registry::Registry;
use crate::registry::nuget::{
    LOGIN_ACTION, LOGIN_SERVICE_INPUT, LOGIN_USER_INPUT, is_nuget_org_token_service,
};
use crate::source::FileId;
use crate::workflow::Step;

/// The text where a mint's outputs can be read: its job in the workflow,
/// or the local action that holds the step.
fn readable_text<'a>(
    context: &Context<'a>,
    view: &WorkflowView<'a>,
    job: usize,
    mint: &Mint,
) -> &'a str {
    let text = &context.repo.sources.get(mint.location.file).text;
    if mint.inner.is_some() {
        return text;
    }
    let span = view.job(job).span;
    text.get(span.range()).unwrap_or(text)
}

/// How a text reads a step's outputs: the references to `id`, with the
/// output named, and whether it reads them some way tplint does not parse
/// (`steps['id']`, `toJSON(steps)`).
fn references<'t>(text: &'t str, id: &str) -> (Vec<&'t str>, bool) {
    let named = output_references(text)
        .filter(|(step, _)| step.eq_ignore_ascii_case(id))
        .map(|(_, output)| output)
        .collect();
    let lower = text.to_ascii_lowercase();
    let opaque = lower.contains("steps[") || lower.contains("tojson(steps");
    (named, opaque)
}

fn action_name(mint: &Mint) -> &'static str {
    match mint.registry {
        Registry::CratesIo => "rust-lang/crates-io-auth-action",
        Registry::NuGet => "NuGet/login",
        Registry::RubyGems => "rubygems/configure-rubygems-credentials",
        _ => mint.action.unwrap_or("the action"),
    }
}

/// How the publish should read the token, for help texts.
fn wiring(mint: &Mint, id: &str) -> String {
    let output = mint.outputs.first().copied().unwrap_or("token");
    match mint.registry {
        Registry::CratesIo => format!(
            "give `cargo publish` `CARGO_REGISTRY_TOKEN: ${{{{ steps.{id}.outputs.{output} }}}}`"
        ),
        Registry::NuGet => format!(
            "pass `--api-key ${{{{ steps.{id}.outputs.{output} }}}}` to `dotnet nuget push`"
        ),
        _ => format!("use `${{{{ steps.{id}.outputs.{output} }}}}`"),
    }
}

pub(super) fn registry_token_not_wired(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        for job in 0..view.workflow.jobs.len() {
            let mut reported = Vec::new();
            // Uploads that use a token other than the minted one.
            for site in view.sites_of(job) {
                let Some(mint) = unwired_mint(&view, site) else {
                    continue;
                };
                let Auth::Password { location, source } = &site.auth else {
                    continue;
                };
                let given = site.secret.as_deref().unwrap_or_default().trim();
                let registry = mint.registry;
                let (message, help) = if mint.outputs.is_empty() {
                    (
                        format!(
                            "`{}` is given {source} = `{given}`, which overrides the key `{}` exchanged by trusted publishing: the exchange happens, and the upload to {registry} uses another token",
                            site.name(),
                            action_name(mint)
                        ),
                        format!(
                            "remove {source} from the publishing step, so it uses the key {} exported",
                            action_name(mint)
                        ),
                    )
                } else {
                    let minted_by = match &mint.id {
                        Some(id) => format!("step `{id}` ({})", action_name(mint)),
                        None => format!("{} (a step without an `id:`)", action_name(mint)),
                    };
                    let id = mint.id.as_deref().unwrap_or("auth");
                    (
                        format!(
                            "`{}` is given {source} = `{given}`, not the token {minted_by} exchanged by trusted publishing: the exchange happens, and the upload to {registry} uses something else",
                            site.name()
                        ),
                        format!(
                            "{}{}{}",
                            if mint.id.is_none() {
                                format!("add `id: {id}` to the {} step and ", action_name(mint))
                            } else {
                                String::new()
                            },
                            wiring(mint, id),
                            if given.contains("secrets.") {
                                ", then delete the long-lived token and its secret"
                            } else {
                                ""
                            }
                        ),
                    )
                };
                reported.push(mint.location);
                out.push(
                    Diagnostic::new(&REGISTRY_TOKEN_NOT_WIRED, *location, message)
                        .with_help(help)
                        .with_related(mint.location, "the token is exchanged here")
                        .with_via(&site.via),
                );
            }
            // Minted tokens that no step can read, or none does.
            for mint in &view.job_facts(job).mints {
                if mint.action.is_none()
                    || mint.outputs.is_empty()
                    || reported.contains(&mint.location)
                {
                    continue;
                }
                let output = mint.outputs[0];
                let publish = view
                    .sites_of(job)
                    .find(|s| s.index() == Some(mint.registry) && s.step >= mint.top);
                let (message, help) = match &mint.id {
                    None => (
                        format!(
                            "this {} step has no `id:`, so no step can read its `{output}` output: the trusted publishing exchange happens, and its token is never used",
                            action_name(mint)
                        ),
                        format!("add `id: auth` to the step and {}", wiring(mint, "auth")),
                    ),
                    Some(id) => {
                        let text = readable_text(context, &view, job, mint);
                        let (named, opaque) = references(text, id);
                        if opaque || named.iter().any(|o| mint.holds(o)) {
                            continue;
                        }
                        let read = match named.first() {
                            Some(other) => format!(
                                "the job reads `steps.{id}.outputs.{other}`, which {} does not set",
                                action_name(mint)
                            ),
                            None => {
                                format!("no step of the job reads `steps.{id}.outputs.{output}`")
                            }
                        };
                        (
                            format!(
                                "{read}: the trusted publishing exchange of step `{id}` happens, and its token is never used"
                            ),
                            wiring(mint, id),
                        )
                    }
                };
                let mut diagnostic =
                    Diagnostic::new(&REGISTRY_TOKEN_NOT_WIRED, mint.location, message)
                        .with_help(help);
                if let Some(site) = publish {
                    diagnostic = diagnostic.with_related(site.location(), "the upload");
                }
                out.push(diagnostic);
            }
        }
    }
}

/// Every step of the workflows and local actions that uses NuGet/login.
fn login_steps<'a>(context: &Context<'a>) -> Vec<(FileId, &'a Step)> {
    let workflow_steps = context.workflows().flat_map(|view| {
        view.workflow
            .jobs
            .iter()
            .flat_map(|job| job.steps.iter())
            .map(move |step| (view.file.file, step))
    });
    let action_steps = context.repo.locals.actions.iter().flat_map(|action| {
        action.file.into_iter().flat_map(move |file| {
            action
                .action
                .iter()
                .flat_map(|a| a.steps.iter())
                .map(move |step| (file, step))
        })
    });
    workflow_steps
        .chain(action_steps)
        .filter(|(_, step)| {
            step.uses
                .as_ref()
                .is_some_and(|u| u.target.is_action(LOGIN_ACTION))
        })
        .collect()
}

pub(super) fn nuget_login_user(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // The users of the declared NuGet.org publishers (their policies' creators).
    let declared: Vec<&str> = context
        .repo
        .config
        .publishers
        .iter()
        .filter(|p| p.index() == Registry::NuGet)
        .filter_map(|p| p.user.as_ref().map(|u| u.value.as_str()))
        .collect();
    for (file, step) in login_steps(context) {
        let Some(uses) = &step.uses else { continue };
        // Another NuGet server's token service has its own users.
        let elsewhere = step
            .input(LOGIN_SERVICE_INPUT)
            .map(|kv| kv.value.value.trim())
            .is_some_and(|url| !url.is_empty() && !is_nuget_org_token_service(url));
        if elsewhere {
            continue;
        }
        let input = step.input(LOGIN_USER_INPUT);
        let value = input.map(|kv| kv.value.value.trim()).unwrap_or_default();
        let diagnostic = if value.is_empty() {
            let at = input.map_or(uses.raw.span, |kv| kv.key.span);
            Diagnostic::new(
                &NUGET_LOGIN_USER,
                Location::new(file, at),
                "NuGet/login is given no `user`, so it stops before the exchange (\"Input required and not supplied: user\")",
            )
            .with_help(format!(
                "add `with: user: <name>`: the nuget.org profile name of the user who created the trusted publishing policy{}",
                declared_hint(&declared)
            ))
        } else if crate::workflow::is_expression(value) {
            // A secret or variable holding the name, as NuGet's own docs
            // recommend: its value is not visible.
            continue;
        } else if value.contains('@') {
            Diagnostic::new(
                &NUGET_LOGIN_USER,
                Location::new(file, input.map_or(uses.raw.span, |kv| kv.value.span)),
                format!(
                    "NuGet/login's `user` is the e-mail address `{value}`; NuGet.org matches the policy by the profile name of its creator, and NuGet/login fails with \"Token exchange failed (HTTP 401) ... Make sure you are using the username of the policy creator, not the policy owner\""
                ),
            )
            .with_help(format!(
                "use the user name shown on the nuget.org profile of the policy's creator (not an e-mail, not the organization){}",
                declared_hint(&declared)
            ))
        } else if !declared.is_empty() && !declared.iter().any(|d| d.eq_ignore_ascii_case(value)) {
            Diagnostic::new(
                &NUGET_LOGIN_USER,
                Location::new(file, input.map_or(uses.raw.span, |kv| kv.value.span)),
                format!(
                    "NuGet/login's `user` is `{value}`, but the declared NuGet.org publisher was created by {}; NuGet.org looks for a policy created by `{value}`, and NuGet/login fails with \"Token exchange failed (HTTP 401) ... Make sure you are using the username of the policy creator, not the policy owner\"",
                    declared
                        .iter()
                        .map(|d| format!("`{d}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            )
            .with_help("give NuGet/login the `user` of the publisher in tplint.toml, or correct tplint.toml")
        } else {
            continue;
        };
        out.push(diagnostic);
    }
}

fn declared_hint(declared: &[&str]) -> String {
    match declared.first() {
        Some(user) => format!(" (tplint.toml names `{user}`)"),
        None => String::new(),
    }
}
