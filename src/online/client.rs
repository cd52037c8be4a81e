//! The HTTP transport of the online checks (the GitHub REST API, PyPI's
//! JSON, simple and integrity APIs): one `GET` at a time under one API base,
//! behind a trait so that the checks can be tested without a network.

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

/// Sends `GET {api base}{path}` with the `Accept` header `accept` and returns
/// the answer, whatever its status.
pub trait Transport: Send + Sync {
    fn get(&self, path: &str, accept: &str) -> Result<HttpResponse, TransportError>;
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

    /// The token in the environment variable `name`, if set and not blank.
    pub fn from_var(name: &str) -> Option<Token> {
        std::env::var(name).ok().and_then(Token::new)
    }

    /// The secret itself, for the one header it goes into.
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }

    /// Replace any occurrence of the token in `text`, for text that came
    /// from the other end of a connection.
    pub(crate) fn scrub(&self, text: &str) -> String {
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

/// The `User-Agent` of every request: PyPI asks API consumers to identify
/// themselves (warehouse `docs/user/api/index.md`, "API policies").
pub const USER_AGENT: &str = concat!(
    "tplint/",
    env!("CARGO_PKG_VERSION"),
    " (+",
    env!("CARGO_PKG_REPOSITORY"),
    ")"
);

/// How one API is talked to.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Sent as `Authorization: Bearer` to the API base only.
    pub token: Option<Token>,
    /// Headers sent with every request, besides `Accept` and `User-Agent`.
    pub headers: Vec<(&'static str, &'static str)>,
    /// The largest answer body read; a larger one is a failure.
    pub body_limit: u64,
    pub connect_timeout: Duration,
    /// For the whole request, redirects included.
    pub timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            token: None,
            headers: Vec::new(),
            body_limit: 8 * 1024 * 1024,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
        }
    }
}

/// A blocking `ureq` client with timeouts, that sends the token only to the
/// API base and follows redirects only within it.
pub struct UreqTransport {
    agent: ureq::Agent,
    /// The API base without a trailing `/`.
    base: String,
    token: Option<Token>,
    headers: Vec<(&'static str, &'static str)>,
    body_limit: u64,
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
    /// A client of the GitHub REST API at `base`.
    pub fn new(base: &str, token: Option<Token>) -> Self {
        Self::with_settings(
            base,
            Settings {
                token,
                headers: vec![("X-GitHub-Api-Version", "2022-11-28")],
                ..Settings::default()
            },
        )
    }

    pub fn with_settings(base: &str, settings: Settings) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(settings.connect_timeout))
            .timeout_global(Some(settings.timeout))
            .user_agent(USER_AGENT)
            .build()
            .new_agent();
        Self {
            agent,
            base: base.trim_end_matches('/').to_string(),
            token: settings.token,
            headers: settings.headers,
            body_limit: settings.body_limit,
        }
    }

    /// The API base, without a trailing `/`.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn scrub(&self, text: &str) -> String {
        match &self.token {
            Some(token) => token.scrub(text),
            None => text.to_string(),
        }
    }

    fn get_url(
        &self,
        url: &str,
        accept: &str,
    ) -> Result<(HttpResponse, Option<String>), TransportError> {
        let mut request = self.agent.get(url).header("Accept", accept);
        for (name, value) in &self.headers {
            request = request.header(*name, *value);
        }
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
            .limit(self.body_limit)
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
    fn get(&self, path: &str, accept: &str) -> Result<HttpResponse, TransportError> {
        let mut url = format!("{}{path}", self.base);
        for _ in 0..=MAX_REDIRECTS {
            let (response, location) = self.get_url(&url, accept)?;
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
