//! Fixes checked against their result before they are offered: each fix's
//! edits are made on a copy of the text, and the file is read again the way
//! it was read (the first document of a workflow or action, every document
//! of a GitLab pipeline file). A fix is withdrawn ([`Fix::withdrawn`]) when
//! the file parsed before and no longer does, when a workflow or action
//! would get a structural problem it did not have, when a pipeline file
//! would hold another number of documents, or when a fix meant to edit
//! only comments ([`Reach::Comments`]) would change the values the file
//! holds (a comment line ends a plain scalar, so removing one can join two
//! lines into one value).
//!
//! Only files that fixes edit are read again, and cheaply: the fixes of a
//! file that edit only comments are checked together, and so are the
//! others; only a group that fails is split in two and each half checked,
//! down to the fixes that fail alone. A file with many fixes is thus read
//! a few times, not once per fix. This takes a group that passes to pass
//! fix by fix, which holds for comments (removing fewer comments cannot
//! join more lines); fixes of values come from different findings and do
//! not repair each other, and the engine checks again what it applies
//! together ([`apply_vetted`]). The original text is read once more when a
//! comments-only fix has to be compared with it. Reading stops after
//! [`PARSE_BUDGET`] bytes; fixes left unchecked are withdrawn for this
//! check, and `--fix` comes back for them on its next pass. Scripts and
//! other files that are not YAML are not checked.

use std::collections::{BTreeMap, HashMap};

use super::apply::{Applied, apply_checked, in_bounds, splice};
use super::{Applicability, Edit, Fix, Reach};
use crate::diagnostic::Diagnostic;
use crate::repository::Repository;
use crate::source::FileId;
use crate::yaml::{self, Comments, Node, Value};

/// Most bytes of fixed text read again by one [`Verifier`]: a few hundred
/// times a large workflow, and a bound on the time a file full of fixes
/// can take.
pub const PARSE_BUDGET: usize = 16 * 1024 * 1024;

/// Why a fix's result is not accepted; the text says it to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breakage {
    /// An edit lies outside its file or inside a character, or two edits
    /// made together overlap.
    OutOfBounds,
    /// The file parsed before and would no longer.
    NoLongerParses,
    /// The workflow or action would get a structural problem (`TP002`).
    NewProblem,
    /// The pipeline file would hold another number of documents.
    DocumentsChange,
    /// A comments-only fix would change the file's values.
    ValuesChange,
    /// The [`PARSE_BUDGET`] ran out before the fix was checked.
    Unchecked,
}

impl Breakage {
    pub fn reason(self) -> &'static str {
        match self {
            Breakage::OutOfBounds => "its edits do not fit the file",
            Breakage::NoLongerParses => "the file would no longer parse",
            Breakage::NewProblem => {
                "the file would get a structural problem (TP002) it does not have"
            }
            Breakage::DocumentsChange => "the file would hold another number of YAML documents",
            Breakage::ValuesChange => {
                "the file would hold different values (a comment line ends an unquoted value)"
            }
            Breakage::Unchecked => "too many fixes in the file to check at once; fix again",
        }
    }
}

/// How a file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A workflow: its first document, then the workflow model.
    Workflow,
    /// A local action's `action.yml`: its first document, then the model.
    Action,
    /// A GitLab pipeline file, or other YAML: every document.
    Documents,
    /// Not YAML (a script): not checked.
    Text,
}

/// A file as it reads: its documents' roots and the structural problems
/// of its model.
struct Reading {
    roots: Vec<Option<Node>>,
    problems: Vec<String>,
}

/// The messages of structural problems, sorted (their spans move with
/// any edit).
fn messages(problems: &[crate::workflow::Problem]) -> Vec<String> {
    let mut messages: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
    messages.sort();
    messages
}

/// Whether `after` has a problem that `before` does not (both sorted),
/// counting repeats.
fn new_problem(before: &[String], after: &[String]) -> bool {
    let mut before = before.iter().peekable();
    for message in after {
        while before.next_if(|b| *b < message).is_some() {}
        if before.next_if(|b| *b == message).is_none() {
            return true;
        }
    }
    false
}

fn read(kind: Kind, text: &str) -> Option<Reading> {
    match kind {
        Kind::Workflow => {
            let document = yaml::parse_first(text, Comments::Skip).ok()?;
            let problems = messages(&crate::workflow::build(text, &document).problems);
            Some(Reading {
                roots: vec![document.root],
                problems,
            })
        }
        Kind::Action => {
            let document = yaml::parse_first(text, Comments::Skip).ok()?;
            let problems = messages(&crate::workflow::build_action(text, &document).problems);
            Some(Reading {
                roots: vec![document.root],
                problems,
            })
        }
        Kind::Documents => yaml::parse_all(text, Comments::Skip)
            .ok()
            .map(|documents| Reading {
                roots: documents.roots,
                problems: Vec::new(),
            }),
        Kind::Text => None,
    }
}

/// What is known of a file before its fixes.
struct Original {
    kind: Kind,
    /// Whether the file was read without error (otherwise nothing is
    /// checked: a fix cannot break what was broken).
    readable: bool,
    /// The messages of the model's structural problems, as read when the
    /// file was loaded.
    problems: Vec<String>,
    /// The file as it reads, once a comparison needs it.
    reading: Option<Option<Reading>>,
}

/// Checks fixes against one repository's files, reading each original at
/// most once.
pub struct Verifier<'r> {
    repo: &'r Repository,
    originals: HashMap<FileId, Original>,
    /// Bytes that may still be read (see [`PARSE_BUDGET`]).
    budget: usize,
}

impl<'r> Verifier<'r> {
    pub fn new(repo: &'r Repository) -> Self {
        Self {
            repo,
            originals: HashMap::new(),
            budget: PARSE_BUDGET,
        }
    }

    /// Take `bytes` from the budget, if it has them.
    fn spend(&mut self, bytes: usize) -> Result<(), Breakage> {
        self.budget = self.budget.checked_sub(bytes).ok_or(Breakage::Unchecked)?;
        Ok(())
    }

    fn original(&mut self, file: FileId) -> &mut Original {
        let repo = self.repo;
        self.originals.entry(file).or_insert_with(|| {
            let problems = |found: Option<&[crate::workflow::Problem]>| {
                found.map(messages).unwrap_or_default()
            };
            if let Some(w) = repo.workflows.iter().find(|w| w.file == file) {
                return Original {
                    kind: Kind::Workflow,
                    readable: w.error.is_none(),
                    problems: problems(w.workflow.as_ref().map(|m| m.problems.as_slice())),
                    reading: None,
                };
            }
            if let Some(a) = repo.locals.actions.iter().find(|a| a.file == Some(file)) {
                return Original {
                    kind: Kind::Action,
                    readable: a.error.is_none(),
                    problems: problems(a.action.as_ref().map(|m| m.problems.as_slice())),
                    reading: None,
                };
            }
            let pipeline = repo
                .gitlab
                .iter()
                .flat_map(|g| g.files.iter())
                .find(|f| f.file == file);
            let path = &repo.sources.get(file).path;
            let (kind, readable) = match pipeline {
                Some(f) => (Kind::Documents, f.error.is_none()),
                None if path.ends_with(".yml") || path.ends_with(".yaml") => {
                    let text = &repo.sources.get(file).text;
                    (Kind::Documents, yaml::parse_documents(text).is_ok())
                }
                None => (Kind::Text, false),
            };
            Original {
                kind,
                readable,
                problems: Vec::new(),
                reading: None,
            }
        })
    }

    /// Whether `text`, the new text of `file` made by `fixes`, may replace
    /// the original: the values must be the same when every fix edits
    /// only comments, and the file must read as before in any case.
    pub fn check(&mut self, file: FileId, text: &str, fixes: &[&Fix]) -> Result<(), Breakage> {
        let repo = self.repo;
        let original = self.original(file);
        if !original.readable || original.kind == Kind::Text {
            return Ok(());
        }
        let kind = original.kind;
        let compare = kind == Kind::Documents || fixes.iter().all(|f| f.reach == Reach::Comments);
        let first_comparison = compare && original.reading.is_none();
        let original_bytes = repo.sources.get(file).text.len();
        self.spend(text.len() + if first_comparison { original_bytes } else { 0 })?;
        let original = self.original(file);
        let Some(after) = read(kind, text) else {
            return Err(Breakage::NoLongerParses);
        };
        if new_problem(&original.problems, &after.problems) {
            return Err(Breakage::NewProblem);
        }
        let comments_only = fixes.iter().all(|fix| fix.reach == Reach::Comments);
        if compare {
            let before = original
                .reading
                .get_or_insert_with(|| read(kind, &repo.sources.get(file).text));
            let Some(before) = before else {
                // Read without error when loaded; unreachable in practice.
                return Ok(());
            };
            if before.roots.len() != after.roots.len() {
                return Err(Breakage::DocumentsChange);
            }
            if comments_only && !same_roots(&before.roots, &after.roots) {
                return Err(Breakage::ValuesChange);
            }
        }
        Ok(())
    }

    /// Whether `fix` alone may be made: every file it edits is accepted.
    pub fn check_fix(&mut self, fix: &Fix) -> Result<(), Breakage> {
        if !in_bounds(&self.repo.sources, fix) {
            return Err(Breakage::OutOfBounds);
        }
        let mut files: Vec<FileId> = fix.edits.iter().map(|e| e.location.file).collect();
        files.dedup();
        for file in files {
            self.check_together(file, &[fix])?;
        }
        Ok(())
    }

    /// Whether the edits in `file` of all `fixes`, made together, are
    /// accepted (refused at once when two of them overlap).
    fn check_together(&mut self, file: FileId, fixes: &[&Fix]) -> Result<(), Breakage> {
        let mut edits: Vec<_> = fixes
            .iter()
            .flat_map(|fix| &fix.edits)
            .filter(|e| e.location.file == file)
            .collect();
        // By position, then content: the same edit twice is made once.
        edits.sort();
        edits.dedup();
        if overlapping(&edits) {
            return Err(Breakage::OutOfBounds);
        }
        let text = splice(&self.repo.sources.get(file).text, &edits);
        self.check(file, &text, fixes)
    }

    /// Record in `verdicts` why each fix of `group` (indices into `fixes`)
    /// that fails alone in `file` does: the group is checked together, and
    /// split in two when it fails.
    fn split_check(
        &mut self,
        file: FileId,
        fixes: &[&Fix],
        group: &[usize],
        verdicts: &mut BTreeMap<usize, Breakage>,
    ) {
        let together: Vec<&Fix> = group.iter().map(|&i| fixes[i]).collect();
        match self.check_together(file, &together) {
            Ok(()) => {}
            Err(Breakage::Unchecked) => {
                for &index in group {
                    verdicts.entry(index).or_insert(Breakage::Unchecked);
                }
            }
            Err(breakage) => match group {
                [] => {}
                [index] => {
                    verdicts.entry(*index).or_insert(breakage);
                }
                _ => {
                    let (first, second) = group.split_at(group.len() / 2);
                    self.split_check(file, fixes, first, verdicts);
                    self.split_check(file, fixes, second, verdicts);
                }
            },
        }
    }
}

/// Withdraw every fix that cannot be applied without breaking its file
/// (see the module's documentation). Fixes that are never applied
/// (display-only, or without edits) are left as they are.
pub fn vet(repo: &Repository, diagnostics: &mut [Diagnostic]) {
    let offered: Vec<(usize, &Fix)> = diagnostics
        .iter()
        .enumerate()
        .filter_map(|(index, d)| Some((index, d.fix.as_ref()?)))
        .filter(|(_, fix)| fix.applies(Applicability::Unsafe))
        .collect();
    if offered.is_empty() {
        return;
    }
    let fixes: Vec<&Fix> = offered.iter().map(|(_, fix)| *fix).collect();
    let mut verdicts: BTreeMap<usize, Breakage> = BTreeMap::new();
    // The fixes of each file, those that edit only comments apart.
    let mut groups: BTreeMap<(FileId, bool), Vec<usize>> = BTreeMap::new();
    for (index, fix) in fixes.iter().enumerate() {
        if !in_bounds(&repo.sources, fix) {
            verdicts.insert(index, Breakage::OutOfBounds);
            continue;
        }
        let mut files: Vec<FileId> = fix.edits.iter().map(|e| e.location.file).collect();
        files.dedup();
        for file in files {
            let comments = fix.reach == Reach::Comments;
            groups.entry((file, comments)).or_default().push(index);
        }
    }
    let mut verifier = Verifier::new(repo);
    for ((file, _), group) in &groups {
        verifier.split_check(*file, &fixes, group, &mut verdicts);
    }
    let withdrawn: Vec<(usize, Fix)> = verdicts
        .into_iter()
        .map(|(index, breakage)| {
            let (at, fix) = offered[index];
            (at, fix.withdrawn(breakage.reason()))
        })
        .collect();
    for (at, fix) in withdrawn {
        diagnostics[at].fix = Some(fix);
    }
}

/// The fix engine for the front ends: [`super::apply::apply`], each changed
/// text checked as in [`vet`]. Fixes accepted one by one can still break a
/// file together (two comment lines that each alone keep two values
/// apart); those that would are left out, and come back on the next pass.
pub fn apply_vetted<'a>(
    repo: &Repository,
    fixes: impl IntoIterator<Item = &'a Fix>,
    required: Applicability,
) -> Applied {
    let mut verifier = Verifier::new(repo);
    apply_checked(&repo.sources, fixes, required, |file, text, fixes| {
        verifier.check(file, text, fixes).is_ok()
    })
}

/// Whether edits sorted by position cannot all be made: one starts inside
/// an earlier one, or two insert at the same point.
fn overlapping(edits: &[&Edit]) -> bool {
    let mut end = 0;
    edits.iter().enumerate().any(|(index, edit)| {
        let span = edit.location.span;
        let inside = span.start < end;
        let same_point = index > 0 && span.is_empty() && edits[index - 1].location.span == span;
        end = end.max(span.end);
        inside || same_point
    })
}

fn same_roots(a: &[Option<Node>], b: &[Option<Node>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|pair| match pair {
            (Some(x), Some(y)) => same_values(x, y),
            (None, None) => true,
            _ => false,
        })
}

/// Whether two nodes hold the same values, spans and comments apart.
pub fn same_values(a: &Node, b: &Node) -> bool {
    a.tag == b.tag
        && match (&a.value, &b.value) {
            (
                Value::Scalar { text, kind },
                Value::Scalar {
                    text: other,
                    kind: other_kind,
                },
            ) => text == other && kind == other_kind,
            (Value::Sequence(x), Value::Sequence(y)) => {
                x.len() == y.len() && x.iter().zip(y.iter()).all(|(x, y)| same_values(x, y))
            }
            (Value::Mapping(x), Value::Mapping(y)) => {
                x.len() == y.len()
                    && x.iter().zip(y.iter()).all(|(x, y)| {
                        same_values(&x.key, &y.key) && same_values(&x.value, &y.value)
                    })
            }
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::lint::{CheckOptions, RepoReport, check_source};
    use crate::source::Span;

    fn report(text: &str) -> RepoReport {
        check_source(
            "ci.yml",
            text.as_bytes().to_vec(),
            None,
            &CheckOptions::default(),
        )
        .unwrap()
    }

    fn tp000_fixes(report: &RepoReport) -> Vec<&Fix> {
        report
            .diagnostics
            .iter()
            .filter(|d| d.rule.code == "TP000")
            .filter_map(|d| d.fix.as_ref())
            .collect()
    }

    const WORKFLOW: &str =
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";

    #[test]
    fn a_suppression_whose_removal_breaks_the_file_is_withdrawn() {
        // The input the `lint` fuzz target reduced: without the comment,
        // `l` and `t:` are one plain scalar holding `: `.
        let report = report("l\n#tplint:ignore[]\nt:");
        let fixes = tp000_fixes(&report);
        assert_eq!(fixes.len(), 1);
        assert_eq!(fixes[0].applicability, Applicability::DisplayOnly);
        assert!(fixes[0].edits.is_empty());
        assert_eq!(
            fixes[0].message,
            "remove the stale suppression (not offered: the file would no longer parse)"
        );
    }

    #[test]
    fn a_comment_fix_that_changes_the_values_is_withdrawn() {
        // Without the comment, `l` and `t` are one scalar, `l t`.
        let report = report("l\n#tplint:ignore[]\nt");
        let fixes = tp000_fixes(&report);
        assert_eq!(fixes[0].applicability, Applicability::DisplayOnly);
        assert!(
            fixes[0].message.contains(Breakage::ValuesChange.reason()),
            "{}",
            fixes[0].message
        );
    }

    #[test]
    fn ordinary_stale_suppressions_keep_their_safe_fix() {
        let text = format!("# tplint: ignore[TP501]\n{WORKFLOW}");
        let report = report(&text);
        let fixes = tp000_fixes(&report);
        assert_eq!(fixes.len(), 1);
        assert_eq!(fixes[0].applicability, Applicability::Safe);
        assert_eq!(fixes[0].reach, Reach::Comments);
    }

    /// A diagnostic of `report` carrying `fix`, vetted.
    fn vetted(report: &RepoReport, fix: Fix) -> Fix {
        let mut diagnostics = vec![
            crate::diagnostic::Diagnostic::new(
                &crate::catalogue::UNUSED_SUPPRESSION,
                Location::new(FileId(0), Span::empty(0)),
                "x",
            )
            .with_fix(fix),
        ];
        vet(&report.repo, &mut diagnostics);
        diagnostics.remove(0).fix.unwrap()
    }

    fn replace(report: &RepoReport, from: &str, to: &str) -> Edit {
        let file = report.repo.workflows[0].file;
        let text = &report.repo.sources.get(file).text;
        let at = text.find(from).unwrap();
        Edit::replace(Location::new(file, Span::new(at, at + from.len())), to)
    }

    #[test]
    fn value_fixes_must_leave_the_same_kind_of_file() {
        let report = report(WORKFLOW);
        let fine = Fix::safe("x", [replace(&report, "ubuntu-latest", "ubuntu-24.04")]);
        assert_eq!(vetted(&report, fine.clone()), fine);
        let broken = Fix::unsafe_edits("x", [replace(&report, "push", "[push")]);
        let withdrawn = vetted(&report, broken);
        assert_eq!(withdrawn.applicability, Applicability::DisplayOnly);
        assert!(
            withdrawn
                .message
                .ends_with("(not offered: the file would no longer parse)")
        );
        let scalar = Fix::safe("x", [replace(&report, WORKFLOW, "on push\n")]);
        assert!(
            vetted(&report, scalar)
                .message
                .contains(Breakage::NewProblem.reason())
        );
        let outside = Fix::safe(
            "x",
            [Edit::replace(
                Location::new(FileId(0), Span::new(0, 10_000)),
                "",
            )],
        );
        assert!(
            vetted(&report, outside)
                .message
                .contains(Breakage::OutOfBounds.reason())
        );
    }

    #[test]
    fn of_many_fixes_only_those_that_fail_alone_are_withdrawn() {
        let report = report(WORKFLOW);
        let fixes = [
            Fix::safe("a", [replace(&report, "on", "'on'")]),
            Fix::safe("b", [replace(&report, "push", "[push")]),
            Fix::safe("c", [replace(&report, "build", "compile")]),
            Fix::safe("d", [replace(&report, "ubuntu-latest", "ubuntu-24.04")]),
            Fix::safe("e", [replace(&report, "make", "make all")]),
            Fix::safe("f", [replace(&report, "steps", "stepz")]),
        ];
        let mut diagnostics: Vec<Diagnostic> = fixes
            .iter()
            .map(|fix| {
                Diagnostic::new(
                    &crate::catalogue::UNUSED_SUPPRESSION,
                    Location::new(FileId(0), Span::empty(0)),
                    "x",
                )
                .with_fix(fix.clone())
            })
            .collect();
        vet(&report.repo, &mut diagnostics);
        let kept: Vec<&str> = diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.applicability == Applicability::Safe)
            .map(|f| f.message.as_str())
            .collect();
        // `[push` does not parse; `stepz` leaves a job without steps.
        assert_eq!(kept, ["a", "c", "d", "e"]);
    }

    #[test]
    fn fixes_past_the_budget_are_withdrawn_unchecked() {
        let report = report(WORKFLOW);
        let fix = Fix::safe("x", [replace(&report, "make", "make all")]);
        let mut verifier = Verifier::new(&report.repo);
        // Room for two readings of the fixed text, four bytes longer.
        verifier.budget = (WORKFLOW.len() + 4) * 2;
        assert_eq!(verifier.check_fix(&fix), Ok(()));
        assert_eq!(verifier.check_fix(&fix), Ok(()));
        assert_eq!(verifier.check_fix(&fix), Err(Breakage::Unchecked));
    }

    #[test]
    fn a_comment_fix_may_not_change_values_that_still_parse() {
        let report = report(WORKFLOW);
        // Marked as editing comments, but it renames a key.
        let fix = Fix::safe("x", [replace(&report, "build", "test")]).comments_only();
        assert!(
            vetted(&report, fix)
                .message
                .contains(Breakage::ValuesChange.reason())
        );
        let comment =
            Fix::safe("x", [replace(&report, "push\n", "push # on every push\n")]).comments_only();
        assert_eq!(vetted(&report, comment.clone()), comment);
    }

    #[test]
    fn fixes_that_pass_alone_but_break_the_file_together_wait() {
        let text = "l\n#tplint:ignore[]\n# tplint: ignore[]\nt:";
        let report = report(text);
        let fixes = tp000_fixes(&report);
        assert_eq!(fixes.len(), 2);
        assert!(fixes.iter().all(|f| f.applicability == Applicability::Safe));
        let applied = apply_vetted(&report.repo, fixes, Applicability::Safe);
        assert_eq!((applied.applied, applied.withheld), (1, 1));
        let fixed = &applied.files[&report.repo.workflows[0].file];
        assert_eq!(fixed, "l\n# tplint: ignore[]\nt:");
        // The engine alone would have broken it.
        let raw = crate::fix::apply::apply(
            &report.repo.sources,
            tp000_fixes(&report),
            Applicability::Safe,
        );
        assert!(yaml::parse(&raw.files[&report.repo.workflows[0].file]).is_err());
    }

    #[test]
    fn pipeline_files_keep_their_documents() {
        let mut files = std::collections::BTreeMap::new();
        let text = "spec:\n  inputs: {}\n---\nbuild:\n  script: [make]\n";
        files.insert(".gitlab-ci.yml".to_string(), text.to_string());
        let repo =
            Repository::in_memory_gitlab(crate::gitlab::MemoryFiles(files), ".gitlab-ci.yml");
        let file = repo.gitlab.as_ref().unwrap().files[0].file;
        let at = text.find("---\n").unwrap();
        let merge = Fix::safe(
            "x",
            [Edit::replace(
                Location::new(file, Span::new(at, at + 4)),
                "",
            )],
        );
        let mut verifier = Verifier::new(&repo);
        assert_eq!(verifier.check_fix(&merge), Err(Breakage::DocumentsChange));
        let at = text.find("make").unwrap();
        let rename = Fix::safe(
            "x",
            [Edit::replace(
                Location::new(file, Span::new(at, at + 4)),
                "make all",
            )],
        );
        assert_eq!(verifier.check_fix(&rename), Ok(()));
    }

    #[test]
    fn only_problems_not_there_before_count() {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(!new_problem(&list(&["a", "b"]), &list(&["b"])));
        assert!(!new_problem(&list(&["a", "b"]), &list(&[])));
        assert!(new_problem(&list(&["a"]), &list(&["a", "a"])));
        assert!(new_problem(&list(&["b"]), &list(&["a", "b"])));
        assert!(new_problem(&list(&[]), &list(&["c"])));
    }

    #[test]
    fn values_are_compared_without_spans_or_comments() {
        let a = yaml::parse("a: [x, 'y'] # c\nb: {c: d}\n")
            .unwrap()
            .root
            .unwrap();
        let b = yaml::parse("# top\na:   [x, 'y']\nb: {c: d}   # e\n")
            .unwrap()
            .root
            .unwrap();
        assert!(same_values(&a, &b));
        for other in [
            "a: [x, y]\nb: {c: d}\n",
            "a: [x, 'y']\nb: {c: e}\n",
            "a: [x]\nb: {c: d}\n",
            "a: !t [x, 'y']\nb: {c: d}\n",
        ] {
            let c = yaml::parse(other).unwrap().root.unwrap();
            assert!(!same_values(&a, &c), "{other}");
        }
    }
}
