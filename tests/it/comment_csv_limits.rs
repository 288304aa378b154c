//! The hourly request limits against `Run path/in/repo.csv (A)`: reading a comment's CSV
//! files is the expensive part of a request, so a user or repository over its limit is
//! refused before any forge read, and requests that read count even when refused after.
//! Each attack is a test named after it, counted with the counting forge.

use std::sync::atomic::Ordering;

use crate::comment_csv::{plain, simulate, Rig, PROFILE};
use crate::common::within;

/// Every forge call a refusal by the limit may make: posting the reply once.
const REPLY_CALLS: [&str; 3] = ["bot_replies", "reply", "reply_with_files"];

/// Four CSV files in the commented repository, and one step per file.
fn four_csvs() -> (Vec<(&'static str, Vec<u8>)>, String) {
    let names = ["a.csv", "b.csv", "c.csv", "d.csv"];
    let files = names.iter().map(|n| (*n, PROFILE.into())).collect();
    let steps: Vec<String> = names.iter().map(|n| format!("\"Run {n} (A)\"")).collect();
    (
        files,
        format!("@battbot simulate SPM Chen2020 {}", steps.join(" ")),
    )
}

/// Asserts the last reply is the hourly limit's, and that the comment cost nothing but it.
fn assert_limited_without_reads(rig: &Rig, reads_before: usize) {
    let replies = rig.replies();
    assert!(
        plain(replies.last().unwrap()).contains("you have reached the hourly limit"),
        "{replies:?}"
    );
    let calls = rig.counting.calls();
    let other: Vec<_> = calls
        .iter()
        .filter(|(m, _)| !REPLY_CALLS.contains(m))
        .collect();
    assert!(other.is_empty(), "forge calls beyond the reply: {calls:?}");
    assert_eq!(
        rig.reads(),
        reads_before,
        "no file of the repository is read"
    );
}

#[tokio::test]
async fn user_over_the_limit_naming_four_csvs_causes_zero_forge_reads() {
    within(async {
        let (files, four) = four_csvs();
        // No admin: access is decided by a permission read, which is not made either.
        let rig = Rig::new(&files, |c| {
            c.admin.clear();
            c.server.user_requests_per_hour = 1;
        })
        .await;
        rig.comment(&simulate("Run a.csv (A)"), 7001).await;
        assert_eq!(rig.jobs().len(), 1, "{:?}", rig.replies());
        assert!(rig.counting.calls().contains_key("permission"));
        let reads = rig.reads();
        assert_eq!(reads, 1);
        rig.counting.reset();
        rig.comment(&four, 7002).await;
        assert_limited_without_reads(&rig, reads);
        assert_eq!(rig.jobs().len(), 1);
        // Refusals by the limit do not count: half an hour later another refusal, and once
        // the accepted request has left the window a request is let through to its reads
        // (it would still be refused had the refusals counted).
        rig.clock.0.fetch_add(1800, Ordering::SeqCst);
        rig.counting.reset();
        rig.comment(&four, 7003).await;
        assert_limited_without_reads(&rig, reads);
        rig.clock.0.fetch_add(1800, Ordering::SeqCst);
        rig.comment(&simulate("Run a.csv (A)"), 7004).await;
        let replies = rig.replies();
        assert!(
            !plain(replies.last().unwrap()).contains("hourly limit"),
            "{replies:?}"
        );
        assert_eq!(rig.reads(), reads + 1);
    })
    .await
}

#[tokio::test]
async fn repository_over_the_limit_naming_csvs_causes_zero_forge_reads() {
    within(async {
        let (files, four) = four_csvs();
        let rig = Rig::new(&files, |c| c.server.repo_requests_per_hour = 1).await;
        rig.comment(&simulate("Run a.csv (A)"), 7001).await;
        assert_eq!(rig.jobs().len(), 1, "{:?}", rig.replies());
        let reads = rig.reads();
        rig.counting.reset();
        rig.comment(&four, 7002).await;
        let replies = rig.replies();
        assert!(
            plain(replies.last().unwrap()).contains("this repository has reached the hourly limit"),
            "{replies:?}"
        );
        let calls = rig.counting.calls();
        assert!(
            calls.keys().all(|m| REPLY_CALLS.contains(m)),
            "forge calls beyond the reply: {calls:?}"
        );
        assert_eq!(rig.reads(), reads);
    })
    .await
}

#[tokio::test]
async fn requests_refused_after_reading_csvs_count_so_bad_files_cannot_be_read_without_limit() {
    within(async {
        // A file that is refused once read (a value that is not finite): never queued, so
        // it would never count if only accepted jobs counted.
        let bad = "t,I\n0,1\n1,nan\n".as_bytes().to_vec();
        let rig = Rig::new(&[("bad.csv", bad)], |c| c.server.user_requests_per_hour = 2).await;
        for id in [7001, 7002] {
            rig.comment(&simulate("Run bad.csv (A)"), id).await;
            assert!(
                plain(rig.replies().last().unwrap()).contains("not finite"),
                "{:?}",
                rig.replies()
            );
        }
        assert_eq!(rig.reads(), 2);
        rig.counting.reset();
        rig.comment(&simulate("Run bad.csv (A)"), 7003).await;
        assert_limited_without_reads(&rig, 2);
        assert!(rig.jobs().is_empty());
    })
    .await
}

#[tokio::test]
async fn redelivery_of_an_accepted_request_at_the_limit_is_not_refused() {
    within(async {
        let rig = Rig::new(&[("p.csv", PROFILE.into())], |c| {
            c.server.user_requests_per_hour = 1;
        })
        .await;
        let body = simulate("Run p.csv (A)");
        rig.deliver(&body, 7001, "first").await;
        assert_eq!(rig.jobs().len(), 1, "{:?}", rig.replies());
        // The request was counted once, when its file was read; at the limit now, its
        // redelivery is still the same request: no refusal, no second job.
        rig.deliver(&body, 7001, "again").await;
        let replies = rig.replies();
        assert_eq!(rig.jobs().len(), 1);
        assert!(
            replies.iter().all(|r| !r.contains("hourly limit")),
            "{replies:?}"
        );
        assert_eq!(
            replies.iter().filter(|r| r.contains("queued")).count(),
            1,
            "{replies:?}"
        );
    })
    .await
}
