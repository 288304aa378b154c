//! Runs a `runbenchmarks` job: checks out the pull request's base and head, runs the
//! benchmark command on both in interleaved rounds, and collects every sample.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::job::BenchmarkJob;

use super::protocol::{BenchmarkSamples, BenchmarkSeries};

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

/// Runs the command once in `dir`, bounded by `timeout`.
fn run_once(dir: &Path, command: &str, timeout: Duration) -> anyhow::Result<Vec<(String, f64)>> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {command:?}"))?;
    let started = std::time::Instant::now();
    loop {
        if child.try_wait()?.is_some() {
            break;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            bail!("{command:?} did not finish within {} s", timeout.as_secs());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "{command:?} failed in {} ({}): {}",
            dir.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let samples: Vec<_> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(parse_line)
        .collect();
    if samples.is_empty() {
        bail!("{command:?} printed no benchmark results (JSON lines with name and seconds)");
    }
    Ok(samples)
}

/// Checks out base and head under `work` and benchmarks them in interleaved rounds;
/// `on_round(done, total)` is told after each round.
pub fn run(
    job: &BenchmarkJob,
    work: &Path,
    log: &mut Vec<String>,
    on_round: &mut dyn FnMut(u32, u32),
) -> anyhow::Result<BenchmarkSamples> {
    std::fs::create_dir_all(work)?;
    let repo = work.join("repo");
    if !repo.join(".git").exists() {
        let st = Command::new("git")
            .args(["clone", "--quiet", "--no-checkout", &job.clone_url])
            .arg(&repo)
            .status()
            .context("cannot run git clone")?;
        if !st.success() {
            bail!("cannot clone {}", job.clone_url);
        }
    }
    for r in [&job.head_ref, &job.base_ref] {
        git(&repo, &["fetch", "--quiet", "origin", &format!("+{r}:{r}")])?;
    }
    let head_sha = git(
        &repo,
        &["rev-parse", &format!("{}^{{commit}}", job.head_ref)],
    )?;
    // A merge ref's first parent is the base; a plain branch is the base itself.
    let base_sha = match git(&repo, &["rev-parse", &format!("{}^2", job.base_ref)]) {
        Ok(_) => git(&repo, &["rev-parse", &format!("{}^1", job.base_ref)])?,
        Err(_) => git(
            &repo,
            &["rev-parse", &format!("{}^{{commit}}", job.base_ref)],
        )?,
    };
    let base_dir = work.join("base");
    let head_dir = work.join("head");
    for (dir, sha) in [(&base_dir, &base_sha), (&head_dir, &head_sha)] {
        if !dir.exists() {
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
    }
    log.push(format!(
        "benchmarking base {base_sha} against head {head_sha}, {} rounds",
        job.repeat
    ));
    let timeout = Duration::from_secs(job.timeout_s.max(1));
    let mut series: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for round in 0..job.repeat.max(1) {
        // Alternate which side goes first so drift does not favour one of them.
        let order = if round % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for is_base in order {
            let dir = if is_base { &base_dir } else { &head_dir };
            for (name, s) in run_once(dir, &job.command, timeout)? {
                let entry = series.entry(name).or_default();
                if is_base {
                    entry.0.push(s)
                } else {
                    entry.1.push(s)
                }
            }
        }
        log.push(format!("round {} of {} done", round + 1, job.repeat));
        on_round(round + 1, job.repeat.max(1));
    }
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
