//! `Run path/in/repo.csv (A)` in a comment, through the whole loop: the app reads the CSV
//! from the comment's own repository at its default branch (the stateful GitHub fake, a
//! GitLab wiremock, the local forge of the demo), the job spec carries the rows, the runner
//! solves, the report comes back. Each attack is a test named after it: nothing is read
//! that should not be, nothing is queued, and the reply says what is wrong.

use std::collections::HashMap;
use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use battbot::forge::counting::CountingForge;
use battbot::forge::github::{GithubAuth, GithubForge, GithubForgeConfig};
use battbot::forge::retry::RetryPolicy;
use battbot::forge::{Conversation, Forge};
use battbot::job::JobSpec;
use battbot::server::{self, App, Forges};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::{within, RecordingSleeper};
use crate::fake_github::{FakeGithub, Fault, FaultKind};
use crate::idempotency::{config, CONVERSATION, REPORTS, RUNNER};
use crate::support::{TestClock, RUNNER_SECRET, WEBHOOK_SECRET};

/// A 2-minute current profile (A): a pulse, a rest, a charge.
pub const PROFILE: &str = "time [s],current [A]\n0,0\n10,2.5\n40,2.5\n60,0\n90,-1.5\n120,0\n";

/// A reply as read: without the escaping backslashes and the zero-width spaces that keep
/// names from becoming links.
pub fn plain(reply: &str) -> String {
    reply.replace(['\u{200B}', '\\'], "")
}

fn rows_of(csv: &str) -> Vec<[f64; 2]> {
    battbot::sim::drive_cycle::parse_csv("x", csv).unwrap()
}

/// The GitHub fake holding the runner, reports and the commented repository, and the app;
/// the conversations go through a counting forge (the calls a comment causes).
pub struct Rig {
    pub fake: FakeGithub,
    pub app: App,
    pub clock: Arc<TestClock>,
    pub counting: Arc<CountingForge>,
}

impl Rig {
    pub async fn new(
        files: &[(&str, Vec<u8>)],
        edit: impl FnOnce(&mut battbot::config::Config),
    ) -> Rig {
        let fake =
            FakeGithub::start(&[RUNNER, REPORTS, CONVERSATION, "other/repo"], "battbot").await;
        fake.put_files(CONVERSATION, files);
        fake.put_files("other/repo", &[("file.csv", PROFILE.into())]);
        let clock = Arc::new(TestClock(AtomicI64::new(
            time::OffsetDateTime::now_utc().unix_timestamp(),
        )));
        let retry = RetryPolicy {
            timeout: Duration::from_millis(400),
            sleeper: Arc::new(RecordingSleeper::default()),
            ..RetryPolicy::default()
        };
        let forge: Arc<dyn Forge> = Arc::new(
            GithubForge::new(GithubForgeConfig {
                base_url: fake.url.clone(),
                auth: GithubAuth::Token("test-token".into()),
                bot_login: "battbot".into(),
                retry,
            })
            .unwrap(),
        );
        let counting = Arc::new(CountingForge::new(forge.clone()));
        let forges = Forges {
            conversations: HashMap::from([(
                "github".to_string(),
                counting.clone() as Arc<dyn Conversation>,
            )]),
            runner: forge.clone(),
            reports: forge,
        };
        let mut cfg = config(&fake.url, "http://bot.test");
        edit(&mut cfg);
        let app = App::new(cfg, forges, clock.clone()).unwrap();
        Rig {
            fake,
            app,
            clock,
            counting,
        }
    }

    /// Delivers a comment; returns once its background work is done.
    pub async fn comment(&self, body: &str, id: u64) {
        self.deliver(body, id, &format!("d-{id}")).await
    }

    /// Delivers comment `id` as delivery `delivery` (a redelivery has a new delivery id).
    pub async fn deliver(&self, body: &str, id: u64, delivery: &str) {
        let payload = battbot::demo::comment_payload(body, id).unwrap();
        let sig = server::verify::github_signature(WEBHOOK_SECRET.as_bytes(), &payload);
        let req = Request::post("/github")
            .header("content-type", "application/json")
            .header("x-github-event", "issue_comment")
            .header("x-github-delivery", delivery)
            .header("x-hub-signature-256", sig)
            .body(Body::from(payload))
            .unwrap();
        let resp = server::router(self.app.clone()).oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
        crate::support::settle(&self.app).await;
    }

    /// The bot's replies, oldest first.
    pub fn replies(&self) -> Vec<String> {
        let w = self.fake.world.lock().unwrap();
        w.comments.iter().map(|c| c.body.clone()).collect()
    }

    pub fn jobs(&self) -> Vec<String> {
        self.fake.branches(RUNNER, "battbot/")
    }

    /// The comment is refused: no job, one reply containing every `needle`.
    async fn refused(&self, body: &str, needles: &[&str]) -> String {
        self.comment(body, 7001).await;
        assert!(
            self.jobs().is_empty(),
            "nothing is queued: {:?}",
            self.jobs()
        );
        let replies = self.replies();
        assert_eq!(replies.len(), 1, "{replies:?}");
        for n in needles {
            assert!(
                plain(&replies[0]).contains(n),
                "{n:?} not in {}",
                replies[0]
            );
        }
        let w = self.fake.world.lock().unwrap();
        assert!(w.unexpected.is_empty(), "{:?}", w.unexpected);
        replies[0].clone()
    }

    /// Reads of files of the commented repository.
    pub fn reads(&self) -> usize {
        self.fake
            .calls_with(&format!("GET /repos/{CONVERSATION}/contents/"))
    }
}

pub fn simulate(step: &str) -> String {
    format!("@battbot simulate DFN Chen2020 \"{step}\"")
}

#[tokio::test]
async fn github_comment_csv_is_read_at_the_default_branch_into_the_job_and_solved() {
    within(async {
        let rig = Rig::new(&[("cycles/profile.csv", PROFILE.into())], |_| {}).await;
        rig.comment(&simulate("Run cycles/profile.csv (A)"), 7001)
            .await;
        let jobs = rig.jobs();
        assert_eq!(jobs.len(), 1, "{:?}", rig.replies());
        assert!(rig.replies()[0].contains("queued"), "{:?}", rig.replies());
        // Read once, from the comment's repository at its default branch.
        assert_eq!(rig.reads(), 1);
        assert_eq!(
            rig.fake.calls_with(&format!(
                "GET /repos/{CONVERSATION}/contents/cycles/profile.csv"
            )),
            1
        );
        let bytes = rig.fake.file(RUNNER, &jobs[0], "battbot-job.json").unwrap();
        let spec = JobSpec::from_json(&String::from_utf8(bytes).unwrap()).unwrap();
        let run = &spec.command.runs()[0];
        assert_eq!(run.drive_cycles["cycles/profile.csv"], rows_of(PROFILE));

        // The runner solves the self-contained job and the report comes back.
        let out = tempfile::tempdir().unwrap();
        let result = battbot::runner::execute(&spec, out.path(), &mut Vec::new()).unwrap();
        // The profile's 120 s, and the capacity it discharges before charging: 12.5 + 75 +
        // 25 A s of the linear interpolant.
        let run = &result.runs[0];
        assert_eq!(run.final_time_s, 120.0, "{run:?}");
        assert!(
            (run.discharge_capacity_ah * 3600.0 - 112.5).abs() < 0.05,
            "{}",
            run.discharge_capacity_ah * 3600.0
        );
        assert!(run.stopped.is_none(), "{:?}", run.stopped);
        let body = serde_json::to_vec(&result).unwrap();
        let now = rig.clock.now_s();
        let key = battbot::runner::protocol::job_key(RUNNER_SECRET.as_bytes(), spec.id.as_str());
        let sig = battbot::runner::protocol::sign(&key, now, &body);
        let req = Request::post(format!("/runner/v1/jobs/{}/result", spec.id))
            .header("content-type", "application/json")
            .header("x-battbot-timestamp", now.to_string())
            .header("x-battbot-signature", sig)
            .body(Body::from(body))
            .unwrap();
        let resp = server::router(rig.app.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let text = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&text));
        crate::support::settle(&rig.app).await;
        let dir = spec.report_dir();
        assert!(rig
            .fake
            .file(REPORTS, "main", &format!("{dir}/report.md"))
            .is_some());
        let replies = rig.replies();
        assert!(replies.last().unwrap().contains("report.md"), "{replies:?}");
    })
    .await
}

impl TestClock {
    fn now_s(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[tokio::test]
async fn path_traversal_is_refused_before_any_read() {
    within(async {
        for path in [
            "../../etc/passwd.csv",
            "%2e%2e/%2e%2e/etc/passwd.csv",
            "cycles/../../x.csv",
        ] {
            let rig = Rig::new(&[], |_| {}).await;
            rig.refused(
                &simulate(&format!("Run {path} (A)")),
                &["relative to the repository"],
            )
            .await;
            assert_eq!(rig.reads(), 0, "{path}");
        }
    })
    .await
}

#[tokio::test]
async fn absolute_path_is_refused_before_any_read() {
    within(async {
        let rig = Rig::new(&[], |_| {}).await;
        rig.refused(&simulate("Run /etc/passwd.csv (A)"), &["absolute path"])
            .await;
        assert_eq!(rig.reads(), 0);
    })
    .await
}

#[tokio::test]
async fn url_is_never_fetched() {
    within(async {
        let rig = Rig::new(&[], |_| {}).await;
        rig.refused(
            &simulate("Run https://evil.example/x.csv (A)"),
            &["URLs are never fetched"],
        )
        .await;
        assert_eq!(rig.reads(), 0);
    })
    .await
}

#[tokio::test]
async fn name_reaching_another_repo_is_refused_and_other_repos_are_never_read() {
    within(async {
        let rig = Rig::new(&[], |_| {}).await;
        rig.refused(
            &simulate("Run other/repo:file.csv (A)"),
            &["another repository"],
        )
        .await;
        // "other/repo/file.csv" is a path in the comment's own repository, where it is missing.
        let rig = Rig::new(&[], |_| {}).await;
        rig.refused(
            &simulate("Run other/repo/file.csv (A)"),
            &["no file other/repo/file.csv on branch main of Codertocat/Hello-World"],
        )
        .await;
        assert_eq!(rig.fake.calls_with("/repos/other/repo"), 0);
    })
    .await
}

#[tokio::test]
async fn missing_file_names_path_branch_and_repository() {
    within(async {
        let rig = Rig::new(&[], |_| {}).await;
        rig.refused(
            &simulate("Run cycles/profile.csv (A)"),
            &["no file cycles/profile.csv on branch main of Codertocat/Hello-World"],
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn huge_file_is_refused_by_its_reported_size_without_downloading_it() {
    within(async {
        let huge = vec![b'0'; 5 << 20];
        let rig = Rig::new(&[("huge.csv", huge)], |_| {}).await;
        rig.refused(
            &simulate("Run huge.csv (A)"),
            &["huge.csv has 5242880 bytes", "the limit is 4194304 bytes"],
        )
        .await;
        assert_eq!(
            rig.fake.calls_with("git/blobs/"),
            0,
            "the blob is not downloaded"
        );
    })
    .await
}

#[tokio::test]
async fn file_that_lies_about_its_size_is_refused_by_what_it_holds() {
    within(async {
        let huge = vec![b'0'; 5 << 20];
        let rig = Rig::new(&[("liar.csv", huge)], |_| {}).await;
        // It reports 10 bytes: fetched, then refused by the bytes it holds, before parsing.
        rig.fake
            .world
            .lock()
            .unwrap()
            .reported_sizes
            .insert("liar.csv".into(), 10);
        rig.refused(
            &simulate("Run liar.csv (A)"),
            &["liar.csv has 5242880 bytes", "the limit is 4194304 bytes"],
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn too_many_rows_are_refused_with_the_row_and_the_limit() {
    within(async {
        let csv: String = (0..150).map(|i| format!("{i},1\n")).collect();
        let rig = Rig::new(&[("long.csv", csv.into())], |c| {
            c.limits.max_drive_cycle_rows = 100;
        })
        .await;
        rig.refused(
            &simulate("Run long.csv (A)"),
            &["more than 100 rows", "line 101", "the limit is 100"],
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn nan_and_inf_values_are_refused_with_their_row() {
    within(async {
        for (value, row) in [("nan", "row 3"), ("inf", "row 3"), ("-infinity", "row 3")] {
            let csv = format!("t,I\n0,1\n1,2\n2,{value}\n3,1\n");
            let rig = Rig::new(&[("bad.csv", csv.into())], |_| {}).await;
            rig.refused(&simulate("Run bad.csv (A)"), &[row, "not finite"])
                .await;
        }
    })
    .await
}

#[tokio::test]
async fn csv_with_formula_or_html_text_is_refused_and_quoted_inert() {
    within(async {
        let csv = "t,I\n0,1\n<img src=x onerror=alert(1)>,=HYPERLINK(\"http://evil\")\n";
        let rig = Rig::new(&[("evil.csv", csv.into())], |_| {}).await;
        let reply = rig
            .refused(
                &simulate("Run evil.csv (A)"),
                &["line 3 is not two numbers"],
            )
            .await;
        assert!(!reply.contains("<img"), "HTML stays text: {reply}");
    })
    .await
}

#[tokio::test]
async fn many_run_csv_steps_in_one_comment_are_bounded() {
    within(async {
        // More files than the limit: refused before any read.
        let steps: Vec<String> = (0..5).map(|i| format!("\"Run c{i}.csv (A)\"")).collect();
        let rig = Rig::new(&[], |_| {}).await;
        rig.refused(
            &format!("@battbot simulate SPM Chen2020 {}", steps.join(" ")),
            &["5 CSV files", "the limit is 4 per comment"],
        )
        .await;
        assert_eq!(rig.reads(), 0);
        // Four files of 1.5 MB: the third is over what is left of the comment's 4 MiB and
        // is refused by its reported size, without downloading it.
        let mut big = String::from("0,0\n1,1\n");
        while big.len() < 1_500_000 {
            big.push_str("# padding padding padding padding padding padding padding\n");
        }
        let files: Vec<(String, Vec<u8>)> = (0..4)
            .map(|i| (format!("c{i}.csv"), big.clone().into_bytes()))
            .collect();
        let files: Vec<(&str, Vec<u8>)> =
            files.iter().map(|(p, b)| (p.as_str(), b.clone())).collect();
        let rig = Rig::new(&files, |_| {}).await;
        let steps: Vec<String> = (0..4).map(|i| format!("\"Run c{i}.csv (A)\"")).collect();
        rig.refused(
            &format!("@battbot simulate SPM Chen2020 {}", steps.join(" ")),
            &["c2.csv has", "bytes are left of the 4194304 bytes"],
        )
        .await;
        assert_eq!(
            rig.fake.calls_with("git/blobs/"),
            2,
            "c2.csv is not downloaded"
        );
        // Rows are bounded across files too.
        let csv: String = (0..60).map(|i| format!("{i},1\n")).collect();
        let rig = Rig::new(
            &[("a.csv", csv.clone().into()), ("b.csv", csv.into())],
            |c| {
                c.limits.max_drive_cycle_rows = 100;
            },
        )
        .await;
        rig.refused(
            "@battbot simulate SPM Chen2020 \"Run a.csv (A)\" \"Run b.csv (A)\"",
            &["b.csv", "more than 40 rows", "share one row limit"],
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn forge_errors_404_403_500_and_timeout_get_a_clear_reply() {
    within(async {
        let cases: [(FaultKind, &str); 3] = [
            (
                FaultKind::Status(403, vec![], "{\"message\":\"Forbidden\"}"),
                "GitHub refused the bot access (HTTP 403)",
            ),
            (
                FaultKind::Status(500, vec![], "{\"message\":\"boom\"}"),
                "GitHub answered HTTP 500",
            ),
            (
                FaultKind::LateNoWrite(Duration::from_millis(700)),
                "GitHub did not answer in time",
            ),
        ];
        for (kind, needle) in cases {
            let rig = Rig::new(&[("p.csv", PROFILE.into())], |_| {}).await;
            let mut f = Fault::new("GET", "/contents/p.csv", kind);
            f.times = 100;
            rig.fake.fault(f);
            rig.refused(
                &simulate("Run p.csv (A)"),
                &[
                    "could not read p.csv on branch main of Codertocat/Hello-World",
                    needle,
                ],
            )
            .await;
        }
        // 404 on the file: missing (its own test names path, branch and repository).
        let rig = Rig::new(&[("p.csv", PROFILE.into())], |_| {}).await;
        let mut f = Fault::new(
            "GET",
            "/contents/p.csv",
            FaultKind::Status(404, vec![], "{\"message\":\"Not Found\"}"),
        );
        f.times = 100;
        rig.fake.fault(f);
        rig.refused(
            &simulate("Run p.csv (A)"),
            &["no file p.csv on branch main"],
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn limits_are_checked_again_on_the_data_once_read() {
    within(async {
        // 40 repeats of the 120 s profile: 1.3 h against a 1 h limit, known only once read.
        let rig = Rig::new(&[("p.csv", PROFILE.into())], |c| {
            c.limits.max_simulated_hours = 1.0;
        })
        .await;
        rig.refused(
            "@battbot simulate SPM Chen2020 \"Run p.csv (A)\" x40",
            &["may simulate up to 1.3 h", "the limit is 1.0 h"],
        )
        .await;
        // Its largest current against the C-rate limit (2.5 A of Chen2020's 5 A h).
        let rig = Rig::new(&[("p.csv", PROFILE.into())], |c| {
            c.limits.max_c_rate = 0.25;
        })
        .await;
        rig.refused(
            "@battbot simulate SPM Chen2020 \"Run p.csv (A)\"",
            &["runs at 0.5C", "the limit is 0.25C"],
        )
        .await;
    })
    .await
}
