//! Benchmark statistics for `runbenchmarks` reports: medians, the head/base ratio with a
//! bootstrap confidence interval, and a verdict at the configured threshold; a benchmark with
//! samples on one side only is "new in this PR" or "removed", never a NaN, and one whose
//! median moved beyond the threshold but whose interval reaches back inside it is
//! "inconclusive", never "no change".

use serde::{Deserialize, Serialize};

use crate::runner::protocol::{BenchmarkSamples, BenchmarkSeries};

/// One benchmark's comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub name: String,
    /// Absent for a benchmark new in this PR.
    pub base_median_s: Option<f64>,
    /// Absent for a benchmark the PR removed.
    pub head_median_s: Option<f64>,
    /// Head over base, with its 95 % interval; absent unless both sides have samples.
    pub ratio: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// `slower`, `faster`, `inconclusive`, `no change`, `new in this PR` or `removed`.
    pub verdict: String,
}

/// The median of a non-empty sample.
fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        0.5 * (s[n / 2 - 1] + s[n / 2])
    }
}

/// SplitMix64: a small, reproducible generator for the bootstrap.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, v: &'a [f64]) -> &'a f64 {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

/// Compares one benchmark: 2 000 bootstrap resamples of the ratio of medians.
pub fn compare(series: &BenchmarkSeries, threshold_percent: f64) -> Verdict {
    let one_side = |verdict: &str| Verdict {
        name: series.name.clone(),
        base_median_s: (!series.base_s.is_empty()).then(|| median(&series.base_s)),
        head_median_s: (!series.head_s.is_empty()).then(|| median(&series.head_s)),
        ratio: None,
        ci_low: None,
        ci_high: None,
        verdict: verdict.into(),
    };
    if series.base_s.is_empty() {
        return one_side("new in this PR");
    }
    if series.head_s.is_empty() {
        return one_side("removed");
    }
    let base = median(&series.base_s);
    let head = median(&series.head_s);
    if base <= 0.0 {
        // A zero-time base has no meaningful ratio.
        return Verdict {
            ratio: None,
            ..one_side("no change")
        };
    }
    let ratio = head / base;
    let (mut lo, mut hi) = (ratio, ratio);
    if series.base_s.len() >= 2 && series.head_s.len() >= 2 {
        let seed = series.name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        });
        let mut rng = SplitMix(seed);
        let mut ratios = Vec::with_capacity(2000);
        let (mut b, mut h) = (
            vec![0.0; series.base_s.len()],
            vec![0.0; series.head_s.len()],
        );
        for _ in 0..2000 {
            for x in b.iter_mut() {
                *x = *rng.pick(&series.base_s);
            }
            for x in h.iter_mut() {
                *x = *rng.pick(&series.head_s);
            }
            ratios.push(median(&h) / median(&b));
        }
        ratios.sort_by(|a, b| a.total_cmp(b));
        lo = ratios[(0.025 * 1999.0) as usize];
        hi = ratios[(0.975 * 1999.0) as usize];
    }
    let t = threshold_percent / 100.0;
    let verdict = if lo > 1.0 + t {
        "slower"
    } else if hi < 1.0 - t {
        "faster"
    } else if ratio > 1.0 + t || ratio < 1.0 - t {
        // The medians differ by more than the threshold, but the samples are too spread to
        // say so at 95 %: "no change" would hide a regression a noisy round blurred.
        "inconclusive"
    } else {
        "no change"
    };
    Verdict {
        name: series.name.clone(),
        base_median_s: Some(base),
        head_median_s: Some(head),
        ratio: Some(ratio),
        ci_low: lo.is_finite().then_some(lo),
        ci_high: hi.is_finite().then_some(hi),
        verdict: verdict.into(),
    }
}

/// Refuses samples a report cannot show: a name outside the runner's charset (it goes into
/// code spans and replies), a sample that is not a finite, non-negative time.
pub fn check(samples: &BenchmarkSamples) -> anyhow::Result<()> {
    for s in &samples.benchmarks {
        if !crate::runner::bench::valid_name(&s.name) {
            anyhow::bail!(
                "invalid benchmark name {:?} (1 to {} letters, digits, spaces or _-./:+=,()[]#)",
                s.name.chars().take(40).collect::<String>(),
                crate::runner::bench::MAX_NAME_LEN
            );
        }
        let bad = |v: &[f64]| v.iter().any(|x| !x.is_finite() || *x < 0.0);
        if bad(&s.base_s) || bad(&s.head_s) || (s.base_s.is_empty() && s.head_s.is_empty()) {
            anyhow::bail!("benchmark {:?} has no valid samples", s.name);
        }
    }
    Ok(())
}

/// Every benchmark's verdict, regressions first.
pub fn verdicts(samples: &BenchmarkSamples, threshold_percent: f64) -> Vec<Verdict> {
    let mut v: Vec<Verdict> = samples
        .benchmarks
        .iter()
        .map(|s| compare(s, threshold_percent))
        .collect();
    v.sort_by_key(|x| match x.verdict.as_str() {
        "slower" => 0,
        "inconclusive" => 1,
        "faster" => 2,
        "no change" => 3,
        _ => 4,
    });
    v
}

/// "1.23 ms", "4.56 s", …; "—" for a side without samples.
pub fn format_optional_seconds(s: Option<f64>) -> String {
    s.map(format_seconds).unwrap_or_else(|| "—".into())
}

/// "×1.234", or "—" where there is no ratio.
pub fn format_ratio(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.3}")).unwrap_or_else(|| "—".into())
}

/// "1.23 ms", "4.56 s", …
pub fn format_seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else {
        format!("{:.3} µs", s * 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(base: &[f64], head: &[f64]) -> BenchmarkSeries {
        BenchmarkSeries {
            name: "x".into(),
            base_s: base.to_vec(),
            head_s: head.to_vec(),
        }
    }

    #[test]
    fn clear_regression_and_noise() {
        let slow = compare(
            &series(&[1.0, 1.02, 0.98, 1.01, 0.99], &[2.0, 2.1, 1.9, 2.05, 1.95]),
            5.0,
        );
        assert_eq!(slow.verdict, "slower");
        assert!((slow.ratio.unwrap() - 2.0).abs() < 1e-9);
        assert!(
            slow.ci_low.unwrap() > 1.8 && slow.ci_high.unwrap() < 2.2,
            "{slow:?}"
        );
        let same = compare(
            &series(
                &[1.0, 1.02, 0.98, 1.01, 0.99],
                &[1.01, 0.99, 1.0, 1.02, 0.98],
            ),
            5.0,
        );
        assert_eq!(same.verdict, "no change");
        let fast = compare(
            &series(&[1.0, 1.02, 0.98, 1.01, 0.99], &[0.5, 0.51, 0.49, 0.5, 0.5]),
            5.0,
        );
        assert_eq!(fast.verdict, "faster");
    }

    /// What CI saw on a loaded runner: the head's loop is 2.8× longer, but one base round
    /// was as slow as the head and one head round as fast as the base, so the interval ran
    /// from 0.9 to 4.8 and the report said "no change".
    #[test]
    fn a_2_8x_slower_median_blurred_by_noisy_rounds_is_inconclusive_not_no_change() {
        let blurred = compare(
            &series(
                &[0.0208, 0.0205, 0.0612, 0.0210, 0.0209],
                &[0.0579, 0.0201, 0.0575, 0.0583, 0.0580],
            ),
            5.0,
        );
        let (lo, hi) = (blurred.ci_low.unwrap(), blurred.ci_high.unwrap());
        assert!(
            blurred.ratio.unwrap() > 2.5 && lo < 1.05 && hi > 2.5,
            "{blurred:?}"
        );
        assert_eq!(blurred.verdict, "inconclusive");
        // the same spread around a median within the threshold is still "no change"
        let within = compare(
            &series(
                &[0.0208, 0.0205, 0.0612, 0.0210, 0.0209],
                &[0.0209, 0.0201, 0.0575, 0.0207, 0.0211],
            ),
            5.0,
        );
        assert_eq!(within.verdict, "no change", "{within:?}");
        // and a wide interval around a faster median is inconclusive too
        let faster = compare(
            &series(&[1.0, 1.0, 0.5, 1.0, 1.0], &[0.5, 0.5, 1.0, 0.5, 0.5]),
            5.0,
        );
        assert_eq!(faster.verdict, "inconclusive", "{faster:?}");
        let order: Vec<String> = verdicts(
            &BenchmarkSamples {
                base_sha: "a".into(),
                head_sha: "b".into(),
                benchmarks: vec![
                    BenchmarkSeries {
                        name: "same".into(),
                        ..series(&[1.0, 1.0], &[1.0, 1.0])
                    },
                    BenchmarkSeries {
                        name: "blurred".into(),
                        ..series(&[1.0, 1.0, 0.5, 1.0, 1.0], &[0.5, 0.5, 1.0, 0.5, 0.5])
                    },
                ],
            },
            5.0,
        )
        .into_iter()
        .map(|v| v.verdict)
        .collect();
        assert_eq!(order, ["inconclusive", "no change"]);
    }

    #[test]
    fn benchmarks_on_one_side_are_new_or_removed_never_nan() {
        let new = compare(&series(&[], &[1.0, 1.1]), 5.0);
        assert_eq!(new.verdict, "new in this PR");
        assert_eq!((new.base_median_s, new.ratio), (None, None));
        assert_eq!(new.head_median_s, Some(1.05));
        let gone = compare(&series(&[1.0], &[]), 5.0);
        assert_eq!(gone.verdict, "removed");
        let json = serde_json::to_string(&[new, gone]).unwrap();
        assert!(!json.contains("NaN"), "{json}");
    }
}
