//! NUKE builds (nuke-build/nuke), and those of its fork Fallout
//! (Fallout-build/Fallout): C# build projects whose targets a
//! workflow runs through the bootstrapper (`./build.sh Publish`,
//! `./build.cmd`, `build.ps1`) or the global tool (`nuke Publish`). Read
//! only for what matters to publishing: the targets, the targets each one
//! brings along (`DependsOn`, `Triggers`, and the reverse `DependentFor`,
//! `TriggeredBy`), the default targets (`Execute<Build>(x => x.Compile)`,
//! or several: `Execute<Build>(x => x.Test, x => x.Push)`),
//! and the NuGet pushes in each target's body (`DotNetNuGetPush`,
//! `NuGetPush`) with their `SetSource` and `SetApiKey` arguments. A
//! target's other conditions may hold, except `IsLocalBuild`, which is
//! false on a CI server (`source/Nuke.Build/NukeBuild.Statics.cs`). A
//! target's other work is opaque: the build stays opaque whatever is read.
//!
//! Facts checked in nuke-build/nuke [27e8077]: `Target` declarations and
//! their relations (`source/Nuke.Build/ITargetDefinition.cs`), the
//! bootstrappers' `.nuke/temp` folder and `build/_build.csproj`
//! (`source/Nuke.GlobalTool/templates/build.sh`, `build.ps1`), and a
//! parameter read from the environment variable of the same letters and
//! digits in any case, or with a `NUKE` prefix
//! (`source/Nuke.Build/Execution/ParameterService.cs`
//! `GetEnvironmentVariable`), and the default targets `Execute<T>` takes
//! (`params Expression<Func<T, Target>>[] defaultTargetExpressions`,
//! `source/Nuke.Build/NukeBuild.cs`). Fallout keeps all of these:
//! `Execute<T>` with the same signature (`src/Fallout.Build/FalloutBuild.cs`
//! [595848e]), the variables read with the same `NUKE` prefix
//! (`src/Fallout.Build/Execution/ParameterService.cs` [3d8cfba]), the same
//! task names (`src/Fallout.Common/Tools/DotNet/DotNet.Generated.cs`
//! [4576724]); its bootstrappers write `.fallout/temp` instead
//! (`build.sh`, `build.ps1` [f1f9fc4]).

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;

use super::csharp::{
    Property, arguments, conditions, in_code, non_code, nuget_push_calls, property, push_command,
    setting, split_top_level, statement_end, trailing_identifier,
};
pub use super::csharp::{Push, Value};

#[derive(Clone, Debug, Default)]
struct Target {
    depends_on: Vec<String>,
    triggers: Vec<String>,
    dependent_for: Vec<String>,
    triggered_by: Vec<String>,
    pushes: Vec<Push>,
    /// Runs only outside CI (`OnlyWhen...(() => IsLocalBuild)`).
    local_only: bool,
}

/// The targets of a NUKE build, read from its C# files.
#[derive(Clone, Debug, Default)]
pub struct Build {
    /// By name in lower case (NUKE matches target names ignoring case).
    targets: HashMap<String, Target>,
    /// The targets run when none is named (`Execute<Build>(x => x.Test,
    /// x => x.Push)` names several); empty when tplint cannot tell.
    defaults: Vec<String>,
    /// String members with a literal value (`string Source = "..."`), the
    /// default of a parameter included.
    pub literals: HashMap<String, String>,
}

// The patterns use ASCII classes (`[ \t\r\n]`, `(?-u:\b)`): C# names here
// are ASCII, and Unicode classes cost more to compile than a build costs
// to read.
static TARGET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)Target[ \t\r\n]+([A-Za-z_][A-Za-z0-9_]*)[ \t\r\n]*=>")
        .expect("valid regex literal")
});
static EXECUTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"Execute<[^>()]+>\(").expect("valid regex literal"));
/// One default target: `x => x.Compile`.
static DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[ \t\r\n]*[A-Za-z0-9_]+[ \t\r\n]*=>[ \t\r\n]*[A-Za-z0-9_]+\.([A-Za-z_][A-Za-z0-9_]*)[ \t\r\n]*$")
        .expect("valid regex literal")
});
static LOCAL_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\.OnlyWhen(?:Static|Dynamic)\([ \t\r\n]*\(\)[ \t\r\n]*=>[ \t\r\n]*(?:IsLocalBuild|![ \t\r\n]*IsServerBuild)[ \t\r\n]*\)",
    )
    .expect("valid regex literal")
});
static LITERAL_MEMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?-u:\b)string[ \t\r\n]+([A-Za-z_][A-Za-z0-9_]*)[ \t\r\n]*(?:=|=>)[ \t\r\n]*"([^"\\{}]*)"[ \t\r\n]*;"#)
        .expect("valid regex literal")
});

impl Build {
    /// Read the build's files (their texts, in order).
    pub fn parse(files: &[&str]) -> Self {
        let mut build = Self::default();
        for (index, text) in files.iter().enumerate() {
            let skipped = non_code(text);
            let in_code = |at: usize| in_code(&skipped, at);
            for captures in LITERAL_MEMBER.captures_iter(text) {
                if let (Some(name), Some(value)) = (captures.get(1), captures.get(2))
                    && in_code(name.start())
                {
                    build
                        .literals
                        .insert(name.as_str().to_string(), value.as_str().to_string());
                }
            }
            if let Some(call) = EXECUTE.find_iter(text).find(|m| in_code(m.start()))
                && let Some(inside) = arguments(text, call.end() - 1, &in_code)
            {
                build.defaults = default_targets(inside);
            }
            let declared: Vec<(regex::Match<'_>, regex::Match<'_>)> = TARGET
                .captures_iter(text)
                .filter_map(|c| Some((c.get(0)?, c.get(1)?)))
                .filter(|(whole, _)| in_code(whole.start()))
                .collect();
            for (position, (whole, name)) in declared.iter().enumerate() {
                let body_start = whole.end();
                // A body ends at its `;`, and never past the next target.
                let limit = declared
                    .get(position + 1)
                    .map_or(text.len(), |(next, _)| next.start());
                let body_end = statement_end(text, body_start, limit, &in_code);
                let body = &text[body_start..body_end];
                let target = build.targets.entry(target_key(name.as_str())).or_default();
                // `.OnlyWhenStatic(() => IsLocalBuild)`: skipped on a CI
                // server (`NukeBuild.IsLocalBuild`), whatever runs it.
                target.local_only |= LOCAL_ONLY.is_match(body);
                // `.OnlyWhenStatic(...)`/`.OnlyWhenDynamic(...)`: whether the
                // target's own work runs.
                let condition = conditions(
                    text,
                    body_start,
                    body_end,
                    &[".OnlyWhenStatic", ".OnlyWhenDynamic"],
                    &in_code,
                );
                for (method, list) in [
                    (".DependsOn(", &mut target.depends_on),
                    (".Triggers(", &mut target.triggers),
                    (".DependentFor(", &mut target.dependent_for),
                    (".TriggeredBy(", &mut target.triggered_by),
                ] {
                    for (at, _) in body.match_indices(method) {
                        if !in_code(body_start + at) {
                            continue;
                        }
                        let open = body_start + at + method.len() - 1;
                        if let Some(inside) = arguments(text, open, &in_code) {
                            list.extend(
                                split_top_level(inside)
                                    .iter()
                                    .filter_map(|a| trailing_identifier(a).map(target_key)),
                            );
                        }
                    }
                }
                for (span, inside) in nuget_push_calls(text, body_start, body_end, &in_code) {
                    target.pushes.push(Push {
                        file: index,
                        span,
                        source: setting(inside, ".SetSource(")
                            .or_else(|| property(inside, Property::Source)),
                        api_key: setting(inside, ".SetApiKey(")
                            .or_else(|| property(inside, Property::ApiKey)),
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
        build
    }

    /// The pushes a run of `invoked` targets (the default ones when none is
    /// named) can make: those of the targets it runs, with what they
    /// depend on and trigger (and the targets declaring themselves
    /// `DependentFor` or `TriggeredBy` one of those). `skip`: `None` for
    /// no `--skip`; an empty list for `--skip` alone, which runs only the
    /// targets named; else the targets skipped, whose own work is skipped
    /// while what they bring along still runs. A target that runs only on
    /// a local build is skipped on CI with what it alone brings along
    /// (NUKE's default `DependencyBehavior.Skip`). `None` when a target
    /// named is not defined here.
    pub fn pushes(&self, invoked: &[String], skip: Option<&[String]>) -> Option<Vec<&Push>> {
        let named: Vec<String> = if invoked.is_empty() {
            if self.defaults.is_empty() {
                return None;
            }
            self.defaults.clone()
        } else {
            invoked.iter().map(|t| target_key(t)).collect()
        };
        if named.iter().any(|t| !self.targets.contains_key(t)) {
            return None;
        }
        let skipped: BTreeSet<String> = skip
            .unwrap_or_default()
            .iter()
            .map(|t| target_key(t))
            .collect();
        let only_named = skip.is_some_and(<[String]>::is_empty);
        // The reverse relations, once: `DependentFor(X)` and
        // `TriggeredBy(X)` on a target bring it along when X runs.
        let mut brought_by: HashMap<&str, Vec<&String>> = HashMap::new();
        for (name, target) in &self.targets {
            for other in target.dependent_for.iter().chain(&target.triggered_by) {
                brought_by.entry(other.as_str()).or_default().push(name);
            }
        }
        let mut runs: BTreeSet<String> = named.iter().cloned().collect();
        let mut queue: Vec<String> = if only_named {
            Vec::new()
        } else {
            named.clone()
        };
        while let Some(name) = queue.pop() {
            let Some(target) = self.targets.get(&name) else {
                continue;
            };
            // Skipped on CI: it brings nothing along (an invoked one still
            // brings what it names: only its own pushes are left out).
            if target.local_only && !named.contains(&name) {
                continue;
            }
            let next = target
                .depends_on
                .iter()
                .chain(&target.triggers)
                .chain(brought_by.get(name.as_str()).into_iter().flatten().copied());
            for other in next {
                if runs.insert(other.clone()) {
                    queue.push(other.clone());
                }
            }
        }
        Some(
            runs.iter()
                .filter(|name| !skipped.contains(*name))
                .filter_map(|name| self.targets.get(name))
                .filter(|target| !target.local_only)
                .flat_map(|target| &target.pushes)
                .collect(),
        )
    }
}

/// The default targets `Execute<T>`'s arguments name, each a lambda
/// selecting one (`params Expression<Func<T, Target>>[]`); none when any
/// argument is something else.
fn default_targets(arguments: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for argument in split_top_level(arguments) {
        match DEFAULT.captures(argument).and_then(|c| c.get(1)) {
            Some(name) => targets.push(target_key(name.as_str())),
            None => return Vec::new(),
        }
    }
    targets
}

/// Whether a parameter's value comes from environment variable `variable`:
/// the same letters and digits in any case, or with a `NUKE` prefix.
pub fn reads_variable(member: &str, variable: &str) -> bool {
    let trimmed = |name: &str| -> String {
        name.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let member = trimmed(member);
    let variable = trimmed(variable);
    variable == member || variable.strip_prefix("nuke") == Some(member.as_str())
}

/// A target's name as NUKE matches it: letters and digits, in any case
/// (`--skip push-git-hub` names `PushGitHub`).
pub fn target_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILD: &str = r#"using static Nuke.Common.Tools.DotNet.DotNetTasks;

class Build : NukeBuild
{
    public static int Main() => Execute<Build>(x => x.Compile);

    [Parameter("NuGet Source for Packages")] readonly string NuGetSource = "https://api.nuget.org/v3/index.json";
    [Parameter("NuGet Api Key")] [Secret] readonly string NuGetApiKey;
    string GithubSource => "https://nuget.pkg.github.com/acme/index.json";

    Target Compile => _ => _
        .Executes(() => DotNetBuild(s => s.SetProjectFile("Acme.sln")));

    Target Pack => _ => _
        .DependsOn(Compile)
        .Executes(() =>
        {
            DotNetPack(s => s.SetProject("Acme.sln")); // DotNetNuGetPush(s => s) in a comment
        });

    Target Publish => _ => _
        .DependsOn(Pack)
        .Requires(() => NuGetApiKey)
        .Executes(() =>
        {
            DotNetNuGetPush(s => s
                .SetSource(NuGetSource)
                .SetApiKey(NuGetApiKey)
                .SetTargetPath("artifacts/*.nupkg"));
        });

    Target PushLocally => _ => _
        .TriggeredBy(Pack)
        .OnlyWhenStatic(() => IsLocalBuild)
        .Executes(() => DotNetNuGetPush(s => s.SetSource(NuGetSource).SetApiKey(NuGetApiKey)));

    Target PublishGitHub => _ => _
        .TriggeredBy(Pack)
        .OnlyWhenStatic(() => IsServerBuild)
        .Executes(() => DotNetTasks.DotNetNuGetPush(s => s
            .SetSource(GithubSource)
            .SetApiKey(GitHubActions.Token)));
}
"#;

    #[test]
    fn targets_their_relations_and_pushes() {
        let build = Build::parse(&[BUILD]);
        assert_eq!(
            build.literals.get("NuGetSource").map(String::as_str),
            Some("https://api.nuget.org/v3/index.json")
        );
        // The default target pushes nothing.
        assert_eq!(build.pushes(&[], None).map(|p| p.len()), Some(0));
        // `Compile` alone: nothing; `Pack` triggers the GitHub push.
        let pack = build.pushes(&["pack".into()], None).expect("defined");
        assert_eq!(pack.len(), 1);
        assert_eq!(pack[0].source, Some(Value::Member("GithubSource".into())));
        assert_eq!(
            pack[0].api_key,
            Some(Value::Other("GitHubActions.Token".into()))
        );
        let publish = build.pushes(&["Publish".into()], None).expect("defined");
        assert_eq!(publish.len(), 2);
        let nuget = publish
            .iter()
            .find(|p| p.source == Some(Value::Member("NuGetSource".into())))
            .expect("the NuGet push");
        assert_eq!(nuget.api_key, Some(Value::Member("NuGetApiKey".into())));
        assert!(BUILD[nuget.span.range()].starts_with("DotNetNuGetPush(s => s"));
        // `--skip` alone runs only the targets named.
        assert_eq!(
            build
                .pushes(&["Publish".into()], Some(&[]))
                .map(|p| p.len()),
            Some(1)
        );
        // `--skip pack`: its own work is skipped, what it triggers runs.
        assert_eq!(
            build
                .pushes(&["Publish".into()], Some(&["pack".into()]))
                .map(|p| p.len()),
            Some(2)
        );
        // Names are matched by their letters: `--skip publish-git-hub`.
        assert_eq!(
            build
                .pushes(&["Pack".into()], Some(&["publish-git-hub".into()]))
                .map(|p| p.len()),
            Some(0)
        );
        assert!(build.pushes(&["Deploy".into()], None).is_none());
    }

    #[test]
    fn several_default_targets_each_run() {
        // Fallout's `Execute<Build>(x => x.SpellCheck, x => x.Push)`
        // (fluentassertions/fluentassertions `Build/Build.cs`).
        let text = r#"
    public static int Main() => Execute<Build>(x => x.SpellCheck,
        x => x.Push);
    Target SpellCheck => _ => _.Executes(() => { });
    Target Push => _ => _.Executes(() => DotNetNuGetPush(s => s.SetSource("https://api.nuget.org/v3/index.json")));
"#;
        let build = Build::parse(&[text]);
        assert_eq!(build.pushes(&[], None).map(|p| p.len()), Some(1));
        assert_eq!(
            build.pushes(&["spellcheck".into()], None).map(|p| p.len()),
            Some(0)
        );
        // An argument that is not a target's lambda: the defaults are unknown.
        let odd =
            Build::parse(&["Execute<Build>(x => x.Push, Targets.All)\nTarget Push => _ => _;"]);
        assert!(odd.pushes(&[], None).is_none());
    }

    #[test]
    fn a_local_only_target_brings_nothing_along_on_ci() {
        let text = r#"
    Target Push => _ => _.Executes(() => DotNetNuGetPush(s => s.SetSource("https://api.nuget.org/v3/index.json")));
    Target LocalRelease => _ => _.OnlyWhenStatic(() => IsLocalBuild).DependsOn(Push);
    Target Ci => _ => _.DependsOn(LocalRelease);
    Target Release => _ => _.DependsOn(LocalRelease, Push);
"#;
        let build = Build::parse(&[text]);
        assert_eq!(build.pushes(&["ci".into()], None).map(|p| p.len()), Some(0));
        // Another target that runs needs it: it runs.
        assert_eq!(
            build.pushes(&["release".into()], None).map(|p| p.len()),
            Some(1)
        );
    }

    #[test]
    fn large_builds_are_read_whole() {
        // Bodies without a `;` end at the next target (each read once);
        // relations are followed once each.
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!("Target T{i} => _ => _.DependsOn(T{})\n", i + 1));
        }
        let build = Build::parse(&[&text]);
        assert_eq!(build.pushes(&["t0".into()], None).map(|p| p.len()), Some(0));
        assert_eq!(build.targets.len(), 20_000);
    }

    #[test]
    fn parameters_read_variables_by_letters() {
        assert!(reads_variable("NuGetApiKey", "NUGET_API_KEY"));
        assert!(reads_variable("NuGetApiKey", "NuGetApiKey"));
        assert!(reads_variable("NuGetApiKey", "NUKE_NUGET_API_KEY"));
        assert!(!reads_variable("NuGetApiKey", "NUGET_KEY"));
    }

    #[test]
    fn cake_style_settings_and_variables() {
        let text = r#"Target Push => _ => _.Executes(() => {
    DotNetNuGetPush(file, new DotNetNuGetPushSettings
    {
        Source = "https://api.nuget.org/v3/index.json",
        ApiKey = Environment.GetEnvironmentVariable("NUGET_API_KEY"),
    });
});
"#;
        let build = Build::parse(&[text]);
        let pushes = build.pushes(&["push".into()], None).expect("defined");
        assert_eq!(
            pushes[0].source,
            Some(Value::Literal("https://api.nuget.org/v3/index.json".into()))
        );
        assert_eq!(
            pushes[0].api_key,
            Some(Value::Variable("NUGET_API_KEY".into()))
        );
    }

    #[test]
    fn bad_input_is_not_read() {
        for (at, _) in BUILD.char_indices() {
            for text in [&BUILD[..at], &BUILD[at..]] {
                let build = Build::parse(&[text]);
                let _ = build.pushes(&["publish".into()], None);
                let _ = build.pushes(&[], Some(&[]));
            }
        }
        let _ = Build::parse(&[
            "@\"unterminated",
            "\"\"\" raw",
            "Target X => _ => _.DependsOn(",
        ]);
        // A push right after a character of several bytes.
        let text = "Target P => _ => _.Executes(() => →DotNetNuGetPush(s => s));";
        let odd = Build::parse(&[text]);
        let pushes = odd.pushes(&["p".into()], None).expect("defined");
        assert!(text[pushes[0].span.range()].starts_with("DotNetNuGetPush("));
    }
}
