//! Steps that check out, build or install code: the one table of what counts
//! as "building" in a job, so that a publish job can be judged by whether
//! third-party or project code runs next to its OIDC token.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::shell;
use crate::workflow::Step;

/// What a building step does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildKind {
    /// Fetches the repository's code.
    Checkout,
    /// Installs an interpreter or a packaging tool. An uploader other than
    /// gh-action-pypi-publish needs its tool installed, so this is the one
    /// kind a publish job may legitimately contain.
    ToolSetup,
    /// Installs dependencies or builds distributions: runs code from the
    /// project or from the index.
    Build,
}

/// Actions (`owner/repo`, lower case) that check out, set up or build.
pub const BUILD_ACTIONS: &[(&str, BuildKind)] = &[
    ("actions/checkout", BuildKind::Checkout),
    ("actions/setup-python", BuildKind::ToolSetup),
    ("astral-sh/setup-uv", BuildKind::ToolSetup),
    ("pdm-project/setup-pdm", BuildKind::ToolSetup),
    ("snok/install-poetry", BuildKind::ToolSetup),
    ("conda-incubator/setup-miniconda", BuildKind::ToolSetup),
    ("mamba-org/setup-micromamba", BuildKind::ToolSetup),
    ("prefix-dev/setup-pixi", BuildKind::ToolSetup),
    // Node.js and its package managers (actions/setup-node, pnpm/action-setup
    // action.yml: they install the tools, not the project).
    ("actions/setup-node", BuildKind::ToolSetup),
    ("pnpm/action-setup", BuildKind::ToolSetup),
    // bahmutov/npm-install runs `npm ci` or `yarn --frozen-lockfile` in
    // the checkout (its README.md), with the lifecycle scripts.
    ("bahmutov/npm-install", BuildKind::Build),
    ("pypa/cibuildwheel", BuildKind::Build),
    ("hynek/build-and-inspect-python-package", BuildKind::Build),
];

const MATURIN_UPLOAD_COMMANDS: &[&str] = &["upload", "publish"];

/// Commands (as leading words of a shell command, after `python -m`,
/// `sudo` and variable assignments are dropped) that build or install.
/// `uv run` and `pipx run <tool>` are left out: without a checked-out
/// project they only run a tool, and a checkout is reported on its own.
pub const BUILD_COMMANDS: &[(&[&str], BuildKind)] = &[
    (&["git", "clone"], BuildKind::Checkout),
    (&["gh", "repo", "clone"], BuildKind::Checkout),
    (&["pip", "install"], BuildKind::Build),
    (&["uv", "pip", "install"], BuildKind::Build),
    (&["uv", "sync"], BuildKind::Build),
    (&["uv", "build"], BuildKind::Build),
    (&["build"], BuildKind::Build),
    (&["pyproject-build"], BuildKind::Build),
    (&["pipx", "run", "build"], BuildKind::Build),
    (&["maturin", "build"], BuildKind::Build),
    (&["maturin", "sdist"], BuildKind::Build),
    (&["cibuildwheel"], BuildKind::Build),
    (&["tox"], BuildKind::Build),
    (&["nox"], BuildKind::Build),
    (&["make"], BuildKind::Build),
    (&["poetry", "build"], BuildKind::Build),
    (&["poetry", "install"], BuildKind::Build),
    (&["hatch", "build"], BuildKind::Build),
    (&["pdm", "build"], BuildKind::Build),
    (&["pdm", "install"], BuildKind::Build),
    (&["flit", "build"], BuildKind::Build),
    (&["setup.py"], BuildKind::Build),
    (&["conda", "build"], BuildKind::Build),
    // Installing a Node.js project's dependencies runs their lifecycle
    // scripts (docs.npmjs.com/cli/commands/npm-ci, npm-install "scripts";
    // pnpm.io/cli/install; yarnpkg.com/cli/install).
    // `npm clean-install`, `npm ic` and `npm install-clean` are `npm ci`
    // (docs.npmjs.com/cli/commands/npm-ci "aliases"); `npm add` is
    // `npm install` (npm-install "aliases").
    (&["npm", "ci"], BuildKind::Build),
    (&["npm", "clean-install"], BuildKind::Build),
    (&["npm", "ic"], BuildKind::Build),
    (&["npm", "install-clean"], BuildKind::Build),
    (&["npm", "install"], BuildKind::Build),
    (&["npm", "i"], BuildKind::Build),
    (&["npm", "add"], BuildKind::Build),
    // `npm install-ci-test` is `npm ci` then `npm test`, `npm
    // install-test` is `npm install` then `npm test`; `cit`,
    // `clean-install-test` and `sit` name the first, `it` the second
    // (npm/cli `lib/utils/cmd-list.js` [1aa1426], "aliases").
    (&["npm", "install-ci-test"], BuildKind::Build),
    (&["npm", "cit"], BuildKind::Build),
    (&["npm", "clean-install-test"], BuildKind::Build),
    (&["npm", "sit"], BuildKind::Build),
    (&["npm", "install-test"], BuildKind::Build),
    (&["npm", "it"], BuildKind::Build),
    (&["pnpm", "install"], BuildKind::Build),
    (&["pnpm", "i"], BuildKind::Build),
    (&["yarn", "install"], BuildKind::Build),
    // Rust, Ruby and .NET: compiling, testing and installing run the
    // project's build scripts, tests and dependencies.
    (&["cargo", "build"], BuildKind::Build),
    (&["cargo", "test"], BuildKind::Build),
    (&["cargo", "package"], BuildKind::Build),
    (&["cargo", "install"], BuildKind::Build),
    (&["gem", "build"], BuildKind::Build),
    (&["gem", "install"], BuildKind::Build),
    (&["bundle", "install"], BuildKind::Build),
    (&["rake", "build"], BuildKind::Build),
    (&["dotnet", "build"], BuildKind::Build),
    (&["dotnet", "pack"], BuildKind::Build),
    (&["dotnet", "restore"], BuildKind::Build),
    (&["dotnet", "test"], BuildKind::Build),
    (&["dotnet", "publish"], BuildKind::Build),
    // Deno's test and benchmark runners run the project's test and bench
    // modules (https://docs.deno.com/runtime/reference/cli/test/,
    // https://docs.deno.com/runtime/reference/cli/bench/).
    (&["deno", "test"], BuildKind::Build),
    (&["deno", "bench"], BuildKind::Build),
];

/// Uploaders whose installation (`pip install twine`) is tool setup, not a build.
const UPLOADER_TOOLS: &[&str] = &[
    "twine", "uv", "pdm", "hatch", "flit", "maturin", "poetry", "pip",
    // PyPA's OIDC token helper, which twine's trusted publishing calls
    // (pypa/twine `twine/auth.py`, `id.detect_credential`); PyPI's GitLab
    // example installed it beside twine (`python -m pip install -U twine
    // id`, pypi/warehouse `docs/user/trusted-publishers/using-a-publisher.md`
    // before warehouse#17682).
    "id",
];

/// How a step builds, if it does (an action, or the commands of its `run:`).
pub fn classify(step: &Step) -> Option<BuildKind> {
    if step.uses.is_some() {
        return classify_action(step);
    }
    let run = step.run.as_ref()?;
    let mut commands = shell::commands(&run.value);
    let inner = shell::substituted(&run.value, &commands);
    commands.extend(inner);
    classify_commands(&commands)
}

const SETUP_RUBY: &str = "ruby/setup-ruby";

/// What a building action step runs, for messages, where the action's
/// name does not say it.
pub fn action_runs(step: &Step) -> Option<&'static str> {
    let slug = step.uses.as_ref()?.target.remote_slug()?;
    match slug {
        SETUP_RUBY => Some("bundle install, by ruby/setup-ruby's bundler-cache"),
        "pnpm/action-setup" => Some("pnpm install, by pnpm/action-setup's run_install"),
        _ => None,
    }
}

/// How an action step builds, if it does.
pub fn classify_action(step: &Step) -> Option<BuildKind> {
    if let Some(uses) = &step.uses {
        let slug = uses.target.remote_slug()?;
        // `PyO3/maturin-action` builds unless its `command` uploads.
        if crate::registry::pypi::is_maturin_action(&uses.target) {
            let uploads = step
                .input("command")
                .is_some_and(|kv| MATURIN_UPLOAD_COMMANDS.contains(&kv.value.value.trim()));
            return (!uploads).then_some(BuildKind::Build);
        }
        let input_is = |name: &str, values: &[&str]| {
            step.input(name).is_some_and(|kv| {
                values
                    .iter()
                    .any(|v| kv.value.value.trim().eq_ignore_ascii_case(v))
            })
        };
        // autopub-action: `prepare` and `build` run the project's build
        // (action.yml, `command`) [5fdc82e].
        if slug == "autopub/autopub-action" {
            return input_is("command", &["prepare", "build"]).then_some(BuildKind::Build);
        }
        // ruby/setup-ruby with `bundler-cache: true` "runs 'bundle install'
        // and caches installed gems automatically" (its README.md), with
        // the checkout's Gemfile: the repository's Ruby code runs.
        if slug == SETUP_RUBY {
            return input_is("bundler-cache", &["true"]).then_some(BuildKind::Build);
        }
        // pnpm/action-setup runs `pnpm install` (with the project's
        // lifecycle scripts) when `run_install` is `true`, an object or a
        // list; `null` (its default) and `false` install nothing
        // (`src/inputs/run-install.ts`, `src/pnpm-install/index.ts`
        // [e303250]).
        if slug == "pnpm/action-setup"
            && step.input("run_install").is_some_and(|kv| {
                let value = kv.value.value.trim();
                !matches!(
                    value,
                    "" | "null" | "~" | "false" | "Null" | "NULL" | "False" | "FALSE"
                )
            })
        {
            return Some(BuildKind::Build);
        }
        // casperdcl/deploy-pypi builds with `build: true` (action.yml) [10cf4cd].
        if slug == "casperdcl/deploy-pypi" {
            return input_is("build", &["true"]).then_some(BuildKind::Build);
        }
        return BUILD_ACTIONS
            .iter()
            .find(|(action, _)| *action == slug)
            .map(|(_, kind)| *kind);
    }
    None
}

/// The strongest kind of building among shell commands.
pub fn classify_commands(commands: &[shell::Command]) -> Option<BuildKind> {
    commands
        .iter()
        .filter_map(|command| {
            let words: Vec<&str> = command.words.iter().map(String::as_str).collect();
            classify_command(&words)
        })
        .max_by_key(|kind| match kind {
            BuildKind::ToolSetup => 0,
            BuildKind::Checkout => 1,
            BuildKind::Build => 2,
        })
}

/// An entry of [`BUILD_COMMANDS`].
type BuildCommand = (&'static [&'static str], BuildKind);

/// The entries of [`BUILD_COMMANDS`] by their first word, in table order:
/// a command is compared only with those it can match (this runs for
/// every command of every job).
static BUILD_COMMANDS_BY_FIRST_WORD: LazyLock<HashMap<&'static str, Vec<&'static BuildCommand>>> =
    LazyLock::new(|| {
        let mut by_first: HashMap<&'static str, Vec<&'static BuildCommand>> = HashMap::new();
        for entry in BUILD_COMMANDS {
            if let Some(first) = entry.0.first() {
                by_first.entry(*first).or_default().push(entry);
            }
        }
        by_first
    });

fn classify_command(words: &[&str]) -> Option<BuildKind> {
    let words = normalize(words);
    // `yarn` alone (or with options only) is `yarn install`
    // (classic.yarnpkg.com/en/docs/cli/install: "Running yarn with no
    // command will run yarn install"; yarnpkg.com/cli/install).
    if let [yarn, options @ ..] = words.as_slice()
        && shell::last_component(yarn) == "yarn"
        && options.iter().all(|w| w.starts_with('-'))
        && !options
            .iter()
            .any(|w| matches!(*w, "--version" | "-v" | "--help" | "-h"))
    {
        return Some(BuildKind::Build);
    }
    let (_, kind) = BUILD_COMMANDS_BY_FIRST_WORD
        .get(words.first()?)?
        .iter()
        .find(|(prefix, _)| words.len() >= prefix.len() && words[..prefix.len()] == **prefix)?;
    // Installing only a Node.js package manager globally
    // (`npm install -g npm@latest`) sets up the uploader.
    let node_global = words.len() >= 2
        && matches!(words[..2], ["npm", "install" | "i" | "add"])
        && words.iter().any(|w| matches!(*w, "-g" | "--global"));
    if node_global {
        let only_tools = words[2..].iter().filter(|w| !w.starts_with('-')).all(|p| {
            let name = p.split('@').next().unwrap_or(p);
            matches!(name, "npm" | "pnpm" | "yarn" | "corepack")
        });
        if only_tools {
            return Some(BuildKind::ToolSetup);
        }
    }
    // Installing only the uploader itself prepares the upload.
    let installed = match words.as_slice() {
        ["pip", "install", rest @ ..] | ["uv", "pip", "install", rest @ ..] => Some(rest),
        _ => None,
    };
    if let Some(installed) = installed {
        let packages: Vec<&str> = installed
            .iter()
            .copied()
            .filter(|w| !w.starts_with('-'))
            .collect();
        let only_tools = !packages.is_empty()
            && packages.iter().all(|p| {
                let name = p.split(['=', '<', '>', '~', '!', '[']).next().unwrap_or(p);
                UPLOADER_TOOLS.contains(&name.to_ascii_lowercase().as_str())
            });
        if only_tools {
            return Some(BuildKind::ToolSetup);
        }
    }
    Some(*kind)
}

/// Drop `sudo` and `python -m` (the shell splitter already took off
/// `VAR=value` prefixes), and spell `pip3`, `./setup.py` and a short
/// program name (`pn`) the common way.
fn normalize<'a>(words: &[&'a str]) -> Vec<&'a str> {
    let mut rest = words;
    while let Some((&"sudo", tail)) = rest.split_first() {
        rest = tail;
    }
    let is_python = |w: &str| {
        let w = shell::last_component(w);
        w == "py"
            || w.strip_prefix("python")
                .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    // `uv run`, `uvx`, `pipx run`, `hatch run`, `pdm run`, `poetry run`
    // and their options: what they run is the command (`uv run --with
    // 'build[uv]' -m build` builds).
    let runner = match rest {
        [program, ..] if shell::last_component(program) == "uvx" => 1,
        [program, "run", ..]
            if matches!(
                shell::last_component(program),
                "uv" | "pipx" | "hatch" | "pdm" | "poetry" | "rye" | "pixi"
            ) =>
        {
            2
        }
        [program, "tool", "run", ..] if shell::last_component(program) == "uv" => 3,
        _ => 0,
    };
    if runner > 0 {
        rest = shell::skip_runner_options(&rest[runner..]);
        if let Some((&"-m", module)) = rest.split_first() {
            rest = module;
        }
    }
    if let Some((first, tail)) = rest.split_first()
        && is_python(first)
    {
        rest = match tail.split_first() {
            Some((&"-m", module)) => module,
            _ => tail,
        };
    }
    rest.iter()
        .enumerate()
        .map(|(at, w)| match *w {
            "pip3" => "pip",
            "./setup.py" => "setup.py",
            // `pn install` is `pnpm install` (`registry::npm::SHORT_NAMES`).
            other if at == 0 => crate::registry::npm::long_name(other),
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(yaml: &str) -> Step {
        let src = format!("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n{yaml}");
        let doc = crate::yaml::parse(&src).unwrap();
        crate::workflow::build(&src, &doc).jobs[0].steps[0].clone()
    }

    #[test]
    fn actions() {
        assert_eq!(
            classify(&step("      - uses: actions/checkout@v4\n")),
            Some(BuildKind::Checkout)
        );
        assert_eq!(
            classify(&step("      - uses: astral-sh/setup-uv@v6\n")),
            Some(BuildKind::ToolSetup)
        );
        assert_eq!(
            classify(&step("      - uses: actions/download-artifact@v4\n")),
            None
        );
        assert_eq!(
            classify(&step("      - uses: PyO3/maturin-action@v1\n")),
            Some(BuildKind::Build)
        );
        assert_eq!(
            classify(&step(
                "      - uses: PyO3/maturin-action@v1\n        with:\n          command: upload\n"
            )),
            None
        );
    }

    #[test]
    fn runners_and_their_options_are_unwrapped() {
        for script in [
            "uv run --with 'build[uv]' -m build",
            "uvx --from build pyproject-build",
            "pipx run build",
            "uv run python -m build",
        ] {
            assert_eq!(
                classify(&step(&format!("      - run: {script}\n"))),
                Some(BuildKind::Build),
                "{script}"
            );
        }
        assert_eq!(classify(&step("      - run: uv run pytest\n")), None);
    }

    #[test]
    fn commands_in_scripts() {
        let run = |script: &str| classify(&step(&format!("      - run: {script}\n")));
        assert_eq!(run("python -m build"), Some(BuildKind::Build));
        assert_eq!(run("python3 -m pip install -e ."), Some(BuildKind::Build));
        assert_eq!(run("ls -l dist/"), None);
        assert_eq!(run("echo make sure"), None);
        assert_eq!(run("pip install twine"), Some(BuildKind::ToolSetup));
        assert_eq!(
            run("python -m pip install -U twine id"),
            Some(BuildKind::ToolSetup)
        );
        assert_eq!(run("uv pip install id twine"), Some(BuildKind::ToolSetup));
        assert_eq!(run("uv pip install twine requests"), Some(BuildKind::Build));
        assert_eq!(run("uv pip install -r ci.txt"), Some(BuildKind::Build));
        assert_eq!(run("npm ci"), Some(BuildKind::Build));
        assert_eq!(run("npm clean-install"), Some(BuildKind::Build));
        assert_eq!(run("yarn"), Some(BuildKind::Build));
        assert_eq!(run("yarn --frozen-lockfile"), Some(BuildKind::Build));
        assert_eq!(run("yarn npm publish"), None);
        assert_eq!(run("yarn --version"), None);
        assert_eq!(
            run("pnpm install --frozen-lockfile"),
            Some(BuildKind::Build)
        );
        // pnpm 11's short name.
        assert_eq!(run("pn install --frozen-lockfile"), Some(BuildKind::Build));
        assert_eq!(run("pn i"), Some(BuildKind::Build));
        assert_eq!(run("pn publish"), None);
        assert_eq!(run("npm install -g npm@latest"), Some(BuildKind::ToolSetup));
        assert_eq!(run("npm install -g typescript"), Some(BuildKind::Build));
        assert_eq!(run("npm publish"), None);
        assert_eq!(
            run("pip install --upgrade twine==6.1.0 && twine upload dist/*"),
            Some(BuildKind::ToolSetup)
        );
        assert_eq!(run("CC=gcc make wheels"), Some(BuildKind::Build));
        assert_eq!(run("uv build"), Some(BuildKind::Build));
        assert_eq!(run("uv publish"), None);
        assert_eq!(run("python setup.py sdist"), Some(BuildKind::Build));
    }
}
