//! npm's own requirements: TP110 (`package.json` must name the repository
//! provenance comes from), TP305 (npm 11.5.1 or later exchanges the OIDC
//! token) and TP307 (a configured token next to trusted publishing).

use super::Context;
use crate::catalogue::{NPM_TOO_OLD, PACKAGE_REPOSITORY_MISMATCH, TOKEN_FALLBACK};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::WorkflowView;
use crate::facts::ci_view::npm_uploads;
use crate::facts::npm::NpmSite;
use crate::facts::publish::{PublishSite, Uploader};
use crate::registry::Registry;
use crate::registry::npm::node_bundles_oidc_npm;
use crate::source::Span;

/// Each site that publishes to npm (not a private registry or an
/// expression), with its npm facts.
fn npm_sites<'a>(
    context: &'a Context<'_>,
) -> impl Iterator<Item = (WorkflowView<'a>, &'a PublishSite, &'a NpmSite)> + 'a {
    context.workflows().flat_map(|view| {
        view.facts.publish_sites.iter().filter_map(move |site| {
            let npm = site.npm.as_ref()?;
            (site.index() == Some(Registry::Npm)).then_some((view, site, npm))
        })
    })
}

/// The pnpm major in use: `pnpm/action-setup`'s `version`, else
/// `packageManager` in `package.json` (`pnpm@10.12.1`).
fn pnpm_major(context: &Context<'_>, npm: &NpmSite) -> Option<u64> {
    npm.pnpm_major.or_else(|| {
        let manager = context
            .repo
            .manifests
            .package_json
            .as_ref()?
            .package_manager
            .as_deref()?;
        let version = manager.strip_prefix("pnpm@")?;
        version.split('.').next()?.parse().ok()
    })
}

/// `owner/repo` from the `repository` forms npm normalises
/// (`@npmcli/package-json` `lib/normalize.js` `fixRepositoryField`, through
/// hosted-git-info): `o/r`, `github:o/r`, `https://github.com/o/r(.git)`,
/// `git+https://…`, `git://…`, `git+ssh://git@github.com/o/r.git`,
/// `git@github.com:o/r.git`. `None` for other hosts and other shapes.
pub fn github_repository(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    let rest = if let Some(rest) = url.strip_prefix("github:") {
        rest
    } else if let Some(rest) = url.strip_prefix("git@github.com:") {
        rest
    } else if let Some(at) = url.find("github.com") {
        let scheme = &url[..at];
        let known = [
            "https://",
            "http://",
            "git+https://",
            "git://",
            "git+ssh://git@",
            "ssh://git@",
            "https://www.",
        ];
        if !known.contains(&scheme) {
            return None;
        }
        url[at + "github.com".len()..].strip_prefix(['/', ':'])?
    } else if !url.contains(':') && url.matches('/').count() == 1 {
        // The `owner/repo` shorthand.
        url
    } else {
        return None;
    };
    let rest = rest.split(['#', '?']).next().unwrap_or(rest);
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    let (owner, repo) = rest.split_once('/')?;
    let valid = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    (valid(owner) && valid(repo)).then(|| (owner.to_string(), repo.to_string()))
}

/// The repository provenance names: an npm publisher's (whose fields are
/// case-sensitive, so its spelling is GitHub's), else the git remote (whose
/// letter case may not be GitHub's), with whether its case is reliable.
///
/// A publisher that disagrees with the remote is TP106's finding; the
/// remote then says which repository runs the workflow.
fn provenance_repository(context: &Context<'_>) -> Option<(String, String, bool, String)> {
    let remote = context.repo.remote.as_ref();
    if let Some(publisher) = context.publishers().iter().find(|p| {
        p.platform == crate::config::Platform::Github
            && p.index() == Registry::Npm
            && remote.is_none_or(|r| p.owner.value == r.owner && p.repository.value == r.repository)
    }) {
        return Some((
            publisher.owner.value.clone(),
            publisher.repository.value.clone(),
            true,
            "the npm publisher".to_string(),
        ));
    }
    let remote = remote?;
    Some((
        remote.owner.clone(),
        remote.repository.clone(),
        false,
        "the git remote `origin`".to_string(),
    ))
}

pub(super) fn package_repository_mismatch(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(package) = context.repo.manifests.package_json.as_ref() else {
        return;
    };
    let Some(file) = package.file else { return };
    if package.private {
        return;
    }
    // `publishConfig.registry` is already in each site's target.
    let expected = provenance_repository(context);
    let mut reported = false;
    for (_, site, npm) in npm_sites(context) {
        if reported || !npm.root_package {
            continue;
        }
        // Provenance: asked for, or (by default) generated by trusted
        // publishing from a public repository (npm/cli `lib/utils/oidc.js`:
        // only when `repository_visibility` is `public`).
        let explicit = npm
            .provenance
            .map(|(on, _)| on)
            .or(package.publish_provenance);
        let generated = match explicit {
            Some(on) => on,
            None => site.is_oidc() && npm.oidc_granted,
        };
        if !generated {
            continue;
        }
        let certain = explicit == Some(true);
        let url = package.repository.as_ref();
        let problem = match url.map(|u| u.value.trim()) {
            None | Some("") => Some(match url {
                None => "`package.json` has no `repository`".to_string(),
                Some(_) => "`package.json` has an empty `repository.url`".to_string(),
            }),
            Some(value) => {
                let Some((owner, repo, ..)) = &expected else {
                    continue;
                };
                match github_repository(value) {
                    Some((o, r)) if o == *owner && r == *repo => None,
                    // The remote's letter case may differ from GitHub's.
                    Some((o, r))
                        if !expected.as_ref().is_some_and(|e| e.2)
                            && o.eq_ignore_ascii_case(owner)
                            && r.eq_ignore_ascii_case(repo) =>
                    {
                        None
                    }
                    Some((o, r)) => Some(format!(
                        "`package.json` names the repository `{o}/{r}`, not `{owner}/{repo}` ({})",
                        expected.as_ref().map_or("", |e| e.3.as_str())
                    )),
                    None if value.contains("github.com") || value.starts_with("github:") => {
                        continue;
                    }
                    None => Some(format!(
                        "`package.json` names `{value}` as its repository, not a GitHub repository"
                    )),
                }
            }
        };
        let Some(problem) = problem else { continue };
        let span = url
            .map(|u| u.span)
            .or_else(|| package.name.as_ref().map(|n| n.span))
            .unwrap_or_else(|| Span::empty(0));
        let want = expected.as_ref().map_or_else(
            || "https://github.com/<owner>/<repository>".to_string(),
            |(o, r, ..)| format!("https://github.com/{o}/{r}"),
        );
        let when = if certain {
            "it asks for provenance"
        } else {
            "trusted publishing from a public repository generates provenance"
        };
        let mut diagnostic = Diagnostic::new(
            &PACKAGE_REPOSITORY_MISMATCH,
            Location::new(file, span),
            format!(
                "{problem}: npm rejects the release with E422 \"Failed to validate repository information\", because {when} and the provenance names {want}"
            ),
        )
        .with_help(format!(
            "set `\"repository\": {{ \"type\": \"git\", \"url\": \"git+{want}.git\" }}` in package.json"
        ))
        .with_related(site.location(), "npm publishes here")
        .with_via(&site.via);
        if !certain {
            diagnostic = diagnostic.with_severity(Severity::Warning);
        }
        out.push(diagnostic);
        reported = true;
    }
}

pub(super) fn npm_too_old(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for upload in npm_uploads(context.repo, context.facts) {
        let (site, npm) = (upload.site, upload.npm);
        // Only where the job has npm's token itself (elsewhere a token
        // tplint cannot see may be what publishes), and runs nothing before
        // the upload that may install another npm.
        if !upload.runs_job_npm
            || !site.is_oidc()
            || !npm.oidc_granted
            || npm.npm_replaced
            || upload.unseen_before
        {
            continue;
        }
        let Some(node) = &npm.node else { continue };
        let Some((major, minor)) = node.version else {
            continue;
        };
        if node_bundles_oidc_npm(major, minor) {
            continue;
        }
        out.push(too_old(
            site,
            node.location,
            &release_name(major, minor),
            upload.newer_node,
        ));
    }
}

/// TP305 at the Node.js release `release` set at `at`.
fn too_old(site: &PublishSite, at: Location, release: &str, newer: &str) -> Diagnostic {
    Diagnostic::new(
        &NPM_TOO_OLD,
        at,
        format!(
            "`npm publish` relies on trusted publishing, but Node.js {release} bundles an npm older than 11.5.1, which never exchanges the OIDC token: the publish fails with ENEEDAUTH or \"404 Not Found - PUT https://registry.npmjs.org/…\" (or uses a configured token)"
        ),
    )
    .with_help(format!(
        "use Node.js 24.5 or later ({newer}), or run `npm install -g npm@^11.5.1` before publishing"
    ))
    .with_related(site.location(), "npm publishes here")
    .with_via(&site.via)
}

pub(super) fn token_fallback(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // A token that is the job's own ID token is no long-lived fallback
    // (TP303 reports it).
    let id_tokens: Vec<*const PublishSite> =
        crate::facts::publish_job::password_uploads(context.repo, context.facts)
            .into_iter()
            .filter(|upload| upload.id_token_as_password.is_some())
            .map(|upload| std::ptr::from_ref(upload.site))
            .collect();
    for upload in npm_uploads(context.repo, context.facts) {
        let (site, npm, grant) = (upload.site, upload.npm, &upload.grant);
        let Some((location, source)) = &npm.token else {
            continue;
        };
        if id_tokens.contains(&std::ptr::from_ref(site)) {
            continue;
        }
        if !npm.oidc_granted {
            continue;
        }
        let tool = site.name();
        let never_tries = match site.uploader {
            Uploader::Yarn => true,
            Uploader::Pnpm => pnpm_major(context, npm).is_some_and(|m| m >= 11),
            _ => false,
        };
        let diagnostic = if never_tries && upload.grant_used_elsewhere {
            // The job's grant serves other steps (pnpm/pnpm's release job
            // stages its CLI by OIDC after publishing the other packages
            // with a token): this publish alone is by token.
            Diagnostic::new(
                &TOKEN_FALLBACK,
                *location,
                format!(
                    "`{tool}` uses the token from {source} and tries trusted publishing only when no token is configured, so this publish does not use the job's {grant}"
                ),
            )
            .with_severity(Severity::Warning)
            .with_help(format!(
                "to publish this package by trusted publishing, register a trusted publisher for it on npmjs.com and remove {source} (and the secret behind it) from the step"
            ))
        } else if never_tries {
            Diagnostic::new(
                &TOKEN_FALLBACK,
                *location,
                format!(
                    "`{tool}` uses the token from {source} and tries trusted publishing only when no token is configured, so the job's {grant} is never used"
                ),
            )
            .with_severity(Severity::Error)
            .with_help(format!(
                "remove {source} (and the secret behind it) from the publishing job so `{tool}` exchanges the OIDC token"
            ))
        } else if let Some(release) = old_bundled_npm(site, npm, upload.runs_job_npm) {
            // The job's Node.js bundles an npm that never exchanges: it
            // uses the token, unless something tplint cannot see installs
            // a newer npm first.
            let unless = if upload.unseen_before {
                ", unless a step tplint cannot see installs npm 11.5.1 or later, which tries trusted publishing first and silently falls back to the token"
            } else {
                ""
            };
            Diagnostic::new(
                &TOKEN_FALLBACK,
                *location,
                format!(
                    "`{tool}` is given the token from {source} beside the job's {grant}, but Node.js {release} bundles an npm older than 11.5.1, which never tries trusted publishing: it publishes with the long-lived token{unless}"
                ),
            )
            .with_help(format!(
                "to publish by trusted publishing, use Node.js 24.5 or later ({}) and remove {source} from the publishing job; if the token is meant, remove `id-token: write`",
                upload.newer_node
            ))
        } else {
            Diagnostic::new(
                &TOKEN_FALLBACK,
                *location,
                format!(
                    "`{tool}` tries trusted publishing first but silently falls back to the token from {source} when the OIDC exchange fails, so a broken trusted publisher goes unnoticed and the long-lived token stays in use"
                ),
            )
            .with_help(format!(
                "remove {source} from the publishing job, delete the token on npmjs.com, and set the package to \"Require two-factor authentication and disallow tokens\""
            ))
        };
        out.push(
            diagnostic
                .with_related(site.location(), "the publish")
                .with_via(&site.via),
        );
    }
}

/// The Node.js release the job sets up, when its bundled npm is older than
/// 11.5.1 and the job's own npm publishes without replacing it.
fn old_bundled_npm(site: &PublishSite, npm: &NpmSite, runs_job_npm: bool) -> Option<String> {
    if site.uploader != Uploader::Npm || !runs_job_npm || npm.npm_replaced {
        return None;
    }
    let (major, minor) = npm.node.as_ref()?.version?;
    if node_bundles_oidc_npm(major, minor) {
        return None;
    }
    Some(release_name(major, minor))
}

/// A Node.js release as the workflow names it: `22`, `24.4`.
fn release_name(major: u64, minor: Option<u64>) -> String {
    match minor {
        Some(minor) => format!("{major}.{minor}"),
        None => major.to_string(),
    }
}

/// Whether TP307 reports the token of this site (TP303 then stays quiet).
pub(super) fn reported_as_fallback(site: &PublishSite) -> bool {
    site.index() == Some(Registry::Npm)
        && site
            .npm
            .as_ref()
            .is_some_and(|n| n.token.is_some() && n.oidc_granted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_forms() {
        let o_r = Some(("o".to_string(), "r".to_string()));
        for form in [
            "o/r",
            "github:o/r",
            "https://github.com/o/r",
            "https://github.com/o/r.git",
            "git+https://github.com/o/r.git",
            "git://github.com/o/r.git",
            "git+ssh://git@github.com/o/r.git",
            "git@github.com:o/r.git",
            "https://github.com/o/r/",
            "git+https://github.com/o/r.git#main",
        ] {
            assert_eq!(github_repository(form), o_r, "{form}");
        }
        for other in [
            "https://gitlab.com/o/r",
            "gitlab:o/r",
            "https://github.com/o/r/tree/main/pkg",
            "https://evilgithub.com/o/r",
            "",
            "r",
        ] {
            assert_eq!(github_repository(other), None, "{other}");
        }
    }
}
