//! Grinder, Dart's task runner: `dart run grinder TASK...` (also `dart pub
//! run grinder`, `grind TASK...`, `dart run tool/grind.dart TASK...`) runs
//! the tasks of `tool/grind.dart`. Tasks a project writes are Dart code,
//! which tplint does not read (opaque). The tasks `cli_pkg` adds are read
//! as the commands they run, its two registry uploads among them.
//!
//! Facts read in google/dart_cli_pkg [c475589]:
//! - `lib/src/pub.dart`: `pkg-pub-deploy` appends `pkg.pubCredentials`
//!   (by default the `PUB_CREDENTIALS` variable; the task fails without
//!   one) to pub's `pub-credentials.json`, then runs `dart pub publish
//!   --force`: an upload to pub.dev with a stored OAuth credential.
//! - `lib/src/npm.dart`: `pkg-npm-deploy` appends
//!   `//registry.npmjs.org/:_authToken=TOKEN` to `.npmrc` when
//!   `pkg.npmToken` is set (by default the `NPM_TOKEN` variable), "If it's
//!   not set, npm will use whatever tokens the system has available; this
//!   is necessary for using trusted publishing", then runs `npm publish
//!   --tag TAG build/npm/`.
//! - Every other task it adds (`GrinderTask('pkg-...')` in `lib/src/*.dart`)
//!   builds, or uploads to GitHub releases, Homebrew or Chocolatey.

use super::tasks::{RecipeLine, Recipes};
use crate::source::Span;

/// The tasks `cli_pkg` adds that upload to no registry tplint knows: its
/// builds, and its GitHub, Homebrew and Chocolatey releases. A name that
/// ends in `-` stands for every task it starts (`pkg-standalone-linux-x64`).
const CLI_PKG_OTHER_TASKS: &[&str] = &[
    "pkg-chocolatey",
    "pkg-chocolatey-",
    "pkg-compile-",
    "pkg-github-",
    "pkg-homebrew-update",
    "pkg-js-dev",
    "pkg-js-release",
    "pkg-npm-dev",
    "pkg-npm-release",
    "pkg-standalone-",
];

/// cli_pkg's task that uploads to pub.dev, and the variable whose
/// credential it writes to `pub-credentials.json` first.
pub const PUB_DEPLOY: (&str, &str) = ("pkg-pub-deploy", "PUB_CREDENTIALS");

/// The calls of `grind.dart` that add cli_pkg's publishing tasks, where a
/// read upload is located.
const CLI_PKG_ADDERS: &[&str] = &["addPubTasks", "addNpmTasks", "addAllTasks"];

/// The lines the grinder `tasks` of `grind.dart` (`text`) run. `npm_token`:
/// `NPM_TOKEN` is set for the command, so `pkg-npm-deploy` writes it.
pub fn recipes<'a>(text: &str, tasks: &[&str], npm_token: bool) -> Recipes<'a> {
    let mut recipes = Recipes::default();
    // No task: grinder's default one, which the project's Dart names.
    if tasks.is_empty() {
        recipes.opaque = true;
        return recipes;
    }
    let cli_pkg = text.contains("package:cli_pkg/");
    let span = CLI_PKG_ADDERS
        .iter()
        .find_map(|adder| text.find(adder).map(|at| Span::new(at, at + adder.len())))
        .or_else(|| {
            let at = text.find("package:cli_pkg/")?;
            Some(Span::new(at, at + "package:cli_pkg/".len()))
        })
        .unwrap_or(Span::empty(0));
    let mut line = |text: &str| {
        recipes.lines.push(RecipeLine {
            span,
            text: text.to_string(),
            cwd: None,
        })
    };
    let mut opaque = false;
    for task in tasks {
        match *task {
            // The credential it writes is the step's `PUB_CREDENTIALS`
            // (`MintState::observe_pub_credentials`).
            "pkg-pub-deploy" if cli_pkg => line("dart pub publish --force"),
            // One line: the token is written before the upload reads it.
            // A token set in the Dart code (`pkg.npmToken.value = ...`) is
            // one too.
            "pkg-npm-deploy" if cli_pkg && (npm_token || text.contains("npmToken.value")) => line(
                "echo \"//registry.npmjs.org/:_authToken=$NPM_TOKEN\" >> .npmrc && npm publish --tag latest build/npm/",
            ),
            "pkg-npm-deploy" if cli_pkg => line("npm publish --tag latest build/npm/"),
            task if cli_pkg
                && CLI_PKG_OTHER_TASKS
                    .iter()
                    .any(|other| match other.strip_suffix('-') {
                        Some(_) => task.starts_with(other),
                        None => task == *other,
                    }) => {}
            // A task of the project's own Dart code.
            _ => opaque = true,
        }
    }
    recipes.opaque = opaque;
    recipes
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRIND: &str = "import 'package:cli_pkg/cli_pkg.dart' as pkg;\n\
                         void main(List<String> args) {\n  pkg.addAllTasks();\n  grind(args);\n}\n\
                         @Task()\nprotobuf() => run('buf');\n";

    #[test]
    fn cli_pkg_uploads() {
        let pub_ = recipes(GRIND, &["pkg-pub-deploy"], false);
        assert!(!pub_.opaque);
        assert_eq!(pub_.lines.len(), 1);
        assert_eq!(pub_.lines[0].text, "dart pub publish --force");
        assert_eq!(&GRIND[pub_.lines[0].span.range()], "addAllTasks");
        let npm = recipes(GRIND, &["pkg-npm-deploy"], false);
        assert_eq!(npm.lines.len(), 1);
        assert!(npm.lines[0].text.starts_with("npm publish"));
        let with_token = recipes(GRIND, &["pkg-npm-deploy"], true);
        assert!(
            with_token.lines[0]
                .text
                .contains("_authToken=$NPM_TOKEN\" >> .npmrc && npm publish")
        );
    }

    #[test]
    fn other_tasks() {
        let built = recipes(
            GRIND,
            &["pkg-standalone-linux-x64", "pkg-github-release"],
            false,
        );
        assert!(built.lines.is_empty() && !built.opaque);
        // The project's own task, and a cli_pkg-like name without cli_pkg.
        assert!(recipes(GRIND, &["protobuf", "pkg-pub-deploy"], false).opaque);
        assert!(recipes("void main() {}", &["pkg-pub-deploy"], false).opaque);
        assert!(recipes(GRIND, &[], false).opaque);
    }
}
