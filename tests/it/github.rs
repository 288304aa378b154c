//! `GithubForge` against a strict wiremock GitHub replaying tests/data/fixtures/github.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use battbot::forge::github::{GithubAuth, GithubForge, GithubForgeConfig};
use battbot::forge::retry::RetryPolicy;
use battbot::forge::{
    CommitMode, Conversation, FileChange, Forge, ForgeError, Permission, PipelineState, Thread,
};
use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

const REPO: &str = "octo/runner";
const BRANCH: &str = "battbot/gh-octo-app-12-c987654";
const BASE: &str = "aa218f56b14c9653891f9e74264a383fa43fefbd";

fn forge(server: &MockServer, sleeper: Arc<RecordingSleeper>) -> GithubForge {
    GithubForge::new(GithubForgeConfig {
        base_url: server.uri(),
        auth: GithubAuth::Token("ghp_test".into()),
        bot_login: "battbot[bot]".into(),
        retry: policy(sleeper),
    })
    .unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn files() -> Vec<FileChange> {
    vec![
        FileChange::new(".github/workflows/battbot.yml", "on: push\n"),
        FileChange::new("battbot-job.json", "{\"id\":\"x\"}\n"),
    ]
}

/// Mounts the reads before the writes of a commit on `main`: repository, ref, base commit.
async fn mount_base(server: &MockServer, reads: u64) -> Value {
    let mut base_commit = fixture("github/rest.docs2020.create-commit.201.json");
    base_commit["sha"] = json!(BASE);
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"default_branch": "main"})))
        .expect(1)
        .mount(server)
        .await;
    let mut main_ref = fixture("github/rest.docs2020.git-ref.json");
    main_ref["ref"] = json!("refs/heads/main");
    main_ref["object"]["sha"] = json!(BASE);
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}/git/ref/heads/main")))
        .respond_with(ResponseTemplate::new(200).set_body_json(main_ref))
        .expect(reads)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}/git/commits/{BASE}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(base_commit.clone()))
        .expect(reads)
        .mount(server)
        .await;
    base_commit
}

/// Blobs → tree → commit, each answered from the fixtures.
/// `blob_times` 0 leaves the (content-addressed, shared) blob mocks to an earlier call.
async fn mount_writes(
    server: &MockServer,
    base_tree: &str,
    parent: &str,
    times: u64,
    blob_times: u64,
) {
    for (i, f) in files().iter().enumerate().filter(|_| blob_times > 0) {
        Mock::given(method("POST"))
            .and(path(format!("/repos/{REPO}/git/blobs")))
            .and(body_partial_json(
                json!({"content": b64(&f.contents), "encoding": "base64"}),
            ))
            .respond_with(
                ResponseTemplate::new(201)
                    .set_body_json(json!({"sha": format!("b10b{i:036}"), "url": "u"})),
            )
            .expect(blob_times)
            .mount(server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(format!("/repos/{REPO}/git/trees")))
        .and(body_partial_json(json!({"base_tree": base_tree})))
        .respond_with(replay(201, "github/rest.docs2020.create-tree.201.json"))
        .expect(times)
        .mount(server)
        .await;
    let tree = fixture("github/rest.docs2020.create-tree.201.json")["sha"].clone();
    Mock::given(method("POST"))
        .and(path(format!("/repos/{REPO}/git/commits")))
        .and(body_partial_json(
            json!({"message": "job x", "tree": tree, "parents": [parent]}),
        ))
        .respond_with(replay(201, "github/rest.docs2020.create-commit.201.json"))
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn commit_to_new_branch_uses_the_git_data_api() {
    within(async {
        let server = strict_server().await;
        let base_commit = mount_base(&server, 1).await;
        let base_tree = base_commit["tree"]["sha"].as_str().unwrap().to_string();
        mount_writes(&server, &base_tree, BASE, 1, 1).await;
        let new = fixture("github/rest.docs2020.create-commit.201.json")["sha"].clone();
        Mock::given(method("POST"))
            .and(path(format!("/repos/{REPO}/git/refs")))
            .and(body_partial_json(
                json!({"ref": format!("refs/heads/{BRANCH}"), "sha": new}),
            ))
            .respond_with(replay(201, "github/rest.recorded.create-ref.201.json"))
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        let sha = f
            .commit_files(
                REPO,
                BRANCH,
                &files(),
                &[],
                "job x",
                CommitMode::CreateBranch,
            )
            .await
            .unwrap();
        assert_eq!(sha, new.as_str().unwrap());
        let got = requests(&server).await;
        let want: Vec<(String, String)> = [
            ("GET", format!("/repos/{REPO}")),
            ("GET", format!("/repos/{REPO}/git/ref/heads/main")),
            ("GET", format!("/repos/{REPO}/git/commits/{BASE}")),
            ("POST", format!("/repos/{REPO}/git/blobs")),
            ("POST", format!("/repos/{REPO}/git/blobs")),
            ("POST", format!("/repos/{REPO}/git/trees")),
            ("POST", format!("/repos/{REPO}/git/commits")),
            ("POST", format!("/repos/{REPO}/git/refs")),
        ]
        .into_iter()
        .map(|(m, p)| (m.to_string(), p))
        .collect();
        assert_eq!(got, want);
        // The tree names both files, each with its blob, on top of the base tree.
        let reqs = server.received_requests().await.unwrap();
        let tree: Value = serde_json::from_slice(&reqs[5].body).unwrap();
        let paths: Vec<&str> = tree["tree"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, [".github/workflows/battbot.yml", "battbot-job.json"]);
        assert_eq!(tree["tree"][0]["sha"], json!(format!("b10b{:036}", 0)));
        assert_eq!(tree["tree"][0]["mode"], json!("100644"));
        // Personal-token auth.
        assert_eq!(
            reqs[0].headers.get("authorization").unwrap(),
            "Bearer ghp_test"
        );
    })
    .await
}

#[tokio::test]
async fn existing_reference_is_branch_exists_other_422_is_not() {
    within(async {
        let server = strict_server().await;
        let base_commit = mount_base(&server, 2).await;
        let base_tree = base_commit["tree"]["sha"].as_str().unwrap().to_string();
        mount_writes(&server, &base_tree, BASE, 2, 2).await;
        // GitHub's answer to creating a ref that exists (same 422 shape as the fixture).
        let mut exists = fixture("github/rest.recorded.validation-failed.422.json");
        exists["message"] = json!("Reference already exists");
        Mock::given(method("POST"))
            .and(path(format!("/repos/{REPO}/git/refs")))
            .and(body_partial_json(json!({"ref": format!("refs/heads/{BRANCH}")})))
            .respond_with(ResponseTemplate::new(422).set_body_json(exists))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("/repos/{REPO}/git/refs")))
            .and(body_partial_json(json!({"ref": "refs/heads/battbot/other"})))
            .respond_with(replay(422, "github/rest.recorded.validation-failed.422.json"))
            .expect(1)
            .mount(&server)
            .await;
        // Whose ref is it? Another delivery's commit, not the one this call made: a duplicate.
        let mut theirs = fixture("github/rest.recorded.create-ref.201.json");
        theirs["object"]["sha"] = json!("3333333333333333333333333333333333333333");
        Mock::given(method("GET"))
            .and(path(format!("/repos/{REPO}/git/ref/heads/{BRANCH}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(theirs))
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        let err = f
            .commit_files(REPO, BRANCH, &files(), &[], "job x", CommitMode::CreateBranch)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ForgeError::BranchExists { branch } if branch == BRANCH),
            "{err}"
        );
        let err = f
            .commit_files(REPO, "battbot/other", &files(), &[], "job x", CommitMode::CreateBranch)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ForgeError::Http { status: 422, ref body, .. } if body.contains("Validation Failed")),
            "{err}"
        );
    })
    .await
}

#[tokio::test]
async fn update_branch_retries_a_non_fast_forward() {
    within(async {
        let server = strict_server().await;
        let tip1 = "1111111111111111111111111111111111111111";
        let tip2 = "2222222222222222222222222222222222222222";
        let refs = format!("/repos/{REPO}/git/ref/heads/{BRANCH}");
        for (tip, prio) in [(tip1, 1u8), (tip2, 2)] {
            let mut r = fixture("github/rest.recorded.create-ref.201.json");
            r["object"]["sha"] = json!(tip);
            Mock::given(method("GET"))
                .and(path(refs.as_str()))
                .respond_with(ResponseTemplate::new(200).set_body_json(r))
                .up_to_n_times(1)
                .with_priority(prio)
                .expect(1)
                .mount(&server)
                .await;
            let mut c = fixture("github/rest.docs2020.create-commit.201.json");
            c["sha"] = json!(tip);
            c["tree"]["sha"] = json!(format!("{tip}-tree"));
            Mock::given(method("GET"))
                .and(path(format!("/repos/{REPO}/git/commits/{tip}")))
                .respond_with(ResponseTemplate::new(200).set_body_json(c))
                .expect(1)
                .mount(&server)
                .await;
            let blob_times = if prio == 1 { 2 } else { 0 };
            mount_writes(&server, &format!("{tip}-tree"), tip, 1, blob_times).await;
        }
        let new = fixture("github/rest.docs2020.create-commit.201.json")["sha"].clone();
        let patch = format!("/repos/{REPO}/git/refs/heads/{BRANCH}");
        Mock::given(method("PATCH"))
            .and(path(patch.as_str()))
            .respond_with(ResponseTemplate::new(422).set_body_json(
                json!({"message": "Update is not a fast forward", "documentation_url": "d"}),
            ))
            .up_to_n_times(1)
            .with_priority(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("PATCH"))
            .and(path(patch.as_str()))
            .and(body_partial_json(json!({"sha": new, "force": false})))
            .respond_with(replay(200, "github/rest.recorded.update-ref.200.json"))
            .with_priority(2)
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        let sha = f
            .commit_files(
                REPO,
                BRANCH,
                &files(),
                &[],
                "job x",
                CommitMode::UpdateBranch,
            )
            .await
            .unwrap();
        assert_eq!(sha, new.as_str().unwrap());
    })
    .await
}

#[tokio::test]
async fn reads_lists_and_deletes() {
    within(async {
        let server = strict_server().await;
        let text = b"{\"summary\": 1}\n".repeat(10);
        // GitHub wraps base64 at 60 columns.
        let wrapped: String = b64(&text)
            .as_bytes()
            .chunks(60)
            .map(|c| format!("{}\n", std::str::from_utf8(c).unwrap()))
            .collect();
        Mock::given(method("GET"))
            .and(path(format!(
                "/repos/{REPO}/contents/reports/a%20b/summary.json"
            )))
            .and(query_param("ref", BRANCH))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "type": "file", "encoding": "base64", "content": wrapped, "sha": "s"
            })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("/repos/{REPO}/contents/missing.txt")))
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})))
            .expect(1)
            .mount(&server)
            .await;
        let mut tree = fixture("github/rest.docs2020.create-tree.201.json");
        tree["truncated"] = json!(false);
        tree["tree"] = json!([
            {"path": "reports", "type": "tree", "mode": "040000", "sha": "t"},
            {"path": "reports/x.md", "type": "blob", "mode": "100644", "sha": "1"},
            {"path": "reports/y/z.png", "type": "blob", "mode": "100644", "sha": "2"},
            {"path": "reportsbis/no.md", "type": "blob", "mode": "100644", "sha": "3"},
            {"path": "README.md", "type": "blob", "mode": "100644", "sha": "4"}
        ]);
        Mock::given(method("GET"))
            .and(path(format!("/repos/{REPO}/git/trees/main")))
            .and(query_param("recursive", "1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(tree))
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path(format!("/repos/{REPO}/git/refs/heads/{BRANCH}")))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path(format!("/repos/{REPO}/git/refs/heads/battbot/gone")))
            .respond_with(
                ResponseTemplate::new(422)
                    .set_body_json(json!({"message": "Reference does not exist"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        let got = f
            .read_file(REPO, BRANCH, "reports/a b/summary.json")
            .await
            .unwrap();
        assert_eq!(got.as_deref(), Some(&text[..]));
        assert_eq!(
            f.read_file(REPO, "main", "missing.txt").await.unwrap(),
            None
        );
        assert_eq!(
            f.list_files(REPO, "main", "reports").await.unwrap(),
            ["reports/x.md", "reports/y/z.png"]
        );
        assert_eq!(f.list_files(REPO, "main", "").await.unwrap().len(), 4);
        f.delete_branch(REPO, BRANCH).await.unwrap();
        f.delete_branch(REPO, "battbot/gone").await.unwrap();
    })
    .await
}

#[tokio::test]
async fn lists_job_branches_with_commit_times() {
    within(async {
        let server = strict_server().await;
        let mut refs = fixture("github/rest.recorded.list-refs.200.json");
        let first = refs[0].clone();
        let mut a = first.clone();
        a["ref"] = json!("refs/heads/battbot/job-a");
        a["object"]["sha"] = json!("aaaa");
        refs = json!([a]);
        Mock::given(method("GET"))
            .and(path(format!(
                "/repos/{REPO}/git/matching-refs/heads/battbot/"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(refs))
            .expect(1)
            .mount(&server)
            .await;
        let mut c = fixture("github/rest.docs2020.create-commit.201.json");
        c["committer"]["date"] = json!("2023-11-14T22:13:20Z");
        Mock::given(method("GET"))
            .and(path(format!("/repos/{REPO}/git/commits/aaaa")))
            .respond_with(ResponseTemplate::new(200).set_body_json(c))
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        let branches = f.list_branches(REPO, "battbot/").await.unwrap();
        assert_eq!(branches.len(), 1);
        assert_eq!(branches[0].name, "battbot/job-a");
        assert_eq!(branches[0].commit, "aaaa");
        assert_eq!(branches[0].committed_at, 1_700_000_000);
    })
    .await
}

fn comment(login: &str, body: &str) -> Value {
    let mut c = fixture("github/rest.docs2020.create-issue-comment.201.json");
    c["user"]["login"] = json!(login);
    c["body"] = json!(body);
    c
}

#[tokio::test]
async fn replies_markers_and_reactions() {
    within(async {
        let server = strict_server().await;
        let comments = format!("/repos/{REPO}/issues/12/comments");
        let next = format!(
            "<{}{comments}?per_page=100&page=2>; rel=\"next\"",
            server.uri()
        );
        Mock::given(method("GET"))
            .and(path(comments.as_str()))
            .and(query_param("page", "1"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("link", next.as_str())
                    .set_body_json(json!([
                        comment("alice", "@battbot simulate"),
                        comment("battbot[bot]", "<!-- battbot:ack-c1 --> on it")
                    ])),
            )
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(comments.as_str()))
            .and(query_param("page", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([comment(
                "BattBot[bot]",
                "<!-- battbot:report-x --> done"
            )])))
            .expect(2)
            .mount(&server)
            .await;
        // The first POST answers 502 (it may have been posted): the forge checks the
        // replies before repeating, finds nothing new, and posts once more.
        Mock::given(method("POST"))
            .and(path(comments.as_str()))
            .and(body_partial_json(json!({"body": "hello"})))
            .respond_with(ResponseTemplate::new(502))
            .up_to_n_times(1)
            .with_priority(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(comments.as_str()))
            .and(body_partial_json(json!({"body": "hello"})))
            .respond_with(replay(
                201,
                "github/rest.docs2020.create-issue-comment.201.json",
            ))
            .with_priority(2)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!(
                "/repos/{REPO}/issues/comments/987654/reactions"
            )))
            .and(body_partial_json(json!({"content": "eyes"})))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(json!({"id": 1, "content": "eyes"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        // A review comment's id is unknown to the issue-comments endpoint.
        Mock::given(method("POST"))
            .and(path(format!("/repos/{REPO}/issues/comments/555/reactions")))
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("/repos/{REPO}/pulls/comments/555/reactions")))
            .and(body_partial_json(json!({"content": "eyes"})))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(json!({"id": 2, "content": "eyes"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let sleeper = Arc::new(RecordingSleeper::default());
        let f = forge(&server, sleeper.clone());
        let thread = Thread {
            repo: REPO.into(),
            number: 12,
        };
        f.react(&thread, 555, "eyes").await.unwrap();
        assert_eq!(
            f.bot_replies(&thread).await.unwrap(),
            [
                "<!-- battbot:ack-c1 --> on it",
                "<!-- battbot:report-x --> done"
            ]
        );
        f.reply(&thread, "hello").await.unwrap();
        f.react(&thread, 987654, "eyes").await.unwrap();
        assert_eq!(
            sleeper.waits().len(),
            1,
            "one backoff before the checked repeat"
        );
    })
    .await
}

#[tokio::test]
async fn a_reply_that_landed_despite_an_error_is_not_posted_twice() {
    within(async {
        let server = strict_server().await;
        let comments = format!("/repos/{REPO}/issues/3/comments");
        Mock::given(method("POST"))
            .and(path(comments.as_str()))
            .respond_with(ResponseTemplate::new(500))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(comments.as_str()))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!([comment("battbot[bot]", "once")])),
            )
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        let thread = Thread {
            repo: REPO.into(),
            number: 3,
        };
        f.reply(&thread, "once").await.unwrap();
    })
    .await
}

#[tokio::test]
async fn permissions_map_from_the_collaborator_api() {
    within(async {
        let server = strict_server().await;
        for (user, status, body) in [
            (
                "recorded",
                200,
                fixture("github/rest.recorded.collaborator-permission.200.json"),
            ),
            (
                "docs",
                200,
                fixture("github/rest.docs2020.collaborator-permission.200.json"),
            ),
            (
                "maint",
                200,
                json!({"permission": "write", "role_name": "maintain"}),
            ),
            (
                "reader",
                200,
                json!({"permission": "read", "role_name": "read"}),
            ),
            ("stranger", 404, json!({"message": "Not Found"})),
        ] {
            Mock::given(method("GET"))
                .and(path(format!(
                    "/repos/{REPO}/collaborators/{user}/permission"
                )))
                .respond_with(ResponseTemplate::new(status).set_body_json(body))
                .expect(1)
                .mount(&server)
                .await;
        }
        let f = forge(&server, Arc::default());
        crate::common::assert_permissions(
            &f,
            REPO,
            &[
                ("recorded", Permission::Admin),
                ("docs", Permission::Admin),
                ("maint", Permission::Maintain),
                ("reader", Permission::Read),
                ("stranger", Permission::None),
            ],
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn workflow_runs_give_the_pipeline_state_and_are_cancelled() {
    within(async {
        let server = strict_server().await;
        let runs = format!("/repos/{REPO}/actions/runs");
        // Recorded: the newest run is completed/success.
        Mock::given(method("GET"))
            .and(path(runs.as_str()))
            .and(query_param("branch", "done"))
            .respond_with(replay(
                200,
                "github/rest.recorded.list-workflow-runs.200.json",
            ))
            .expect(1)
            .mount(&server)
            .await;
        // Docs: a queued run.
        Mock::given(method("GET"))
            .and(path(runs.as_str()))
            .and(query_param("branch", "queued"))
            .respond_with(replay(
                200,
                "github/rest.docs2020.list-workflow-runs.200.json",
            ))
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(runs.as_str()))
            .and(query_param("branch", BRANCH))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"total_count": 0, "workflow_runs": []})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let queued_id = fixture("github/rest.docs2020.list-workflow-runs.200.json")
            ["workflow_runs"][0]["id"]
            .as_u64()
            .unwrap();
        Mock::given(method("POST"))
            .and(path(format!("{runs}/{queued_id}/cancel")))
            .respond_with(ResponseTemplate::new(202).set_body_json(json!({})))
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        assert_eq!(
            f.pipeline_state(REPO, "done").await.unwrap(),
            PipelineState::Success
        );
        assert_eq!(
            f.pipeline_state(REPO, "queued").await.unwrap(),
            PipelineState::Pending
        );
        assert_eq!(
            f.pipeline_state(REPO, BRANCH).await.unwrap(),
            PipelineState::Missing
        );
        f.cancel_pipeline(REPO, "queued").await.unwrap();
    })
    .await
}

fn fixture_headers(name: &str) -> Vec<(String, String)> {
    fixture(name)["headers"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| {
            // Framing headers describe the recorded body, not ours.
            !matches!(
                k.to_ascii_lowercase().as_str(),
                "content-length"
                    | "transfer-encoding"
                    | "content-encoding"
                    | "status"
                    | "connection"
            )
        })
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

fn limited(body: &str, headers: &[(String, String)]) -> ResponseTemplate {
    let mut t = replay(403, body);
    for (k, v) in headers {
        t = t.insert_header(k.as_str(), v.as_str());
    }
    t
}

#[tokio::test]
async fn secondary_rate_limit_waits_retry_after_then_succeeds() {
    within(async {
        let server = strict_server().await;
        let headers = fixture_headers("github/rest.recorded.secondary-rate-limit.403.headers.json");
        let p = format!("/repos/{REPO}/collaborators/alice/permission");
        Mock::given(method("GET"))
            .and(path(p.as_str()))
            .respond_with(limited(
                "github/rest.recorded.secondary-rate-limit.403.json",
                &headers,
            ))
            .up_to_n_times(1)
            .with_priority(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(p.as_str()))
            .respond_with(replay(
                200,
                "github/rest.recorded.collaborator-permission.200.json",
            ))
            .with_priority(2)
            .expect(1)
            .mount(&server)
            .await;
        let sleeper = Arc::new(RecordingSleeper::default());
        let stats = Arc::new(battbot::outbound::OutboundStats::default());
        let f = GithubForge::new(GithubForgeConfig {
            base_url: server.uri(),
            auth: GithubAuth::Token("ghp_test".into()),
            bot_login: "battbot[bot]".into(),
            retry: RetryPolicy {
                stats: stats.clone(),
                ..policy(sleeper.clone())
            },
        })
        .unwrap();
        assert_eq!(
            f.permission(REPO, "alice").await.unwrap(),
            Permission::Admin
        );
        // Retry-After: 60 in the recorded headers.
        assert_eq!(sleeper.waits(), [Duration::from_secs(60)]);
        // Both attempts and the wait are counted for /metrics.
        assert_eq!(stats.total_calls(), 2);
        assert_eq!(stats.rate_limit_waits(), 1);
        assert_eq!(stats.retries(), 0, "a rate-limit wait is not a retry");
        let text = stats.render();
        assert!(
            text.contains("outcome=\"403\"} 1") && text.contains("outcome=\"200\"} 1"),
            "{text}"
        );
    })
    .await
}

#[tokio::test]
async fn primary_rate_limit_honours_reset_or_gives_up() {
    within(async {
        let server = strict_server().await;
        let mut headers =
            fixture_headers("github/rest.recorded.rate-limit-exceeded.403.headers.json");
        let p = format!("/repos/{REPO}/collaborators/bob/permission");
        // The recorded headers have `x-ratelimit-remaining: 0` but no reset: add one 5 s
        // after the injected clock.
        headers.push(("x-ratelimit-reset".into(), (NOW + 5).to_string()));
        Mock::given(method("GET"))
            .and(path(p.as_str()))
            .respond_with(limited(
                "github/rest.recorded.rate-limit-exceeded.403.json",
                &headers,
            ))
            .up_to_n_times(1)
            .with_priority(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(p.as_str()))
            .respond_with(replay(
                200,
                "github/rest.docs2020.collaborator-permission.200.json",
            ))
            .with_priority(2)
            .expect(1)
            .mount(&server)
            .await;
        let sleeper = Arc::new(RecordingSleeper::default());
        let f = forge(&server, sleeper.clone());
        assert_eq!(f.permission(REPO, "bob").await.unwrap(), Permission::Admin);
        assert_eq!(sleeper.waits(), [Duration::from_secs(6)]);

        // A reset an hour away exceeds max_wait: RateLimited, one request, no sleep.
        let server2 = strict_server().await;
        let mut far = fixture_headers("github/rest.recorded.rate-limit-exceeded.403.headers.json");
        far.push(("x-ratelimit-reset".into(), (NOW + 3600).to_string()));
        Mock::given(method("GET"))
            .and(path(p.as_str()))
            .respond_with(limited(
                "github/rest.recorded.rate-limit-exceeded.403.json",
                &far,
            ))
            .expect(1)
            .mount(&server2)
            .await;
        let sleeper2 = Arc::new(RecordingSleeper::default());
        let f2 = forge(&server2, sleeper2.clone());
        let err = f2.permission(REPO, "bob").await.unwrap_err();
        assert!(
            matches!(
                err,
                ForgeError::RateLimited {
                    retry_after_s: 3601
                }
            ),
            "{err}"
        );
        assert!(err.is_transient());
        assert!(sleeper2.waits().is_empty());
    })
    .await
}

#[tokio::test]
async fn app_auth_finds_the_installation_and_caches_its_token() {
    within(async {
        let server = strict_server().await;
        Mock::given(method("GET"))
            .and(path(format!("/repos/{REPO}/installation")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 42, "app_id": 7})))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/app/installations/42/access_tokens"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({
                "token": "ghs_installation", "expires_at": "2099-01-01T00:00:00Z",
                "permissions": {"contents": "write"}
            })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!(
                "/repos/{REPO}/collaborators/alice/permission"
            )))
            .and(header("authorization", "Bearer ghs_installation"))
            .respond_with(replay(
                200,
                "github/rest.recorded.collaborator-permission.200.json",
            ))
            .expect(2)
            .mount(&server)
            .await;
        let key = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/it/data/test-app-key.pem"
        ))
        .unwrap();
        let f = GithubForge::new(GithubForgeConfig {
            base_url: server.uri(),
            auth: GithubAuth::App {
                app_id: 7,
                private_key_pem: key,
            },
            bot_login: "battbot[bot]".into(),
            retry: policy(Arc::default()),
        })
        .unwrap();
        assert_eq!(
            f.permission(REPO, "alice").await.unwrap(),
            Permission::Admin
        );
        assert_eq!(
            f.permission(REPO, "alice").await.unwrap(),
            Permission::Admin
        );
        // The installation lookup is signed with the App's JWT.
        let reqs = server.received_requests().await.unwrap();
        let auth = reqs[0]
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(auth.starts_with("Bearer ey"), "{auth}");
    })
    .await
}

fn impatient(server: &MockServer, sleeper: Arc<RecordingSleeper>) -> GithubForge {
    let mut retry = policy(sleeper);
    retry.timeout = Duration::from_millis(300);
    GithubForge::new(GithubForgeConfig {
        base_url: server.uri(),
        auth: GithubAuth::Token("ghp_test".into()),
        bot_login: "battbot[bot]".into(),
        retry,
    })
    .unwrap()
}

#[tokio::test]
async fn a_read_that_times_out_is_retried_after_backoff() {
    within(async {
        let server = strict_server().await;
        let p = format!("/repos/{REPO}/collaborators/slow/permission");
        Mock::given(method("GET"))
            .and(path(p.as_str()))
            .respond_with(
                replay(200, "github/rest.recorded.collaborator-permission.200.json")
                    .set_delay(Duration::from_secs(3)),
            )
            .up_to_n_times(1)
            .with_priority(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(p.as_str()))
            .respond_with(replay(
                200,
                "github/rest.recorded.collaborator-permission.200.json",
            ))
            .with_priority(2)
            .expect(1)
            .mount(&server)
            .await;
        let sleeper = Arc::new(RecordingSleeper::default());
        let f = impatient(&server, sleeper.clone());
        assert_eq!(f.permission(REPO, "slow").await.unwrap(), Permission::Admin);
        assert_eq!(sleeper.waits(), [Duration::from_millis(500)]);
    })
    .await
}

#[tokio::test]
async fn a_timed_out_reply_is_checked_then_posted_once_more() {
    within(async {
        let server = strict_server().await;
        let comments = format!("/repos/{REPO}/issues/5/comments");
        Mock::given(method("POST"))
            .and(path(comments.as_str()))
            .respond_with(
                replay(201, "github/rest.docs2020.create-issue-comment.201.json")
                    .set_delay(Duration::from_secs(3)),
            )
            .up_to_n_times(1)
            .with_priority(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(comments.as_str()))
            .respond_with(replay(
                201,
                "github/rest.docs2020.create-issue-comment.201.json",
            ))
            .with_priority(2)
            .expect(1)
            .mount(&server)
            .await;
        // The check finds no such reply yet (only someone else's comment).
        Mock::given(method("GET"))
            .and(path(comments.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([comment("alice", "hi")])))
            .expect(1)
            .mount(&server)
            .await;
        let f = impatient(&server, Arc::default());
        let thread = Thread {
            repo: REPO.into(),
            number: 5,
        };
        f.reply(&thread, "report ready").await.unwrap();
        let methods: Vec<String> = requests(&server)
            .await
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        assert_eq!(methods, ["POST", "GET", "POST"]);
    })
    .await
}

#[tokio::test]
async fn a_ref_created_despite_a_502_is_confirmed_not_recreated() {
    within(async {
        let server = strict_server().await;
        let base_commit = mount_base(&server, 1).await;
        let base_tree = base_commit["tree"]["sha"].as_str().unwrap().to_string();
        mount_writes(&server, &base_tree, BASE, 1, 1).await;
        let new = fixture("github/rest.docs2020.create-commit.201.json")["sha"].clone();
        Mock::given(method("POST"))
            .and(path(format!("/repos/{REPO}/git/refs")))
            .respond_with(ResponseTemplate::new(502))
            .expect(1)
            .mount(&server)
            .await;
        let mut landed = fixture("github/rest.recorded.create-ref.201.json");
        landed["ref"] = json!(format!("refs/heads/{BRANCH}"));
        landed["object"]["sha"] = new.clone();
        Mock::given(method("GET"))
            .and(path(format!("/repos/{REPO}/git/ref/heads/{BRANCH}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(landed))
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        let sha = f
            .commit_files(
                REPO,
                BRANCH,
                &files(),
                &[],
                "job x",
                CommitMode::CreateBranch,
            )
            .await
            .unwrap();
        assert_eq!(sha, new.as_str().unwrap());
    })
    .await
}

#[tokio::test]
async fn org_membership_is_204_and_404_is_no() {
    within(async {
        let server = strict_server().await;
        for (user, status) in [("member", 204), ("outsider", 404)] {
            Mock::given(method("GET"))
                .and(path(format!("/orgs/pybamm-team/members/{user}")))
                .respond_with(ResponseTemplate::new(status))
                .expect(1)
                .mount(&server)
                .await;
        }
        Mock::given(method("GET"))
            .and(path("/orgs/pybamm-team/members/boom"))
            .respond_with(
                ResponseTemplate::new(401).set_body_json(json!({"message": "Bad credentials"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        assert!(f
            .is_org_member(REPO, "pybamm-team", "member")
            .await
            .unwrap());
        assert!(!f
            .is_org_member(REPO, "pybamm-team", "outsider")
            .await
            .unwrap());
        let err = f
            .is_org_member(REPO, "pybamm-team", "boom")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("401"), "{err}");
    })
    .await
}

#[tokio::test]
async fn alert_issues_are_created_once_then_updated_and_closed() {
    within(async {
        let server = strict_server().await;
        let list = format!("/repos/{REPO}/issues");
        let marker = "<!-- battbot-alert:platform-twitter -->";
        // First: no alert issue yet → one is created with the label and the marker.
        Mock::given(method("GET"))
            .and(path(list.as_str()))
            .and(query_param("labels", "battbot-alert"))
            .and(query_param("state", "all"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                {"number": 3, "body": "another alert\n\n<!-- battbot-alert:platform-slack -->"}
            ])))
            .up_to_n_times(1)
            .with_priority(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(list.as_str()))
            .and(body_partial_json(json!({"labels": ["battbot-alert"]})))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"number": 7})))
            .expect(1)
            .mount(&server)
            .await;
        // Then: the issue exists → it is updated, and closed when the platform recovers.
        Mock::given(method("GET"))
            .and(path(list.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                {"number": 7, "body": format!("down\n\n{marker}")}
            ])))
            .with_priority(2)
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(method("PATCH"))
            .and(path(format!("/repos/{REPO}/issues/7")))
            .and(body_partial_json(json!({"state": "open"})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"number": 7})))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("PATCH"))
            .and(path(format!("/repos/{REPO}/issues/7")))
            .and(body_partial_json(json!({"state": "closed"})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"number": 7})))
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        let key = "platform-twitter";
        f.upsert_alert(REPO, key, "twitter refuses", "since 12:00", true)
            .await
            .unwrap();
        let reqs = server.received_requests().await.unwrap();
        let created: Value = serde_json::from_slice(&reqs[1].body).unwrap();
        assert!(
            created["body"].as_str().unwrap().ends_with(marker),
            "{created}"
        );
        f.upsert_alert(REPO, key, "twitter refuses", "still", true)
            .await
            .unwrap();
        f.upsert_alert(REPO, key, "twitter refuses", "recovered", false)
            .await
            .unwrap();
    })
    .await
}
