//! The HTTP transport to the GitHub REST API: one `GET` at a time, behind a
//! trait so that the checks can be tested without a network.

use std::fmt;
use std::time::Duration;

/// What came back for one `GET`, with the headers the checks look at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
    /// `x-ratelimit-remaining`.
    pub rate_limit_remaining: Option<String>,
    /// `x-ratelimit-reset`, seconds since the Unix epoch.
    pub rate_limit_reset: Option<String>,
    /// `retry-after`, seconds (secondary rate limits).
    pub retry_after: Option<String>,
}

/// The request could not be made or answered at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// Sends `GET {api base}{path}` and returns the answer, whatever its status.
pub trait Transport: Send + Sync {
    fn get(&self, path: &str) -> Result<HttpResponse, TransportError>;
}

/// An API token, never shown: its `Debug` is redacted and it is only ever
/// written into the `Authorization` header of requests to the API base.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// `None` for an empty or blank value.
    pub fn new(value: impl Into<String>) -> Option<Token> {
        let value = value.into();
        let trimmed = value.trim();
        (!trimmed.is_empty()).then(|| Token(trimmed.to_string()))
    }

    /// The token from `GH_TOKEN`, else `GITHUB_TOKEN` (as the `gh` CLI reads them).
    pub fn from_env() -> Option<Token> {
        ["GH_TOKEN", "GITHUB_TOKEN"]
            .iter()
            .find_map(|name| std::env::var(name).ok().and_then(Token::new))
    }

    /// Replace any occurrence of the token in `text`, for text that came
    /// from the other end of a connection.
    fn scrub(&self, text: &str) -> String {
        text.replace(&self.0, "[redacted]")
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

/// How many redirects within the API base are followed (GitHub answers a
/// renamed repository with `301` to its `/repositories/{id}` form).
const MAX_REDIRECTS: usize = 3;

/// A blocking `ureq` client with timeouts, that sends the token only to the
/// API base and follows redirects only within it.
pub struct UreqTransport {
    agent: ureq::Agent,
    /// The API base without a trailing `/`.
    base: String,
    token: Option<Token>,
}

impl fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UreqTransport")
            .field("base", &self.base)
            .field("token", &self.token)
            .finish()
    }
}

impl UreqTransport {
    pub fn new(base: &str, token: Option<Token>) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(30)))
            .user_agent(concat!("tplint/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Self {
            agent,
            base: base.trim_end_matches('/').to_string(),
            token,
        }
    }

    fn scrub(&self, text: &str) -> String {
        match &self.token {
            Some(token) => token.scrub(text),
            None => text.to_string(),
        }
    }

    fn get_url(&self, url: &str) -> Result<(HttpResponse, Option<String>), TransportError> {
        let mut request = self
            .agent
            .get(url)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {}", token.0));
        }
        let mut response = request
            .call()
            .map_err(|e| TransportError(self.scrub(&format!("cannot reach {}: {e}", self.base))))?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| self.scrub(v))
        };
        let location = header("location");
        let head = HttpResponse {
            status: response.status().as_u16(),
            body: String::new(),
            rate_limit_remaining: header("x-ratelimit-remaining"),
            rate_limit_reset: header("x-ratelimit-reset"),
            retry_after: header("retry-after"),
        };
        let body = response
            .body_mut()
            .with_config()
            .limit(8 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| {
                TransportError(self.scrub(&format!("cannot read the answer of {url}: {e}")))
            })?;
        Ok((
            HttpResponse {
                body: self.scrub(&body),
                ..head
            },
            location,
        ))
    }

    /// The path of `location` under the API base, if it is under it.
    fn path_under_base(&self, location: &str) -> Option<String> {
        let rest = location.strip_prefix(&self.base)?;
        rest.starts_with('/').then(|| rest.to_string())
    }
}

impl Transport for UreqTransport {
    fn get(&self, path: &str) -> Result<HttpResponse, TransportError> {
        let mut url = format!("{}{path}", self.base);
        for _ in 0..=MAX_REDIRECTS {
            let (response, location) = self.get_url(&url)?;
            let redirect = matches!(response.status, 301 | 302 | 307 | 308);
            match location.as_deref() {
                Some(location) if redirect => {
                    // A relative `Location` stays on the API host; an absolute
                    // one is followed only when it is under the API base.
                    let next = if location.starts_with('/') {
                        let origin_end = self
                            .base
                            .find("://")
                            .and_then(|s| self.base[s + 3..].find('/').map(|p| s + 3 + p))
                            .unwrap_or(self.base.len());
                        format!("{}{location}", &self.base[..origin_end])
                    } else {
                        location.to_string()
                    };
                    match self.path_under_base(&next) {
                        Some(path) => url = format!("{}{path}", self.base),
                        None => return Ok(response),
                    }
                }
                _ => return Ok(response),
            }
        }
        Err(TransportError(format!(
            "too many redirects from {}{path}",
            self.base
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_never_shown() {
        let token = Token::new("ghp_secret").unwrap();
        assert!(!format!("{token:?}").contains("ghp_secret"));
        let transport = UreqTransport::new("http://127.0.0.1:9", Some(token));
        assert!(!format!("{transport:?}").contains("ghp_secret"));
        assert_eq!(transport.scrub("x ghp_secret y"), "x [redacted] y");
        assert!(Token::new("  ").is_none());
    }

    #[test]
    fn redirects_stay_under_the_base() {
        let transport = UreqTransport::new("https://ghe.example.com/api/v3/", None);
        assert_eq!(
            transport.path_under_base("https://ghe.example.com/api/v3/repositories/1"),
            Some("/repositories/1".to_string())
        );
        assert_eq!(
            transport.path_under_base("https://elsewhere.example.com/api/v3/x"),
            None
        );
        assert_eq!(
            transport.path_under_base("https://ghe.example.com/api/v3evil/x"),
            None
        );
    }
}
