//! Runs a `runbenchmarks` job: checks out the pull request's base and head, runs the
//! benchmark command (hostile code) on both in interleaved rounds, sandboxed and bounded,
//! and collects every sample; nothing the command prints leaves but parsed numbers.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::job::BenchmarkJob;

use super::child;
use super::protocol::{BenchmarkSamples, BenchmarkSeries};
use super::sandbox::{self, Isolation};

fn git(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Parses one line of benchmark output into (name, seconds).
///
/// Accepted: battbot bench lines (`name` + `solve_s_median`), `{"name", "seconds"}`, and
/// criterion's `{"reason": "benchmark-complete", "id", "typical": {"estimate", "unit"}}`.
pub fn parse_line(line: &str) -> Option<(String, f64)> {
    let v: serde_json::Value = serde_json::from_str(line.trim()).ok()?;
    if v.get("reason").and_then(|r| r.as_str()) == Some("benchmark-complete") {
        let name = v.get("id")?.as_str()?.to_string();
        let typical = v.get("typical")?;
        let estimate = typical.get("estimate")?.as_f64()?;
        let scale = match typical.get("unit").and_then(|u| u.as_str()).unwrap_or("ns") {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            _ => return None,
        };
        return Some((name, estimate * scale));
    }
    let name = v.get("name")?.as_str()?.to_string();
    let seconds = v
        .get("seconds")
        .or_else(|| v.get("solve_s_median"))?
        .as_f64()?;
    (seconds.is_finite() && seconds >= 0.0).then_some((name, seconds))
}

/// Longest benchmark name accepted.
pub const MAX_NAME_LEN: usize = 100;
/// Most distinct benchmarks one job reports.
pub const MAX_BENCHMARKS: usize = 200;

/// Whether a benchmark name can be shown: 1 to [`MAX_NAME_LEN`] characters of letters,
/// digits, space and `_-./:+=,()[]#`.
pub fn valid_name(name: &str) -> bool {
    !name.trim().is_empty()
        && name.chars().count() <= MAX_NAME_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " _-./:+=,()[]#".contains(c))
}

/// Which side of the pull request a run benchmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Base,
    Head,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Base => "base",
            Side::Head => "head",
        }
    }
}

/// Runs the command once in `dir`, bounded by `timeout`. Errors never quote what the
/// command printed (it is hostile); its output's end goes to this process's stderr (the CI
/// log) when it fails.
fn run_once(
    isolation: &Isolation,
    dir: &Path,
    command: &str,
    timeout: Duration,
    what: &str,
    log: &mut Vec<String>,
) -> anyhow::Result<Vec<(String, f64)>> {
    let finished = child::run_bounded(sandbox::command(isolation, dir, command), timeout)
        .with_context(|| format!("benchmark run of {what}"))?;
    let show_output = |why: &str| {
        for (stream, d) in [("stdout", &finished.stdout), ("stderr", &finished.stderr)] {
            eprintln!(
                "---- {stream} of the benchmark run of {what} ({why}; last {} of {} bytes) ----\n{}",
                d.tail.len(),
                d.total_bytes,
                d.tail_text()
            );
        }
    };
    match finished.status {
        None => {
            show_output("timed out");
            bail!(
                "the benchmark command did not finish within {} s on the {what} (its output is in the CI log)",
                timeout.as_secs()
            );
        }
        Some(status) if !status.success() => {
            show_output("failed");
            bail!("the benchmark command failed on the {what}: {status} (its output is in the CI log)");
        }
        Some(_) => {}
    }
    let mut samples = Vec::new();
    let mut bad_names = 0;
    for (name, s) in finished
        .stdout
        .result_lines
        .iter()
        .filter_map(|l| parse_line(l))
    {
        if valid_name(&name) {
            samples.push((name, s));
        } else {
            bad_names += 1;
        }
    }
    if bad_names > 0 {
        log.push(format!(
            "{what}: {bad_names} result lines ignored (a benchmark name is 1 to {MAX_NAME_LEN} letters, digits, spaces or _-./:+=,()[]#)"
        ));
    }
    if samples.is_empty() {
        show_output("no results");
        bail!(
            "the benchmark command printed no benchmark results on the {what} (JSON lines with name and seconds; its output is in the CI log)"
        );
    }
    Ok(samples)
}

/// How `run` isolates pull-request code: bubblewrap where it starts; else bare, but only
/// when this process holds no secret.
pub fn isolation(holds_secret: bool) -> anyhow::Result<Isolation> {
    match sandbox::probe() {
        Ok(bwrap) => Ok(Isolation::Bwrap(bwrap)),
        Err(_) if !holds_secret => Ok(Isolation::None),
        Err(why) => bail!(
            "refusing to run pull-request code: this runner holds BATTBOT_RUNNER_SECRET and no \
             sandbox can start ({why}) (hint: install bubblewrap and allow unprivileged user \
             namespaces, or benchmark in a CI job without the secret as ci-templates/ do)"
        ),
    }
}

/// The commit the base side benchmarks: the merge ref's first parent; a plain branch
/// itself; when the merge ref is missing (a conflicting pull request), the head of the base
/// branch named in the job, else of the repository's default branch.
fn base_commit(repo: &Path, job: &BenchmarkJob, log: &mut Vec<String>) -> anyhow::Result<String> {
    let r = &job.base_ref;
    if git(repo, &["fetch", "--quiet", "origin", &format!("+{r}:{r}")]).is_ok() {
        return match git(repo, &["rev-parse", &format!("{r}^2")]) {
            Ok(_) => git(repo, &["rev-parse", &format!("{r}^1")]),
            Err(_) => git(repo, &["rev-parse", &format!("{r}^{{commit}}")]),
        };
    }
    let branch = match &job.base_branch {
        Some(b) => b.clone(),
        None => {
            let head = git(repo, &["ls-remote", "--symref", "origin", "HEAD"])?;
            head.lines()
                .find_map(|l| l.strip_prefix("ref: refs/heads/"))
                .and_then(|l| l.split_whitespace().next())
                .map(str::to_string)
                .with_context(|| {
                    format!("{r} does not exist and the repository has no default branch")
                })?
        }
    };
    if branch.starts_with('-') || branch.contains("..") {
        bail!("invalid base branch {branch:?} in the job");
    }
    log.push(format!(
        "{r} does not exist; benchmarking against the head of {branch}"
    ));
    let local = format!("refs/battbot/base/{branch}");
    git(
        repo,
        &[
            "fetch",
            "--quiet",
            "origin",
            &format!("+refs/heads/{branch}:{local}"),
        ],
    )?;
    git(repo, &["rev-parse", &format!("{local}^{{commit}}")])
}

/// Checks out base and head under `work` (emptied first) and benchmarks them in interleaved
/// rounds; `on_round(done, total)` is told after each round. A benchmark missing on one side
/// has samples on the other only ("new in this PR", "removed").
pub fn run(
    job: &BenchmarkJob,
    isolation: &Isolation,
    work: &Path,
    log: &mut Vec<String>,
    on_round: &mut dyn FnMut(u32, u32),
) -> anyhow::Result<BenchmarkSamples> {
    // Nothing of an earlier job survives: its checkouts may hold anything a PR wrote.
    if work.exists() {
        std::fs::remove_dir_all(work)
            .with_context(|| format!("cannot clean {}", work.display()))?;
    }
    std::fs::create_dir_all(work)?;
    let work = std::path::absolute(work)?;
    let repo = work.join("repo");
    let st = Command::new("git")
        .args(["clone", "--quiet", "--no-checkout", "--", &job.clone_url])
        .arg(&repo)
        .env("GIT_TERMINAL_PROMPT", "0")
        .status()
        .context("cannot run git clone")?;
    if !st.success() {
        bail!("cannot clone {}", job.clone_url);
    }
    let r = &job.head_ref;
    git(&repo, &["fetch", "--quiet", "origin", &format!("+{r}:{r}")])?;
    let head_sha = git(&repo, &["rev-parse", &format!("{r}^{{commit}}")])?;
    let base_sha = base_commit(&repo, job, log)?;
    let base_dir = work.join("base");
    let head_dir = work.join("head");
    for (dir, sha) in [(&base_dir, &base_sha), (&head_dir, &head_sha)] {
        git(
            &repo,
            &[
                "worktree",
                "add",
                "--quiet",
                "--detach",
                &dir.to_string_lossy(),
                sha,
            ],
        )?;
    }
    log.push(format!(
        "benchmarking base {base_sha} against head {head_sha}, {} rounds, {}",
        job.repeat,
        match isolation {
            Isolation::Bwrap(_) => "in a bubblewrap sandbox",
            Isolation::None => "without a sandbox (this job holds no secret)",
        }
    ));
    let timeout = Duration::from_secs(job.timeout_s.max(1));
    let mut series: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    let rounds = job.repeat.max(1);
    for round in 0..rounds {
        // Alternate which side goes first so drift does not favour one of them.
        let order = if round % 2 == 0 {
            [Side::Base, Side::Head]
        } else {
            [Side::Head, Side::Base]
        };
        for side in order {
            let dir = if side == Side::Base {
                &base_dir
            } else {
                &head_dir
            };
            let what = format!("{} side, round {}", side.name(), round + 1);
            for (name, s) in run_once(isolation, dir, &job.command, timeout, &what, log)? {
                if !series.contains_key(&name) && series.len() >= MAX_BENCHMARKS {
                    continue;
                }
                let entry = series.entry(name).or_default();
                match side {
                    Side::Base => entry.0.push(s),
                    Side::Head => entry.1.push(s),
                }
            }
        }
        log.push(format!("round {} of {} done", round + 1, rounds));
        on_round(round + 1, rounds);
    }
    if series.len() >= MAX_BENCHMARKS {
        log.push(format!(
            "only the first {MAX_BENCHMARKS} benchmarks are kept"
        ));
    }
    // The checkouts go: the next job starts from nothing.
    let _ = std::fs::remove_dir_all(&work);
    Ok(BenchmarkSamples {
        base_sha,
        head_sha,
        benchmarks: series
            .into_iter()
            .map(|(name, (base_s, head_s))| BenchmarkSeries {
                name,
                base_s,
                head_s,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::parse_line;

    #[test]
    fn output_formats() {
        assert_eq!(
            parse_line(r#"{"name":"a","seconds":0.5}"#),
            Some(("a".into(), 0.5))
        );
        assert_eq!(
            parse_line(
                r#"{"name":"dfn","setup_s":0.1,"solve_s_median":0.002,"solve_s_min":0.001,"repeat":5,"rows":3}"#
            ),
            Some(("dfn".into(), 0.002))
        );
        let c = r#"{"reason":"benchmark-complete","id":"solve/spm","typical":{"estimate":1500.0,"unit":"ns"}}"#;
        assert_eq!(parse_line(c), Some(("solve/spm".into(), 1.5e-6)));
        assert_eq!(parse_line("not json"), None);
        assert_eq!(parse_line(r#"{"name":"a","seconds":-1}"#), None);
    }
}
