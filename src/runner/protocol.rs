//! Defines the runner callback protocol of DESIGN §7: the JSON bodies and the
//! HMAC-SHA256 signature over `timestamp + "." + body`, keyed per job (job spec version 2).

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::sim::SimSpec;

pub const TIMESTAMP_HEADER: &str = "X-Battbot-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-Battbot-Signature";

/// `POST …/started`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Started {
    pub job_id: String,
    pub runner: String,
    pub battbot_version: String,
}

/// `POST …/progress`: how far a long job (a benchmark) has come, for `status`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub job_id: String,
    /// Units done and in all (benchmark rounds).
    pub done: u32,
    pub total: u32,
    /// What a unit is, e.g. `round`.
    pub unit: String,
}

/// One simulated run of a result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub label: String,
    pub spec: SimSpec,
    pub final_voltage_v: f64,
    pub final_time_s: f64,
    pub discharge_capacity_ah: f64,
    pub discharge_energy_wh: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_temperature_k: Option<f64>,
    pub solve_time_s: f64,
    pub rows: usize,
    /// Capacity fade over the cycles of a multi-cycle run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fade: Option<CycleFade>,
    /// Set when the run stopped before the end of its experiment: where and why ("stopped in
    /// cycle 506, step '…', after 1 487 h: …"); the curves and CSV hold what was solved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

/// How a multi-cycle run aged: the per-cycle summary reduced to what a report shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CycleFade {
    pub cycles: usize,
    pub first_cycle_capacity_ah: f64,
    pub last_cycle_capacity_ah: f64,
    /// Capacity lost from the first to the last cycle, in % of the first.
    pub fade_percent: f64,
    /// PyBaMM's "Loss of lithium inventory [%]" at the end.
    pub loss_of_lithium_inventory_percent: f64,
}

/// A file produced by the runner, base64-encoded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    pub name: String,
    pub content_type: String,
    pub base64: String,
}

/// `POST …/result`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub job_id: String,
    pub battbot_version: String,
    pub runs: Vec<RunSummary>,
    pub artifacts: Vec<Artifact>,
    #[serde(default)]
    pub log_tail: Vec<String>,
    /// The samples of a `runbenchmarks` job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark: Option<BenchmarkSamples>,
}

/// Every timing of a benchmark run: base and head, interleaved rounds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkSamples {
    pub base_sha: String,
    pub head_sha: String,
    pub benchmarks: Vec<BenchmarkSeries>,
}

/// One benchmark's samples in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkSeries {
    pub name: String,
    pub base_s: Vec<f64>,
    pub head_s: Vec<f64>,
}

/// `POST …/failure`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunFailure {
    pub job_id: String,
    pub battbot_version: String,
    pub error: String,
    #[serde(default)]
    pub log_tail: Vec<String>,
}

/// The key a job's callbacks are signed with (job spec version 2): HMAC-SHA256(secret, job
/// id), 32 raw bytes. Derived on the runner, so a key that leaks speaks for one job only.
pub fn job_key(secret: &[u8], job_id: &str) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(job_id.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Verifies a callback of job `job_id` against the per-job key of `secret`; a signature made
/// with the shared secret itself (a runner older than job spec version 2) is refused with
/// [`CallbackRejection::SharedSecretSignature`].
pub fn verify_job(
    secret: &[u8],
    job_id: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
    max_skew_s: u64,
) -> Result<Vec<u8>, CallbackRejection> {
    let key = job_key(secret, job_id);
    match verify(&key, timestamp, signature, body, now, max_skew_s) {
        Err(CallbackRejection::BadSignature)
            if verify(secret, timestamp, signature, body, now, max_skew_s).is_ok() =>
        {
            Err(CallbackRejection::SharedSecretSignature)
        }
        other => other,
    }
}

/// `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Why a callback was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallbackRejection {
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    #[error("timestamp is not a number")]
    BadTimestamp,
    #[error("timestamp is {skew_s} s away from now (max {max_s} s)")]
    Stale { skew_s: i64, max_s: u64 },
    #[error("signature does not match")]
    BadSignature,
    #[error(
        "signed with the shared runner secret, as runners before job spec version 2 did; \
         this app takes per-job keys only (hint: upgrade battbot on the runner)"
    )]
    SharedSecretSignature,
}

/// What a callback's headers must be before anything else is done with it: both present,
/// the timestamp within `max_skew_s` of `now` (no overflow whatever its value) and the
/// signature `sha256=` and 64 hex digits. Returns the timestamp and the decoded MAC. The
/// server checks this before reading a body (`server::shed`), and `verify` again with it.
pub fn check_headers(
    timestamp: Option<&str>,
    signature: Option<&str>,
    now: i64,
    max_skew_s: u64,
) -> Result<(i64, Vec<u8>), CallbackRejection> {
    let ts = timestamp.ok_or(CallbackRejection::MissingHeader(TIMESTAMP_HEADER))?;
    let sig = signature.ok_or(CallbackRejection::MissingHeader(SIGNATURE_HEADER))?;
    let ts: i64 = ts
        .trim()
        .parse()
        .map_err(|_| CallbackRejection::BadTimestamp)?;
    let skew = now.abs_diff(ts);
    if skew > max_skew_s {
        return Err(CallbackRejection::Stale {
            skew_s: i64::try_from(skew).unwrap_or(i64::MAX),
            max_s: max_skew_s,
        });
    }
    let hex_sig = sig
        .trim()
        .strip_prefix("sha256=")
        .ok_or(CallbackRejection::BadSignature)?;
    if hex_sig.len() != 64 {
        return Err(CallbackRejection::BadSignature);
    }
    let given = hex::decode(hex_sig).map_err(|_| CallbackRejection::BadSignature)?;
    Ok((ts, given))
}

/// Checks timestamp freshness (without overflow, whatever the number) and the signature in
/// constant time; returns the decoded MAC, the replay guard's key (hex case, padding and a
/// re-spelled timestamp do not make a new one).
pub fn verify(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
    max_skew_s: u64,
) -> Result<Vec<u8>, CallbackRejection> {
    let (ts, given) = check_headers(timestamp, signature, now, max_skew_s)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(ts.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&given)
        .map_err(|_| CallbackRejection::BadSignature)?;
    Ok(given)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_job_keys_speak_for_their_job_only() {
        let key = job_key(b"s3cret", "gh-o-r-1-c2");
        assert_ne!(key, job_key(b"s3cret", "gh-o-r-1-c3"));
        let sig = sign(&key, 1_700_000_000, b"{}");
        let check = |id: &str, sig: &str| {
            verify_job(
                b"s3cret",
                id,
                Some("1700000000"),
                Some(sig),
                b"{}",
                1_700_000_000,
                300,
            )
        };
        assert!(check("gh-o-r-1-c2", &sig).is_ok());
        assert_eq!(
            check("gh-o-r-1-c3", &sig),
            Err(CallbackRejection::BadSignature)
        );
        let old = sign(b"s3cret", 1_700_000_000, b"{}");
        assert_eq!(
            check("gh-o-r-1-c2", &old),
            Err(CallbackRejection::SharedSecretSignature)
        );
    }

    #[test]
    fn sign_then_verify() {
        let sig = sign(b"s3cret", 1_700_000_000, b"{}");
        assert!(verify(
            b"s3cret",
            Some("1700000000"),
            Some(&sig),
            b"{}",
            1_700_000_100,
            300
        )
        .is_ok());
        assert_eq!(
            verify(
                b"s3cret",
                Some("1700000000"),
                Some(&sig),
                b"{ }",
                1_700_000_100,
                300
            ),
            Err(CallbackRejection::BadSignature)
        );
        assert!(matches!(
            verify(
                b"s3cret",
                Some("1700000000"),
                Some(&sig),
                b"{}",
                1_700_000_301,
                300
            ),
            Err(CallbackRejection::Stale { .. })
        ));
        assert_eq!(
            verify(
                b"other",
                Some("1700000000"),
                Some(&sig),
                b"{}",
                1_700_000_000,
                300
            ),
            Err(CallbackRejection::BadSignature)
        );
    }

    #[test]
    fn timestamp_far_in_the_past_does_not_overflow_into_fresh() {
        let now = 1_700_000_000;
        let ts = i64::MIN + now;
        let sig = sign(b"s3cret", ts, b"{}");
        assert!(matches!(
            verify(
                b"s3cret",
                Some(&ts.to_string()),
                Some(&sig),
                b"{}",
                now,
                300
            ),
            Err(CallbackRejection::Stale { .. })
        ));
    }

    #[test]
    fn case_changed_signature_yields_the_same_mac() {
        let sig = sign(b"s3cret", 1_700_000_000, b"{}");
        let upper = format!("sha256={}", sig["sha256=".len()..].to_uppercase());
        let a = verify(
            b"s3cret",
            Some("1700000000"),
            Some(&sig),
            b"{}",
            1_700_000_000,
            300,
        );
        let b = verify(
            b"s3cret",
            Some("1700000000"),
            Some(&upper),
            b"{}",
            1_700_000_000,
            300,
        );
        assert_eq!(a, b);
        assert!(a.is_ok());
    }
}
