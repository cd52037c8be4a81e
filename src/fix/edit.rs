//! Building edits that read like the user wrote them: new lines take the
//! file's line ending and the indentation of their siblings, new scalars
//! are quoted only when YAML needs it, and a replaced scalar keeps its
//! quotes. Every builder checks the text it is about to change and gives
//! up (`None`) on a shape it does not recognise, rather than guess.

use super::Edit;
use crate::diagnostic::Location;
use crate::source::{FileId, Span};
use crate::workflow::{Job, Permissions, PermissionsKind, Spanned};

/// The line ending of a file: CRLF when its first line ends so.
pub fn line_ending(text: &str) -> &'static str {
    match memchr::memchr(b'\n', text.as_bytes()) {
        Some(at) if at > 0 && text.as_bytes()[at - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The offset where the line holding `offset` starts.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |at| at + 1)
}

/// The offset after the line break of the line holding `offset` (the end
/// of the text on the last line).
pub fn next_line_start(text: &str, offset: usize) -> usize {
    text[offset.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |at| offset + at + 1)
}

/// The spaces before `offset` when nothing else precedes it on its line:
/// the indentation of a block-mapping key. `None` for a key in a flow
/// collection or after `- `.
pub fn indentation_at(text: &str, offset: usize) -> Option<&str> {
    let start = line_start(text, offset);
    let before = text.get(start..offset)?;
    before.bytes().all(|b| b == b' ').then_some(before)
}

/// Whether `value` needs no quotes as a plain YAML scalar, and reads back
/// as the same string (not a number, boolean or null).
fn plain_safe(value: &str) -> bool {
    let special = matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n"
    );
    !value.is_empty()
        && !special
        && value.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
}

/// `value` as a YAML scalar: plain when that is safe, else double-quoted
/// (JSON's string escapes are YAML's).
pub fn scalar(value: &str) -> String {
    if plain_safe(value) {
        value.to_string()
    } else {
        serde_json::to_string(value).unwrap_or_else(|_| format!("\"{value}\""))
    }
}

/// An edit that replaces the scalar at `span` with `value`, keeping its
/// quote style.
pub fn replace_scalar(file: FileId, text: &str, span: Span, value: &str) -> Option<Edit> {
    let raw = text.get(span.range())?;
    let content = match raw.as_bytes().first() {
        Some(b'\'') => format!("'{}'", value.replace('\'', "''")),
        Some(b'"') => serde_json::to_string(value).ok()?,
        Some(b'|' | b'>') => return None,
        _ => scalar(value),
    };
    Some(Edit::replace(Location::new(file, span), content))
}

/// An edit that replaces the text of a key or plain/quoted scalar written
/// literally at `span` (`old`, possibly in quotes) with `new`, which needs
/// no quoting.
pub fn rename(file: FileId, text: &str, span: Span, old: &str, new: &str) -> Option<Edit> {
    let raw = text.get(span.range())?;
    let inner = if raw == old {
        span
    } else if raw.len() == old.len() + 2
        && (raw.starts_with('"') || raw.starts_with('\''))
        && raw.get(1..raw.len() - 1) == Some(old)
    {
        Span::new(span.start + 1, span.end - 1)
    } else {
        return None;
    };
    Some(Edit::replace(Location::new(file, inner), new))
}

/// Where a job's keys are written: the indentation of its keys, the step
/// from the job's own key to them (the file's indentation unit there), and
/// where a new first key goes: the line after the job's own key. `None`
/// for a job in flow style or one that comes from an alias.
pub struct JobLayout<'a> {
    pub indent: &'a str,
    pub step: usize,
    pub first_line: usize,
}

pub fn job_layout<'a>(text: &'a str, job: &Job) -> Option<JobLayout<'a>> {
    let first = job.keys.first()?;
    if first.span.start <= job.id.span.end {
        return None;
    }
    let indent = indentation_at(text, first.span.start)?;
    let id_indent = indentation_at(text, job.id.span.start)?;
    let step = indent
        .len()
        .checked_sub(id_indent.len())
        .filter(|s| *s > 0)?;
    let first_line = next_line_start(text, job.id.span.end);
    if first_line > line_start(text, first.span.start) {
        return None;
    }
    Some(JobLayout {
        indent,
        step,
        first_line,
    })
}

/// Whether the job has `key` already (perhaps with an empty value, which
/// the model does not keep).
pub fn job_has_key(job: &Job, key: &str) -> bool {
    job.keys.iter().any(|k| k.value == key)
}

/// An edit that adds `key: value` as the job's first key.
pub fn add_job_key(file: FileId, text: &str, job: &Job, key: &str, value: &str) -> Option<Edit> {
    if job_has_key(job, key) {
        return None;
    }
    let layout = job_layout(text, job)?;
    let eol = line_ending(text);
    Some(Edit::insert(
        Location::new(file, Span::empty(layout.first_line)),
        format!("{}{key}: {}{eol}", layout.indent, scalar(value)),
    ))
}

/// An edit that gives the job a `permissions:` block with `scopes`, as its
/// first key.
pub fn add_job_permissions(
    file: FileId,
    text: &str,
    job: &Job,
    scopes: &[(String, &str)],
) -> Option<Edit> {
    if job_has_key(job, "permissions") {
        return None;
    }
    let layout = job_layout(text, job)?;
    let eol = line_ending(text);
    let inner = format!("{}{}", layout.indent, " ".repeat(layout.step));
    let mut block = format!("{}permissions:{eol}", layout.indent);
    for (name, access) in scopes {
        block.push_str(&format!("{inner}{}: {access}{eol}", scalar(name)));
    }
    Some(Edit::insert(
        Location::new(file, Span::empty(layout.first_line)),
        block,
    ))
}

/// The scopes of a mapping block other than `id-token`, as written.
pub fn scopes_except_id_token(block: &Permissions) -> Option<Vec<(String, &'static str)>> {
    match &block.kind {
        PermissionsKind::Scopes(scopes) => Some(
            scopes
                .iter()
                .filter(|s| s.name.value != "id-token")
                .map(|s| (s.name.value.clone(), s.access.value.as_str()))
                .collect(),
        ),
        _ => None,
    }
}

/// An edit that grants `id-token: write` in an existing mapping block:
/// the level replaced when the block names the scope, else a new entry
/// before the first (block style) or after `{` (flow style).
pub fn grant_id_token(file: FileId, text: &str, block: &Permissions) -> Option<Edit> {
    let PermissionsKind::Scopes(scopes) = &block.kind else {
        return None;
    };
    if let Some(scope) = scopes.iter().find(|s| s.name.value == "id-token") {
        return replace_scalar(file, text, scope.access.span, "write");
    }
    let raw = text.get(block.span.range())?;
    if let Some(after) = raw.strip_prefix('{') {
        let inside = after.trim_start();
        let content = if inside.starts_with('}') {
            "id-token: write"
        } else {
            "id-token: write, "
        };
        let at = block.span.start + 1 + (after.len() - inside.len());
        return Some(Edit::insert(Location::new(file, Span::empty(at)), content));
    }
    let first = scopes.first()?;
    let indent = indentation_at(text, first.name.span.start)?;
    Some(Edit::insert(
        Location::new(file, Span::empty(line_start(text, first.name.span.start))),
        format!("{indent}id-token: write{}", line_ending(text)),
    ))
}

/// An edit that deletes the line of a block-mapping entry written on one
/// line of its own (`key: value`, perhaps with a comment).
pub fn delete_entry_line(
    file: FileId,
    text: &str,
    key: &Spanned<String>,
    value: Span,
) -> Option<Edit> {
    indentation_at(text, key.span.start)?;
    let end = next_line_start(text, value.end);
    let rest = text.get(value.end..end)?.trim();
    if !(rest.is_empty() || rest.starts_with('#')) || text[key.span.end..value.start].contains('\n')
    {
        return None;
    }
    let start = line_start(text, key.span.start);
    Some(Edit::delete(Location::new(file, Span::new(start, end))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_follow_the_first_line() {
        assert_eq!(line_ending("a\r\nb\n"), "\r\n");
        assert_eq!(line_ending("a\nb\r\n"), "\n");
        assert_eq!(line_ending("a"), "\n");
    }

    #[test]
    fn scalars_are_quoted_only_when_needed() {
        assert_eq!(scalar("pypi"), "pypi");
        assert_eq!(scalar("release/v1"), "release/v1");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("1.0"), "\"1.0\"");
        assert_eq!(scalar("a b"), "\"a b\"");
        assert_eq!(scalar("it's: \"x\""), "\"it's: \\\"x\\\"\"");
        assert_eq!(scalar(""), "\"\"");
    }

    #[test]
    fn replaced_scalars_keep_their_quotes() {
        let text = "a: 'old'\nb: \"old\"\nc: old\n";
        let file = FileId(0);
        let edit = |from: usize, to: usize| replace_scalar(file, text, Span::new(from, to), "it's");
        assert_eq!(edit(3, 8).unwrap().content, "'it''s'");
        assert_eq!(edit(12, 17).unwrap().content, "\"it's\"");
        assert_eq!(edit(21, 24).unwrap().content, "\"it's\"");
    }

    #[test]
    fn renames_keep_quotes_and_check_the_text() {
        let text = "\"packages_dir\": x\n";
        let edit = rename(
            FileId(0),
            text,
            Span::new(0, 14),
            "packages_dir",
            "packages-dir",
        )
        .unwrap();
        assert_eq!(edit.location.span, Span::new(1, 13));
        assert!(rename(FileId(0), text, Span::new(0, 14), "other", "x").is_none());
    }

    #[test]
    fn indentation_is_only_spaces_before_the_key() {
        let text = "jobs:\n  a: {b: c}\n  - d: e\n";
        assert_eq!(indentation_at(text, 8), Some("  "));
        assert_eq!(indentation_at(text, 12), None);
        assert_eq!(indentation_at(text, 22), None);
    }
}
