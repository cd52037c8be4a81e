//! The fix engine: choose the fixes that may be applied, skip any whose
//! edits overlap those already chosen, and splice the rest into the texts.
//! Overlapping fixes are left for the next pass, after the file is checked
//! again ([`super::run`]). [`apply_checked`] also has every changed text
//! accepted (by [`super::verify`]), leaving out the fixes that would spoil
//! it in company.

use std::collections::BTreeMap;

use super::{Applicability, Edit, Fix};
use crate::source::{FileId, SourceMap, Span};

/// The result of one pass.
#[derive(Debug, Default)]
pub struct Applied {
    /// The new text of every file that changed.
    pub files: BTreeMap<FileId, String>,
    /// Fixes applied.
    pub applied: usize,
    /// Fixes left out because their edits overlap others.
    pub conflicts: usize,
    /// Fixes left out because, made together with the others, their edits
    /// would leave a text that is not accepted.
    pub withheld: usize,
}

/// Whether two edits in the same file cannot both be made: their ranges
/// overlap, or both insert at the same point (the order would be a guess).
/// The same edit twice is no conflict: it is made once.
fn conflict(a: &Edit, b: &Edit) -> bool {
    if a.location.file != b.location.file || a == b {
        return false;
    }
    let (x, y) = (a.location.span, b.location.span);
    let overlap = x.start < y.end && y.start < x.end;
    let same_point = x.is_empty() && y.is_empty() && x.start == y.start;
    overlap || same_point
}

/// Whether every edit lies inside its file on character boundaries.
pub(crate) fn in_bounds(sources: &SourceMap, fix: &Fix) -> bool {
    fix.edits.iter().all(|edit| {
        let text = &sources.get(edit.location.file).text;
        let Span { start, end } = edit.location.span;
        start <= end
            && end <= text.len()
            && text.is_char_boundary(start)
            && text.is_char_boundary(end)
    })
}

/// Apply every fix that `required` allows and that does not overlap an
/// earlier one, in the order of their first edit.
pub fn apply<'a>(
    sources: &SourceMap,
    fixes: impl IntoIterator<Item = &'a Fix>,
    required: Applicability,
) -> Applied {
    apply_checked(sources, fixes, required, |_, _, _| true)
}

/// [`apply`], with every changed text put to `accept` (the file, its new
/// text, the fixes that edit it). When a text is refused, the fixes are
/// made again one at a time, in order, and each is kept only if every
/// file it edits is still accepted with it: what is applied is always
/// accepted, provided the original texts are.
pub fn apply_checked<'a>(
    sources: &SourceMap,
    fixes: impl IntoIterator<Item = &'a Fix>,
    required: Applicability,
    mut accept: impl FnMut(FileId, &str, &[&Fix]) -> bool,
) -> Applied {
    let (chosen, conflicts) = choose(sources, fixes, required);
    let mut applied = Applied {
        conflicts,
        ..Applied::default()
    };
    let files = splice_files(sources, &chosen);
    let all_accepted = files
        .iter()
        .all(|(file, text)| accept(*file, text, &editing(&chosen, *file)));
    if all_accepted {
        applied.applied = chosen.len();
        applied.files = files;
        return applied;
    }
    let mut kept: Vec<&Fix> = Vec::with_capacity(chosen.len());
    for fix in chosen {
        kept.push(fix);
        let mut touched: Vec<FileId> = fix.edits.iter().map(|e| e.location.file).collect();
        touched.dedup();
        let accepted = touched.iter().all(|&file| {
            let edits = unique_edits(&kept, file);
            let text = splice(&sources.get(file).text, &edits);
            accept(file, &text, &editing(&kept, file))
        });
        if accepted {
            applied.applied += 1;
        } else {
            kept.pop();
            applied.withheld += 1;
        }
    }
    applied.files = splice_files(sources, &kept);
    applied
}

/// The fixes that `required` allows, in the order of their first edit,
/// without those whose edits overlap an earlier one's (counted).
fn choose<'a>(
    sources: &SourceMap,
    fixes: impl IntoIterator<Item = &'a Fix>,
    required: Applicability,
) -> (Vec<&'a Fix>, usize) {
    let mut candidates: Vec<&Fix> = fixes
        .into_iter()
        .filter(|fix| fix.applies(required) && in_bounds(sources, fix))
        .collect();
    candidates.sort_by(|a, b| a.edits.cmp(&b.edits));
    let mut chosen: Vec<&Fix> = Vec::new();
    let mut conflicts = 0;
    for fix in candidates {
        let clashes = fix.edits.iter().any(|edit| {
            chosen
                .iter()
                .flat_map(|other| &other.edits)
                .any(|other| conflict(edit, other))
        });
        if clashes {
            conflicts += 1;
        } else {
            // Another diagnostic's fix may make the same edits: they are
            // made once (see `unique_edits`), and both count as applied.
            chosen.push(fix);
        }
    }
    (chosen, conflicts)
}

/// The fixes among `fixes` that edit `file`.
fn editing<'a>(fixes: &[&'a Fix], file: FileId) -> Vec<&'a Fix> {
    fixes
        .iter()
        .filter(|fix| fix.edits.iter().any(|e| e.location.file == file))
        .copied()
        .collect()
}

/// The distinct edits of `fixes` in `file`, by position.
fn unique_edits<'a>(fixes: &[&'a Fix], file: FileId) -> Vec<&'a Edit> {
    let mut edits: Vec<&Edit> = fixes
        .iter()
        .flat_map(|fix| &fix.edits)
        .filter(|e| e.location.file == file)
        .collect();
    edits.sort_by_key(|e| (e.location.span.start, e.location.span.end));
    edits.dedup();
    edits
}

/// The new text of every file that `fixes` edit.
fn splice_files(sources: &SourceMap, fixes: &[&Fix]) -> BTreeMap<FileId, String> {
    let mut files: Vec<FileId> = fixes
        .iter()
        .flat_map(|fix| fix.edits.iter().map(|e| e.location.file))
        .collect();
    files.sort();
    files.dedup();
    files
        .into_iter()
        .map(|file| {
            let edits = unique_edits(fixes, file);
            (file, splice(&sources.get(file).text, &edits))
        })
        .collect()
}

/// `text` with non-overlapping `edits`, sorted by position, made.
pub fn splice(text: &str, edits: &[&Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in edits {
        let span = edit.location.span;
        out.push_str(&text[at..span.start]);
        out.push_str(&edit.content);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::source::SourceFile;

    fn edit(file: usize, start: usize, end: usize, content: &str) -> Edit {
        Edit::replace(Location::new(FileId(file), Span::new(start, end)), content)
    }

    fn sources() -> SourceMap {
        let mut sources = SourceMap::default();
        sources.add(SourceFile::new("a", "0123456789"));
        sources.add(SourceFile::new("b", "abcdef"));
        sources
    }

    #[test]
    fn edits_in_several_files_are_made() {
        let fix = Fix::safe("x", [edit(0, 1, 3, "X"), edit(1, 0, 0, ">")]);
        let applied = apply(&sources(), [&fix], Applicability::Safe);
        assert_eq!(applied.applied, 1);
        assert_eq!(applied.files[&FileId(0)], "0X3456789");
        assert_eq!(applied.files[&FileId(1)], ">abcdef");
    }

    #[test]
    fn overlapping_fixes_are_skipped_and_counted() {
        let first = Fix::safe("1", [edit(0, 2, 5, "A")]);
        let second = Fix::safe("2", [edit(0, 4, 6, "B")]);
        let third = Fix::safe("3", [edit(0, 8, 8, "C")]);
        let applied = apply(&sources(), [&second, &third, &first], Applicability::Safe);
        assert_eq!((applied.applied, applied.conflicts), (2, 1));
        assert_eq!(applied.files[&FileId(0)], "01A567C89");
    }

    #[test]
    fn two_insertions_at_one_point_conflict_unless_identical() {
        let a = Fix::safe("a", [edit(0, 3, 3, "a")]);
        let b = Fix::safe("b", [edit(0, 3, 3, "b")]);
        let again = Fix::safe("a again", [edit(0, 3, 3, "a")]);
        let applied = apply(&sources(), [&a, &b, &again], Applicability::Safe);
        assert_eq!((applied.applied, applied.conflicts), (2, 1));
        assert_eq!(applied.files[&FileId(0)], "012a3456789");
    }

    #[test]
    fn insertion_next_to_a_replacement_is_no_conflict() {
        let insert = Fix::safe("i", [edit(0, 2, 2, "<")]);
        let replace = Fix::safe("r", [edit(0, 2, 4, "R")]);
        let applied = apply(&sources(), [&replace, &insert], Applicability::Safe);
        assert_eq!(applied.files[&FileId(0)], "01<R456789");
    }

    #[test]
    fn unsafe_and_display_only_fixes_wait_for_their_level() {
        let risky = Fix::unsafe_edits("u", [edit(0, 0, 1, "U")]);
        let shown = Fix::display_only("d");
        assert_eq!(
            apply(&sources(), [&risky, &shown], Applicability::Safe).applied,
            0
        );
        let applied = apply(&sources(), [&risky, &shown], Applicability::Unsafe);
        assert_eq!(applied.applied, 1);
    }

    #[test]
    fn a_refused_text_is_rebuilt_one_fix_at_a_time() {
        // Any text without both `A` and `C` is accepted.
        let a = Fix::safe("a", [edit(0, 1, 2, "A")]);
        let b = Fix::safe("b", [edit(0, 4, 5, "B")]);
        let c = Fix::safe("c", [edit(0, 7, 8, "C")]);
        let elsewhere = Fix::safe("d", [edit(1, 0, 1, "D")]);
        let applied = apply_checked(
            &sources(),
            [&c, &elsewhere, &b, &a],
            Applicability::Safe,
            |_, text, _| !(text.contains('A') && text.contains('C')),
        );
        assert_eq!((applied.applied, applied.withheld), (3, 1));
        assert_eq!(applied.files[&FileId(0)], "0A23B56789");
        assert_eq!(applied.files[&FileId(1)], "Dbcdef");
        // Accepted at once: one call per changed file.
        let mut calls = 0;
        let applied = apply_checked(&sources(), [&a, &b], Applicability::Safe, |_, _, fixes| {
            calls += 1;
            fixes.len() == 2
        });
        assert_eq!((applied.applied, applied.withheld, calls), (2, 0, 1));
    }

    #[test]
    fn edits_outside_the_text_or_inside_a_character_are_refused() {
        let mut sources = SourceMap::default();
        sources.add(SourceFile::new("c", "é"));
        let inside = Fix::safe("x", [edit(0, 1, 1, "x")]);
        let past = Fix::safe("y", [edit(0, 5, 6, "y")]);
        assert_eq!(
            apply(&sources, [&inside, &past], Applicability::Safe).applied,
            0
        );
    }
}
