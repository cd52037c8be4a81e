//! Code actions: each diagnostic's fix as a quick fix (preferred when it
//! is safe), "suppress on this line", and "fix all" for a file
//! (`source.fixAll.tplint`), which applies the safe fixes (and the unsafe
//! ones when the `unsafeFixes` setting is on) until none is left.

use std::collections::HashMap;
use std::path::Path;

use gen_lsp_types as lsp;

use super::Server;
use super::convert::{self, uri_path};
use crate::diagnostic::Diagnostic;
use crate::fix::run::MAX_PASSES;
use crate::fix::verify::apply_vetted;
use crate::fix::{Applicability, Edit};
use crate::lint::{RepoReport, check_repository};
use crate::source::{FileId, Span};

/// The kind of the "fix all" source action.
pub const FIX_ALL: &str = "source.fixAll.tplint";

impl Server {
    pub(super) fn code_actions(&mut self, params: &lsp::CodeActionParams) -> Vec<lsp::CodeAction> {
        let Some(path) = uri_path(&params.text_document.uri) else {
            return Vec::new();
        };
        let (root, relative) = self.locate(&path);
        // Answer from the text the client sees.
        if self.due.contains_key(&root) || !self.reports.contains_key(&root) {
            self.check(&root);
        }
        let wants = |kind: &str| match &params.context.only {
            None => true,
            Some(only) => only.iter().any(|k| {
                let wanted: String = k.clone().into();
                kind == wanted || kind.starts_with(&format!("{wanted}."))
            }),
        };
        let mut actions = Vec::new();
        if let Some(report) = self.reports.get(&root)
            && let Some(file) = report.repo.sources.find(&relative)
        {
            let text = &report.repo.sources.get(file).text;
            let start = convert::offset(text, params.range.start, self.encoding);
            let end = convert::offset(text, params.range.end, self.encoding);
            let here = report.diagnostics.iter().filter(|d| {
                d.location.file == file
                    && d.location.span.start <= end
                    && start <= d.location.span.end
            });
            for diagnostic in here {
                if wants("quickfix") {
                    actions.extend(self.quick_fix(report, diagnostic));
                    actions.extend(self.suppression(report, diagnostic));
                }
            }
        }
        if wants(FIX_ALL) {
            actions.extend(self.fix_all(&root, &relative));
        }
        actions
    }

    fn edit(&self, report: &RepoReport, edits: &[Edit]) -> lsp::WorkspaceEdit {
        let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
        for edit in edits {
            let file = report.repo.sources.get(edit.location.file);
            changes
                .entry(self.uri_of(&report.repo.root, &file.path))
                .or_default()
                .push(lsp::TextEdit {
                    range: convert::range(&file.text, edit.location.span, self.encoding),
                    new_text: edit.content.clone(),
                });
        }
        lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }
    }

    fn quick_fix(&self, report: &RepoReport, diagnostic: &Diagnostic) -> Option<lsp::CodeAction> {
        let fix = diagnostic.fix.as_ref()?;
        if !fix.applies(Applicability::Unsafe) {
            return None;
        }
        let safe = fix.applicability == Applicability::Safe;
        Some(lsp::CodeAction {
            title: format!(
                "{} ({}{})",
                capitalised(&fix.message),
                diagnostic.rule.code,
                if safe { "" } else { ", unsafe fix" }
            ),
            kind: Some(lsp::CodeActionKind::QuickFix),
            diagnostics: Some(vec![self.diagnostic(report, diagnostic)]),
            is_preferred: Some(safe),
            edit: Some(self.edit(report, &fix.edits)),
            ..Default::default()
        })
    }

    /// `# tplint: ignore[CODE]` at the end of the diagnostic's line (or the
    /// code added to a suppression already there), when that is a comment
    /// tplint reads there.
    fn suppression(&self, report: &RepoReport, diagnostic: &Diagnostic) -> Option<lsp::CodeAction> {
        let code = diagnostic.rule.code;
        if code == crate::catalogue::UNUSED_SUPPRESSION.code {
            return None;
        }
        let file_id = diagnostic.location.file;
        let repo = &report.repo;
        let yaml = repo.workflows.iter().any(|w| w.file == file_id)
            || repo.locals.actions.iter().any(|a| a.file == Some(file_id));
        let script = repo.locals.texts.iter().any(|t| t.file == Some(file_id));
        if !(yaml || script) {
            return None;
        }
        let file = repo.sources.get(file_id);
        let text = &file.text;
        let line = file.position(diagnostic.location.span.start).line;
        let line_start = file.line_start(line);
        let line_end = line_start + file.line_text(line).len();
        let existing = file.line_text(line).find("tplint: ignore[").and_then(|at| {
            let open = line_start + at + "tplint: ignore[".len();
            text[open..line_end]
                .find(']')
                .map(|close| (open, open + close))
        });
        let (at, content) = match existing {
            Some((open, close)) if text[open..close].trim().is_empty() => (open, code.to_string()),
            Some((_, close)) => (close, format!(", {code}")),
            None => (line_end, format!(" # tplint: ignore[{code}]")),
        };
        let edit = Edit::insert(
            crate::diagnostic::Location::new(file_id, Span::empty(at)),
            content,
        );
        if yaml {
            // Only a YAML comment on that line suppresses: not text inside
            // a block scalar or a quoted string.
            let fixed = crate::fix::apply::splice(text, &[&edit]);
            let document = crate::yaml::parse(&fixed).ok()?;
            let fixed_file = crate::source::SourceFile::new("", fixed.clone());
            let read = document.comments.iter().any(|c| {
                fixed_file.position(c.span.start).line == line
                    && c.text.contains(code)
                    && c.text.contains("tplint: ignore[")
            });
            if !read {
                return None;
            }
        }
        Some(lsp::CodeAction {
            title: format!("Suppress {code} on this line"),
            kind: Some(lsp::CodeActionKind::QuickFix),
            diagnostics: Some(vec![self.diagnostic(report, diagnostic)]),
            is_preferred: Some(false),
            edit: Some(self.edit(report, &[edit])),
            ..Default::default()
        })
    }

    /// Apply the fixes of one file, pass after pass, in memory; the whole
    /// new text as one edit.
    fn fix_all(&self, root: &Path, relative: &str) -> Option<lsp::CodeAction> {
        let required = if self.settings.unsafe_fixes {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        let mut overlay = self.overlay(root);
        let mut original: Option<String> = None;
        let mut current: Option<String> = None;
        for _ in 0..MAX_PASSES {
            let report =
                check_repository(root, String::new(), &self.options(overlay.clone())).ok()?;
            let file: FileId = report.repo.sources.find(relative)?;
            let text = &report.repo.sources.get(file).text;
            original.get_or_insert_with(|| text.clone());
            let fixes = report
                .diagnostics
                .iter()
                .filter_map(|d| d.fix.as_ref())
                .filter(|fix| fix.edits.iter().all(|e| e.location.file == file));
            let applied = apply_vetted(&report.repo, fixes, required);
            match applied.files.get(&file) {
                Some(fixed) if fixed != text => {
                    overlay.insert(relative.to_string(), fixed.clone());
                    current = Some(fixed.clone());
                }
                _ => break,
            }
        }
        let (original, fixed) = (original?, current?);
        let end = convert::position(&original, original.len(), self.encoding);
        let uri = self.uri_of(root, relative);
        let edit = lsp::TextEdit {
            range: lsp::Range {
                start: lsp::Position {
                    line: 0,
                    character: 0,
                },
                end,
            },
            new_text: fixed,
        };
        Some(lsp::CodeAction {
            title: "Fix all auto-fixable tplint findings".into(),
            kind: Some(lsp::CodeActionKind::new(FIX_ALL)),
            edit: Some(lsp::WorkspaceEdit {
                changes: Some(HashMap::from([(uri, vec![edit])])),
                ..Default::default()
            }),
            ..Default::default()
        })
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
