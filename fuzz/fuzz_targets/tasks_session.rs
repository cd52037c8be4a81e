//! The `tasks` fuzz target's driver, shared with `tests/robustness.rs`,
//! which replays the saved inputs of `tests/fuzz-regressions/tasks/`.
//!
//! The first byte picks the reader (low bits) and whether tasks are named
//! (high bit): a task runner's file (Makefile, tox INI and TOML, justfile,
//! Rakefile, `package.json` scripts), a Ruby, Python or JavaScript script,
//! or a NUKE build's C# file (read as a Cake script too); the rest is the file. Every recipe line and script call lies in
//! the file, on character boundaries, and what each command runs is read
//! without a panic.

use tplint::facts::scripts::{self, Language};
use tplint::facts::{shell, tasks};
use tplint::source::Span;

/// Read one input; panics where the readers break their contract.
pub fn check(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let inside = |span: Span, what: &dyn std::fmt::Debug| {
        assert!(
            span.start <= span.end
                && span.end <= text.len()
                && text.is_char_boundary(span.start)
                && text.is_char_boundary(span.end),
            "{what:?}"
        );
    };
    if (selector & 0x7f) % 10 == 9 {
        let build = tplint::facts::nuke::Build::parse(&[&text]);
        for target in [None, Some("publish".to_string())] {
            for skip in [None, Some(Vec::new())] {
                let invoked: Vec<String> = target.iter().cloned().collect();
                for push in build.pushes(&invoked, skip.as_deref()).unwrap_or_default() {
                    inside(push.span, push);
                }
            }
        }
        let script = tplint::facts::cake::Script::parse(&[&text]);
        let _ = tplint::facts::cake::loads(&text);
        for args in [&[][..], &["--target=publish".to_string()][..]] {
            let Some(args) = tplint::facts::cake::CakeArgs::parse(args, false) else {
                continue;
            };
            for push in script.pushes(&args).unwrap_or_default() {
                inside(push.span, push);
            }
        }
        return;
    }
    let language = match (selector & 0x7f) % 10 {
        6 => Some(Language::Ruby),
        7 => Some(Language::Python),
        8 => Some(Language::JavaScript),
        _ => None,
    };
    if let Some(language) = language {
        for command in scripts::commands(language, &text) {
            inside(command.span, &command);
            for inner in shell::commands(&command.text) {
                let _ = tasks::what_runs(&inner.words);
            }
        }
        let _ = scripts::sets_environment(&text);
        let _ = scripts::changes_folder(language, &text);
        let uses = scripts::argument_use(language, &text);
        let _ = uses.decided_by(Some(&[]));
        return;
    }
    let named: &[&str] = if selector & 0x80 == 0 {
        &["release", "publish", "docs:build"]
    } else {
        &[]
    };
    let owned: Vec<String> = named.iter().map(|n| n.to_string()).collect();
    let recipes = match (selector & 0x7f) % 10 {
        0 => tasks::make_recipes(&text, named),
        1 => tasks::tox_commands("tox.ini", &text, &owned),
        2 => tasks::tox_commands("tox.toml", &text, &owned),
        3 => tasks::just_recipes(&text, named),
        4 => tasks::rake_recipes(&text, named),
        _ => tasks::package_scripts(&text, "npm", named),
    };
    for line in &recipes.lines {
        inside(line.span, line);
    }
    for command in shell::commands(&text) {
        let _ = tasks::what_runs(&command.words);
    }
}
