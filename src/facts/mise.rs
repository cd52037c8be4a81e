//! mise's tasks (jdx/mise, checked at 70e94a1f): what `mise run TASK`
//! runs, from the TOML tasks of a mise configuration and the file tasks of
//! its task folders.
//!
//! - `mise run TASK`, `mise r TASK` and `mise tasks run TASK`
//!   (`docs/tasks/running-tasks.md`; `src/cli/run.rs` for the options,
//!   [`RUN_VALUE_OPTIONS`]); `mise TASK` alone is not read: mise may add a
//!   command of that name, and its documentation says never to script it.
//!   Several tasks are separated by `:::`.
//! - TOML tasks (`docs/tasks/toml-tasks.md`): `[tasks] NAME = "cmd"` or a
//!   list of commands, `[tasks.NAME]` with `run` (a string or a list,
//!   whose `{ task = "x" }` entries run another task), `file` (a script)
//!   and `depends` (tasks run before it); in the configuration files of
//!   [`CONFIG_FILES`] (`docs/configuration.md`).
//! - File tasks (`docs/tasks/file-tasks.md`): an executable in one of
//!   [`DEFAULT_TASK_FOLDERS`], or in the folders `task_config.includes`
//!   lists instead (`docs/tasks/task-configuration.md`, where a listed
//!   `.toml` file holds TOML tasks); `group:name` is `group/name`, and a
//!   group alone its `_default`.

/// The configuration files of a project's folder, in mise's order of
/// precedence (`docs/configuration.md`; `mise.local.toml` is not
/// committed, and `conf.d` fragments are not read).
pub const CONFIG_FILES: &[&str] = &[
    "mise.toml",
    ".mise.toml",
    "mise/config.toml",
    ".mise/config.toml",
    ".config/mise.toml",
    ".config/mise/config.toml",
];

/// The default file-task folders (`docs/tasks/task-configuration.md`,
/// `task_config.includes`).
pub const DEFAULT_TASK_FOLDERS: &[&str] = &[
    "mise-tasks",
    ".mise-tasks",
    ".mise/tasks",
    ".config/mise/tasks",
    "mise/tasks",
];

/// The options of `mise run` that take the next word as their value
/// (`src/cli/run.rs`).
const RUN_VALUE_OPTIONS: &[&str] = &[
    "--affected-base",
    "--affected-head",
    "-j",
    "--jobs",
    "-o",
    "--output",
    "-s",
    "--shell",
    "-t",
    "--tool",
    "--allow-env",
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--timeout",
    "--task-cache",
];

/// What a `mise` command line runs.
#[derive(Debug, PartialEq, Eq)]
pub enum MiseRuns<'w> {
    /// These tasks, in the working folder.
    Tasks(Vec<&'w str>),
    /// Tasks in another folder (`-C`/`--cd`), or chosen by mise
    /// (`--all`, `--affected`, a pattern): not read.
    Unknown,
}

/// What `mise ARGS` runs, for the commands that run tasks; `None` for
/// other commands and for a dry run (`-n`/`--dry-run`).
pub fn what_runs(args: &[String]) -> Option<MiseRuns<'_>> {
    let rest = match args {
        [run, rest @ ..] if run == "run" || run == "r" => rest,
        [tasks, run, rest @ ..] if tasks == "tasks" && run == "run" => rest,
        _ => return None,
    };
    let mut wanted = Vec::new();
    let mut at = 0;
    let mut expect_task = true;
    while let Some(word) = rest.get(at) {
        let word = word.as_str();
        at += 1;
        if word == ":::" {
            expect_task = true;
            continue;
        }
        if !expect_task {
            // The task's own arguments, up to the next `:::`.
            continue;
        }
        if word == "--" {
            return Some(MiseRuns::Unknown);
        }
        if let Some(option) = word.strip_prefix('-') {
            let name = word.split('=').next().unwrap_or(word);
            match name {
                "-n" | "--dry-run" => return None,
                "-C" | "--cd" | "--all" | "--affected" => return Some(MiseRuns::Unknown),
                _ if RUN_VALUE_OPTIONS.contains(&name) && !option.contains('=') => at += 1,
                _ => {}
            }
            continue;
        }
        if word.contains(['*', '?', '{', '$', '`', '/']) || word.is_empty() {
            return Some(MiseRuns::Unknown);
        }
        wanted.push(word);
        expect_task = false;
    }
    if wanted.is_empty() {
        // `mise run` alone asks which task to run.
        return Some(MiseRuns::Unknown);
    }
    Some(MiseRuns::Tasks(wanted))
}

/// A TOML task.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TomlTask {
    /// Its commands, in order.
    pub run: Vec<String>,
    /// A script it runs instead (`file = "scripts/release.sh"`).
    pub file: Option<String>,
    /// The tasks run before it, and those its `run` list names.
    pub depends: Vec<String>,
    /// Another folder it runs in (`dir`), relative to the configuration's.
    pub dir: Option<String>,
    /// The interpreter of its `run` commands, when not a POSIX shell
    /// (`shell = "nu -c"`; `docs/tasks/task-configuration.md`, `shell`).
    pub foreign_shell: Option<String>,
}

/// What tplint reads of one mise configuration file.
#[derive(Debug, Default)]
pub struct MiseConfig {
    pub tasks: Vec<(String, TomlTask)>,
    /// `task_config.includes`, which replaces the default task folders.
    pub includes: Option<Vec<String>>,
}

/// A mise configuration file's tasks, or a file of TOML tasks (whose
/// tasks are top-level tables); `None` when it does not parse.
pub fn parse_config(text: &str, tasks_file: bool) -> Option<MiseConfig> {
    let table: toml::Table = text.parse().ok()?;
    let includes = table
        .get("task_config")
        .and_then(|c| c.get("includes"))
        .and_then(toml::Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(toml::Value::as_str)
                .map(str::to_string)
                .collect()
        });
    let tasks_table = if tasks_file {
        Some(&table)
    } else {
        table.get("tasks").and_then(toml::Value::as_table)
    };
    let tasks = tasks_table
        .map(|tasks| {
            tasks
                .iter()
                .map(|(name, value)| (name.clone(), toml_task(value)))
                .collect()
        })
        .unwrap_or_default();
    Some(MiseConfig { tasks, includes })
}

fn toml_task(value: &toml::Value) -> TomlTask {
    let mut task = TomlTask::default();
    let commands = |value: &toml::Value, task: &mut TomlTask| match value {
        toml::Value::String(line) => task.run.push(line.clone()),
        toml::Value::Array(items) => {
            for item in items {
                match item {
                    toml::Value::String(line) => task.run.push(line.clone()),
                    toml::Value::Table(entry) => {
                        if let Some(name) = entry.get("task").and_then(toml::Value::as_str) {
                            task.depends.push(name.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    };
    match value {
        toml::Value::Table(table) => {
            if let Some(depends) = table.get("depends") {
                match depends {
                    toml::Value::String(one) => task.depends.push(one.clone()),
                    toml::Value::Array(list) => task.depends.extend(
                        list.iter()
                            .filter_map(toml::Value::as_str)
                            .map(str::to_string),
                    ),
                    _ => {}
                }
            }
            if let Some(run) = table.get("run") {
                commands(run, &mut task);
            }
            task.file = table
                .get("file")
                .and_then(toml::Value::as_str)
                .map(str::to_string);
            task.dir = table
                .get("dir")
                .and_then(toml::Value::as_str)
                .map(str::to_string);
            task.foreign_shell = table
                .get("shell")
                .and_then(toml::Value::as_str)
                .filter(|shell| {
                    let program = shell.split_whitespace().next().unwrap_or_default();
                    !matches!(
                        program.rsplit('/').next().unwrap_or_default(),
                        "bash" | "sh" | "zsh" | "dash" | "ksh"
                    )
                })
                .map(str::to_string);
        }
        other => commands(other, &mut task),
    }
    task
}

/// The paths a file task `name` may have in `folder`: `group:name` is
/// `group/name`, and a group alone runs its `_default`.
pub fn file_task_paths(folder: &str, name: &str) -> [String; 2] {
    let path = name.replace(':', "/");
    [
        format!("{folder}/{path}"),
        format!("{folder}/{path}/_default"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn run_commands() {
        let runs = |text: &str| what_runs(&words(text).leak()[1..]);
        assert_eq!(
            runs("mise run release"),
            Some(MiseRuns::Tasks(vec!["release"]))
        );
        assert_eq!(
            runs("mise r -j 2 build --release ::: publish x"),
            Some(MiseRuns::Tasks(vec!["build", "publish"]))
        );
        assert_eq!(
            runs("mise tasks run release:crates"),
            Some(MiseRuns::Tasks(vec!["release:crates"]))
        );
        assert_eq!(runs("mise run -n release"), None);
        assert_eq!(runs("mise run -C sub release"), Some(MiseRuns::Unknown));
        assert_eq!(runs("mise run 'test:*'"), Some(MiseRuns::Unknown));
        assert_eq!(runs("mise install"), None);
        assert_eq!(runs("mise x node -- npm publish"), None);
    }

    #[test]
    fn toml_tasks() {
        let config = parse_config(
            "[task_config]\nincludes = [\"xtasks\"]\n[tasks]\nlint = \"cargo clippy\"\n[tasks.release]\ndepends = [\"build\"]\nrun = [\"cargo publish\", { task = \"notify\" }]\n",
            false,
        )
        .unwrap();
        assert_eq!(config.includes, Some(vec!["xtasks".to_string()]));
        let release = &config.tasks.iter().find(|(n, _)| n == "release").unwrap().1;
        assert_eq!(release.run, vec!["cargo publish".to_string()]);
        assert_eq!(
            release.depends,
            vec!["build".to_string(), "notify".to_string()]
        );
        let lint = &config.tasks.iter().find(|(n, _)| n == "lint").unwrap().1;
        assert_eq!(lint.run, vec!["cargo clippy".to_string()]);
        let nu = parse_config("[tasks.v]\nshell = \"nu -c\"\nrun = \"ls\"\n", false).unwrap();
        assert_eq!(nu.tasks[0].1.foreign_shell.as_deref(), Some("nu -c"));
        let file = parse_config("[publish]\nfile = \"scripts/publish.sh\"\n", true).unwrap();
        assert_eq!(file.tasks[0].1.file.as_deref(), Some("scripts/publish.sh"));
    }
}
