//! melos's scripts: `melos run <name>` and `melos <name>` run a script of
//! the workspace's configuration, read here for the lines it runs.
//!
//! Facts read in invertase/melos [caf0db3, melos-v8.3.0]:
//! - Where the configuration lives (`workspace_config.dart`): melos 7 and
//!   later read the `melos:` key of the root `pubspec.yaml`; melos 6 and
//!   earlier read `melos.yaml` (a leftover `melos.yaml` is ignored by 7).
//!   Scripts are the `scripts:` mapping of either.
//! - A script (`scripts.dart`, `Script.fromYaml`) is a string (a shell
//!   command run once in the workspace root), or a mapping with `run:`
//!   (the same), `exec:` (a command run in every package: a string, or
//!   `exec: {command: ...}` from 8.0; before 8.0 `run:` beside an `exec:`
//!   mapping of options), `env:` and `steps:`.
//! - A step (`commands/run.dart`, `_buildScriptCommand`) is the name of
//!   another script (`melos run <step>`), a melos command whose first word
//!   is `format`, `bs`, `bootstrap`, `clean`, `list` or `publish` (`melos
//!   <step>`), or else a shell command.
//! - `melos exec` joins its arguments with spaces and runs them with
//!   `/bin/sh -c` in each package's folder (`common/utils.dart`,
//!   `startCommandRaw`).

use std::collections::HashSet;

use super::tasks::{RecipeLine, Recipes};
use crate::source::Span;
use crate::yaml::Node;

/// melos's own commands (`command_runner/*.dart`, each command's `name`
/// and `aliases`): any other word after `melos` names a script.
const COMMANDS: &[&str] = &[
    "analyze",
    "bootstrap",
    "bs",
    "bullshit",
    "clean",
    "exec",
    "format",
    "init",
    "list",
    "ls",
    "publish",
    "run",
    "test",
    "version",
];

/// The words of a step that run a melos command rather than a shell
/// command (`commands/run.dart`, `_isStepACommand`).
const STEP_COMMANDS: &[&str] = &["format", "bs", "bootstrap", "clean", "list", "publish"];

/// melos's global options that take a value (`command_runner.dart`).
const GLOBAL_VALUE_OPTIONS: &[&str] = &["--sdk-path"];

/// The options of `melos exec` that take a value (`command_runner/exec.dart`
/// and the package filters of `command_runner/base.dart`).
const EXEC_VALUE_OPTIONS: &[&str] = &[
    "-c",
    "--concurrency",
    "--scope",
    "--ignore",
    "--category",
    "--diff",
    "--since",
    "--depends-on",
    "--no-depends-on",
    "--file-exists",
    "--dir-exists",
];

/// The options of `melos run` that take a value (`command_runner/run.dart`
/// `--group`, and the package filters).
const RUN_VALUE_OPTIONS: &[&str] = &["--group", "-g"];

/// What a `melos` command line runs of the repository's own.
#[derive(Debug, PartialEq, Eq)]
pub enum MelosRuns<'w> {
    /// `melos run <name> [args]`, `melos <name> [args]`: a script of the
    /// configuration, with the arguments melos appends to its command
    /// (`scripts.dart`, `command()`: `scriptCommand.addAll(extraArgs)`).
    Script(&'w str, Vec<&'w str>),
    /// `melos exec -- <command>`: shell text, run in every package.
    Exec(String),
}

/// What `args` (the words after `melos`) run: a script, a command in every
/// package, or `None` for melos's own commands.
pub fn what_runs<'w>(args: &'w [String]) -> Option<MelosRuns<'w>> {
    let mut rest = args;
    while let Some(word) = rest.first() {
        if !word.starts_with('-') {
            break;
        }
        let takes_value = GLOBAL_VALUE_OPTIONS.contains(&word.as_str());
        rest = &rest[(1 + usize::from(takes_value)).min(rest.len())..];
    }
    let (command, rest) = rest.split_first()?;
    // Extra arguments, without the `--` that ends melos's own options.
    let extra = |words: &'w [String]| -> Vec<&'w str> {
        let mut removed = false;
        words
            .iter()
            .filter(|w| {
                let first_separator = *w == "--" && !removed;
                removed |= first_separator;
                !first_separator
            })
            .map(String::as_str)
            .collect()
    };
    match command.as_str() {
        "run" => {
            let rest = skip_options(rest, &[RUN_VALUE_OPTIONS, EXEC_VALUE_OPTIONS]);
            let (name, args) = rest.split_first()?;
            (name != "--").then(|| MelosRuns::Script(name.as_str(), extra(args)))
        }
        "exec" => {
            // Options until `--` or the command's first word; the command
            // is the rest, whatever it holds.
            let words = skip_options(rest, &[EXEC_VALUE_OPTIONS]);
            let command = match words.first() {
                Some(first) if first == "--" => &words[1..],
                _ => words,
            };
            (!command.is_empty()).then(|| MelosRuns::Exec(command.join(" ")))
        }
        name if COMMANDS.contains(&name) => None,
        name if name.contains(['$', '/', '=']) => None,
        name => Some(MelosRuns::Script(name, extra(rest))),
    }
}

/// `words` after leading options, the values of `value_options` with them.
fn skip_options<'w>(words: &'w [String], value_options: &[&[&str]]) -> &'w [String] {
    let mut rest = words;
    while let Some(word) = rest.first() {
        if !word.starts_with('-') || word == "--" {
            break;
        }
        let takes_value = value_options.iter().any(|o| o.contains(&word.as_str()));
        rest = &rest[(1 + usize::from(takes_value)).min(rest.len())..];
    }
    rest
}

/// The scripts of a melos configuration.
#[derive(Debug)]
pub struct MelosScripts {
    /// `None` when the file does not parse or has no `scripts:` mapping
    /// tplint can read.
    scripts: Option<Vec<(String, Script)>>,
    /// Whether the file holds a melos configuration: a `melos.yaml`, or a
    /// `pubspec.yaml` with a `melos:` mapping (melos 7 and later), so that
    /// a `melos.yaml` beside it is not read.
    configured: bool,
}

#[derive(Debug, Default)]
struct Script {
    /// `run:`/`exec:` (or the script itself when it is a string): where it
    /// is written and its text.
    command: Option<(Span, String)>,
    /// `steps:`, each where it is written and its text.
    steps: Vec<(Span, String)>,
    /// `env:`: (name, value, where).
    env: Vec<(String, String, Span)>,
    /// A value tplint cannot read (not a string where one is expected).
    unreadable: bool,
}

impl MelosScripts {
    /// The scripts of `path`: the `melos:` key's `scripts:` of a
    /// `pubspec.yaml`, the top-level `scripts:` of a `melos.yaml`.
    pub fn parse(path: &str, text: &str) -> Self {
        let in_pubspec = path.rsplit('/').next() == Some("pubspec.yaml");
        let root = crate::yaml::parse(text)
            .ok()
            .and_then(|document| document.root);
        let config = match root {
            Some(root) if in_pubspec => root
                .get("melos")
                .filter(|m| m.as_mapping().is_some())
                .cloned(),
            root => root,
        };
        // No `scripts:` defines none; one tplint cannot read leaves them
        // unknown.
        let scripts = config
            .as_ref()
            .and_then(|config| match config.get("scripts") {
                None => Some(Vec::new()),
                Some(scripts) => Some(
                    scripts
                        .as_mapping()?
                        .iter()
                        .filter_map(|entry| {
                            Some((entry.key.as_str()?.to_string(), Script::read(&entry.value)))
                        })
                        .collect(),
                ),
            });
        Self {
            scripts,
            configured: !in_pubspec || config.is_some(),
        }
    }

    /// Whether the file holds a melos configuration.
    pub fn configured(&self) -> bool {
        self.configured
    }

    /// Whether the configuration defines script `name`.
    pub fn defines(&self, name: &str) -> bool {
        self.scripts
            .as_ref()
            .is_some_and(|scripts| scripts.iter().any(|(n, _)| n == name))
    }

    /// The lines `melos run <name>` runs: its command or its steps, a step
    /// naming another script or a melos command written as the `melos`
    /// command line it stands for, with the script's `env:`.
    pub fn recipes<'a>(&self, name: &str, args: &[&str]) -> Recipes<'a> {
        let mut recipes = Recipes::default();
        let Some(scripts) = &self.scripts else {
            recipes.opaque = true;
            return recipes;
        };
        let Some((_, script)) = scripts.iter().find(|(n, _)| n == name) else {
            recipes.missing.push(name.to_string());
            return recipes;
        };
        recipes.opaque = script.unreadable;
        recipes.env = script.env.clone();
        if let Some((span, text)) = &script.command {
            let mut text = text.clone();
            for arg in args {
                text.push(' ');
                text.push_str(&super::tasks::shell_quoted(arg));
            }
            recipes.lines.push(RecipeLine {
                span: *span,
                text,
                cwd: None,
            });
        }
        let names: HashSet<&str> = scripts.iter().map(|(n, _)| n.as_str()).collect();
        for (span, step) in &script.steps {
            let first = step.split(' ').next().unwrap_or_default();
            let text = if names.contains(step.as_str()) {
                format!("melos run {step}")
            } else if STEP_COMMANDS.contains(&first) {
                format!("melos {step}")
            } else {
                step.clone()
            };
            recipes.lines.push(RecipeLine {
                span: *span,
                text,
                cwd: None,
            });
        }
        recipes
    }
}

impl Script {
    fn read(node: &Node) -> Self {
        let mut script = Script::default();
        if let Some(text) = node.as_str() {
            script.command = Some((node.span, text.to_string()));
            return script;
        }
        if node.as_mapping().is_none() {
            script.unreadable = true;
            return script;
        }
        let string = |node: &Node, script: &mut Script| {
            let text = node.as_str().map(str::to_string);
            script.unreadable |= text.is_none();
            text.map(|text| (node.span, text))
        };
        // `exec: <command>` or `exec: {command: ...}` (8.0), else `run:`
        // (with or without an `exec:` mapping of options before 8.0).
        let exec_command = node.get("exec").and_then(|exec| match exec.as_str() {
            Some(_) => Some(exec),
            None => exec.get("command"),
        });
        if let Some(command) = exec_command.or_else(|| node.get("run")) {
            script.command = string(command, &mut script);
        }
        if let Some(steps) = node.get("steps") {
            match steps.as_sequence() {
                Some(items) => {
                    for item in items {
                        if let Some(step) = string(item, &mut script) {
                            script.steps.push(step);
                        }
                    }
                }
                None => script.unreadable = true,
            }
        }
        if let Some(env) = node.get("env").and_then(Node::as_mapping) {
            for entry in env {
                if let (Some(name), Some(value)) = (entry.key.as_str(), entry.value.as_str()) {
                    script
                        .env
                        .push((name.to_string(), value.to_string(), entry.value.span));
                }
            }
        }
        script
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn command_lines() {
        let run = |text: &str| what_runs(&words(text)[1..]).map(|r| format!("{r:?}"));
        assert_eq!(
            run("melos run release").as_deref(),
            Some("Script(\"release\", [])")
        );
        assert_eq!(
            run("melos run --no-select release").as_deref(),
            Some("Script(\"release\", [])")
        );
        assert_eq!(
            run("melos publish:force --no-select").as_deref(),
            Some("Script(\"publish:force\", [\"--no-select\"])")
        );
        assert_eq!(
            run("melos --verbose release").as_deref(),
            Some("Script(\"release\", [])")
        );
        assert_eq!(run("melos bootstrap"), None);
        assert_eq!(run("melos bs"), None);
        assert_eq!(run("melos publish --no-dry-run"), None);
        assert_eq!(run("melos version"), None);
        assert_eq!(
            run("melos exec -c 1 -- dart pub publish -f").as_deref(),
            Some("Exec(\"dart pub publish -f\")")
        );
        assert_eq!(
            run("melos exec --scope=a dart pub get").as_deref(),
            Some("Exec(\"dart pub get\")")
        );
        assert_eq!(run("melos exec --"), None);
        // Options with values before the name; arguments after it.
        assert_eq!(
            run("melos run --scope foo release -- --dry-run").as_deref(),
            Some("Script(\"release\", [\"--dry-run\"])")
        );
        assert_eq!(
            run("melos exec dart run x -- --flag").as_deref(),
            Some("Exec(\"dart run x -- --flag\")")
        );
    }

    const MELOS_YAML: &str = "name: w
scripts:
  publish:force:
    run: dart pub publish -f
    exec:
      concurrency: 1
  publish:dry: dart pub publish --dry-run
  each:
    exec: dart pub publish --force
  each8:
    exec:
      command: dart pub publish --force
      concurrency: 1
  release:
    env:
      MODE: real
    steps:
      - publish:dry
      - bootstrap
      - echo done
  odd: [1, 2]
";

    fn lines(recipes: &Recipes<'_>) -> Vec<String> {
        recipes.lines.iter().map(|l| l.text.clone()).collect()
    }

    #[test]
    fn scripts_of_a_melos_yaml() {
        let scripts = MelosScripts::parse("melos.yaml", MELOS_YAML);
        assert!(scripts.defines("release"));
        assert!(!scripts.defines("name"));
        assert_eq!(
            lines(&scripts.recipes("publish:force", &[])),
            ["dart pub publish -f"]
        );
        assert_eq!(
            lines(&scripts.recipes("publish:dry", &[])),
            ["dart pub publish --dry-run"]
        );
        assert_eq!(
            lines(&scripts.recipes("each", &[])),
            ["dart pub publish --force"]
        );
        assert_eq!(
            lines(&scripts.recipes("each8", &[])),
            ["dart pub publish --force"]
        );
        assert_eq!(
            lines(&scripts.recipes("publish:dry", &["--force"])),
            ["dart pub publish --dry-run --force"]
        );
        let release = scripts.recipes("release", &[]);
        assert_eq!(
            lines(&release),
            ["melos run publish:dry", "melos bootstrap", "echo done"]
        );
        assert_eq!(release.env[0].0, "MODE");
        assert!(!release.opaque);
        assert!(scripts.recipes("odd", &[]).opaque);
        assert_eq!(scripts.recipes("absent", &[]).missing, ["absent"]);
        let span = scripts.recipes("publish:force", &[]).lines[0].span;
        assert_eq!(&MELOS_YAML[span.range()], "dart pub publish -f");
    }

    #[test]
    fn scripts_of_a_pubspec() {
        let pubspec =
            "name: w\nworkspace: [a]\nmelos:\n  scripts:\n    go: melos publish --no-dry-run -y\n";
        let scripts = MelosScripts::parse("pubspec.yaml", pubspec);
        assert!(scripts.configured());
        assert!(!MelosScripts::parse("pubspec.yaml", "name: w\nversion: 1.0.0\n").configured());
        assert_eq!(
            lines(&scripts.recipes("go", &[])),
            ["melos publish --no-dry-run -y"]
        );
        // A melos.yaml read as a pubspec has no `melos:` key.
        assert!(
            MelosScripts::parse("pubspec.yaml", MELOS_YAML)
                .recipes("each", &[])
                .opaque
        );
        assert!(
            MelosScripts::parse("melos.yaml", "a: [")
                .recipes("x", &[])
                .opaque
        );
    }
}
