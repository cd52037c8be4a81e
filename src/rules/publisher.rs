//! TP1xx: the declared trusted publishers against the workflows.

use std::sync::LazyLock;

use regex::Regex;

use super::{Context, rule};
use crate::config::{Field, Publisher};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::{OidcPublishJob, oidc_publish_jobs};

rule!(
    PUBLISHER_UNDECLARED,
    "TP100",
    "publisher-undeclared",
    Info,
    "an OIDC publish job has no declared publisher for its index",
    Some(publisher_undeclared)
);

rule!(
    PUBLISHER_WORKFLOW_MISSING,
    "TP101",
    "publisher-workflow-missing",
    Error,
    "the declared workflow file does not exist in .github/workflows",
    Some(publisher_workflow_missing)
);

rule!(
    PUBLISHER_INVALID,
    "TP102",
    "publisher-invalid",
    Error,
    "a declared publisher field breaks PyPI's own form rules",
    Some(publisher_invalid)
);

rule!(
    ENVIRONMENT_MISMATCH,
    "TP104",
    "environment-mismatch",
    Error,
    "the publish job's environment differs from the publisher's",
    Some(environment_mismatch)
);

fn location(publisher: &Publisher, field: &Field) -> Location {
    Location::new(publisher.file, field.span)
}

/// The values PyPI's "add a trusted publisher" form needs for this job.
pub fn registration_help(context: &Context<'_>, job: &OidcPublishJob<'_>) -> String {
    let (owner, repository) = match &context.repo.remote {
        Some(remote) => (remote.owner.clone(), remote.repository.clone()),
        None => ("<owner>".to_string(), "<repository>".to_string()),
    };
    let environment = job
        .job
        .environment
        .as_ref()
        .filter(|e| !e.name.is_expression())
        .map(|e| e.name.value.clone());
    let mut help = format!(
        "register a trusted publisher on {} with owner `{owner}`, repository `{repository}`, workflow `{}`, environment `{}`, then declare it in tplint.toml:\n\n[[publisher]]\n",
        job.index.display_name(),
        job.view.attributed_name(),
        environment.as_deref().unwrap_or("(any)"),
    );
    if job.index != crate::config::Index::Pypi {
        help.push_str(&format!("index = \"{}\"\n", job.index.key()));
    }
    if let Some(project) = &context.repo.config.project_name {
        help.push_str(&format!("project = \"{project}\"\n"));
    }
    help.push_str(&format!(
        "owner = \"{owner}\"\nrepository = \"{repository}\"\nworkflow = \"{}\"\n",
        job.view.attributed_name()
    ));
    if let Some(environment) = environment {
        help.push_str(&format!("environment = \"{environment}\"\n"));
    }
    if context.repo.remote.is_none() {
        help.push_str(
            "\n(owner and repository are unknown: this repository has no `origin` remote)",
        );
    }
    help.trim_end().to_string()
}

fn workflow_exists(context: &Context<'_>, name: &str) -> bool {
    context.repo.workflow_dir_names.iter().any(|n| n == name)
}

fn publisher_undeclared(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let publishers = &context.repo.config.publishers;
    for job in oidc_publish_jobs(context.repo, context.facts) {
        let same_index = publishers
            .iter()
            .filter(|p| p.index_kind == Some(job.index));
        let mut declared = false;
        let mut dangling = false;
        for publisher in same_index {
            declared |= publisher.workflow.value == job.view.attributed_name();
            dangling |= !workflow_exists(context, &publisher.workflow.value);
        }
        // A publisher naming a missing file is reported by TP101 with a suggestion.
        if declared || dangling {
            continue;
        }
        out.push(
            Diagnostic::new(
                &PUBLISHER_UNDECLARED,
                Location::new(job.view.file.file, job.site.span),
                format!(
                    "job `{}` publishes to {} by trusted publishing, but no {} publisher is declared for `{}`",
                    job.job.id.value,
                    job.index.display_name(),
                    job.index.display_name(),
                    job.view.attributed_name()
                ),
            )
            .with_help(registration_help(context, &job)),
        );
    }
}

/// Levenshtein distance, small inputs only (file names).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// The workflow file a mistyped name most likely meant.
fn closest<'a>(wanted: &str, names: &'a [String]) -> Option<&'a str> {
    let swapped = wanted
        .strip_suffix(".yml")
        .map(|s| format!("{s}.yaml"))
        .or_else(|| wanted.strip_suffix(".yaml").map(|s| format!("{s}.yml")));
    let workflows = names
        .iter()
        .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"));
    if let Some(found) = workflows
        .clone()
        .find(|n| n.eq_ignore_ascii_case(wanted) || Some(n.as_str()) == swapped.as_deref())
    {
        return Some(found);
    }
    workflows
        .map(|n| (edit_distance(&n.to_lowercase(), &wanted.to_lowercase()), n))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, n)| n.as_str())
}

fn publisher_workflow_missing(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let names = &context.repo.workflow_dir_names;
    for publisher in &context.repo.config.publishers {
        let workflow = &publisher.workflow;
        if workflow_exists(context, &workflow.value) || workflow_problem(&workflow.value).is_some()
        {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            &PUBLISHER_WORKFLOW_MISSING,
            location(publisher, workflow),
            format!(
                "the publisher's workflow `{}` does not exist in .github/workflows",
                workflow.value
            ),
        );
        diagnostic = match closest(&workflow.value, names) {
            Some(name) if name.eq_ignore_ascii_case(&workflow.value) => diagnostic.with_help(format!(
                "PyPI matches the file name exactly, including case: the file is `{name}`; rename it or fix the publisher on PyPI"
            )),
            Some(name) => diagnostic.with_help(format!(
                "did you mean `{name}`? PyPI matches the file name exactly; fix the publisher on PyPI and here"
            )),
            None if names.is_empty() => {
                diagnostic.with_help("this repository has no .github/workflows folder")
            }
            None => diagnostic.with_help(format!(
                "workflows here: {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        out.push(diagnostic);
    }
}

static OWNER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-zA-Z0-9][a-zA-Z0-9-]*$").expect("valid regex literal"));
static REPOSITORY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-zA-Z0-9-_.]+$").expect("valid regex literal"));

/// PyPI's form rule for the workflow file name, if broken.
fn workflow_problem(name: &str) -> Option<(String, Option<String>)> {
    if name.trim() != name {
        return Some((
            format!("workflow `{name}` has leading or trailing whitespace"),
            Some(format!("use `{}`", name.trim())),
        ));
    }
    if let Some((_, file)) = name.rsplit_once('/') {
        return Some((
            format!("workflow `{name}` must be a bare file name, not a path"),
            Some(format!("use `{file}`")),
        ));
    }
    if !(name.ends_with(".yml") || name.ends_with(".yaml")) {
        return Some((
            format!("workflow `{name}` must end in `.yml` or `.yaml`"),
            None,
        ));
    }
    None
}

/// PyPI's form rules for the environment name, if broken.
fn environment_problem(name: &str) -> Option<String> {
    if name.chars().count() > 255 {
        return Some("environment names are at most 255 characters".into());
    }
    if name.trim() != name {
        return Some(format!(
            "environment `{name}` has leading or trailing whitespace"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_control() || "'\"`,;\\".contains(*c))
    {
        return Some(format!(
            "environment `{}` contains {}, which PyPI does not accept",
            name.escape_debug(),
            if c.is_control() {
                "a control character".to_string()
            } else {
                format!("`{c}`")
            }
        ));
    }
    None
}

fn publisher_invalid(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for publisher in &context.repo.config.publishers {
        let mut report = |field: &Field, message: String, help: Option<String>| {
            let mut diagnostic =
                Diagnostic::new(&PUBLISHER_INVALID, location(publisher, field), message);
            diagnostic.help = help;
            out.push(diagnostic);
        };
        if let (Some(index), None) = (&publisher.index, publisher.index_kind) {
            report(
                index,
                format!("unknown index `{}`", index.value),
                Some("use \"pypi\" or \"testpypi\"".into()),
            );
        }
        if !OWNER.is_match(&publisher.owner.value) {
            report(
                &publisher.owner,
                format!("owner `{}` is not a valid GitHub user or organization name", publisher.owner.value),
                Some("PyPI accepts letters, digits and `-`, starting with a letter or digit (e.g. `myorg`, not `https://github.com/myorg`)".into()),
            );
        }
        if !REPOSITORY.is_match(&publisher.repository.value) {
            report(
                &publisher.repository,
                format!("repository `{}` is not a valid GitHub repository name", publisher.repository.value),
                Some("give only the name (e.g. `myproject`, not `myorg/myproject`); PyPI accepts letters, digits, `-`, `_` and `.`".into()),
            );
        }
        if let Some((message, help)) = workflow_problem(&publisher.workflow.value) {
            report(&publisher.workflow, message, help);
        }
        if let Some(environment) = &publisher.environment
            && let Some(message) = environment_problem(&environment.value)
        {
            report(environment, message, None);
        }
    }
}

fn environment_mismatch(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let publishers = &context.repo.config.publishers;
    for job in oidc_publish_jobs(context.repo, context.facts) {
        let matching: Vec<&Publisher> = publishers
            .iter()
            .filter(|p| {
                p.index_kind == Some(job.index) && p.workflow.value == job.view.attributed_name()
            })
            .collect();
        let expected: Vec<&Field> = matching
            .iter()
            .filter_map(|p| p.environment.as_ref())
            .collect();
        // Any publisher without an environment accepts every job of the workflow.
        if matching.is_empty() || expected.len() < matching.len() {
            continue;
        }
        let index = job.index.display_name();
        let expected_list = expected
            .iter()
            .map(|f| format!("`{}`", f.value))
            .collect::<Vec<_>>()
            .join(" or ");
        let first = expected[0];
        let (span, message) = match &job.job.environment {
            None => (
                job.job.id.span,
                format!(
                    "job `{}` has no environment, but the {index} publisher expects {expected_list}",
                    job.job.id.value
                ),
            ),
            Some(env) if env.name.is_expression() => continue,
            Some(env) => {
                if expected
                    .iter()
                    .any(|f| f.value.eq_ignore_ascii_case(&env.name.value))
                {
                    continue;
                }
                (
                    env.name.span,
                    format!(
                        "job `{}` runs in environment `{}`, but the {index} publisher expects {expected_list}",
                        job.job.id.value, env.name.value
                    ),
                )
            }
        };
        let publisher = matching[0];
        out.push(
            Diagnostic::new(
                &ENVIRONMENT_MISMATCH,
                Location::new(job.view.file.file, span),
                message,
            )
            .with_severity(Severity::Error)
            .with_help(format!(
                "set `environment: {}` on the job, or change the publisher on {index}; PyPI rejects the token of a job in any other environment (`invalid-publisher`)",
                first.value
            ))
            .with_related(location(publisher, first), "publisher's environment declared here"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_prefers_case_and_extension_variants() {
        let names = vec![
            "Release.yml".to_string(),
            "ci.yaml".to_string(),
            "publish.yaml".to_string(),
        ];
        assert_eq!(closest("release.yml", &names), Some("Release.yml"));
        assert_eq!(closest("publish.yml", &names), Some("publish.yaml"));
        assert_eq!(closest("pubish.yaml", &names), Some("publish.yaml"));
        assert_eq!(closest("deploy-docs.yml", &names), None);
    }

    #[test]
    fn form_rules() {
        assert!(workflow_problem("release.yml").is_none());
        assert!(workflow_problem(".github/workflows/release.yml").is_some());
        assert!(workflow_problem("release.yml ").is_some());
        assert!(workflow_problem("release").is_some());
        assert!(environment_problem("pypi").is_none());
        assert!(environment_problem("py,pi").is_some());
        assert!(environment_problem(&"x".repeat(256)).is_some());
        assert!(OWNER.is_match("my-org") && !OWNER.is_match("-org") && !OWNER.is_match("my_org"));
        assert!(REPOSITORY.is_match("my.project_1") && !REPOSITORY.is_match("org/proj"));
    }
}
