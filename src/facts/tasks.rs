//! How a shell command runs other files of the repository — a script,
//! `make TARGET`, `tox -e ENV`, `just RECIPE`, an interpreter script — and
//! just enough of Makefiles, tox configurations and justfiles to list the
//! command lines a target, environment or recipe runs. Nothing is executed.

use std::collections::{HashMap, HashSet};

use crate::source::Span;

/// What a command runs besides itself.
#[derive(Debug, PartialEq, Eq)]
pub enum Runs<'w> {
    /// `bash -c '...'`: more shell text.
    Inline(&'w str),
    /// A program whose effect tplint cannot read: a Python/Node/... script,
    /// nox, invoke, a project-defined `hatch run`/`npm run` script.
    Interpreter {
        program: String,
        file: Option<String>,
    },
    /// A shell script of the repository (`bash x`, `./x`, `source x`).
    Script(&'w str),
    Make {
        file: Option<&'w str>,
        dir: Option<&'w str>,
        targets: Vec<&'w str>,
        assignments: Vec<(String, String)>,
    },
    Tox {
        config: Option<&'w str>,
        envs: Vec<String>,
    },
    Just {
        recipes: Vec<&'w str>,
    },
    /// `rake TASK` (or `bundle exec rake TASK`): the tasks of the
    /// Rakefile in the working folder, or of `-f FILE`.
    Rake {
        file: Option<&'w str>,
        tasks: Vec<&'w str>,
    },
    /// `dart run grinder TASK...`: the tasks of `tool/grind.dart`
    /// ([`super::grinder`]).
    Grinder {
        tasks: Vec<&'w str>,
    },
    /// `npm run x`, `pnpm run x`, `yarn run x`: a script of the
    /// `package.json` in the working folder.
    PackageScript {
        runner: &'static str,
        script: &'w str,
        /// The arguments the runner passes on to the script, appended to
        /// its line: npm's positional words and those after `--`
        /// (docs.npmjs.com/cli/commands/npm-run-script: "Any positional
        /// arguments are passed to the specified script"), every word after
        /// the name for pnpm and Yarn (pnpm.io/cli/run: "Any options after
        /// the script's name are passed to the executed script").
        args: Vec<&'w str>,
    },
}

/// The tasks a Grinder command line runs ([`super::grinder`]): its words that are not options
/// (`dart run grinder protobuf pkg-pub-deploy`). `None` for a command that
/// is not grinder.
fn grinder_invocation(words: &[String]) -> Option<Vec<&str>> {
    let program = super::shell::last_component(words.first()?);
    let rest = match (program, &words[1..]) {
        ("grind", rest) => rest,
        ("dart" | "flutter", [pub_, run, grinder, rest @ ..])
            if pub_ == "pub" && run == "run" && grinder == "grinder" =>
        {
            rest
        }
        ("dart" | "flutter", [run, script, rest @ ..])
            if run == "run" && (script == "grinder" || is_grind_file(script)) =>
        {
            rest
        }
        ("dart", [script, rest @ ..]) if is_grind_file(script) => rest,
        ("pub", [run, grinder, rest @ ..]) if run == "run" && grinder == "grinder" => rest,
        _ => return None,
    };
    Some(
        rest.iter()
            .map(String::as_str)
            .filter(|w| !w.starts_with('-'))
            .collect(),
    )
}

fn is_grind_file(word: &str) -> bool {
    word.trim_start_matches("./") == "tool/grind.dart"
}

/// Shells whose script argument is read as shell text.
const SHELLS: &[&str] = &["bash", "sh", "zsh", "dash", "ksh"];

/// Interpreters of other languages: their scripts are opaque.
const INTERPRETERS: &[&str] = &[
    "node", "tsx", "ts-node", "zx", "ruby", "perl", "php", "deno", "bun", "Rscript",
    // `raku [switches] [--] [programfile] [arguments]` (raku(1), rakudo
    // docs/running.pod; evilmartians/lefthook's packaging/scripts/publish.raku).
    "raku",
];

/// Extensions of scripts in languages tplint does not read.
const FOREIGN_EXTENSIONS: &[&str] = &[
    ".py", ".js", ".mjs", ".cjs", ".ts", ".rb", ".pl", ".php", ".r", ".R",
];

/// Release tools whose publishing tplint reads itself (from the publish
/// tables), so that running them through `npx` is not opaque.
pub const RELEASE_TOOLS: &[&str] = &["changeset", "semantic-release", "release-it"];

/// Release tools with other commands too, read only for the one that
/// publishes (`lerna publish`, `nx release`); their other commands run
/// the project's own scripts and targets.
pub const RELEASE_TOOL_COMMANDS: &[(&str, &str)] = &[("lerna", "publish"), ("nx", "release")];

/// Whether `words` (after a runner such as `npx`) start a release tool
/// tplint reads.
pub fn starts_release_tool<T: AsRef<str>>(words: &[T]) -> bool {
    let Some(first) = words.first().map(AsRef::as_ref) else {
        return false;
    };
    let tool = first.split('@').next().unwrap_or(first);
    if first.starts_with('@') {
        return false;
    }
    RELEASE_TOOLS.contains(&tool)
        || RELEASE_TOOL_COMMANDS.iter().any(|(program, command)| {
            *program == tool && words.get(1).map(AsRef::as_ref) == Some(*command)
        })
}

/// Task runners whose definitions are code (Python) or that tplint does
/// not read: running them is opaque.
const OPAQUE_RUNNERS: &[&str] = &["nox", "invoke", "inv", "doit", "poe", "npx"];

/// `python -m MODULE` for modules that are tools with known effect (their
/// uploads, if any, are read as commands elsewhere): not opaque.
const KNOWN_MODULES: &[&str] = &[
    "build",
    "twine",
    "pip",
    "venv",
    "virtualenv",
    "ensurepip",
    "pytest",
    "unittest",
    "doctest",
    "coverage",
    "mypy",
    "ruff",
    "black",
    "isort",
    "flake8",
    "pylint",
    "sphinx",
    "mkdocs",
    "towncrier",
    "check_manifest",
    "pipx",
    "wheel",
    "auditwheel",
    "delocate",
    "setuptools_scm",
    "cibuildwheel",
    "uv",
    "hatch",
    "flit",
    "pdm",
    "poetry",
    "maturin",
    "pre_commit",
    "json.tool",
    "http.server",
    "zipfile",
    "tarfile",
    "compileall",
    "py_compile",
    "pip_audit",
    "sigstore",
    "pypi_attestations",
    "bumpversion",
    "bump2version",
    "bumpver",
    "tox",
];

/// Tools that `uv run`, `pdm run`, `hatch run`, `poetry run` and friends
/// commonly start and whose effect is known; anything else they start is
/// a project-defined script or entry point, which is opaque.
const KNOWN_TOOLS: &[&str] = &[
    "pytest",
    "twine",
    "build",
    "pyproject-build",
    "pip",
    "ruff",
    "mypy",
    "black",
    "isort",
    "flake8",
    "pylint",
    "pyright",
    "sphinx-build",
    "mkdocs",
    "coverage",
    "towncrier",
    "pre-commit",
    "maturin",
    "uv",
    "hatch",
    "flit",
    "pdm",
    "poetry",
    "cibuildwheel",
    "check-wheel-contents",
    "check-manifest",
    "git",
    "echo",
];

fn base(program: &str) -> &str {
    super::shell::last_component(program)
}

/// Whether `word` names the JSR package that publishes on a tag
/// (`jsr:@david/publish-on-tag`, with or without a version).
pub fn is_publish_on_tag(word: &str) -> bool {
    let package = crate::registry::jsr::PUBLISH_ON_TAG;
    word.strip_prefix(package)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('@'))
}

pub fn is_python(program: &str) -> bool {
    let name = base(program);
    name == "py"
        || name
            .strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_variable(word: &str) -> bool {
    word.starts_with('$')
}

/// What `words` (a command with wrappers such as `sudo` removed) runs.
pub fn what_runs(words: &[String]) -> Option<Runs<'_>> {
    let program = words.first()?.as_str();
    // `pn run build` is `pnpm run build` (`registry::npm::SHORT_NAMES`).
    let name = crate::registry::npm::long_name(base(program));
    let args = &words[1..];
    if SHELLS.contains(&name) {
        return shell_invocation(args);
    }
    if matches!(program, "source" | ".") {
        // A virtual environment's activation script (`python -m venv`,
        // `virtualenv`, `uv venv` write it in the folder they are given)
        // only puts the environment's `bin` first on `PATH`; it runs
        // nothing of the project. Only the usual folder names, or one
        // outside the repository (a variable, an absolute or home path):
        // a `bin/activate` of the repository's own is its code.
        let activates = |p: &str| {
            let p = p.strip_prefix("./").unwrap_or(p);
            p.strip_suffix("/bin/activate").is_some_and(|folder| {
                matches!(folder, ".venv" | "venv" | ".env" | "env" | ".virtualenv")
                    || folder.starts_with(['$', '/', '~'])
            })
        };
        return args
            .first()
            .filter(|p| !activates(p))
            .map(|p| Runs::Script(p.as_str()));
    }
    if matches!(name, "make" | "gmake") || matches!(program, "$(MAKE)" | "${MAKE}") {
        return Some(make_invocation(args));
    }
    if name == "tox" {
        return Some(tox_invocation(args));
    }
    if name == "rake" {
        return rake_invocation(args);
    }
    if POWERSHELLS.iter().any(|p| name.eq_ignore_ascii_case(p)) {
        return powershell_invocation(args);
    }
    // `Import-Module ./build/Release.psm1`: the module's code, read as
    // its script.
    if name.eq_ignore_ascii_case("Import-Module") {
        let path = args
            .iter()
            .find(|w| !w.starts_with('-'))
            .filter(|w| is_powershell_file(w) && !is_variable(w))?;
        return Some(Runs::Script(path.as_str()));
    }
    // `bundle exec ruby script/release.rb`: a Ruby script under Bundler.
    if name == "bundle"
        && args.first().is_some_and(|w| w == "exec")
        && args.get(1).is_some_and(|w| base(w) == "ruby")
    {
        return what_runs(&args[1..]);
    }
    // `bundle exec rake ...`: rake under Bundler; `gem exec rake ...`:
    // RubyGems' own runner of a gem's executable (RubyGems 3.5,
    // dependabot/dependabot-core's gem release workflow).
    if matches!(name, "bundle" | "gem")
        && args.first().is_some_and(|w| w == "exec")
        && args.get(1).is_some_and(|w| base(w) == "rake")
    {
        return rake_invocation(&args[2..]);
    }
    if name == "just" {
        let recipes = args
            .iter()
            .map(String::as_str)
            .filter(|w| !w.starts_with('-') && !w.contains('='))
            .take(1)
            .collect();
        return Some(Runs::Just { recipes });
    }
    if is_python(program) {
        return python_invocation(program, args);
    }
    if let Some(tasks) = grinder_invocation(words) {
        return Some(Runs::Grinder { tasks });
    }
    // deno's own tools, which run none of the repository's code: `deno
    // publish` (an upload `registry::jsr` knows), the formatter, the linter,
    // the type checker, the documentation generator
    // (https://docs.deno.com/runtime/reference/cli/).
    if name == "deno"
        && args
            .iter()
            .find(|w| !w.starts_with('-'))
            .is_some_and(|w| matches!(w.as_str(), "publish" | "fmt" | "lint" | "check" | "doc"))
    {
        return None;
    }
    // `deno run -A jsr:@david/publish-on-tag`: `deno publish` on a tag
    // (`registry::jsr::PUBLISH_ON_TAG`), read as an upload.
    if name == "deno" && args.iter().any(|w| is_publish_on_tag(w)) {
        return None;
    }
    // `bun publish`: an upload `registry::npm` knows, not a script.
    if name == "bun"
        && args
            .iter()
            .find(|w| !w.starts_with('-'))
            .is_some_and(|w| w == "publish")
    {
        return None;
    }
    if INTERPRETERS.contains(&name) {
        let file = args.iter().find(|w| !w.starts_with('-'))?;
        return Some(Runs::Interpreter {
            program: name.to_string(),
            file: Some(file.clone()),
        });
    }
    // `npx npm@11 publish`, `npx pnpm ...`: a package manager, read as such;
    // `npx jsr publish`: JSR's CLI, whose publish is a known upload
    // (`registry::jsr`).
    let runs_package_manager = name == "npx"
        && super::shell::skip_runner_options(args)
            .first()
            .is_some_and(|w| {
                let tool = w.split('@').next().unwrap_or(w);
                !w.starts_with('@') && matches!(tool, "npm" | "pnpm" | "yarn" | "jsr")
            });
    // `npx changeset ...`: a release tool tplint reads as a publish site.
    let runs_release_tool =
        name == "npx" && starts_release_tool(super::shell::skip_runner_options(args));
    // `npx tsx scripts/release.ts`: a script of the repository, opaque but
    // named (an Nx release script is read for its `releasePublish()`).
    if name == "npx" {
        let rest = super::shell::skip_runner_options(args);
        if let [runner, script, ..] = rest
            && matches!(runner.as_str(), "tsx" | "ts-node" | "node")
            && !script.starts_with('-')
        {
            return Some(Runs::Interpreter {
                program: runner.clone(),
                file: Some(script.clone()),
            });
        }
    }
    if OPAQUE_RUNNERS.contains(&name) && !runs_package_manager && !runs_release_tool {
        return Some(Runs::Interpreter {
            program: words.iter().take(3).cloned().collect::<Vec<_>>().join(" "),
            file: None,
        });
    }
    if matches!(
        name,
        "uv" | "pdm" | "hatch" | "poetry" | "rye" | "pixi" | "pipx" | "npm" | "yarn" | "pnpm"
    ) && args.first().is_some_and(|w| w == "run")
    {
        return runner_invocation(name, &args[1..]);
    }
    // `pnpm release`, `pnpm changes:publish`: pnpm runs a script by its
    // name alone when no command of its own has that name
    // (`registry::npm::PNPM_COMMANDS`; remix-run/react-router's and
    // angular-eslint/angular-eslint's release workflows). The walk follows
    // it only when the `package.json` defines the script: otherwise pnpm
    // runs a program of that name.
    if name == "pnpm"
        && args.first().is_some_and(|w| {
            !w.starts_with('-')
                && !w.contains(['=', '$', '/'])
                && !crate::registry::npm::is_pnpm_command(w)
        })
    {
        return runner_invocation(name, args);
    }
    // Yarn does the same (`yarn publish:all`: DataDog/datadog-ci's
    // publish-release.yml), with its own commands
    // (`registry::npm::YARN_COMMANDS`).
    if name == "yarn"
        && args.first().is_some_and(|w| {
            !w.starts_with('-')
                && !w.contains(['=', '$', '/'])
                && !crate::registry::npm::is_yarn_command(w)
        })
    {
        return runner_invocation(name, args);
    }
    if program.contains('/')
        && !is_variable(program)
        && !program.starts_with('/')
        && !program.contains("://")
        && !program.contains(['=', '(', '`'])
    {
        if FOREIGN_EXTENSIONS.iter().any(|e| program.ends_with(e)) {
            return Some(Runs::Interpreter {
                program: program.to_string(),
                file: Some(program.to_string()),
            });
        }
        return Some(Runs::Script(program));
    }
    None
}

/// PowerShell's programs.
const POWERSHELLS: &[&str] = &["pwsh", "powershell", "pwsh.exe", "powershell.exe"];

/// Whether a path names a PowerShell script or module.
pub fn is_powershell_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".ps1") || lower.ends_with(".psm1")
}

/// `pwsh -File x.ps1`, `pwsh ./x.ps1` (a script of the repository, read
/// with the shell reader, which knows PowerShell's line continuations),
/// `pwsh -Command "..."` (more text); an encoded command or another
/// working directory is opaque (`pwsh -Help`: about_Pwsh).
fn powershell_invocation(args: &[String]) -> Option<Runs<'_>> {
    const VALUE_OPTIONS: &[&str] = &[
        "-executionpolicy",
        "-ep",
        "-ex",
        "-configurationname",
        "-config",
        "-outputformat",
        "-o",
        "-of",
        "-inputformat",
        "-inp",
        "-if",
        "-windowstyle",
        "-w",
        "-settingsfile",
        "-settings",
        "-custompipename",
    ];
    let mut iter = args.iter();
    while let Some(word) = iter.next() {
        let lower = word.to_ascii_lowercase();
        match lower.as_str() {
            "-file" | "-f" => {
                return iter.next().map(|p| Runs::Script(p.as_str()));
            }
            "-command" | "-c" => return iter.next().map(|t| Runs::Inline(t.as_str())),
            "-encodedcommand" | "-e" | "-ec" | "-workingdirectory" | "-wd" => {
                return Some(Runs::Interpreter {
                    program: format!("pwsh {word}"),
                    file: None,
                });
            }
            w if VALUE_OPTIONS.contains(&w) => {
                iter.next();
            }
            w if w.starts_with('-') => {}
            _ if is_powershell_file(word) => return Some(Runs::Script(word.as_str())),
            // Positional text is a command (`pwsh "Write-Host x"`).
            _ => return Some(Runs::Inline(word.as_str())),
        }
    }
    None
}

fn shell_invocation(args: &[String]) -> Option<Runs<'_>> {
    let mut iter = args.iter();
    while let Some(word) = iter.next() {
        match word.as_str() {
            "-c" => return iter.next().map(|t| Runs::Inline(t.as_str())),
            "-o" | "+o" | "-O" | "+O" => {
                iter.next();
            }
            w if w.starts_with('-') || w.starts_with('+') => {
                let cluster = !w.starts_with("--") && w.len() > 1;
                if cluster && w[1..].contains('c') {
                    return iter.next().map(|t| Runs::Inline(t.as_str()));
                }
                if cluster && w[1..].contains(['o', 'O']) {
                    iter.next(); // `-eo pipefail`: the option's value
                }
            }
            w => return Some(Runs::Script(w)),
        }
    }
    None
}

fn make_invocation(args: &[String]) -> Runs<'_> {
    let mut file = None;
    let mut dir = None;
    let mut targets = Vec::new();
    let mut assignments = Vec::new();
    let mut iter = args.iter().peekable();
    while let Some(word) = iter.next() {
        let w = word.as_str();
        match w {
            "-f" | "--file" | "--makefile" => file = iter.next().map(String::as_str),
            "-C" | "--directory" => dir = iter.next().map(String::as_str),
            "-j" | "--jobs" | "-l" | "--load-average" => {
                if iter.peek().is_some_and(|n| n.parse::<f64>().is_ok()) {
                    iter.next();
                }
            }
            "-I" | "--include-dir" | "-o" | "-W" => {
                iter.next();
            }
            _ if w.starts_with("--file=") || w.starts_with("--makefile=") => {
                file = w.split_once('=').map(|(_, v)| v);
            }
            _ if w.starts_with("--directory=") => dir = w.split_once('=').map(|(_, v)| v),
            _ if w.starts_with('-') => {}
            _ => match w.split_once('=') {
                Some((name, value)) if !name.is_empty() && !name.contains('/') => {
                    assignments.push((name.to_string(), value.to_string()));
                }
                _ => targets.push(w),
            },
        }
    }
    Runs::Make {
        file,
        dir,
        targets,
        assignments,
    }
}

/// Rake's options that take a value (`rake --help`).
const RAKE_VALUE_OPTIONS: &[&str] = &[
    "-f",
    "--rakefile",
    "-r",
    "--require",
    "-I",
    "--libdir",
    "-R",
    "--rakelibdir",
    "-C",
    "--directory",
    "-E",
    "--execute-continue",
    "-e",
    "--execute",
    "-p",
    "--execute-print",
    "-j",
    "--jobs",
];

/// `rake` and its arguments. Its publishing tasks (bundler's `release`)
/// are publish sites of their own (`registry::rubygems`), not followed
/// here; `-e`/`-C`/`-R` leave what runs unknown (`None` is not returned
/// then: the runner is opaque).
fn rake_invocation(args: &[String]) -> Option<Runs<'_>> {
    let publishing: Vec<&str> = crate::registry::publishing::command_uploaders()
        .filter(|t| t.program == "rake")
        .flat_map(|t| t.subcommands.iter().copied())
        .collect();
    let mut file = None;
    let mut tasks = Vec::new();
    let mut iter = args.iter();
    while let Some(word) = iter.next() {
        let w = word.as_str();
        if matches!(
            w,
            "-e" | "--execute"
                | "-p"
                | "--execute-print"
                | "-E"
                | "--execute-continue"
                | "-C"
                | "--directory"
                | "-R"
                | "--rakelibdir"
                | "-g"
                | "--system"
        ) {
            return Some(Runs::Interpreter {
                program: format!("rake {w}"),
                file: None,
            });
        }
        if matches!(w, "-f" | "--rakefile") {
            file = iter.next().map(String::as_str);
            continue;
        }
        if let Some(path) = w.strip_prefix("--rakefile=") {
            file = Some(path);
            continue;
        }
        if w.starts_with('-') {
            if RAKE_VALUE_OPTIONS.contains(&w) {
                iter.next();
            }
            continue;
        }
        if w.contains('=') && !w.contains('[') {
            continue; // `VAR=value`: an environment variable for the tasks
        }
        let task = w.split_once('[').map_or(w, |(name, _)| name);
        if !publishing.contains(&task) {
            tasks.push(task);
        }
    }
    // Only publishing tasks, read as publish sites: nothing more to follow.
    if tasks.is_empty()
        && args
            .iter()
            .any(|w| publishing.contains(&w.split('[').next().unwrap_or(w)))
    {
        return None;
    }
    Some(Runs::Rake { file, tasks })
}

fn tox_invocation(args: &[String]) -> Runs<'_> {
    let mut config = None;
    let mut envs = Vec::new();
    let mut iter = args.iter();
    while let Some(word) = iter.next() {
        let w = word.as_str();
        let mut add = |list: &str| {
            envs.extend(
                list.split(',')
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_string),
            );
        };
        match w {
            "-e" | "--env" => {
                if let Some(list) = iter.next() {
                    add(list);
                }
            }
            "-c" | "--conf" | "--configfile" => config = iter.next().map(String::as_str),
            "--" => break,
            _ if w.starts_with("-e") && w.len() > 2 => add(w[2..].trim_start_matches('=')),
            _ if w.starts_with("--env=") => add(&w["--env=".len()..]),
            _ => {}
        }
    }
    Runs::Tox { config, envs }
}

fn python_invocation<'w>(program: &str, args: &'w [String]) -> Option<Runs<'w>> {
    let mut iter = args.iter().enumerate();
    while let Some((at, word)) = iter.next() {
        match word.as_str() {
            "-m" => {
                let module = args.get(at + 1)?;
                if module == "tox" {
                    return Some(tox_invocation(&args[at + 2..]));
                }
                if KNOWN_MODULES.contains(&module.as_str()) {
                    return None;
                }
                return Some(Runs::Interpreter {
                    program: format!("{} -m {module}", base(program)),
                    file: None,
                });
            }
            "-c" => return None,
            "-W" | "-X" => {
                iter.next();
            }
            w if w.starts_with('-') => {}
            w => {
                return Some(Runs::Interpreter {
                    program: base(program).to_string(),
                    file: Some(w.to_string()),
                });
            }
        }
    }
    None
}

fn runner_invocation<'w>(runner: &str, rest: &'w [String]) -> Option<Runs<'w>> {
    // Options that pick another package's scripts keep them unread.
    let elsewhere = rest.iter().any(|w| {
        let name = w.split('=').next().unwrap_or(w);
        matches!(
            name,
            "-w" | "--workspace"
                | "--workspaces"
                | "-ws"
                | "--prefix"
                | "-C"
                | "--dir"
                | "--filter"
                | "-F"
                | "-r"
                | "--recursive"
                | "--cwd"
        )
    });
    // Options of the runner before the command (`uv run --with x cmd`).
    let rest = super::shell::skip_runner_options(rest);
    if rest.first().is_some_and(|w| w == "-m") {
        // `uv run -m module`: as `python -m module`.
        return python_invocation("python", rest);
    }
    let command = rest.first()?;
    if matches!(runner, "npm" | "yarn" | "pnpm") && !elsewhere && !command.starts_with('-') {
        let runner = match runner {
            "npm" => "npm",
            "yarn" => "yarn",
            _ => "pnpm",
        };
        let rest = &rest[1..];
        let args = match runner {
            // npm's own options may take the next word as their value
            // (`--tag next`): only the positional words before the first
            // option, and every word after `--`.
            "npm" => {
                let (before, after) = match rest.iter().position(|w| w == "--") {
                    Some(at) => (&rest[..at], &rest[at + 1..]),
                    None => (rest, &rest[rest.len()..]),
                };
                before
                    .iter()
                    .take_while(|w| !w.starts_with('-'))
                    .chain(after)
                    .map(String::as_str)
                    .collect()
            }
            _ => rest
                .iter()
                .skip_while(|w| *w == "--")
                .map(String::as_str)
                .collect(),
        };
        return Some(Runs::PackageScript {
            runner,
            script: command,
            args,
        });
    }
    if matches!(runner, "npm" | "yarn" | "pnpm") {
        return Some(Runs::Interpreter {
            program: format!("{runner} run {command}"),
            file: None,
        });
    }
    if let Some(runs) = what_runs(rest) {
        return Some(runs);
    }
    let name = base(command);
    if KNOWN_TOOLS.contains(&name) || is_python(command) || SHELLS.contains(&name) {
        return None;
    }
    Some(Runs::Interpreter {
        program: format!("{runner} run {command}"),
        file: None,
    })
}

/// The lines `runner run <wanted>` runs from a `package.json`: the script,
/// with npm also its `pre<name>` and `post<name>` scripts (npm
/// docs/lib/content/using-npm/scripts.md "Pre & Post Scripts"; pnpm and
/// Yarn 2+ do not run them by default). The span of each line is its JSON
/// string in the file.
pub fn package_scripts<'a>(text: &'a str, runner: &str, wanted: &[&str]) -> Recipes<'a> {
    PackageScripts::parse(text).recipes(runner, wanted)
}

/// The `scripts` of a `package.json`, parsed once for every `npm run` of
/// it that a repository's jobs reach.
#[derive(Debug)]
pub struct PackageScripts {
    /// `None` when the file is not a JSON object.
    scripts: Option<Option<serde_json::Map<String, serde_json::Value>>>,
    /// Where each script's value is written.
    spans: Vec<(String, Span)>,
}

impl PackageScripts {
    pub fn parse(text: &str) -> Self {
        // The whole file must be a JSON object, but only `scripts` is built
        // into values: `package.json` files can be long.
        if !text.trim_start().starts_with('{')
            || serde_json::from_str::<serde::de::IgnoredAny>(text).is_err()
        {
            return Self {
                scripts: None,
                spans: Vec::new(),
            };
        }
        let scripts_at = crate::manifest::top_level_keys(text)
            .into_iter()
            .rfind(|(key, ..)| key == "scripts")
            .map(|(_, _, value)| value);
        let scripts_text = scripts_at.and_then(|value| text.get(value.range()));
        let scripts = scripts_text.and_then(|object| serde_json::from_str(object).ok());
        let spans = match (scripts_at, scripts_text) {
            (Some(value), Some(object)) => crate::manifest::top_level_keys(object)
                .into_iter()
                .map(|(key, _, v)| (key, Span::new(value.start + v.start, value.start + v.end)))
                .collect(),
            _ => Vec::new(),
        };
        Self {
            scripts: Some(scripts),
            spans,
        }
    }

    /// The lines `runner run <wanted>` runs ([`package_scripts`]).
    pub fn recipes<'a>(&self, runner: &str, wanted: &[&str]) -> Recipes<'a> {
        self.recipes_with(runner, wanted, &[])
    }

    /// The lines `runner run <wanted> <args>` runs: `args` appended to the
    /// script's own line (not to its `pre`/`post` scripts).
    pub fn recipes_with<'a>(&self, runner: &str, wanted: &[&str], args: &[&str]) -> Recipes<'a> {
        let mut recipes = Recipes::default();
        let Some(scripts) = &self.scripts else {
            recipes.opaque = true;
            return recipes;
        };
        let scripts = scripts.as_ref();
        for name in wanted {
            let mut names = vec![name.to_string()];
            if runner == "npm" {
                names.insert(0, format!("pre{name}"));
                names.push(format!("post{name}"));
            }
            for script in &names {
                match scripts.and_then(|s| s.get(script.as_str())) {
                    Some(serde_json::Value::String(line)) => {
                        let span = self
                            .spans
                            .iter()
                            .find(|(key, _)| key == script)
                            .map_or(Span::empty(0), |(_, span)| *span);
                        let mut text = line.clone();
                        if script == name {
                            for arg in args {
                                text.push(' ');
                                text.push_str(&shell_quoted(arg));
                            }
                        }
                        recipes.lines.push(RecipeLine {
                            span,
                            text,
                            cwd: None,
                        });
                    }
                    Some(_) => recipes.opaque = true,
                    None if script == name => recipes.missing.push(name.to_string()),
                    None => {}
                }
            }
        }
        recipes
    }
}

/// `word` as one shell word: as it is when it holds no character the
/// shell reads, else in single quotes (a runner passes each argument on
/// as one word, as npm and melos do).
pub fn shell_quoted(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The interpreter named by a script's shebang when it is not a shell.
pub fn non_shell_interpreter(text: &str) -> Option<&'static str> {
    let first = text.lines().next()?;
    let shebang = first.strip_prefix("#!")?;
    let words: Vec<&str> = shebang.split_whitespace().collect();
    let program = match words.as_slice() {
        [env, rest @ ..] if base(env) == "env" => {
            rest.iter().find(|w| !w.starts_with('-')).copied()?
        }
        [program, ..] => program,
        [] => return None,
    };
    let name = base(program);
    if is_python(name) || name.starts_with("python") || name == "uv" {
        return Some("Python");
    }
    match name {
        // PowerShell scripts are read with the shell reader.
        "pwsh" | "powershell" => None,
        "node" | "deno" | "bun" => Some("JavaScript"),
        "ruby" => Some("Ruby"),
        "perl" => Some("Perl"),
        "php" => Some("PHP"),
        n if SHELLS.contains(&n) => None,
        _ => Some("non-shell"),
    }
}

/// One command line of a recipe, as shell text, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipeLine {
    pub span: Span,
    pub text: String,
    /// A working directory the runner sets for it (tox `change_dir`).
    pub cwd: Option<String>,
}

/// The tasks Bundler's `bundler/gem_tasks` defines (rubygems/rubygems
/// `bundler/lib/bundler/gem_helper.rb` `install`): `release` and
/// `release:rubygem_push` run `gem push` (read as `rake release`, a
/// publish site of `registry::rubygems`); the others build, install or tag.
const BUNDLER_GEM_TASKS: &[&str] = &[
    "build",
    "build:checksum",
    "install",
    "install:local",
    "release",
    "release:guard_clean",
    "release:source_control_push",
    "release:rubygem_push",
];

/// Libraries' classes that define a Rake task running the tests, and the
/// task's name when none is given: rake's `lib/rake/testtask.rb`
/// (`initialize(name = :test)`), rspec-core's `lib/rspec/core/rake_task.rb`
/// (`:spec`), minitest's `lib/minitest/test_task.rb` (`:test`).
const TEST_TASK_CLASSES: &[(&str, &str)] = &[
    ("Rake::TestTask.new", "test"),
    ("RSpec::Core::RakeTask.new", "spec"),
    ("Minitest::TestTask.create", "test"),
];

/// The task a test-task line defines (`Rake::TestTask.new(:unit) do |t|`):
/// the symbol given first, else the class's default name.
fn test_task_name(line: &str) -> Option<String> {
    let (class, default) = TEST_TASK_CLASSES
        .iter()
        .find(|(class, _)| line.starts_with(class))?;
    let rest = line[class.len()..].trim_start();
    let rest = rest.strip_prefix('(').unwrap_or(rest).trim_start();
    Some(match ruby_symbol(rest) {
        Some((name, _))
            if rest.starts_with(':') || rest.starts_with('"') || rest.starts_with('\'') =>
        {
            name
        }
        _ => default.to_string(),
    })
}

/// Bundler's gem tasks that push the gem: `rake release` and
/// `release:rubygem_push` (`registry::rubygems`).
const RAKE_PUBLISHING_TASKS: &[&str] = &["release", "release:rubygem_push"];

/// The command lines the Rake tasks `wanted` (with their prerequisites,
/// first) run: each `sh`, `system` or backtick command of a task's block,
/// as shell text, with its span. Any other Ruby in a block, a command
/// built by interpolation (`sh "#{cmd}"`), or an `import`/`load` of other
/// files when a task is not found, makes the result opaque: Ruby may run
/// anything. A task Bundler's gem tasks define (`require
/// "bundler/gem_tasks"`) stands for `rake <task>`.
pub fn rake_recipes<'a>(text: &'a str, wanted: &[&str]) -> Recipes<'a> {
    rake_recipes_in(&[text], wanted).0
}

/// [`rake_recipes`] over a Rakefile and the files Rake loads after it
/// (`rakelib/*.rake`, in that order), which define and extend tasks as
/// one: the recipes, and for each line the index of the text it is in.
pub fn rake_recipes_in<'a>(texts: &[&'a str], wanted: &[&str]) -> (Recipes<'a>, Vec<usize>) {
    Rakefiles::parse(texts).recipes(wanted)
}

/// What [`rake_recipes_in`] reads of a Rakefile and the files Rake loads
/// after it, parsed once for every `rake` of them that a repository's jobs
/// reach.
#[derive(Debug)]
pub struct Rakefiles {
    tasks: HashMap<String, RakeTask>,
    /// Where `bundler/gem_tasks` is required: the index of the text and
    /// the span in it.
    gem_tasks: Option<(usize, Span)>,
    /// An `import`, `load` or `Dir[...]` of other files.
    imports: bool,
}

#[derive(Debug, Default)]
struct RakeTask {
    prerequisites: Vec<String>,
    lines: Vec<(usize, Span, String)>,
    opaque: bool,
}

impl Rakefiles {
    pub fn parse(texts: &[&str]) -> Self {
        let mut all: HashMap<String, RakeTask> = HashMap::new();
        let gem_tasks = texts.iter().any(|t| t.contains("bundler/gem_tasks"));
        let imports = texts.iter().any(|text| {
            text.lines().any(|l| {
                let l = l.trim_start();
                l.starts_with("import ")
                    || l.starts_with("load ")
                    || l.starts_with("Dir[")
                    || l.starts_with("Dir.glob")
            })
        });
        // Open blocks: for each, the task it belongs to (if a task block) and
        // the namespace it opens (if a namespace block).
        enum Block {
            Task(String),
            Namespace,
            Other,
        }
        for (part, text) in texts.iter().enumerate() {
            let mut stack: Vec<Block> = Vec::new();
            let mut namespaces: Vec<String> = Vec::new();
            let mut start = 0;
            for raw in text.split_inclusive('\n') {
                let line_start = start;
                start += raw.len();
                let line = raw.trim_end_matches(['\n', '\r']);
                let trimmed = line.trim();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                let indent = line.len() - line.trim_start().len();
                let current = stack.iter().rev().find_map(|b| match b {
                    Block::Task(name) => Some(name.clone()),
                    _ => None,
                });
                let opens_block = ruby_opens_block(trimmed);
                if trimmed == "end" || trimmed.starts_with("end ") || trimmed.starts_with("end.") {
                    if let Some(Block::Namespace) = stack.pop() {
                        namespaces.pop();
                    }
                    continue;
                }
                if let Some(name) = current {
                    // Inside a task's block: commands, or Ruby tplint does not read.
                    let task = all.entry(name).or_default();
                    match ruby_command(trimmed) {
                        RubyLine::Command(command) => {
                            let at = line_start + indent;
                            task.lines
                                .push((part, Span::new(at, at + trimmed.len()), command));
                        }
                        RubyLine::Invoke(other) => task.prerequisites.push(other),
                        RubyLine::Inert => {}
                        RubyLine::Other => task.opaque = true,
                    }
                    if opens_block {
                        stack.push(Block::Other);
                    }
                    continue;
                }
                if let Some(name) = trimmed
                    .strip_prefix("namespace ")
                    .or_else(|| trimmed.strip_prefix("namespace("))
                    .and_then(|rest| ruby_symbol(rest).map(|(n, _)| n))
                {
                    namespaces.push(name);
                    stack.push(Block::Namespace);
                    continue;
                }
                // A test task of a library (`Rake::TestTask.new`): it runs
                // the tests, a task found that publishes nothing. Its block
                // only configures it.
                if let Some(name) = test_task_name(trimmed) {
                    let full = namespaces
                        .iter()
                        .map(String::as_str)
                        .chain(std::iter::once(name.as_str()))
                        .collect::<Vec<_>>()
                        .join(":");
                    all.entry(full).or_default();
                    if opens_block {
                        stack.push(Block::Other);
                    }
                    continue;
                }
                if let Some((name, prerequisites)) = rake_task_head(trimmed) {
                    let full = namespaces
                        .iter()
                        .cloned()
                        .chain(std::iter::once(name))
                        .collect::<Vec<_>>()
                        .join(":");
                    let task = all.entry(full.clone()).or_default();
                    task.prerequisites.extend(prerequisites);
                    // A block on the same line (`task(:x) { sh "..." }`) is not read.
                    let code = trimmed.split(" #").next().unwrap_or(trimmed);
                    if code.contains('{') || (code.contains(" do ") && !opens_block) {
                        task.opaque = true;
                    }
                    if opens_block {
                        stack.push(Block::Task(full));
                    }
                    continue;
                }
                if opens_block {
                    stack.push(Block::Other);
                }
            }
        }
        let gem_tasks = gem_tasks.then(|| {
            let part = texts
                .iter()
                .position(|t| t.contains("bundler/gem_tasks"))
                .unwrap_or(0);
            let text = texts.get(part).copied().unwrap_or_default();
            (part, locate(text, "bundler/gem_tasks", Span::empty(0)))
        });
        Self {
            tasks: all,
            gem_tasks,
            imports,
        }
    }

    /// The lines of the tasks `wanted` ([`rake_recipes_in`]), and for each
    /// the index of the text it is in.
    pub fn recipes<'a>(&self, wanted: &[&str]) -> (Recipes<'a>, Vec<usize>) {
        let all = &self.tasks;
        let gem_tasks = self.gem_tasks.is_some();
        let mut recipes = Recipes::default();
        let mut parts = Vec::new();
        let wanted: Vec<String> = if wanted.is_empty() {
            vec!["default".to_string()]
        } else {
            wanted.iter().map(|w| w.to_string()).collect()
        };
        let mut seen = HashSet::new();
        let mut order: Vec<String> = Vec::new();
        fn visit(
            name: &str,
            all: &HashMap<String, RakeTask>,
            seen: &mut HashSet<String>,
            order: &mut Vec<String>,
            missing: &mut Vec<String>,
            gem_tasks: bool,
        ) {
            if !seen.insert(name.to_string()) || seen.len() > 1_000 {
                return;
            }
            match all.get(name) {
                Some(task) => {
                    for prerequisite in &task.prerequisites {
                        visit(prerequisite, all, seen, order, missing, gem_tasks);
                    }
                    order.push(name.to_string());
                }
                None if gem_tasks && BUNDLER_GEM_TASKS.contains(&name) => {
                    order.push(name.to_string())
                }
                None => missing.push(name.to_string()),
            }
        }
        for name in &wanted {
            visit(
                name,
                all,
                &mut seen,
                &mut order,
                &mut recipes.missing,
                gem_tasks,
            );
        }
        for name in order {
            match all.get(&name) {
                Some(task) => {
                    recipes.opaque |= task.opaque;
                    for (part, span, line) in &task.lines {
                        if recipes.lines.len() >= MAX_LINES {
                            recipes.opaque = true;
                            break;
                        }
                        recipes.lines.push(RecipeLine {
                            span: *span,
                            text: line.clone(),
                            cwd: None,
                        });
                        parts.push(*part);
                    }
                }
                // Bundler's publishing task, as the command that runs it (a
                // publish site); its others build, install or tag.
                None if RAKE_PUBLISHING_TASKS.contains(&name.as_str()) => {
                    let (part, span) = self.gem_tasks.unwrap_or((0, Span::empty(0)));
                    recipes.lines.push(RecipeLine {
                        span,
                        text: format!("rake {name}"),
                        cwd: None,
                    });
                    parts.push(part);
                }
                None => {}
            }
        }
        if self.imports && !recipes.missing.is_empty() {
            recipes.opaque = true;
        }
        (recipes, parts)
    }
}

/// Whether a Ruby line opens a block closed by an `end`: a `do` at its
/// end (`task :x do`, `each do |f|`), or a statement keyword that starts
/// it (`if`, `unless`, `case`, `begin`, `def`, ... — not as a modifier).
fn ruby_opens_block(line: &str) -> bool {
    let code = line.split(" #").next().unwrap_or(line).trim_end();
    let ends_with_do =
        code.ends_with(" do") || code == "do" || (code.ends_with('|') && code.contains(" do |"));
    let first = code.split_whitespace().next().unwrap_or_default();
    ends_with_do
        || matches!(
            first,
            "if" | "unless"
                | "case"
                | "while"
                | "until"
                | "begin"
                | "def"
                | "class"
                | "module"
                | "for"
        )
}

/// A Rake task definition's name and prerequisites: `task :name`,
/// `task "name" => [:a, "b"]`, `task name: :dep`, `task(name: [...])`,
/// `desc` excluded. Task arguments (`task :x, [:arg] => :dep`) are
/// skipped.
fn rake_task_head(line: &str) -> Option<(String, Vec<String>)> {
    let rest = line
        .strip_prefix("task ")
        .or_else(|| line.strip_prefix("task("))
        .or_else(|| line.strip_prefix("multitask "))?;
    let rest = rest.trim_start();
    let (name, after) = ruby_symbol(rest)?;
    let after = after.trim_start();
    // `name: deps` (the key form) or `=> deps`.
    let deps_text = after
        .strip_prefix(':')
        .filter(|_| !rest.starts_with(':') && !rest.starts_with(['"', '\'']))
        .or_else(|| after.find("=>").map(|at| &after[at + 2..]));
    let mut prerequisites = Vec::new();
    if let Some(deps) = deps_text {
        let deps = deps.split(" do").next().unwrap_or(deps);
        let deps = deps.trim().trim_end_matches(')').trim();
        if let Some(list) = deps
            .strip_prefix("%w[")
            .or_else(|| deps.strip_prefix("%i["))
            .and_then(|l| l.strip_suffix(']'))
        {
            prerequisites.extend(list.split_whitespace().map(str::to_string));
        } else {
            let deps = deps.trim_start_matches('[').trim_end_matches(']');
            for dep in deps.split(',').map(str::trim).filter(|d| !d.is_empty()) {
                match ruby_symbol(dep) {
                    Some((dep, _)) => prerequisites.push(dep),
                    // A prerequisite tplint cannot name: a task it cannot
                    // follow.
                    None => prerequisites.push(format!("{dep} (unread)")),
                }
            }
        }
    }
    Some((name, prerequisites))
}

/// A symbol or string at the start of `text` (`:name`, `"a:b"`, `'x'`,
/// `name:` in a hash), and the text after it.
fn ruby_symbol(text: &str) -> Option<(String, &str)> {
    let text = text.trim_start_matches('(').trim_start();
    if let Some(rest) = text.strip_prefix(':') {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '?' | '!')))
            .unwrap_or(rest.len());
        return (end > 0).then(|| (rest[..end].to_string(), &rest[end..]));
    }
    if let Some(quote) = text.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        let rest = &text[1..];
        let end = rest.find(quote)?;
        let name = &rest[..end];
        return (!name.contains("#{")).then(|| (name.to_string(), &rest[end + 1..]));
    }
    // `name: deps` (a hash key).
    let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    (end > 0 && text[end..].starts_with(':') && !text[end..].starts_with("::"))
        .then(|| (text[..end].to_string(), &text[end..]))
}

/// What a line of a Rake task's block does.
enum RubyLine {
    /// A shell command it runs.
    Command(String),
    /// `Rake::Task["other"].invoke`: another task.
    Invoke(String),
    /// Ruby that runs nothing (`puts`, `require`, a block's `do |t|`).
    Inert,
    /// Anything else.
    Other,
}

/// Read one line of a task's block.
fn ruby_command(line: &str) -> RubyLine {
    let line = line.split(" # ").next().unwrap_or(line).trim();
    if line.starts_with("puts ") || line.starts_with("require ") || line == "do" {
        return RubyLine::Inert;
    }
    if let Some(rest) = line.strip_prefix("Rake::Task[") {
        if let Some((name, after)) = ruby_symbol(rest)
            && after.starts_with(']')
            && (after.contains(".invoke") || after.contains(".execute"))
        {
            return RubyLine::Invoke(name);
        }
        return RubyLine::Other;
    }
    // `` `cmd` `` and `%x(cmd)`.
    if let Some(inner) = line.strip_prefix('`').and_then(|r| r.strip_suffix('`')) {
        return ruby_shell_text(&[inner.to_string()]);
    }
    // Rake's `ruby(*args)` runs the Ruby interpreter with them (ruby/rake
    // `lib/rake/file_utils.rb`): `ruby "script/release.rb"`.
    for call in ["sh", "system", "exec", "ruby"] {
        let Some(rest) = line.strip_prefix(call) else {
            continue;
        };
        let rest = if let Some(args) = rest.strip_prefix('(') {
            args.rsplit_once(')').map_or(args, |(args, _)| args)
        } else if rest.starts_with(' ') {
            rest
        } else {
            continue;
        };
        // The string arguments, before any options hash or block.
        let mut words = Vec::new();
        let mut text = rest.trim();
        while let Some(quote) = text.chars().next().filter(|c| matches!(c, '"' | '\'')) {
            let body = &text[1..];
            let Some(end) = body.find(quote) else {
                return RubyLine::Other;
            };
            words.push(body[..end].to_string());
            text = body[end + 1..].trim_start();
            match text.strip_prefix(',') {
                Some(after) => text = after.trim_start(),
                None => break,
            }
        }
        let rest_is_plain = text.is_empty() || text.starts_with("do") || text.starts_with('{');
        if words.is_empty() || !rest_is_plain {
            return RubyLine::Other;
        }
        if call == "ruby" {
            words.insert(0, "ruby".to_string());
        }
        return ruby_shell_text(&words);
    }
    RubyLine::Other
}

/// A command from a Ruby string (or several, `sh "gem", "push", file`):
/// opaque when its program is interpolated.
fn ruby_shell_text(words: &[String]) -> RubyLine {
    let text = words.join(" ");
    let program = text.split_whitespace().next().unwrap_or_default();
    if program.is_empty() || program.contains("#{") {
        return RubyLine::Other;
    }
    RubyLine::Command(text)
}

/// The lines a target, environment or recipe runs, in order.
#[derive(Debug, Default)]
pub struct Recipes<'a> {
    pub lines: Vec<RecipeLine>,
    /// Requested names the file does not define.
    pub missing: Vec<String>,
    /// Part of what runs cannot be read (an `include`d Makefile, a
    /// shebang recipe, a file that does not parse).
    pub opaque: bool,
    /// Variables the runner exports to the lines: (name, value, where).
    pub env: Vec<(String, String, Span)>,
    _text: std::marker::PhantomData<&'a str>,
}

/// Most recipe lines collected from one file.
const MAX_LINES: usize = 5_000;

/// Logical lines of `text` (backslash-newline joined), with their spans.
fn logical_lines(text: &str) -> Vec<(Span, String)> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut current = String::new();
    let mut current_start = None;
    for raw in text.split_inclusive('\n') {
        let end = start + raw.len();
        let content = raw.trim_end_matches(['\n', '\r']);
        let begin = *current_start.get_or_insert(start);
        if let Some(head) = content.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
        } else {
            current.push_str(content);
            let content_end = start + content.len();
            lines.push((Span::new(begin, content_end), std::mem::take(&mut current)));
            current_start = None;
        }
        start = end;
    }
    if let Some(begin) = current_start {
        lines.push((Span::new(begin, text.len()), current));
    }
    lines
}

/// A Makefile's rules and the recipe lines of `targets` (the default goal
/// when empty), prerequisites first.
pub fn make_recipes<'a>(text: &'a str, targets: &[&str]) -> Recipes<'a> {
    Makefile::parse(text).recipes(targets)
}

/// What [`make_recipes`] reads of a Makefile, parsed once for every
/// `make` of it that a repository's jobs reach.
#[derive(Debug)]
pub struct Makefile {
    rules: HashMap<String, MakeRule>,
    variables: HashMap<String, String>,
    default_goal: Option<String>,
    includes: bool,
    /// Exported variables: (name, value, where).
    env: Vec<(String, String, Span)>,
}

#[derive(Debug)]
struct MakeRule {
    prerequisites: Vec<String>,
    lines: Vec<(Span, String)>,
}

impl Makefile {
    pub fn parse(text: &str) -> Self {
        let mut env = Vec::new();
        let mut rules: HashMap<String, MakeRule> = HashMap::new();
        let mut variables: HashMap<String, String> = HashMap::new();
        let mut default_goal = None;
        let mut current: Vec<String> = Vec::new();
        let mut includes = false;
        for (span, line) in logical_lines(text) {
            if let Some(recipe) = line.strip_prefix('\t') {
                for target in &current {
                    if let Some(rule) = rules.get_mut(target) {
                        rule.lines.push((span, recipe.to_string()));
                    }
                }
                continue;
            }
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if trimmed.starts_with("include ")
                || trimmed.starts_with("-include ")
                || trimmed.starts_with("sinclude ")
            {
                includes = true;
                current.clear();
                continue;
            }
            if let Some((name, value, exported)) = make_assignment(trimmed) {
                if exported {
                    env.push((name.to_string(), value.to_string(), span));
                }
                variables
                    .entry(name.to_string())
                    .and_modify(|v| *v = value.to_string())
                    .or_insert_with(|| value.to_string());
                current.clear();
                continue;
            }
            let Some((left, right)) = trimmed.split_once(':') else {
                current.clear();
                continue;
            };
            let (prerequisites, inline) = match right.trim_start_matches(':').split_once(';') {
                Some((p, r)) => (p, Some(r)),
                None => (right.trim_start_matches(':'), None),
            };
            current = left
                .split_whitespace()
                .filter(|t| !t.contains('%'))
                .map(str::to_string)
                .collect();
            for target in &current {
                if default_goal.is_none() && !target.starts_with('.') {
                    default_goal = Some(target.clone());
                }
                let rule = rules.entry(target.clone()).or_insert(MakeRule {
                    prerequisites: Vec::new(),
                    lines: Vec::new(),
                });
                rule.prerequisites
                    .extend(prerequisites.split_whitespace().map(str::to_string));
                if let Some(inline) = inline
                    && !inline.trim().is_empty()
                {
                    rule.lines.push((span, inline.trim().to_string()));
                }
            }
        }
        Self {
            rules,
            variables,
            default_goal,
            includes,
            env,
        }
    }

    /// The recipe lines of `targets` ([`make_recipes`]).
    pub fn recipes<'a>(&self, targets: &[&str]) -> Recipes<'a> {
        let rules = &self.rules;
        let mut recipes = Recipes {
            env: self.env.clone(),
            ..Recipes::default()
        };
        let wanted: Vec<String> = if targets.is_empty() {
            self.default_goal.iter().cloned().collect()
        } else {
            targets.iter().map(|t| t.to_string()).collect()
        };
        let mut seen = HashSet::new();
        let mut stack: Vec<(String, bool)> =
            wanted.iter().rev().map(|t| (t.clone(), true)).collect();
        // Depth-first: prerequisites, then the target's own lines.
        let mut order = Vec::new();
        while let Some((target, requested)) = stack.pop() {
            if order.len() > MAX_LINES {
                break;
            }
            if let Some(done) = target.strip_prefix('\u{0}') {
                order.push(done.to_string());
                continue;
            }
            if !seen.insert(target.clone()) {
                continue;
            }
            let Some(rule) = rules.get(&target) else {
                if requested {
                    recipes.missing.push(target);
                }
                continue;
            };
            stack.push((format!("\u{0}{target}"), false));
            for prerequisite in rule.prerequisites.iter().rev() {
                if rules.contains_key(prerequisite) {
                    stack.push((prerequisite.clone(), false));
                }
            }
        }
        for target in order {
            let Some(rule) = rules.get(&target) else {
                continue;
            };
            for (span, line) in &rule.lines {
                if recipes.lines.len() >= MAX_LINES {
                    break;
                }
                let command = line.trim_start().trim_start_matches(['@', '-', '+']);
                let expanded = expand_make(command, &self.variables, 0).replace("$$", "$");
                recipes.lines.push(RecipeLine {
                    span: *span,
                    text: expanded,
                    cwd: None,
                });
            }
        }
        if self.includes && !recipes.missing.is_empty() {
            // The missing targets may be in an included file.
            recipes.opaque = true;
            recipes.missing.clear();
        }
        recipes
    }
}

/// `NAME = value` (also `:=`, `::=`, `?=`, `+=`, `!=`, `export NAME = v`).
fn make_assignment(line: &str) -> Option<(&str, &str, bool)> {
    let (line, exported) = match line.strip_prefix("export ") {
        Some(rest) => (rest.trim_start(), true),
        None => (line.strip_prefix("override ").unwrap_or(line), false),
    };
    let at = line.find('=')?;
    let head = &line[..at];
    let name = head.trim_end_matches([':', '?', '+', '!']).trim();
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    // `target: VAR=value` is a target-specific variable, not an assignment.
    if !valid || head.trim_end_matches([':', '?', '+', '!']).contains(':') {
        return None;
    }
    Some((name, line[at + 1..].trim(), exported))
}

/// Expand `$(NAME)` and `${NAME}` from the Makefile's variables.
fn expand_make(text: &str, variables: &HashMap<String, String>, depth: usize) -> String {
    if depth > 4 || !text.contains('$') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let close = match tail.as_bytes().get(1) {
            Some(b'(') => tail.find(')'),
            Some(b'{') => tail.find('}'),
            Some(b'$') => {
                out.push_str("$$");
                rest = &tail[2..];
                continue;
            }
            _ => None,
        };
        let Some(close) = close else {
            out.push('$');
            rest = &tail[1..];
            continue;
        };
        let name = &tail[2..close];
        match (name, variables.get(name)) {
            ("MAKE", None) => out.push_str("make"),
            (_, Some(value)) => out.push_str(&expand_make(value, variables, depth + 1)),
            _ => out.push_str(&tail[..=close]),
        }
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The commands tox runs for `envs` (its default environments when
/// empty), from `tox.ini`, `tox.toml` or `pyproject.toml` (`path` says which).
pub fn tox_commands<'a>(path: &str, text: &'a str, envs: &[String]) -> Recipes<'a> {
    ToxConfig::parse(path, text).recipes(text, envs)
}

/// What [`tox_commands`] reads of a tox configuration, parsed once for
/// every `tox` of it that a repository's jobs reach.
#[derive(Debug)]
pub enum ToxConfig {
    /// `tox.ini`, or the `legacy_tox_ini` string of a `pyproject.toml`.
    Ini(ToxIni),
    /// `tox.toml`, or `[tool.tox]` in `pyproject.toml`.
    Toml(toml::Table),
    /// A `pyproject.toml` without `[tool.tox]`: every environment missing.
    Absent,
    /// A TOML file that does not parse.
    Unreadable,
}

/// A tox INI configuration: section -> key -> value lines with spans.
#[derive(Debug)]
pub struct ToxIni(HashMap<String, HashMap<String, Vec<(Span, String)>>>);

impl ToxConfig {
    pub fn parse(path: &str, text: &str) -> Self {
        if path.ends_with(".toml") {
            return tox_toml(path, text);
        }
        Self::Ini(ToxIni::parse(text, 0))
    }

    /// The commands tox runs for `envs` ([`tox_commands`]); `text` is the
    /// file parsed.
    pub fn recipes<'a>(&self, text: &str, envs: &[String]) -> Recipes<'a> {
        match self {
            Self::Ini(ini) => ini.recipes(envs),
            Self::Toml(root) => tox_toml_recipes(root, text, envs),
            Self::Absent => Recipes {
                missing: envs.to_vec(),
                ..Recipes::default()
            },
            Self::Unreadable => Recipes {
                opaque: true,
                ..Recipes::default()
            },
        }
    }
}

impl ToxIni {
    /// The sections of a tox INI configuration (or of the
    /// `legacy_tox_ini` string at `offset`).
    fn parse(text: &str, offset: usize) -> Self {
        let mut sections: HashMap<String, HashMap<String, Vec<(Span, String)>>> = HashMap::new();
        let mut section = String::new();
        let mut key: Option<String> = None;
        let mut start = 0;
        for raw in text.split_inclusive('\n') {
            let line_start = offset + start;
            start += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let trimmed = line.trim();
            if trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                section = name.trim().to_string();
                key = None;
                continue;
            }
            if trimmed.is_empty() {
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            let content_start = line_start + indent;
            if indent > 0
                && let Some(key) = &key
            {
                sections
                    .entry(section.clone())
                    .or_default()
                    .entry(key.clone())
                    .or_default()
                    .push((
                        Span::new(content_start, content_start + trimmed.len()),
                        trimmed.to_string(),
                    ));
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                key = None;
                continue;
            };
            let k = k.trim().to_string();
            let v = v.trim();
            let entry = sections.entry(section.clone()).or_default();
            let values = entry.entry(k.clone()).or_default();
            values.clear();
            if !v.is_empty() {
                let at = line_start + line.find(v).unwrap_or(0);
                values.push((Span::new(at, at + v.len()), v.to_string()));
            }
            key = Some(k);
        }
        Self(sections)
    }

    fn recipes<'a>(&self, envs: &[String]) -> Recipes<'a> {
        let sections = &self.0;
        let get = |section: &str, key: &str| -> Option<&Vec<(Span, String)>> {
            sections.get(section)?.get(key)
        };
        let mut recipes = Recipes::default();
        let mut wanted: Vec<String> = envs.to_vec();
        if wanted.is_empty() {
            for key in ["env_list", "envlist"] {
                if let Some(list) = get("tox", key) {
                    for (_, line) in list {
                        wanted.extend(
                            line.split(',')
                                .map(str::trim)
                                .filter(|e| !e.is_empty() && !e.contains('{'))
                                .map(str::to_string),
                        );
                    }
                }
            }
        }
        for env in wanted {
            let section = format!("testenv:{env}");
            let known = sections.contains_key(&section);
            let lookup = |key: &str| get(&section, key).or_else(|| get("testenv", key));
            let commands = lookup("commands");
            if !known && commands.is_none() {
                recipes.missing.push(env);
                continue;
            }
            for key in ["setenv", "set_env"] {
                for (span, line) in lookup(key).into_iter().flatten() {
                    if let Some((name, value)) = line.split_once('=') {
                        recipes.env.push((
                            name.trim().to_string(),
                            value.trim().to_string(),
                            *span,
                        ));
                    }
                }
            }
            let cwd = lookup("changedir")
                .or_else(|| lookup("change_dir"))
                .and_then(|v| v.first())
                .map(|(_, d)| d.replace("{toxinidir}", ".").replace("{tox_root}", "."));
            for key in ["commands_pre", "commands", "commands_post"] {
                for (span, line) in lookup(key).into_iter().flatten() {
                    recipes.lines.push(RecipeLine {
                        span: *span,
                        text: tox_substitute(line.trim_start_matches(['-', '!'])),
                        cwd: cwd.clone(),
                    });
                }
            }
        }
        recipes
    }
}

/// Replace tox's substitutions with what they stand for in a shell.
fn tox_substitute(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let Some(close) = tail.find('}') else {
            out.push_str(tail);
            return out;
        };
        let inner = &tail[1..close];
        match inner {
            "envpython" => out.push_str("python"),
            "envbindir" | "env_bin_dir" => out.push('.'),
            "toxinidir" | "tox_root" | "envdir" | "env_dir" => out.push('.'),
            _ if inner.starts_with("posargs") => {}
            _ if inner.starts_with("env:") => {
                let name = inner[4..].split(':').next().unwrap_or_default();
                out.push('$');
                out.push_str(name);
            }
            _ => out.push_str(&tail[..=close]),
        }
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    out
}

/// tox's TOML configuration: `tox.toml`, or `[tool.tox]` in `pyproject.toml`
/// (native tables, or a `legacy_tox_ini` string).
fn tox_toml(path: &str, text: &str) -> ToxConfig {
    let Ok(document) = text.parse::<toml::Table>() else {
        return ToxConfig::Unreadable;
    };
    if !path.ends_with("pyproject.toml") {
        return ToxConfig::Toml(document);
    }
    let Some(tox) = document
        .get("tool")
        .and_then(|t| t.get("tox"))
        .and_then(toml::Value::as_table)
    else {
        return ToxConfig::Absent;
    };
    if let Some(legacy) = tox.get("legacy_tox_ini").and_then(toml::Value::as_str) {
        let offset = text.find(legacy.lines().find(|l| !l.trim().is_empty()).unwrap_or(""));
        let offset = offset
            .map(|at| {
                at - legacy
                    .find(|c: char| !c.is_whitespace())
                    .unwrap_or(0)
                    .min(at)
            })
            .unwrap_or(0);
        return ToxConfig::Ini(ToxIni::parse(legacy, offset));
    }
    ToxConfig::Toml(tox.clone())
}

/// The commands of `envs` in a tox TOML configuration's `root` table, read
/// from `text`.
fn tox_toml_recipes<'a>(root: &toml::Table, text: &str, envs: &[String]) -> Recipes<'a> {
    let mut recipes = Recipes::default();
    let env_table = |name: &str| -> Option<&toml::Table> { root.get("env")?.get(name)?.as_table() };
    let base = root.get("env_run_base").and_then(toml::Value::as_table);
    let mut wanted: Vec<String> = envs.to_vec();
    if wanted.is_empty() {
        wanted = root
            .get("env_list")
            .and_then(toml::Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(toml::Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
    }
    let file_span = Span::new(0, text.len());
    for env in wanted {
        let own = env_table(&env);
        if own.is_none() {
            recipes.missing.push(env);
            continue;
        }
        let lookup = |key: &str| {
            own.and_then(|t| t.get(key))
                .or_else(|| base.and_then(|b| b.get(key)))
        };
        if let Some(set_env) = lookup("set_env").and_then(toml::Value::as_table) {
            for (name, value) in set_env {
                if let Some(value) = value.as_str() {
                    recipes.env.push((
                        name.clone(),
                        value.to_string(),
                        locate(text, name, file_span),
                    ));
                }
            }
        }
        for key in ["commands_pre", "commands", "commands_post"] {
            let Some(commands) = lookup(key).and_then(toml::Value::as_array) else {
                continue;
            };
            for command in commands {
                let Some(words) = command.as_array() else {
                    continue;
                };
                let words: Vec<String> = words
                    .iter()
                    .filter_map(|w| w.as_str().map(tox_substitute))
                    .map(|w| if w.contains(' ') { format!("'{w}'") } else { w })
                    .collect();
                let first = words.first().cloned().unwrap_or_default();
                recipes.lines.push(RecipeLine {
                    span: locate(
                        text,
                        &format!("\"{}\"", first.trim_matches('\'')),
                        file_span,
                    ),
                    text: words.join(" "),
                    cwd: None,
                });
            }
        }
    }
    recipes
}

fn locate(text: &str, needle: &str, fallback: Span) -> Span {
    text.find(needle)
        .map_or(fallback, |at| Span::new(at, at + needle.len()))
}

/// The lines of just `recipes` (the first recipe when empty), dependencies first.
pub fn just_recipes<'a>(text: &'a str, wanted: &[&str]) -> Recipes<'a> {
    Justfile::parse(text).recipes(wanted)
}

/// What [`just_recipes`] reads of a justfile, parsed once for every `just`
/// of it that a repository's jobs reach.
#[derive(Debug)]
pub struct Justfile {
    recipes: HashMap<String, JustRecipe>,
    first: Option<String>,
    /// Exported variables: (name, value, where).
    env: Vec<(String, String, Span)>,
}

#[derive(Debug)]
struct JustRecipe {
    dependencies: Vec<String>,
    lines: Vec<(Span, String)>,
    shebang: bool,
}

impl Justfile {
    pub fn parse(text: &str) -> Self {
        let mut env = Vec::new();
        let mut all: HashMap<String, JustRecipe> = HashMap::new();
        let mut first = None;
        let mut current: Option<String> = None;
        let mut start = 0;
        for raw in text.split_inclusive('\n') {
            let line_start = start;
            start += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            if line.trim().is_empty() {
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            if indent > 0 {
                if let Some(recipe) = current.as_ref().and_then(|c| all.get_mut(c)) {
                    let body = line.trim_start();
                    if recipe.lines.is_empty() && body.starts_with("#!") {
                        recipe.shebang = true;
                    }
                    let at = line_start + indent;
                    recipe
                        .lines
                        .push((Span::new(at, at + body.len()), body.to_string()));
                }
                continue;
            }
            current = None;
            let trimmed = line.trim();
            if trimmed.starts_with('#') || trimmed.starts_with('[') {
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix("export ") {
                if let Some((name, value)) = rest.split_once(":=") {
                    let value = value.trim().trim_matches(['"', '\'']);
                    env.push((
                        name.trim().to_string(),
                        value.to_string(),
                        Span::new(line_start, line_start + line.len()),
                    ));
                }
                continue;
            }
            let Some(colon) = trimmed.find(':') else {
                continue;
            };
            if trimmed[colon + 1..].starts_with('=') {
                continue; // `name := value`, `set x := y`, `alias a := b`
            }
            let head = trimmed[..colon].trim_start_matches('@');
            let Some(name) = head.split_whitespace().next() else {
                continue;
            };
            if !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                continue;
            }
            let dependencies = trimmed[colon + 1..]
                .split_whitespace()
                .map(|d| d.trim_start_matches('(').to_string())
                .filter(|d| !d.is_empty() && !d.starts_with('&'))
                .collect();
            first.get_or_insert_with(|| name.to_string());
            all.insert(
                name.to_string(),
                JustRecipe {
                    dependencies,
                    lines: Vec::new(),
                    shebang: false,
                },
            );
            current = Some(name.to_string());
        }
        Self {
            recipes: all,
            first,
            env,
        }
    }

    /// The lines of `wanted` ([`just_recipes`]).
    pub fn recipes<'a>(&self, wanted: &[&str]) -> Recipes<'a> {
        let all = &self.recipes;
        let mut recipes = Recipes {
            env: self.env.clone(),
            ..Recipes::default()
        };
        let wanted: Vec<String> = if wanted.is_empty() {
            self.first.iter().cloned().collect()
        } else {
            wanted.iter().map(|w| w.to_string()).collect()
        };
        let mut seen = HashSet::new();
        let mut order = Vec::new();
        fn visit(
            name: &str,
            all: &HashMap<String, JustRecipe>,
            seen: &mut HashSet<String>,
            order: &mut Vec<String>,
            depth: usize,
        ) {
            if depth > 32 || !seen.insert(name.to_string()) {
                return;
            }
            if let Some(recipe) = all.get(name) {
                for dependency in &recipe.dependencies {
                    visit(dependency, all, seen, order, depth + 1);
                }
            }
            order.push(name.to_string());
        }
        for name in &wanted {
            if !all.contains_key(name) {
                recipes.missing.push(name.clone());
                continue;
            }
            visit(name, all, &mut seen, &mut order, 0);
        }
        for name in order {
            let Some(recipe) = all.get(&name) else {
                continue;
            };
            if recipe.shebang {
                recipes.opaque = true;
                continue;
            }
            for (span, line) in &recipe.lines {
                if recipes.lines.len() >= MAX_LINES {
                    break;
                }
                recipes.lines.push(RecipeLine {
                    span: *span,
                    text: line.trim_start_matches(['@', '-']).to_string(),
                    cwd: None,
                });
            }
        }
        recipes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grinder_command_lines() {
        assert_eq!(
            grinder_invocation(&words("dart run grinder protobuf pkg-pub-deploy")),
            Some(vec!["protobuf", "pkg-pub-deploy"])
        );
        assert_eq!(
            grinder_invocation(&words("dart pub run grinder pkg-npm-deploy")),
            Some(vec!["pkg-npm-deploy"])
        );
        assert_eq!(
            grinder_invocation(&words("grind pkg-npm-deploy")),
            Some(vec!["pkg-npm-deploy"])
        );
        assert_eq!(
            grinder_invocation(&words("dart run tool/grind.dart pkg-x")),
            Some(vec!["pkg-x"])
        );
        assert_eq!(
            grinder_invocation(&words("dart run build_runner build")),
            None
        );
        assert_eq!(grinder_invocation(&words("dart pub publish")), None);
    }

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn commands_that_run_files() {
        assert_eq!(
            what_runs(&words("bash ./bin/publish-pypi")),
            Some(Runs::Script("./bin/publish-pypi"))
        );
        assert_eq!(
            what_runs(&words("bash -eo pipefail scripts/release.sh x")),
            Some(Runs::Script("scripts/release.sh"))
        );
        assert_eq!(
            what_runs(&words("./scripts/publish")),
            Some(Runs::Script("./scripts/publish"))
        );
        assert_eq!(
            what_runs(&words("source ./env.sh")),
            Some(Runs::Script("./env.sh"))
        );
        assert!(matches!(
            what_runs(&words("python scripts/release.py")),
            Some(Runs::Interpreter { .. })
        ));
        assert!(matches!(
            what_runs(&words("nox -s release")),
            Some(Runs::Interpreter { .. })
        ));
        assert!(matches!(
            what_runs(&words("hatch run release")),
            Some(Runs::Interpreter { .. })
        ));
        assert_eq!(what_runs(&words("uv run pytest")), None);
        assert_eq!(what_runs(&words("uv run --with build -m build")), None);
        assert_eq!(what_runs(&words("python -m build")), None);
        assert_eq!(what_runs(&words("echo ./x")), None);
        assert_eq!(what_runs(&words("https://example.com/x")), None);
        assert!(matches!(
            what_runs(&words("make -C docs publish TWINE_PASSWORD=x")),
            Some(Runs::Make { dir: Some("docs"), ref targets, ref assignments, .. })
                if targets == &["publish"] && assignments.len() == 1
        ));
        assert_eq!(
            what_runs(&words("tox r -e release,docs")),
            Some(Runs::Tox {
                config: None,
                envs: vec!["release".into(), "docs".into()]
            })
        );
        assert_eq!(
            what_runs(&words("just release")),
            Some(Runs::Just {
                recipes: vec!["release"]
            })
        );
    }

    #[test]
    fn package_json_scripts() {
        assert_eq!(
            what_runs(&words("npm run release --if-present")),
            Some(Runs::PackageScript {
                runner: "npm",
                script: "release",
                args: vec![],
            })
        );
        // npm passes positional words on, and options after `--`
        // (lit/lit's `npm run changeset publish`).
        for (line, script, args) in [
            ("npm run changeset publish", "changeset", vec!["publish"]),
            ("npm run publish -- --dry-run", "publish", vec!["--dry-run"]),
            ("npm run release --tag next", "release", vec![]),
            (
                "yarn run release --tag next",
                "release",
                vec!["--tag", "next"],
            ),
        ] {
            let words = words(line);
            let Some(Runs::PackageScript {
                script: found,
                args: passed,
                ..
            }) = what_runs(&words)
            else {
                panic!("{line}");
            };
            assert_eq!((found, passed), (script, args), "{line}");
        }
        let text = r#"{"scripts": {"changeset": "changeset", "prechangeset": "echo"}}"#;
        let lines: Vec<String> = PackageScripts::parse(text)
            .recipes_with("npm", &["changeset"], &["publish"])
            .lines
            .into_iter()
            .map(|l| l.text)
            .collect();
        assert_eq!(lines, ["echo", "changeset publish"]);
        assert!(matches!(
            what_runs(&words("npm run -w pkg release")),
            Some(Runs::Interpreter { .. })
        ));
        // pnpm's shorthand: a name none of its commands has is a script.
        for (line, script) in [
            ("pnpm release --dry-run=false", "release"),
            ("pnpm changes:publish", "changes:publish"),
            ("pnpm test", "test"),
            // pnpm 11's short name.
            ("pn copy-artifacts", "copy-artifacts"),
        ] {
            assert_eq!(
                what_runs(&words(line)),
                Some(Runs::PackageScript {
                    runner: "pnpm",
                    script,
                    args: line.split_whitespace().skip(2).collect(),
                }),
                "{line}"
            );
        }
        assert_eq!(
            what_runs(&words("pn run build")),
            Some(Runs::PackageScript {
                runner: "pnpm",
                script: "build",
                args: Vec::new(),
            })
        );
        for line in [
            "pn install",
            "pn audit",
            "pnpm install --frozen-lockfile",
            "pnpm i",
            "pnpm pack",
            "pnpm publish --no-git-checks",
            "pnpm exec tsc",
            "pnpm -r build",
            "pnpm $SCRIPT",
            "pnpm ./x.js",
        ] {
            assert_eq!(what_runs(&words(line)), None, "{line}");
        }
        let text = "{\n  \"name\": \"x\",\n  \"scripts\": {\n    \"prerelease\": \"npm run build\",\n    \"release\": \"npm publish --provenance\",\n    \"build\": \"tsc\"\n  }\n}\n";
        let recipes = package_scripts(text, "npm", &["release"]);
        let lines: Vec<&str> = recipes.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(lines, ["npm run build", "npm publish --provenance"]);
        assert_eq!(
            &text[recipes.lines[1].span.range()],
            "\"npm publish --provenance\""
        );
        let recipes = package_scripts(text, "pnpm", &["release"]);
        assert_eq!(recipes.lines.len(), 1);
        let recipes = package_scripts(text, "npm", &["deploy"]);
        assert_eq!(recipes.missing, ["deploy"]);
        assert!(package_scripts("{", "npm", &["x"]).opaque);
    }

    #[test]
    fn makefile_targets_with_prerequisites_and_variables() {
        let text = "PYTHON ?= python3\nexport FOO = bar\n\n.PHONY: all\nall: test\n\ntest:\n\t$(PYTHON) -m pytest\n\ndist: clean\n\t$(PYTHON) -m build\n\nclean:\n\t@rm -rf dist\n\npublish: dist\n\t$(PYTHON) -m twine upload \\\n\t  dist/*\n\techo $$HOME\n";
        let recipes = make_recipes(text, &["publish"]);
        let lines: Vec<&str> = recipes.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            lines,
            [
                "rm -rf dist",
                "python3 -m build",
                "python3 -m twine upload  \t  dist/*",
                "echo $HOME"
            ]
        );
        assert_eq!(recipes.env.len(), 1);
        let default = make_recipes(text, &[]);
        assert_eq!(default.lines[0].text, "python3 -m pytest");
        assert_eq!(make_recipes(text, &["nope"]).missing, ["nope"]);
        let included = make_recipes("include other.mk\nx:\n\techo\n", &["nope"]);
        assert!(included.opaque && included.missing.is_empty());
    }

    #[test]
    fn tox_ini_and_toml() {
        let ini = "[tox]\nenvlist = py3\n\n[testenv]\ncommands = pytest {posargs}\n\n[testenv:release]\nsetenv =\n    TWINE_USERNAME = __token__\ncommands =\n    python -m build\n    {envpython} -m twine upload dist/*\n";
        let recipes = tox_commands("tox.ini", ini, &["release".to_string()]);
        let lines: Vec<&str> = recipes.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(lines, ["python -m build", "python -m twine upload dist/*"]);
        assert_eq!(recipes.env[0].0, "TWINE_USERNAME");
        assert_eq!(
            &ini[recipes.lines[1].span.range()],
            "{envpython} -m twine upload dist/*"
        );
        let default = tox_commands("tox.ini", ini, &[]);
        assert_eq!(default.lines[0].text, "pytest ");
        let toml = "[env.release]\ncommands = [[\"twine\", \"upload\", \"dist/*\"]]\n";
        let recipes = tox_commands("tox.toml", toml, &["release".to_string()]);
        assert_eq!(recipes.lines[0].text, "twine upload dist/*");
        let pyproject = "[tool.tox]\nlegacy_tox_ini = \"\"\"\n[testenv:release]\ncommands = twine upload dist/*\n\"\"\"\n";
        let recipes = tox_commands("pyproject.toml", pyproject, &["release".to_string()]);
        assert_eq!(recipes.lines[0].text, "twine upload dist/*");
        assert_eq!(
            &pyproject[recipes.lines[0].span.range()],
            "twine upload dist/*"
        );
    }

    #[test]
    fn powershell_runs() {
        for (line, script) in [
            (
                "pwsh -NoProfile -File ./build/release.ps1 -Version 1",
                "./build/release.ps1",
            ),
            (
                "powershell -ExecutionPolicy Bypass -f build.ps1",
                "build.ps1",
            ),
            ("pwsh ./Publish.PS1", "./Publish.PS1"),
            (
                "Import-Module ./tools/Release.psm1 -Force",
                "./tools/Release.psm1",
            ),
        ] {
            assert_eq!(
                what_runs(&words(line)),
                Some(Runs::Script(script)),
                "{line}"
            );
        }
        let inline: Vec<String> = ["pwsh", "-c", "dotnet nuget push x.nupkg"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            what_runs(&inline),
            Some(Runs::Inline("dotnet nuget push x.nupkg"))
        );
        assert!(matches!(
            what_runs(&words("pwsh -EncodedCommand ZABvAA==")),
            Some(Runs::Interpreter { .. })
        ));
        assert_eq!(what_runs(&words("Import-Module PowerShellGet")), None);
        assert_eq!(non_shell_interpreter("#!/usr/bin/env pwsh\n"), None);
    }

    #[test]
    fn publish_on_tag_is_an_upload() {
        assert!(is_publish_on_tag("jsr:@david/publish-on-tag"));
        assert!(is_publish_on_tag("jsr:@david/publish-on-tag@0.1.4"));
        assert!(!is_publish_on_tag("jsr:@david/publish-on-tagger"));
        assert_eq!(
            what_runs(&words("deno run -A jsr:@david/publish-on-tag@0.2.0")),
            None
        );
        assert!(what_runs(&words("deno run -A scripts/release.ts")).is_some());
        assert_eq!(what_runs(&words("bun publish --access public")), None);
    }

    #[test]
    fn rakelib_files_define_and_extend_tasks() {
        let rakefile = "task :release => :build do\n  sh \"git tag v1\"\nend\n";
        let rakelib = "task :build do\n  sh \"gem build x.gemspec\"\nend\n\ntask :release do\n  sh \"gem push x.gem\"\nend\n";
        let (recipes, parts) = rake_recipes_in(&[rakefile, rakelib], &["release"]);
        let lines: Vec<&str> = recipes.lines.iter().map(|l| l.text.as_str()).collect();
        // The prerequisite first, then the task's actions in load order.
        assert_eq!(
            lines,
            ["gem build x.gemspec", "git tag v1", "gem push x.gem"]
        );
        assert_eq!(parts, [1, 0, 1]);
        assert_eq!(
            &rakelib[recipes.lines[2].span.range()],
            "sh \"gem push x.gem\""
        );
        assert!(!recipes.opaque && recipes.missing.is_empty());
        // Without the rakelib file, `build` is missing.
        let (alone, _) = rake_recipes_in(&[rakefile], &["release"]);
        assert_eq!(alone.missing, ["build"]);
        // Rake's `ruby` runs a Ruby script, which the walk reads.
        let helper = rake_recipes("task :push do\n  ruby \"script/push.rb\"\nend\n", &["push"]);
        let helper: Vec<&str> = helper.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(helper, ["ruby script/push.rb"]);
    }

    #[test]
    fn rakefile_tasks() {
        let rakefile = r#"require "bundler/gem_tasks"

desc "Push the gem"
task :push => [:build, "docs:check"] do
  sh "gem push pkg/acme-#{Acme::VERSION}.gem"
end

namespace :docs do
  task :check do
    sh("yard", "stats")
  end
end

task publish: %w[test release]
task :test do
  ruby "-Itest", "test/all.rb"
end
task default: :test
"#;
        let lines = |recipes: &Recipes<'_>| -> Vec<String> {
            recipes.lines.iter().map(|l| l.text.clone()).collect()
        };
        let push = rake_recipes(rakefile, &["push"]);
        assert_eq!(
            lines(&push),
            ["yard stats", "gem push pkg/acme-#{Acme::VERSION}.gem"]
        );
        assert!(!push.opaque && push.missing.is_empty());
        assert_eq!(
            &rakefile[push.lines[1].span.range()],
            r#"sh "gem push pkg/acme-#{Acme::VERSION}.gem""#
        );
        // Bundler's `release` stands for itself; Rake's `ruby ...` is the
        // command it runs (a Ruby script, opaque where it is walked).
        let publish = rake_recipes(rakefile, &["publish"]);
        assert_eq!(lines(&publish), ["ruby -Itest test/all.rb", "rake release"]);
        assert!(!publish.opaque);
        assert_eq!(
            lines(&rake_recipes(rakefile, &[])),
            ["ruby -Itest test/all.rb"]
        );
        let missing = rake_recipes("task :a do\n  sh 'true'\nend\n", &["b"]);
        assert_eq!(missing.missing, ["b"]);
        // An interpolated program, other Ruby: opaque.
        let code = rake_recipes(
            "task :r do\n  sh \"#{tool} push\"\n  Gem::Commands.new\nend\n",
            &["r"],
        );
        assert!(code.opaque && code.lines.is_empty());
        // `rake` command lines.
        let run = |s: &str| match what_runs(&words(s)) {
            Some(Runs::Rake { file, tasks }) => Some((
                file.map(str::to_string),
                tasks.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
            )),
            _ => None,
        };
        assert_eq!(run("rake push"), Some((None, vec!["push".to_string()])));
        assert_eq!(
            run("bundle exec rake -f tasks.rb build[1] VERSION=2 --trace"),
            Some((Some("tasks.rb".to_string()), vec!["build".to_string()]))
        );
        assert_eq!(
            run("gem exec rake gems:release"),
            Some((None, vec!["gems:release".to_string()]))
        );
        assert_eq!(run("rake release"), None);
        assert!(matches!(
            what_runs(&words("rake -e 'puts 1'")),
            Some(Runs::Interpreter { .. })
        ));
    }

    #[test]
    fn justfile_recipes() {
        let text = "set shell := [\"bash\", \"-c\"]\nversion := \"1\"\n\ndefault: test\n\ntest:\n    pytest\n\nbuild:\n    uv build\n\n# publish it\nrelease: build\n    @uv publish --trusted-publishing always\n\nscript:\n    #!/usr/bin/env python3\n    print(1)\n";
        let recipes = just_recipes(text, &["release"]);
        let lines: Vec<&str> = recipes.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            lines,
            ["uv build", "uv publish --trusted-publishing always"]
        );
        assert_eq!(just_recipes(text, &[]).lines[0].text, "pytest");
        assert!(just_recipes(text, &["script"]).opaque);
    }

    #[test]
    fn shebangs() {
        assert_eq!(
            non_shell_interpreter("#!/usr/bin/env python3\n"),
            Some("Python")
        );
        assert_eq!(non_shell_interpreter("#!/bin/bash\nset -e\n"), None);
        assert_eq!(non_shell_interpreter("#!/usr/bin/env -S bash -eu\n"), None);
        assert_eq!(non_shell_interpreter("twine upload\n"), None);
    }
}
