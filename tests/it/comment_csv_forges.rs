//! `Run path/in/repo.csv (A)` on the other forges: a GitLab note (a strict wiremock GitLab:
//! the project's default branch, `HEAD` for the size, the raw file) through to the report,
//! and the local forge of the demo, where a symbolic link is not a file.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use battbot::forge::gitlab::{GitlabForge, GitlabForgeConfig};
use battbot::forge::local::LocalForge;
use battbot::forge::{CommitMode, Conversation, FileChange, Forge};
use battbot::job::JobSpec;
use battbot::server::{self, App, Forges};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::comment_csv::{plain, PROFILE};
use crate::common::{fixture, policy, strict_server, within, GL_CONV};
use crate::support::{TestBot, TestClock, RUNNER_SECRET, WEBHOOK_SECRET};

const FILE: &str = "/repository/files/cycles%2Fprofile.csv";

/// The GitLab conversation gitlab-org/gitlab-test#17 (notes, awards, the commenter's role)
/// and its project's default branch.
async fn mount_conversation(server: &MockServer, notes: Arc<std::sync::Mutex<Vec<Value>>>) {
    crate::common::mount_gitlab_notes(server, notes).await;
    Mock::given(method("GET"))
        .and(path(GL_CONV))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 5, "path_with_namespace": "gitlab-org/gitlab-test", "default_branch": "develop"
        })))
        .mount(server)
        .await;
}

/// A bot whose GitLab conversations are on `gl`, runner and reports on local git.
async fn gitlab_bot(gl: &MockServer) -> (App, tempfile::TempDir, Arc<LocalForge>) {
    let dir = tempfile::tempdir().unwrap();
    let (runner, reports) = (
        dir.path().join("runner.git"),
        dir.path().join("reports.git"),
    );
    LocalForge::init_bare(&runner).await.unwrap();
    LocalForge::init_bare(&reports).await.unwrap();
    let mut config =
        battbot::demo::demo_config(dir.path(), "http://bot.test", WEBHOOK_SECRET, RUNNER_SECRET);
    config
        .registered_repos
        .push("gitlab-org/gitlab-test".into());
    config.gitlab = Some(battbot::config::GitlabConfig {
        webhook_token: Some("gl-hook-token".into()),
        ..Default::default()
    });
    let local = Arc::new(LocalForge::new(dir.path(), &reports));
    let conv: Arc<dyn Conversation> = Arc::new(
        GitlabForge::new(GitlabForgeConfig {
            base_url: gl.uri(),
            token: "glpat-test".into(),
            bot_username: "battbot".into(),
            retry: policy(Arc::default()),
        })
        .unwrap(),
    );
    let forges = Forges {
        conversations: HashMap::from([("gitlab".to_string(), conv)]),
        runner: local.clone(),
        reports: local.clone(),
    };
    let clock = Arc::new(TestClock(std::sync::atomic::AtomicI64::new(
        time::OffsetDateTime::now_utc().unix_timestamp(),
    )));
    (App::new(config, forges, clock).unwrap(), dir, local)
}

async fn note(app: &App, text: &str, id: u64) {
    let mut payload = fixture("gitlab/webhook.note.issue.json");
    payload["object_attributes"]["note"] = json!(text);
    payload["object_attributes"]["id"] = json!(id);
    let req = Request::post("/gitlab")
        .header("content-type", "application/json")
        .header("x-gitlab-event", "Note Hook")
        .header("x-gitlab-token", "gl-hook-token")
        .body(Body::from(serde_json::to_vec(&payload).unwrap()))
        .unwrap();
    use tower::ServiceExt;
    let resp = server::router(app.clone()).oneshot(req).await.unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    crate::support::settle(app).await;
}

fn bodies(notes: &std::sync::Mutex<Vec<Value>>) -> Vec<String> {
    notes
        .lock()
        .unwrap()
        .iter()
        .map(|n| plain(n["body"].as_str().unwrap_or("")))
        .collect()
}

#[tokio::test]
async fn gitlab_note_csv_is_read_at_the_default_branch_into_the_job_and_reported() {
    within(async {
        let gl = strict_server().await;
        let notes = Arc::default();
        mount_conversation(&gl, Arc::clone(&notes)).await;
        Mock::given(method("HEAD"))
            .and(path(format!("{GL_CONV}{FILE}")))
            .and(query_param("ref", "develop"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("x-gitlab-size", PROFILE.len().to_string()),
            )
            .expect(1)
            .mount(&gl)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{GL_CONV}{FILE}/raw")))
            .and(query_param("ref", "develop"))
            .respond_with(ResponseTemplate::new(200).set_body_string(PROFILE))
            .expect(1)
            .mount(&gl)
            .await;
        let (app, _dir, local) = gitlab_bot(&gl).await;
        note(
            &app,
            "@battbot simulate DFN Chen2020 \"Run cycles/profile.csv (A)\"",
            1241,
        )
        .await;
        let runner = app.config.runner.repo.clone();
        let branches = local.list_branches(&runner, "battbot/").await.unwrap();
        assert_eq!(branches.len(), 1, "{:?}", bodies(&notes));
        let job = local
            .read_file(&runner, &branches[0].name, "battbot-job.json")
            .await
            .unwrap()
            .unwrap();
        let spec = JobSpec::from_json(&String::from_utf8(job).unwrap()).unwrap();
        let rows = &spec.command.runs()[0].drive_cycles["cycles/profile.csv"];
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[2], [40.0, 2.5]);

        let out = tempfile::tempdir().unwrap();
        let result = battbot::runner::execute(&spec, out.path(), &mut Vec::new()).unwrap();
        assert_eq!(result.runs[0].final_time_s, 120.0);
        let body = serde_json::to_vec(&result).unwrap();
        let ts = app.clock.now().unix_timestamp();
        let key = battbot::runner::protocol::job_key(RUNNER_SECRET.as_bytes(), spec.id.as_str());
        let req = Request::post(format!("/runner/v1/jobs/{}/result", spec.id))
            .header("content-type", "application/json")
            .header("x-battbot-timestamp", ts.to_string())
            .header(
                "x-battbot-signature",
                battbot::runner::protocol::sign(&key, ts, &body),
            )
            .body(Body::from(body))
            .unwrap();
        use tower::ServiceExt;
        let resp = server::router(app.clone()).oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        crate::support::settle(&app).await;
        let replies = bodies(&notes);
        assert!(replies.last().unwrap().contains("report.md"), "{replies:?}");
    })
    .await
}

#[tokio::test]
async fn gitlab_huge_file_is_refused_by_its_reported_size_without_downloading_it() {
    within(async {
        let gl = strict_server().await;
        let notes = Arc::default();
        mount_conversation(&gl, Arc::clone(&notes)).await;
        Mock::given(method("HEAD"))
            .and(path(format!("{GL_CONV}{FILE}")))
            .respond_with(ResponseTemplate::new(200).insert_header("x-gitlab-size", "52428800"))
            .expect(1)
            .mount(&gl)
            .await;
        let (app, _dir, _local) = gitlab_bot(&gl).await;
        note(
            &app,
            "@battbot simulate SPM \"Run cycles/profile.csv (A)\"",
            1242,
        )
        .await;
        let replies = bodies(&notes);
        assert_eq!(replies.len(), 1, "{replies:?}");
        assert!(
            replies[0].contains("cycles/profile.csv has 52428800 bytes"),
            "{}",
            replies[0]
        );
        // No GET of the raw file: the strict server fails on any call no mock expects.
    })
    .await
}

#[tokio::test]
async fn gitlab_forge_error_500_gets_a_clear_reply() {
    within(async {
        let gl = strict_server().await;
        let notes = Arc::default();
        mount_conversation(&gl, Arc::clone(&notes)).await;
        Mock::given(method("HEAD"))
            .and(path(format!("{GL_CONV}{FILE}")))
            .respond_with(ResponseTemplate::new(500))
            .mount(&gl)
            .await;
        let (app, _dir, _local) = gitlab_bot(&gl).await;
        note(&app, "@battbot simulate SPM \"Run cycles/profile.csv (A)\"", 1243).await;
        let replies = bodies(&notes);
        assert_eq!(replies.len(), 1, "{replies:?}");
        assert!(
            replies[0].contains("could not read cycles/profile.csv on branch develop of gitlab-org/gitlab-test: GitLab answered HTTP 500"),
            "{}",
            replies[0]
        );
    })
    .await
}

/// Runs git in a bare repository.
fn git(repo: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[tokio::test]
async fn symlink_in_the_local_forge_is_not_followed() {
    within(async {
        let bot = TestBot::new().await;
        let repo = bot.dir.path().join("Codertocat/Hello-World");
        LocalForge::init_bare(&repo).await.unwrap();
        let forge = LocalForge::new(bot.dir.path(), &repo);
        let name = repo.to_string_lossy().to_string();
        forge
            .commit_files(
                &name,
                "main",
                &[FileChange::new("cycles/profile.csv", PROFILE)],
                &[],
                "profile",
                CommitMode::UpdateBranch,
            )
            .await
            .unwrap();
        // A commit whose tree holds a symbolic link to the server's /etc/passwd.
        let link = git(
            &repo,
            &["hash-object", "-w", "--stdin"],
            Some("/etc/passwd"),
        );
        let tree = git(
            &repo,
            &["mktree"],
            Some(&format!("120000 blob {link}\tevil.csv\n")),
        );
        let commit = git(
            &repo,
            &["commit-tree", tree.as_str(), "-p", "main", "-m", "link"],
            None,
        );
        git(
            &repo,
            &["update-ref", "refs/heads/main", commit.as_str()],
            None,
        );

        bot.comment("@battbot simulate SPM \"Run evil.csv (A)\"", 8001)
            .await;
        bot.settle().await;
        let replies: Vec<String> = bot.replies().await.iter().map(|r| plain(r)).collect();
        assert!(bot.job_branches().await.is_empty());
        assert!(
            replies.iter().any(|r| r.contains(
                "evil.csv on branch main of Codertocat/Hello-World is a symbolic link, not a file"
            )),
            "{replies:?}"
        );
    })
    .await
}

#[tokio::test]
async fn local_forge_reads_the_demo_comment_csv_into_the_job() {
    within(async {
        let bot = TestBot::new().await;
        let repo = bot.dir.path().join("Codertocat/Hello-World");
        battbot::demo::make_comment_repo(&repo).await.unwrap();
        bot.comment(
            "@battbot simulate DFN Chen2020 \"Run cycles/profile.csv (A)\"",
            8002,
        )
        .await;
        bot.settle().await;
        let branches = bot.job_branches().await;
        assert_eq!(branches.len(), 1, "{:?}", bot.replies().await);
        let job = bot
            .forge
            .read_file(&bot.runner_repo(), &branches[0], "battbot-job.json")
            .await
            .unwrap()
            .unwrap();
        let spec = JobSpec::from_json(&String::from_utf8(job).unwrap()).unwrap();
        let rows = &spec.command.runs()[0].drive_cycles["cycles/profile.csv"];
        assert!(rows.len() > 10, "{rows:?}");
    })
    .await
}
