//! Cake builds (cake-build/cake): C# scripts (`build.cake`, and Cake.Sdk's
//! `cake.cs`) whose tasks a workflow runs through `dotnet cake`, a
//! bootstrapper (`./build.sh`, `build.ps1`) or `cake-build/cake-action`.
//! Read only for what matters to publishing: the tasks
//! (`Task("Publish")`), the tasks each one brings along (`IsDependentOn`,
//! and the reverse `IsDependeeOf`), the target (`RunTarget(target)` with
//! `var target = Argument("target", "Default")`), and the NuGet pushes in
//! each task's statement (`DotNetNuGetPush`, `NuGetPush`,
//! `DotNetCoreNuGetPush`) with the `Source` and `ApiKey` of their
//! settings. A task's criteria may hold; a task's other work is opaque,
//! and the build stays opaque whatever is read.
//!
//! Facts checked in cake-build/cake [cc71d61]: the task builder
//! (`src/Cake.Core/CakeTaskBuilder.Dependencies.cs`), names matched
//! ignoring case (`src/Cake.Core/CakeEngine.cs`), arguments as the
//! command line's last `--name=value` ignoring case
//! (`src/Cake.Common/ArgumentAliases.cs`, `src/Cake.Core/CakeArguments.cs`),
//! `--exclusive` running the target alone and `--dryrun` running nothing
//! (`src/Cake/Commands/DefaultCommandSettings.cs`), `#load` of a local
//! file relative to the script
//! (`src/Cake.Core/Scripting/Processors/LoadDirectiveProcessor.cs`), and
//! the push aliases' settings (`src/Cake.Common/Tools/DotNet/NuGet/Push/`,
//! `src/Cake.Common/Tools/NuGet/Push/`).

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;

use super::csharp::{
    Property, Push, Value, arguments, conditions, in_code, non_code, nuget_push_calls, property,
    push_command, statement_end, value,
};

#[derive(Clone, Debug, Default)]
struct Task {
    depends_on: Vec<String>,
    dependee_of: Vec<String>,
    pushes: Vec<Push>,
}

/// The tasks of a Cake script and the files it loads.
#[derive(Clone, Debug, Default)]
pub struct Script {
    /// By name in lower case (Cake matches task names ignoring case).
    tasks: HashMap<String, Task>,
    /// The target the script runs: `Fixed` for `RunTarget("X")`, else
    /// the argument it reads and that argument's default.
    target: Option<TargetChoice>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum TargetChoice {
    /// `RunTarget("X")`: whatever the command line says.
    Fixed(String),
    /// `RunTarget(target)` with `target = Argument("NAME", "DEFAULT")`.
    Argument { name: String, default: String },
}

// ASCII classes, as in `nuke.rs`: cheaper to compile, and C# names here
// are ASCII.
static TASK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?-u:\b)Task[ \t\r\n]*\([ \t\r\n]*"([^"\\\r\n]+)"[ \t\r\n]*\)"#)
        .expect("valid regex literal")
});
static RUN_TARGET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?-u:\b)RunTarget(?:Async)?[ \t\r\n]*\([ \t\r\n]*(?:"([^"\\\r\n]+)"|([A-Za-z_][A-Za-z0-9_]*))[ \t\r\n]*\)"#)
        .expect("valid regex literal")
});
static LOAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*#(?:load|l)[ \t]+"?([^"\r\n]+?)"?[ \t]*\r?$"#)
        .expect("valid regex literal")
});

/// The local files a script `#load`s, as written (`local:?path=` taken
/// off); `None` when it loads something tplint cannot read (a NuGet
/// package's recipe, a glob, a variable).
pub fn loads(text: &str) -> Option<Vec<String>> {
    let mut files = Vec::new();
    for captures in LOAD.captures_iter(text) {
        let Some(target) = captures.get(1) else {
            continue;
        };
        let target = target.as_str().trim();
        let path = match target.strip_prefix("local:") {
            Some(rest) => rest.trim_start_matches('?').trim_start_matches("path="),
            None if target.contains(':') => return None,
            None => target,
        };
        if path.is_empty() || path.contains(['*', '?', '$', '&']) {
            return None;
        }
        let path = path.replace('\\', "/");
        // `.cake` is the extension a load without one gets.
        let path = if path.rsplit('/').next().is_some_and(|n| n.contains('.')) {
            path
        } else {
            format!("{path}.cake")
        };
        files.push(path);
    }
    Some(files)
}

impl Script {
    /// Read a script and the files it loads (their texts, the script
    /// first).
    pub fn parse(files: &[&str]) -> Self {
        let mut script = Self::default();
        // Declarations of every file, for a push's values named by a local
        // (`var apiKey = EnvironmentVariable("NUGET_API_KEY");`).
        for (index, text) in files.iter().enumerate() {
            let skipped = non_code(text);
            let in_code = |at: usize| in_code(&skipped, at);
            if script.target.is_none()
                && let Some(captures) = RUN_TARGET.captures(text)
                && captures.get(0).is_some_and(|m| in_code(m.start()))
            {
                script.target = match (captures.get(1), captures.get(2)) {
                    (Some(literal), _) => Some(TargetChoice::Fixed(literal.as_str().to_string())),
                    (None, Some(local)) => match declared(files, local.as_str(), None) {
                        Some(Value::Argument(name)) => argument_default(files, &name)
                            .map(|default| TargetChoice::Argument { name, default }),
                        Some(Value::Literal(literal)) => Some(TargetChoice::Fixed(literal)),
                        _ => None,
                    },
                    _ => None,
                };
            }
            let declared_tasks: Vec<(regex::Match<'_>, regex::Match<'_>)> = TASK
                .captures_iter(text)
                .filter_map(|c| Some((c.get(0)?, c.get(1)?)))
                .filter(|(whole, _)| in_code(whole.start()))
                .collect();
            for (position, (whole, name)) in declared_tasks.iter().enumerate() {
                let body_start = whole.end();
                // A task's statement ends at its `;`, never past the next task.
                let limit = declared_tasks
                    .get(position + 1)
                    .map_or(text.len(), |(next, _)| next.start());
                let body_end = statement_end(text, body_start, limit, &in_code);
                let body = &text[body_start..body_end];
                // `WithCriteria(...)`: whether the task's own work runs.
                let condition =
                    conditions(text, body_start, body_end, &[".WithCriteria"], &in_code);
                let task = script.tasks.entry(key(name.as_str())).or_default();
                for (method, list) in [
                    (".IsDependentOn(", &mut task.depends_on),
                    (".IsDependeeOf(", &mut task.dependee_of),
                ] {
                    for (at, _) in body.match_indices(method) {
                        if !in_code(body_start + at) {
                            continue;
                        }
                        let open = body_start + at + method.len() - 1;
                        if let Some(inside) = arguments(text, open, &in_code)
                            && let Value::Literal(other) = value(inside.trim())
                        {
                            list.push(key(&other));
                        }
                    }
                }
                for (span, inside) in nuget_push_calls(text, body_start, body_end, &in_code) {
                    // The settings: written in the call, or a local of the
                    // task built before it (`var settings = new
                    // DotNetNuGetPushSettings { ... };`).
                    let settings = settings_of(inside, body);
                    let resolve = |v: Option<Value>| match v {
                        Some(Value::Member(local)) => {
                            let before = span.start.saturating_sub(body_start).min(body.len());
                            declared(files, &local, body.get(..before))
                                .or(Some(Value::Member(local)))
                        }
                        other => other,
                    };
                    task.pushes.push(Push {
                        file: index,
                        span,
                        source: resolve(property(settings, Property::Source)),
                        api_key: resolve(property(settings, Property::ApiKey)),
                        condition: condition.clone(),
                        command: push_command(
                            text[span.start..span.end]
                                .split('(')
                                .next()
                                .unwrap_or_default(),
                        ),
                    });
                }
            }
        }
        script
    }

    /// The pushes a run can make with the command line's `arguments` (its
    /// `--target`, the argument the script reads, else the default;
    /// `exclusive`: the target alone): those of the target and the tasks
    /// it brings along. `None` when the target cannot be told or is not a
    /// task of the files read.
    pub fn pushes(&self, arguments: &CakeArgs) -> Option<Vec<&Push>> {
        let target = match self.target.as_ref()? {
            TargetChoice::Fixed(name) => name.clone(),
            TargetChoice::Argument { name, default } => arguments
                .value(name)
                .map_or_else(|| default.clone(), str::to_string),
        };
        let target = key(&target);
        if !self.tasks.contains_key(&target) {
            return None;
        }
        let mut brought_by: HashMap<&str, Vec<&String>> = HashMap::new();
        for (name, task) in &self.tasks {
            for other in &task.dependee_of {
                brought_by.entry(other.as_str()).or_default().push(name);
            }
        }
        let mut runs: BTreeSet<String> = BTreeSet::from([target.clone()]);
        let mut queue = if arguments.exclusive {
            Vec::new()
        } else {
            vec![target]
        };
        while let Some(name) = queue.pop() {
            let Some(task) = self.tasks.get(&name) else {
                continue;
            };
            let next = task
                .depends_on
                .iter()
                .chain(brought_by.get(name.as_str()).into_iter().flatten().copied());
            for other in next {
                if runs.insert(other.clone()) {
                    queue.push(other.clone());
                }
            }
        }
        Some(
            runs.iter()
                .filter_map(|name| self.tasks.get(name))
                .flat_map(|task| &task.pushes)
                .collect(),
        )
    }
}

/// What a Cake command line says: its arguments by name (the last value
/// of each, as `Argument` reads them), `--exclusive`, and whether it runs
/// no task at all (`--dryrun`, `--tree`, `--help` and the like).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CakeArgs {
    values: Vec<(String, String)>,
    pub exclusive: bool,
    pub runs_nothing: bool,
}

impl CakeArgs {
    /// The arguments after the script; `None` for a command line tplint
    /// cannot read: `-target X` with one dash, which Cake 1.0 and later
    /// does not read as the target (cake-build/website
    /// `docs/getting-started/upgrade.md`), unless the bootstrapper
    /// declares a `Target` parameter of its own (`single_dash_target`).
    pub fn parse(args: &[String], single_dash_target: bool) -> Option<Self> {
        let mut parsed = Self::default();
        let mut iter = args.iter().peekable();
        while let Some(word) = iter.next() {
            let word = word.trim_matches(['"', '\'']);
            let (name, inline) = if let Some(option) = word.strip_prefix("--") {
                match option.split_once('=') {
                    Some((name, value)) => (
                        name.to_string(),
                        Some(value.trim_matches(['"', '\'']).to_string()),
                    ),
                    None => (option.to_string(), None),
                }
            } else if let Some(option) = word.strip_prefix('-') {
                if option.eq_ignore_ascii_case("target") && single_dash_target {
                    ("target".to_string(), None)
                } else if option.to_ascii_lowercase().starts_with("target") {
                    return None;
                } else {
                    (option.to_string(), None)
                }
            } else {
                continue;
            };
            let lower = name.to_ascii_lowercase();
            match lower.as_str() {
                "exclusive" | "e" => parsed.exclusive = true,
                "dryrun" | "noop" | "whatif" | "tree" | "showtree" | "description"
                | "showdescription" | "help" | "h" | "version" | "ver" | "info" | "bootstrap" => {
                    parsed.runs_nothing = true;
                }
                _ => {}
            }
            let value = match inline {
                Some(value) => value,
                None => match iter.peek() {
                    Some(next) if !next.starts_with('-') => iter
                        .next()
                        .map(|v| v.trim_matches(['"', '\'']).to_string())?,
                    _ => "true".to_string(),
                },
            };
            parsed.values.push((lower, value));
        }
        Some(parsed)
    }

    /// The last value given to argument `name` (any case).
    pub fn value(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.values
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A task's name as Cake matches it: in any case.
fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The value local `name` is declared with (`var name = ...;`, `string
/// name = ...;`), in `scope` (the text of a task before a push) first,
/// then anywhere in the files; `None` when not declared once with a value.
fn declared(files: &[&str], name: &str, scope: Option<&str>) -> Option<Value> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let find = |text: &str| -> Option<Value> {
        let skipped = non_code(text);
        let mut found = Vec::new();
        for (at, _) in text.match_indices(name) {
            let (before, after) = (&text[..at], &text[at + name.len()..]);
            if !in_code(&skipped, at) || before.ends_with(is_word) || after.starts_with(is_word) {
                continue;
            }
            // Declared with a type: `var`, `string`, `string?` (also
            // `const string`).
            let head = before.trim_end();
            let typed = ["var", "string", "string?"].iter().any(|kind| {
                head.strip_suffix(kind)
                    .is_some_and(|rest| !rest.ends_with(is_word) && rest.len() < head.len())
            });
            let Some(value_text) = after.trim_start().strip_prefix('=') else {
                continue;
            };
            if !typed || value_text.starts_with('=') {
                continue;
            }
            let Some(end) = value_text.find(';') else {
                continue;
            };
            found.push(value(value_text[..end].trim()));
        }
        // Declared twice (two tasks' locals): not one value.
        (found.len() == 1).then(|| found.pop()).flatten()
    };
    if let Some(scope) = scope
        && let Some(found) = find(scope)
    {
        return Some(found);
    }
    let mut values = files.iter().filter_map(|text| find(text));
    let first = values.next()?;
    values.next().is_none().then_some(first)
}

/// The default of argument `name` (`Argument("target", "Default")`,
/// `Argument<string>("target", "Default")`).
fn argument_default(files: &[&str], name: &str) -> Option<String> {
    let pattern = Regex::new(&format!(
        r#"(?i-u:\b)Argument(?:<[A-Za-z?]+>)?[ \t\r\n]*\([ \t\r\n]*"{}"[ \t\r\n]*,[ \t\r\n]*"([^"\\\r\n]*)"[ \t\r\n]*\)"#,
        regex::escape(name)
    ))
    .ok()?;
    files.iter().find_map(|text| {
        pattern
            .captures(text)?
            .get(1)
            .map(|m| m.as_str().to_string())
    })
}

/// The settings text of a push's arguments: the call's own, or the
/// initializer of the local its last argument names, in `body`.
fn settings_of<'t>(call: &'t str, body: &'t str) -> &'t str {
    if call.contains("Source") || call.contains("ApiKey") {
        return call;
    }
    let last = call.rsplit(',').next().unwrap_or(call).trim();
    if last.is_empty() || !last.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return call;
    }
    // `last = new ...Settings { ... }`.
    let initializer = body.match_indices(last).find_map(|(at, _)| {
        let before = &body[..at];
        if before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            return None;
        }
        let rest = body[at + last.len()..].trim_start().strip_prefix('=')?;
        let rest = rest.trim_start().strip_prefix("new")?;
        rest.starts_with(|c: char| !(c.is_alphanumeric() || c == '_'))
            .then_some(rest)
    });
    let Some(rest) = initializer else {
        return call;
    };
    let Some(open) = rest.find('{') else {
        return call;
    };
    let skipped = non_code(rest);
    arguments(rest, open, &|at| in_code(&skipped, at)).unwrap_or(call)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = r#"#load "build/helpers.cake"
var target = Argument("target", "Default");
var nugetApiKey = EnvironmentVariable("NUGET_API_KEY");

Task("Clean")
    .Does(() => CleanDirectory("./artifacts"));

Task("Pack")
    .IsDependentOn("Clean")
    .Does(() =>
{
    DotNetPack("./src/Acme.sln"); // DotNetNuGetPush("x") in a comment
});

Task("Publish-NuGet")
    .IsDependentOn("Pack")
    .WithCriteria(ctx => BuildSystem.IsRunningOnGitHubActions, "Not on GitHub Actions")
    .Does(context =>
{
    var apiKey = Argument<string>("nuget-key", null);
    foreach (var file in GetFiles("./artifacts/*.nupkg"))
    {
        DotNetNuGetPush(file.FullPath, new DotNetNuGetPushSettings
        {
            Source = "https://api.nuget.org/v3/index.json",
            ApiKey = apiKey,
        });
    }
});

Task("Publish")
    .IsDependentOn("Publish-NuGet");

Task("Default")
    .IsDependentOn("Pack");

RunTarget(target);
"#;

    const HELPERS: &str = r#"
Task("Push-GitHub")
    .IsDependeeOf("Publish")
    .Does(() =>
{
    var settings = new NuGetPushSettings { Source = EnvironmentVariable("GPR_SOURCE"), ApiKey = nugetApiKey };
    NuGetPush("./artifacts/a.nupkg", settings);
});
"#;

    fn args(words: &[&str]) -> CakeArgs {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        CakeArgs::parse(&words, false).expect("readable")
    }

    #[test]
    fn tasks_dependencies_and_pushes() {
        assert_eq!(loads(SCRIPT), Some(vec!["build/helpers.cake".to_string()]));
        let script = Script::parse(&[SCRIPT, HELPERS]);
        // The default target packs only.
        assert_eq!(script.pushes(&args(&[])).map(|p| p.len()), Some(0));
        // `--target="publish"`: any case, and the dependee's push too.
        let pushes = script
            .pushes(&args(&["--target=\"publish\""]))
            .expect("a task");
        assert_eq!(pushes.len(), 2);
        let nuget = pushes.iter().find(|p| p.file == 0).expect("in the script");
        assert_eq!(
            nuget.source,
            Some(Value::Literal("https://api.nuget.org/v3/index.json".into()))
        );
        assert_eq!(nuget.api_key, Some(Value::Argument("nuget-key".into())));
        assert_eq!(
            nuget.condition.as_deref(),
            Some(r#"ctx => BuildSystem.IsRunningOnGitHubActions, "Not on GitHub Actions""#)
        );
        assert!(SCRIPT[nuget.span.range()].starts_with("DotNetNuGetPush("));
        assert_eq!(nuget.command, "dotnet nuget push");
        let github = pushes.iter().find(|p| p.file == 1).expect("loaded");
        // nuget.exe's push.
        assert_eq!(github.command, "nuget push");
        assert_eq!(github.source, Some(Value::Variable("GPR_SOURCE".into())));
        assert_eq!(
            github.api_key,
            Some(Value::Variable("NUGET_API_KEY".into()))
        );
        // `--exclusive`: the target alone.
        let alone = script
            .pushes(&args(&["--target", "Publish", "--exclusive"]))
            .expect("a task");
        assert_eq!(alone.len(), 0);
        // The last `--target` wins; an unknown one is not read.
        assert_eq!(
            script
                .pushes(&args(&["--target=Publish", "--Target=Pack"]))
                .map(|p| p.len()),
            Some(0)
        );
        assert!(script.pushes(&args(&["--target=Deploy"])).is_none());
    }

    #[test]
    fn command_lines() {
        let parsed = args(&["--target=Publish", "--nuget-key", "$KEY", "--dryrun"]);
        assert_eq!(parsed.value("TARGET"), Some("Publish"));
        assert_eq!(parsed.value("nuget-key"), Some("$KEY"));
        assert!(parsed.runs_nothing);
        let words = vec!["-Target".to_string(), "Publish".to_string()];
        assert!(CakeArgs::parse(&words, false).is_none());
        let old = CakeArgs::parse(&words, true).expect("a bootstrapper's parameter");
        assert_eq!(old.value("target"), Some("Publish"));
    }

    #[test]
    fn loads_and_targets_tplint_cannot_read() {
        assert!(loads("#load nuget:?package=Cake.Recipe&version=3.1.1\n").is_none());
        assert_eq!(
            loads("#l local:?path=tools/x.cake\n#load tools/y\n"),
            Some(vec!["tools/x.cake".to_string(), "tools/y.cake".to_string()])
        );
        // A recipe's `Build.Run()`: no target tplint can tell.
        let recipe =
            Script::parse(&["Task(\"X\").Does(() => NuGetPush(\"a\", s));\nBuild.Run();\n"]);
        assert!(recipe.pushes(&args(&["--target=X"])).is_none());
        // `RunTarget("X")` ignores the command line.
        let fixed = Script::parse(&[
            "Task(\"X\").Does(() => DotNetNuGetPush(\"a\", new DotNetNuGetPushSettings { Source = \"s\" }));\nRunTarget(\"X\");\n",
        ]);
        assert_eq!(
            fixed.pushes(&args(&["--target=Y"])).map(|p| p.len()),
            Some(1)
        );
    }

    #[test]
    fn bad_input_is_not_read() {
        for text in [
            "Task(\"",
            "Task(\"a\").IsDependentOn(",
            "RunTarget(",
            "Task(\"é\").Does(() => NuGetPush(\"ü\", new X { ApiKey = \"",
            "#load \"\"\n",
        ] {
            let script = Script::parse(&[text]);
            let _ = script.pushes(&args(&["--target=a"]));
            let _ = loads(text);
        }
    }
}
