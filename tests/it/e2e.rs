//! The whole loop through the real router against wiremock forges that fail on any
//! unexpected call: a GitHub comment whose job runs on GitLab CI, and a GitLab note whose
//! job runs on GitHub Actions. The fakes keep just enough state (comments, branches, the
//! committed job file) to answer what the bot reads back; every request is recorded and the
//! exact sequence asserted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use battbot::config::Config;
use battbot::forge::github::{GithubAuth, GithubForge, GithubForgeConfig};
use battbot::forge::gitlab::{GitlabForge, GitlabForgeConfig};
use battbot::forge::local::LocalForge;
use battbot::forge::{Conversation, Forge};
use battbot::job::JobSpec;
use battbot::server::{self, App, Forges};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, Request as WmRequest, ResponseTemplate};

use crate::common::*;
use crate::support::{TestClock, RUNNER_SECRET, WEBHOOK_SECRET};

const GH_REPO: &str = "Codertocat/Hello-World";
const GL_PROJECT: &str = "runners/battbot-runner";
const GL_P: &str = "/api/v4/projects/runners%2Fbattbot-runner";
const GH_RUNNER: &str = "octo/runner";
const SIMULATE: &str = "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"";

/// What the fakes remember between calls.
#[derive(Default)]
struct World {
    /// Issue comments / notes, as the platform lists them.
    comments: Arc<Mutex<Vec<Value>>>,
    /// Job branches of the runner repository, with their `battbot-job.json`.
    branches: HashMap<String, Vec<u8>>,
}

type Shared = Arc<Mutex<World>>;

struct Harness {
    _dir: tempfile::TempDir,
    app: App,
    reports: Arc<LocalForge>,
    config: Config,
    world: Shared,
}

impl Harness {
    async fn new(
        conversations: (&str, Arc<dyn Conversation>),
        runner: Arc<dyn Forge>,
        edit: impl FnOnce(&mut Config),
    ) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let reports_git = dir.path().join("reports.git");
        LocalForge::init_bare(&reports_git).await.unwrap();
        let mut config = battbot::demo::demo_config(
            dir.path(),
            "http://bot.test",
            WEBHOOK_SECRET,
            RUNNER_SECRET,
        );
        edit(&mut config);
        let reports = Arc::new(LocalForge::new(dir.path(), &reports_git));
        let forges = Forges {
            conversations: HashMap::from([(conversations.0.to_string(), conversations.1)]),
            runner,
            reports: reports.clone(),
        };
        let clock = Arc::new(TestClock(std::sync::atomic::AtomicI64::new(
            time::OffsetDateTime::now_utc().unix_timestamp(),
        )));
        let app = App::new(config.clone(), forges, clock).unwrap();
        Harness {
            _dir: dir,
            app,
            reports,
            config,
            world: Shared::default(),
        }
    }

    async fn send(&self, req: Request<Body>) -> (StatusCode, String) {
        let resp = server::router(self.app.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&body).to_string();
        crate::support::settle(&self.app).await;
        (status, text)
    }

    async fn github_comment(&self, body: &str, comment_id: u64) -> (StatusCode, String) {
        let payload = battbot::demo::comment_payload(body, comment_id).unwrap();
        let sig = server::verify::github_signature(WEBHOOK_SECRET.as_bytes(), &payload);
        let req = Request::post("/github")
            .header("content-type", "application/json")
            .header("x-github-event", "issue_comment")
            .header("x-github-delivery", format!("delivery-{comment_id}"))
            .header("x-hub-signature-256", sig)
            .body(Body::from(payload))
            .unwrap();
        self.send(req).await
    }

    async fn gitlab_note(&self, note: &str, note_id: u64) -> (StatusCode, String) {
        let mut payload = fixture("gitlab/webhook.note.issue.json");
        payload["object_attributes"]["note"] = json!(note);
        payload["object_attributes"]["id"] = json!(note_id);
        payload["object_attributes"]["url"] = json!(format!(
            "http://example.com/gitlab-org/gitlab-test/issues/17#note_{note_id}"
        ));
        let req = Request::post("/gitlab")
            .header("content-type", "application/json")
            .header("x-gitlab-event", "Note Hook")
            .header("x-gitlab-token", "gl-hook-token")
            .body(Body::from(serde_json::to_vec(&payload).unwrap()))
            .unwrap();
        self.send(req).await
    }

    /// The job spec the bot committed to its only job branch.
    fn job(&self) -> JobSpec {
        let world = self.world.lock().unwrap();
        assert_eq!(world.branches.len(), 1, "one job branch");
        let bytes = world.branches.values().next().unwrap();
        JobSpec::from_json(&String::from_utf8_lossy(bytes)).unwrap()
    }

    /// Runs the job as the runner would and posts its signed result.
    async fn result_callback(&self, spec: &JobSpec) -> (StatusCode, String) {
        let out = tempfile::tempdir().unwrap();
        let mut log = Vec::new();
        let result = battbot::runner::execute(spec, out.path(), &mut log).unwrap();
        let body = serde_json::to_vec(&result).unwrap();
        let ts = self.app.clock.now().unix_timestamp();
        let sig = battbot::runner::protocol::sign(
            &battbot::runner::protocol::job_key(RUNNER_SECRET.as_bytes(), spec.id.as_str()),
            ts,
            &body,
        );
        let req = Request::post(format!("/runner/v1/jobs/{}/result", spec.id))
            .header("content-type", "application/json")
            .header("x-battbot-timestamp", ts.to_string())
            .header("x-battbot-signature", sig)
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    fn comment_bodies(&self) -> Vec<String> {
        let world = self.world.lock().unwrap();
        let comments = world.comments.lock().unwrap();
        comments
            .iter()
            .map(|c| c["body"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    async fn report_files(&self) -> Vec<String> {
        self.reports
            .list_files(&self.config.reports.repo, "main", "")
            .await
            .unwrap()
    }
}

fn retry_policy() -> battbot::forge::retry::RetryPolicy {
    policy(Arc::default())
}

/// `(METHOD, path)` of every request, with the query where it carries meaning.
async fn calls(server: &MockServer) -> Vec<String> {
    requests(server)
        .await
        .into_iter()
        .map(|(m, p)| format!("{m} {}", p.trim_end_matches('?')))
        .collect()
}

fn decode(b64: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// GitHub conversation (issue comments) fake.

async fn mount_github_conversation(server: &MockServer, world: &Shared) {
    let w = world.clone();
    Mock::given(method("GET"))
        .and(path(format!("/repos/{GH_REPO}/issues/1/comments")))
        .respond_with(move |_: &WmRequest| {
            ResponseTemplate::new(200).set_body_json(Value::Array(
                w.lock().unwrap().comments.lock().unwrap().clone(),
            ))
        })
        .mount(server)
        .await;
    let w = world.clone();
    Mock::given(method("POST"))
        .and(path(format!("/repos/{GH_REPO}/issues/1/comments")))
        .respond_with(move |req: &WmRequest| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let mut c = fixture("github/rest.docs2020.create-issue-comment.201.json");
            c["user"]["login"] = json!("battbot[bot]");
            c["body"] = body["body"].clone();
            let world = w.lock().unwrap();
            let mut comments = world.comments.lock().unwrap();
            c["id"] = json!(9000 + comments.len());
            comments.push(c.clone());
            ResponseTemplate::new(201).set_body_json(c)
        })
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(format!(
            r"^/repos/{GH_REPO}/issues/comments/\d+/reactions$"
        )))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 1, "content": "eyes"})))
        .mount(server)
        .await;
}

// ---------------------------------------------------------------------------------------
// GitLab runner repository fake.

fn gl_branch_json(name: &str) -> Value {
    let mut b = fixture("gitlab/api.get-branch.recorded.kitware.json");
    b["name"] = json!(name);
    // Committed just now (the fixture's date is years old).
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    b["commit"]["committed_date"] = json!(now);
    b
}

async fn mount_gitlab_runner(server: &MockServer, world: &Shared) {
    Mock::given(method("GET"))
        .and(path(GL_P))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 855, "path_with_namespace": GL_PROJECT, "default_branch": "main"
        })))
        .mount(server)
        .await;
    Mock::given(method("HEAD"))
        .and(path_regex(format!(r"^{GL_P}/repository/files/[^/]+$")))
        .and(query_param("ref", "main"))
        .respond_with(ResponseTemplate::new(404))
        .mount(server)
        .await;
    let w = world.clone();
    Mock::given(method("GET"))
        .and(path_regex(format!(r"^{GL_P}/repository/branches/.+$")))
        .respond_with(move |req: &WmRequest| {
            let name = urlencoding_decode(req.url.path().rsplit('/').next().unwrap());
            if w.lock().unwrap().branches.contains_key(&name) {
                ResponseTemplate::new(200).set_body_json(gl_branch_json(&name))
            } else {
                ResponseTemplate::new(404).set_body_json(json!({"message": "404 Branch Not Found"}))
            }
        })
        .mount(server)
        .await;
    let w = world.clone();
    Mock::given(method("GET"))
        .and(path(format!("{GL_P}/repository/branches")))
        .respond_with(move |req: &WmRequest| {
            let search = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "search")
                .map(|(_, v)| v.trim_start_matches('^').to_string())
                .unwrap_or_default();
            let list: Vec<Value> = w
                .lock()
                .unwrap()
                .branches
                .keys()
                .filter(|b| b.starts_with(&search))
                .map(|b| gl_branch_json(b))
                .collect();
            ResponseTemplate::new(200).set_body_json(list)
        })
        .mount(server)
        .await;
    let w = world.clone();
    Mock::given(method("POST"))
        .and(path(format!("{GL_P}/repository/commits")))
        .respond_with(move |req: &WmRequest| {
            let fields: Vec<(String, String)> = url::form_urlencoded::parse(&req.body)
                .into_owned()
                .collect();
            let get = |k: &str| -> Vec<String> {
                fields
                    .iter()
                    .filter(|(key, _)| key == k)
                    .map(|(_, v)| v.clone())
                    .collect()
            };
            let branch = get("branch").pop().unwrap();
            let paths = get("actions[][file_path]");
            let contents = get("actions[][content]");
            let job = paths
                .iter()
                .zip(&contents)
                .find(|(p, _)| p.as_str() == "battbot-job.json")
                .map(|(_, c)| decode(c))
                .expect("the commit carries battbot-job.json");
            assert!(
                paths.contains(&".gitlab-ci.yml".to_string()),
                "the commit carries .gitlab-ci.yml: {paths:?}"
            );
            w.lock().unwrap().branches.insert(branch, job);
            replay(201, "gitlab/api.create-commit.docs.json")
        })
        .mount(server)
        .await;
    let w = world.clone();
    Mock::given(method("GET"))
        .and(path(format!(
            "{GL_P}/repository/files/battbot-job.json/raw"
        )))
        .respond_with(move |req: &WmRequest| {
            let r = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "ref")
                .map(|(_, v)| v.to_string())
                .unwrap_or_default();
            match w.lock().unwrap().branches.get(&r) {
                Some(bytes) => ResponseTemplate::new(200).set_body_bytes(bytes.clone()),
                None => ResponseTemplate::new(404)
                    .set_body_json(json!({"message": "404 File Not Found"})),
            }
        })
        .mount(server)
        .await;
    let mut pipeline = fixture("gitlab/api.list-pipelines.item.recorded.kitware.json");
    pipeline["id"] = json!(4711);
    pipeline["status"] = json!("running");
    Mock::given(method("GET"))
        .and(path(format!("{GL_P}/pipelines")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([pipeline])))
        .mount(server)
        .await;
    let mut canceled = fixture("gitlab/api.get-pipeline.recorded.kitware.json");
    canceled["id"] = json!(4711);
    canceled["status"] = json!("canceled");
    Mock::given(method("POST"))
        .and(path(format!("{GL_P}/pipelines/4711/cancel")))
        .respond_with(ResponseTemplate::new(200).set_body_json(canceled))
        .mount(server)
        .await;
    let w = world.clone();
    Mock::given(method("DELETE"))
        .and(path_regex(format!(r"^{GL_P}/repository/branches/.+$")))
        .respond_with(move |req: &WmRequest| {
            let name = urlencoding_decode(req.url.path().rsplit('/').next().unwrap());
            w.lock().unwrap().branches.remove(&name);
            ResponseTemplate::new(204)
        })
        .mount(server)
        .await;
}

fn urlencoding_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn github_to_gitlab(org_member: bool) -> (Harness, MockServer, MockServer) {
    let gh = strict_server().await;
    let gl = strict_server().await;
    let conv: Arc<dyn Conversation> = Arc::new(
        GithubForge::new(GithubForgeConfig {
            base_url: gh.uri(),
            auth: GithubAuth::Token("ghp_test".into()),
            bot_login: "battbot[bot]".into(),
            retry: retry_policy(),
        })
        .unwrap(),
    );
    let runner: Arc<dyn Forge> = Arc::new(
        GitlabForge::new(GitlabForgeConfig {
            base_url: gl.uri(),
            token: "glpat-test".into(),
            bot_username: "battbot".into(),
            retry: retry_policy(),
        })
        .unwrap(),
    );
    let h = Harness::new(("github", conv), runner, |c| {
        c.runner.forge = "gitlab".into();
        c.runner.repo = GL_PROJECT.into();
        c.runner.ci = "gitlab".into();
        c.org = Some("pybamm-team".into());
    })
    .await;
    mount_github_conversation(&gh, &h.world).await;
    mount_gitlab_runner(&gl, &h.world).await;
    Mock::given(method("GET"))
        .and(path("/orgs/pybamm-team/members/Codertocat"))
        .respond_with(ResponseTemplate::new(if org_member { 204 } else { 404 }))
        .mount(&gh)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{GH_REPO}/collaborators/Codertocat/permission"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "permission": "read", "role_name": "read"
        })))
        .mount(&gh)
        .await;
    (h, gh, gl)
}

#[tokio::test]
async fn github_comment_runs_on_gitlab_ci_and_reports_back() {
    within(async {
        let (h, gh, gl) = github_to_gitlab(true).await;
        let (status, _) = h.github_comment(SIMULATE, 2001).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let spec = h.job();
        let branch = spec.id.branch();
        // The thread's prefix: `battbot/gh-codertocat-hello-world-1-`.
        let prefix = format!("{}-", branch.rsplit_once("-c").unwrap().0);
        assert!(
            h.comment_bodies()[0].contains("queued"),
            "{:?}",
            h.comment_bodies()
        );

        // A second request while one is pending: rejected with the pending job's link.
        h.github_comment(SIMULATE, 2002).await;
        let bodies = h.comment_bodies();
        assert_eq!(bodies.len(), 2);
        assert!(bodies[1].contains("already pending"), "{}", bodies[1]);
        assert!(bodies[1].contains("@battbot abort"), "{}", bodies[1]);

        // The same webhook delivered again: no second job, no second reply.
        h.github_comment(SIMULATE, 2001).await;
        assert_eq!(h.comment_bodies().len(), 2);
        assert_eq!(h.world.lock().unwrap().branches.len(), 1);

        let (status, text) = h.result_callback(&spec).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let files = h.report_files().await;
        let dir = spec.report_dir();
        assert!(files.contains(&format!("{dir}/report.md")), "{files:?}");
        let bodies = h.comment_bodies();
        assert_eq!(bodies.len(), 3, "{bodies:?}");
        assert!(
            bodies[2].contains(&format!("{dir}/report.md")),
            "{}",
            bodies[2]
        );

        let gl_calls = calls(&gl).await;
        let enc = branch.replace('/', "%2F");
        let list = |prefix: &str| {
            format!(
                "GET {GL_P}/repository/branches?search=%5E{}&per_page=100&page=1",
                prefix.replace('/', "%2F")
            )
        };
        let read = format!("GET {GL_P}/repository/files/battbot-job.json/raw?ref={enc}");
        let expected = vec![
            // 1st comment: nothing pending; one commit creates the branch with both files.
            list(&prefix),
            format!("GET {GL_P}/repository/branches/{enc}"),
            format!("GET {GL_P}"),
            format!("HEAD {GL_P}/repository/files/.gitlab-ci.yml?ref=main"),
            format!("HEAD {GL_P}/repository/files/battbot-job.json?ref=main"),
            format!("POST {GL_P}/repository/commits"),
            // 2nd comment: the pending job is found, nothing is committed.
            list(&prefix),
            read.clone(),
            // The redelivery: its own job is pending; the branch exists already; the
            // acknowledgement's marker (or claim) says whether it is still owed.
            list(&prefix),
            read.clone(),
            format!("GET {GL_P}/repository/branches/{enc}"),
            // The result: the job spec is read back from its branch.
            read.clone(),
            // The report is committed and announced: the branch is deleted.
            format!("DELETE {GL_P}/repository/branches/{enc}"),
        ];
        assert_eq!(gl_calls, expected, "GitLab calls");

        let gh_calls = calls(&gh).await;
        let comments = format!("/repos/{GH_REPO}/issues/1/comments");
        let access = ["GET /orgs/pybamm-team/members/Codertocat".to_string()];
        let mut expected: Vec<String> = access.to_vec();
        expected.extend([
            format!("POST /repos/{GH_REPO}/issues/comments/2001/reactions"),
            format!("GET {comments}?per_page=100&page=1"),
            format!("POST {comments}"),
        ]);
        expected.extend(access.iter().cloned());
        expected.extend([
            format!("GET {comments}?per_page=100&page=1"),
            format!("POST {comments}"),
        ]);
        expected.extend(access.iter().cloned());
        // The redelivery finds the acknowledgement's marker: nothing is posted.
        expected.extend([
            format!("POST /repos/{GH_REPO}/issues/comments/2001/reactions"),
            format!("GET {comments}?per_page=100&page=1"),
        ]);
        expected.extend([
            format!("GET {comments}?per_page=100&page=1"),
            format!("POST {comments}"),
        ]);
        assert_eq!(gh_calls, expected, "GitHub calls");
    })
    .await
}

// ---------------------------------------------------------------------------------------
// GitLab conversation (issue notes) fake: gitlab-org/gitlab-test#17.

async fn mount_gitlab_conversation(server: &MockServer, world: &Shared) {
    let notes = world.lock().unwrap().comments.clone();
    crate::common::mount_gitlab_notes(server, notes).await;
}

// ---------------------------------------------------------------------------------------
// GitHub runner repository fake: a tiny git object store behind the git data API.

#[derive(Default)]
struct Git {
    blobs: HashMap<String, Vec<u8>>,
    trees: HashMap<String, Vec<(String, String)>>,
    commits: HashMap<String, String>,
}

const BASE: &str = "aa218f56b14c9653891f9e74264a383fa43fefbd";

async fn mount_github_runner(server: &MockServer, world: &Shared) {
    let r = format!("/repos/{GH_RUNNER}");
    let git = Arc::new(Mutex::new(Git::default()));
    git.lock()
        .unwrap()
        .commits
        .insert(BASE.into(), "base-tree".into());
    Mock::given(method("GET"))
        .and(path(r.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"default_branch": "main"})))
        .mount(server)
        .await;
    let w = world.clone();
    Mock::given(method("GET"))
        .and(path_regex(format!(r"^{r}/git/ref/heads/.+$")))
        .respond_with(move |req: &WmRequest| {
            let name = req.url.path().split("/git/ref/heads/").nth(1).unwrap().to_string();
            let sha = if name == "main" {
                Some(BASE.to_string())
            } else {
                w.lock().unwrap().branches.contains_key(&name).then(|| format!("sha-{}", name.replace('/', "-")))
            };
            match sha {
                Some(sha) => ResponseTemplate::new(200).set_body_json(
                    json!({"ref": format!("refs/heads/{name}"), "object": {"sha": sha, "type": "commit"}}),
                ),
                None => ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
            }
        })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(format!(r"^{r}/git/commits/[^/]+$")))
        .respond_with(move |req: &WmRequest| {
            let sha = req.url.path().rsplit('/').next().unwrap().to_string();
            let now = time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            let mut c = fixture("github/rest.docs2020.create-commit.201.json");
            c["sha"] = json!(sha);
            c["tree"]["sha"] = json!("base-tree");
            c["committer"]["date"] = json!(now);
            ResponseTemplate::new(200).set_body_json(c)
        })
        .mount(server)
        .await;
    let g = git.clone();
    Mock::given(method("POST"))
        .and(path(format!("{r}/git/blobs")))
        .respond_with(move |req: &WmRequest| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let mut git = g.lock().unwrap();
            let sha = format!("blob-{}", git.blobs.len());
            git.blobs
                .insert(sha.clone(), decode(body["content"].as_str().unwrap()));
            ResponseTemplate::new(201).set_body_json(json!({"sha": sha, "url": "u"}))
        })
        .mount(server)
        .await;
    let g = git.clone();
    Mock::given(method("POST"))
        .and(path(format!("{r}/git/trees")))
        .respond_with(move |req: &WmRequest| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            assert_eq!(body["base_tree"], "base-tree");
            let entries = body["tree"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["path"].as_str().unwrap().to_string(),
                        e["sha"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            let mut git = g.lock().unwrap();
            let sha = format!("tree-{}", git.trees.len());
            git.trees.insert(sha.clone(), entries);
            let mut t = fixture("github/rest.docs2020.create-tree.201.json");
            t["sha"] = json!(sha);
            ResponseTemplate::new(201).set_body_json(t)
        })
        .mount(server)
        .await;
    let g = git.clone();
    Mock::given(method("POST"))
        .and(path(format!("{r}/git/commits")))
        .respond_with(move |req: &WmRequest| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            assert_eq!(body["parents"], json!([BASE]));
            let mut git = g.lock().unwrap();
            let sha = format!("commit-{}", git.commits.len());
            git.commits
                .insert(sha.clone(), body["tree"].as_str().unwrap().to_string());
            let mut c = fixture("github/rest.docs2020.create-commit.201.json");
            c["sha"] = json!(sha);
            ResponseTemplate::new(201).set_body_json(c)
        })
        .mount(server)
        .await;
    let (g, w) = (git.clone(), world.clone());
    Mock::given(method("POST"))
        .and(path(format!("{r}/git/refs")))
        .respond_with(move |req: &WmRequest| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let name = body["ref"]
                .as_str()
                .unwrap()
                .trim_start_matches("refs/heads/")
                .to_string();
            let git = g.lock().unwrap();
            let tree = &git.trees[&git.commits[body["sha"].as_str().unwrap()]];
            let paths: Vec<&str> = tree.iter().map(|(p, _)| p.as_str()).collect();
            assert!(
                paths.contains(&".github/workflows/battbot.yml"),
                "{paths:?}"
            );
            let job = tree
                .iter()
                .find(|(p, _)| p == "battbot-job.json")
                .map(|(_, sha)| git.blobs[sha].clone())
                .expect("the commit carries battbot-job.json");
            w.lock().unwrap().branches.insert(name, job);
            replay(201, "github/rest.recorded.create-ref.201.json")
        })
        .mount(server)
        .await;
    let w = world.clone();
    Mock::given(method("GET"))
        .and(path_regex(format!(r"^{r}/git/matching-refs/heads/.+$")))
        .respond_with(move |req: &WmRequest| {
            let prefix = urlencoding_decode(req.url.path().split("/git/matching-refs/heads/").nth(1).unwrap());
            let refs: Vec<Value> = w
                .lock()
                .unwrap()
                .branches
                .keys()
                .filter(|b| b.starts_with(&prefix))
                .map(|b| json!({"ref": format!("refs/heads/{b}"), "object": {"sha": format!("sha-{}", b.replace('/', "-")), "type": "commit"}}))
                .collect();
            ResponseTemplate::new(200).set_body_json(refs)
        })
        .mount(server)
        .await;
    let w = world.clone();
    Mock::given(method("GET"))
        .and(path(format!("{r}/contents/battbot-job.json")))
        .respond_with(move |req: &WmRequest| {
            let branch = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "ref")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            match w.lock().unwrap().branches.get(&branch) {
                Some(bytes) => ResponseTemplate::new(200).set_body_json(json!({
                    "type": "file", "encoding": "base64", "sha": "s",
                    "content": base64::engine::general_purpose::STANDARD.encode(bytes),
                })),
                None => ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
            }
        })
        .mount(server)
        .await;
    let mut runs = fixture("github/rest.recorded.list-workflow-runs.200.json");
    if let Some(run) = runs["workflow_runs"].get_mut(0) {
        run["id"] = json!(777);
        run["status"] = json!("in_progress");
        run["conclusion"] = Value::Null;
    }
    runs["workflow_runs"] = json!([runs["workflow_runs"][0].clone()]);
    runs["total_count"] = json!(1);
    Mock::given(method("GET"))
        .and(path(format!("{r}/actions/runs")))
        .respond_with(ResponseTemplate::new(200).set_body_json(runs))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{r}/actions/runs/777/cancel")))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({})))
        .mount(server)
        .await;
    let w = world.clone();
    Mock::given(method("DELETE"))
        .and(path_regex(format!(r"^{r}/git/refs/heads/.+$")))
        .respond_with(move |req: &WmRequest| {
            let name = urlencoding_decode(req.url.path().split("/git/refs/heads/").nth(1).unwrap());
            w.lock().unwrap().branches.remove(&name);
            ResponseTemplate::new(204)
        })
        .mount(server)
        .await;
}

#[tokio::test]
async fn gitlab_note_runs_on_github_actions_and_abort_cancels_it() {
    within(async {
        let gl = strict_server().await;
        let gh = strict_server().await;
        let conv: Arc<dyn Conversation> = Arc::new(
            GitlabForge::new(GitlabForgeConfig {
                base_url: gl.uri(),
                token: "glpat-test".into(),
                bot_username: "battbot".into(),
                retry: retry_policy(),
            })
            .unwrap(),
        );
        let runner: Arc<dyn Forge> = Arc::new(
            GithubForge::new(GithubForgeConfig {
                base_url: gh.uri(),
                auth: GithubAuth::Token("ghp_test".into()),
                bot_login: "battbot[bot]".into(),
                retry: retry_policy(),
            })
            .unwrap(),
        );
        let h = Harness::new(("gitlab", conv), runner, |c| {
            c.runner.forge = "github".into();
            c.runner.repo = GH_RUNNER.into();
            c.runner.ci = "github".into();
            c.registered_repos.push("gitlab-org/gitlab-test".into());
            c.gitlab = Some(battbot::config::GitlabConfig {
                webhook_token: Some("gl-hook-token".into()),
                ..Default::default()
            });
        })
        .await;
        mount_gitlab_conversation(&gl, &h.world).await;
        mount_github_runner(&gh, &h.world).await;

        // A wrong X-Gitlab-Token is refused before anything else happens.
        let req = Request::post("/gitlab")
            .header("x-gitlab-event", "Note Hook")
            .header("x-gitlab-token", "guess")
            .body(Body::from(fixture_bytes("gitlab/webhook.note.issue.json")))
            .unwrap();
        assert_eq!(h.send(req).await.0, StatusCode::UNAUTHORIZED);
        assert!(requests(&gl).await.is_empty() && requests(&gh).await.is_empty());

        let (status, text) = h.gitlab_note(SIMULATE, 1241).await;
        assert!(status.is_success(), "{status} {text}");
        let spec = h.job();
        assert_eq!(spec.source.platform, "gitlab");
        assert_eq!(spec.source.number, 17);
        let branch = spec.id.branch();
        assert!(
            h.comment_bodies()[0].contains("queued"),
            "{:?}",
            h.comment_bodies()
        );

        h.gitlab_note("@battbot abort", 1242).await;
        assert!(
            h.world.lock().unwrap().branches.is_empty(),
            "the branch is deleted: {:?} {:?} {:?}",
            h.comment_bodies(),
            calls(&gh).await,
            calls(&gl).await
        );
        let bodies = h.comment_bodies();
        assert_eq!(bodies.len(), 2, "{bodies:?}");
        assert!(
            bodies[1].contains("aborted") && bodies[1].contains(spec.id.as_str()),
            "{}",
            bodies[1]
        );

        let r = format!("/repos/{GH_RUNNER}");
        let prefix = format!("{}-", branch.rsplit_once("-c").unwrap().0);
        let enc = |s: &str| s.replace('/', "%2F");
        let expected = vec![
            // The note: nothing pending; blobs → tree → commit → ref.
            format!("GET {r}/git/matching-refs/heads/{prefix}?per_page=100&page=1"),
            format!("GET {r}"),
            format!("GET {r}/git/ref/heads/main"),
            format!("GET {r}/git/commits/{BASE}"),
            format!("POST {r}/git/blobs"),
            format!("POST {r}/git/blobs"),
            format!("POST {r}/git/trees"),
            format!("POST {r}/git/commits"),
            format!("POST {r}/git/refs"),
            // abort: the pending job is found, its run cancelled, its branch deleted.
            format!("GET {r}/git/matching-refs/heads/{prefix}?per_page=100&page=1"),
            format!("GET {r}/git/commits/sha-{}", branch.replace('/', "-")),
            format!("GET {r}/contents/battbot-job.json?ref={}", enc(&branch)),
            format!("GET {r}/actions/runs?branch={}&per_page=100", enc(&branch)),
            format!("POST {r}/actions/runs/777/cancel"),
            format!("DELETE {r}/git/refs/heads/{branch}"),
        ];
        assert_eq!(calls(&gh).await, expected, "GitHub calls");
        let notes = format!("{GL_CONV}/issues/17/notes");
        let access = vec![
            "GET /api/v4/users?username=root".to_string(),
            format!("GET {GL_CONV}/members/all/1"),
        ];
        let mut expected = access.clone();
        expected.extend([
            format!("POST {notes}/1241/award_emoji"),
            format!("GET {notes}?sort=asc&order_by=created_at&per_page=100&page=1"),
            format!("POST {notes}"),
        ]);
        expected.extend(access);
        expected.extend([
            format!("GET {notes}?sort=asc&order_by=created_at&per_page=100&page=1"),
            format!("POST {notes}"),
        ]);
        assert_eq!(calls(&gl).await, expected, "GitLab calls");
    })
    .await
}

#[tokio::test]
async fn outsiders_are_refused_politely_and_nothing_is_queued() {
    within(async {
        let (h, gh, gl) = github_to_gitlab(false).await;
        h.github_comment(SIMULATE, 3001).await;
        let bodies = h.comment_bodies();
        assert_eq!(bodies.len(), 1, "{bodies:?}");
        assert!(
            bodies[0].contains(
                "needs write access to Codertocat/Hello-World or membership of pybamm-team"
            ),
            "{}",
            bodies[0]
        );
        assert!(calls(&gl).await.is_empty(), "nothing reaches the runner");
        let comments = format!("/repos/{GH_REPO}/issues/1/comments");
        assert_eq!(
            calls(&gh).await,
            [
                "GET /orgs/pybamm-team/members/Codertocat".to_string(),
                format!("GET /repos/{GH_REPO}/collaborators/Codertocat/permission"),
                format!("GET {comments}?per_page=100&page=1"),
                format!("POST {comments}"),
            ]
        );
        // The calls are counted for /metrics (a process-wide registry: at least ours).
        let req = Request::get("/metrics").body(Body::empty()).unwrap();
        let (_, text) = h.send(req).await;
        let counted: u64 = text
            .lines()
            .filter(|l| l.starts_with("battbot_outbound_calls_total{host=\"127.0.0.1\""))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum();
        assert!(counted >= 4, "{text}");
        assert!(text.contains("battbot_rate_limit_waits_total"), "{text}");
    })
    .await
}
