//! Facts about each GitLab job, for the rules: its uploads (the script
//! lines read by the same shell reader and uploader table as GitHub's
//! `run:`, repository scripts and task runners followed by the same
//! walker), builds, opaque steps, pinned uploader versions, which ID tokens
//! its scripts use, and whether it can run in a merge request pipeline;
//! what its ID tokens offer each registry, and so which uploads rely on
//! trusted publishing; and, in GitLab's words for the rules written once,
//! the jobs that do ([`PublishJob`]s), the uploads with a token
//! ([`PasswordUpload`]s) and the uploads merge request pipelines may run
//! ([`UntrustedStart`]s), and in [`ci_view`] the pipeline's files, ID
//! tokens, includes and uploader versions as [`crate::facts::ci_view`]
//! sees them.
//!
//! GitLab runs `before_script` and `script` in one shell, so a variable
//! exported by one line is seen by the next, and a `cd` on one line moves
//! the lines after it; `after_script` runs in a new shell, in the project's
//! folder (`_index.md`, `after_script`). The job's CI/CD variables
//! (top-level, then its own) are its environment.

pub mod ci_view;
pub mod publisher_files;

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::job::{GitlabJob, ScriptKind, ScriptLine};
use super::rules::{self, Tri};
use super::tree::Located;
use super::{GitlabPipeline, IdToken, Variable};
use crate::diagnostic::Location;
use crate::diagnostic::Severity;
use crate::facts::expand::{self, Budget, EnvHit, JobRef, Opaque, ShellBlock, Visit};
use crate::facts::publish::{self, Auth, PublishSite, Target, Uploader};
use crate::facts::publish_job::{
    CiWords, JobEnvironment, NoEnvironment, PasswordUpload, PublishJob, Reach, UntrustedStart,
};
use crate::facts::shell::{self, Command};
use crate::facts::{BuildFact, LocalCode};
use crate::registry::claims::AudienceMatch;
use crate::registry::{GitlabPublishing, Registry, crates_io, nuget};
use crate::repository::{Need, Repository};
use crate::source::Span;
use crate::workflow::{Spanned, Step};

/// Facts of a pipeline, parallel to [`GitlabPipeline::jobs`].
#[derive(Debug, Default)]
pub struct GitlabFacts {
    pub jobs: Vec<GitlabJobFacts>,
    /// The facts of each child pipeline, parallel to
    /// [`GitlabPipeline::children`]: read for the tokens their uploads are
    /// given (TP303) only.
    pub children: Vec<GitlabFacts>,
}

/// What one job runs.
#[derive(Debug, Default)]
pub struct GitlabJobFacts {
    /// Uploads; `job` is the job's index, `step` the index of the script
    /// line (in [`GitlabJob::all_lines`] order) that leads to it.
    pub publish_sites: Vec<PublishSite>,
    pub builds: Vec<BuildFact>,
    /// What tplint cannot see into (a Python script, an unknown runner).
    pub opaque: Vec<Opaque>,
    pub local_code: Vec<LocalCode>,
    /// Versions of twine or uv the job pins.
    pub tool_pins: Vec<ToolPin>,
    /// References in the scripts to the job's ID token variables.
    pub id_token_uses: Vec<Located<String>>,
    /// The scripts exchange an ID token at PyPI's `mint-token` endpoint
    /// themselves (the manual flow of older PyPI documentation).
    pub mints_token: bool,
    /// Whether the job can run in a merge request pipeline.
    pub merge_request: Tri,
    /// The variable the job's crates.io token exchange posts as its
    /// `"jwt"` (its ID token), when the job exchanges one where tplint
    /// sees it.
    pub crates_io_id_token: Option<String>,
    /// The variable the job's NuGet.org token exchange posts as its
    /// bearer token, when the job exchanges one where tplint sees it.
    pub nuget_id_token: Option<String>,
    /// With `parallel: matrix:`, the variable sets (by position in
    /// [`GitlabJob::matrix`]) whose job reaches each upload, parallel to
    /// `publish_sites`; empty without a matrix. Uploads of disjoint sets
    /// run in different jobs, each with its own ID token.
    pub matrix_sets: Vec<Vec<usize>>,
}

/// An uploader pinned to a version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolPin {
    /// `twine` or `uv`.
    pub tool: &'static str,
    pub version: String,
    pub location: Location,
    /// Pinned by the job's container image (`ghcr.io/astral-sh/uv:0.8.0`).
    pub from_image: bool,
}

/// Uploaders whose version matters for GitLab trusted publishing, and the
/// images that ship each, tagged `VERSION` or `VERSION-python3.12-...`
/// (uv's "Using uv in Docker" guide, "Available images",
/// `docs/guides/integration/docker.md` of astral-sh/uv).
const PINNED_TOOLS: &[(&str, &[&str])] = &[
    ("twine", &[]),
    ("pdm", &[]),
    (
        "uv",
        &["ghcr.io/astral-sh/uv", "astral/uv", "docker.io/astral/uv"],
    ),
];

/// Most publish sites kept for one job.
const MAX_SITES_PER_JOB: usize = 32;

/// Derive the facts of every job of a pipeline (`facts::Facts` walks the
/// top-level pipeline's jobs itself, and this for its child pipelines);
/// `needs` receives the repository files the scripts name that are not
/// read yet.
pub fn derive(
    repo: &Repository,
    pipeline: &GitlabPipeline,
    budget: &Budget,
    needs: &mut BTreeSet<Need>,
) -> GitlabFacts {
    let jobs = pipeline
        .jobs
        .iter()
        .enumerate()
        .map(|(index, job)| job_facts(repo, pipeline, index, job, budget, needs))
        .collect();
    let children = pipeline
        .children
        .iter()
        .map(|(_, child)| derive(repo, child, budget, needs))
        .collect();
    GitlabFacts { jobs, children }
}

#[derive(Default)]
struct Visitor {
    facts: GitlabJobFacts,
    /// What the job's lines so far set up for later uploads (npm's
    /// configuration), carried from line to line as in one shell; it
    /// starts from the repository's release-tool configuration.
    mint: publish::MintState,
    /// Script lines (by index) whose walk reaches crates.io's token
    /// exchange, with the text that calls it.
    exchanges: Vec<(usize, String)>,
    /// The same for NuGet.org's token exchange.
    nuget_exchanges: Vec<(usize, String)>,
    /// Job variables holding NuGet.org's token exchange URL.
    nuget_endpoints: Vec<String>,
    /// Script lines assigning a substitution whose script tplint has not
    /// read (yet, or at all).
    unread_substitutions: Vec<usize>,
}

impl<'a> Visit<'a> for Visitor {
    fn shell(&mut self, block: &ShellBlock<'a, '_, '_>, commands: &[Command]) {
        if block.text.contains(crates_io::EXCHANGE_PATH) {
            self.exchanges
                .push((block.exec.top, block.text.clone().into_owned()));
        }
        if calls_nuget_exchange(&block.text, &self.nuget_endpoints) {
            self.nuget_exchanges
                .push((block.exec.top, block.text.clone().into_owned()));
        }
        let room = MAX_SITES_PER_JOB.saturating_sub(self.facts.publish_sites.len());
        self.facts.publish_sites.extend(
            publish::shell_sites(block, commands, &self.mint)
                .into_iter()
                .take(room),
        );
        self.mint.observe_shell(block);
        for command in commands {
            self.facts.builds.extend(BuildFact::of(block, command));
            for (tool, version, spelled) in installed_pins(&command.words) {
                self.facts.tool_pins.push(ToolPin {
                    tool,
                    version,
                    location: Location::new(block.file, block.locate_in(command, &spelled)),
                    from_image: false,
                });
            }
        }
        self.facts
            .builds
            .extend(BuildFact::in_substitutions(block, commands));
    }

    fn opaque(&mut self, opaque: Opaque) {
        self.facts.opaque.push(opaque);
    }

    fn local_code(&mut self, top: usize, location: Location, via: &[Location], what: &str) {
        self.facts.local_code.push(LocalCode {
            top,
            location,
            via: via.to_vec(),
            what: what.to_string(),
        });
    }
}

/// Most `parallel: matrix:` variable sets walked for one job.
const MAX_MATRIX_WALKS: usize = 16;

/// Drop later entries equal, as debug text, to an earlier one.
fn dedup_by_debug<T: std::fmt::Debug>(items: &mut Vec<T>) {
    let mut seen = std::collections::HashSet::new();
    items.retain(|item| seen.insert(format!("{item:?}")));
}

/// The job as the script walker reads it, for one of its lines (in the
/// file the line is in): its lines are handed to the walker one at a time
/// and its variables as the environment they inherit, so no step list or
/// `env:` level; a job's `id_tokens:` are read here, not as a grant; and
/// it gets the project's CI/CD variables, which tplint cannot see.
fn walked_job<'a>(line: &ScriptLine, job: &GitlabJob, index: usize) -> JobRef<'a> {
    JobRef {
        file: line.location.file,
        index,
        span: job.name.location.span,
        steps: &[],
        env: [&[], &[]],
        run_working_directory: None,
        strategy: None,
        id_token: None,
        container: None,
        env_complete: false,
        windows: crate::tri::Tri::Unknown,
    }
}

/// Derive the facts of the job at `index` (`facts::Facts` walks every
/// job); `needs` receives the repository files its scripts name that are
/// not read yet.
pub fn job_facts(
    repo: &Repository,
    pipeline: &GitlabPipeline,
    index: usize,
    job: &GitlabJob,
    budget: &Budget,
    needs: &mut BTreeSet<Need>,
) -> GitlabJobFacts {
    let steps: Vec<Step> = job
        .all_lines()
        .enumerate()
        .map(|(i, line)| Step {
            index: i,
            span: line.location.span,
            id: None,
            name: None,
            uses: None,
            with: Vec::new(),
            with_key: None,
            run: Some(Spanned::new(line.text.clone(), line.location.span)),
            env: Vec::new(),
            condition: None,
            working_directory: None,
        })
        .collect();
    let lines: Vec<&ScriptLine> = job.all_lines().collect();
    let inner_steps: Vec<Option<Step>> = steps
        .iter()
        .zip(&lines)
        .map(|(step, line)| {
            let inner = substituted_script(&line.text)?;
            let mut inner_step = step.clone();
            inner_step.run = Some(Spanned::new(inner.to_string(), line.location.span));
            Some(inner_step)
        })
        .collect();
    let nuget_endpoints = nuget_endpoints(&job.variables);
    let mut visitor = Visitor {
        mint: publish::MintState::with_release_config(&repo.manifests.release),
        nuget_endpoints: nuget_endpoints.clone(),
        ..Visitor::default()
    };
    visitor
        .mint
        .npm
        .npmrc_vars
        .clone_from(&repo.manifests.npmrc_auth_vars);
    visitor.mint.npm.publish_config_registry = repo.manifests.npm_publish_target(false);
    visitor.mint.npm.project_registry = repo.manifests.npm_publish_target(true);
    // `parallel: matrix:` makes one job per set of variables: each set is
    // walked (a job that may upload, up to `MAX_MATRIX_WALKS` sets), so a
    // value any of them gives is considered; findings are the job's.
    let no_matrix: [Variable; 0] = [];
    let may_upload =
        !job.id_tokens.is_empty() || lines.iter().any(|l| publish::mentions_upload_word(&l.text));
    let sets: Vec<&[Variable]> = if job.matrix.is_empty() {
        vec![&no_matrix[..]]
    } else if may_upload {
        job.matrix
            .iter()
            .take(MAX_MATRIX_WALKS)
            .map(Vec::as_slice)
            .collect()
    } else {
        job.matrix.iter().take(1).map(Vec::as_slice).collect()
    };
    let mut site_sets: Vec<usize> = Vec::new();
    for (set_index, set) in sets.iter().enumerate() {
        let sites_before = visitor.facts.publish_sites.len();
        let mut variables = job.variables.clone();
        for v in *set {
            variables.retain(|own| own.name.value != v.name.value);
            variables.push(v.clone());
        }
        let mut exported: Vec<EnvHit<'_>> = Vec::new();
        // The folder the shell is in: a `cd` on one line moves the lines after
        // it (`None`: a folder tplint cannot tell, after `cd "$DIR"`).
        let mut cwd: Option<String> = Some(String::new());
        for (top, (step, line)) in steps.iter().zip(&lines).enumerate() {
            if line.kind == ScriptKind::AfterScript
                && top > 0
                && lines[top - 1].kind != ScriptKind::AfterScript
            {
                // A new shell, in the project's folder: exports and `cd`s of
                // the main script are gone (GitLab's CI/CD YAML reference,
                // `after_script`: the working directory is set back to the
                // default).
                exported.clear();
                cwd = Some(String::new());
            }
            let mut inherited = variables_env(&variables);
            inherited.extend(exported.iter().cloned());
            let job_ref = walked_job(line, job, index);
            let mut named = expand::walk_text(
                repo,
                job_ref,
                top,
                step,
                line.location.file,
                inherited,
                cwd.as_deref(),
                &mut visitor,
                budget,
            );
            needs.append(&mut named);
            if let Some(inner) = &inner_steps[top] {
                // `NAME=$(bash script.sh)`: the script is read for crates.io's
                // exchange only (the walker does not enter substitutions).
                let mut seen = ExchangeSeen {
                    nuget_endpoints: nuget_endpoints.clone(),
                    ..ExchangeSeen::default()
                };
                let job_ref = walked_job(line, job, index);
                let mut named = expand::walk_text(
                    repo,
                    job_ref,
                    top,
                    inner,
                    line.location.file,
                    variables_env(&variables),
                    cwd.as_deref(),
                    &mut seen,
                    budget,
                );
                if seen.opaque || !named.is_empty() {
                    visitor.unread_substitutions.push(top);
                }
                needs.append(&mut named);
                visitor
                    .exchanges
                    .extend(seen.texts.into_iter().map(|text| (top, text)));
                visitor
                    .nuget_exchanges
                    .extend(seen.nuget_texts.into_iter().map(|text| (top, text)));
            }
            exported.extend(exports(repo, line));
            let known = |name: &str| {
                exported
                    .iter()
                    .rev()
                    .find(|hit| hit.name == name)
                    .map(|hit| hit.value.to_string())
                    .or_else(|| {
                        variables
                            .iter()
                            .rev()
                            .find(|v| v.name.value == name)
                            .map(|v| v.value.value.clone())
                    })
            };
            cwd = expand::folder_after(&line.text, cwd, &known);
        }
        let new_sites = visitor.facts.publish_sites.len() - sites_before;
        site_sets.extend(std::iter::repeat_n(set_index, new_sites));
    }
    let mut facts = visitor.facts;
    if sets.len() > 1 {
        // The same line read with each set: keep each finding once.
        // An upload several sets reach is kept once, with all of them.
        let mut kept: Vec<(String, Vec<usize>)> = Vec::new();
        let mut sites = Vec::new();
        for (site, set) in std::mem::take(&mut facts.publish_sites)
            .into_iter()
            .zip(site_sets)
        {
            let key = format!("{site:?}");
            match kept.iter_mut().find(|(k, _)| *k == key) {
                Some((_, sets)) => sets.push(set),
                None => {
                    kept.push((key, vec![set]));
                    sites.push(site);
                }
            }
        }
        facts.publish_sites = sites;
        facts.matrix_sets = kept.into_iter().map(|(_, sets)| sets).collect();
        dedup_by_debug(&mut facts.builds);
        dedup_by_debug(&mut facts.opaque);
        dedup_by_debug(&mut facts.local_code);
        dedup_by_debug(&mut facts.tool_pins);
    }
    let all_text: String = lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for token in &job.id_tokens {
        let name = &token.name.value;
        for line in &lines {
            if references(&line.text, name) {
                facts
                    .id_token_uses
                    .push(Located::new(name.clone(), line.location));
            }
        }
    }
    facts.mints_token = all_text.contains("mint-token")
        && (!facts.id_token_uses.is_empty()
            || all_text.contains("-m id ")
            || all_text.contains("_ID_TOKEN"));
    let in_script = |location: &Location| {
        lines.iter().any(|l| {
            l.location.file == location.file
                && l.location.span.start <= location.span.start
                && location.span.end <= l.location.span.end
        })
    };
    for site in &mut facts.publish_sites {
        site.job = index;
        // GitLab variables are `$NAME`, not `${{ }}`: an index named by
        // one cannot be known, unless it is the instance's own package
        // registry, which is never PyPI.
        // NuGet.org's GitLab example names its source by a job variable
        // (`-s "$NUGET_SOURCE"`): a job variable holding one of NuGet.org's
        // URLs is taken as NuGet.org (a project variable of the same name
        // would override it, as it would the exchange's URL).
        if let Target::Custom(url) = &site.target
            && let Some(value) = job_variable_value(&job.variables, url)
            && Registry::of_url(value) == Some(Registry::NuGet)
        {
            site.target = Target::Registry(Registry::NuGet);
        }
        if let Target::Custom(url) = &site.target
            && url.contains('$')
            && !is_gitlab_registry(url)
        {
            site.target = Target::Expression(url.clone());
        }
        if facts.mints_token
            && let Auth::Password { location, .. } = &site.auth
            && in_script(location)
        {
            site.auth = Auth::Oidc;
        }
    }
    crate::facts::npm::package_registries(repo, &mut facts.publish_sites);
    npm_sites(job, &lines, &mut facts.publish_sites);
    cargo_login_sites(&lines, &mut facts.publish_sites);
    facts.crates_io_id_token = exchange_sites(
        &CRATES_IO_EXCHANGE,
        &lines,
        &visitor.exchanges,
        &visitor.unread_substitutions,
        &mut facts.publish_sites,
    );
    let nuget_exchange = ExchangeKind {
        nuget_endpoints: &nuget_endpoints,
        ..NUGET_EXCHANGE
    };
    // Only a job that calls NuGet.org's exchange or pushes there.
    if !visitor.nuget_exchanges.is_empty()
        || facts
            .publish_sites
            .iter()
            .any(|s| s.index() == Some(Registry::NuGet))
    {
        facts.nuget_id_token = exchange_sites(
            &nuget_exchange,
            &lines,
            &visitor.nuget_exchanges,
            &visitor.unread_substitutions,
            &mut facts.publish_sites,
        );
    }
    if let Some(image) = &job.image
        && let Some(pin) = image_pin(image)
    {
        facts.tool_pins.push(pin);
    }
    facts.merge_request = rules::runs_in_merge_request(pipeline, job);
    facts
}

/// Node.js version managers: a line that runs one may change the release.
const NODE_MANAGERS: &[&str] = &["nvm", "n", "fnm", "volta", "asdf", "mise", "nodenv"];

/// System package managers: a line that runs one and names Node.js or npm
/// may install another release.
const PACKAGE_MANAGERS: &[&str] = &["apk", "apt-get", "apt", "yum", "dnf", "microdnf"];

/// Whether a script line may install another Node.js than the image's.
fn installs_node(text: &str) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|')
        .collect();
    let names_node = words
        .iter()
        .any(|w| w.starts_with("node") || w.starts_with("npm"));
    words.iter().any(|w| NODE_MANAGERS.contains(w))
        || (names_node && words.iter().any(|w| PACKAGE_MANAGERS.contains(w)))
}

/// Complete the npm facts of a GitLab job's publish sites, which the
/// shell reader leaves as for a GitHub job without `id-token: write`: the
/// job can mint when it has npm's ID token (`NPM_ID_TOKEN`, read by npm/cli
/// `lib/utils/oidc.js`), so npm tries trusted publishing before a configured
/// token (pnpm 11 and Yarn keep the token: see `registry::npm::COMMANDS`);
/// the Node.js release is the job's `node:` image's, unless a line installs
/// another one.
fn npm_sites(job: &GitlabJob, lines: &[&ScriptLine], sites: &mut [PublishSite]) {
    let Some(gitlab) = crate::registry::Registry::Npm.gitlab() else {
        return;
    };
    let variable = gitlab.id_token;
    let assigned = format!("{variable}=");
    let has_token = job.id_token(variable).is_some()
        || job.variables.iter().any(|v| v.name.value == variable)
        || lines.iter().any(|l| l.text.contains(&assigned));
    let other_node = lines.iter().any(|l| installs_node(&l.text));
    for site in sites.iter_mut() {
        let Some(npm) = site.npm.as_mut() else {
            continue;
        };
        // A tool that never exchanges the ID token keeps the shell
        // reader's answer: its token, or unknown.
        if npm.token_only {
            continue;
        }
        npm.oidc_granted = has_token;
        let token_wins = match site.uploader {
            Uploader::Yarn => true,
            Uploader::Pnpm => npm.pnpm_major.is_some_and(|major| major >= 11),
            _ => false,
        };
        site.auth = match &npm.token {
            Some((location, source)) if token_wins || !has_token => Auth::Password {
                location: *location,
                source: source.clone(),
            },
            _ => Auth::Oidc,
        };
        if npm.node.is_none() && !other_node {
            npm.node = job.image.as_ref().and_then(|image| {
                crate::facts::npm::container_node((&image.value, image.location))
            });
        }
    }
}

/// `cargo login` given a CI/CD variable, as its argument or on its standard
/// input, stores it for the job's later `cargo publish` (cargo-login(1)):
/// such an upload is given that token, whatever else it would find. Read
/// before crates.io's exchange, so that a variable the exchange assigned is
/// still trusted publishing.
fn cargo_login_sites(lines: &[&ScriptLine], sites: &mut [PublishSite]) {
    let logins: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .filter_map(|(top, line)| line.text.lines().find_map(login_variable).map(|v| (top, v)))
        .collect();
    if logins.is_empty() {
        return;
    }
    for site in sites.iter_mut() {
        if site.index() != Some(Registry::CratesIo) || !matches!(site.auth, Auth::Unknown) {
            continue;
        }
        let Some((top, variable)) = logins.iter().rev().find(|(top, _)| *top <= site.step) else {
            continue;
        };
        site.auth = Auth::Password {
            location: lines[*top].location,
            source: "`cargo login`".into(),
        };
        site.secret = Some(variable.clone());
    }
}

/// The variable a shell line gives `cargo login`: `cargo login $TOKEN`,
/// `echo "$TOKEN" | cargo login`, `cargo login <<< "$TOKEN"`.
fn login_variable(line: &str) -> Option<String> {
    const LOGIN: &str = "cargo login";
    let at = line.find(LOGIN)?;
    let (before, after) = (&line[..at], &line[at + LOGIN.len()..]);
    let variable = |word: &str| {
        let word = word.trim_matches(|c| c == '"' || c == '\'');
        let name = word
            .strip_prefix("${")
            .and_then(|w| w.strip_suffix('}'))
            .or_else(|| word.strip_prefix('$'))?;
        (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then(|| format!("${name}"))
    };
    let mut words = after.split_whitespace();
    let argument = match words.next() {
        Some("<<<") => words.next(),
        Some(word) if !word.starts_with('-') => Some(word),
        _ => None,
    };
    if let Some(found) = argument.and_then(variable) {
        return Some(found);
    }
    // A variable piped in: the command before the last `|`.
    let piped = before.trim_end().strip_suffix('|')?;
    let command = piped.rsplit([';', '&']).next()?;
    command.split_whitespace().rev().find_map(variable)
}

/// A registry whose GitLab uploader is given the answer of a token
/// exchange a script of the job calls.
struct ExchangeKind<'a> {
    registry: Registry,
    /// Job variables holding the exchange's URL (NuGet.org's example).
    nuget_endpoints: &'a [String],
    /// The variable the exchange posts the ID token as.
    posted: fn(&str) -> Option<String>,
}

impl ExchangeKind<'_> {
    fn calls(&self, text: &str) -> bool {
        match self.registry {
            Registry::NuGet => calls_nuget_exchange(text, self.nuget_endpoints),
            _ => text.contains(crates_io::EXCHANGE_PATH),
        }
    }
}

const CRATES_IO_EXCHANGE: ExchangeKind<'static> = ExchangeKind {
    registry: Registry::CratesIo,
    nuget_endpoints: &[],
    posted: jwt_variable,
};

const NUGET_EXCHANGE: ExchangeKind<'static> = ExchangeKind {
    registry: Registry::NuGet,
    nuget_endpoints: &[],
    posted: bearer_variable,
};

/// Whether shell text calls NuGet.org's token exchange: its URL
/// (`nuget::is_nuget_org_token_service`) written out, or a job variable
/// holding it (`"$NUGET_TOKEN_ENDPOINT"`, as NuGet's GitLab example does).
fn calls_nuget_exchange(text: &str, endpoints: &[String]) -> bool {
    let lower = text.to_ascii_lowercase();
    if lower.contains(&format!("nuget.org{}", nuget::EXCHANGE_PATH)) {
        return true;
    }
    endpoints.iter().any(|name| references(text, name))
}

/// The literal value of the job variable `text` (`$NAME`, `${NAME}`,
/// quoted or not) names.
fn job_variable_value<'v>(variables: &'v [Variable], text: &str) -> Option<&'v str> {
    let text = text.trim().trim_matches(|c| c == '"' || c == '\'');
    let name = text.strip_prefix('$')?;
    let name = name
        .strip_prefix('{')
        .and_then(|n| n.strip_suffix('}'))
        .unwrap_or(name);
    let value = &variables.iter().find(|v| v.name.value == name)?.value.value;
    (!value.contains('$')).then_some(value.as_str())
}

/// The job variables whose value is NuGet.org's token exchange URL.
fn nuget_endpoints(variables: &[Variable]) -> Vec<String> {
    variables
        .iter()
        .filter(|v| nuget::is_nuget_org_token_service(&v.value.value))
        .map(|v| v.name.value.clone())
        .collect()
}

/// The variable shell text sends as a bearer token
/// (`-H "Authorization: Bearer $NUGET_ID_TOKEN"`).
fn bearer_variable(text: &str) -> Option<String> {
    let at = text.find("Bearer ")?;
    let rest = text[at + "Bearer ".len()..].trim_start();
    let name = rest.strip_prefix('$')?;
    let name = name.strip_prefix('{').unwrap_or(name);
    // PowerShell: `"Bearer $env:NUGET_ID_TOKEN"`.
    let name = name.strip_prefix("env:").unwrap_or(name);
    let end = name
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    let name = &name[..end];
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        .then(|| name.to_string())
}

/// Complete the crates.io (or NuGet.org) facts of a GitLab job's publish
/// sites. cargo
/// reads no ID token itself: crates.io's GitLab setup
/// (`registry::crates_io::GITLAB`) has a script post the job's ID token to
/// [`crates_io::EXCHANGE_PATH`] and assigns what it prints to a variable
/// that `cargo publish` is then given as its token. Such a token, which
/// the shell reader takes for a password, is trusted publishing when the
/// assignment's line reaches the exchange and the exchange reads one of
/// the job's `id_tokens`. Any other token of a job that calls the exchange
/// cannot be told apart from it, nor a token a script tplint cannot read
/// prints: its authentication is unknown.
///
/// NuGet.org's GitLab setup (`registry::nuget::GITLAB`) is the same: a
/// script posts the ID token as a bearer token to NuGet.org's exchange and
/// `dotnet nuget push` is given the `apiKey` it answers.
fn exchange_sites(
    kind: &ExchangeKind<'_>,
    lines: &[&ScriptLine],
    exchanges: &[(usize, String)],
    unread: &[usize],
    sites: &mut [PublishSite],
) -> Option<String> {
    // Every `NAME=$(...)` of the job: a token taken from a command's
    // output comes from where tplint may not see (a Python script doing
    // the exchange, a secrets tool).
    let substituted: Vec<(&str, usize)> = lines
        .iter()
        .enumerate()
        .flat_map(|(top, line)| {
            line.text
                .lines()
                .filter_map(substitution_assignment)
                .map(move |name| (name, top))
        })
        .collect();
    if exchanges.is_empty() && unread.is_empty() && substituted.is_empty() {
        return None;
    }
    // The exchange's ID token: the variable it posts as `"jwt"`, unless
    // the text sets that variable itself (then it may hold anything).
    let posted = |text: &str| {
        let name = (kind.posted)(text)?;
        let assigned = text.contains(&format!("{name}=")) || text.contains("read ");
        (!assigned).then_some(name)
    };
    let mut id_token: Option<String> = None;
    // Variables assigned the exchange's answer, and the lines assigning them.
    let mut minted: Vec<(String, usize)> = Vec::new();
    for (top, text) in exchanges {
        let Some(line) = lines.get(*top) else {
            continue;
        };
        let Some(variable) = posted(text) else {
            continue;
        };
        id_token.get_or_insert(variable);
        // An inline exchange sits in the assignment itself; a script's
        // text is another block, so its line must be the assignment alone.
        let inline = kind.calls(&line.text);
        for physical in line.text.lines() {
            if inline && !kind.calls(physical) {
                continue;
            }
            if !inline && line.text.trim().lines().count() != 1 {
                continue;
            }
            if let Some(name) = substitution_assignment(physical) {
                minted.push((name.to_string(), *top));
            }
        }
    }
    // What a later line derives from the answer (`token=$(jq ... "$resp")`).
    for (top, line) in lines.iter().enumerate() {
        for physical in line.text.lines() {
            if let Some(name) = substitution_assignment(physical)
                && minted
                    .iter()
                    .any(|(m, at)| *at <= top && m != name && references(physical, m))
                && !minted.iter().any(|(m, _)| m == name)
            {
                minted.push((name.to_string(), top));
            }
        }
    }
    for site in sites.iter_mut() {
        if site.index() != Some(kind.registry) {
            continue;
        }
        let Auth::Password { location, .. } = &site.auth else {
            continue;
        };
        let in_line = |top: usize| {
            lines.get(top).is_some_and(|l| {
                l.location.file == location.file
                    && l.location.span.start <= location.span.start
                    && location.span.end <= l.location.span.end
            })
        };
        let assigned_here = minted.iter().any(|(_, top)| in_line(*top));
        let secret = site
            .secret
            .as_deref()
            .map(|s| s.trim().trim_matches(|c| c == '"' || c == '\''));
        let names = |name: &str| {
            secret.is_some_and(|s| s == format!("${name}") || s == format!("${{{name}}}"))
        };
        let names_minted = minted
            .iter()
            .any(|(name, top)| *top <= site.step && names(name));
        let names_unread = unread.iter().any(|top| {
            in_line(*top)
                || lines
                    .get(*top)
                    .and_then(|l| substitution_assignment(&l.text))
                    .is_some_and(names)
        });
        let names_substituted = substituted
            .iter()
            .any(|(name, top)| *top <= site.step && names(name))
            || secret.is_some_and(|s| s.starts_with("$(") || s.starts_with('`'));
        if assigned_here || names_minted {
            site.auth = Auth::Oidc;
        } else if !exchanges.is_empty() || names_unread || names_substituted {
            site.auth = Auth::Unknown;
        }
    }
    id_token
}

/// The variable shell text posts as the `"jwt"` of a JSON body
/// (`-d "{\"jwt\": \"$CRATES_IO_ID_TOKEN\"}"`, `--arg jwt "$TOKEN"`).
fn jwt_variable(text: &str) -> Option<String> {
    let at = text.find("jwt")?;
    let rest = &text[at + 3..];
    let dollar = rest.find('$')?;
    // Nothing but quotes, escapes, `:`, spaces and the `--arg` form between.
    if rest[..dollar]
        .chars()
        .any(|c| !(c.is_whitespace() || "\\\"':".contains(c)))
    {
        return None;
    }
    let name = rest[dollar + 1..].trim_start_matches('{');
    let end = name
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    let name = &name[..end];
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        .then(|| name.to_string())
}

/// What a walk into a substituted script finds of crates.io's (and
/// NuGet.org's) exchange.
#[derive(Default)]
struct ExchangeSeen {
    texts: Vec<String>,
    nuget_texts: Vec<String>,
    nuget_endpoints: Vec<String>,
    /// The walk met something it cannot read.
    opaque: bool,
}

impl<'a> Visit<'a> for ExchangeSeen {
    fn shell(&mut self, block: &ShellBlock<'a, '_, '_>, _commands: &[Command]) {
        if block.text.contains(crates_io::EXCHANGE_PATH) {
            self.texts.push(block.text.clone().into_owned());
        }
        if calls_nuget_exchange(&block.text, &self.nuget_endpoints) {
            self.nuget_texts.push(block.text.clone().into_owned());
        }
    }

    fn opaque(&mut self, _opaque: Opaque) {
        self.opaque = true;
    }
}

/// The command of a one-line assignment from a substitution that runs a
/// script (`NAME=$(bash exchange-token.sh)`, `NAME="$(./x.sh)"`), and
/// nothing else: no upload, no second command.
fn substituted_script(text: &str) -> Option<&str> {
    let text = text.trim();
    if text.contains('\n') {
        return None;
    }
    substitution_assignment(text)?;
    let (_, value) = text.split_once('=')?;
    let value = value.trim_matches('"');
    let inner = value.strip_prefix("$(")?.strip_suffix(')')?.trim();
    let simple = !inner.contains(['$', '(', ')', ';', '&', '|', '`', '<', '>']);
    let first = inner.split_whitespace().next()?;
    let runs_script = matches!(first, "bash" | "sh") || first.starts_with("./");
    (simple && runs_script && !inner.contains("publish")).then_some(inner)
}

/// The variable a shell line assigns the output of a command substitution
/// to: `NAME=$(...)`, `NAME="$(...)"`, `export NAME=$(...)`.
fn substitution_assignment(line: &str) -> Option<&str> {
    let line = line.trim_start();
    let line = line.strip_prefix("export ").map_or(line, str::trim_start);
    let (name, value) = line.split_once('=')?;
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let value = value.strip_prefix('"').unwrap_or(value);
    (valid && value.starts_with("$(")).then_some(name)
}

/// Predefined variables that name the GitLab instance, whose package
/// registry (`$CI_API_V4_URL/projects/$CI_PROJECT_ID/packages/pypi`) is the
/// usual target of a GitLab job's upload with `CI_JOB_TOKEN` (GitLab,
/// `doc/user/packages/pypi_repository/_index.md`, "Authenticate with a CI/CD
/// job token").
const GITLAB_INSTANCE_VARIABLES: &[&str] = &["CI_API_V4_URL", "CI_SERVER_URL", "CI_SERVER_HOST"];

/// Whether an upload URL names the GitLab instance's package registry.
fn is_gitlab_registry(url: &str) -> bool {
    let starts_with_instance = GITLAB_INSTANCE_VARIABLES.iter().any(|name| {
        url.starts_with(&format!("${name}")) || url.starts_with(&format!("${{{name}}}"))
    });
    starts_with_instance || url.contains("/packages/pypi")
}

/// The job's CI/CD variables as the environment of its scripts.
fn variables_env(variables: &[Variable]) -> Vec<EnvHit<'static>> {
    variables
        .iter()
        .map(|v| EnvHit {
            name: Cow::Owned(v.name.value.clone()),
            value: Cow::Owned(v.value.value.clone()),
            location: v.name.location,
        })
        .collect()
}

/// Variables a script line exports, for the lines after it.
fn exports(repo: &Repository, line: &ScriptLine) -> Vec<EnvHit<'static>> {
    if !line.text.contains("export") {
        return Vec::new();
    }
    // A trailing no-op command sees every export of the line.
    let commands = shell::commands(&format!("{}\n:", line.text));
    let Some(last) = commands.last() else {
        return Vec::new();
    };
    let source = &repo.sources.get(line.location.file).text;
    let raw = source.get(line.location.span.range()).unwrap_or_default();
    let mut found: Vec<EnvHit<'static>> = last
        .variables()
        .map(|(name, value)| {
            let span = raw.find(name).map_or(line.location.span, |at| {
                let start = line.location.span.start + at;
                Span::new(start, start + name.len())
            });
            EnvHit {
                name: Cow::Owned(name.to_string()),
                value: Cow::Owned(value.to_string()),
                location: Location::new(line.location.file, span),
            }
        })
        .collect();
    // Latest first from the reader; the environment wants latest last.
    found.reverse();
    found
}

/// Whether `text` reads variable `name` (`$NAME` or `${NAME}`).
fn references(text: &str, name: &str) -> bool {
    let plain = format!("${name}");
    let braced = format!("${{{name}}}");
    text.contains(&braced)
        || text.match_indices(&plain).any(|(at, _)| {
            !text[at + plain.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// `tool==version` arguments of a `pip install`-like command.
fn installed_pins(words: &[String]) -> Vec<(&'static str, String, String)> {
    let words = expand::strip_prefixes(words);
    let installs = words.windows(2).any(|w| {
        matches!(w[0].as_str(), "pip" | "pip3" | "pipx" | "uv" | "pip3.exe") && w[1] == "install"
            || w[0] == "-m" && w[1] == "pip"
    }) || words.first().is_some_and(|w| w == "uvx");
    if !installs {
        return Vec::new();
    }
    let mut pins = Vec::new();
    for word in words {
        for (tool, _) in PINNED_TOOLS {
            let Some(rest) = word
                .strip_prefix(tool)
                .and_then(|r| r.strip_prefix("==").or_else(|| r.strip_prefix('@')))
            else {
                continue;
            };
            let version: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect();
            if version.starts_with(|c: char| c.is_ascii_digit()) {
                pins.push((*tool, version, word.clone()));
            }
        }
    }
    pins
}

/// A tool version pinned by the job's image (`ghcr.io/astral-sh/uv:0.8.0`,
/// `ghcr.io/astral-sh/uv:0.8.0-python3.12-bookworm`).
fn image_pin(image: &Located<String>) -> Option<ToolPin> {
    let (name, tag) = image.value.trim().split_once(':')?;
    let (tool, _) = PINNED_TOOLS
        .iter()
        .find(|(_, repositories)| repositories.contains(&name))?;
    let tag = tag.split('@').next().unwrap_or(tag);
    let version: String = tag
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    (version.split('.').count() == 3).then_some(ToolPin {
        tool,
        version,
        location: image.location,
        from_image: true,
    })
}

// What a job's ID tokens offer each registry, and which uploads rely on
// trusted publishing: read by `publish_jobs` and by the GitLab rules.

/// The registries with GitLab publishers, and what each asks of a job's
/// ID token (owned by the registry's module).
pub(crate) fn gitlab_registries() -> impl Iterator<Item = (Registry, &'static GitlabPublishing)> {
    Registry::ALL
        .into_iter()
        .filter_map(|registry| Some((registry, registry.gitlab()?)))
}

/// The ID token variable the registry's uploaders read.
pub(crate) fn token_variable(index: Registry) -> &'static str {
    index.gitlab().map_or("PYPI_ID_TOKEN", |g| g.id_token)
}

/// The ID token variable a job's upload to `index` reads: for crates.io,
/// the one its token exchange posts.
pub(crate) fn variable_for(facts: &GitlabJobFacts, index: Registry) -> &str {
    match (&facts.crates_io_id_token, &facts.nuget_id_token) {
        (Some(name), _) if index == Registry::CratesIo => name,
        (_, Some(name)) if index == Registry::NuGet => name,
        _ => token_variable(index),
    }
}

/// An upload to a registry with GitLab publishers by one of the uploaders
/// that read its ID token (twine or uv for PyPI, npm for npm) with no
/// password in the file: trusted publishing, unless a CI/CD variable of the
/// settings gives one.
pub(crate) fn tp_site(site: &PublishSite) -> Option<Registry> {
    let index = site.index()?;
    let tool = index.gitlab()?.uploaders.contains(&site.uploader);
    (tool && site.is_oidc()).then_some(index)
}

/// The indexes a job uploads to by trusted publishing, in order, once each.
pub(crate) fn tp_indexes(facts: &GitlabJobFacts) -> Vec<Registry> {
    let mut indexes = Vec::new();
    for index in facts.publish_sites.iter().filter_map(tp_site) {
        if !indexes.contains(&index) {
            indexes.push(index);
        }
    }
    indexes
}

/// What the job's ID tokens offer an upload to one index.
pub(crate) enum TokenFor<'a> {
    /// An entry with the audience as one string, named as the tools read it.
    Ready,
    /// The audience is right but the variable has another name.
    WrongName(&'a IdToken),
    /// The audience is in a list (TP205 reports the list itself).
    InList,
    /// An audience is a CI/CD variable.
    Variable(&'a IdToken, &'a str),
    /// The audience differs from PyPI's only in letter case.
    Case(&'a IdToken, &'a str),
    /// The entry named for the index has another audience.
    NamedOther(&'a IdToken, &'a str),
    /// The only PyPI entry is for the other index, which the job does not use.
    OtherIndex(&'a IdToken, &'a str),
    Missing,
}

pub(crate) fn token_for<'a>(
    job: &'a GitlabJob,
    facts: &GitlabJobFacts,
    uploads: &[Registry],
    index: Registry,
) -> TokenFor<'a> {
    let exact_for = |value: &str| index.audience_match(value) == AudienceMatch::Exact;
    let name = variable_for(facts, index);
    // The variable set some other way (`variables:`, an export): what it
    // holds cannot be judged.
    let assigned = format!("{name}=");
    if job.variables.iter().any(|v| v.name.value == name)
        || job.all_lines().any(|l| l.text.contains(&assigned))
    {
        return TokenFor::Ready;
    }
    let single = |t: &&IdToken| !t.aud_is_list && t.aud.len() == 1;
    let exact: Vec<&IdToken> = job
        .id_tokens
        .iter()
        .filter(single)
        .filter(|t| exact_for(&t.aud[0].value))
        .collect();
    if exact.iter().any(|t| t.name.value == name) {
        return TokenFor::Ready;
    }
    if let Some(token) = exact.first() {
        return TokenFor::WrongName(token);
    }
    if job
        .id_tokens
        .iter()
        .any(|t| t.aud_is_list && t.aud.iter().any(|a| exact_for(&a.value)))
    {
        return TokenFor::InList;
    }
    for token in &job.id_tokens {
        if let Some(variable) = token.aud.iter().find(|a| a.value.contains('$')) {
            return TokenFor::Variable(token, &variable.value);
        }
    }
    for token in job.id_tokens.iter().filter(single) {
        if index.audience_match(&token.aud[0].value) == AudienceMatch::CaseOnly {
            return TokenFor::Case(token, &token.aud[0].value);
        }
    }
    if let Some(token) = job
        .id_tokens
        .iter()
        .filter(single)
        .find(|t| t.name.value == name)
    {
        return TokenFor::NamedOther(token, &token.aud[0].value);
    }
    for token in job.id_tokens.iter().filter(single) {
        let value = token.aud[0].value.trim();
        // Only the other index of the same registry (PyPI and TestPyPI).
        let other = gitlab_registries()
            .find(|(r, _)| {
                *r != index
                    && r.is_pypi() == index.is_pypi()
                    && r.audience_match(value) == AudienceMatch::Exact
            })
            .map(|(r, _)| r);
        if let Some(other) = other
            && !uploads.contains(&other)
        {
            return TokenFor::OtherIndex(token, &token.aud[0].value);
        }
    }
    TokenFor::Missing
}

/// Whether the upload is given a username other than `__token__`, with
/// which twine does not try trusted publishing (`twine/auth.py`) and uv's
/// `automatic` mode skips it (`crates/uv-publish/src/lib.rs`).
pub(crate) fn gives_username(repo: &Repository, job: &GitlabJob, site: &PublishSite) -> bool {
    let (variable, flags): (&str, &[&str]) = match site.uploader {
        Uploader::Twine => ("TWINE_USERNAME", &["-u", "--username"]),
        Uploader::Uv => ("UV_PUBLISH_USERNAME", &["-u", "--username"]),
        _ => return false,
    };
    let not_token = |value: &str| {
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        !value.is_empty() && value != "__token__"
    };
    if job
        .variables
        .iter()
        .any(|v| v.name.value == variable && not_token(&v.value.value))
    {
        return true;
    }
    let text = &repo.sources.get(site.file).text;
    let line = text
        .get(site.span.end..)
        .and_then(|rest| rest.split('\n').next())
        .unwrap_or_default();
    let words: Vec<&str> = line.split_whitespace().collect();
    words.iter().enumerate().any(|(i, word)| {
        if let Some(value) = word.strip_prefix("--username=") {
            return not_token(value);
        }
        flags.contains(word) && words.get(i + 1).is_some_and(|value| not_token(value))
    })
}

/// Whether a job relies on trusted publishing for `index`: it has an ID
/// token meant for it (whatever is wrong with it), or exchanges one itself.
pub(crate) fn relies_on_tp(job: &GitlabJob, facts: &GitlabJobFacts, index: Registry) -> bool {
    let uploads = tp_indexes(facts);
    facts.mints_token
        || index.exchanges_on_gitlab()
        || !matches!(token_for(job, facts, &uploads, index), TokenFor::Missing)
}

/// What GitLab CI/CD calls the things a publish job's findings talk about.
pub static GITLAB_WORDS: CiWords = CiWords {
    via_first: "run by this line of the job's script",
    upload: "the upload by trusted publishing",
    upload_first: true,
    token_reach: "with the job's ID token in its environment",
    tokenless_job: "a job without `id_tokens:`",
    // The runner fetches the repository before the script runs.
    starts_checked_out: true,
    password_failure: "a credentials error",
    set_variable: "set the job variable",
    unreadable: "GitLab will refuse this pipeline too; tplint checks the jobs it could read and concludes nothing from jobs it could not",
    token_upload_help: gitlab_token_upload_help,
    separate_build: |index| {
        let pypi = index.is_some_and(Registry::is_pypi);
        format!(
            "build in a job of an earlier stage that keeps the {} as `artifacts:`, and let the publish job take them (`dependencies:` or `needs:`) and only upload{}",
            if pypi {
                "distributions"
            } else {
                "packed package (`npm pack`)"
            },
            if pypi {
                ", as PyPI's GitLab example does"
            } else {
                ""
            }
        )
    },
    no_environment: |job, index| {
        let shown = index.display_name();
        NoEnvironment {
            message: format!(
                "job `{job}` publishes to {shown} by trusted publishing without an `environment:`, so its ID token names no environment and the publisher on {shown} cannot be limited to one"
            ),
            help: format!(
                "add `environment: {}` to the job, protect it under Settings → CI/CD → Protected environments where your GitLab offers it, and give the publisher on {shown} the same name{}",
                index.key(),
                if index.gitlab().is_some_and(|g| !g.case.environment) {
                    ""
                } else {
                    " (GitLab environments are compared with their letter case)"
                }
            ),
            // PyPI's own GitLab example has no environment and calls one
            // "optional, but strongly recommended": advice, not a warning.
            severity: Some(Severity::Info),
            points_to_upload: true,
        }
    },
};

/// The pipeline's jobs lowered to the one job model rules written for
/// every CI system read: each job that uploads by trusted publishing, with
/// the uploads that rely on it (an ID token meant for the registry, or a
/// token exchange of their own) and, per registry with GitLab publishers,
/// the claims of the ID token: the top-level pipeline file
/// (`ci_config_ref_uri`), whatever file holds the job, and the environment
/// (a name with a CI/CD variable is known only when the job runs).
pub fn jobs<'a>(pipeline: &'a GitlabPipeline, facts: &'a GitlabFacts) -> Vec<PublishJob<'a>> {
    use crate::registry::claims::{Ci, ClaimedAudience, ClaimedEnvironment, Claims};
    let mut jobs = Vec::new();
    for (job, job_facts) in pipeline.jobs.iter().zip(&facts.jobs) {
        let sites: Vec<&PublishSite> = job_facts
            .publish_sites
            .iter()
            .filter(|s| tp_site(s).is_some_and(|index| relies_on_tp(job, job_facts, index)))
            .collect();
        let mut claims: Vec<crate::facts::publish_job::PublishClaims<'a>> = Vec::new();
        // Worked out once per job, for its first upload.
        let mut starts = None;
        for site in &job_facts.publish_sites {
            let Some(registry) = site.index() else {
                continue;
            };
            if !site.is_oidc()
                || registry.gitlab().is_none()
                || claims.iter().any(|c| c.index == registry)
            {
                continue;
            }
            let (events, refs) = starts
                .get_or_insert_with(|| job_starts(pipeline, job, job_facts))
                .clone();
            let variable = variable_for(job_facts, registry);
            let audience = match job.id_tokens.iter().find(|t| t.name.value == variable) {
                Some(token) => {
                    ClaimedAudience::Written(token.aud.iter().map(|a| a.value.as_str()).collect())
                }
                None => ClaimedAudience::Unknown,
            };
            let environment = job.environment.as_ref().map(|e| &e.name);
            claims.push(crate::facts::publish_job::PublishClaims {
                index: registry,
                claims: Claims {
                    ci: Ci::Gitlab,
                    files: vec![pipeline.path.as_str()],
                    environment: match environment {
                        None => ClaimedEnvironment::None,
                        Some(name) if name.value.contains('$') => ClaimedEnvironment::Unknown,
                        Some(name) => ClaimedEnvironment::Named(&name.value),
                    },
                    environment_is_input: false,
                    events,
                    refs,
                    audience,
                },
                job: &job.name.value,
                key: job.name.location,
                upload: site.entry(),
                environment_at: environment.map(|e| e.location),
                publish_workflow: None,
                minted_by: None,
                folder: site.folder.as_deref(),
                package: site.package.as_deref(),
                published: None,
                workspace: site.workspace,
                editable: None,
            });
        }
        if sites.is_empty() && claims.is_empty() {
            continue;
        }
        let environment = if job.environment.is_some() {
            JobEnvironment::Declared
        } else if pipeline.complete() {
            JobEnvironment::Absent
        } else {
            // An include tplint cannot read may give the job its environment.
            JobEnvironment::Unknown
        };
        jobs.push(PublishJob {
            name: &job.name.value,
            key: job.name.location,
            environment,
            needed_environment: None,
            sites,
            claims,
            builds: &job_facts.builds,
            local_code: &job_facts.local_code,
            workflow: None,
            editable: None,
            words: &GITLAB_WORDS,
            pipeline: Some(pipeline),
        });
    }
    jobs
}

/// What starts a job's pipelines and the refs it runs for, as its rules
/// tell: merge request pipelines (untrusted) with their reach; tag and
/// branch pipelines evaluated apart (`rules::runs_in`), and when no branch
/// but those its rules write out can run it, those branches. A job that may
/// run in merge request pipelines runs for their source branch, any name.
fn job_starts<'a>(
    pipeline: &GitlabPipeline,
    job: &GitlabJob,
    facts: &GitlabJobFacts,
) -> (
    crate::registry::claims::ClaimedEvents<'a>,
    crate::registry::claims::ClaimedRefs,
) {
    use super::rules::{BranchName, PipelineKind, runs_in, written_names};
    use crate::registry::claims::{ClaimedEvent, ClaimedEvents, ClaimedRefs};
    let events = ClaimedEvents {
        events: vec![ClaimedEvent {
            name: "merge_request_event",
            untrusted: true,
            reaches: facts.merge_request,
        }],
        complete: false,
    };
    let tags = runs_in(pipeline, job, PipelineKind::Tag);
    let branches =
        runs_in(pipeline, job, PipelineKind::Branch(BranchName::Any)).or(facts.merge_request);
    let branch_names = (facts.merge_request == Tri::False
        && branches != Tri::False
        && runs_in(pipeline, job, PipelineKind::Branch(BranchName::Unwritten)) == Tri::False)
        .then(|| {
            written_names(pipeline, job)
                .into_iter()
                .filter_map(|name| {
                    let runs = runs_in(
                        pipeline,
                        job,
                        PipelineKind::Branch(BranchName::Named(&name)),
                    );
                    (runs != Tri::False).then_some((name, runs))
                })
                .collect()
        });
    // An include tplint cannot read may bring the job's rules in.
    let refs = if pipeline.complete() {
        ClaimedRefs {
            tags,
            branches,
            branch_names,
        }
    } else {
        ClaimedRefs {
            tags: tags.or(Tri::Unknown),
            branches: branches.or(Tri::Unknown),
            branch_names: None,
        }
    };
    (events, refs)
}

/// The audience as YAML writes it (quoted when it holds a `:`).
pub(crate) fn yaml_aud(aud: &str) -> String {
    if aud.contains(':') {
        format!("\"{aud}\"")
    } else {
        aud.to_string()
    }
}

/// The job's ID token whose variable is the value given at `location` (a
/// `-p`/`--token` flag, `TWINE_PASSWORD=` before the command, or a
/// `variables:` entry), if it is one.
fn given_id_token<'a>(
    repo: &Repository,
    job: &'a GitlabJob,
    location: Location,
) -> Option<&'a str> {
    let text = &repo.sources.get(location.file).text;
    let rest = text.get(location.span.end..)?;
    let line = rest.split('\n').next().unwrap_or_default();
    let value = line.trim_start_matches(|c: char| c.is_whitespace() || ":=\"'".contains(c));
    job.id_tokens
        .iter()
        .map(|t| t.name.value.as_str())
        .find(|name| {
            let braced = format!("${{{name}}}");
            let plain = format!("${name}");
            value.starts_with(&braced)
                || value.strip_prefix(&plain).is_some_and(|after| {
                    !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                })
        })
}

/// The advice for an upload with a token on GitLab CI/CD.
fn gitlab_token_upload_help(uploader: Uploader, index: Registry, source: &str) -> String {
    let aud = yaml_aud(index.gitlab_audience());
    let variable = token_variable(index);
    match index.gitlab() {
        // cargo publishes with the token crates.io gives for the ID token,
        // which the job's script asks for itself.
        Some(gitlab) if index.exchanges_on_gitlab() => format!(
            "remove {source} and the CI/CD variable behind it, register a GitLab publisher on {}, and publish with {}",
            index.display_name(),
            gitlab.publish_hint
        ),
        Some(gitlab) if gitlab.uploaders.contains(&uploader) => format!(
            "remove {source} and the CI/CD variable behind it, register a GitLab publisher on {}, and give the job `id_tokens: {{{variable}: {{aud: {aud}}}}}`",
            index.display_name()
        ),
        Some(_) if index.is_pypi() => format!(
            "`{}` does not do trusted publishing on GitLab: build with it, then upload with `twine upload` (6.1.0 or later), `uv publish` (0.8.18 or later) or `pdm publish` (2.23.1 or later) in a job with `id_tokens: {{{variable}: {{aud: {aud}}}}}`",
            uploader.name()
        ),
        Some(gitlab) => format!(
            "remove {source} and the CI/CD variable behind it, register a GitLab publisher on {}, and publish with {}",
            index.display_name(),
            gitlab.publish_hint
        ),
        None => format!(
            "keep the token in a protected, masked CI/CD variable, and move to trusted publishing where {} offers it for GitLab",
            index.display_name()
        ),
    }
}

/// The pipeline's uploads to a registry with a password or token, as rules
/// written for every CI system see them.
pub fn password_uploads<'a>(
    repo: &'a Repository,
    pipeline: &'a GitlabPipeline,
    facts: &'a GitlabFacts,
) -> Vec<PasswordUpload<'a>> {
    let mut uploads = Vec::new();
    // A child pipeline's jobs upload with the tokens they are given too.
    for ((_, child), child_facts) in pipeline.children.iter().zip(&facts.children) {
        uploads.extend(password_uploads(repo, child, child_facts));
    }
    for (job, job_facts) in pipeline.jobs.iter().zip(&facts.jobs) {
        for site in &job_facts.publish_sites {
            let Some(index) = site.index() else { continue };
            // npm with a token besides its exchange: when the token is the
            // job's own ID token (`npm config set
            // //registry.npmjs.org/:_authToken "$NPM_ID_TOKEN"`), it is no
            // long-lived fallback but an ID token given as a token.
            if index == Registry::Npm
                && !matches!(site.auth, Auth::Password { .. })
                && let Some((location, source)) = site.npm.as_ref().and_then(|n| n.token.as_ref())
                && let Some(token) = given_id_token(repo, job, *location)
            {
                uploads.push(PasswordUpload {
                    site,
                    index,
                    given: *location,
                    source,
                    overrides: None,
                    minted_in_job: job_facts.mints_token,
                    id_token_as_password: Some((token, token_variable(index))),
                    unseen: None,
                    words: &GITLAB_WORDS,
                    pipeline: Some(pipeline),
                });
                continue;
            }
            let Auth::Password { location, source } = &site.auth else {
                continue;
            };
            let variable = token_variable(index);
            let id_token_as_password = if index.is_pypi() || index == Registry::Npm {
                given_id_token(repo, job, *location).map(|token| (token, variable))
            } else {
                None
            };
            uploads.push(PasswordUpload {
                site,
                index,
                given: *location,
                source,
                // cargo never reads crates.io's ID token itself.
                overrides: job
                    .id_token(variable)
                    .filter(|_| !index.exchanges_on_gitlab())
                    .map(|_| format!("a given password wins over the job's `{variable}`")),
                minted_in_job: job_facts.mints_token,
                id_token_as_password,
                unseen: None,
                words: &GITLAB_WORDS,
                pipeline: Some(pipeline),
            });
        }
    }
    uploads
}

/// Where and why a job's run in a merge request pipeline is undecided.
fn undecided(pipeline: &GitlabPipeline, job: &GitlabJob) -> (Location, String) {
    // The `rules:` of the include entries that bring the job in.
    let mut entries: Vec<usize> = pipeline
        .defined_by
        .iter()
        .filter(|(_, keys)| keys.contains(&job.name.value))
        .filter_map(|(entry, _)| *entry)
        .collect();
    let mut include_rules = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while let Some(entry) = entries.pop() {
        let Some(include) = pipeline.includes.get(entry).filter(|_| seen.insert(entry)) else {
            continue;
        };
        include_rules.extend(&include.rules);
        entries.extend(include.parent);
    }
    let rules = job
        .rules
        .iter()
        .flatten()
        .chain(pipeline.workflow_rules.iter().flatten())
        .chain(include_rules);
    for rule in rules {
        if rule.file_conditions {
            return (
                rule.location,
                "a rule with `changes:` or `exists:`, which depend on the files of each commit"
                    .to_string(),
            );
        }
        if let Some(condition) = &rule.condition
            && rules::evaluate(&condition.value) == Tri::Unknown
        {
            return (
                condition.location,
                format!("`{}`, which tplint cannot evaluate", condition.value.trim()),
            );
        }
    }
    if let Some(only) = job.only.as_ref().filter(|o| o.complex) {
        return (
            only.location,
            "`only:` with `variables`, `changes` or `kubernetes`".to_string(),
        );
    }
    (job.name.location, "its rules".to_string())
}

/// The rule or `only:` entry that lets a job run in merge request pipelines.
fn admitting(job: &GitlabJob) -> Option<Location> {
    if let Some(rules) = &job.rules {
        return rules
            .iter()
            .find(|r| {
                r.when.as_ref().is_none_or(|w| w.value.trim() != "never")
                    && r.condition
                        .as_ref()
                        .is_none_or(|c| rules::evaluate(&c.value) == Tri::True)
            })
            .map(|r| r.condition.as_ref().map_or(r.location, |c| c.location));
    }
    let only = job.only.as_ref()?;
    only.refs
        .iter()
        .find(|r| r.value.trim() == "merge_requests")
        .map(|r| r.location)
}

/// The jobs that upload to PyPI or TestPyPI (or an index named by a
/// variable) and can run in merge request pipelines, certainly or
/// depending on a rule tplint cannot evaluate, in GitLab's words.
pub fn untrusted_starts<'a>(
    pipeline: &'a GitlabPipeline,
    facts: &'a GitlabFacts,
) -> Vec<UntrustedStart<'a>> {
    let mut starts = Vec::new();
    for (job, job_facts) in pipeline.jobs.iter().zip(&facts.jobs) {
        let Some(site) = job_facts
            .publish_sites
            .iter()
            .find(|s| !matches!(s.target, Target::Custom(_)))
        else {
            continue;
        };
        let name = &job.name.value;
        let index = site.index().map_or("PyPI", Registry::display_name);
        // Without `workflow:rules` of its own, the pipeline may get them from
        // an include tplint cannot read, which may leave merge requests out.
        let may_be_excluded = !pipeline.complete() && pipeline.workflow_rules.is_none();
        let (location, reach, message, help) = match job_facts.merge_request {
            Tri::False => continue,
            Tri::True => (
                admitting(job).unwrap_or(job.name.location),
                Reach::Certain,
                format!(
                    "job `{name}` uploads to {index} and runs in merge request pipelines, which run a merge request's changes before anyone merged them, with this project's identity (a fork's too, when a maintainer runs its pipeline here){}",
                    if may_be_excluded {
                        "; unless an include tplint cannot read sets `workflow:rules` that leave merge requests out"
                    } else {
                        ""
                    }
                ),
                "run the publish job only for tags (`rules:` with `- if: $CI_COMMIT_TAG`), and leave merge request pipelines to tests".to_string(),
            ),
            Tri::Unknown => {
                let (location, why) = undecided(pipeline, job);
                (
                    location,
                    Reach::Undecided,
                    format!(
                        "job `{name}` uploads to {index}, and whether it runs in merge request pipelines depends on {why}"
                    ),
                    "if a merge request must never publish, say so: run the publish job only for tags (`if: $CI_COMMIT_TAG`), or add `- if: $CI_PIPELINE_SOURCE == \"merge_request_event\"` with `when: never` first".to_string(),
                )
            }
        };
        let mut related = vec![(site.location(), "the upload")];
        for (depth, location) in site.via.iter().enumerate() {
            let label = if depth == 0 {
                GITLAB_WORDS.via_first
            } else {
                "through here"
            };
            related.push((*location, label));
        }
        // No registry refuses GitLab's merge request pipelines today; the
        // registry says so.
        let refused = site.is_oidc()
            && site.index().is_some_and(|r| {
                r.refuses_event(crate::registry::claims::Ci::Gitlab, "merge_request_event")
            });
        starts.push(UntrustedStart {
            location,
            reach,
            refused: refused && reach == Reach::Certain,
            may_be_excluded,
            message,
            help,
            related,
            pipeline: Some(pipeline),
        });
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn nuget_exchange_is_recognised_by_url_or_job_variable() {
        assert_eq!(
            bearer_variable(r#"-H "Authorization: Bearer $NUGET_ID_TOKEN" -d x"#).as_deref(),
            Some("NUGET_ID_TOKEN")
        );
        assert_eq!(
            bearer_variable(r#"-H "Authorization: Bearer ${TOKEN}""#).as_deref(),
            Some("TOKEN")
        );
        assert_eq!(
            bearer_variable(r#"@{ Authorization = "Bearer $env:NUGET_ID_TOKEN" }"#).as_deref(),
            Some("NUGET_ID_TOKEN")
        );
        assert_eq!(bearer_variable("Authorization: Bearer abc"), None);
        assert!(calls_nuget_exchange(
            "curl -X POST https://www.NuGet.org/api/v2/token",
            &[]
        ));
        assert!(!calls_nuget_exchange(
            "curl -X POST https://example.com/api/v2/token",
            &[]
        ));
        let endpoint = vec!["NUGET_TOKEN_ENDPOINT".to_string()];
        assert!(calls_nuget_exchange(
            r#"curl -X POST "$NUGET_TOKEN_ENDPOINT""#,
            &endpoint
        ));
        assert!(!calls_nuget_exchange(
            r#"curl -X POST "$NUGET_TOKEN_ENDPOINT_2""#,
            &endpoint
        ));
    }

    #[test]
    fn each_registry_names_its_token() {
        assert_eq!(token_variable(Registry::Pypi), "PYPI_ID_TOKEN");
        assert_eq!(token_variable(Registry::TestPypi), "TESTPYPI_ID_TOKEN");
        assert_eq!(token_variable(Registry::Npm), "NPM_ID_TOKEN");
        assert_eq!(Registry::Npm.gitlab_audience(), "npm:registry.npmjs.org");
        assert_eq!(
            Registry::of_gitlab_audience(" npm:registry.npmjs.org"),
            Some(Registry::Npm)
        );
        assert_eq!(Registry::of_gitlab_audience("sigstore"), None);
        assert_eq!(
            yaml_aud("npm:registry.npmjs.org"),
            "\"npm:registry.npmjs.org\""
        );
        let host = |value| Registry::Npm.audience_match(value);
        assert_eq!(host("npm:registry.npmjs.com"), AudienceMatch::AnotherHost);
        assert_eq!(host("npm:registry.npmjs.org"), AudienceMatch::Exact);
        assert_eq!(host("https://registry.npmjs.org"), AudienceMatch::Other);
        assert_eq!(
            Registry::Pypi.audience_match("PyPI"),
            AudienceMatch::CaseOnly
        );
    }

    #[test]
    fn pins_of_installs_are_read() {
        let pins = installed_pins(&words("python -m pip install -U twine==6.0.1 build"));
        assert_eq!(
            pins,
            [("twine", "6.0.1".to_string(), "twine==6.0.1".to_string())]
        );
        assert_eq!(
            installed_pins(&words("pip install uv==0.8.0"))[0].1,
            "0.8.0"
        );
        assert!(installed_pins(&words("pip install -U twine")).is_empty());
        assert!(installed_pins(&words("echo twine==6.0.1")).is_empty());
        assert!(installed_pins(&words("pip install twine-extras==1.0")).is_empty());
    }

    #[test]
    fn uv_images_pin_uv() {
        let at = Location::new(crate::source::FileId(0), Span::empty(0));
        let image = |text: &str| image_pin(&Located::new(text.to_string(), at));
        assert_eq!(
            image("ghcr.io/astral-sh/uv:0.8.0").unwrap().version,
            "0.8.0"
        );
        assert_eq!(
            image("ghcr.io/astral-sh/uv:0.8.17-python3.12-bookworm")
                .unwrap()
                .version,
            "0.8.17"
        );
        assert_eq!(image("astral/uv:0.8.18-alpine").unwrap().version, "0.8.18");
        assert!(image("ghcr.io/astral-sh/uv:latest").is_none());
        assert!(image("ghcr.io/astral-sh/uv:0.9-python3.12-bookworm").is_none());
        assert!(image("python:3.12").is_none());
    }

    #[test]
    fn node_installs_are_version_managers_or_node_packages() {
        assert!(installs_node("nvm install 24"));
        assert!(installs_node("apk add --no-cache nodejs npm"));
        assert!(installs_node("apt-get install -y nodejs"));
        assert!(!installs_node(
            "apk add --no-cache git bash gpg openssh-client"
        ));
        assert!(!installs_node("npm ci"));
    }

    #[test]
    fn cargo_login_reads_its_variable() {
        assert_eq!(
            login_variable("cargo login $CARGO_TOKEN").as_deref(),
            Some("$CARGO_TOKEN")
        );
        assert_eq!(
            login_variable("cargo login \"${TOKEN}\"").as_deref(),
            Some("$TOKEN")
        );
        assert_eq!(
            login_variable("echo \"$T\" | cargo login").as_deref(),
            Some("$T")
        );
        assert_eq!(login_variable("cargo login <<< $T").as_deref(), Some("$T"));
        assert_eq!(login_variable("cargo login --registry x"), None);
        assert_eq!(login_variable("cargo login"), None);
        assert_eq!(login_variable("cargo login abc"), None);
        assert_eq!(login_variable("cat token.txt | cargo login"), None);
    }

    #[test]
    fn the_posted_jwt_is_read() {
        assert_eq!(
            jwt_variable(r#"-d "{\"jwt\": \"$CRATES_IO_ID_TOKEN\"}""#).as_deref(),
            Some("CRATES_IO_ID_TOKEN")
        );
        assert_eq!(
            jwt_variable(r#"-d '{"jwt":"'"${MY_TOKEN}"'"}'"#).as_deref(),
            Some("MY_TOKEN")
        );
        assert_eq!(
            jwt_variable(r#"--data "{\"jwt\":\"${MY_TOKEN}\"}""#).as_deref(),
            Some("MY_TOKEN")
        );
        assert_eq!(jwt_variable("jwt: $(cat token)"), None);
        assert_eq!(jwt_variable("no token here"), None);
    }

    #[test]
    fn substitution_assignments_name_their_variable() {
        assert_eq!(
            substitution_assignment("CARGO_REGISTRY_TOKEN=$(bash exchange-token.sh)"),
            Some("CARGO_REGISTRY_TOKEN")
        );
        assert_eq!(
            substitution_assignment("  export TOKEN=\"$(./x.sh)\""),
            Some("TOKEN")
        );
        assert_eq!(substitution_assignment("TOKEN=$CARGO_TOKEN"), None);
        assert_eq!(
            substituted_script("T=$(bash exchange-token.sh)"),
            Some("bash exchange-token.sh")
        );
        assert_eq!(substituted_script("T=\"$(./ci/x.sh)\""), Some("./ci/x.sh"));
        assert_eq!(substituted_script("T=$(cat token.txt)"), None);
        assert_eq!(substituted_script("T=$(bash x.sh); cargo publish"), None);
        assert_eq!(
            substitution_assignment("cargo publish --token=$(cat t)"),
            None
        );
    }

    #[test]
    fn variable_references_need_a_word_boundary() {
        assert!(references("curl -d \"$PYPI_ID_TOKEN\"", "PYPI_ID_TOKEN"));
        assert!(references("echo ${PYPI_ID_TOKEN}", "PYPI_ID_TOKEN"));
        assert!(!references("echo $PYPI_ID_TOKEN_2", "PYPI_ID_TOKEN"));
    }
}
