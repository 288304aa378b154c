//! GitLab's compare-and-swap commits against a strict fake: a moved branch is a conflict
//! before anything is written; each written file names its last commit as of the expected
//! tip (`last_commit_id`), new files are `create`s, and GitLab's "changed since" refusal
//! is a conflict the caller reads again after.

use std::sync::Arc;

use battbot::forge::gitlab::{GitlabForge, GitlabForgeConfig};
use battbot::forge::{FileChange, Forge, ForgeError};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

const PROJECT: &str = "runners/battbot-reports";
const P: &str = "/api/v4/projects/runners%2Fbattbot-reports";

fn forge(server: &MockServer) -> GitlabForge {
    GitlabForge::new(GitlabForgeConfig {
        base_url: server.uri(),
        token: "glpat-test".into(),
        bot_username: "battbot".into(),
        retry: policy(Arc::default()),
    })
    .unwrap()
}

async fn mount_state_branch(server: &MockServer) -> String {
    let tip = fixture("gitlab/api.get-branch.recorded.kitware.json")["commit"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    Mock::given(method("GET"))
        .and(path(format!("{P}/repository/branches/state")))
        .respond_with(replay(200, "gitlab/api.get-branch.recorded.kitware.json"))
        .mount(server)
        .await;
    tip
}

#[tokio::test]
async fn a_moved_branch_is_a_conflict_before_anything_is_written() {
    within(async {
        let server = strict_server().await;
        mount_state_branch(&server).await;
        let err = forge(&server)
            .commit_files_cas(
                PROJECT,
                "state",
                &[FileChange::new("claims/a.json", "{}")],
                &[],
                "claim",
                Some("0000000000000000000000000000000000000000"),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, ForgeError::Conflict { .. }), "{err}");
    })
    .await
}

#[tokio::test]
async fn each_file_is_guarded_by_its_last_commit_and_a_change_since_is_a_conflict() {
    within(async {
        let server = strict_server().await;
        let tip = mount_state_branch(&server).await;
        Mock::given(method("GET"))
            .and(path(format!("{P}/repository/files/index%2Fmanifest.json")))
            .and(query_param("ref", tip.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "file_path": "index/manifest.json", "last_commit_id": "abc123"
            })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{P}/repository/files/claims%2Fnew.json")))
            .respond_with(
                ResponseTemplate::new(404).set_body_json(json!({"message": "404 File Not Found"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{P}/repository/commits")))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({
                "message": "You are attempting to update a file that has changed since you started editing it."
            })))
            .expect(1)
            .mount(&server)
            .await;
        let err = forge(&server)
            .commit_files_cas(
                PROJECT,
                "state",
                &[
                    FileChange::new("index/manifest.json", "{}"),
                    FileChange::new("claims/new.json", "{}"),
                ],
                &[],
                "report",
                Some(&tip),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, ForgeError::Conflict { .. }), "{err}");
        let reqs = server.received_requests().await.unwrap();
        let fields: Vec<(String, String)> =
            url::form_urlencoded::parse(&reqs.last().unwrap().body)
                .into_owned()
                .collect();
        let get = |k: &str| -> Vec<&str> {
            fields
                .iter()
                .filter(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        assert_eq!(get("actions[][action]"), ["update", "create"]);
        assert_eq!(get("actions[][last_commit_id]"), ["abc123"]);
    })
    .await
}
