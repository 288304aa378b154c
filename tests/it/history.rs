//! A request costs the same on day 1 and after many reports: finished jobs leave no
//! branch, idempotency by report, bounded index writes, O(1) reconciliation, migration.

use std::sync::Arc;

use axum::http::StatusCode;
use battbot::forge::counting::CountingForge;
use battbot::forge::local::LocalForge;
use battbot::forge::{CommitMode, FileChange, Forge};
use battbot::report::index::{self, Entry};
use battbot::server::reconcile;

use crate::support::{settle, TestBot, RUNNER_SECRET};

const SIMULATE: &str = "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"";

/// Runs the job of the only branch and posts its result; returns the job id and the body.
pub async fn run_the_job(bot: &TestBot) -> (String, Vec<u8>) {
    let branches = bot.job_branches().await;
    assert_eq!(branches.len(), 1, "{branches:?}");
    let bytes = bot
        .forge
        .read_file(&bot.runner_repo(), &branches[0], "battbot-job.json")
        .await
        .unwrap()
        .unwrap();
    let spec = battbot::job::JobSpec::from_json(&String::from_utf8(bytes).unwrap()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let result = battbot::runner::execute(&spec, out.path(), &mut Vec::new()).unwrap();
    (spec.id.to_string(), serde_json::to_vec(&result).unwrap())
}

async fn post_result(bot: &TestBot, id: &str, body: &[u8]) -> (StatusCode, String) {
    bot.advance(1);
    bot.callback(id, "result", body, bot.now(), RUNNER_SECRET)
        .await
}

/// Posts a signed callback to another app (a replica).
pub async fn callback_to(
    bot: &TestBot,
    app: &battbot::server::App,
    id: &str,
    kind: &str,
    body: &[u8],
) -> (StatusCode, String) {
    bot.advance(1);
    let now = bot.now();
    let key = battbot::runner::protocol::job_key(RUNNER_SECRET.as_bytes(), id);
    let sig = battbot::runner::protocol::sign(&key, now, body);
    let req = axum::http::Request::post(format!("/runner/v1/jobs/{id}/{kind}"))
        .header("content-type", "application/json")
        .header("x-battbot-timestamp", now.to_string())
        .header("x-battbot-signature", sig)
        .body(axum::body::Body::from(body.to_vec()))
        .unwrap();
    bot.send_to(app, req).await
}

pub fn finished(replies: &[String]) -> usize {
    replies.iter().filter(|r| r.contains("finished")).count()
}

#[tokio::test]
async fn a_redelivered_webhook_for_a_finished_job_after_its_branch_is_gone_makes_no_job_and_no_reply(
) {
    let bot = TestBot::new().await;
    bot.comment(SIMULATE, 31).await;
    bot.settle().await;
    let (id, body) = run_the_job(&bot).await;
    let (status, text) = post_result(&bot, &id, &body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    // Finished: the report is committed and the branch is gone.
    assert!(bot.job_branches().await.is_empty());
    assert_eq!(bot.report_commits(), 1);
    let replies = bot.replies().await;
    assert_eq!(replies.len(), 2, "{replies:?}");
    // GitHub redelivers the comment an hour later: nothing is created, nothing is said.
    bot.advance(3600);
    bot.comment(SIMULATE, 31).await;
    bot.settle().await;
    assert!(bot.job_branches().await.is_empty());
    assert_eq!(bot.replies().await, replies);
    // The runner retries its callback: the job is gone, which the runner takes as done.
    let (status, text) = post_result(&bot, &id, &body).await;
    assert_eq!(status, StatusCode::GONE, "{text}");
    assert_eq!(bot.report_commits(), 1);
    assert_eq!(bot.replies().await, replies);
}

#[tokio::test]
async fn a_failure_report_deletes_the_branch_too() {
    let bot = TestBot::new().await;
    bot.comment(SIMULATE, 32).await;
    bot.settle().await;
    let (id, _) = run_the_job(&bot).await;
    let failure = serde_json::json!({
        "job_id": id, "battbot_version": "0.1.0", "error": "boom", "log_tail": []
    });
    bot.advance(1);
    let (status, text) = bot
        .callback(
            &id,
            "failure",
            &serde_json::to_vec(&failure).unwrap(),
            bot.now(),
            RUNNER_SECRET,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(bot.job_branches().await.is_empty());
}

#[tokio::test]
async fn reconcile_and_status_with_no_pending_job_make_o1_forge_calls_whatever_the_history() {
    let bot = TestBot::new().await;
    // Three finished jobs on three issues.
    for i in 0..3u64 {
        let mut payload: serde_json::Value =
            serde_json::from_slice(&battbot::demo::comment_payload(SIMULATE, 40 + i).unwrap())
                .unwrap();
        payload["issue"]["number"] = (10 + i).into();
        bot.github(
            "issue_comment",
            &serde_json::to_vec(&payload).unwrap(),
            None,
        )
        .await;
        bot.settle().await;
        let (id, body) = run_the_job(&bot).await;
        assert_eq!(post_result(&bot, &id, &body).await.0, StatusCode::OK);
    }
    assert_eq!(bot.report_commits(), 3);
    let counting = Arc::new(CountingForge::new(bot.forge.clone()));
    let app = bot.replica(counting.clone());
    assert!(reconcile::run_once(&app).await.unwrap().is_empty());
    // One listing of the live job branches, nothing per finished job.
    assert_eq!(counting.total(), 1, "{:?}", counting.calls());
    counting.reset();
    bot.send_to(&app, bot.comment_request("@battbot status", 50))
        .await;
    settle(&app).await;
    let calls = counting.calls();
    assert_eq!(calls.get("list_branches"), Some(&1), "{calls:?}");
    // The reply's claim file (a fixed path), read when claimed and when removed: nothing per
    // report.
    assert_eq!(calls.get("read_file"), Some(&2), "{calls:?}");
}

fn entry(i: u64, month: &str, repo: &str) -> Entry {
    Entry {
        job_id: format!("gh-org-{repo}-{i}-c{}", 1000 + i),
        status: "success".into(),
        platform: "github".into(),
        repo: format!("org/{repo}"),
        number: i,
        user: "someone".into(),
        finished_at: format!("{month}-01T10:{:02}:{:02}Z", (i / 60) % 60, i % 60),
        command: "DFN Chen2020".into(),
        report: format!(
            "github/org/{repo}/{i}/gh-org-{repo}-{i}-c{}/report.md",
            1000 + i
        ),
        latency_s: Some(12.5),
        solve_s: 0.4,
        ..Entry::default()
    }
}

fn bytes_of(files: &[FileChange]) -> usize {
    files.iter().map(|f| f.contents.len()).sum()
}

async fn local_reports() -> (tempfile::TempDir, Arc<LocalForge>, String) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("reports.git");
    LocalForge::init_bare(&repo).await.unwrap();
    let forge = Arc::new(LocalForge::new(dir.path(), &repo));
    let repo = repo.to_string_lossy().to_string();
    (dir, forge, repo)
}

#[tokio::test]
async fn an_index_update_writes_a_bounded_number_of_bounded_files() {
    let (_dir, forge, repo) = local_reports().await;
    let mut written = Vec::new();
    for i in 0..120u64 {
        let e = entry(i, "2026-11", "a");
        let update = index::add(forge.as_ref(), &repo, "main", &e).await.unwrap();
        written.push((update.files.len(), bytes_of(&update.files)));
        forge
            .commit_files(
                &repo,
                "main",
                &update.files,
                &update.deletes,
                "r",
                CommitMode::UpdateBranch,
            )
            .await
            .unwrap();
    }
    // From the 30th report on, index.html and index/latest.json list their full
    // `LATEST_SIZE` newest reports: what a commit writes no longer grows.
    let (files_30, bytes_30) = written[29];
    let (files_120, bytes_120) = written[119];
    assert!(files_120 <= 7, "{files_120} files");
    assert!(files_120 <= files_30 + 1);
    assert!(
        bytes_120 as f64 <= 1.1 * bytes_30 as f64 + 4096.0,
        "30th: {bytes_30} B, 120th: {bytes_120} B"
    );
    // Everything is still there, in order.
    let all = index::read_all(forge.as_ref(), &repo, "main")
        .await
        .unwrap();
    assert_eq!(all.len(), 120);
    assert_eq!(all[119].job_id, entry(119, "2026-11", "a").job_id);
    let manifest = index::read_manifest(forge.as_ref(), &repo, "main")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(manifest.total, 120);
    assert_eq!(manifest.months[0].pages, 12);
}

#[tokio::test]
async fn a_legacy_index_json_is_migrated_on_the_first_commit() {
    let (_dir, forge, repo) = local_reports().await;
    let legacy: Vec<Entry> = (0..30)
        .map(|i| entry(i, if i < 15 { "2026-01" } else { "2026-02" }, "old"))
        .collect();
    forge
        .commit_files(
            &repo,
            "main",
            &[FileChange::new(
                index::LEGACY_INDEX_FILE,
                serde_json::to_string_pretty(&legacy).unwrap(),
            )],
            &[],
            "the index of an earlier battbot",
            CommitMode::UpdateBranch,
        )
        .await
        .unwrap();
    let new = entry(99, "2026-03", "new");
    let update = index::add(forge.as_ref(), &repo, "main", &new)
        .await
        .unwrap();
    assert_eq!(update.deletes, vec![index::LEGACY_INDEX_FILE.to_string()]);
    forge
        .commit_files(
            &repo,
            "main",
            &update.files,
            &update.deletes,
            "r",
            CommitMode::UpdateBranch,
        )
        .await
        .unwrap();
    assert!(forge
        .read_file(&repo, "main", index::LEGACY_INDEX_FILE)
        .await
        .unwrap()
        .is_none());
    let all = index::read_all(forge.as_ref(), &repo, "main")
        .await
        .unwrap();
    assert_eq!(all.len(), 31);
    let manifest = index::read_manifest(forge.as_ref(), &repo, "main")
        .await
        .unwrap()
        .unwrap();
    let months: Vec<_> = manifest
        .months
        .iter()
        .map(|m| (m.month.as_str(), m.count))
        .collect();
    assert_eq!(months, [("2026-01", 15), ("2026-02", 15), ("2026-03", 1)]);
    let readme = String::from_utf8(
        forge
            .read_file(&repo, "main", "README.md")
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert!(readme.contains("31 reports"), "{readme}");
    assert!(readme.contains(&new.report), "{readme}");
    for dir in ["github/org/old", "github/org/new"] {
        assert!(forge
            .read_file(&repo, "main", &format!("{dir}/README.md"))
            .await
            .unwrap()
            .is_some());
    }
    // The next commit is an ordinary one: only the new entry's files.
    let next = index::add(forge.as_ref(), &repo, "main", &entry(100, "2026-03", "new"))
        .await
        .unwrap();
    let paths: Vec<&str> = next.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "index/2026-03/0000/00.json",
            "index/manifest.json",
            "index/latest.json",
            "index.html",
            "README.md",
            "github/org/new/README.md"
        ]
    );
}

#[tokio::test]
async fn a_report_commit_rewrites_only_the_readme_of_its_own_repository() {
    let (_dir, forge, repo) = local_reports().await;
    for (i, r) in ["a", "b", "a"].iter().enumerate() {
        let update = index::add(
            forge.as_ref(),
            &repo,
            "main",
            &entry(i as u64, "2026-05", r),
        )
        .await
        .unwrap();
        let readmes: Vec<&str> = update
            .files
            .iter()
            .map(|f| f.path.as_str())
            .filter(|p| p.ends_with("/README.md"))
            .collect();
        assert_eq!(readmes, [format!("github/org/{r}/README.md")]);
        forge
            .commit_files(
                &repo,
                "main",
                &update.files,
                &[],
                "r",
                CommitMode::UpdateBranch,
            )
            .await
            .unwrap();
    }
    let a = String::from_utf8(
        forge
            .read_file(&repo, "main", "github/org/a/README.md")
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(a.matches("[report](").count(), 2, "{a}");
    // Newest first.
    assert!(
        a.find("gh-org-a-2-").unwrap() < a.find("gh-org-a-0-").unwrap(),
        "{a}"
    );
}

#[tokio::test]
async fn job_branches_are_listed_by_prefix_in_git_itself() {
    let (_dir, forge, repo) = local_reports().await;
    for b in [
        "battbot/gh-a-1-c2",
        "battbot/gh-a-12-c3",
        "battbot/gh-a-1-c4/deep",
        "other",
    ] {
        forge
            .commit_files(
                &repo,
                b,
                &[FileChange::new("x", "y")],
                &[],
                "b",
                CommitMode::CreateBranch,
            )
            .await
            .unwrap();
    }
    let names = |v: Vec<battbot::forge::Branch>| {
        let mut n: Vec<String> = v.into_iter().map(|b| b.name).collect();
        n.sort();
        n
    };
    assert_eq!(
        names(forge.list_branches(&repo, "battbot/gh-a-1-").await.unwrap()),
        ["battbot/gh-a-1-c2", "battbot/gh-a-1-c4/deep"]
    );
    assert_eq!(
        forge.list_branches(&repo, "battbot/").await.unwrap().len(),
        3
    );
    assert_eq!(forge.list_branches(&repo, "").await.unwrap().len(), 4);
    assert!(forge
        .list_branches(&repo, "battbot/gh-b")
        .await
        .unwrap()
        .is_empty());
}
