//! Command-line definitions (clap). Behaviour lives in the library.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::FailOn;
pub use crate::render::Format;

/// Lint CI release pipelines on GitHub Actions and GitLab CI/CD against the
/// trusted publishers registered on PyPI, crates.io, npm, RubyGems, NuGet,
/// pub.dev and JSR.
#[derive(Debug, Parser)]
#[command(
    name = "tplint",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `check` is the default command.
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
// Parsed once per run: the size of `Check` costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Lint the repositories at PATH (default: the git root above the current folder).
    Check(CheckArgs),
    /// Print the values to enter in each registry's trusted publisher form
    /// for every job that publishes by trusted publishing, and the same as TOML.
    Suggest {
        /// Repository root (default: the git root above the current folder).
        path: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum)]
        format: Option<SuggestFormat>,
        #[command(flatten)]
        indexes: IndexArgs,
    },
    /// Print a rule's documentation.
    Explain {
        /// A rule code (`TP104`) or name (`environment-mismatch`).
        rule: String,
    },
    /// List all rules.
    Rules,
    /// Print a shell completion script.
    ///
    /// For example `tplint completions bash >
    /// ~/.local/share/bash-completion/completions/tplint`, `tplint
    /// completions zsh > ~/.zfunc/_tplint` or `tplint completions fish >
    /// ~/.config/fish/completions/tplint.fish`.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff).
    ///
    /// For example `tplint manpage > ~/.local/share/man/man1/tplint.1`.
    Manpage,
    /// Run the language server on standard input and output.
    Server,
}

/// The formats of `suggest`: a form to fill in has no diagnostics to
/// annotate, so SARIF and workflow commands do not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SuggestFormat {
    /// The form's fields and a TOML block, for people.
    Human,
    /// JSON, for tools.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args, Default)]
pub struct CheckArgs {
    /// Repository roots to check, or remote targets: `github:OWNER/REPO[@REF]`,
    /// `github:OWNER` (every repository of an organisation or user),
    /// `gitlab:GROUP/PROJECT[@REF]`, `gitlab:GROUP`.
    #[arg(value_name = "PATH|TARGET")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Lowest severity that makes the exit code 1 [default: warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Run only these rules (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rules (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Use this config file instead of looking one up.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Publisher owner (declares one publisher; replaces the config's).
    #[arg(long)]
    pub owner: Option<String>,
    /// Publisher repository name.
    #[arg(long)]
    pub repository: Option<String>,
    /// Publisher workflow file name, e.g. `release.yml`.
    #[arg(long)]
    pub workflow: Option<String>,
    /// Publisher environment (optional).
    #[arg(long)]
    pub environment: Option<String>,
    /// pub.dev publisher tag pattern, e.g. `v{{version}}`.
    #[arg(long)]
    pub tag_pattern: Option<String>,
    /// Publisher registry: `pypi` (default), `testpypi`, `crates.io`,
    /// `npm`, `rubygems`, `nuget`, `pub.dev` or `jsr`.
    #[arg(long, conflicts_with = "index")]
    pub registry: Option<String>,
    /// Publisher index: `pypi` (default) or `testpypi` (older name of `--registry`).
    #[arg(long, hide = true)]
    pub index: Option<String>,
    /// The package (crate, gem, package ID) the publisher is for.
    #[arg(long)]
    pub package: Option<String>,
    /// Colour in human output; `NO_COLOR` is honoured with `auto`.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Option<Color>,
    /// No summary line.
    #[arg(short, long)]
    pub quiet: bool,
    /// API base for `--online` and `github:` targets (GitHub Enterprise
    /// Server: `https://HOST/api/v3`).
    #[arg(long, value_name = "URL", default_value = crate::online::DEFAULT_API_URL)]
    pub github_api_url: String,
    /// GitLab instance of `gitlab:` targets (token from `GITLAB_TOKEN`).
    #[arg(long, value_name = "URL", default_value = crate::remote::DEFAULT_GITLAB_URL)]
    pub gitlab_url: String,
    /// Also check the archived repositories of `github:OWNER` and `gitlab:GROUP`.
    #[arg(long)]
    pub include_archived: bool,
    /// Also check the forks in `github:OWNER` and `gitlab:GROUP`.
    #[arg(long)]
    pub include_forks: bool,
    /// Do not read or keep API answers and archives of remote targets in
    /// the user's cache directory.
    #[arg(long)]
    pub no_cache: bool,
    #[command(flatten)]
    pub indexes: IndexArgs,
    /// Apply the safe fixes, then report what remains.
    #[arg(long)]
    pub fix: bool,
    /// With `--fix` or `--diff`: apply the unsafe fixes too (look at them).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them.
    #[arg(long)]
    pub diff: bool,
}

/// `--online` and the package index sites it reads.
#[derive(Debug, Args, Default)]
pub struct IndexArgs {
    /// Also ask the GitHub API about environments and pinned commits (token
    /// from `GH_TOKEN` or `GITHUB_TOKEN`), and PyPI and TestPyPI which
    /// publisher uploaded the latest release. Nothing is sent without this flag.
    #[arg(long)]
    pub online: bool,
    /// PyPI site for `--online` (or a mirror of its JSON, simple and integrity APIs).
    #[arg(long, value_name = "URL", default_value = crate::online::pypi::DEFAULT_PYPI_URL)]
    pub pypi_url: String,
    /// TestPyPI site for `--online`.
    #[arg(long, value_name = "URL", default_value = crate::online::pypi::DEFAULT_TESTPYPI_URL)]
    pub testpypi_url: String,
}
