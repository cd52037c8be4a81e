//! The tplint binary: parse arguments, call the library, map to an exit code.

#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, Parser};
use std::path::PathBuf;
use tplint::cli::{CheckArgs, Cli, Color, Command, Format, IndexArgs, SuggestFormat};
use tplint::config::{LoadError, PublisherFlags};
use tplint::fix::Applicability;
use tplint::lint::{self, CheckOptions, Totals};
use tplint::online::pypi::{self, Indexes};
use tplint::online::{self, GitHub, client::Token};
use tplint::render::Renderer;

use tplint::catalogue::{self, Rule};
use tplint::facts::Facts;
use tplint::repository::{LoadOptions, Repository};

/// A check allocates many small values (the nodes of each file, the facts
/// of each job) and frees them a repository at a time; mimalloc does that
/// in about half the instructions of the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Check(args)) => check(args),
        None => check(cli.check),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Suggest {
            path,
            format,
            indexes,
        }) => suggest(path, format, &indexes),
        Some(Command::Rules) => {
            print(&list_rules());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "tplint", &mut script);
            print_bytes(&script);
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Manpage) => manpage(),
        Some(Command::Server) => server(),
    };
    result.unwrap_or_else(|error| {
        let report = miette::Report::new(error);
        eprintln!("{report:?}");
        ExitCode::from(2)
    })
}

fn print(text: &str) {
    print_bytes(text.as_bytes());
}

fn print_bytes(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`tplint | head`) is not an error worth reporting.
    let _ = stdout.write_all(bytes);
    let _ = stdout.flush();
}

/// The manual page, generated from the same clap definition as `--help`.
fn manpage() -> Result<ExitCode, LoadError> {
    let mut stdout = std::io::stdout().lock();
    // Rendering only fails when stdout does: a closed pipe, as in `print`.
    let _ = clap_mangen::Man::new(Cli::command()).render(&mut stdout);
    let _ = stdout.flush();
    Ok(ExitCode::SUCCESS)
}

fn rules_from(names: &[String]) -> Result<Vec<&'static Rule>, LoadError> {
    names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|name| {
            catalogue::lookup(name).ok_or_else(|| {
                LoadError::Usage(format!(
                    "unknown rule `{name}`; `tplint rules` lists every rule"
                ))
            })
        })
        .collect()
}

fn use_color(choice: Option<Color>) -> bool {
    match choice.unwrap_or(Color::Auto) {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn check(args: CheckArgs) -> Result<ExitCode, LoadError> {
    let online = online(&args)?;
    let indexes = indexes(&args.indexes)?;
    let options = CheckOptions {
        load: LoadOptions {
            config: args.config.clone(),
            publisher: PublisherFlags {
                owner: args.owner.clone(),
                repository: args.repository.clone(),
                workflow: args.workflow.clone(),
                environment: args.environment.clone(),
                tag_pattern: args.tag_pattern.clone(),
                index: args.registry.clone().or_else(|| args.index.clone()),
                package: args.package.clone(),
            },
            overlay: Default::default(),
            remote: None,
        },
        select: rules_from(&args.select)?,
        ignore: rules_from(&args.ignore)?,
        fail_on: args.fail_on,
        online,
        indexes,
        resolve_pins: args.fix || args.diff,
    };
    let format = args.format.unwrap_or(Format::Human);
    if args.unsafe_fixes && !(args.fix || args.diff) {
        return Err(LoadError::Usage(
            "`--unsafe-fixes` goes with `--fix` or `--diff`".into(),
        ));
    }
    if args.fix || args.diff {
        let required = if args.unsafe_fixes {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        return fix(&args, &options, format, required);
    }
    if tplint::remote::any_remote(&args.paths) {
        if args.fix || args.diff {
            return Err(LoadError::Usage(
                "`--fix` and `--diff` change files of a checkout; remote targets are only checked"
                    .into(),
            ));
        }
        return check_remote(&args, &options, format);
    }
    let mut renderer = Renderer::new(format, use_color(args.color), args.quiet);
    let mut stdout = std::io::stdout().lock();
    let mut write = |text: String| {
        // A closed pipe (`tplint | head`) is not an error worth reporting.
        let _ = stdout.write_all(text.as_bytes());
    };
    write(renderer.begin());
    let worker = Renderer::new(format, use_color(args.color), args.quiet);
    let totals = lint::check_each(
        &args.paths,
        &options,
        |report| worker.repo(&report),
        |chunk| write(renderer.emit(chunk)),
    )?;
    write(renderer.finish(&totals));
    let _ = stdout.flush();
    Ok(if totals.fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `check` with remote targets among the paths: fetched from their forges,
/// checked like checkouts, a table of repositories at the end.
fn check_remote(
    args: &CheckArgs,
    options: &CheckOptions,
    format: Format,
) -> Result<ExitCode, LoadError> {
    use tplint::remote::{self, Remotes, Settings, summary::Row};
    let settings = Settings {
        github_api_url: api_base(
            "--github-api-url",
            &args.github_api_url,
            online::DEFAULT_API_URL,
        )?
        .to_string(),
        gitlab_url: api_base("--gitlab-url", &args.gitlab_url, remote::DEFAULT_GITLAB_URL)?
            .to_string(),
        include_archived: args.include_archived,
        include_forks: args.include_forks,
        cache: !args.no_cache,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        limits: remote::unpack::LIMITS,
    };
    let remotes = Remotes::connect(settings);
    let mut renderer = Renderer::new(format, use_color(args.color), args.quiet);
    let mut stdout = std::io::stdout().lock();
    let mut write = |text: String| {
        let _ = stdout.write_all(text.as_bytes());
    };
    write(renderer.begin());
    let worker = Renderer::new(format, use_color(args.color), args.quiet);
    let mut rows = Vec::new();
    let outcome = remote::check_each(
        &args.paths,
        options,
        &remotes,
        |report| (worker.repo(&report), Row::of(&report)),
        |(chunk, row)| {
            write(renderer.emit(chunk));
            rows.push(row);
        },
        |failure| eprintln!("tplint: cannot check {}: {}", failure.name, failure.reason),
    )?;
    for failure in &outcome.unreadable {
        rows.push(Row::unreadable(&failure.name, &failure.reason));
    }
    let unreadable: Vec<(String, String)> = outcome
        .unreadable
        .iter()
        .map(|f| (f.name.clone(), f.reason.clone()))
        .collect();
    let end = renderer.finish_with(&outcome.totals, &unreadable);
    // "No problems found" would be false when nothing could be checked.
    if format != Format::Human || outcome.read > 0 {
        write(end);
    }
    if format == Format::Human && !args.quiet {
        write(remote::summary::table(&rows));
    }
    let _ = stdout.flush();
    if !args.quiet && outcome.skipped_archived + outcome.skipped_forks > 0 {
        eprintln!(
            "tplint: left out {} archived repositories and {} forks (--include-archived, --include-forks)",
            outcome.skipped_archived, outcome.skipped_forks
        );
    }
    Ok(if outcome.read == 0 {
        eprintln!("tplint: no repository could be read");
        ExitCode::from(2)
    } else if outcome.totals.fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `check --fix` and `check --diff`: fix each repository in memory, then
/// write the files (or print the diff) and report what remains.
fn fix(
    args: &CheckArgs,
    options: &CheckOptions,
    format: Format,
    required: Applicability,
) -> Result<ExitCode, LoadError> {
    let mut renderer = Renderer::new(format, use_color(args.color), args.quiet);
    let mut out = String::new();
    let mut totals = Totals::default();
    let (mut applied, mut changed, mut left, mut risky) = (0, 0, 0, 0);
    let mut unwritten = false;
    if !args.diff {
        out.push_str(&renderer.begin());
    }
    for (prefix, root) in lint::roots(&args.paths)? {
        let outcome = tplint::fix::run::fix_repository(&root, prefix.clone(), options, required)?;
        for file in &outcome.files {
            if args.diff {
                let display = format!("{prefix}{}", file.path);
                out.push_str(&tplint::fix::run::unified_diff(
                    &display,
                    &file.original,
                    &file.fixed,
                ));
            } else if let Err(error) = tplint::fix::run::write_fixed(&root, file) {
                eprintln!("{:?}", miette::Report::new(error));
                unwritten = true;
            }
        }
        applied += outcome.applied;
        changed += outcome.files.len();
        left += outcome.left;
        risky += outcome
            .report
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.applies(Applicability::Unsafe) && !f.applies(required))
            .count();
        totals.add(&outcome.report);
        if !args.diff {
            let chunk = renderer.repo(&outcome.report);
            out.push_str(&renderer.emit(chunk));
        }
    }
    if !args.diff {
        out.push_str(&renderer.finish(&totals));
    }
    print(&out);
    if !args.quiet {
        let verb = if args.diff { "would fix" } else { "fixed" };
        let files = if changed == 1 { "file" } else { "files" };
        let mut summary = format!("tplint: {verb} {applied} finding(s) in {changed} {files}");
        if left > 0 {
            summary.push_str(&format!(
                "; {left} fix(es) not applied because their edits overlap others or would break the file together with them"
            ));
        }
        if risky > 0 {
            summary.push_str(&format!(
                "; {risky} unsafe fix(es) available with `--unsafe-fixes`"
            ));
        }
        eprintln!("{summary}");
    }
    if unwritten {
        return Ok(ExitCode::from(2));
    }
    let fails = if args.diff { changed > 0 } else { totals.fails };
    Ok(if fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn server() -> Result<ExitCode, LoadError> {
    tplint::server::run_stdio().map_err(|error| LoadError::Usage(error.to_string()))?;
    Ok(ExitCode::SUCCESS)
}

fn suggest(
    path: Option<PathBuf>,
    format: Option<SuggestFormat>,
    index_args: &IndexArgs,
) -> Result<ExitCode, LoadError> {
    let indexes = indexes(index_args)?;
    let start = match path {
        Some(path) => path,
        None => std::env::current_dir().map_err(|source| LoadError::Io {
            path: ".".into(),
            source,
        })?,
    };
    let root = tplint::discover::repository_root(&start)?;
    let mut repo = Repository::load(&root, &LoadOptions::default())?;
    let facts = Facts::derive_reading(&mut repo);
    let records = indexes.map(|indexes| {
        let wants = tplint::online::record::Wants {
            as_publisher: true,
            undeclared: true,
            provenance: true,
        };
        let answers = tplint::online::record::ask(&indexes, &repo, &facts, wants);
        tplint::online::record::attach(answers, &mut repo)
    });
    let suggestions = tplint::suggest::suggestions(&repo, &facts, records.as_ref());
    let output = match format.unwrap_or(SuggestFormat::Human) {
        SuggestFormat::Json => tplint::suggest::render_json(&suggestions),
        SuggestFormat::Human => {
            tplint::suggest::render_human(&repo, &suggestions, records.as_ref())
        }
    };
    print(&output);
    Ok(ExitCode::SUCCESS)
}

/// The API connection for `--online`; `None` (and no network use) without it.
fn online(args: &CheckArgs) -> Result<Option<Arc<GitHub>>, LoadError> {
    if !args.indexes.online {
        return Ok(None);
    }
    let base = api_base(
        "--github-api-url",
        &args.github_api_url,
        online::DEFAULT_API_URL,
    )?;
    Ok(Some(Arc::new(online::connect(base, Token::from_env()))))
}

/// PyPI and TestPyPI for `--online`; `None` (and no network use) without it.
fn indexes(args: &IndexArgs) -> Result<Option<Arc<Indexes>>, LoadError> {
    if !args.online {
        return Ok(None);
    }
    let pypi = api_base("--pypi-url", &args.pypi_url, pypi::DEFAULT_PYPI_URL)?;
    let testpypi = api_base(
        "--testpypi-url",
        &args.testpypi_url,
        pypi::DEFAULT_TESTPYPI_URL,
    )?;
    Ok(Some(Arc::new(Indexes::connect(pypi, testpypi))))
}

/// The URL given with `flag` (`default` when empty), if it is an http(s) URL.
fn api_base<'a>(flag: &str, url: &'a str, default: &'a str) -> Result<&'a str, LoadError> {
    let url = match url.trim() {
        "" => default,
        url => url,
    };
    online::api_base(flag, url).map_err(LoadError::Usage)
}

fn explain(name: &str) -> Result<ExitCode, LoadError> {
    let rule = catalogue::lookup(name).ok_or_else(|| {
        LoadError::Usage(format!(
            "unknown rule `{name}`; `tplint rules` lists every rule"
        ))
    })?;
    print(rule.doc);
    Ok(ExitCode::SUCCESS)
}

fn list_rules() -> String {
    let mut out = String::new();
    let mut family = "";
    for rule in catalogue::RULES {
        if rule.family() != family {
            family = rule.family();
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("# {family}\n"));
        }
        out.push_str(&format!(
            "{}  {:<36} {:<8} {}\n",
            rule.code, rule.name, rule.severity, rule.summary
        ));
    }
    out
}
