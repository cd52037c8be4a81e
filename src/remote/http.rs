//! The HTTP side of remote targets: one transport behind a trait (so tests
//! need no network), and an `Api` over it that sends the token only to its
//! own API, follows redirects (without the token once they leave it), keeps
//! track of the rate limit, waits when its reset is near, and revalidates
//! cached answers with `If-None-Match`.

use std::fmt;
use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::cache::{Cache, Cached, fnv};
use crate::online::client::{Token, USER_AGENT};

/// The answer to one `GET`: status, headers (names in lower case) and a
/// body still to be read, so that a large one can be streamed.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Box<dyn Read + Send>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `GET url` with `headers` and returns the answer whatever its
/// status, without following redirects.
pub trait Transport: Send + Sync {
    fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Response, String>;
}

/// A blocking `ureq` transport with timeouts.
pub struct UreqTransport {
    agent: ureq::Agent,
}

impl UreqTransport {
    pub fn new() -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(10)))
            // Per read, not for the whole body: a large tarball may take
            // longer than any fixed bound on a slow link.
            .timeout_recv_body(Some(Duration::from_secs(60)))
            .timeout_recv_response(Some(Duration::from_secs(60)))
            .user_agent(USER_AGENT)
            .build()
            .new_agent();
        Self { agent }
    }
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl Transport for UreqTransport {
    fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Response, String> {
        let mut request = self.agent.get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.call().map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_ascii_lowercase(), v.to_str().ok()?.into())))
            .collect();
        let body = response.into_body().into_reader();
        Ok(Response {
            status,
            headers,
            body: Box::new(body),
        })
    }
}

/// Which API, for messages and the headers each one reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    GitHub,
    GitLab,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::GitHub => "GitHub",
            Kind::GitLab => "GitLab",
        }
    }

    /// The `Accept` of JSON requests (GitHub documents its own media type).
    fn json_accept(self) -> &'static str {
        match self {
            Kind::GitHub => "application/vnd.github+json",
            Kind::GitLab => "application/json",
        }
    }

    /// The `Accept` of an archive request: GitHub answers with a redirect
    /// whatever is asked, and documents its media type for it too.
    pub fn archive_accept(self) -> &'static str {
        match self {
            Kind::GitHub => "application/vnd.github+json",
            Kind::GitLab => "*/*",
        }
    }

    fn token_variable(self) -> &'static str {
        match self {
            Kind::GitHub => "GH_TOKEN",
            Kind::GitLab => "GITLAB_TOKEN",
        }
    }
}

/// Why a request gave no usable answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    NotFound,
    /// 401 or 403 for another reason than the rate limit, with the API's
    /// message when it gave one.
    Denied(u16, String),
    /// The rate limit is spent; its message says until when and what to do.
    RateLimited(String),
    Other(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NotFound => f.write_str("not found (or not visible with the token given)"),
            Failure::Denied(status, message) if message.is_empty() => {
                write!(f, "access denied ({status})")
            }
            Failure::Denied(status, message) => write!(f, "access denied ({status}: {message})"),
            Failure::RateLimited(message) | Failure::Other(message) => f.write_str(message),
        }
    }
}

/// How long tplint waits for a rate limit to reset before giving up.
const MAX_WAIT: Duration = Duration::from_secs(90);
/// Redirects followed for one request (GitHub: the API, then the archive host).
const MAX_REDIRECTS: usize = 5;
/// The largest JSON answer read (a page of 100 repositories is far below).
const MAX_JSON_BYTES: u64 = 16 * 1024 * 1024;

/// One forge's API: its base URL, its token and what it last said about
/// the rate limit.
pub struct Api {
    pub kind: Kind,
    /// Without a trailing `/`.
    pub base: String,
    token: Option<Token>,
    transport: Box<dyn Transport>,
    cache: Option<Cache>,
    limit: Mutex<Limit>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Limit {
    remaining: Option<u64>,
    /// Unix seconds.
    reset: Option<u64>,
    /// Set once the limit is spent and the reset is too far to wait for.
    exhausted: bool,
}

impl fmt::Debug for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Api")
            .field("kind", &self.kind)
            .field("base", &self.base)
            .field("token", &self.token)
            .finish()
    }
}

/// A JSON answer and the headers pagination reads.
#[derive(Clone, Debug)]
pub struct Json {
    pub value: serde_json::Value,
    /// `Link` (GitHub) and `X-Next-Page` (GitLab).
    pub link: Option<String>,
    pub next_page: Option<String>,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Api {
    pub fn new(
        kind: Kind,
        base: &str,
        token: Option<Token>,
        transport: Box<dyn Transport>,
        cache: Option<Cache>,
    ) -> Self {
        Self {
            kind,
            base: base.trim_end_matches('/').to_string(),
            token,
            transport,
            cache,
            limit: Mutex::new(Limit::default()),
        }
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Requests left in the current rate-limit window, when the API said.
    pub fn remaining(&self) -> Option<u64> {
        self.limit.lock().map_or(None, |l| l.remaining)
    }

    /// Whether `url` is under the API base, the only place the token goes.
    fn is_own(&self, url: &str) -> bool {
        url.strip_prefix(&self.base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
    }

    fn scrub(&self, text: &str) -> String {
        match &self.token {
            Some(token) => token.scrub(text),
            None => text.to_string(),
        }
    }

    fn rate_limited_message(&self, reset: Option<u64>) -> String {
        let when = match reset {
            Some(reset) => format!(
                " until Unix time {reset} (in {} min)",
                reset.saturating_sub(now()).div_ceil(60)
            ),
            None => String::new(),
        };
        let advice = if self.token.is_some() {
            "retry after the reset".to_string()
        } else {
            format!(
                "set {} for a higher limit, or retry after the reset",
                self.kind.token_variable()
            )
        };
        format!(
            "the {} API rate limit is exhausted{when}; {advice}",
            self.kind.name()
        )
    }

    /// `GET url` (a URL under the base, or `base + path`), following
    /// redirects; the token only goes to the API base. A rate limit whose
    /// reset is near is waited for once.
    pub fn get(
        &self,
        path_or_url: &str,
        accept: &str,
        etag: Option<&str>,
    ) -> Result<Response, Failure> {
        let mut url = if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.base)
        };
        if self.limit.lock().is_ok_and(|l| l.exhausted) {
            let reset = self.limit.lock().ok().and_then(|l| l.reset);
            return Err(Failure::RateLimited(self.rate_limited_message(reset)));
        }
        let mut waited = false;
        let mut redirects = 0;
        loop {
            let own = self.is_own(&url);
            let mut headers: Vec<(&str, String)> = Vec::new();
            if own {
                headers.push(("Accept", accept.to_string()));
                if self.kind == Kind::GitHub {
                    headers.push(("X-GitHub-Api-Version", "2022-11-28".into()));
                }
                if let Some(token) = &self.token {
                    match self.kind {
                        Kind::GitHub => {
                            headers.push(("Authorization", format!("Bearer {}", token.secret())))
                        }
                        Kind::GitLab => headers.push(("PRIVATE-TOKEN", token.secret().to_string())),
                    }
                }
                if let Some(etag) = etag {
                    headers.push(("If-None-Match", etag.to_string()));
                }
            }
            let borrowed: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let response = self
                .transport
                .get(&url, &borrowed)
                .map_err(|e| Failure::Other(self.scrub(&format!("cannot reach {url}: {e}"))))?;
            if own {
                self.note_limit(&response);
            }
            match response.status {
                301 | 302 | 303 | 307 | 308 => {
                    let Some(location) = response.header("location") else {
                        return Err(Failure::Other(format!(
                            "{url} redirected ({}) without a location",
                            response.status
                        )));
                    };
                    redirects += 1;
                    if redirects > MAX_REDIRECTS {
                        return Err(Failure::Other(format!("too many redirects from {url}")));
                    }
                    url = absolute(&url, location);
                }
                403 | 429 if own && self.is_rate_limited(&response) => {
                    let wait = self.wait_for(&response);
                    match wait {
                        Some(wait) if !waited && wait <= MAX_WAIT => {
                            eprintln!(
                                "tplint: the {} API rate limit is reached; waiting {} s for it to reset",
                                self.kind.name(),
                                wait.as_secs()
                            );
                            std::thread::sleep(wait);
                            waited = true;
                        }
                        _ => {
                            let reset = self.reset_of(&response);
                            if let Ok(mut limit) = self.limit.lock() {
                                limit.exhausted = true;
                                limit.reset = reset;
                            }
                            return Err(Failure::RateLimited(self.rate_limited_message(reset)));
                        }
                    }
                }
                404 => return Err(Failure::NotFound),
                401 | 403 => {
                    let status = response.status;
                    let message = self.message_of(response);
                    // GitHub's secondary rate limit may come as a plain 403
                    // whose message says so; it asks for a minute's wait.
                    if own && status == 403 && message.to_ascii_lowercase().contains("rate limit") {
                        if !waited {
                            eprintln!(
                                "tplint: the {} API asks to slow down; waiting 60 s",
                                self.kind.name()
                            );
                            std::thread::sleep(Duration::from_secs(60));
                            waited = true;
                            continue;
                        }
                        return Err(Failure::RateLimited(self.rate_limited_message(None)));
                    }
                    return Err(Failure::Denied(status, message));
                }
                _ => return Ok(response),
            }
        }
    }

    /// The `message` of an error answer (both APIs answer errors with one).
    fn message_of(&self, response: Response) -> String {
        let mut body = String::new();
        let _ = response.body.take(64 * 1024).read_to_string(&mut body);
        let message = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        self.scrub(message.trim())
    }

    fn is_rate_limited(&self, response: &Response) -> bool {
        response.status == 429
            || response.header("retry-after").is_some()
            || ["x-ratelimit-remaining", "ratelimit-remaining"]
                .iter()
                .any(|h| response.header(h).map(str::trim) == Some("0"))
    }

    fn reset_of(&self, response: &Response) -> Option<u64> {
        if let Some(after) = response
            .header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return Some(now() + after);
        }
        ["x-ratelimit-reset", "ratelimit-reset"]
            .iter()
            .find_map(|h| response.header(h)?.trim().parse().ok())
    }

    /// How long until the limit resets, when the API said.
    fn wait_for(&self, response: &Response) -> Option<Duration> {
        let reset = self.reset_of(response)?;
        Some(Duration::from_secs(reset.saturating_sub(now()) + 1))
    }

    fn note_limit(&self, response: &Response) {
        let remaining = ["x-ratelimit-remaining", "ratelimit-remaining"]
            .iter()
            .find_map(|h| response.header(h)?.trim().parse().ok());
        if let (Some(remaining), Ok(mut limit)) = (remaining, self.limit.lock()) {
            limit.remaining = Some(remaining);
        }
    }

    /// A JSON answer, revalidated against the cache when there is one.
    pub fn json(&self, path_or_url: &str) -> Result<Json, Failure> {
        let key = self.cache_key(path_or_url);
        let cached: Option<Cached> = self.cache.as_ref().and_then(|c| c.get(&key));
        let response = self.get(
            path_or_url,
            self.kind.json_accept(),
            cached.as_ref().map(|c| c.etag.as_str()),
        )?;
        if response.status == 304
            && let Some(cached) = cached
        {
            let value = serde_json::from_str(&cached.body)
                .map_err(|e| Failure::Other(format!("the cached answer is not JSON: {e}")))?;
            return Ok(Json {
                value,
                link: cached.link,
                next_page: cached.next_page,
            });
        }
        if !(200..300).contains(&response.status) {
            return Err(Failure::Other(format!(
                "the {} API answered {path_or_url} with the unexpected status {}",
                self.kind.name(),
                response.status
            )));
        }
        let link = response.header("link").map(str::to_string);
        let next_page = response.header("x-next-page").map(str::to_string);
        let etag = response.header("etag").map(str::to_string);
        let mut body = String::new();
        response
            .body
            .take(MAX_JSON_BYTES)
            .read_to_string(&mut body)
            .map_err(|e| Failure::Other(self.scrub(&format!("cannot read the answer: {e}"))))?;
        let value = serde_json::from_str(&body).map_err(|e| {
            Failure::Other(format!(
                "the {} API answered {path_or_url} with something other than JSON ({e})",
                self.kind.name()
            ))
        })?;
        if let (Some(cache), Some(etag)) = (&self.cache, etag) {
            cache.put(
                &key,
                &Cached {
                    key: key.clone(),
                    etag,
                    body,
                    link: link.clone(),
                    next_page: next_page.clone(),
                },
            );
        }
        Ok(Json {
            value,
            link,
            next_page,
        })
    }

    /// The cache key of a request: the URL and which token asked (answers
    /// differ with what the token may see).
    fn cache_key(&self, path_or_url: &str) -> String {
        let token = self
            .token
            .as_ref()
            .map_or(0, |t| fnv(t.secret().as_bytes()));
        format!("{}{path_or_url}#{token:016x}", self.base)
    }

    pub fn cache(&self) -> Option<&Cache> {
        self.cache.as_ref()
    }
}

/// `location` made absolute against `url`.
fn absolute(url: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_string();
    }
    let origin_end = url
        .find("://")
        .and_then(|s| url[s + 3..].find('/').map(|p| s + 3 + p))
        .unwrap_or(url.len());
    if location.starts_with('/') {
        format!("{}{location}", &url[..origin_end])
    } else {
        let dir_end = url
            .rfind('/')
            .filter(|p| *p >= origin_end)
            .unwrap_or(url.len());
        format!("{}/{location}", &url[..dir_end])
    }
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header() {
        let link = "<https://api.github.com/orgs/a/repos?page=2>; rel=\"next\", <https://api.github.com/orgs/a/repos?page=5>; rel=\"last\"";
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/orgs/a/repos?page=2")
        );
        assert_eq!(next_link("<https://x/y?page=1>; rel=\"prev\""), None);
    }

    #[test]
    fn redirects_resolve() {
        assert_eq!(
            absolute("https://a.b/c/d", "https://e.f/g"),
            "https://e.f/g"
        );
        assert_eq!(absolute("https://a.b/c/d", "/x"), "https://a.b/x");
        assert_eq!(absolute("https://a.b/c/d", "x"), "https://a.b/c/x");
    }

    type Headers = Vec<(String, String)>;

    /// Answers from a list, in turn, recording the headers it was sent.
    struct Script {
        answers: Mutex<Vec<(u16, Headers)>>,
        sent: Mutex<Vec<(String, Headers)>>,
    }

    impl Transport for std::sync::Arc<Script> {
        fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Response, String> {
            self.sent.lock().unwrap().push((
                url.to_string(),
                headers
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
            ));
            let (status, headers) = self.answers.lock().unwrap().remove(0);
            Ok(Response {
                status,
                headers,
                body: Box::new(std::io::Cursor::new(b"{}".to_vec())),
            })
        }
    }

    fn script(answers: Vec<(u16, Vec<(&str, String)>)>) -> std::sync::Arc<Script> {
        std::sync::Arc::new(Script {
            answers: Mutex::new(
                answers
                    .into_iter()
                    .map(|(s, h)| (s, h.into_iter().map(|(n, v)| (n.to_string(), v)).collect()))
                    .collect(),
            ),
            sent: Mutex::default(),
        })
    }

    #[test]
    fn a_limit_that_resets_soon_is_waited_for() {
        let soon = (now() + 1).to_string();
        let transport = script(vec![
            (
                403,
                vec![
                    ("x-ratelimit-remaining", "0".into()),
                    ("x-ratelimit-reset", soon),
                ],
            ),
            (200, vec![("x-ratelimit-remaining", "4999".into())]),
        ]);
        let api = Api::new(
            Kind::GitHub,
            "https://api.test",
            None,
            Box::new(transport),
            None,
        );
        assert!(api.json("/repos/a/b").is_ok());
        assert_eq!(api.remaining(), Some(4999));
    }

    #[test]
    fn a_far_reset_stops_every_later_request() {
        let later = (now() + 3600).to_string();
        let transport = script(vec![(
            429,
            vec![
                ("ratelimit-remaining", "0".into()),
                ("ratelimit-reset", later),
            ],
        )]);
        let api = Api::new(
            Kind::GitLab,
            "https://gl.test/api/v4",
            None,
            Box::new(transport),
            None,
        );
        let Err(Failure::RateLimited(message)) = api.json("/projects/1") else {
            panic!("not rate limited");
        };
        assert!(
            message.contains("GitLab API") && message.contains("GITLAB_TOKEN"),
            "{message}"
        );
        // No answer is left in the script: a second request would panic.
        assert!(matches!(
            api.json("/projects/2"),
            Err(Failure::RateLimited(_))
        ));
    }

    #[test]
    fn the_token_is_not_sent_across_a_redirect() {
        let transport = script(vec![
            (
                302,
                vec![("location", "https://codeload.test/a/b.tar.gz".into())],
            ),
            (200, Vec::new()),
        ]);
        let api = Api::new(
            Kind::GitHub,
            "https://api.test",
            Token::new("secret"),
            Box::new(std::sync::Arc::clone(&transport)),
            None,
        );
        let response = api.get("/repos/a/b/tarball/main", "application/octet-stream", None);
        assert_eq!(response.ok().map(|r| r.status), Some(200));
        let sent = transport.sent.lock().unwrap();
        let authorization = |i: usize| {
            sent[i]
                .1
                .iter()
                .any(|(n, v)| n == "Authorization" && v == "Bearer secret")
        };
        assert_eq!(sent[1].0, "https://codeload.test/a/b.tar.gz");
        assert!(authorization(0) && !authorization(1));
    }

    #[test]
    fn the_token_stays_with_its_api() {
        let api = Api::new(
            Kind::GitHub,
            "https://api.github.com/",
            Token::new("secret"),
            Box::new(UreqTransport::new()),
            None,
        );
        assert!(api.is_own("https://api.github.com/repos/a/b"));
        assert!(!api.is_own("https://api.github.com.evil.example/repos"));
        assert!(!api.is_own("https://codeload.github.com/a/b/legacy.tar.gz/main"));
        assert!(!format!("{api:?}").contains("secret"));
    }
}
