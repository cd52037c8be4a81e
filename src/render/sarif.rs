//! SARIF 2.1.0 output for GitHub code scanning and other SARIF consumers: one
//! run describing every registered rule, one result per diagnostic, with
//! fingerprints that survive unrelated edits to the file.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::catalogue::{RULES, Rule};
use crate::diagnostic::Severity;
use crate::lint::{RepoReport, Resolved};
use crate::source::{Position, SourceFile, Span};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/tplint/tplint";
/// The base every relative artifact URI is resolved against.
const SOURCE_ROOT: &str = "%SRCROOT%";
/// Key of our fingerprint in `partialFingerprints`; bump the suffix if the
/// recipe changes, so old and new fingerprints are never compared.
const FINGERPRINT_KEY: &str = "tplintFingerprint/v1";

/// The run's properties before its `results`, which are streamed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunHeader {
    tool: Tool,
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocationBase>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct ArtifactLocationBase {
    description: Message,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: String,
    short_description: Message,
    full_description: Message,
    help: MultiformatMessage,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    /// Absent only for a rule missing from the registry, rather than wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
}

/// A fix as SARIF's `fix` object: one `artifactChange` per file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Message,
    artifact_changes: Vec<ArtifactChange>,
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    applicability: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The rule family, from the first digit of the code: a tag for filtering.
fn family(rule: &Rule) -> &'static str {
    match rule.code.as_bytes().get(2) {
        Some(b'0') => "input",
        Some(b'1') => "trusted-publisher",
        Some(b'2') => "oidc-permissions",
        Some(b'3') => "credentials",
        Some(b'4') => "environment",
        Some(b'5') => "pinning",
        Some(b'6') => "publish-job",
        _ => "other",
    }
}

/// GitHub ranks alerts by this CVSS-like score. Leaked credentials weigh more
/// than other findings of the same level; input problems are not security
/// findings at all, so they keep the plain level ranking.
fn security_severity(rule: &Rule) -> &'static str {
    match (rule.severity, family(rule)) {
        (Severity::Error, "credentials") => "9.0",
        (Severity::Error, _) => "8.0",
        (Severity::Warning, "credentials") => "6.5",
        (Severity::Warning, _) => "5.0",
        (Severity::Info, _) => "2.0",
    }
}

fn tags(rule: &Rule) -> Vec<&'static str> {
    match family(rule) {
        "input" => vec!["correctness", "input"],
        family => vec!["security", "supply-chain", family],
    }
}

/// The text of one `## Heading` section of a rule doc, paragraphs joined.
fn doc_section(doc: &str, heading: &str) -> Option<String> {
    let mut lines = doc
        .lines()
        .skip_while(|l| l.trim() != format!("## {heading}"));
    lines.next()?;
    let body: Vec<&str> = lines.take_while(|l| !l.starts_with("## ")).collect();
    let paragraphs: Vec<String> = body
        .split(|l| l.trim().is_empty())
        .filter(|p| !p.is_empty())
        .map(|p| p.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" "))
        .collect();
    (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
}

/// SARIF asks for messages that are complete sentences; tplint's own start
/// in lower case, like rustc's.
fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// Brackets are link syntax in SARIF message text (`[text](id)`).
fn escape_brackets(text: &str) -> String {
    text.replace('[', "\\[").replace(']', "\\]")
}

/// `CODE-name` in PascalCase, as SARIF recommends for `reportingDescriptor.name`.
fn pascal_case(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let what = doc_section(rule.doc, "What it does").unwrap_or_else(|| rule.summary.to_string());
    ReportingDescriptor {
        id: rule.code,
        name: pascal_case(rule.name),
        short_description: Message {
            text: sentence(rule.summary),
        },
        full_description: Message {
            text: sentence(&what),
        },
        help: MultiformatMessage {
            text: sentence(&what),
            markdown: rule.doc.to_string(),
        },
        help_uri: rule.doc_url(),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            security_severity: security_severity(rule),
            tags: tags(rule),
        },
    }
}

/// Percent-encode a `/`-separated path into a URI reference.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A relative path becomes a URI relative to `%SRCROOT%`; an absolute one
/// (a repository given by absolute PATH among several) a `file:` URI.
fn artifact_location(path: &str) -> ArtifactLocation {
    if path.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{}", encode_path(path)),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: encode_path(path),
            uri_base_id: Some(SOURCE_ROOT),
        }
    }
}

fn region(start: Position, end: Position) -> Region {
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

/// Pseudo files such as `<command line>` are not artifacts a SARIF consumer
/// can open.
fn is_pseudo(file: &SourceFile) -> bool {
    file.path.starts_with('<')
}

/// Where a result goes in SARIF. A diagnostic in a pseudo file (a publisher
/// declared by flags) is placed on the most relevant real file: its first
/// related location in one, else line 1 of the config file, of the first
/// workflow or of the GitLab pipeline, else `tplint.toml`, where such a
/// publisher would be declared.
fn primary_location(item: &Resolved<'_>) -> (String, Region, Option<String>) {
    let report = item.report;
    let file = report.file(item.diagnostic);
    if !is_pseudo(file) {
        return (item.path.clone(), region(item.start, item.end), None);
    }
    let note = Some(format!(
        "Declared on the {}",
        file.path.trim_matches(['<', '>'])
    ));
    for related in &item.diagnostic.related {
        let other = report.repo.sources.get(related.location.file);
        if !is_pseudo(other) {
            let span = related.location.span;
            return (
                report.display_path(other),
                region(other.position(span.start), other.position(span.end)),
                note,
            );
        }
    }
    let first_line = Position {
        line: 1,
        column: 1,
        offset: 0,
    };
    let fallback = report
        .repo
        .config
        .file
        .into_iter()
        .chain(report.repo.workflows.iter().map(|w| w.file))
        .chain(
            report
                .repo
                .gitlab
                .iter()
                .flat_map(|g| g.files.iter().map(|f| f.file)),
        )
        .map(|id| report.repo.sources.get(id))
        .find(|file| !is_pseudo(file));
    let path = match fallback {
        Some(file) => report.display_path(file),
        None => format!("{}tplint.toml", report.prefix),
    };
    (path, region(first_line, first_line), note)
}

/// A result's fingerprint: its rule, path and the text of its lines, then
/// how many identical ones came before in the repository, so it survives
/// edits elsewhere in the file and stays unique.
fn fingerprint(item: &Resolved<'_>, occurrences: &mut HashMap<u64, usize>) -> u64 {
    let diagnostic = item.diagnostic;
    let file = item.report.file(diagnostic);
    let text = span_text(file, diagnostic.location.span);
    let base = fnv1a(&[diagnostic.rule.code, &item.path, &text]);
    let occurrence = occurrences.entry(base).or_insert(0);
    let fingerprint = fnv1a(&[&format!("{base:016x}"), &occurrence.to_string()]);
    *occurrence += 1;
    fingerprint
}

/// Where each of one repository's diagnostics is reported in a file a
/// consumer can open (path and first line), and its fingerprint, as SARIF
/// places them; shared with the GitLab Code Quality report.
pub(crate) fn placements(resolved: &[Resolved<'_>]) -> Vec<(String, usize, String)> {
    let mut occurrences: HashMap<u64, usize> = HashMap::new();
    resolved
        .iter()
        .map(|item| {
            let (path, region, _) = primary_location(item);
            let fingerprint = fingerprint(item, &mut occurrences);
            (path, region.start_line, format!("{fingerprint:016x}"))
        })
        .collect()
}

/// 64-bit FNV-1a: tiny, and stable across Rust releases (unlike `DefaultHasher`).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in part.as_bytes().iter().chain(&[0u8]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// The trimmed text of the lines a span covers: what identifies the finding
/// independently of its line number.
fn span_text(file: &SourceFile, span: Span) -> String {
    let first = file.position(span.start).line;
    let last = file.position(span.end).line.max(first);
    (first..=last)
        .map(|line| file.line_text(line).trim())
        .collect::<Vec<_>>()
        .join("\n")
}

fn related_locations(item: &Resolved<'_>) -> Vec<SarifLocation> {
    let report: &RepoReport = item.report;
    item.diagnostic
        .related
        .iter()
        .filter_map(|related| {
            let file = report.repo.sources.get(related.location.file);
            (!is_pseudo(file)).then_some((related, file))
        })
        .enumerate()
        .map(|(index, (related, file))| {
            let span = related.location.span;
            SarifLocation {
                id: Some(index + 1),
                physical_location: PhysicalLocation {
                    artifact_location: artifact_location(&report.display_path(file)),
                    region: region(file.position(span.start), file.position(span.end)),
                },
                message: Some(Message {
                    text: sentence(&related.message),
                }),
            }
        })
        .collect()
}

/// The fix, when it has edits in files a SARIF consumer can open.
fn fixes(item: &Resolved<'_>) -> Vec<SarifFix> {
    let Some(fix) = &item.diagnostic.fix else {
        return Vec::new();
    };
    let report = item.report;
    let mut changes: Vec<ArtifactChange> = Vec::new();
    let mut last_file = None;
    for edit in &fix.edits {
        let file = report.repo.sources.get(edit.location.file);
        if is_pseudo(file) {
            return Vec::new();
        }
        let span = edit.location.span;
        let replacement = Replacement {
            deleted_region: region(file.position(span.start), file.position(span.end)),
            inserted_content: Message {
                text: edit.content.clone(),
            },
        };
        match changes.last_mut() {
            Some(change) if last_file == Some(edit.location.file) => {
                change.replacements.push(replacement)
            }
            _ => {
                changes.push(ArtifactChange {
                    artifact_location: artifact_location(&report.display_path(file)),
                    replacements: vec![replacement],
                });
                last_file = Some(edit.location.file);
            }
        }
    }
    if changes.is_empty() {
        return Vec::new();
    }
    vec![SarifFix {
        description: Message {
            text: sentence(&fix.message),
        },
        artifact_changes: changes,
        properties: FixProperties {
            applicability: fix.applicability.as_str(),
        },
    }]
}

/// The message, then the related locations as SARIF embedded links (so
/// GitHub shows them), then the help.
fn message(item: &Resolved<'_>, note: Option<&str>, related: &[SarifLocation]) -> String {
    let diagnostic = item.diagnostic;
    let mut text = escape_brackets(&sentence(&diagnostic.message));
    if let Some(note) = note {
        text.push(' ');
        text.push_str(&sentence(note));
    }
    for location in related {
        if let (Some(id), Some(message)) = (location.id, &location.message) {
            let label = escape_brackets(message.text.trim_end_matches('.'));
            text.push_str(&format!(" See [{label}]({id})."));
        }
    }
    if let Some(help) = &diagnostic.help {
        text.push_str("\nHelp: ");
        text.push_str(&escape_brackets(&sentence(help)));
    }
    text
}

/// Indent every line but the first by `width` spaces.
fn indent(text: &str, width: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(width)))
}

/// The log up to the opening of the run's `results` array.
pub fn begin() -> String {
    let header = RunHeader {
        tool: Tool {
            driver: Driver {
                name: "tplint",
                version: env!("CARGO_PKG_VERSION"),
                semantic_version: env!("CARGO_PKG_VERSION"),
                information_uri: INFORMATION_URI,
                rules: RULES.iter().map(|rule| descriptor(rule)).collect(),
            },
        },
        original_uri_base_ids: BTreeMap::from([(
            SOURCE_ROOT,
            ArtifactLocationBase {
                description: Message {
                    text: "The root of the checked repository.".into(),
                },
            },
        )]),
        column_kind: "unicodeCodePoints",
    };
    // Serializing plain structs of strings and numbers cannot fail.
    let header = serde_json::to_string_pretty(&header).unwrap_or_default();
    let fields = header
        .strip_prefix("{\n")
        .and_then(|h| h.strip_suffix("\n}"))
        .unwrap_or_default();
    format!(
        "{{\n  \"$schema\": \"{SCHEMA}\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n    {},\n      \"results\": [",
        indent(fields, 4)
    )
}

/// One repository's results as array elements; `written` is how many came
/// before. Occurrences are counted per repository, whose paths are distinct.
pub fn render_results(resolved: &[Resolved<'_>], written: usize) -> String {
    let rule_index: HashMap<&'static str, usize> = RULES
        .iter()
        .enumerate()
        .map(|(index, rule)| (rule.code, index))
        .collect();
    let mut occurrences: HashMap<u64, usize> = HashMap::new();
    let mut out = String::new();
    for (i, item) in resolved.iter().enumerate() {
        let diagnostic = item.diagnostic;
        let (path, primary_region, note) = primary_location(item);
        let fingerprint = fingerprint(item, &mut occurrences);
        let related = related_locations(item);
        let result = SarifResult {
            rule_id: diagnostic.rule.code,
            rule_index: rule_index.get(diagnostic.rule.code).copied(),
            level: level(diagnostic.severity),
            message: Message {
                text: message(item, note.as_deref(), &related),
            },
            locations: vec![SarifLocation {
                id: None,
                physical_location: PhysicalLocation {
                    artifact_location: artifact_location(&path),
                    region: primary_region,
                },
                message: None,
            }],
            related_locations: related,
            partial_fingerprints: BTreeMap::from([(
                FINGERPRINT_KEY,
                format!("{fingerprint:016x}"),
            )]),
            fixes: fixes(item),
        };
        if written + i > 0 {
            out.push(',');
        }
        // Serializing plain structs of strings and numbers cannot fail.
        let text = serde_json::to_string_pretty(&result).unwrap_or_default();
        out.push_str("\n        ");
        out.push_str(&indent(&text, 8));
    }
    out
}

/// Closes the results, the run and the log.
/// The end of a run over remote targets: a repository that could not be
/// read is a tool execution notification of the run's invocation.
pub fn finish_with(written: usize, unreadable: &[(String, String)]) -> String {
    if unreadable.is_empty() {
        return finish(written);
    }
    let notifications: Vec<serde_json::Value> = unreadable
        .iter()
        .map(|(repository, reason)| {
            serde_json::json!({
                "level": "error",
                "message": {"text": format!("{repository} could not be checked: {reason}")},
            })
        })
        .collect();
    let invocation = serde_json::json!([{
        "executionSuccessful": true,
        "toolExecutionNotifications": notifications,
    }]);
    let close = if written > 0 { "\n      ]" } else { "]" };
    format!(
        "{close},\n      \"invocations\": {}\n    }}\n  ]\n}}\n",
        serde_json::to_string(&invocation).unwrap_or_else(|_| "[]".into())
    )
}

pub fn finish(written: usize) -> String {
    let close = if written > 0 { "\n      ]" } else { "]" };
    format!("{close}\n    }}\n  ]\n}}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_sections_are_joined_paragraphs() {
        let doc = "# X\n\n## What it does\n\nOne\ntwo.\n\nThree.\n\n## Why it matters\n\nNo.\n";
        assert_eq!(
            doc_section(doc, "What it does").as_deref(),
            Some("One two.\n\nThree.")
        );
        assert_eq!(doc_section(doc, "Example"), None);
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            encode_path(".github/workflows/a b%.yml"),
            ".github/workflows/a%20b%25.yml"
        );
        assert_eq!(encode_path("é"), "%C3%A9");
        assert_eq!(artifact_location("/abs/x").uri, "file:///abs/x");
    }

    #[test]
    fn names_are_pascal_case() {
        assert_eq!(pascal_case("id-token-missing"), "IdTokenMissing");
    }

    #[test]
    fn every_rule_doc_has_a_what_it_does_section() {
        for rule in RULES {
            assert!(
                doc_section(rule.doc, "What it does").is_some(),
                "{}",
                rule.code
            );
        }
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fnv1a(&[""]), fnv1a(&[""]));
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }
}
