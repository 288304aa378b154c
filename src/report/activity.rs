//! The index's activity panel: reports per week and the median time from request to report,
//! kept in the manifest as bounded weekly counts and latency histograms (`ACTIVITY_WEEKS`
//! weeks, quarter-octave bins), drawn by battbot as an inline SVG.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::index::Entry;

/// Weeks the manifest keeps (older weeks drop out): the panel's span.
pub const ACTIVITY_WEEKS: usize = 26;
/// Histogram bins per doubling of the latency (a median within ±9 %).
const BINS_PER_OCTAVE: f64 = 4.0;
const MAX_BIN: u32 = 99;

/// One week of reports: its Monday, how many, and their request-to-report latencies.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Week {
    /// `yyyy-mm-dd` of the week's Monday (UTC).
    pub week: String,
    pub count: u64,
    /// Bin → reports: bin `b` holds latencies of about 2^(b/4) seconds.
    #[serde(default)]
    pub latency: BTreeMap<u32, u64>,
}

/// The Monday of the week an RFC 3339 time falls in.
pub fn week_of(rfc3339: &str) -> Option<String> {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()?
        .to_offset(time::UtcOffset::UTC);
    let monday = t.date() - time::Duration::days(i64::from(t.weekday().number_days_from_monday()));
    Some(format!(
        "{:04}-{:02}-{:02}",
        monday.year(),
        u8::from(monday.month()),
        monday.day()
    ))
}

fn bin_of(seconds: f64) -> u32 {
    let b = (seconds.max(1.0).log2() * BINS_PER_OCTAVE).floor();
    (b as u32).min(MAX_BIN)
}

fn bin_value(bin: u32) -> f64 {
    2f64.powf((f64::from(bin) + 0.5) / BINS_PER_OCTAVE)
}

/// Counts one report in its week; keeps the newest `ACTIVITY_WEEKS` weeks.
pub fn record(weeks: &mut Vec<Week>, entry: &Entry) {
    let Some(week) = week_of(&entry.finished_at) else {
        return;
    };
    let i = match weeks.iter().position(|w| w.week == week) {
        Some(i) => i,
        None => {
            weeks.push(Week {
                week: week.clone(),
                ..Week::default()
            });
            weeks.len() - 1
        }
    };
    weeks[i].count += 1;
    if let Some(s) = entry.latency_s.filter(|s| s.is_finite() && *s >= 0.0) {
        *weeks[i].latency.entry(bin_of(s)).or_default() += 1;
    }
    weeks.sort_by(|a, b| a.week.cmp(&b.week));
    let drop = weeks.len().saturating_sub(ACTIVITY_WEEKS);
    weeks.drain(..drop);
}

/// The median latency of the reports in the histograms, in seconds.
fn median(hists: &[&BTreeMap<u32, u64>]) -> Option<f64> {
    let mut all: BTreeMap<u32, u64> = BTreeMap::new();
    for h in hists {
        for (b, n) in *h {
            *all.entry(*b).or_default() += n;
        }
    }
    let n: u64 = all.values().sum();
    let mut seen = 0;
    for (b, c) in all {
        seen += c;
        if seen * 2 >= n {
            return Some(bin_value(b));
        }
    }
    None
}

/// "12 s", "3.5 min", "2.1 h".
pub fn duration_text(s: f64) -> String {
    if s < 90.0 {
        format!("{s:.0} s")
    } else if s < 5400.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

fn valid(w: &Week) -> bool {
    w.week.len() == 10
        && w.week.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// The panel's sentence: reports in the span and their median latency.
pub fn caption(weeks: &[Week]) -> String {
    let weeks: Vec<&Week> = weeks.iter().filter(|w| valid(w)).collect();
    let Some(first) = weeks.first() else {
        return "No reports yet.".into();
    };
    let total: u64 = weeks.iter().map(|w| w.count).sum();
    let hists: Vec<&BTreeMap<u32, u64>> = weeks.iter().map(|w| &w.latency).collect();
    let med = median(&hists)
        .map(|s| {
            format!(
                "; median time from request to report ≈ {}",
                duration_text(s)
            )
        })
        .unwrap_or_default();
    format!(
        "{total} report{} in {} week{} since the week of {}{med}.",
        if total == 1 { "" } else { "s" },
        weeks.len(),
        if weeks.len() == 1 { "" } else { "s" },
        first.week
    )
}

/// Bars of reports per week and a line of each week's median latency, as inline SVG
/// (colours from the page's stylesheet, so dark mode applies).
pub fn svg(weeks: &[Week]) -> String {
    let weeks: Vec<&Week> = weeks.iter().filter(|w| valid(w)).collect();
    let (w, h, left, right, top, bottom) = (720.0, 170.0, 44.0, 56.0, 14.0, 26.0);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="activity" viewBox="0 0 {w} {h}" role="img" aria-labelledby="activity-title"><title id="activity-title">Reports per week (bars) and median time from request to report (line), last {} weeks</title>"#,
        weeks.len()
    );
    if weeks.is_empty() {
        out.push_str("</svg>");
        return out;
    }
    let max_count = weeks.iter().map(|w| w.count).max().unwrap_or(1).max(1) as f64;
    let medians: Vec<Option<f64>> = weeks.iter().map(|w| median(&[&w.latency])).collect();
    let max_med = medians.iter().flatten().cloned().fold(1.0, f64::max);
    let slot = (w - left - right) / ACTIVITY_WEEKS as f64;
    let plot_h = h - top - bottom;
    let x0 = left + slot * (ACTIVITY_WEEKS - weeks.len()) as f64;
    let _ = write!(
        out,
        r#"<line class="axis" x1="{left}" y1="{y}" x2="{x2}" y2="{y}"/><text class="axis" x="{tx}" y="{ty}" text-anchor="end">{max_count}</text><text class="axis" x="{tx}" y="{y}" text-anchor="end">0</text><text class="lat" x="{rx}" y="{ty}">{med}</text>"#,
        y = top + plot_h,
        x2 = w - right,
        tx = left - 6.0,
        ty = top + 10.0,
        rx = w - right + 6.0,
        med = duration_text(max_med),
    );
    let mut line = Vec::new();
    for (i, (week, med)) in weeks.iter().zip(&medians).enumerate() {
        let x = x0 + slot * i as f64;
        let bh = plot_h * week.count as f64 / max_count;
        let med_text = med.map(duration_text).unwrap_or_else(|| "–".into());
        let _ = write!(
            out,
            r#"<rect class="bar" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>week of {}: {} report{}, median {}</title></rect>"#,
            x + 2.0,
            top + plot_h - bh,
            slot - 4.0,
            bh,
            week.week,
            week.count,
            if week.count == 1 { "" } else { "s" },
            med_text
        );
        if let Some(m) = med {
            line.push(format!(
                "{:.1},{:.1}",
                x + slot / 2.0,
                top + plot_h - plot_h * m / max_med
            ));
        }
    }
    if !line.is_empty() {
        let _ = write!(
            out,
            r#"<polyline class="lat" fill="none" points="{}"/>"#,
            line.join(" ")
        );
        for p in &line {
            let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(out, r#"<circle class="lat" cx="{x}" cy="{y}" r="3"/>"#);
        }
    }
    // The first and the last week under the axis (one label when they are the same).
    let last = &weeks[weeks.len() - 1].week;
    if weeks.len() > 1 {
        let _ = write!(
            out,
            r#"<text class="axis" x="{x0}" y="{h}" dy="-6">{}</text>"#,
            weeks[0].week
        );
    }
    let _ = write!(
        out,
        r#"<text class="axis" x="{xe}" y="{h}" dy="-6" text-anchor="end">{last}</text></svg>"#,
        xe = w - right,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: &str, latency: f64) -> Entry {
        serde_json::from_value(serde_json::json!({
            "job_id": at, "status": "success", "platform": "github", "repo": "a/b", "number": 1,
            "user": "u", "finished_at": at, "command": "c", "report": "r", "latency_s": latency,
        }))
        .unwrap()
    }

    #[test]
    fn weeks_are_bounded_and_medians_close() {
        let mut weeks = Vec::new();
        for (day, lat) in [
            ("2026-12-01", 10.0),
            ("2026-12-02", 12.0),
            ("2026-12-03", 400.0),
        ] {
            record(&mut weeks, &entry(&format!("{day}T10:00:00Z"), lat));
        }
        assert_eq!(weeks.len(), 1);
        assert_eq!(weeks[0].week, "2026-11-30");
        let m = median(&[&weeks[0].latency]).unwrap();
        assert!((m / 12.0 - 1.0).abs() < 0.1, "{m}");
        for i in 0..60 {
            let t = time::macros::datetime!(2020-01-01 0:00 UTC) + time::Duration::weeks(i);
            let at = t
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            record(&mut weeks, &entry(&at, 5.0));
        }
        assert_eq!(weeks.len(), ACTIVITY_WEEKS);
        assert!(svg(&weeks).ends_with("</svg>"));
        assert!(caption(&weeks).contains("26 weeks"), "{}", caption(&weeks));
    }
}
