//! A stateful, strict fake of the GitHub REST API on a real port: git data (blobs, trees,
//! commits, refs with compare-and-swap semantics), contents, issue comments, reactions.
//! Faults are injected per call (status + headers, or an answer that comes late, with or
//! without the write applied); any call it does not know is recorded as unexpected.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::http::{Request, Response, StatusCode};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// How a matching call fails.
#[derive(Clone, Debug)]
pub enum FaultKind {
    /// Answers this status and headers; the call does nothing.
    Status(u16, Vec<(&'static str, String)>, &'static str),
    /// Applies the call, then answers only after the delay (the client may have given up).
    LateAfterWrite(Duration),
    /// Waits the delay, then does nothing and answers 502 (the write did not happen).
    LateNoWrite(Duration),
}

/// A fault on the `nth` (0-based, then `times` in a row) call of `method` whose path
/// contains `path`.
#[derive(Clone, Debug)]
pub struct Fault {
    pub method: &'static str,
    pub path: &'static str,
    pub nth: usize,
    pub times: usize,
    /// Only calls whose body contains this text count.
    pub body: Option<&'static str>,
    pub kind: FaultKind,
    seen: usize,
}

impl Fault {
    pub fn new(method: &'static str, path: &'static str, kind: FaultKind) -> Fault {
        Fault {
            method,
            path,
            nth: 0,
            times: 1,
            body: None,
            kind,
            seen: 0,
        }
    }

    pub fn nth(mut self, nth: usize) -> Fault {
        self.nth = nth;
        self
    }

    pub fn body(mut self, needle: &'static str) -> Fault {
        self.body = Some(needle);
        self
    }
}

#[derive(Default)]
struct Repo {
    refs: BTreeMap<String, String>,
    /// sha → (tree, parents, unix time, message)
    commits: HashMap<String, (String, Vec<String>, i64, String)>,
    trees: HashMap<String, BTreeMap<String, String>>,
    blobs: HashMap<String, Vec<u8>>,
}

#[derive(Clone, Debug)]
pub struct Comment {
    pub id: u64,
    pub login: String,
    pub body: String,
}

#[derive(Default)]
pub struct World {
    repos: HashMap<String, Repo>,
    /// Sizes the contents API reports instead of the true ones, by path (a lying forge).
    pub reported_sizes: HashMap<String, u64>,
    pub comments: Vec<Comment>,
    pub faults: Vec<Fault>,
    pub calls: Vec<String>,
    pub unexpected: Vec<String>,
    /// Successful ref creations and updates per repository: `(repo, branch)`.
    pub ref_writes: Vec<(String, String)>,
    /// Faults that fired.
    pub fired: usize,
    next_id: u64,
}

fn hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
        h.update([0]);
    }
    hex::encode(&h.finalize()[..20])
}

impl Repo {
    fn with_readme() -> Repo {
        let mut r = Repo::default();
        let blob = r.blob(b"# repo\n".to_vec());
        let tree = r.tree(BTreeMap::from([("README.md".to_string(), blob)]));
        let commit = r.commit(tree, vec![], "init", 0);
        r.refs.insert("main".into(), commit);
        r
    }
    fn blob(&mut self, bytes: Vec<u8>) -> String {
        let sha = hash(&[b"blob", &bytes]);
        self.blobs.insert(sha.clone(), bytes);
        sha
    }
    fn tree(&mut self, entries: BTreeMap<String, String>) -> String {
        let flat: Vec<u8> = entries
            .iter()
            .flat_map(|(p, s)| format!("{p}={s};").into_bytes())
            .collect();
        let sha = hash(&[b"tree", &flat]);
        self.trees.insert(sha.clone(), entries);
        sha
    }
    fn commit(&mut self, tree: String, parents: Vec<String>, message: &str, now: i64) -> String {
        let sha = hash(&[
            b"commit",
            tree.as_bytes(),
            parents.join(",").as_bytes(),
            message.as_bytes(),
            now.to_string().as_bytes(),
        ]);
        self.commits
            .insert(sha.clone(), (tree, parents, now, message.to_string()));
        sha
    }
    /// The tree of a branch or commit.
    fn files_at(&self, at: &str) -> Option<&BTreeMap<String, String>> {
        let sha = self.refs.get(at).map(String::as_str).unwrap_or(at);
        let (tree, _, _, _) = self.commits.get(sha)?;
        self.trees.get(tree)
    }
    fn descends(&self, from: &str, ancestor: &str) -> bool {
        let mut todo = vec![from.to_string()];
        while let Some(c) = todo.pop() {
            if c == ancestor {
                return true;
            }
            if let Some((_, parents, _, _)) = self.commits.get(&c) {
                todo.extend(parents.iter().cloned());
            }
        }
        false
    }
}

/// The fake and its address.
#[derive(Clone)]
pub struct FakeGithub {
    pub world: Arc<Mutex<World>>,
    pub url: String,
    pub bot_login: String,
}

impl FakeGithub {
    /// Starts the fake with `repos` (each with a `main` branch holding a README).
    pub async fn start(repos: &[&str], bot_login: &str) -> FakeGithub {
        let mut world = World {
            next_id: 1000,
            ..World::default()
        };
        for r in repos {
            world.repos.insert(r.to_string(), Repo::with_readme());
        }
        let world = Arc::new(Mutex::new(world));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let fake = FakeGithub {
            world,
            url,
            bot_login: bot_login.to_string(),
        };
        let served = fake.clone();
        let router = axum::Router::new().fallback(move |req: Request<Body>| {
            let f = served.clone();
            async move { f.handle(req).await }
        });
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        fake
    }

    pub fn fault(&self, fault: Fault) {
        self.world.lock().unwrap().faults.push(fault);
    }

    /// The bot's comments whose body contains `needle`.
    pub fn bot_comments(&self, needle: &str) -> usize {
        let w = self.world.lock().unwrap();
        w.comments
            .iter()
            .filter(|c| c.login == self.bot_login && c.body.contains(needle))
            .count()
    }

    /// Branches of `repo` starting with `prefix`.
    pub fn branches(&self, repo: &str, prefix: &str) -> Vec<String> {
        let w = self.world.lock().unwrap();
        w.repos[repo]
            .refs
            .keys()
            .filter(|b| b.starts_with(prefix))
            .cloned()
            .collect()
    }

    /// A file on a branch.
    pub fn file(&self, repo: &str, branch: &str, path: &str) -> Option<Vec<u8>> {
        let w = self.world.lock().unwrap();
        let r = &w.repos[repo];
        let sha = r.files_at(branch)?.get(path)?;
        r.blobs.get(sha).cloned()
    }

    /// Commits `files` (path, bytes) on `main` of `repo`.
    pub fn put_files(&self, repo: &str, files: &[(&str, Vec<u8>)]) {
        let mut w = self.world.lock().unwrap();
        let r = w.repos.get_mut(repo).unwrap();
        let mut entries = r.files_at("main").cloned().unwrap_or_default();
        for (path, bytes) in files {
            let sha = r.blob(bytes.clone());
            entries.insert(path.to_string(), sha);
        }
        let tree = r.tree(entries);
        let parent = r.refs["main"].clone();
        let commit = r.commit(tree, vec![parent], "add files", 0);
        r.refs.insert("main".into(), commit);
    }

    /// Calls received whose line contains `needle`.
    pub fn calls_with(&self, needle: &str) -> usize {
        let w = self.world.lock().unwrap();
        w.calls.iter().filter(|c| c.contains(needle)).count()
    }

    /// Commits on `branch` whose message starts with `prefix` (first-parent history).
    pub fn commits_with(&self, repo: &str, branch: &str, prefix: &str) -> usize {
        let w = self.world.lock().unwrap();
        let r = &w.repos[repo];
        let mut n = 0;
        let mut at = r.refs.get(branch).cloned();
        while let Some(c) = at {
            let Some((_, parents, _, message)) = r.commits.get(&c) else {
                break;
            };
            if message.starts_with(prefix) {
                n += 1;
            }
            at = parents.first().cloned();
        }
        n
    }

    async fn handle(&self, req: Request<Body>) -> Response<Body> {
        let method = req.method().to_string();
        let uri = req.uri().clone();
        let path = decode(uri.path());
        let query = uri.query().unwrap_or("").to_string();
        let raw = to_bytes(req.into_body(), 1 << 24).await.unwrap_or_default();
        let text = String::from_utf8_lossy(&raw).to_string();
        let body: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        let fault = {
            let mut w = self.world.lock().unwrap();
            w.calls
                .push(format!("{method} {path} {}", &text[..text.len().min(120)]));
            let mut hit = None;
            for f in w.faults.iter_mut() {
                if f.method == method
                    && path.contains(f.path)
                    && f.body.is_none_or(|b| text.contains(b))
                {
                    let i = f.seen;
                    f.seen += 1;
                    if hit.is_none() && i >= f.nth && i < f.nth + f.times {
                        hit = Some(f.kind.clone());
                    }
                }
            }
            if hit.is_some() {
                w.fired += 1;
            }
            hit
        };
        match fault {
            Some(FaultKind::Status(status, headers, text)) => {
                let mut resp = Response::builder().status(status);
                for (k, v) in headers {
                    resp = resp.header(k, v);
                }
                return resp.body(Body::from(text)).unwrap();
            }
            Some(FaultKind::LateNoWrite(d)) => {
                tokio::time::sleep(d).await;
                return reply(502, json!({"message": "Bad Gateway"}));
            }
            Some(FaultKind::LateAfterWrite(d)) => {
                let resp = self.apply(&method, &path, &query, &body);
                tokio::time::sleep(d).await;
                return resp;
            }
            None => {}
        }
        self.apply(&method, &path, &query, &body)
    }

    fn apply(&self, method: &str, path: &str, query: &str, body: &Value) -> Response<Body> {
        let mut w = self.world.lock().unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let parts: Vec<&str> = path.trim_start_matches('/').splitn(4, '/').collect();
        if parts.len() < 3 || parts[0] != "repos" {
            w.unexpected.push(format!("{method} {path}"));
            return reply(500, json!({"message": "unexpected call"}));
        }
        let repo = format!("{}/{}", parts[1], parts[2]);
        let rest = parts.get(3).copied().unwrap_or("");
        // Conversations.
        if let Some(n) = rest
            .strip_prefix("issues/")
            .and_then(|r| r.strip_suffix("/comments"))
        {
            if n.parse::<u64>().is_ok() {
                if method == "GET" {
                    let page: usize = param(query, "page")
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(1);
                    let list: Vec<Value> = if page == 1 {
                        w.comments
                            .iter()
                            .map(
                                |c| json!({"id": c.id, "body": c.body, "user": {"login": c.login}}),
                            )
                            .collect()
                    } else {
                        Vec::new()
                    };
                    return reply(200, Value::Array(list));
                }
                if method == "POST" {
                    w.next_id += 1;
                    let id = w.next_id;
                    let body = body["body"].as_str().unwrap_or("").to_string();
                    w.comments.push(Comment {
                        id,
                        login: self.bot_login.clone(),
                        body,
                    });
                    return reply(201, json!({"id": id}));
                }
            }
        }
        if rest.starts_with("issues/comments/") && rest.ends_with("/reactions") && method == "POST"
        {
            return reply(201, json!({"content": "eyes"}));
        }
        if rest.starts_with("pulls/comments/") && rest.ends_with("/reactions") {
            // The comments here are issue comments.
            return reply(404, json!({"message": "Not Found"}));
        }
        if rest.starts_with("collaborators/") && method == "GET" {
            return reply(200, json!({"permission": "write"}));
        }
        if rest.starts_with("actions/runs") {
            return reply(200, json!({"total_count": 0, "workflow_runs": []}));
        }
        let reported_sizes = w.reported_sizes.clone();
        let Some(r) = w.repos.get_mut(&repo) else {
            return reply(404, json!({"message": "Not Found"}));
        };
        let not_found = || reply(404, json!({"message": "Not Found"}));
        if rest.is_empty() && method == "GET" {
            return reply(200, json!({"full_name": repo, "default_branch": "main"}));
        }
        if let Some(branch) = rest.strip_prefix("git/ref/heads/") {
            return match r.refs.get(branch) {
                Some(sha) => reply(200, ref_json(branch, sha)),
                None => not_found(),
            };
        }
        if let Some(prefix) = rest.strip_prefix("git/matching-refs/heads/") {
            let page: usize = param(query, "page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            let list: Vec<Value> = if page == 1 {
                r.refs
                    .iter()
                    .filter(|(b, _)| b.starts_with(prefix))
                    .map(|(b, s)| ref_json(b, s))
                    .collect()
            } else {
                Vec::new()
            };
            return reply(200, Value::Array(list));
        }
        if let Some(sha) = rest.strip_prefix("git/commits/") {
            return match r.commits.get(sha) {
                Some((tree, _, t, _)) => {
                    let date = time::OffsetDateTime::from_unix_timestamp(*t)
                        .unwrap()
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap();
                    reply(
                        200,
                        json!({"sha": sha, "tree": {"sha": tree}, "committer": {"date": date}}),
                    )
                }
                None => not_found(),
            };
        }
        match (method, rest) {
            ("POST", "git/blobs") => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(body["content"].as_str().unwrap_or(""))
                    .unwrap_or_default();
                let sha = r.blob(bytes);
                return reply(201, json!({"sha": sha}));
            }
            ("POST", "git/trees") => {
                let mut entries = body["base_tree"]
                    .as_str()
                    .and_then(|t| r.trees.get(t).cloned())
                    .unwrap_or_default();
                for e in body["tree"].as_array().cloned().unwrap_or_default() {
                    let p = e["path"].as_str().unwrap_or("").to_string();
                    match e["sha"].as_str() {
                        Some(s) => entries.insert(p, s.to_string()),
                        None => entries.remove(&p),
                    };
                }
                let sha = r.tree(entries);
                return reply(201, json!({"sha": sha}));
            }
            ("POST", "git/commits") => {
                let tree = body["tree"].as_str().unwrap_or("").to_string();
                let parents: Vec<String> = body["parents"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|p| p.as_str().map(str::to_string))
                    .collect();
                let message = body["message"].as_str().unwrap_or("");
                let sha = r.commit(tree, parents, message, now);
                return reply(201, json!({"sha": sha}));
            }
            ("POST", "git/refs") => {
                let name = body["ref"].as_str().unwrap_or("");
                let sha = body["sha"].as_str().unwrap_or("").to_string();
                let Some(branch) = name.strip_prefix("refs/heads/") else {
                    return reply(422, json!({"message": "Reference name is invalid"}));
                };
                if r.refs.contains_key(branch) {
                    return reply(422, json!({"message": "Reference already exists"}));
                }
                r.refs.insert(branch.to_string(), sha.clone());
                let branch = branch.to_string();
                w.ref_writes.push((repo, branch.clone()));
                return reply(201, ref_json(&branch, &sha));
            }
            _ => {}
        }
        if let Some(branch) = rest.strip_prefix("git/refs/heads/") {
            let branch = branch.to_string();
            if method == "PATCH" {
                let sha = body["sha"].as_str().unwrap_or("").to_string();
                let force = body["force"].as_bool().unwrap_or(false);
                let Some(cur) = r.refs.get(&branch).cloned() else {
                    return reply(422, json!({"message": "Reference does not exist"}));
                };
                if !force && !r.descends(&sha, &cur) {
                    return reply(422, json!({"message": "Update is not a fast forward"}));
                }
                r.refs.insert(branch.clone(), sha.clone());
                w.ref_writes.push((repo, branch.clone()));
                return reply(200, ref_json(&branch, &sha));
            }
            if method == "DELETE" {
                return match r.refs.remove(&branch) {
                    Some(_) => reply(204, Value::Null),
                    None => reply(422, json!({"message": "Reference does not exist"})),
                };
            }
        }
        if let Some(file) = rest.strip_prefix("contents/") {
            let at = param(query, "ref").unwrap_or_else(|| "main".into());
            let Some(files) = r.files_at(&at) else {
                return not_found();
            };
            let size = |bytes: &Vec<u8>| {
                reported_sizes
                    .get(file)
                    .copied()
                    .unwrap_or(bytes.len() as u64)
            };
            return match files.get(file) {
                // As GitHub: files over 1 MB come without their content.
                Some(sha) if r.blobs[sha].len() > 1 << 20 => reply(
                    200,
                    json!({"type": "file", "encoding": "none", "content": "", "sha": sha, "size": size(&r.blobs[sha])}),
                ),
                Some(sha) => {
                    let content = base64::engine::general_purpose::STANDARD.encode(&r.blobs[sha]);
                    reply(
                        200,
                        json!({"type": "file", "encoding": "base64", "content": content, "sha": sha, "size": size(&r.blobs[sha])}),
                    )
                }
                None => not_found(),
            };
        }
        if let Some(sha) = rest.strip_prefix("git/blobs/") {
            return match r.blobs.get(sha) {
                Some(bytes) => {
                    let content = base64::engine::general_purpose::STANDARD.encode(bytes);
                    reply(
                        200,
                        json!({"sha": sha, "encoding": "base64", "content": content, "size": bytes.len()}),
                    )
                }
                None => not_found(),
            };
        }
        if let Some(at) = rest.strip_prefix("git/trees/") {
            let Some(files) = r.files_at(at) else {
                return not_found();
            };
            let tree: Vec<Value> = files
                .keys()
                .map(|p| json!({"path": p, "type": "blob"}))
                .collect();
            return reply(200, json!({"tree": tree, "truncated": false}));
        }
        w.unexpected.push(format!("{method} {path}"));
        reply(500, json!({"message": "unexpected call"}))
    }
}

fn ref_json(branch: &str, sha: &str) -> Value {
    json!({"ref": format!("refs/heads/{branch}"), "object": {"sha": sha, "type": "commit"}})
}

fn reply(status: u16, body: Value) -> Response<Body> {
    let body = if body.is_null() {
        Body::empty()
    } else {
        Body::from(body.to_string())
    };
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", "application/json")
        .body(body)
        .unwrap()
}

fn param(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| decode(v))
}

/// Percent-decoding of a path or query value.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
