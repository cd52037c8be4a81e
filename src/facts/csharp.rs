//! What NUKE and Cake builds share of C#: where code is (not comments or
//! strings, [`non_code`]), the text of a call's arguments, a statement's
//! end, and the values a NuGet push is given ([`Value`], [`Push`]): a
//! fluent setting (`.SetApiKey(x)`, NUKE), a settings object's property
//! (`ApiKey = x`, Cake), a literal, a member or local, an environment
//! variable, or a Cake argument. Read with patterns and bracket counting,
//! not a C# parser: enough for the calls builds write, and anything else
//! is a value tplint cannot tell.

use std::sync::LazyLock;

use regex::Regex;

use crate::source::Span;

/// An expression given to `SetSource`/`SetApiKey`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A string literal.
    Literal(String),
    /// A member of the build (a field, property or parameter).
    Member(String),
    /// `Environment.GetEnvironmentVariable("NAME")`, Cake's
    /// `EnvironmentVariable("NAME")`.
    Variable(String),
    /// Cake's `Argument<string>("name", default)`: the command line's
    /// `--name=value`.
    Argument(String),
    /// Anything else.
    Other(String),
}

/// A NuGet push in a target's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Push {
    /// Which of the files read holds it.
    pub file: usize,
    /// The call, in that file.
    pub span: Span,
    pub source: Option<Value>,
    pub api_key: Option<Value>,
    /// The condition of the task or target that pushes (Cake's
    /// `WithCriteria(...)`, NUKE's `OnlyWhenStatic(...)`), as written:
    /// tplint does not evaluate it, so a run may or may not push.
    pub condition: Option<String>,
    /// The command the call runs: `dotnet nuget push` for `DotNetNuGetPush`
    /// and `DotNetCoreNuGetPush`, nuget.exe's `nuget push` for `NuGetPush`.
    pub command: &'static str,
}

/// The command a NuGet push call (its text up to the parenthesis) runs.
pub fn push_command(call: &str) -> &'static str {
    if call.ends_with("DotNetNuGetPush") || call.ends_with("DotNetCoreNuGetPush") {
        "dotnet nuget push"
    } else {
        "nuget push"
    }
}

/// Whether byte `at` of a text is code, given the text's [`non_code`]
/// ranges.
pub fn in_code(skipped: &[(usize, usize)], at: usize) -> bool {
    let i = skipped.partition_point(|(start, _)| *start <= at);
    i == 0 || skipped[i - 1].1 <= at
}

/// The NuGet push calls (`DotNetNuGetPush(`, `NuGetPush(`,
/// `DotNetCoreNuGetPush(`, also on a receiver) in `text[from..to]`: each
/// call's span in `text`, the text before the call in that range, and its
/// arguments.
pub fn nuget_push_calls<'t>(
    text: &'t str,
    from: usize,
    to: usize,
    in_code: &dyn Fn(usize) -> bool,
) -> Vec<(Span, &'t str)> {
    const CALL: &str = "NuGetPush(";
    let mut calls = Vec::new();
    for (at, _) in text[from..to].match_indices(CALL) {
        let start = from + at;
        if !in_code(start) {
            continue;
        }
        let open = start + CALL.len() - 1;
        let Some(inside) = arguments(text, open, in_code) else {
            continue;
        };
        let end = open + inside.len() + 2;
        let call_start = text[..start]
            .char_indices()
            .rfind(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '.'))
            .map_or(0, |(at, c)| at + c.len_utf8());
        calls.push((Span::new(call_start, end.min(text.len())), inside));
    }
    calls
}

/// The conditions that `methods` (`.WithCriteria`, `.OnlyWhenStatic`) put
/// on a task or target whose statement is `text[from..to]`, each as
/// written (whitespace collapsed), joined with `&&`; `None` without one.
pub fn conditions(
    text: &str,
    from: usize,
    to: usize,
    methods: &[&str],
    in_code: &dyn Fn(usize) -> bool,
) -> Option<String> {
    let found: Vec<String> = methods
        .iter()
        .flat_map(|method| text[from..to].match_indices(method))
        .filter(|(at, _)| in_code(from + at))
        .filter_map(|(at, method)| {
            // `WithCriteria<BuildData>(...)`: the arguments follow any
            // type arguments.
            let after = from + at + method.len();
            let open = after + text[after..to].find('(')?;
            arguments(text, open, in_code)
        })
        .map(|inside| inside.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    (!found.is_empty()).then(|| found.join(" && "))
}

/// The end of the statement starting at `from`: its `;` outside brackets,
/// strings and comments.
pub fn statement_end(
    text: &str,
    from: usize,
    limit: usize,
    in_code: &dyn Fn(usize) -> bool,
) -> usize {
    let mut depth = 0usize;
    // Byte by byte: the characters that matter are ASCII, and only they
    // are asked whether they are code.
    for (offset, &c) in text.as_bytes()[from..limit].iter().enumerate() {
        if !matches!(c, b'(' | b'{' | b'[' | b')' | b'}' | b']' | b';') {
            continue;
        }
        let at = from + offset;
        if !in_code(at) {
            continue;
        }
        match c {
            b'(' | b'{' | b'[' => depth += 1,
            b')' | b'}' | b']' => {
                if depth == 0 {
                    return at;
                }
                depth -= 1;
            }
            b';' if depth == 0 => return at,
            _ => {}
        }
    }
    limit
}

/// The text between the parenthesis at `open` and the one closing it.
pub fn arguments<'t>(
    text: &'t str,
    open: usize,
    in_code: &dyn Fn(usize) -> bool,
) -> Option<&'t str> {
    let mut depth = 0usize;
    for (offset, c) in text[open..].char_indices() {
        let at = open + offset;
        if !in_code(at) {
            continue;
        }
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(&text[open + 1..at]);
                }
            }
            _ => {}
        }
    }
    None
}

/// Arguments split at commas outside brackets and strings.
pub fn split_top_level(text: &str) -> Vec<&str> {
    let skipped = non_code(text);
    let in_code = |at: usize| {
        let i = skipped.partition_point(|(start, _)| *start <= at);
        i == 0 || skipped[i - 1].1 <= at
    };
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (at, c) in text.char_indices() {
        if !in_code(at) {
            continue;
        }
        match c {
            '(' | '{' | '[' | '<' => depth += 1,
            ')' | '}' | ']' | '>' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(text[start..at].trim());
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

/// The identifier an argument ends with (`Pack`, `x => x.Pack`).
pub fn trailing_identifier(argument: &str) -> Option<&str> {
    let end = argument.trim_end();
    let start = end
        .char_indices()
        .rfind(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(0, |(at, c)| at + c.len_utf8());
    let name = &end[start..];
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

/// The argument of a fluent setting (`.SetApiKey(NuGetApiKey)`) in a
/// push's arguments.
pub fn setting(arguments: &str, method: &str) -> Option<Value> {
    let at = arguments.find(method)?;
    let open = at + method.len() - 1;
    let skipped = non_code(arguments);
    let in_code = |i: usize| {
        let k = skipped.partition_point(|(start, _)| *start <= i);
        k == 0 || skipped[k - 1].1 <= i
    };
    let inside = self::arguments(arguments, open, &in_code)?;
    Some(value(inside.trim()))
}

/// The value of a settings object's property (Cake style, `ApiKey =
/// apiKey,` inside `new DotNetNuGetPushSettings { ... }`).
pub fn property(arguments: &str, name: Property) -> Option<Value> {
    static SOURCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u:\b)Source[ \t\r\n]*=[ \t\r\n]*").expect("valid regex literal")
    });
    static API_KEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u:\b)ApiKey[ \t\r\n]*=[ \t\r\n]*").expect("valid regex literal")
    });
    let pattern = match name {
        Property::Source => &SOURCE,
        Property::ApiKey => &API_KEY,
    };
    let found = pattern.find(arguments)?;
    // The value runs to the `,`, `}` or `;` that ends it, outside
    // brackets and strings (`ApiKey = Argument<string>("key", null),`).
    let rest = &arguments[found.end()..];
    let skipped = non_code(rest);
    let in_code = |at: usize| {
        let i = skipped.partition_point(|(start, _)| *start <= at);
        i == 0 || skipped[i - 1].1 <= at
    };
    let mut depth = 0usize;
    let mut end = rest.len();
    for (at, c) in rest.char_indices() {
        if !in_code(at) {
            continue;
        }
        match c {
            '(' | '[' | '<' | '{' => depth += 1,
            ')' | ']' | '>' | '}' if depth > 0 => depth -= 1,
            ',' | '}' | ';' | '\n' if depth == 0 => {
                end = at;
                break;
            }
            _ => {}
        }
    }
    let expression = rest[..end].trim();
    (!expression.is_empty()).then(|| value(expression))
}

/// The properties of a push's settings read.
#[derive(Clone, Copy)]
pub enum Property {
    Source,
    ApiKey,
}

pub fn value(expression: &str) -> Value {
    // `Environment.GetEnvironmentVariable("X")` (.NET), and Cake's
    // `EnvironmentVariable("X")`, `EnvironmentVariable<T>("X", default)`,
    // also on the context (`context.EnvironmentVariable`, cake-build/cake
    // `src/Cake.Common/EnvironmentAliases.cs` [cc71d61]).
    static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^(?:(?:System\.)?Environment\.GetEnvironmentVariable|(?:[A-Za-z_][A-Za-z0-9_]*\.)?EnvironmentVariable(?:<[A-Za-z?]+>)?)\([ \t\r\n]*"([A-Za-z_][A-Za-z0-9_]*)"[ \t\r\n]*(?:,[^()]*)?\)$"#)
            .expect("valid regex literal")
    });
    // Cake's `Argument<string>("name", default)`, `Argument("name",
    // "default")`, on the context too (`src/Cake.Common/ArgumentAliases.cs`
    // [cc71d61]: the command line's last `--name=value`, else the default).
    static ARGUMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^(?:[A-Za-z_][A-Za-z0-9_]*\.)?Argument(?:<[A-Za-z?]+>)?\([ \t\r\n]*"([A-Za-z0-9_.-]+)"[ \t\r\n]*(?:,[^()]*)?\)$"#)
            .expect("valid regex literal")
    });
    let expression = expression.strip_prefix("this.").unwrap_or(expression);
    if let Some(literal) = expression
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|body| !body.contains(['"', '\\', '{']))
    {
        return Value::Literal(literal.to_string());
    }
    if let Some(captures) = VARIABLE.captures(expression)
        && let Some(name) = captures.get(1)
    {
        return Value::Variable(name.as_str().to_string());
    }
    if let Some(captures) = ARGUMENT.captures(expression)
        && let Some(name) = captures.get(1)
    {
        return Value::Argument(name.as_str().to_string());
    }
    let member = !expression.is_empty()
        && expression.starts_with(|c: char| c.is_alphabetic() || c == '_')
        && expression.chars().all(|c| c.is_alphanumeric() || c == '_');
    if member {
        Value::Member(expression.to_string())
    } else {
        Value::Other(expression.to_string())
    }
}

/// The byte ranges of C# text that are not code: comments, string and
/// character literals (regular, verbatim `@"..."`, interpolated, raw
/// `"""..."""`), in order.
pub fn non_code(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match literal_end(text, at) {
            Some(end) => {
                ranges.push((at, end.max(at + 1)));
                at = end.max(at + 1);
            }
            // To the next byte that can start a comment or a literal (all
            // ASCII, so a character boundary).
            None => {
                at += 1 + bytes[at + 1..]
                    .iter()
                    .position(|b| matches!(b, b'/' | b'"' | b'@' | b'$' | b'\''))
                    .unwrap_or(bytes.len() - at - 1);
            }
        }
    }
    ranges
}

/// Where the comment or literal that starts at byte `at` of `text` ends;
/// `None` when none starts there.
fn literal_end(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at..];
    if rest.starts_with("//") {
        Some(rest.find('\n').map_or(text.len(), |end| at + end))
    } else if let Some(inner) = rest.strip_prefix("/*") {
        Some(inner.find("*/").map_or(text.len(), |end| at + 2 + end + 2))
    } else if let Some(inner) = rest.strip_prefix("\"\"\"") {
        Some(
            inner
                .find("\"\"\"")
                .map_or(text.len(), |end| at + 3 + end + 3),
        )
    } else if rest.starts_with("@\"") || rest.starts_with("$@\"") || rest.starts_with("@$\"") {
        let open = rest.find('"').unwrap_or(0) + 1;
        let mut i = at + open;
        loop {
            match text[i..].find('"') {
                Some(q) if text[i + q + 1..].starts_with('"') => i += q + 2,
                Some(q) => break Some(i + q + 1),
                None => break Some(text.len()),
            }
        }
    } else if rest.starts_with('"') || rest.starts_with("$\"") || rest.starts_with('\'') {
        let quote = if rest.starts_with('\'') { '\'' } else { '"' };
        let open = rest.find(quote).unwrap_or(0) + 1;
        let mut end = None;
        let mut escaped = false;
        for (offset, c) in rest[open..].char_indices() {
            match c {
                '\n' => {
                    end = Some(at + open + offset);
                    break;
                }
                '\\' if !escaped => escaped = true,
                c if c == quote && !escaped => {
                    end = Some(at + open + offset + 1);
                    break;
                }
                _ => escaped = false,
            }
        }
        Some(end.unwrap_or(text.len()))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::non_code;

    /// The scan one character at a time, as first written: skipping to
    /// the next candidate byte must find the same ranges.
    fn reference(text: &str) -> Vec<(usize, usize)> {
        let mut ranges = Vec::new();
        let mut at = 0;
        while at < text.len() {
            match super::literal_end(text, at) {
                Some(end) => {
                    ranges.push((at, end.max(at + 1)));
                    at = end.max(at + 1);
                }
                None => at += text[at..].chars().next().map_or(1, char::len_utf8),
            }
        }
        ranges
    }

    #[test]
    fn skipping_to_candidates_finds_the_same_ranges() {
        let texts = [
            "",
            "x",
            "/",
            "@",
            "$",
            "a / b; c @ d $ e",
            "// comment\ncode();",
            "/* block */ code(); /* open",
            "var s = \"a\\\"b\"; char c = '\\'';",
            "var v = @\"C:\\x\"\"y\"; var i = $\"{x}\"; var w = $@\"{x}\"; var u = @$\"q\";",
            "var r = \"\"\"raw \" text\"\"\";",
            "é // ü\nß = \"ö\"; /* ä */ 'ç' @ $ / ",
            "DotNetNuGetPush(\"pkg.nupkg\", new DotNetNuGetPushSettings { Source = \"https://api.nuget.org/v3/index.json\" });",
            "\"unterminated\nnext",
        ];
        for text in texts {
            assert_eq!(non_code(text), reference(text), "{text:?}");
        }
    }
}
