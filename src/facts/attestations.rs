//! Whether a use of pypa/gh-action-pypi-publish makes PEP 740
//! attestations. Facts from the action itself: `action.yml` (the
//! `attestations` input, default `true` since v1.11.0), `twine-upload.sh`
//! (attestations only under trusted publishing to a `pypi.org` URL, i.e.
//! PyPI or TestPyPI) and `attestations.py` (each distribution gets a
//! `<file>.publish.attestation` next to it, signed with the job's OIDC
//! identity, and the action fails when that file already exists).

use super::publish::{PublishSite, Uploader};
use crate::workflow::{Step, Uses, UsesTarget};

/// Attestations are on by default since this `major.minor`.
const ATTESTATIONS_SINCE: (u64, u64) = (1, 11);

/// Whether a publish site makes attestations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attests {
    Yes,
    No,
    /// `attestations:` is this expression.
    Unknown(String),
}

/// Whether the gh-action-pypi-publish use at `site` (step `step`) makes
/// attestations; `No` for any other uploader.
pub fn attests(site: &PublishSite, step: &Step) -> Attests {
    if site.uploader != Uploader::GhActionPypiPublish {
        return Attests::No;
    }
    match step.input("attestations") {
        Some(kv) if kv.value.is_expression() => Attests::Unknown(kv.value.value.clone()),
        Some(kv) if kv.value.value.trim().eq_ignore_ascii_case("false") => Attests::No,
        _ if site.is_oidc()
            && site.index().is_some()
            && step
                .uses
                .as_ref()
                .and_then(declared_version)
                .is_none_or(|v| v >= ATTESTATIONS_SINCE) =>
        {
            Attests::Yes
        }
        _ => Attests::No,
    }
}

/// The `major.minor` a `uses:` names: its tag (`@v1.10.3`) or, for a SHA
/// pin, its version comment (`# v1.10.3`). `None` for branches such as
/// `release/v1`, which follow the newest release.
pub fn declared_version(uses: &Uses) -> Option<(u64, u64)> {
    let UsesTarget::Remote { git_ref, .. } = &uses.target else {
        return None;
    };
    let parse = |word: &str| {
        let word = word.strip_prefix(['v', 'V']).unwrap_or(word);
        let mut parts = word.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some((major, minor))
    };
    if let Some(version) = parse(git_ref) {
        return Some(version);
    }
    let comment = uses.comment.as_ref()?;
    comment
        .value
        .split(|c: char| c.is_whitespace() || "@=:/#".contains(c))
        .find_map(parse)
}
