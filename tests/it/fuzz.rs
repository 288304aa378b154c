//! No panic reachable from input: arbitrary bytes and mutated real payloads into the real
//! webhook decoders (`Event` of GitHub, GitLab, Slack, Twitter) and the runner's callback
//! decoders, and decoded `RunResult`s/`RunFailure`s with hostile strings and numbers into the
//! report builders that consume them.

use battbot::job::JobSpec;
use battbot::runner::protocol::{Progress, RunFailure, RunResult, Started};
use battbot::server::event::from_github;
use battbot::server::gitlab_event::{from_gitlab, pipeline_from_gitlab};
use battbot::social::{slack_webhook, twitter_webhook};
use proptest::prelude::*;
use serde_json::{json, Value};

const GITHUB_EVENTS: &[&str] = &[
    "ping",
    "issue_comment",
    "pull_request_review_comment",
    "pull_request",
    "installation",
    "",
];
const GITLAB_EVENTS: &[&str] = &["Note Hook", "Pipeline Hook", "Job Hook", "Push Hook", ""];

/// Real payloads the decoders take, as seeds for mutation.
fn seeds() -> Vec<Vec<u8>> {
    let github = battbot::demo::comment_payload(
        "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"",
        7,
    )
    .unwrap();
    let gitlab = json!({
        "object_kind": "note", "event_type": "note",
        "user": {"id": 1, "username": "root", "name": "Root"},
        "project": {"id": 5, "path_with_namespace": "group/project", "web_url": "http://example.com/group/project"},
        "object_attributes": {"id": 1241, "note": "@battbot help", "noteable_type": "Issue",
            "url": "http://example.com/group/project/issues/17#note_1241"},
        "issue": {"iid": 17}
    });
    let pipeline = json!({
        "object_kind": "pipeline",
        "object_attributes": {"id": 31, "ref": "battbot/gh-a-b-1-c2", "status": "failed"},
        "project": {"id": 5, "path_with_namespace": "group/runner", "web_url": "http://example.com/group/runner"}
    });
    let slack = json!({
        "type": "event_callback", "team_id": "T1", "event_id": "Ev1",
        "event": {"type": "app_mention", "user": "U1", "text": "<@U0> simulate SPM",
            "ts": "1700000000.000100", "channel": "C1"}
    });
    let twitter = json!({
        "for_user_id": "2244994945",
        "tweet_create_events": [{"id_str": "1", "text": "@battbot help",
            "user": {"id_str": "3", "screen_name": "someone"}}]
    });
    let result = result_json("gh-codertocat-hello-world-1-c7");
    [github, gitlab.to_string().into_bytes()]
        .into_iter()
        .chain(
            [pipeline, slack, twitter, result].map(|v| v.to_string().into_bytes()),
        )
        .chain([b"token=t&team_id=T1&user_id=U1&command=%2Fbattbot&text=help&channel_id=C1&trigger_id=x"
            .to_vec()])
        .collect()
}

/// A result as the runner posts it, with a benchmark part.
fn result_json(job_id: &str) -> Value {
    json!({
        "job_id": job_id, "battbot_version": "0.1.0",
        "runs": [], "artifacts": [], "log_tail": ["ok"],
        "benchmark": {"base_sha": "0123456789abcdef", "head_sha": "fedcba9876543210",
            "benchmarks": [{"name": "spm", "base_s": [1.0, 1.1], "head_s": [1.2, 0.9]}]}
    })
}

/// Every decoder the server runs on a body from outside; none may panic.
fn decode_all(body: &[u8]) {
    for event in GITHUB_EVENTS {
        let _ = from_github(event, body);
    }
    for event in GITLAB_EVENTS {
        let _ = from_gitlab(event, body);
    }
    let _ = pipeline_from_gitlab(body);
    let _ = slack_webhook::parse_event(body);
    let _ = slack_webhook::parse_slash_command(body);
    let _ = twitter_webhook::parse_activity(body, "2244994945");
    let _ = serde_json::from_slice::<Started>(body);
    let _ = serde_json::from_slice::<Progress>(body);
    let _ = serde_json::from_slice::<RunFailure>(body);
    let _ = serde_json::from_slice::<RunResult>(body);
}

/// A seed with a few bytes overwritten, inserted or cut.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let seeds = seeds();
    (
        0..seeds.len(),
        proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    )
        .prop_map(move |(i, edits)| {
            let mut b = seeds[i].clone();
            for (at, byte, how) in edits {
                if b.is_empty() {
                    b.push(byte);
                    continue;
                }
                let at = at.index(b.len());
                match how {
                    0 => b[at] = byte,
                    1 => b.insert(at, byte),
                    _ => b.truncate(at),
                }
            }
            b
        })
}

/// A spec as the server commits it, for the report builders.
fn spec() -> JobSpec {
    let text = json!({
        "id": "gh-codertocat-hello-world-1-c7",
        "created_at": "2026-01-01T00:00:00Z",
        "battbot_version": "0.1.0",
        "callback_url": "http://bot.test/runner/v1/jobs/gh-codertocat-hello-world-1-c7",
        "source": {"platform": "github", "repo": "Codertocat/Hello-World", "number": 1,
            "comment_id": 7, "user": "octocat", "url": "https://github.com/Codertocat/Hello-World/issues/1#issuecomment-7"},
        "command": {"command": "help"}
    });
    JobSpec::from_json(&text.to_string()).expect("a valid spec")
}

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[€é🙂<>&`*_\\[\\]()!@#/.:-]{0,40}",
        Just("€€€€€€€€".to_string()),
        Just(String::new()),
    ]
}

fn hostile_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(0.0),
        Just(-0.0),
        Just(1e308),
        Just(-1e-308)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_into_every_decoder_never_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        decode_all(&body);
    }

    #[test]
    fn mutated_real_payloads_into_every_decoder_never_panic(body in mutated()) {
        decode_all(&body);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn hostile_result_and_failure_into_the_report_builders_never_panic(
        base_sha in hostile_string(),
        head_sha in hostile_string(),
        name in hostile_string(),
        error in hostile_string(),
        log in hostile_string(),
        base_s in proptest::collection::vec(hostile_f64(), 0..4),
        head_s in proptest::collection::vec(hostile_f64(), 0..4),
    ) {
        let spec = spec();
        let now = time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let mut v = result_json(spec.id.as_str());
        v["benchmark"] = json!({"base_sha": base_sha, "head_sha": head_sha,
            "benchmarks": [{"name": name, "base_s": [], "head_s": []}]});
        v["log_tail"] = json!([log.clone()]);
        // Non-finite numbers are not JSON; put them in the decoded value directly.
        let mut result: RunResult = serde_json::from_value(v).unwrap();
        if let Some(b) = result.benchmark.as_mut() {
            b.benchmarks[0].base_s = base_s;
            b.benchmarks[0].head_s = head_s;
        }
        let _ = battbot::report::success(&spec, &result, "help", now);
        let failure = RunFailure {
            job_id: spec.id.to_string(),
            battbot_version: name,
            error,
            log_tail: vec![log],
        };
        let _ = battbot::report::failure(&spec, &failure, "help", now);
    }
}

/// The attack of issue 20: a signed result whose `head_sha` is `€€€€€€€€` panicked while
/// the report was built.
#[test]
fn multibyte_head_sha_is_refused_instead_of_panicking() {
    let spec = spec();
    let mut v = result_json(spec.id.as_str());
    v["benchmark"]["head_sha"] = json!("€€€€€€€€");
    let result: RunResult = serde_json::from_value(v).unwrap();
    let now = time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
    let built = battbot::report::success(&spec, &result, "help", now);
    let err = built.expect_err("a non-hex commit id is refused");
    assert!(format!("{err:#}").contains("is not a commit id"), "{err:#}");
}

/// The mutation seeds are real payloads their decoders take, so mutations reach deep.
#[test]
fn the_seeds_decode() {
    let seeds = seeds();
    assert!(from_github("issue_comment", &seeds[0]).is_ok());
    assert!(
        from_gitlab("Note Hook", &seeds[1]).is_ok(),
        "GitLab note seed"
    );
    assert!(pipeline_from_gitlab(&seeds[2]).is_ok(), "pipeline seed");
    assert!(slack_webhook::parse_event(&seeds[3]).is_ok(), "Slack seed");
    assert!(serde_json::from_slice::<RunResult>(&seeds[5]).is_ok());
    assert!(
        slack_webhook::parse_slash_command(&seeds[6]).is_ok(),
        "slash seed"
    );
}
