//! The fixes of the workflow rules, built where the rules report: each
//! takes what the rule found and returns the [`Fix`], or `None` when the
//! text has a shape the fix cannot edit without guessing.

use super::edit::{self, add_job_key, add_job_permissions, grant_id_token};
use super::{Edit, Fix};
use crate::diagnostic::Location;
use crate::facts::permissions::GrantSource;
use crate::online::resolve::Resolution;
use crate::source::{FileId, Span};
use crate::workflow::{Job, PermissionsKind, Spanned, Step, Uses, Workflow};

/// Whether `span` lies inside the job (not in an anchor elsewhere that an
/// alias repeats).
fn within(job: &Job, span: Span) -> bool {
    job.span.start <= span.start && span.end <= job.span.end
}

/// TP104: set the job's environment to the publisher's. Adding one where
/// there is none is safe (the publisher accepts no other); replacing
/// another is unsafe (that environment's rules and secrets go with it).
pub fn set_environment(file: FileId, text: &str, job: &Job, names: &[&str]) -> Option<Fix> {
    let name = *names.first()?;
    let certain = names.iter().all(|n| n.eq_ignore_ascii_case(name));
    let message = format!("set `environment: {name}` on job `{}`", job.id.value);
    match &job.environment {
        None => {
            let edit = add_job_key(file, text, job, "environment", name)?;
            Some(if certain {
                Fix::safe(message, [edit])
            } else {
                Fix::unsafe_edits(message, [edit])
            })
        }
        Some(environment) => {
            if !within(job, environment.name.span) {
                return None;
            }
            let edit = edit::replace_scalar(file, text, environment.name.span, name)?;
            Some(Fix::unsafe_edits(message, [edit]))
        }
    }
}

/// TP401: add `environment: <index>`; unsafe, since the environment must
/// be created (and protected) on GitHub and named in the publisher.
pub fn add_environment(file: FileId, text: &str, job: &Job, name: &str) -> Option<Fix> {
    let edit = add_job_key(file, text, job, "environment", name)?;
    Some(Fix::unsafe_edits(
        format!("add `environment: {name}` to job `{}`", job.id.value),
        [edit],
    ))
}

/// TP201: grant `id-token: write` to `job`. In a block of its own the
/// grant is added (safe: it is the finding); a job without one gets a new
/// block with what it inherited from the workflow (unsafe: a job-level
/// block replaces the workflow's).
pub fn grant_job_id_token(file: FileId, text: &str, workflow: &Workflow, job: &Job) -> Option<Fix> {
    let message = format!("grant `id-token: write` to job `{}`", job.id.value);
    match GrantSource::of(workflow, job) {
        GrantSource::Job(block) => {
            if !within(job, block.span) {
                return None;
            }
            let edit = grant_id_token(file, text, block)?;
            Some(Fix::safe(message, [edit]))
        }
        GrantSource::Workflow(block) => {
            let mut scopes = edit::scopes_except_id_token(block)?;
            scopes.push(("id-token".into(), "write"));
            let edit = add_job_permissions(file, text, job, &scopes)?;
            Some(Fix::unsafe_edits(
                format!("{message} in a block of its own, with the scopes it inherited"),
                [edit],
            ))
        }
        GrantSource::RepositoryDefault => {
            let scopes = [
                ("contents".to_string(), "read"),
                ("id-token".into(), "write"),
            ];
            let edit = add_job_permissions(file, text, job, &scopes)?;
            Some(Fix::unsafe_edits(
                format!("{message} in a block of its own, with `contents: read`"),
                [edit],
            ))
        }
    }
}

/// TP202: remove `id-token: write` from the workflow's block and give it
/// to the jobs in `needing` (which inherit the workflow's block), each in
/// a block of its own with the workflow's other scopes. Unsafe: it
/// changes what those jobs are granted as a whole.
pub fn move_id_token(
    file: FileId,
    text: &str,
    workflow: &Workflow,
    needing: &[&Job],
) -> Option<Fix> {
    let block = workflow.permissions.as_ref()?;
    let PermissionsKind::Scopes(scopes) = &block.kind else {
        return None;
    };
    let scope = scopes.iter().find(|s| s.name.value == "id-token")?;
    let others = edit::scopes_except_id_token(block)?;
    let raw = text.get(block.span.range())?;
    let mut edits = Vec::new();
    if others.is_empty() {
        let span = if raw.starts_with('{') {
            block.span
        } else {
            let between = text.get(block.key.end..block.span.start)?;
            if !between.trim_start().starts_with(':') {
                return None;
            }
            Span::new(block.key.end, block.span.end)
        };
        let content = if raw.starts_with('{') { "{}" } else { ": {}" };
        edits.push(Edit::replace(Location::new(file, span), content));
    } else {
        if raw.starts_with('{') {
            return None;
        }
        edits.push(edit::delete_entry_line(
            file,
            text,
            &scope.name,
            scope.access.span,
        )?);
    }
    let mut granted = others;
    granted.push(("id-token".into(), "write"));
    for job in needing {
        edits.push(add_job_permissions(file, text, job, &granted)?);
    }
    let names = needing
        .iter()
        .map(|job| format!("`{}`", job.id.value))
        .collect::<Vec<_>>();
    let message = if names.is_empty() {
        "remove `id-token: write` from the workflow's permissions".to_string()
    } else {
        format!(
            "move `id-token: write` from the workflow's permissions to job{} {}",
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        )
    };
    Some(Fix::unsafe_edits(message, edits))
}

/// TP302: rename a deprecated input alias (safe: the action reads both the
/// same way), unless the step already has the new name.
pub fn rename_input(
    file: FileId,
    text: &str,
    step: &Step,
    key: &Spanned<String>,
    replacement: &str,
) -> Option<Fix> {
    if step.input(replacement).is_some() {
        return None;
    }
    let edit = edit::rename(file, text, key.span, &key.value, replacement)?;
    Some(Fix::safe(
        format!("rename `{}` to `{replacement}`", key.value),
        [edit],
    ))
}

/// TP304: add `--trusted-publishing always` after `uv publish` at `span`,
/// unless the command already says how to use trusted publishing.
pub fn uv_trusted_publishing_always(file: FileId, text: &str, span: Span) -> Option<Fix> {
    let command = text.get(span.range())?;
    if !command.ends_with(" publish") {
        return None;
    }
    // The rest of the command, continuation lines included.
    let mut end = span.end;
    loop {
        let line_end = edit::next_line_start(text, end);
        let line = text.get(end..line_end)?;
        end = line_end;
        if !line.trim_end().ends_with('\\') || end >= text.len() {
            break;
        }
    }
    if text.get(span.end..end)?.contains("trusted-publishing") {
        return None;
    }
    Some(Fix::safe(
        "add `--trusted-publishing always` to `uv publish`",
        [Edit::insert(
            Location::new(file, Span::empty(span.end)),
            " --trusted-publishing always",
        )],
    ))
}

/// TP503: replace `@master` with `@release/v1`, the branch the action's
/// maintainers point to for its supported releases (pypa/gh-action-pypi-publish
/// README, "`master` branch sunset": "change the GitHub Action version you
/// use from `master` to `release/v1`").
pub fn publish_action_release_branch(file: FileId, text: &str, ref_span: Span) -> Option<Fix> {
    if text.get(ref_span.range())? != "@master" {
        return None;
    }
    Some(Fix::safe(
        "use `@release/v1` instead of `@master`",
        [Edit::replace(Location::new(file, ref_span), "@release/v1")],
    ))
}

/// Where a comment can follow a `uses:` value: the value ends its line
/// (but for a comment), so `# ...` comments nothing else out.
fn comment_point(text: &str, uses: &Uses) -> Option<usize> {
    let end = uses.raw.span.end;
    let line_end = edit::next_line_start(text, end);
    let rest = text.get(end..line_end)?.trim();
    (rest.is_empty() || rest.starts_with('#')).then_some(end)
}

/// TP501 with `--online`: pin the ref to its commit SHA, with the most
/// specific tag of that commit as a comment. Safe for a tag (the code run
/// stays the same); unsafe for a branch, which would move on.
pub fn pin_to_commit(
    file: FileId,
    text: &str,
    uses: &Uses,
    ref_span: Span,
    resolution: &Resolution,
) -> Option<Fix> {
    if !text.get(ref_span.range())?.starts_with('@') {
        return None;
    }
    let at = comment_point(text, uses)?;
    let edits = [
        Edit::replace(
            Location::new(file, ref_span),
            format!("@{}", resolution.sha),
        ),
        Edit::insert(
            Location::new(file, Span::empty(at)),
            format!(" # {}", resolution.comment),
        ),
    ];
    let message = format!(
        "pin to commit {} (`{}`)",
        resolution.sha, resolution.comment
    );
    Some(if resolution.is_tag {
        Fix::safe(message, edits)
    } else {
        Fix::unsafe_edits(message, edits)
    })
}

/// TP502 with `--online`: add the most specific tag of the pinned commit
/// as a comment (safe: only a comment is added).
pub fn add_version_comment(file: FileId, text: &str, uses: &Uses, tag: &str) -> Option<Fix> {
    let at = comment_point(text, uses)?;
    Some(
        Fix::safe(
            format!("add `# {tag}` after the pin"),
            [Edit::insert(
                Location::new(file, Span::empty(at)),
                format!(" # {tag}"),
            )],
        )
        .comments_only(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply::splice;

    fn model(text: &str) -> Workflow {
        let document = crate::yaml::parse(text).unwrap();
        crate::workflow::build(text, &document)
    }

    fn applied(text: &str, fix: &Fix) -> String {
        let fixed = splice(text, &fix.edits.iter().collect::<Vec<_>>());
        crate::yaml::parse(&fixed).expect("the fixed text parses");
        fixed
    }

    const RELEASE: &str = "on: push\npermissions:\n  contents: read\n  id-token: write # for PyPI\njobs:\n    publish:\n        runs-on: ubuntu-latest\n        steps:\n          - run: uv publish\n    test:\n        runs-on: ubuntu-latest\n";

    #[test]
    fn environments_are_added_with_the_jobs_indentation() {
        let workflow = model(RELEASE);
        let job = workflow.job("publish").unwrap();
        let fix = set_environment(FileId(0), RELEASE, job, &["pypi"]).unwrap();
        assert_eq!(fix.applicability, super::super::Applicability::Safe);
        let fixed = applied(RELEASE, &fix);
        assert!(
            fixed.contains("    publish:\n        environment: pypi\n        runs-on:"),
            "{fixed}"
        );
    }

    #[test]
    fn crlf_files_get_crlf_lines() {
        let text = RELEASE.replace('\n', "\r\n");
        let workflow = model(&text);
        let job = workflow.job("publish").unwrap();
        let fix = add_environment(FileId(0), &text, job, "testpypi").unwrap();
        let fixed = applied(&text, &fix);
        assert!(
            fixed.contains("        environment: testpypi\r\n"),
            "{fixed:?}"
        );
        assert!(!fixed.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn replacing_an_environment_is_unsafe_and_keeps_quotes() {
        let text = "on: push\njobs:\n  p:\n    environment: 'release'\n    runs-on: x\n";
        let workflow = model(text);
        let fix = set_environment(FileId(0), text, workflow.job("p").unwrap(), &["pypi"]).unwrap();
        assert_eq!(fix.applicability, super::super::Applicability::Unsafe);
        assert!(applied(text, &fix).contains("environment: 'pypi'"));
    }

    #[test]
    fn id_token_moves_to_the_jobs_that_need_it() {
        let workflow = model(RELEASE);
        let publish = workflow.job("publish").unwrap();
        let fix = move_id_token(FileId(0), RELEASE, &workflow, &[publish]).unwrap();
        let fixed = applied(RELEASE, &fix);
        assert_eq!(
            fixed,
            "on: push\npermissions:\n  contents: read\njobs:\n    publish:\n        permissions:\n            contents: read\n            id-token: write\n        runs-on: ubuntu-latest\n        steps:\n          - run: uv publish\n    test:\n        runs-on: ubuntu-latest\n"
        );
    }

    #[test]
    fn a_lone_id_token_grant_leaves_an_empty_block() {
        let text = "on: push\npermissions:\n  id-token: write\njobs:\n  p:\n    runs-on: x\n";
        let workflow = model(text);
        let fix = move_id_token(FileId(0), text, &workflow, &[workflow.job("p").unwrap()]).unwrap();
        let fixed = applied(text, &fix);
        assert!(
            fixed.starts_with(
                "on: push\npermissions: {}\njobs:\n  p:\n    permissions:\n      id-token: write\n"
            ),
            "{fixed}"
        );
    }

    #[test]
    fn id_token_is_added_to_a_job_block_in_either_style() {
        for (text, expected) in [
            (
                "on: push\njobs:\n  p:\n    permissions:\n      contents: read\n    runs-on: x\n",
                "    permissions:\n      id-token: write\n      contents: read\n",
            ),
            (
                "on: push\njobs:\n  p:\n    permissions: {contents: read}\n    runs-on: x\n",
                "permissions: {id-token: write, contents: read}",
            ),
            (
                "on: push\njobs:\n  p:\n    permissions: {}\n    runs-on: x\n",
                "permissions: {id-token: write}",
            ),
            (
                "on: push\njobs:\n  p:\n    permissions:\n      id-token: none\n    runs-on: x\n",
                "      id-token: write\n",
            ),
        ] {
            let workflow = model(text);
            let job = workflow.job("p").unwrap();
            let fix = grant_job_id_token(FileId(0), text, &workflow, job).unwrap();
            assert_eq!(fix.applicability, super::super::Applicability::Safe);
            let fixed = applied(text, &fix);
            assert!(fixed.contains(expected), "{fixed}");
        }
    }

    #[test]
    fn a_new_job_block_keeps_what_was_inherited() {
        let text = "on: push\npermissions:\n  contents: write\njobs:\n  p:\n    runs-on: x\n";
        let workflow = model(text);
        let fix =
            grant_job_id_token(FileId(0), text, &workflow, workflow.job("p").unwrap()).unwrap();
        assert_eq!(fix.applicability, super::super::Applicability::Unsafe);
        assert!(applied(text, &fix).contains(
            "  p:\n    permissions:\n      contents: write\n      id-token: write\n    runs-on: x\n"
        ));
    }

    #[test]
    fn flow_style_jobs_are_left_alone() {
        let text = "on: push\njobs:\n  p: {runs-on: x}\n";
        let workflow = model(text);
        assert!(add_environment(FileId(0), text, workflow.job("p").unwrap(), "pypi").is_none());
    }

    #[test]
    fn uv_publish_gets_the_flag_once() {
        let text = "run: |\n  uv publish \\\n    --index x\n";
        let fix = uv_trusted_publishing_always(FileId(0), text, Span::new(9, 19)).unwrap();
        assert!(applied(text, &fix).contains("uv publish --trusted-publishing always \\\n"));
        let text = "run: uv publish --trusted-publishing automatic\n";
        assert!(uv_trusted_publishing_always(FileId(0), text, Span::new(5, 15)).is_none());
    }
}
