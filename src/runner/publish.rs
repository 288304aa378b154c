//! The two-job CI split: a job without the secret leaves its callback body in
//! `out/callback/`; `run-job --publish`, in a job that has the secret and runs no
//! pull-request code, validates that body against the schema and posts it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use base64::Engine;

use super::bench::{valid_name, MAX_BENCHMARKS};
use super::protocol::{RunFailure, RunResult};
use crate::job::JobSpec;

/// Largest callback body read back (the app's default body limit).
pub const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;
const MAX_LOG_LINES: usize = 200;
const MAX_LOG_LINE_CHARS: usize = 500;
const MAX_ERROR_CHARS: usize = 4000;
const MAX_SAMPLES: usize = 10_000;

fn body_path(out: &Path, kind: &str) -> PathBuf {
    out.join("callback").join(format!("{kind}.json"))
}

/// Keeps the body of a `result` or `failure` callback for a later `--publish`.
pub fn write_body(out: &Path, kind: &str, body: &[u8]) -> anyhow::Result<()> {
    let path = body_path(out, kind);
    std::fs::create_dir_all(path.parent().expect("a body path has a parent"))?;
    let other = if kind == "result" {
        "failure"
    } else {
        "result"
    };
    let _ = std::fs::remove_file(body_path(out, other));
    std::fs::write(&path, body).with_context(|| format!("cannot write {}", path.display()))
}

fn read_limited(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(None);
    };
    if !meta.is_file() || meta.len() > MAX_BODY_BYTES {
        bail!(
            "{} is not a regular file of at most {MAX_BODY_BYTES} bytes",
            path.display()
        );
    }
    Ok(Some(std::fs::read(path)?))
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn clip_log(log: &[String]) -> Vec<String> {
    let from = log.len().saturating_sub(MAX_LOG_LINES);
    log[from..]
        .iter()
        .map(|l| clip(l, MAX_LOG_LINE_CHARS))
        .collect()
}

/// Whether an artifact's bytes are what its name and type say.
fn artifact_ok(name: &str, content_type: &str, bytes: &[u8]) -> bool {
    let plain = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !name.starts_with('.');
    plain
        && match (content_type, name.rsplit('.').next().unwrap_or("")) {
            ("image/png", "png") => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            ("image/gif", "gif") => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
            ("text/csv", "csv") => std::str::from_utf8(bytes).is_ok(),
            ("application/json", "json") => {
                serde_json::from_slice::<serde_json::Value>(bytes).is_ok()
            }
            ("application/gzip", "gz") => bytes.starts_with(b"\x1f\x8b"),
            _ => false,
        }
}

/// Checks a result body against the schema and the job; returns it re-serialised.
fn validate_result(spec: &JobSpec, bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut r: RunResult =
        serde_json::from_slice(bytes).context("the result body is not a battbot result")?;
    if r.job_id != spec.id.as_str() {
        bail!("the result body is for job {:?}, not {}", r.job_id, spec.id);
    }
    r.battbot_version = clip(&r.battbot_version, 40);
    r.log_tail = clip_log(&r.log_tail);
    for a in &r.artifacts {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&a.base64)
            .with_context(|| format!("artifact {:?} is not base64", a.name))?;
        if !artifact_ok(&a.name, &a.content_type, &bytes) {
            bail!(
                "artifact {:?} ({:?}) is not a PNG, GIF, CSV, CSV.gz or JSON file of its name",
                a.name,
                a.content_type
            );
        }
    }
    if let Some(b) = &r.benchmark {
        let sha = |s: &str| (7..=64).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_hexdigit());
        if !sha(&b.base_sha) || !sha(&b.head_sha) {
            bail!("the benchmark commits are not commit hashes");
        }
        if b.benchmarks.len() > MAX_BENCHMARKS {
            bail!("more than {MAX_BENCHMARKS} benchmarks");
        }
        for s in &b.benchmarks {
            if !valid_name(&s.name) {
                bail!("invalid benchmark name {:?}", clip(&s.name, 40));
            }
            let ok =
                |v: &[f64]| v.len() <= MAX_SAMPLES && v.iter().all(|x| x.is_finite() && *x >= 0.0);
            if !ok(&s.base_s) || !ok(&s.head_s) || (s.base_s.is_empty() && s.head_s.is_empty()) {
                bail!("benchmark {:?} has invalid samples", s.name);
            }
        }
    }
    Ok(serde_json::to_vec(&r)?)
}

/// Checks a failure body; returns it re-serialised with its text bounded.
fn validate_failure(spec: &JobSpec, bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut f: RunFailure =
        serde_json::from_slice(bytes).context("the failure body is not a battbot failure")?;
    if f.job_id != spec.id.as_str() {
        bail!(
            "the failure body is for job {:?}, not {}",
            f.job_id,
            spec.id
        );
    }
    f.battbot_version = clip(&f.battbot_version, 40);
    f.error = clip(&f.error, MAX_ERROR_CHARS);
    f.log_tail = clip_log(&f.log_tail);
    Ok(serde_json::to_vec(&f)?)
}

/// The callback a secretless job left in `out/callback/`, validated: `("result", body)` or
/// `("failure", body)`; `None` when it left none.
pub fn read_bodies(spec: &JobSpec, out: &Path) -> anyhow::Result<Option<(&'static str, Vec<u8>)>> {
    if let Some(bytes) = read_limited(&body_path(out, "result"))? {
        return Ok(Some(("result", validate_result(spec, &bytes)?)));
    }
    if let Some(bytes) = read_limited(&body_path(out, "failure"))? {
        return Ok(Some(("failure", validate_failure(spec, &bytes)?)));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::artifact_ok;

    #[test]
    fn artifacts_are_checked_by_content() {
        assert!(artifact_ok("a.png", "image/png", b"\x89PNG\r\n\x1a\nxx"));
        assert!(!artifact_ok("a.png", "image/png", b"<svg>"));
        assert!(!artifact_ok(
            "../a.png",
            "image/png",
            b"\x89PNG\r\n\x1a\nxx"
        ));
        assert!(!artifact_ok("a.html", "text/html", b"<p>"));
        assert!(artifact_ok("b.json", "application/json", b"{}"));
    }
}
