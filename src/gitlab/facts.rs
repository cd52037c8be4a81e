//! Facts about each GitLab job, for the rules: its uploads (the script
//! lines read by the same shell reader and uploader table as GitHub's
//! `run:`, repository scripts and task runners followed by the same
//! walker), builds, opaque steps, pinned uploader versions, which ID tokens
//! its scripts use, and whether it can run in a merge request pipeline.
//!
//! GitLab runs `before_script` and `script` in one shell, so a variable
//! exported by one line is seen by the next; `after_script` runs in a new
//! shell (`_index.md`, `after_script`). The job's CI/CD variables
//! (top-level, then its own) are its environment.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::job::{GitlabJob, ScriptKind, ScriptLine};
use super::rules::{self, Tri};
use super::tree::Located;
use super::{GitlabPipeline, Variable};
use crate::diagnostic::Location;
use crate::facts::expand::{self, Budget, EnvHit, JobRef, Opaque, ShellBlock, Visit};
use crate::facts::publish::{self, Auth, PublishSite, Target, Uploader};
use crate::facts::shell::{self, Command};
use crate::facts::{BuildFact, LocalCode};
use crate::registry::{Registry, crates_io};
use crate::repository::{Need, Repository};
use crate::source::Span;
use crate::workflow::{self, Permissions, PermissionsKind, Spanned, Step, Workflow};

/// Facts of a pipeline, parallel to [`GitlabPipeline::jobs`].
#[derive(Debug, Default)]
pub struct GitlabFacts {
    pub jobs: Vec<GitlabJobFacts>,
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
    (
        "uv",
        &["ghcr.io/astral-sh/uv", "astral/uv", "docker.io/astral/uv"],
    ),
];

/// Most publish sites kept for one job.
const MAX_SITES_PER_JOB: usize = 32;

/// Derive the facts of every job; `needs` receives the repository files
/// the scripts name that are not read yet.
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
    GitlabFacts { jobs }
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

fn job_facts(
    repo: &Repository,
    pipeline: &GitlabPipeline,
    index: usize,
    job: &GitlabJob,
    budget: &Budget,
    needs: &mut BTreeSet<Need>,
) -> GitlabJobFacts {
    // A stand-in GitHub job, so the walker that follows `run:` scripts can
    // follow GitLab's lines: permissions unknown, so every line is read.
    let workflow = Workflow {
        permissions: Some(Permissions {
            key: Span::default(),
            span: Span::default(),
            kind: PermissionsKind::Unknown,
        }),
        ..Workflow::default()
    };
    let stand_in = workflow::Job {
        id: Spanned::new(job.name.value.clone(), job.name.location.span),
        span: job.name.location.span,
        keys: Vec::new(),
        name: None,
        needs: Vec::new(),
        condition: None,
        permissions: None,
        environment: None,
        runs_on: None,
        container: None,
        env: Vec::new(),
        strategy: None,
        steps: Vec::new(),
        call: None,
    };
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
    let mut visitor = Visitor {
        mint: publish::MintState::with_release_config(&repo.manifests.release),
        ..Visitor::default()
    };
    visitor
        .mint
        .npm
        .npmrc_vars
        .clone_from(&repo.manifests.npmrc_auth_vars);
    visitor.mint.npm.publish_config_registry = repo.manifests.package_json.as_ref().and_then(|p| {
        let registry = p.publish_registry.as_ref()?;
        Some((
            registry.value.clone(),
            Location::new(p.file?, registry.span),
        ))
    });
    let mut exported: Vec<EnvHit<'_>> = Vec::new();
    for (top, (step, line)) in steps.iter().zip(&lines).enumerate() {
        if line.kind == ScriptKind::AfterScript
            && top > 0
            && lines[top - 1].kind != ScriptKind::AfterScript
        {
            // A new shell: exports of the main script are gone.
            exported.clear();
        }
        let mut inherited = variables_env(&job.variables);
        inherited.extend(exported.iter().cloned());
        let job_ref = JobRef {
            workflow: &workflow,
            workflow_file: line.location.file,
            job: &stand_in,
            job_index: index,
        };
        let mut named = expand::walk_text(
            repo,
            job_ref,
            top,
            step,
            line.location.file,
            inherited,
            &mut visitor,
            budget,
        );
        needs.append(&mut named);
        if let Some(inner) = &inner_steps[top] {
            // `NAME=$(bash script.sh)`: the script is read for crates.io's
            // exchange only (the walker does not enter substitutions).
            let mut seen = ExchangeSeen::default();
            let job_ref = JobRef {
                workflow: &workflow,
                workflow_file: line.location.file,
                job: &stand_in,
                job_index: index,
            };
            let mut named = expand::walk_text(
                repo,
                job_ref,
                top,
                inner,
                line.location.file,
                variables_env(&job.variables),
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
        }
        exported.extend(exports(repo, line));
    }
    let mut facts = visitor.facts;
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
    npm_sites(job, &lines, &mut facts.publish_sites);
    facts.crates_io_id_token = crates_io_sites(
        &lines,
        &visitor.exchanges,
        &visitor.unread_substitutions,
        &mut facts.publish_sites,
    );
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

/// Complete the crates.io facts of a GitLab job's publish sites. cargo
/// reads no ID token itself: crates.io's GitLab setup
/// (`registry::crates_io::GITLAB`) has a script post the job's ID token to
/// [`crates_io::EXCHANGE_PATH`] and assigns what it prints to a variable
/// that `cargo publish` is then given as its token. Such a token, which
/// the shell reader takes for a password, is trusted publishing when the
/// assignment's line reaches the exchange and the exchange reads one of
/// the job's `id_tokens`. Any other token of a job that calls the exchange
/// cannot be told apart from it, nor a token a script tplint cannot read
/// prints: its authentication is unknown.
fn crates_io_sites(
    lines: &[&ScriptLine],
    exchanges: &[(usize, String)],
    unread: &[usize],
    sites: &mut [PublishSite],
) -> Option<String> {
    if exchanges.is_empty() && unread.is_empty() {
        return None;
    }
    // The exchange's ID token: the variable it posts as `"jwt"`, unless
    // the text sets that variable itself (then it may hold anything).
    let posted = |text: &str| {
        let name = jwt_variable(text)?;
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
        let inline = line.text.contains(crates_io::EXCHANGE_PATH);
        for physical in line.text.lines() {
            if inline && !physical.contains(crates_io::EXCHANGE_PATH) {
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
        if site.index() != Some(Registry::CratesIo) {
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
        if assigned_here || names_minted {
            site.auth = Auth::Oidc;
        } else if !exchanges.is_empty() || names_unread {
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

/// What a walk into a substituted script finds of crates.io's exchange.
#[derive(Default)]
struct ExchangeSeen {
    texts: Vec<String>,
    /// The walk met something it cannot read.
    opaque: bool,
}

impl<'a> Visit<'a> for ExchangeSeen {
    fn shell(&mut self, block: &ShellBlock<'a, '_, '_>, _commands: &[Command]) {
        if block.text.contains(crates_io::EXCHANGE_PATH) {
            self.texts.push(block.text.clone().into_owned());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
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
