//! `battbot post-random --platform twitter|mastodon|bluesky|all` (alias `tweet-random`):
//! BattBot's twice-daily random comparison. Draws a comparison (seeded by the time slot, so
//! a rerun of the same slot draws the same one), solves and renders it, commits it to the
//! reports repository under `scheduled/<yyyy-mm-dd>-<am|pm>/` and posts it with its plot;
//! the draw skips comparisons the solver cannot finish (`random_solvable`). The report is
//! made once per slot and shared by the platforms that post it.
//! At most once per slot per platform: a state file (`tweet.json` for Twitter,
//! `post-<platform>.json` for the others) is committed before the post ("posting") and
//! after it ("posted"); a rerun that finds it does not post again.

use std::sync::Arc;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::command::Command;
use crate::config::Config;
use crate::forge::{CommitMode, FileChange, Forge};
use crate::job::{JobId, JobSource, JobSpec};
use crate::report;
use crate::sim::{SimSpec, Simulation, SolveOptions};
use crate::social::bluesky::BlueskyClient;
use crate::social::mastodon::{MastodonClient, Visibility};
use crate::social::twitter::TwitterClient;

/// What a run did.
#[derive(Debug, Serialize)]
pub struct Outcome {
    pub platform: String,
    pub slot: String,
    pub seed: u64,
    pub title: String,
    pub report_path: String,
    pub tweet_id: Option<u64>,
    /// The post's id on Mastodon (status id) or Bluesky (URI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_id: Option<String>,
    /// Why nothing was done, when a previous run of the slot got there first.
    pub skipped: Option<String>,
}

/// The slot's post on one platform, written before and after posting.
#[derive(Debug, Serialize, Deserialize)]
struct PostState {
    state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tweet_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    post_id: Option<String>,
}

/// Where a slot's comparison is posted.
#[derive(Clone, Copy)]
pub enum Poster<'a> {
    Twitter(&'a TwitterClient),
    Mastodon(&'a MastodonClient),
    Bluesky(&'a BlueskyClient),
}

/// `2026-11-23-am` for times before noon UTC, `-pm` after.
pub fn slot_of(now: time::OffsetDateTime) -> String {
    let now = now.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}-{}",
        now.year(),
        now.month() as u8,
        now.day(),
        if now.hour() < 12 { "am" } else { "pm" }
    )
}

/// The slot's default seed (FNV-1a of its name): reruns draw the same comparison.
pub fn seed_of(slot: &str) -> u64 {
    slot.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The state file of `platform`'s post of a slot.
pub fn state_path(dir: &str, platform: &str) -> String {
    match platform {
        "twitter" => format!("{dir}/tweet.json"),
        other => format!("{dir}/post-{other}.json"),
    }
}

/// Runs one scheduled comparison on Twitter. `twitter` is `None` only to commit without
/// tweeting.
pub async fn tweet_random(
    config: &Config,
    reports: Arc<dyn Forge>,
    twitter: Option<&TwitterClient>,
    seed: Option<u64>,
    now: time::OffsetDateTime,
) -> anyhow::Result<Outcome> {
    post_random(
        config,
        reports,
        "twitter",
        twitter.map(Poster::Twitter),
        seed,
        now,
    )
    .await
}

/// The slot's comparison: the report committed by an earlier platform's run, or a new one.
struct Drawn {
    title: String,
    report_path: String,
    gif: Vec<u8>,
    png: Vec<u8>,
}

async fn read(reports: &dyn Forge, config: &Config, path: &str) -> anyhow::Result<Vec<u8>> {
    reports
        .read_file(&config.reports.repo, &config.reports.branch, path)
        .await?
        .with_context(|| format!("{path} is missing from the reports repository"))
}

/// Runs one scheduled comparison on `platform`; `poster` is `None` only to commit without
/// posting (dry run).
pub async fn post_random(
    config: &Config,
    reports: Arc<dyn Forge>,
    platform: &str,
    poster: Option<Poster<'_>>,
    seed: Option<u64>,
    now: time::OffsetDateTime,
) -> anyhow::Result<Outcome> {
    let slot = slot_of(now);
    let seed = seed.unwrap_or_else(|| seed_of(&slot));
    let dir = format!("scheduled/{slot}");
    let (repo, branch) = (&config.reports.repo, &config.reports.branch);
    let state_path = state_path(&dir, platform);
    let mut outcome = Outcome {
        platform: platform.to_string(),
        slot: slot.clone(),
        seed,
        title: String::new(),
        report_path: format!("{dir}/report.md"),
        tweet_id: None,
        post_id: None,
        skipped: None,
    };
    if let Some(bytes) = reports.read_file(repo, branch, &state_path).await? {
        let state: PostState = serde_json::from_slice(&bytes)
            .with_context(|| format!("{state_path} is not valid (fix or delete it)"))?;
        let posted = state
            .tweet_id
            .map(|id| id.to_string())
            .or(state.post_id.clone());
        outcome.skipped = Some(match &posted {
            Some(id) => format!("slot {slot} was posted on {platform} already ({id})"),
            None => format!(
                "a previous run of slot {slot} stopped while posting on {platform}; not posting twice (delete {state_path} to retry)"
            ),
        });
        outcome.tweet_id = state.tweet_id;
        outcome.post_id = state.post_id;
        return Ok(outcome);
    }
    let posting = serde_json::to_vec(&PostState {
        state: "posting".into(),
        tweet_id: None,
        post_id: None,
    })?;
    let random_path = format!("{dir}/random.json");
    let drawn = match reports.read_file(repo, branch, &random_path).await? {
        // Another platform's run of this slot made the report: post the same one.
        Some(bytes) => {
            let random: serde_json::Value = serde_json::from_slice(&bytes)
                .with_context(|| format!("{random_path} is not valid (fix or delete it)"))?;
            reports
                .commit_files(
                    repo,
                    branch,
                    &[FileChange::new(state_path.clone(), posting)],
                    &[],
                    &format!("scheduled {slot}: posting on {platform}"),
                    CommitMode::UpdateBranch,
                )
                .await?;
            Drawn {
                title: random["title"].as_str().unwrap_or_default().to_string(),
                report_path: format!("{dir}/report.md"),
                gif: read(reports.as_ref(), config, &format!("{dir}/comparison.gif")).await?,
                png: read(reports.as_ref(), config, &format!("{dir}/voltage.png")).await?,
            }
        }
        None => {
            draw(
                config,
                reports.as_ref(),
                &slot,
                seed,
                now,
                &state_path,
                posting,
            )
            .await?
        }
    };
    outcome.title.clone_from(&drawn.title);
    outcome.report_path.clone_from(&drawn.report_path);
    let link = report::link(&config.reports.web_url, &drawn.report_path);
    let Some(poster) = poster else {
        return Ok(outcome);
    };
    let text = format!("{}\n{link} #PyBaMM", drawn.title);
    let alt = format!(
        "Animated plots of cell terminal voltage (V), current (A) and discharged capacity (A.h) against time: {}",
        drawn.title
    );
    let posted = match poster {
        Poster::Twitter(client) => {
            let media = client.upload_gif(&drawn.gif).await?;
            let id = client
                .post_tweet(&crate::social::reply_text(&text), None, &[media])
                .await?;
            outcome.tweet_id = Some(id);
            PostState {
                state: "posted".into(),
                tweet_id: Some(id),
                post_id: None,
            }
        }
        Poster::Mastodon(client) => {
            let media = client
                .upload_media(&drawn.gif, "comparison.gif", &alt)
                .await?;
            let id = client
                .post_status(
                    &crate::social::reply_text(&text),
                    None,
                    Visibility::Public,
                    vec![media],
                )
                .await?;
            outcome.post_id = Some(id.clone());
            PostState {
                state: "posted".into(),
                tweet_id: None,
                post_id: Some(id),
            }
        }
        Poster::Bluesky(client) => {
            let blob = client.upload_png(&drawn.png).await?;
            let alt = alt.replacen("Animated plots", "Plots", 1);
            let uri = client
                .post(&text, None, blob.map(|b| (b, alt.as_str())), &[])
                .await?;
            outcome.post_id = Some(uri.clone());
            PostState {
                state: "posted".into(),
                tweet_id: None,
                post_id: Some(uri),
            }
        }
    };
    let id = posted
        .tweet_id
        .map(|i| i.to_string())
        .or(posted.post_id.clone())
        .unwrap_or_default();
    reports
        .commit_files(
            repo,
            branch,
            &[FileChange::new(state_path, serde_json::to_vec(&posted)?)],
            &[],
            &format!("scheduled {slot}: posted on {platform} ({id})"),
            CommitMode::UpdateBranch,
        )
        .await?;
    Ok(outcome)
}

/// Draws, solves, renders and commits the slot's comparison with `state_path` "posting".
async fn draw(
    config: &Config,
    reports: &dyn Forge,
    slot: &str,
    seed: u64,
    now: time::OffsetDateTime,
    state_path: &str,
    posting: Vec<u8>,
) -> anyhow::Result<Drawn> {
    let dir = format!("scheduled/{slot}");
    let random = random_solvable(seed)?;
    let runs = random
        .runs
        .iter()
        .map(|r| serde_json::from_value(r.clone()))
        .collect::<Result<Vec<_>, _>>()
        .context("the random comparison is not a valid spec")?;
    let source = JobSource {
        platform: "scheduled".into(),
        repo: slot.to_string(),
        number: 0,
        comment_id: 0,
        user: config.bot_name.clone(),
        url: String::new(),
    };
    let mut spec = JobSpec::new(source, Command::Compare { runs }, "", now);
    spec.id = JobId::try_from(format!("scheduled-{slot}")).map_err(anyhow::Error::msg)?;
    let job = spec.clone();
    let result = tokio::task::spawn_blocking(move || {
        let out = tempfile::tempdir()?;
        crate::runner::execute(&job, out.path(), &mut Vec::new())
    })
    .await??;
    use base64::Engine;
    let image = |mime: &str| -> anyhow::Result<Vec<u8>> {
        let a = result
            .artifacts
            .iter()
            .find(|a| a.content_type == mime)
            .with_context(|| format!("the comparison rendered no {mime}"))?;
        Ok(base64::engine::general_purpose::STANDARD.decode(&a.base64)?)
    };
    let (gif, png) = (image("image/gif")?, image("image/png")?);

    let mut built = report::success(&spec, &result, &random.title, now)?;
    built.files.push(FileChange::new(
        format!("{dir}/random.json"),
        serde_json::to_vec_pretty(&serde_json::json!({
            "seed": seed, "title": random.title, "kind": random.kind, "runs": random.runs,
        }))?,
    ));
    built
        .files
        .push(FileChange::new(state_path.to_string(), posting));
    report::commit(
        reports,
        &config.reports.repo,
        &config.reports.branch,
        &built,
    )
    .await?;
    Ok(Drawn {
        title: random.title,
        report_path: built.report_path,
        gif,
        png,
    })
}

/// Whether a set's initial state has room to discharge: its open-circuit voltage is
/// comfortably above the lower cut-off.
fn starts_charged(set: &str, lower_v: f64) -> bool {
    let spec = SimSpec::new("SPM", set, &["Rest for 1 second"]);
    Simulation::build(&spec)
        .and_then(|s| s.solve(&SolveOptions::default()))
        .map(|sol| sol.voltage_v.first().is_some_and(|v| *v > lower_v + 0.3))
        .unwrap_or(false)
}

/// The catalog random comparisons draw from: what this build can solve.
pub fn random_catalog() -> crate::render::random::Catalog {
    crate::render::random::Catalog {
        // Not every set carries thermal parameters (Prada2013 has none, as in PyBaMM), so
        // random comparisons stay isothermal.
        lumped_thermal: false,
        // Some cold charges cannot start (Ecker2015 at 5 °C, in PyBaMM too) and the DFN of
        // a multi-cycle draw takes seconds: the scheduled comparisons use the fast models.
        models: ["SPM", "SPMe"].iter().map(|s| s.to_string()).collect(),
        // Sets that start charged enough to discharge (Mohtat2020, for one, starts empty).
        sets: crate::sim::parameter_sets()
            .into_iter()
            .filter(|s| starts_charged(s.name, s.lower_voltage_cutoff_v))
            // ORegan2022 solves, but its stoichiometry-dependent diffusivities take ~4 s a
            // discharge: too slow for a comparison drawn twice a day on a shared runner.
            .filter(|s| s.name != "ORegan2022")
            .map(|s| {
                (
                    s.name.to_string(),
                    s.lower_voltage_cutoff_v,
                    s.upper_voltage_cutoff_v,
                )
            })
            .collect(),
    }
}

/// A random comparison from `seed` whose runs all solve: draws that the solver cannot
/// finish (a corner of a set's window) are skipped for the next draw of the same seed.
pub fn random_solvable(seed: u64) -> anyhow::Result<crate::render::random::RandomSpec> {
    let catalog = random_catalog();
    for attempt in 0..20u64 {
        let draw = seed.wrapping_add(attempt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut spec = crate::render::random::random_comparison(draw, &catalog);
        let solves = spec.runs.iter().all(|run| {
            serde_json::from_value::<SimSpec>(run.clone())
                .ok()
                .and_then(|s| Simulation::build(&s).ok())
                .is_some_and(|sim| sim.solve(&SolveOptions::default()).is_ok())
        });
        if solves {
            if attempt > 0 {
                spec.title = spec
                    .title
                    .replace(&format!("seed {draw}"), &format!("seed {seed}"));
            }
            return Ok(spec);
        }
    }
    anyhow::bail!("no solvable random comparison for seed {seed} in 20 draws")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_split_the_day_at_noon_utc() {
        let t = |s: &str| {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
        };
        assert_eq!(slot_of(t("2026-11-23T07:00:00Z")), "2026-11-23-am");
        assert_eq!(slot_of(t("2026-11-23T19:00:00Z")), "2026-11-23-pm");
        assert_eq!(slot_of(t("2026-11-23T23:30:00-02:00")), "2026-11-24-am");
        assert_ne!(seed_of("2026-11-23-am"), seed_of("2026-11-23-pm"));
    }
}
