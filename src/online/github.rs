//! The GitHub REST API as the online checks need it: each distinct request
//! is sent once per run, answers are classified (found, missing, failed and
//! why), and the few response fields the checks read are decoded.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use super::client::{HttpResponse, Transport};

/// Why an answer could not be used. Failures make checks *skipped*, never passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// `401`: the token is invalid or expired.
    Unauthorized,
    /// `403` for another reason than rate limiting: the token lacks a permission.
    Forbidden(String),
    /// `403` with `x-ratelimit-remaining: 0`, a `retry-after`, or `429`.
    RateLimited { reset: Option<u64> },
    /// No connection, a timeout, or an unreadable answer.
    Unreachable(String),
    /// A redirect out of the API base, which is not followed (the token
    /// would go with it).
    RedirectedAway(u16),
    /// Any other status.
    Unexpected(u16),
    /// A `200` whose body is not the JSON the endpoint documents.
    InvalidAnswer(String),
}

impl Failure {
    /// Whether every later request would fail the same way, so none is sent.
    fn stops_the_run(&self) -> bool {
        matches!(
            self,
            Failure::Unauthorized | Failure::RateLimited { .. } | Failure::Unreachable(_)
        )
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Unauthorized => f.write_str(
                "the GitHub API rejected the token (401 Bad credentials); check GH_TOKEN / GITHUB_TOKEN",
            ),
            Failure::Forbidden(message) if message.is_empty() => {
                f.write_str("the GitHub API refused the request (403); the token may lack a permission")
            }
            Failure::Forbidden(message) => write!(
                f,
                "the GitHub API refused the request (403: {message}); the token may lack a permission"
            ),
            Failure::RateLimited { reset: Some(reset) } => write!(
                f,
                "the GitHub API rate limit is exhausted (it resets at Unix time {reset}); set GH_TOKEN for a higher limit"
            ),
            Failure::RateLimited { reset: None } => f.write_str(
                "the GitHub API rate limit is exhausted; retry later, or set GH_TOKEN for a higher limit",
            ),
            Failure::Unreachable(reason) => write!(f, "the GitHub API is unreachable ({reason})"),
            Failure::RedirectedAway(status) => write!(
                f,
                "the GitHub API redirected ({status}) outside the API base, which tplint does not follow"
            ),
            Failure::Unexpected(status) => {
                write!(f, "the GitHub API answered with the unexpected status {status}")
            }
            Failure::InvalidAnswer(what) => {
                write!(f, "the GitHub API answered with an unexpected shape ({what})")
            }
        }
    }
}

/// The classified answer to one `GET`.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Found(Value),
    /// `404`.
    NotFound,
    /// `422`: GitHub's answer for a SHA that is no commit of the repository.
    Unprocessable,
    Failed(Failure),
}

impl Reply {
    fn classify(response: HttpResponse) -> Reply {
        let message = || {
            serde_json::from_str::<Value>(&response.body)
                .ok()
                .and_then(|v| v.get("message")?.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let reset = || {
            response
                .rate_limit_reset
                .as_deref()
                .and_then(|r| r.trim().parse().ok())
        };
        match response.status {
            200..=299 => match serde_json::from_str(&response.body) {
                Ok(value) => Reply::Found(value),
                Err(e) => Reply::Failed(Failure::InvalidAnswer(format!("not JSON: {e}"))),
            },
            401 => Reply::Failed(Failure::Unauthorized),
            403 if response.rate_limit_remaining.as_deref().map(str::trim) == Some("0")
                || response.retry_after.is_some() =>
            {
                Reply::Failed(Failure::RateLimited { reset: reset() })
            }
            429 => Reply::Failed(Failure::RateLimited { reset: reset() }),
            403 => Reply::Failed(Failure::Forbidden(message())),
            404 => Reply::NotFound,
            422 => Reply::Unprocessable,
            status @ (301 | 302 | 307 | 308) => Reply::Failed(Failure::RedirectedAway(status)),
            status => Reply::Failed(Failure::Unexpected(status)),
        }
    }
}

/// The API with its per-run cache. Shared by every repository of a run.
pub struct GitHub {
    transport: Box<dyn Transport>,
    cache: Mutex<HashMap<String, Arc<OnceLock<Reply>>>>,
    /// Set by the first failure after which no request can succeed.
    stopped: Mutex<Option<Failure>>,
}

impl fmt::Debug for GitHub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitHub").finish_non_exhaustive()
    }
}

impl GitHub {
    pub fn new(transport: Box<dyn Transport>) -> Self {
        Self {
            transport,
            cache: Mutex::new(HashMap::new()),
            stopped: Mutex::new(None),
        }
    }

    /// `GET path`, sent at most once per run; concurrent callers of the same
    /// path wait for the one request.
    pub fn get(&self, path: &str) -> Reply {
        let cell = {
            // A poisoned lock only means another thread panicked; the map is intact.
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(cache.entry(path.to_string()).or_default())
        };
        cell.get_or_init(|| self.send(path)).clone()
    }

    fn send(&self, path: &str) -> Reply {
        if let Some(failure) = self
            .stopped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return Reply::Failed(failure);
        }
        let reply = match self.transport.get(path, "application/vnd.github+json") {
            Ok(response) => Reply::classify(response),
            Err(error) => Reply::Failed(Failure::Unreachable(error.0)),
        };
        if let Reply::Failed(failure) = &reply
            && failure.stops_the_run()
        {
            let mut stopped = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
            stopped.get_or_insert_with(|| failure.clone());
        }
        reply
    }
}

/// Percent-encode one path segment (environment names may hold spaces and more).
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Percent-encode a ref name, keeping its `/` separators.
pub fn ref_path(text: &str) -> String {
    text.split('/').map(segment).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            body: body.to_string(),
            ..HttpResponse::default()
        }
    }

    #[test]
    fn statuses_are_classified() {
        assert_eq!(
            Reply::classify(response(200, "{}")),
            Reply::Found(serde_json::json!({}))
        );
        assert_eq!(Reply::classify(response(404, "")), Reply::NotFound);
        assert_eq!(Reply::classify(response(422, "")), Reply::Unprocessable);
        assert_eq!(
            Reply::classify(response(401, "")),
            Reply::Failed(Failure::Unauthorized)
        );
        assert_eq!(
            Reply::classify(HttpResponse {
                rate_limit_remaining: Some("0".into()),
                rate_limit_reset: Some("1700000000".into()),
                ..response(403, "")
            }),
            Reply::Failed(Failure::RateLimited {
                reset: Some(1_700_000_000)
            })
        );
        assert_eq!(
            Reply::classify(response(429, "")),
            Reply::Failed(Failure::RateLimited { reset: None })
        );
        assert_eq!(
            Reply::classify(response(403, r#"{"message":"Resource not accessible"}"#)),
            Reply::Failed(Failure::Forbidden("Resource not accessible".into()))
        );
        assert!(matches!(
            Reply::classify(response(200, "<html>")),
            Reply::Failed(Failure::InvalidAnswer(_))
        ));
    }

    #[test]
    fn paths_are_encoded() {
        assert_eq!(segment("pypi release"), "pypi%20release");
        assert_eq!(ref_path("release/v1.0"), "release/v1.0");
        assert_eq!(ref_path("a b/c#d"), "a%20b/c%23d");
    }

    struct Counting(std::sync::atomic::AtomicUsize);

    impl Transport for Counting {
        fn get(
            &self,
            _: &str,
            _: &str,
        ) -> Result<HttpResponse, super::super::client::TransportError> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(response(401, ""))
        }
    }

    #[test]
    fn each_request_is_sent_once_and_a_bad_token_stops_the_run() {
        let transport = Arc::new(Counting(Default::default()));
        struct Shared(Arc<Counting>);
        impl Transport for Shared {
            fn get(
                &self,
                path: &str,
                accept: &str,
            ) -> Result<HttpResponse, super::super::client::TransportError> {
                self.0.get(path, accept)
            }
        }
        let github = GitHub::new(Box::new(Shared(Arc::clone(&transport))));
        for _ in 0..3 {
            assert_eq!(github.get("/a"), Reply::Failed(Failure::Unauthorized));
        }
        assert_eq!(github.get("/b"), Reply::Failed(Failure::Unauthorized));
        assert_eq!(transport.0.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
