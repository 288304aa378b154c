//! Benchmark statistics for `runbenchmarks` reports: medians, the head/base ratio with a
//! bootstrap confidence interval, and a verdict at the configured threshold.

use serde::{Deserialize, Serialize};

use crate::runner::protocol::{BenchmarkSamples, BenchmarkSeries};

/// One benchmark's comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub name: String,
    pub base_median_s: f64,
    pub head_median_s: f64,
    pub ratio: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// `slower`, `faster` or `no change`.
    pub verdict: String,
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    if n == 0 {
        return f64::NAN;
    }
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
    let base = median(&series.base_s);
    let head = median(&series.head_s);
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
    } else {
        "no change"
    };
    Verdict {
        name: series.name.clone(),
        base_median_s: base,
        head_median_s: head,
        ratio,
        ci_low: lo,
        ci_high: hi,
        verdict: verdict.into(),
    }
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
        "faster" => 1,
        _ => 2,
    });
    v
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
        assert!((slow.ratio - 2.0).abs() < 1e-9);
        assert!(slow.ci_low > 1.8 && slow.ci_high < 2.2, "{slow:?}");
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
}
