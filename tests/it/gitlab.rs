//! `GitlabForge` against a strict wiremock GitLab replaying tests/data/fixtures/gitlab.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use battbot::forge::gitlab::{GitlabForge, GitlabForgeConfig};
use battbot::forge::{
    CommitMode, Conversation, FileChange, Forge, ForgeError, Permission, PipelineState, Thread,
};
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

const PROJECT: &str = "runners/battbot-runner";
const P: &str = "/api/v4/projects/runners%2Fbattbot-runner";
const BRANCH: &str = "battbot/gl-group-proj-1-c1244";
const BRANCH_ENC: &str = "battbot%2Fgl-group-proj-1-c1244";

fn forge(server: &MockServer, sleeper: Arc<RecordingSleeper>) -> GitlabForge {
    GitlabForge::new(GitlabForgeConfig {
        base_url: server.uri(),
        token: "glpat-test".into(),
        bot_username: "battbot".into(),
        retry: policy(sleeper),
    })
    .unwrap()
}

fn files() -> Vec<FileChange> {
    vec![
        FileChange::new(".gitlab-ci.yml", "run:\n  script: battbot run-job\n"),
        FileChange::new("battbot-job.json", vec![0xff, 0x00, b'{', b'}']),
    ]
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"message": "404 Not Found"}))
}

/// The form fields of a request body, in order.
fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

async fn mount_project(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(P))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 855, "path_with_namespace": PROJECT, "default_branch": "main"
        })))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn commit_to_new_branch_is_one_multi_action_commit() {
    within(async {
        let server = strict_server().await;
        Mock::given(method("GET"))
            .and(path(format!("{P}/repository/branches/{BRANCH_ENC}")))
            .respond_with(not_found())
            .expect(1)
            .mount(&server)
            .await;
        mount_project(&server).await;
        // .gitlab-ci.yml exists on main (update), the job file does not (create).
        Mock::given(method("HEAD"))
            .and(path(format!("{P}/repository/files/.gitlab-ci.yml")))
            .and(query_param("ref", "main"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("HEAD"))
            .and(path(format!("{P}/repository/files/battbot-job.json")))
            .and(query_param("ref", "main"))
            .respond_with(ResponseTemplate::new(404))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{P}/repository/commits")))
            .and(header("private-token", "glpat-test"))
            .respond_with(replay(201, "gitlab/api.create-commit.docs.json"))
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        let id = f
            .commit_files(
                PROJECT,
                BRANCH,
                &files(),
                &[],
                "job 1244",
                CommitMode::CreateBranch,
            )
            .await
            .unwrap();
        assert_eq!(
            id,
            fixture("gitlab/api.create-commit.docs.json")["id"]
                .as_str()
                .unwrap()
        );
        let reqs = server.received_requests().await.unwrap();
        assert_eq!(reqs.len(), 5, "branch, project, 2 file checks, commit");
        let fields = form(&reqs[4].body);
        let get = |k: &str| -> Vec<&str> {
            fields
                .iter()
                .filter(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        assert_eq!(get("branch"), [BRANCH]);
        assert_eq!(get("start_branch"), ["main"]);
        assert_eq!(get("commit_message"), ["job 1244"]);
        assert_eq!(get("actions[][action]"), ["update", "create"]);
        assert_eq!(
            get("actions[][file_path]"),
            [".gitlab-ci.yml", "battbot-job.json"]
        );
        assert_eq!(get("actions[][encoding]"), ["base64", "base64"]);
        let decoded: Vec<Vec<u8>> = get("actions[][content]")
            .iter()
            .map(|c| base64::engine::general_purpose::STANDARD.decode(c).unwrap())
            .collect();
        assert_eq!(
            decoded,
            [files()[0].contents.clone(), files()[1].contents.clone()]
        );
    })
    .await
}

#[tokio::test]
async fn existing_branch_is_branch_exists_before_or_during_the_commit() {
    within(async {
        let server = strict_server().await;
        // Before: the branch is already there (recorded Branch entity); no commit is sent.
        Mock::given(method("GET"))
            .and(path(format!("{P}/repository/branches/{BRANCH_ENC}")))
            .respond_with(replay(200, "gitlab/api.get-branch.recorded.kitware.json"))
            .expect(1)
            .mount(&server)
            .await;
        // During: created concurrently; GitLab refuses the commit with 400.
        Mock::given(method("GET"))
            .and(path(format!("{P}/repository/branches/battbot%2Frace")))
            .respond_with(not_found())
            .expect(1)
            .mount(&server)
            .await;
        mount_project(&server).await;
        Mock::given(method("HEAD"))
            .and(path(format!("{P}/repository/files/only.txt")))
            .respond_with(ResponseTemplate::new(404))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{P}/repository/commits")))
            .and(body_string_contains("branch=battbot%2Frace"))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({
                "message": "A branch called 'battbot/race' already exists. Switch to that branch in order to make changes"
            })))
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        let err = f
            .commit_files(PROJECT, BRANCH, &files(), &[], "m", CommitMode::CreateBranch)
            .await
            .unwrap_err();
        assert!(matches!(&err, ForgeError::BranchExists { branch } if branch == BRANCH), "{err}");
        let err = f
            .commit_files(
                PROJECT,
                "battbot/race",
                &[FileChange::new("only.txt", "x")],
                &[],
                "m",
                CommitMode::CreateBranch,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, ForgeError::BranchExists { .. }), "{err}");
    })
    .await
}

#[tokio::test]
async fn update_branch_commits_on_the_branch_and_deletes_existing_files() {
    within(async {
        let server = strict_server().await;
        Mock::given(method("GET"))
            .and(path(format!("{P}/repository/branches/state")))
            .respond_with(replay(200, "gitlab/api.get-branch.recorded.kitware.json"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("HEAD"))
            .and(path(format!("{P}/repository/files/last_seen.txt")))
            .and(query_param("ref", "state"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("HEAD"))
            .and(path(format!("{P}/repository/files/old%2Fgone.txt")))
            .and(query_param("ref", "state"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("HEAD"))
            .and(path(format!("{P}/repository/files/never.txt")))
            .respond_with(ResponseTemplate::new(404))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{P}/repository/commits")))
            .respond_with(replay(201, "gitlab/api.create-commit.docs.json"))
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        f.commit_files(
            PROJECT,
            "state",
            &[FileChange::new("last_seen.txt", "42")],
            &["old/gone.txt".to_string(), "never.txt".to_string()],
            "state",
            CommitMode::UpdateBranch,
        )
        .await
        .unwrap();
        let reqs = server.received_requests().await.unwrap();
        let fields = form(&reqs.last().unwrap().body);
        let actions: Vec<&str> = fields
            .iter()
            .filter(|(k, _)| k == "actions[][action]")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(actions, ["update", "delete"]);
        assert!(!fields.iter().any(|(k, _)| k == "start_branch"));
    })
    .await
}

#[tokio::test]
async fn reads_lists_branches_and_deletes() {
    within(async {
        let server = strict_server().await;
        Mock::given(method("GET"))
            .and(path(format!("{P}/repository/files/reports%2Fa.png/raw")))
            .and(query_param("ref", "main"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![0x89, b'P', b'N', b'G']))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{P}/repository/files/nope.txt/raw")))
            .respond_with(not_found())
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{P}/repository/tree")))
            .and(query_param("path", "reports"))
            .and(query_param("recursive", "true"))
            .and(query_param("ref", "main"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                {"id": "1", "name": "x", "type": "tree", "path": "reports/x", "mode": "040000"},
                {"id": "2", "name": "a.png", "type": "blob", "path": "reports/x/a.png", "mode": "100644"}
            ])))
            .expect(1)
            .mount(&server)
            .await;
        let mut branch = fixture("gitlab/api.get-branch.recorded.kitware.json");
        branch["name"] = json!(BRANCH);
        let mut other = branch.clone();
        other["name"] = json!("feature/battbot/x");
        Mock::given(method("GET"))
            .and(path(format!("{P}/repository/branches")))
            .and(query_param("search", "^battbot/"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([branch, other])))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path(format!("{P}/repository/branches/{BRANCH_ENC}")))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path(format!("{P}/repository/branches/battbot%2Fgone")))
            .respond_with(not_found())
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        assert_eq!(
            f.read_file(PROJECT, "main", "reports/a.png").await.unwrap(),
            Some(vec![0x89, b'P', b'N', b'G'])
        );
        assert_eq!(f.read_file(PROJECT, "main", "nope.txt").await.unwrap(), None);
        assert_eq!(
            f.list_files(PROJECT, "main", "reports").await.unwrap(),
            ["reports/x/a.png"]
        );
        let branches = f.list_branches(PROJECT, "battbot/").await.unwrap();
        assert_eq!(branches.len(), 1);
        assert_eq!(branches[0].name, BRANCH);
        let recorded = fixture("gitlab/api.get-branch.recorded.kitware.json");
        assert_eq!(branches[0].commit, recorded["commit"]["id"].as_str().unwrap());
        // 2023-12-30T08:52:08.000-05:00
        assert_eq!(branches[0].committed_at, 1_703_944_328);
        f.delete_branch(PROJECT, BRANCH).await.unwrap();
        f.delete_branch(PROJECT, "battbot/gone").await.unwrap();
    })
    .await
}

#[tokio::test]
async fn notes_award_emoji_and_bot_replies() {
    within(async {
        let server = strict_server().await;
        let mr_notes = "/api/v4/projects/group%2Fproj/merge_requests/1/notes";
        let note = fixture("gitlab/api.mr-note.recorded.kitware.json");
        let mut mine = note.clone();
        mine["author"]["username"] = json!("battbot");
        mine["body"] = json!("<!-- battbot:ack-c1244 --> queued");
        Mock::given(method("GET"))
            .and(path(mr_notes))
            .and(query_param("sort", "asc"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([note, mine])))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(mr_notes))
            .and(body_string_contains("body=done"))
            .respond_with(replay(201, "gitlab/api.mr-note.recorded.kitware.json"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(
                "/api/v4/projects/group%2Fproj/issues/17/notes/1241/award_emoji",
            ))
            .and(body_string_contains("name=eyes"))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(json!({"id": 1, "name": "eyes"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let sha = "cfe32cf61b73a0d5e9f13e774abde7ff789b1660";
        Mock::given(method("POST"))
            .and(path(format!(
                "/api/v4/projects/group%2Fproj/repository/commits/{sha}/comments"
            )))
            .and(body_string_contains("note=on+the+commit"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({
                "note": "on the commit", "author": {"username": "battbot"}
            })))
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        let mr = Thread {
            repo: "group/proj/-/merge_requests".into(),
            number: 1,
        };
        assert_eq!(
            f.bot_replies(&mr).await.unwrap(),
            ["<!-- battbot:ack-c1244 --> queued"]
        );
        f.reply(&mr, "done").await.unwrap();
        let issue = Thread {
            repo: "group/proj".into(),
            number: 17,
        };
        f.react(&issue, 1241, "eyes").await.unwrap();
        let commit = Thread {
            repo: format!("group/proj/-/commit/{sha}"),
            number: 0,
        };
        f.reply(&commit, "on the commit").await.unwrap();
        // No award emoji on commit notes: no request.
        f.react(&commit, 1243, "eyes").await.unwrap();
    })
    .await
}

#[tokio::test]
async fn member_access_levels_map_to_permissions() {
    within(async {
        let server = strict_server().await;
        for (user, id, level) in [("dev", 7u64, 30u64), ("maint", 8, 40), ("rep", 9, 20)] {
            Mock::given(method("GET"))
                .and(path("/api/v4/users"))
                .and(query_param("username", user))
                .respond_with(
                    ResponseTemplate::new(200).set_body_json(json!([{"id": id, "username": user}])),
                )
                .expect(1)
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path(format!("{P}/members/all/{id}")))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!({"id": id, "access_level": level})),
                )
                .expect(1)
                .mount(&server)
                .await;
        }
        Mock::given(method("GET"))
            .and(path("/api/v4/users"))
            .and(query_param("username", "ghost"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v4/users"))
            .and(query_param("username", "outsider"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 10}])))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{P}/members/all/10")))
            .respond_with(not_found())
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        crate::common::assert_permissions(
            &f,
            PROJECT,
            &[
                ("dev", Permission::Write),
                ("maint", Permission::Maintain),
                ("rep", Permission::Triage),
                ("ghost", Permission::None),
                ("outsider", Permission::None),
            ],
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn pipelines_of_a_branch_state_and_cancel() {
    within(async {
        let server = strict_server().await;
        let pipelines = format!("{P}/pipelines");
        let recorded = fixture("gitlab/api.list-pipelines.item.recorded.kitware.json");
        Mock::given(method("GET"))
            .and(path(pipelines.as_str()))
            .and(query_param("ref", "done"))
            .and(query_param("order_by", "id"))
            .and(query_param("sort", "desc"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([recorded])))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(pipelines.as_str()))
            .and(query_param("ref", "none"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .expect(1)
            .mount(&server)
            .await;
        let mut running = recorded.clone();
        running["id"] = json!(301);
        running["status"] = json!("running");
        let mut pending = recorded.clone();
        pending["id"] = json!(300);
        pending["status"] = json!("pending");
        let mut failed = recorded.clone();
        failed["id"] = json!(299);
        failed["status"] = json!("failed");
        Mock::given(method("GET"))
            .and(path(pipelines.as_str()))
            .and(query_param("ref", BRANCH))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!([running, pending, failed])),
            )
            .expect(2)
            .mount(&server)
            .await;
        for id in [301, 300] {
            Mock::given(method("POST"))
                .and(path(format!("{pipelines}/{id}/cancel")))
                .respond_with(replay(200, "gitlab/api.get-pipeline.recorded.kitware.json"))
                .expect(1)
                .mount(&server)
                .await;
        }
        let f = forge(&server, Arc::default());
        assert_eq!(
            f.pipeline_state(PROJECT, "done").await.unwrap(),
            PipelineState::Success
        );
        assert_eq!(
            f.pipeline_state(PROJECT, "none").await.unwrap(),
            PipelineState::Missing
        );
        assert_eq!(
            f.pipeline_state(PROJECT, BRANCH).await.unwrap(),
            PipelineState::Running
        );
        f.cancel_pipeline(PROJECT, BRANCH).await.unwrap();
    })
    .await
}

#[tokio::test]
async fn gitlab_429_waits_retry_after_and_too_long_is_rate_limited() {
    within(async {
        let server = strict_server().await;
        let raw = format!("{P}/repository/files/a.txt/raw");
        Mock::given(method("GET"))
            .and(path(raw.as_str()))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("retry-after", "2")
                    .insert_header("ratelimit-remaining", "0")
                    .set_body_string("Retry later"),
            )
            .up_to_n_times(1)
            .with_priority(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(raw.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_string("hi"))
            .with_priority(2)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{P}/repository/files/b.txt/raw")))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("ratelimit-remaining", "0")
                    .insert_header("ratelimit-reset", (NOW + 600).to_string()),
            )
            .expect(1)
            .mount(&server)
            .await;
        let sleeper = Arc::new(RecordingSleeper::default());
        let f = forge(&server, sleeper.clone());
        assert_eq!(
            f.read_file(PROJECT, "main", "a.txt").await.unwrap(),
            Some(b"hi".to_vec())
        );
        assert_eq!(sleeper.waits(), [Duration::from_secs(2)]);
        let err = f.read_file(PROJECT, "main", "b.txt").await.unwrap_err();
        assert!(
            matches!(err, ForgeError::RateLimited { retry_after_s: 601 }),
            "{err}"
        );
    })
    .await
}

#[tokio::test]
async fn a_commit_that_landed_despite_a_502_is_not_repeated() {
    within(async {
        let server = strict_server().await;
        let branch_path = format!("{P}/repository/branches/{BRANCH_ENC}");
        Mock::given(method("GET"))
            .and(path(branch_path.as_str()))
            .respond_with(not_found())
            .up_to_n_times(1)
            .with_priority(1)
            .expect(1)
            .mount(&server)
            .await;
        let mut landed = fixture("gitlab/api.get-branch.recorded.kitware.json");
        landed["name"] = json!(BRANCH);
        landed["commit"]["id"] = json!("c0ffee");
        landed["commit"]["message"] = json!("job 1244\n");
        Mock::given(method("GET"))
            .and(path(branch_path.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(landed))
            .with_priority(2)
            .expect(1)
            .mount(&server)
            .await;
        mount_project(&server).await;
        Mock::given(method("HEAD"))
            .and(path(format!("{P}/repository/files/only.txt")))
            .respond_with(ResponseTemplate::new(404))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{P}/repository/commits")))
            .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
            .expect(1)
            .mount(&server)
            .await;
        let f = forge(&server, Arc::default());
        let id = f
            .commit_files(
                PROJECT,
                BRANCH,
                &[FileChange::new("only.txt", "x")],
                &[],
                "job 1244",
                CommitMode::CreateBranch,
            )
            .await
            .unwrap();
        assert_eq!(id, "c0ffee");
    })
    .await
}

#[tokio::test]
async fn group_membership_needs_reporter_or_above() {
    within(async {
        let server = strict_server().await;
        for (user, id, member) in [
            ("dev", 7u64, Some(30u64)),
            ("guest", 8, Some(10)),
            ("outsider", 9, None),
        ] {
            Mock::given(method("GET"))
                .and(path("/api/v4/users"))
                .and(query_param("username", user))
                .respond_with(
                    ResponseTemplate::new(200).set_body_json(json!([{"id": id, "username": user}])),
                )
                .expect(1)
                .mount(&server)
                .await;
            let reply = match member {
                Some(level) => ResponseTemplate::new(200)
                    .set_body_json(json!({"id": id, "access_level": level})),
                None => not_found(),
            };
            Mock::given(method("GET"))
                .and(path(format!("/api/v4/groups/pybamm-team/members/{id}")))
                .respond_with(reply)
                .expect(1)
                .mount(&server)
                .await;
        }
        let f = forge(&server, Arc::default());
        assert!(f
            .is_org_member(PROJECT, "pybamm-team", "dev")
            .await
            .unwrap());
        assert!(!f
            .is_org_member(PROJECT, "pybamm-team", "guest")
            .await
            .unwrap());
        assert!(!f
            .is_org_member(PROJECT, "pybamm-team", "outsider")
            .await
            .unwrap());
    })
    .await
}
