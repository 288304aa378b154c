//! Drive cycles: time series of current, power or voltage applied by `Run NAME (A|W|V)`
//! steps — the built-in `US06`, a spec's `drive_cycles`, CSV files — validated before any
//! solving, and interpolated linearly in time as PyBaMM's `pybamm.step.current/power/voltage`
//! interpolate 2-column data.

use std::collections::BTreeMap;

use serde::Serialize;

/// What a drive cycle's values are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DriveKind {
    /// Current [A], positive on discharge.
    Current,
    /// Power [W], positive on discharge.
    Power,
    /// Terminal voltage [V].
    Voltage,
}

impl DriveKind {
    /// The unit as written in the step: "A", "W" or "V".
    pub fn unit(self) -> &'static str {
        match self {
            DriveKind::Current => "A",
            DriveKind::Power => "W",
            DriveKind::Voltage => "V",
        }
    }
}

/// Rows a drive cycle may have, wherever it comes from (a day at 1 Hz).
pub const MAX_ROWS: usize = 86_400;
/// Bytes a drive-cycle CSV may have (a file is refused before its rows are read).
pub const MAX_CSV_BYTES: u64 = 4 * 1024 * 1024;
/// Simulated time one drive cycle may span [s] (the command limits are tighter).
pub const MAX_DURATION_S: f64 = 100.0 * 3600.0;
/// Largest magnitude of a value: 10 kA, 100 kW or 10 V (the command limits are tighter).
pub fn max_magnitude(kind: DriveKind) -> f64 {
    match kind {
        DriveKind::Current => 1e4,
        DriveKind::Power => 1e5,
        DriveKind::Voltage => 10.0,
    }
}

/// The built-in drive cycles: PyBaMM's US06 current profile (tests/data/drive_cycles/).
const US06_CSV: &str = include_str!("../../tests/data/drive_cycles/US06.csv");

/// Names of the built-in drive cycles.
pub const BUILTIN: &[&str] = &["US06"];

/// A drive cycle that cannot be used, with what is wrong and where.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("drive cycle {name:?}: {reason}")]
pub struct DriveCycleError {
    pub name: String,
    pub reason: String,
}

fn err(name: &str, reason: impl Into<String>) -> DriveCycleError {
    DriveCycleError {
        name: name.to_string(),
        reason: reason.into(),
    }
}

/// The rows of a built-in drive cycle (case-insensitive name).
pub fn builtin(name: &str) -> Option<Vec<[f64; 2]>> {
    if name.eq_ignore_ascii_case("US06") {
        return Some(parse_csv("US06", US06_CSV).expect("the built-in US06 is valid"));
    }
    None
}

/// Whether a `Run` step's name is a CSV file to read (a path ending in `.csv`).
pub fn is_csv_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".csv")
}

/// Reads a drive-cycle CSV: `time [s], value` rows, `#` comments and blank lines skipped, one
/// header line allowed before the first row. Stops at the first bad row, and after
/// `MAX_ROWS` rows, whatever the file's length.
pub fn parse_csv(name: &str, text: &str) -> Result<Vec<[f64; 2]>, DriveCycleError> {
    parse_csv_limited(name, text, MAX_ROWS)
}

/// As [`parse_csv`], stopping after `max_rows` rows (at most `MAX_ROWS`).
pub fn parse_csv_limited(
    name: &str,
    text: &str,
    max_rows: usize,
) -> Result<Vec<[f64; 2]>, DriveCycleError> {
    let max_rows = max_rows.min(MAX_ROWS);
    if text.len() as u64 > MAX_CSV_BYTES {
        return Err(err(
            name,
            format!(
                "the file has {} bytes; the limit is {} bytes",
                text.len(),
                MAX_CSV_BYTES
            ),
        ));
    }
    let mut rows = Vec::new();
    let mut header_allowed = true;
    for (ln, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let nums: Vec<Option<f64>> = fields.iter().map(|f| f.parse::<f64>().ok()).collect();
        if header_allowed && nums.iter().all(Option::is_none) {
            header_allowed = false;
            continue;
        }
        header_allowed = false;
        let shown: String = line.chars().take(40).collect();
        match nums.as_slice() {
            [Some(t), Some(v)] => rows.push([*t, *v]),
            _ => {
                return Err(err(
                    name,
                    format!(
                        "line {} is not two numbers \"time [s], value\": {shown:?}",
                        ln + 1
                    ),
                ))
            }
        }
        if rows.len() > max_rows {
            return Err(err(
                name,
                format!(
                    "more than {max_rows} rows (line {} is row {}); the limit is {max_rows}",
                    ln + 1,
                    rows.len()
                ),
            ));
        }
    }
    Ok(rows)
}

/// Checks rows: at least two, times from 0 strictly increasing, every value finite and
/// within `max_magnitude`, at most `MAX_ROWS` rows and `MAX_DURATION_S` seconds.
pub fn validate(name: &str, kind: DriveKind, rows: &[[f64; 2]]) -> Result<(), DriveCycleError> {
    if rows.len() < 2 {
        return Err(err(
            name,
            format!(
                "{} row(s); a drive cycle needs at least two [time, value] rows",
                rows.len()
            ),
        ));
    }
    if rows.len() > MAX_ROWS {
        return Err(err(
            name,
            format!("{} rows; the limit is {MAX_ROWS}", rows.len()),
        ));
    }
    if rows[0][0] != 0.0 {
        return Err(err(
            name,
            format!(
                "the first time is {} s; a drive cycle starts at t = 0 (as PyBaMM requires)",
                rows[0][0]
            ),
        ));
    }
    let max = max_magnitude(kind);
    for (i, r) in rows.iter().enumerate() {
        if !r[0].is_finite() || !r[1].is_finite() {
            return Err(err(name, format!("row {} is not finite: {:?}", i + 1, r)));
        }
        if i > 0 && r[0] <= rows[i - 1][0] {
            return Err(err(
                name,
                format!(
                    "times must increase: row {} has t = {} s after t = {} s",
                    i + 1,
                    r[0],
                    rows[i - 1][0]
                ),
            ));
        }
        if r[1].abs() > max {
            return Err(err(
                name,
                format!(
                    "row {} has {} {}; the largest magnitude is {max} {}",
                    i + 1,
                    r[1],
                    kind.unit(),
                    kind.unit()
                ),
            ));
        }
    }
    let end = rows[rows.len() - 1][0];
    if end > MAX_DURATION_S {
        return Err(err(
            name,
            format!("it lasts {end} s; the limit is {MAX_DURATION_S} s"),
        ));
    }
    Ok(())
}

/// Finds a step's drive cycle: the spec's `drive_cycles` first (exact name), then the
/// built-ins. A CSV name the spec does not hold has not been read (the CLI reads it beside
/// the spec, the app through the forge).
pub fn lookup(
    name: &str,
    defined: &BTreeMap<String, Vec<[f64; 2]>>,
) -> Result<Vec<[f64; 2]>, DriveCycleError> {
    if let Some(rows) = defined.get(name) {
        return Ok(rows.clone());
    }
    if let Some(rows) = builtin(name) {
        return Ok(rows);
    }
    let mut known: Vec<String> = BUILTIN.iter().map(|s| s.to_string()).collect();
    known.extend(defined.keys().cloned());
    let how = if is_csv_name(name) {
        "a CSV file is read beside the spec by the CLI, or from the repository a GitHub or GitLab comment is made in"
    } else {
        "define it in the spec's \"drive_cycles\": {\"NAME\": [[t_s, value], …]}"
    };
    Err(err(
        name,
        format!("unknown drive cycle; known: {}; {how}", known.join(", ")),
    ))
}

/// The CSV names of a spec's `Run` steps that its `drive_cycles` do not define yet.
pub fn csv_names_to_read(spec: &super::SimSpec) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for text in &spec.experiment {
        if let Ok(step) = super::experiment::parse_step(text.trim()) {
            if let super::experiment::Control::Drive { name, .. } = step.control {
                if is_csv_name(&name)
                    && !spec.drive_cycles.contains_key(&name)
                    && !names.contains(&name)
                {
                    names.push(name);
                }
            }
        }
    }
    names
}

/// Checks that a CSV name is a plain relative path inside the folder it is read from: no
/// absolute path, no `..`, no drive or backslash tricks, no control characters.
pub fn check_relative_path(name: &str) -> Result<(), DriveCycleError> {
    let bad = name.starts_with('/')
        || name.contains('\\')
        || name.contains(':')
        || name.chars().any(char::is_control)
        || name.split('/').any(|part| part == ".." || part.is_empty())
        || name.len() > 255;
    if bad {
        return Err(err(
            name,
            "a drive-cycle CSV is named by a relative path inside the spec's folder (or the repository), without \"..\", e.g. \"cycles/us06.csv\"",
        ));
    }
    Ok(())
}

/// Longest repository path a comment may name.
pub const MAX_REPO_PATH: usize = 200;

/// Checks a CSV name from a comment as a path inside the comment's own repository, before
/// anything is read: relative, no `..` or `.` parts, no URL, no other repository
/// (`owner/repo:file.csv`), no percent-encoding or backslash tricks — letters, digits and
/// `- _ . /` only — ending in `.csv`, at most `MAX_REPO_PATH` bytes.
pub fn check_repo_path(name: &str) -> Result<(), DriveCycleError> {
    let why = if name.len() > MAX_REPO_PATH {
        format!(
            "the path has {} characters; the limit is {MAX_REPO_PATH}",
            name.len()
        )
    } else if name.contains("://") || name.starts_with("www.") {
        "URLs are never fetched".to_string()
    } else if name.starts_with('/') || name.starts_with('~') {
        "an absolute path is not a path inside the repository".to_string()
    } else if name.contains(':') {
        "a path cannot name another repository or branch (\"owner/repo:file.csv\"); the file is always read from the repository the comment is made in".to_string()
    } else if name
        .split('/')
        .any(|p| p == ".." || p == "." || p.is_empty())
    {
        "a path cannot contain \"..\", \".\" or empty parts".to_string()
    } else if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')))
    {
        format!("the character {c:?} is not allowed in a path (letters, digits, - _ . / only)")
    } else if !is_csv_name(name) {
        "only .csv files are read".to_string()
    } else {
        return Ok(());
    };
    Err(err(
        name,
        format!(
            "{why}; name a CSV file by its path in this repository, e.g. \"Run cycles/profile.csv (A)\""
        ),
    ))
}

/// Reads the CSV drive cycles a spec's steps name from `base` (the spec's folder, for the
/// CLI) into its `drive_cycles`: paths checked, the size checked before reading, the rows
/// parsed and bounded.
pub fn read_csv_cycles(
    spec: &mut super::SimSpec,
    base: &std::path::Path,
) -> Result<(), DriveCycleError> {
    for name in csv_names_to_read(spec) {
        check_relative_path(&name)?;
        let path = base.join(&name);
        let meta = std::fs::metadata(&path)
            .map_err(|e| err(&name, format!("cannot read {}: {e}", path.display())))?;
        if meta.len() > MAX_CSV_BYTES {
            return Err(err(
                &name,
                format!(
                    "the file has {} bytes; the limit is {MAX_CSV_BYTES} bytes",
                    meta.len()
                ),
            ));
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| err(&name, format!("cannot read {}: {e}", path.display())))?;
        let rows = parse_csv(&name, &text)?;
        spec.drive_cycles.insert(name, rows);
    }
    Ok(())
}

/// A drive cycle as applied by one step: the data over the step's duration.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub kind: DriveKind,
    /// Times from the step's start [s], strictly increasing from 0; the last is the step's end.
    pub times: Vec<f64>,
    pub values: Vec<f64>,
}

impl Profile {
    /// The profile of a step lasting `duration_s` (or the data's length): as PyBaMM, a
    /// shorter duration truncates the data (ending on an interpolated point), a longer one
    /// repeats it, each repeat starting one first-interval after the previous one's end. The
    /// repeats stop past `MAX_ROWS` rows (a profile longer than that is refused by its users).
    pub fn new(kind: DriveKind, rows: &[[f64; 2]], duration_s: Option<f64>) -> Profile {
        let end = rows[rows.len() - 1][0];
        let (mut times, mut values): (Vec<f64>, Vec<f64>) =
            rows.iter().map(|r| (r[0], r[1])).unzip();
        if let Some(d) = duration_s {
            if d > end {
                let gap = rows[1][0] - rows[0][0];
                let period = end + gap;
                // bounded whatever the duration: past `MAX_ROWS` rows the caller refuses it
                let loops = (d / end).ceil().min((MAX_ROWS / rows.len() + 2) as f64) as usize;
                for l in 1..loops {
                    for r in rows {
                        times.push(r[0] + period * l as f64);
                        values.push(r[1]);
                    }
                }
            }
            let kept = times.iter().take_while(|&&t| t < d).count();
            let p = Profile {
                kind,
                times: times.clone(),
                values: values.clone(),
            };
            let v_end = p.value_at(d);
            times.truncate(kept);
            values.truncate(kept);
            times.push(d);
            values.push(v_end);
        }
        Profile {
            kind,
            times,
            values,
        }
    }

    /// The step's duration [s].
    pub fn duration(&self) -> f64 {
        self.times[self.times.len() - 1]
    }

    /// The value at time `t` from the step's start, linear between the data's points and
    /// held constant beyond them.
    pub fn value_at(&self, t: f64) -> f64 {
        let n = self.times.len();
        if t <= self.times[0] {
            return self.values[0];
        }
        if t >= self.times[n - 1] {
            return self.values[n - 1];
        }
        let j = self.times.partition_point(|&x| x <= t) - 1;
        let (t0, t1) = (self.times[j], self.times[j + 1]);
        let w = (t - t0) / (t1 - t0);
        self.values[j] + w * (self.values[j + 1] - self.values[j])
    }

    /// The largest magnitude of the values.
    pub fn max_abs(&self) -> f64 {
        self.values.iter().fold(0.0, |m, v| m.max(v.abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us06_is_built_in_and_valid() {
        let rows = builtin("us06").unwrap();
        assert_eq!(rows.len(), 601);
        assert_eq!(rows[0], [0.0, 0.012859]);
        validate("US06", DriveKind::Current, &rows).unwrap();
    }

    #[test]
    fn interpolation_is_linear_and_held_at_the_ends() {
        let p = Profile::new(DriveKind::Current, &[[0.0, 1.0], [10.0, 3.0]], None);
        assert_eq!(p.value_at(5.0), 2.0);
        assert_eq!(p.value_at(-1.0), 1.0);
        assert_eq!(p.value_at(20.0), 3.0);
        assert_eq!(p.duration(), 10.0);
    }

    #[test]
    fn a_duration_truncates_or_repeats_as_pybamm() {
        let rows = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]];
        let p = Profile::new(DriveKind::Current, &rows, Some(1.5));
        assert_eq!(p.times, vec![0.0, 1.0, 1.5]);
        assert_eq!(p.values, vec![0.0, 1.0, 1.5]);
        let p = Profile::new(DriveKind::Current, &rows, Some(5.0));
        assert_eq!(p.times, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(p.values, vec![0.0, 1.0, 2.0, 0.0, 1.0, 2.0]);
    }

    #[test]
    fn csv_rows_comments_and_one_header() {
        let rows = parse_csv("x", "# c\ntime,current\n0, 1\n1,2\n\n").unwrap();
        assert_eq!(rows, vec![[0.0, 1.0], [1.0, 2.0]]);
        let e = parse_csv("x", "0,1\nfoo,bar\n").unwrap_err();
        assert!(e.reason.contains("line 2"), "{e}");
        let e = parse_csv("x", "0,1,2\n").unwrap_err();
        assert!(e.reason.contains("two numbers"), "{e}");
    }

    #[test]
    fn repo_path_attacks_are_refused_before_any_read() {
        let refused = |name: &str| check_repo_path(name).unwrap_err().reason;
        // path traversal, plain and percent-encoded
        assert!(refused("../../etc/passwd.csv").contains(".."));
        assert!(refused("cycles/../../x.csv").contains(".."));
        assert!(refused("%2e%2e/%2e%2e/etc/passwd.csv").contains("'%'"));
        assert!(refused("./x.csv").contains("\".\""));
        // absolute paths
        assert!(refused("/etc/passwd.csv").contains("absolute"));
        assert!(refused("~/x.csv").contains("absolute"));
        // URLs are never fetched
        assert!(refused("https://evil.example/x.csv").contains("URLs"));
        assert!(refused("www.evil.example/x.csv").contains("URLs"));
        // another repository or branch
        assert!(refused("other/repo:file.csv").contains("another repository"));
        assert!(refused("C:x.csv").contains("another repository"));
        // backslashes, control characters, non-CSV files, over-long names
        assert!(refused("a\\..\\x.csv").contains("not allowed"));
        assert!(refused("a\nb.csv").contains("not allowed"));
        assert!(refused("secrets.env").contains(".csv"));
        assert!(refused(&format!("{}.csv", "a".repeat(MAX_REPO_PATH))).contains("limit"));
        assert!(refused("a//b.csv").contains("empty parts"));
        for ok in [
            "profile.csv",
            "cycles/US06-2.csv",
            "data/drive_cycles/WLTP.CSV",
        ] {
            check_repo_path(ok).unwrap();
        }
    }

    #[test]
    fn too_many_rows_stop_the_parse_at_the_limit() {
        let text: String = (0..10).map(|i| format!("{i},1\n")).collect();
        let e = parse_csv_limited("x", &text, 5).unwrap_err();
        assert!(e.reason.contains("more than 5 rows"), "{e}");
        assert!(e.reason.contains("line 6"), "{e}");
        assert_eq!(parse_csv_limited("x", &text, 10).unwrap().len(), 10);
    }

    #[test]
    fn formula_and_html_text_is_not_a_row() {
        for bad in [
            "=HYPERLINK(\"http://x\"),1",
            "<script>alert(1)</script>,2",
            "@SUM(A1),3",
        ] {
            let e = parse_csv("x", &format!("0,1\n{bad}\n")).unwrap_err();
            assert!(e.reason.contains("line 2 is not two numbers"), "{e}");
        }
    }

    #[test]
    fn validation_names_what_is_wrong() {
        let bad = |rows: &[[f64; 2]]| validate("x", DriveKind::Current, rows).unwrap_err().reason;
        assert!(bad(&[[0.0, 1.0]]).contains("at least two"));
        assert!(bad(&[[1.0, 1.0], [2.0, 1.0]]).contains("starts at t = 0"));
        assert!(bad(&[[0.0, 1.0], [0.0, 1.0]]).contains("must increase"));
        assert!(bad(&[[0.0, 1.0], [1.0, f64::NAN]]).contains("not finite"));
        assert!(bad(&[[0.0, 1.0], [1.0, 2e4]]).contains("largest magnitude"));
        assert!(bad(&[[0.0, 1.0], [4e5, 1.0]]).contains("lasts"));
    }
}
