//! A canned HTTP server on 127.0.0.1 inside the test process, standing in for
//! PyPI's and GitHub's APIs: it answers each request path from a table (404
//! with PyPI's JSON body otherwise) and records every request.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// How a route answers.
#[derive(Clone)]
pub enum Answer {
    Canned {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// A `200` whose body is `size` bytes of `x`, written in chunks.
    Large(usize),
    /// Read the request, then answer nothing (until the test ends).
    Silent,
}

pub fn json(body: &serde_json::Value) -> Answer {
    status_body(200, &body.to_string())
}

pub fn status_body(status: u16, body: &str) -> Answer {
    Answer::Canned {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

pub fn redirect(status: u16, location: &str) -> Answer {
    Answer::Canned {
        status,
        headers: vec![("Location".into(), location.into())],
        body: String::new(),
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Server {
    pub url: String,
    pub connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Request>>>,
    routes: Arc<Mutex<HashMap<String, Answer>>>,
}

impl Server {
    pub fn start(routes: HashMap<String, Answer>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (count, log) = (Arc::clone(&connections), Arc::clone(&requests));
        let routes = Arc::new(Mutex::new(routes));
        let table = Arc::clone(&routes);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let (routes, log) = (Arc::clone(&table), Arc::clone(&log));
                std::thread::spawn(move || serve(stream, &routes, &log));
            }
        });
        Server {
            url,
            connections,
            requests,
            routes,
        }
    }

    /// Answer `path` with `answer` from now on.
    pub fn route(&self, path: &str, answer: Answer) {
        self.routes.lock().unwrap().insert(path.to_string(), answer);
    }

    /// Every file under `dir` answers `200` at its path below `/`; a file
    /// named `index.json` answers at its folder's path with a trailing `/`
    /// (as `/simple/{project}/` does).
    pub fn from_dir(dir: &Path) -> Server {
        let mut routes = HashMap::new();
        add_files(dir, "", &mut routes);
        Server::start(routes)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    pub fn paths(&self) -> Vec<String> {
        self.requests().into_iter().map(|r| r.path).collect()
    }
}

fn add_files(dir: &Path, prefix: &str, routes: &mut HashMap<String, Answer>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_dir() {
            add_files(&entry.path(), &format!("{prefix}/{name}"), routes);
        } else {
            let path = if name == "index.json" {
                format!("{prefix}/")
            } else {
                format!("{prefix}/{name}")
            };
            let body = std::fs::read_to_string(entry.path()).unwrap();
            routes.insert(path, status_body(200, &body));
        }
    }
}

fn serve(
    mut stream: TcpStream,
    routes: &Mutex<HashMap<String, Answer>>,
    log: &Mutex<Vec<Request>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    log.lock().unwrap().push(Request {
        path: path.clone(),
        headers,
    });
    let answer = routes
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .unwrap_or_else(|| status_body(404, r#"{"message": "Not Found"}"#));
    match answer {
        Answer::Canned {
            status,
            headers,
            body,
        } => {
            let mut response = format!(
                "HTTP/1.1 {status} Canned\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in &headers {
                response.push_str(&format!("{name}: {value}\r\n"));
            }
            response.push_str("\r\n");
            response.push_str(&body);
            let _ = stream.write_all(response.as_bytes());
        }
        Answer::Large(size) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = size;
            while left > 0 {
                let n = left.min(chunk.len());
                if stream.write_all(&chunk[..n]).is_err() {
                    return;
                }
                left -= n;
            }
        }
        Answer::Silent => {
            std::thread::sleep(std::time::Duration::from_secs(120));
        }
    }
}

/// `tplint check --format json --online` on `dir`, with every API on
/// `server` (`/pypi`, `/testpypi` and `/github` below its URL), parsed.
pub fn check_online_json(dir: &Path, server: &Server, extra: &[&str]) -> serde_json::Value {
    let output = super::tplint()
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "--online"])
        .args(["--pypi-url", &format!("{}/pypi", server.url)])
        .args(["--testpypi-url", &format!("{}/testpypi", server.url)])
        .args(["--github-api-url", &format!("{}/github", server.url)])
        .args(extra)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .unwrap();
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}
