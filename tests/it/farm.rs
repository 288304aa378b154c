//! The bot farm: per-bot routes, secrets and repositories; list, stats, export/import.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use battbot::forge::{CommitMode, FileChange, Forge};
use battbot::server::{farm_router, verify};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::{TestBot, WEBHOOK_SECRET};

const SIMULATE: &str = "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"";

async fn post(router: axum::Router, path: &str, body: &[u8], secret: &str) -> StatusCode {
    let req = Request::post(path)
        .header("x-github-event", "issue_comment")
        .header(
            "x-hub-signature-256",
            verify::github_signature(secret.as_bytes(), body),
        )
        .body(Body::from(body.to_vec()))
        .unwrap();
    let resp = router.oneshot(req).await.unwrap();
    let status = resp.status();
    let _ = resp.into_body().collect().await;
    status
}

#[tokio::test]
async fn each_bot_has_its_own_routes_secrets_and_repositories() {
    let main = TestBot::new().await;
    let second = TestBot::with_config(|c| {
        c.bot_name = "second".into();
        c.github_app.as_mut().unwrap().webhook_secret = Some("second-secret".into());
    })
    .await;
    let router = || farm_router(main.app.clone(), std::slice::from_ref(&second.app));
    let payload =
        battbot::demo::comment_payload(&SIMULATE.replace("@battbot", "@second"), 5).unwrap();
    // The main bot's secret does not open the second bot's door.
    assert_eq!(
        post(router(), "/bots/second/github", &payload, WEBHOOK_SECRET).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(router(), "/bots/second/github", &payload, "second-secret").await,
        StatusCode::ACCEPTED
    );
    second.settle().await;
    main.settle().await;
    assert_eq!(second.job_branches().await.len(), 1);
    assert!(main.job_branches().await.is_empty());
    let req = Request::get("/bots/second/healthz")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        router().oneshot(req).await.unwrap().status(),
        StatusCode::OK
    );
}

#[test]
fn farm_bots_inherit_a_public_url_under_their_prefix() {
    let mut farm = battbot::config::Config {
        public_url: "https://bots.example".into(),
        ..Default::default()
    };
    farm.bots.push(battbot::config::Config {
        bot_name: "b1".into(),
        ..Default::default()
    });
    let bots = battbot::farm::bots(&farm);
    assert_eq!(bots[1].public_url, "https://bots.example/bots/b1");
    let mut twins = farm.clone();
    twins.bots.push(battbot::config::Config {
        bot_name: "B1".into(),
        ..Default::default()
    });
    twins.bot_name = "main".into();
    assert!(twins
        .validate()
        .unwrap_err()
        .to_string()
        .contains("two bots"));
}

#[tokio::test]
async fn export_then_import_moves_config_without_secrets_and_state() {
    let bot = TestBot::new().await;
    let forge: Arc<dyn Forge> = bot.forge.clone();
    forge
        .commit_files(
            &bot.reports_repo(),
            "state",
            &[FileChange::new(
                "twitter/last_seen_id",
                b"1234567890".to_vec(),
            )],
            &[],
            "state",
            CommitMode::UpdateBranch,
        )
        .await
        .unwrap();
    let mut config = bot.config.clone();
    config.runner_secret = Some("top-secret-runner".into());
    let archive = battbot::farm::export(&config, "battbot").await.unwrap();
    let text = serde_json::to_string(&archive).unwrap();
    assert!(!text.contains("top-secret-runner"));
    assert!(!text.contains(WEBHOOK_SECRET));
    assert_eq!(archive.state.len(), 1);

    // Import into another deployment with its own reports repository.
    let other = TestBot::new().await;
    let mut moved = archive.clone();
    moved.bot.bot_name = "moved".into();
    moved.bot.reports.repo = other.reports_repo();
    let farm_path = other.dir.path().join("farm.json");
    std::fs::write(
        &farm_path,
        serde_json::to_string(&other.config.without_secrets()).unwrap(),
    )
    .unwrap();
    battbot::farm::import(&farm_path, &moved).await.unwrap();
    let farm = battbot::config::Config::load(&farm_path).unwrap();
    assert_eq!(farm.bots.len(), 1);
    assert_eq!(farm.bots[0].bot_name, "moved");
    let restored = other
        .forge
        .read_file(&other.reports_repo(), "state", "twitter/last_seen_id")
        .await
        .unwrap();
    assert_eq!(restored.as_deref(), Some(&b"1234567890"[..]));
}

#[test]
fn stats_count_failures_days_and_medians() {
    use battbot::report::index::Entry;
    let entry = |status: &str, day: &str, latency: f64| Entry {
        job_id: format!("j{latency}"),
        status: status.into(),
        platform: "github".into(),
        repo: "o/r".into(),
        number: 1,
        user: "u".into(),
        finished_at: format!("{day}T10:00:00Z"),
        command: "SPM Chen2020".into(),
        report: "x".into(),
        latency_s: Some(latency),
        solve_s: 0.5,
        ..Entry::default()
    };
    let entries = vec![
        entry("success", "2026-01-01", 10.0),
        entry("failure", "2026-01-01", 30.0),
        entry("success", "2026-01-02", 20.0),
    ];
    let s = battbot::farm::stats_of("b", &entries);
    assert_eq!((s.reports, s.failures), (3, 1));
    assert_eq!(s.median_latency_s, Some(20.0));
    assert_eq!(s.per_day["2026-01-01"], 2);
}
