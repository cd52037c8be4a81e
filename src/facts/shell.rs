//! Just enough shell to find uploads in `run:` scripts: continuation lines
//! are joined, commands are split at `&&`, `||`, `;`, `|` and newlines,
//! words keep their quotes' contents, and `${{ ... }}` stays one word even
//! with spaces inside. Leading `VAR=value` and `env VAR=value` assignments
//! are separated from the command, and `export VAR=value` lines are
//! remembered for the commands after them.

/// One simple command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Command {
    /// Assignments in effect for this command: `export`ed earlier in the
    /// script, or written before it (`VAR=x cmd`, `env VAR=x cmd`).
    pub env: Vec<(String, String)>,
    pub words: Vec<String>,
    /// Byte offset of the command's first character in the script.
    pub offset: usize,
}

impl Command {
    pub fn env(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn is_assignment(word: &str) -> Option<(String, String)> {
    let (name, value) = word.split_once('=')?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    valid.then(|| (name.to_string(), value.to_string()))
}

/// Split a script into commands.
pub fn commands(script: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut exported: Vec<(String, String)> = Vec::new();
    for (words, offset) in split(script) {
        let mut words = words.into_iter().peekable();
        let mut env = exported.clone();
        if words.peek().map(String::as_str) == Some("export") {
            words.next();
            exported.extend(words.filter_map(|w| is_assignment(&w)));
            continue;
        }
        loop {
            if words.peek().map(String::as_str) == Some("env") {
                words.next();
            } else if let Some(assignment) = words.peek().and_then(|w| is_assignment(w)) {
                env.push(assignment);
                words.next();
            } else {
                break;
            }
        }
        let words: Vec<String> = words.collect();
        if words.is_empty() {
            // `VAR=x` alone sets a shell variable; tools do not see it unless exported.
            continue;
        }
        commands.push(Command { env, words, offset });
    }
    commands
}

/// Words of each simple command, with the command's byte offset.
fn split(script: &str) -> Vec<(Vec<String>, usize)> {
    let bytes = script.as_bytes();
    let mut result = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut start = None;
    let mut i = 0;
    let finish_word = |word: &mut String, in_word: &mut bool, words: &mut Vec<String>| {
        if *in_word {
            words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'\\' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => i += 3,
            b'\'' | b'"' => {
                let close = script[i + 1..]
                    .find(c as char)
                    .map_or(bytes.len(), |p| i + 1 + p);
                word.push_str(&script[i + 1..close.min(bytes.len())]);
                in_word = true;
                start.get_or_insert(i);
                i = close + 1;
            }
            b'$' if script[i..].starts_with("${{") => {
                let close = script[i..].find("}}").map_or(bytes.len(), |p| i + p + 2);
                word.push_str(&script[i..close]);
                in_word = true;
                start.get_or_insert(i);
                i = close;
            }
            b'#' if !in_word => {
                i = script[i..].find('\n').map_or(bytes.len(), |p| i + p);
            }
            b'\n' | b';' | b'&' | b'|' => {
                finish_word(&mut word, &mut in_word, &mut words);
                if let Some(offset) = start.take() {
                    result.push((std::mem::take(&mut words), offset));
                }
                words.clear();
                i += 1;
            }
            b' ' | b'\t' | b'\r' => {
                finish_word(&mut word, &mut in_word, &mut words);
                i += 1;
            }
            _ => {
                let ch = script[i..].chars().next().unwrap_or(' ');
                word.push(ch);
                in_word = true;
                start.get_or_insert(i);
                i += ch.len_utf8();
            }
        }
    }
    finish_word(&mut word, &mut in_word, &mut words);
    if let Some(offset) = start {
        result.push((words, offset));
    }
    result
}

/// The value of a flag: `--name value`, `--name=value` or `-n value`.
pub fn flag_value<'a>(words: &'a [String], names: &[&str]) -> Option<&'a str> {
    let mut iter = words.iter();
    while let Some(word) = iter.next() {
        for name in names {
            if word == name {
                return iter.next().map(String::as_str);
            }
            if let Some(value) = word.strip_prefix(name).and_then(|r| r.strip_prefix('='))
                && name.starts_with("--")
            {
                return Some(value);
            }
        }
    }
    None
}

pub fn has_flag(words: &[String], names: &[&str]) -> bool {
    words.iter().any(|w| {
        names
            .iter()
            .any(|n| w == n || (n.starts_with("--") && w.starts_with(&format!("{n}="))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(script: &str) -> Vec<Vec<String>> {
        commands(script).into_iter().map(|c| c.words).collect()
    }

    #[test]
    fn splits_chains_and_joins_continuations() {
        let script = "python -m build && twine check dist/*; \\\n  uv publish \\\n    --trusted-publishing always\n# uv publish in a comment\necho done | tee x";
        assert_eq!(
            words(script),
            vec![
                vec!["python", "-m", "build"],
                vec!["twine", "check", "dist/*"],
                vec!["uv", "publish", "--trusted-publishing", "always"],
                vec!["echo", "done"],
                vec!["tee", "x"],
            ]
        );
    }

    #[test]
    fn quotes_and_expressions_stay_one_word() {
        assert_eq!(
            words("twine upload -p \"${{ secrets.TOKEN }}\" --comment 'a b' ${{ inputs.x }}"),
            vec![vec![
                "twine",
                "upload",
                "-p",
                "${{ secrets.TOKEN }}",
                "--comment",
                "a b",
                "${{ inputs.x }}"
            ]]
        );
    }

    #[test]
    fn assignments_and_exports() {
        let cmds = commands(
            "export UV_PUBLISH_TOKEN=abc\nTWINE_USERNAME=__token__ env X=1 twine upload dist/*\nuv publish",
        );
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].words, vec!["twine", "upload", "dist/*"]);
        assert_eq!(cmds[0].env("TWINE_USERNAME"), Some("__token__"));
        assert_eq!(cmds[1].env("UV_PUBLISH_TOKEN"), Some("abc"));
        assert_eq!(
            cmds[1].offset,
            "export UV_PUBLISH_TOKEN=abc\nTWINE_USERNAME=__token__ env X=1 twine upload dist/*\n"
                .len()
        );
    }

    #[test]
    fn flags() {
        let w: Vec<String> = ["uv", "publish", "--publish-url=https://x", "-t", "tok"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(flag_value(&w, &["--publish-url"]), Some("https://x"));
        assert_eq!(flag_value(&w, &["--token", "-t"]), Some("tok"));
        assert!(has_flag(&w, &["--publish-url"]));
        assert!(!has_flag(&w, &["--dry-run"]));
    }
}
