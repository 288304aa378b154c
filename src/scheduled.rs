//! `battbot tweet-random`: BattBot's twice-daily random comparison. Draws a comparison
//! (seeded by the time slot, so a rerun of the same slot draws the same one), solves and
//! renders it, commits it to the reports repository under `scheduled/<yyyy-mm-dd>-<am|pm>/`
//! and tweets the GIF; the draw skips comparisons the solver cannot finish (`random_solvable`).
//! At most once per slot: `tweet.json` is committed before the tweet
//! ("posting") and after it ("posted"); a rerun that finds it does not tweet again.

use std::sync::Arc;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::command::Command;
use crate::config::Config;
use crate::forge::{CommitMode, FileChange, Forge};
use crate::job::{JobId, JobSource, JobSpec};
use crate::report;
use crate::sim::{SimSpec, Simulation, SolveOptions};
use crate::social::twitter::TwitterClient;

/// What a run did.
#[derive(Debug, Serialize)]
pub struct Outcome {
    pub slot: String,
    pub seed: u64,
    pub title: String,
    pub report_path: String,
    pub tweet_id: Option<u64>,
    /// Why nothing was done, when a previous run of the slot got there first.
    pub skipped: Option<String>,
}

/// `tweet.json`: the slot's tweet, written before and after posting.
#[derive(Debug, Serialize, Deserialize)]
struct TweetState {
    state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tweet_id: Option<u64>,
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

/// Runs one scheduled comparison. `twitter` is `None` only to commit without tweeting.
pub async fn tweet_random(
    config: &Config,
    reports: Arc<dyn Forge>,
    twitter: Option<&TwitterClient>,
    seed: Option<u64>,
    now: time::OffsetDateTime,
) -> anyhow::Result<Outcome> {
    let slot = slot_of(now);
    let seed = seed.unwrap_or_else(|| seed_of(&slot));
    let dir = format!("scheduled/{slot}");
    let (repo, branch) = (&config.reports.repo, &config.reports.branch);
    let state_path = format!("{dir}/tweet.json");
    if let Some(bytes) = reports.read_file(repo, branch, &state_path).await? {
        let state: TweetState = serde_json::from_slice(&bytes)
            .with_context(|| format!("{state_path} is not valid (fix or delete it)"))?;
        let why = match state.tweet_id {
            Some(id) => format!("slot {slot} was tweeted already (tweet {id})"),
            None => format!(
                "a previous run of slot {slot} stopped while tweeting; not tweeting twice (delete {state_path} to retry)"
            ),
        };
        return Ok(Outcome {
            slot,
            seed,
            title: String::new(),
            report_path: format!("{dir}/report.md"),
            tweet_id: state.tweet_id,
            skipped: Some(why),
        });
    }

    let random = random_solvable(seed)?;
    let runs = random
        .runs
        .iter()
        .map(|r| serde_json::from_value(r.clone()))
        .collect::<Result<Vec<_>, _>>()
        .context("the random comparison is not a valid spec")?;
    let source = JobSource {
        platform: "scheduled".into(),
        repo: slot.clone(),
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
    let gif = result
        .artifacts
        .iter()
        .find(|a| a.content_type == "image/gif")
        .context("the comparison rendered no GIF")?;
    use base64::Engine;
    let gif = base64::engine::general_purpose::STANDARD.decode(&gif.base64)?;

    let mut built = report::success(&spec, &result, &random.title, now)?;
    built.files.push(FileChange::new(
        format!("{dir}/random.json"),
        serde_json::to_vec_pretty(&serde_json::json!({
            "seed": seed, "title": random.title, "kind": random.kind, "runs": random.runs,
        }))?,
    ));
    let posting = TweetState {
        state: "posting".into(),
        tweet_id: None,
    };
    built.files.push(FileChange::new(
        state_path.clone(),
        serde_json::to_vec(&posting)?,
    ));
    report::commit(reports.as_ref(), repo, branch, &built).await?;

    let link = report::link(&config.reports.web_url, &built.report_path);
    let mut tweet_id = None;
    if let Some(client) = twitter {
        let media = client.upload_gif(&gif).await?;
        let text = crate::social::reply_text(&format!("{}\n{link} #PyBaMM", random.title));
        let id = client.post_tweet(&text, None, &[media]).await?;
        let posted = TweetState {
            state: "posted".into(),
            tweet_id: Some(id),
        };
        reports
            .commit_files(
                repo,
                branch,
                &[FileChange::new(state_path, serde_json::to_vec(&posted)?)],
                &[],
                &format!("scheduled {slot}: tweet {id}"),
                CommitMode::UpdateBranch,
            )
            .await?;
        tweet_id = Some(id);
    }
    Ok(Outcome {
        slot,
        seed,
        title: random.title,
        report_path: built.report_path,
        tweet_id,
        skipped: None,
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
