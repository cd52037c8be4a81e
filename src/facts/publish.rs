//! Publish sites: steps that upload Python distributions, with the tool,
//! the index they target and how they authenticate. Every command-line
//! uploader is one row of [`COMMAND_UPLOADERS`]; the two GitHub Actions
//! have their own readers. Rules only see [`PublishSite`].

use crate::config::Index;
use crate::facts::shell::{self, Command};
use crate::source::Span;
use crate::workflow::{Job, KeyValue, Spanned, Step, Workflow};

/// A tool that uploads distributions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Uploader {
    GhActionPypiPublish,
    MaturinAction,
    Uv,
    Twine,
    Pdm,
    Maturin,
    Poetry,
    Hatch,
    Flit,
}

impl Uploader {
    pub fn name(self) -> &'static str {
        match self {
            Uploader::GhActionPypiPublish => "pypa/gh-action-pypi-publish",
            Uploader::MaturinAction => "PyO3/maturin-action",
            Uploader::Uv => "uv publish",
            Uploader::Twine => "twine upload",
            Uploader::Pdm => "pdm publish",
            Uploader::Maturin => "maturin upload",
            Uploader::Poetry => "poetry publish",
            Uploader::Hatch => "hatch publish",
            Uploader::Flit => "flit publish",
        }
    }

    /// Whether the tool does trusted publishing itself when given no secret.
    pub fn supports_trusted_publishing(self) -> bool {
        match self {
            Uploader::GhActionPypiPublish | Uploader::MaturinAction => true,
            _ => COMMAND_UPLOADERS
                .iter()
                .any(|t| t.uploader == self && t.trusted_publishing),
        }
    }
}

/// The GitHub Action that publishes to PyPI.
pub const PYPI_PUBLISH_ACTION: &str = "pypa/gh-action-pypi-publish";
/// maturin's action; `command: upload|publish` uploads.
pub const MATURIN_ACTION: &str = "pyo3/maturin-action";

/// The inputs `pypa/gh-action-pypi-publish` accepts, from its `action.yml`.
pub const PYPI_PUBLISH_INPUTS: &[&str] = &[
    "user",
    "password",
    "repository-url",
    "packages-dir",
    "verify-metadata",
    "skip-existing",
    "verbose",
    "print-hash",
    "attestations",
];

/// Deprecated snake_case aliases it still reads: (alias, replacement).
pub const PYPI_PUBLISH_DEPRECATED_INPUTS: &[(&str, &str)] = &[
    ("repository_url", "repository-url"),
    ("packages_dir", "packages-dir"),
    ("verify_metadata", "verify-metadata"),
    ("skip_existing", "skip-existing"),
    ("print_hash", "print-hash"),
];

/// How a command-line uploader is told where to upload and with what secret.
pub struct CommandUploader {
    pub uploader: Uploader,
    pub program: &'static str,
    pub subcommands: &'static [&'static str],
    /// Flags that pass a token or password.
    pub secret_flags: &'static [&'static str],
    /// Environment variables holding a token or password; a trailing `*`
    /// matches a prefix (`POETRY_PYPI_TOKEN_*`).
    pub secret_env: &'static [&'static str],
    pub url_flags: &'static [&'static str],
    pub url_env: &'static [&'static str],
    /// Flags and variables naming a repository (or, for some tools, a URL).
    pub repository_flags: &'static [&'static str],
    pub repository_env: &'static [&'static str],
    pub testpypi_names: &'static [&'static str],
    pub pypi_names: &'static [&'static str],
    /// Whether the tool exchanges the GitHub OIDC token itself when no secret is given.
    pub trusted_publishing: bool,
}

/// Every command-line uploader (SPEC section 2).
pub const COMMAND_UPLOADERS: &[CommandUploader] = &[
    CommandUploader {
        uploader: Uploader::Uv,
        program: "uv",
        subcommands: &["publish"],
        secret_flags: &["--token", "-t", "--password", "-p"],
        secret_env: &["UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD"],
        url_flags: &["--publish-url"],
        url_env: &["UV_PUBLISH_URL"],
        repository_flags: &["--index"],
        repository_env: &["UV_PUBLISH_INDEX"],
        testpypi_names: &["testpypi"],
        pypi_names: &["pypi"],
        trusted_publishing: true,
    },
    CommandUploader {
        uploader: Uploader::Twine,
        program: "twine",
        subcommands: &["upload"],
        secret_flags: &["--password", "-p"],
        secret_env: &["TWINE_PASSWORD"],
        url_flags: &["--repository-url"],
        url_env: &["TWINE_REPOSITORY_URL"],
        repository_flags: &["--repository", "-r"],
        repository_env: &["TWINE_REPOSITORY"],
        testpypi_names: &["testpypi"],
        pypi_names: &["pypi"],
        trusted_publishing: true,
    },
    CommandUploader {
        uploader: Uploader::Pdm,
        program: "pdm",
        subcommands: &["publish"],
        secret_flags: &["--password", "-P"],
        secret_env: &["PDM_PUBLISH_PASSWORD"],
        url_flags: &[],
        url_env: &[],
        repository_flags: &["--repository", "-r"],
        repository_env: &["PDM_PUBLISH_REPO"],
        testpypi_names: &["testpypi"],
        pypi_names: &["pypi"],
        trusted_publishing: true,
    },
    CommandUploader {
        uploader: Uploader::Maturin,
        program: "maturin",
        subcommands: &["upload", "publish"],
        secret_flags: &["--password", "-p"],
        secret_env: &["MATURIN_PYPI_TOKEN", "MATURIN_PASSWORD"],
        url_flags: &["--repository-url"],
        url_env: &["MATURIN_REPOSITORY_URL"],
        repository_flags: &["--repository", "-r"],
        repository_env: &["MATURIN_REPOSITORY"],
        testpypi_names: &["testpypi"],
        pypi_names: &["pypi"],
        trusted_publishing: true,
    },
    CommandUploader {
        uploader: Uploader::Poetry,
        program: "poetry",
        subcommands: &["publish"],
        secret_flags: &["--password", "-p"],
        secret_env: &["POETRY_PYPI_TOKEN_*", "POETRY_HTTP_BASIC_*"],
        url_flags: &[],
        url_env: &[],
        repository_flags: &["--repository", "-r"],
        repository_env: &[],
        testpypi_names: &["testpypi"],
        pypi_names: &["pypi"],
        trusted_publishing: false,
    },
    CommandUploader {
        uploader: Uploader::Hatch,
        program: "hatch",
        subcommands: &["publish"],
        secret_flags: &["--auth", "-a"],
        secret_env: &["HATCH_INDEX_AUTH"],
        url_flags: &[],
        url_env: &[],
        repository_flags: &["--repo", "-r"],
        repository_env: &["HATCH_INDEX_REPO"],
        testpypi_names: &["test"],
        pypi_names: &["main"],
        trusted_publishing: false,
    },
    CommandUploader {
        uploader: Uploader::Flit,
        program: "flit",
        subcommands: &["publish"],
        secret_flags: &[],
        secret_env: &["FLIT_PASSWORD"],
        url_flags: &[],
        url_env: &["FLIT_INDEX_URL"],
        repository_flags: &["--repository"],
        repository_env: &[],
        testpypi_names: &["testpypi"],
        pypi_names: &["pypi"],
        trusted_publishing: false,
    },
];

/// Where an upload goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Index(Index),
    /// Another index (a private registry, devpi, a named repository of a
    /// config file): not judged against PyPI publishers.
    Custom(String),
    /// An expression: unknown until the workflow runs.
    Expression(String),
}

/// How an upload authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Trusted publishing (OIDC).
    Oidc,
    /// An API token or password; the span points at where it is given.
    Password { span: Span, source: String },
    /// The tool cannot do trusted publishing and no secret is visible
    /// (it may come from a config file).
    Unknown,
}

#[derive(Clone, Debug)]
pub struct PublishSite {
    /// Index of the job in `Workflow::jobs`.
    pub job: usize,
    /// Index of the step in the job.
    pub step: usize,
    pub uploader: Uploader,
    pub target: Target,
    /// Where the target is set, when it is set explicitly.
    pub target_span: Option<Span>,
    pub auth: Auth,
    /// The step's `uses:` value, or the command in its `run:` script.
    pub span: Span,
    /// For `uv publish`: whether a failed OIDC exchange is an error
    /// (`--trusted-publishing always`) rather than a fallback to passwords.
    pub oidc_required: bool,
}

impl PublishSite {
    pub fn is_oidc(&self) -> bool {
        self.auth == Auth::Oidc
    }

    /// The index when it is PyPI or TestPyPI.
    pub fn index(&self) -> Option<Index> {
        match self.target {
            Target::Index(index) => Some(index),
            _ => None,
        }
    }
}

/// Classify an upload URL.
pub fn target_of_url(url: &str) -> Target {
    if crate::workflow::is_expression(url) {
        return Target::Expression(url.to_string());
    }
    let normalized = url.trim().trim_end_matches('/').to_ascii_lowercase();
    let normalized = normalized
        .strip_prefix("https://")
        .or_else(|| normalized.strip_prefix("http://"))
        .unwrap_or(&normalized);
    match normalized {
        "upload.pypi.org/legacy" | "pypi.org/legacy" => Target::Index(Index::Pypi),
        "test.pypi.org/legacy" | "upload.test.pypi.org/legacy" => Target::Index(Index::TestPypi),
        _ => Target::Custom(url.to_string()),
    }
}

/// The source text a step's values were read from, to locate words in `run:`.
struct StepSource<'a> {
    source: &'a str,
}

impl StepSource<'_> {
    /// The span of `needle` inside the raw source of `within`, else `within`.
    fn locate(&self, within: Span, needle: &str) -> Span {
        self.source
            .get(within.range())
            .and_then(|raw| raw.find(needle))
            .map_or(within, |at| {
                Span::new(within.start + at, within.start + at + needle.len())
            })
    }
}

/// All publish sites of a workflow, in job and step order.
pub fn publish_sites(workflow: &Workflow, source: &str) -> Vec<PublishSite> {
    let text = StepSource { source };
    let mut sites = Vec::new();
    for (job_index, job) in workflow.jobs.iter().enumerate() {
        for step in &job.steps {
            if let Some(site) = gh_action_pypi_publish(job_index, job, step) {
                sites.push(site);
            } else if let Some(site) = maturin_action(workflow, job_index, job, step) {
                sites.push(site);
            } else if let Some(run) = &step.run
                // Every uploader's subcommand is `publish` or `upload`: skip
                // the shell reading for the scripts that mention neither.
                && (run.value.contains("publish") || run.value.contains("upload"))
            {
                sites.extend(command_sites(workflow, job_index, job, step, run, &text));
            }
        }
    }
    sites
}

/// Whether `value` is `${{ steps.<id>.outputs.* }}` of an earlier step of
/// the job that mints a PyPI token by OIDC.
fn minted_by_oidc(value: &str, job: &Job, before: usize) -> bool {
    let Some(rest) = value.split("steps.").nth(1) else {
        return false;
    };
    let Some((id, _)) = rest.split_once(".outputs.") else {
        return false;
    };
    job.steps[..before.min(job.steps.len())].iter().any(|step| {
        step.id.as_ref().is_some_and(|i| i.value == id) && {
            let mut text = step
                .run
                .as_ref()
                .map(|r| r.value.clone())
                .unwrap_or_default();
            for kv in &step.with {
                text.push_str(&kv.value.value);
            }
            ["mint-token", "ACTIONS_ID_TOKEN_REQUEST", "getIDToken"]
                .iter()
                .any(|marker| text.contains(marker))
        }
    })
}

fn gh_action_pypi_publish(job_index: usize, job: &Job, step: &Step) -> Option<PublishSite> {
    let uses = step.uses.as_ref()?;
    if !uses.target.is_action(PYPI_PUBLISH_ACTION) {
        return None;
    }
    let url = step
        .input("repository-url")
        .or_else(|| step.input("repository_url"));
    let (target, target_span) = match url {
        Some(kv) if !kv.value.value.trim().is_empty() => {
            (target_of_url(&kv.value.value), Some(kv.value.span))
        }
        _ => (Target::Index(Index::Pypi), None),
    };
    let auth = match step.input("password") {
        Some(kv) if !kv.value.value.trim().is_empty() => {
            if minted_by_oidc(&kv.value.value, job, step.index) {
                Auth::Oidc
            } else {
                Auth::Password {
                    span: kv.key.span,
                    source: "`password`".into(),
                }
            }
        }
        _ => Auth::Oidc,
    };
    Some(PublishSite {
        job: job_index,
        step: step.index,
        uploader: Uploader::GhActionPypiPublish,
        target,
        target_span,
        auth,
        span: uses.raw.span,
        oidc_required: true,
    })
}

/// An environment variable visible to a step: its value and where it is set.
struct EnvValue<'a> {
    value: &'a str,
    span: Option<Span>,
    name: &'a str,
}

/// One uploader invocation: its arguments and everything that feeds it.
struct Invocation<'a> {
    table: &'static CommandUploader,
    args: &'a [String],
    /// The shell command, for its `VAR=value` assignments.
    command: Option<&'a Command>,
    step: &'a Step,
    job: &'a Job,
    workflow: &'a Workflow,
    /// The `run:` or `args:` value the arguments were read from.
    within: Span,
    text: &'a StepSource<'a>,
}

impl<'a> Invocation<'a> {
    /// `name` from the script's assignments, then step, job and workflow
    /// `env`; a trailing `*` matches a prefix.
    fn env(&self, name: &str) -> Option<EnvValue<'a>> {
        let matches = |candidate: &str| match name.strip_suffix('*') {
            Some(prefix) => candidate.starts_with(prefix),
            None => candidate == name,
        };
        let in_script = self
            .command
            .and_then(|command| match name.strip_suffix('*') {
                Some(prefix) => command.variables().find(|(n, _)| n.starts_with(prefix)),
                None => command.variable(name),
            });
        if let Some((n, v)) = in_script {
            return Some(EnvValue {
                value: v,
                span: None,
                name: n,
            });
        }
        let found = |list: &'a [KeyValue]| {
            list.iter()
                .rev()
                .find(|kv| matches(&kv.key.value))
                .map(|kv| EnvValue {
                    value: &kv.value.value,
                    span: Some(kv.key.span),
                    name: &kv.key.value,
                })
        };
        found(&self.step.env)
            .or_else(|| found(&self.job.env))
            .or_else(|| found(&self.workflow.env))
    }

    /// A non-empty variable, with where it is set (its key, or the word in the script).
    fn set_env(&self, name: &str) -> Option<(EnvValue<'a>, Span)> {
        let env = self.env(name).filter(|e| !e.value.trim().is_empty())?;
        let span = env.span.unwrap_or_else(|| self.locate(env.name));
        Some((env, span))
    }

    fn locate(&self, needle: &str) -> Span {
        self.text.locate(self.within, needle)
    }

    fn flag(&self, names: &[&str]) -> Option<&'a str> {
        shell::flag_value(self.args, names)
    }

    /// `--trusted-publishing` or `UV_TRUSTED_PUBLISHING` is `value`.
    fn trusted_publishing_is(&self, value: &str) -> bool {
        self.flag(&["--trusted-publishing"]) == Some(value)
            || self
                .env("UV_TRUSTED_PUBLISHING")
                .is_some_and(|e| e.value == value)
    }

    fn target(&self) -> (Target, Option<Span>) {
        let table = self.table;
        if let Some(url) = self.flag(table.url_flags) {
            return (target_of_url(url), Some(self.locate(url)));
        }
        if let Some(name) = self.flag(table.repository_flags) {
            return (named_target(table, name), Some(self.locate(name)));
        }
        for name in table.url_env {
            if let Some((env, span)) = self.set_env(name) {
                return (target_of_url(env.value), Some(span));
            }
        }
        for name in table.repository_env {
            if let Some((env, span)) = self.set_env(name) {
                return (named_target(table, env.value), Some(span));
            }
        }
        (Target::Index(Index::Pypi), None)
    }

    fn auth(&self) -> Auth {
        let table = self.table;
        let secret = table
            .secret_flags
            .iter()
            .find_map(|flag| {
                self.flag(&[flag])
                    .map(|value| (value, self.locate(flag), format!("`{flag}`")))
            })
            .filter(|(value, ..)| !value.trim().is_empty())
            .or_else(|| {
                table.secret_env.iter().find_map(|name| {
                    self.set_env(name)
                        .map(|(env, span)| (env.value, span, format!("`{}`", env.name)))
                })
            });
        match secret {
            Some((value, _, _)) if minted_by_oidc(value, self.job, self.step.index) => Auth::Oidc,
            Some((_, span, source)) => Auth::Password { span, source },
            None if table.uploader == Uploader::Uv && self.trusted_publishing_is("never") => {
                Auth::Unknown
            }
            None if table.trusted_publishing => Auth::Oidc,
            None => Auth::Unknown,
        }
    }
}

fn named_target(table: &CommandUploader, name: &str) -> Target {
    if name.contains("://") || crate::workflow::is_expression(name) {
        return target_of_url(name);
    }
    if table.testpypi_names.contains(&name) {
        Target::Index(Index::TestPypi)
    } else if table.pypi_names.contains(&name) {
        Target::Index(Index::Pypi)
    } else {
        Target::Custom(name.to_string())
    }
}

/// Strip wrappers such as `python -m`, `pipx run`, `uvx`, `uv run`,
/// `pdm run` so the uploader itself comes first.
fn unwrap_command(words: &[String]) -> &[String] {
    const VALUE_OPTIONS: &[&str] = &[
        "--from",
        "--with",
        "--python",
        "-p",
        "--spec",
        "--directory",
        "--project",
        "--group",
        "--extra",
        "--env-file",
        "--index",
        "--index-url",
        "--pip-args",
    ];
    let mut rest = words;
    loop {
        let first = rest.first().map(String::as_str).unwrap_or_default();
        let second = rest.get(1).map(String::as_str).unwrap_or_default();
        let program = first.rsplit('/').next().unwrap_or(first);
        let skip = match (program, second) {
            ("sudo" | "time" | "exec" | "command" | "nohup", _) => 1,
            (p, "-m") if p.starts_with("python") || p == "py" => 2,
            ("pipx" | "pdm" | "poetry" | "hatch" | "rye" | "pixi" | "uv", "run") => 2,
            ("uv", "tool") if rest.get(2).is_some_and(|w| w == "run") => 3,
            ("uvx", _) => 1,
            _ => break,
        };
        rest = &rest[skip..];
        // Options of the wrapper before the wrapped command.
        while let Some(word) = rest.first() {
            if !word.starts_with('-') {
                break;
            }
            let takes_value = VALUE_OPTIONS.contains(&word.as_str());
            rest = &rest[(1 + usize::from(takes_value)).min(rest.len())..];
        }
    }
    rest
}

fn command_sites(
    workflow: &Workflow,
    job_index: usize,
    job: &Job,
    step: &Step,
    run: &Spanned<String>,
    text: &StepSource<'_>,
) -> Vec<PublishSite> {
    let mut sites = Vec::new();
    for command in shell::commands(&run.value) {
        let words = unwrap_command(&command.words);
        let (Some(program), Some(subcommand)) = (words.first(), words.get(1)) else {
            continue;
        };
        let program = program.rsplit('/').next().unwrap_or(program);
        let Some(table) = COMMAND_UPLOADERS
            .iter()
            .find(|t| t.program == program && t.subcommands.contains(&subcommand.as_str()))
        else {
            continue;
        };
        let args = &words[2..];
        if shell::has_flag(args, &["--dry-run", "--help", "-h"]) {
            continue;
        }
        let invocation = Invocation {
            table,
            args,
            command: Some(&command),
            step,
            job,
            workflow,
            within: run.span,
            text,
        };
        let (target, target_span) = invocation.target();
        sites.push(PublishSite {
            job: job_index,
            step: step.index,
            uploader: table.uploader,
            target,
            target_span,
            auth: invocation.auth(),
            span: invocation.locate(&format!("{program} {subcommand}")),
            oidc_required: table.uploader != Uploader::Uv
                || invocation.trusted_publishing_is("always"),
        });
    }
    sites
}

/// `PyO3/maturin-action` with `command: upload` or `publish`.
fn maturin_action(
    workflow: &Workflow,
    job_index: usize,
    job: &Job,
    step: &Step,
) -> Option<PublishSite> {
    let uses = step.uses.as_ref()?;
    if !uses.target.is_action(MATURIN_ACTION) {
        return None;
    }
    let command = step.input("command")?;
    if !matches!(command.value.value.trim(), "upload" | "publish") {
        return None;
    }
    let table = COMMAND_UPLOADERS
        .iter()
        .find(|t| t.uploader == Uploader::Maturin)?;
    let args_value = step.input("args");
    let args: Vec<String> = args_value
        .map(|kv| {
            shell::commands(&kv.value.value)
                .into_iter()
                .flat_map(|c| c.words)
                .collect()
        })
        .unwrap_or_default();
    if shell::has_flag(&args, &["--dry-run"]) {
        return None;
    }
    // Words inside `args` are located at the `args` value as a whole.
    let text = StepSource { source: "" };
    let invocation = Invocation {
        table,
        args: &args,
        command: None,
        step,
        job,
        workflow,
        within: args_value.map_or(uses.raw.span, |kv| kv.value.span),
        text: &text,
    };
    let (target, target_span) = invocation.target();
    Some(PublishSite {
        job: job_index,
        step: step.index,
        uploader: Uploader::MaturinAction,
        target,
        target_span,
        auth: invocation.auth(),
        span: uses.raw.span,
        oidc_required: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites_with(header: &str, job_env: &str, steps: &str) -> Vec<PublishSite> {
        let src = format!(
            "on: push\n{header}jobs:\n  p:\n    runs-on: ubuntu-latest\n{job_env}    steps:\n{steps}"
        );
        let doc = crate::yaml::parse(&src).unwrap();
        publish_sites(&crate::workflow::build(&src, &doc), &src)
    }

    fn sites(steps: &str) -> Vec<PublishSite> {
        sites_with("", "", steps)
    }

    #[test]
    fn gh_action_trusted_publishing_to_pypi_by_default() {
        let s = sites("      - uses: pypa/gh-action-pypi-publish@release/v1\n");
        assert_eq!(s.len(), 1);
        assert!(s[0].is_oidc());
        assert_eq!(s[0].index(), Some(Index::Pypi));
    }

    #[test]
    fn gh_action_password_and_testpypi() {
        let s = sites(
            "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ${{ secrets.T }}\n          repository-url: https://test.pypi.org/legacy/\n",
        );
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        assert_eq!(s[0].index(), Some(Index::TestPypi));
        let s = sites(
            "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ''\n",
        );
        assert!(s[0].is_oidc());
    }

    #[test]
    fn url_forms() {
        assert_eq!(
            target_of_url("https://upload.pypi.org/legacy"),
            Target::Index(Index::Pypi)
        );
        assert_eq!(
            target_of_url("https://test.pypi.org/legacy/"),
            Target::Index(Index::TestPypi)
        );
        assert!(matches!(
            target_of_url("${{ vars.URL }}"),
            Target::Expression(_)
        ));
        assert!(matches!(
            target_of_url("https://pkgs.example.com/simple/"),
            Target::Custom(_)
        ));
    }

    #[test]
    fn every_uploader_and_wrapper_is_found() {
        for (script, uploader) in [
            ("uv publish", Uploader::Uv),
            ("twine upload dist/*", Uploader::Twine),
            ("python -m twine upload dist/*", Uploader::Twine),
            (
                "python3 -m twine upload --skip-existing dist/*",
                Uploader::Twine,
            ),
            ("pipx run twine upload dist/*", Uploader::Twine),
            ("uvx twine upload dist/*", Uploader::Twine),
            ("uv run --with twine twine upload dist/*", Uploader::Twine),
            ("pdm publish --no-build", Uploader::Pdm),
            ("maturin upload dist/*", Uploader::Maturin),
            ("maturin publish", Uploader::Maturin),
            ("poetry publish --build", Uploader::Poetry),
            ("hatch publish", Uploader::Hatch),
            ("flit publish", Uploader::Flit),
        ] {
            let s = sites(&format!("      - run: {script}\n"));
            assert_eq!(s.len(), 1, "{script}");
            assert_eq!(s[0].uploader, uploader, "{script}");
        }
    }

    #[test]
    fn dry_runs_and_other_commands_are_not_uploads() {
        for script in [
            "uv publish --dry-run",
            "poetry publish --dry-run",
            "twine check dist/*",
            "uv build",
            "echo uv publish",
            "pip install twine",
        ] {
            assert!(
                sites(&format!("      - run: {script}\n")).is_empty(),
                "{script}"
            );
        }
    }

    #[test]
    fn run_blocks_with_chains_and_continuations() {
        let s = sites(
            "      - run: |\n          uv build && \\\n            uv publish \\\n              --trusted-publishing always\n          twine upload -r testpypi dist/*\n",
        );
        assert_eq!(s.len(), 2);
        assert!(s[0].oidc_required && s[0].is_oidc());
        assert_eq!(s[1].index(), Some(Index::TestPypi));
    }

    #[test]
    fn targets_from_flags_and_env() {
        let s = sites("      - run: uv publish --publish-url https://test.pypi.org/legacy/\n");
        assert_eq!(s[0].index(), Some(Index::TestPypi));
        let s = sites(
            "      - run: twine upload --repository-url https://pkgs.example.com/ dist/*\n        env:\n          TWINE_PASSWORD: ${{ secrets.X }}\n",
        );
        assert!(matches!(s[0].target, Target::Custom(_)));
        let s = sites_with(
            "env:\n  UV_PUBLISH_URL: https://test.pypi.org/legacy/\n",
            "",
            "      - run: uv publish\n",
        );
        assert_eq!(s[0].index(), Some(Index::TestPypi));
        let s = sites("      - run: hatch publish -r test\n");
        assert_eq!(s[0].index(), Some(Index::TestPypi));
        let s = sites("      - run: uv publish --publish-url ${{ vars.INDEX }}\n");
        assert!(matches!(s[0].target, Target::Expression(_)));
    }

    #[test]
    fn secrets_from_flags_and_every_env_level() {
        let s = sites("      - run: uv publish --token ${{ secrets.PYPI }}\n");
        assert!(matches!(&s[0].auth, Auth::Password { source, .. } if source == "`--token`"));
        let s = sites_with(
            "",
            "    env:\n      MATURIN_PYPI_TOKEN: ${{ secrets.PYPI }}\n",
            "      - run: maturin upload dist/*\n",
        );
        assert!(
            matches!(&s[0].auth, Auth::Password { source, .. } if source == "`MATURIN_PYPI_TOKEN`")
        );
        let s = sites("      - run: POETRY_PYPI_TOKEN_PYPI=${{ secrets.T }} poetry publish\n");
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        let s = sites("      - run: poetry publish\n");
        assert_eq!(s[0].auth, Auth::Unknown);
        let s = sites("      - run: uv publish --trusted-publishing never\n");
        assert_eq!(s[0].auth, Auth::Unknown);
        let s = sites("      - run: uv publish\n");
        assert!(s[0].is_oidc() && !s[0].oidc_required);
    }

    #[test]
    fn minted_token_counts_as_trusted_publishing() {
        let s = sites(
            "      - id: mint\n        run: |\n          resp=$(curl -H \"Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN\" \"$ACTIONS_ID_TOKEN_REQUEST_URL&audience=pypi\")\n          curl -X POST https://pypi.org/_/oidc/mint-token -d \"$resp\"\n      - run: uv publish --token ${{ steps.mint.outputs.token }}\n",
        );
        assert!(s[0].is_oidc(), "{:?}", s[0].auth);
    }

    #[test]
    fn maturin_action_upload() {
        let s = sites(
            "      - uses: PyO3/maturin-action@v1\n        env:\n          MATURIN_PYPI_TOKEN: ${{ secrets.PYPI }}\n        with:\n          command: upload\n          args: --non-interactive --skip-existing wheels-*/*\n",
        );
        assert_eq!(s[0].uploader, Uploader::MaturinAction);
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        let s = sites(
            "      - uses: PyO3/maturin-action@v1\n        with:\n          command: build\n",
        );
        assert!(s.is_empty());
    }
}
