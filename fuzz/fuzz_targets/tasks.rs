//! Fuzzes the readers of task runners' files — Makefile, tox (INI and
//! TOML), justfile, Rakefile, `package.json` scripts — and what a command
//! runs (`make`, `tox`, `just`, `rake`, `pwsh`, scripts): no panic on any
//! text, and every recipe line lies in the file, on character boundaries.
//! The first byte picks the reader (low bits) and whether tasks are named
//! (high bit); the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tplint::facts::{shell, tasks};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let named: &[&str] = if selector & 0x80 == 0 {
        &["release", "publish", "docs:build"]
    } else {
        &[]
    };
    let owned: Vec<String> = named.iter().map(|n| n.to_string()).collect();
    let recipes = match (selector & 0x7f) % 6 {
        0 => tasks::make_recipes(text, named),
        1 => tasks::tox_commands("tox.ini", text, &owned),
        2 => tasks::tox_commands("tox.toml", text, &owned),
        3 => tasks::just_recipes(text, named),
        4 => tasks::rake_recipes(text, named),
        _ => tasks::package_scripts(text, "npm", named),
    };
    for line in &recipes.lines {
        let span = line.span;
        assert!(span.start <= span.end && span.end <= text.len(), "{line:?}");
        assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "{line:?}"
        );
    }
    for command in shell::commands(text) {
        let _ = tasks::what_runs(&command.words);
    }
});
