//! `Run path/in/repo.csv (A)` in a comment: the CSV files a command's steps name are read
//! by the app — never the runner — through the forge of the repository the comment was made
//! in, at its default branch; paths, sizes, rows and values are checked and bounded per
//! comment before anything is queued, and the rows go into each run's `drive_cycles`, so the
//! job carries its data.

use std::collections::BTreeMap;

use crate::command::{Command, ErrorKind, ParseError};
use crate::forge::{Conversation, ForgeError, LimitedFile};
use crate::job::JobSource;
use crate::sim::drive_cycle::{self, DriveCycleError, DriveKind};
use crate::sim::experiment::{self, Control};

/// Distinct CSV files one comment may name.
pub const MAX_FILES: usize = 4;
/// Bytes the CSV files of one comment may have together.
pub const MAX_TOTAL_BYTES: u64 = drive_cycle::MAX_CSV_BYTES;

/// The CSV files the runs' steps name and do not define, each with the kinds it is run as
/// (its values are checked against each kind's largest magnitude).
fn named_csvs(runs: &[crate::sim::SimSpec]) -> BTreeMap<String, Vec<DriveKind>> {
    let mut named: BTreeMap<String, Vec<DriveKind>> = BTreeMap::new();
    for run in runs {
        for text in &run.experiment {
            let Ok(step) = experiment::parse_step(text.trim()) else {
                continue;
            };
            if let Control::Drive { name, kind } = step.control {
                if drive_cycle::is_csv_name(&name) && !run.drive_cycles.contains_key(&name) {
                    let kinds = named.entry(name).or_default();
                    if !kinds.contains(&kind) {
                        kinds.push(kind);
                    }
                }
            }
        }
    }
    named
}

fn refusal(error: String, hint: impl Into<String>) -> ParseError {
    ParseError::new(
        ErrorKind::Invalid {
            what: "drive cycle".into(),
        },
        error,
        hint,
    )
}

fn invalid(e: DriveCycleError, hint: &str) -> ParseError {
    refusal(e.to_string(), hint)
}

const FILE_HINT: &str = "a drive-cycle CSV holds \"time [s], value\" rows (one header line and # comments allowed), times from 0 increasing";

/// What a forge's failure means to the person who asked (no URL, token or server detail).
fn describe(e: &ForgeError, platform: &str) -> String {
    let name = match platform {
        "github" => "GitHub",
        "gitlab" => "GitLab",
        _ => "the repository's forge",
    };
    match e {
        ForgeError::Http { status, .. } if *status == 401 || *status == 403 => {
            format!("{name} refused the bot access (HTTP {status})")
        }
        ForgeError::Http { status, .. } => format!("{name} answered HTTP {status}"),
        ForgeError::RateLimited { retry_after_s } => {
            format!("{name} rate-limits the bot for {retry_after_s} s")
        }
        ForgeError::Refused { .. } => format!("{name} refused the bot access"),
        ForgeError::NotFound { .. } => format!("{name} did not find the repository"),
        ForgeError::Other(m) if m.contains("no response") => {
            format!("{name} did not answer in time")
        }
        _ => format!("{name} could not be read"),
    }
}

/// The CSV files `cmd`'s steps name and do not define, checked without reading anything:
/// `None` when there are none; a refusal when the comment's platform has no repository,
/// when there are more than `MAX_FILES`, or when a path is not a plain relative `.csv` path.
fn plan(
    forge: &dyn Conversation,
    source: &JobSource,
    cmd: &Command,
) -> Result<Option<BTreeMap<String, Vec<DriveKind>>>, ParseError> {
    let runs = match cmd {
        Command::Simulate { runs } | Command::Compare { runs } => runs,
        _ => return Ok(None),
    };
    let named = named_csvs(runs);
    if named.is_empty() {
        return Ok(None);
    }
    let first = named.keys().next().cloned().unwrap_or_default();
    if forge.repository_forge().is_none() {
        return Err(refusal(
            format!(
                "\"{first}\" names a CSV file in a repository, and a {} post has no repository",
                source.platform
            ),
            "comment on a GitHub or GitLab issue or merge request of the repository that holds the file, or use the built-in \"Run US06 (A)\"",
        ));
    }
    if named.len() > MAX_FILES {
        return Err(refusal(
            format!(
                "the steps name {} CSV files; the limit is {MAX_FILES} per comment",
                named.len()
            ),
            "use fewer drive-cycle files (one file may be run by several steps)",
        ));
    }
    // Every path is checked before anything is read.
    for name in named.keys() {
        drive_cycle::check_repo_path(name)
            .map_err(|e| invalid(e, "paths are relative to the repository's root"))?;
    }
    Ok(Some(named))
}

/// Whether `fill` would read files through the forge for `cmd` (rather than refuse it, or
/// have nothing to read): what the caller counts against the rate limits first.
pub fn reads_files(forge: &dyn Conversation, source: &JobSource, cmd: &Command) -> bool {
    matches!(plan(forge, source, cmd), Ok(Some(_)))
}

/// Reads the CSV files `cmd`'s steps name from the comment's own repository (`source.repo`,
/// never another) into each run's `drive_cycles`. Nothing is read unless every path is a
/// plain relative `.csv` path; the files of one comment hold at most `MAX_FILES` files,
/// `MAX_TOTAL_BYTES` bytes and `max_rows` rows together. Every problem is a refusal that
/// says what is wrong, where, and the limit.
pub async fn fill(
    forge: &dyn Conversation,
    source: &JobSource,
    cmd: &mut Command,
    max_rows: usize,
) -> Result<(), ParseError> {
    let Some(named) = plan(forge, source, cmd)? else {
        return Ok(());
    };
    let (Some(repo_forge), Command::Simulate { runs } | Command::Compare { runs }) =
        (forge.repository_forge(), cmd)
    else {
        return Ok(());
    };
    let repo = source.repo.as_str();
    let branch = repo_forge.default_branch(repo).await.map_err(|e| {
        tracing::warn!(repo, error = %e, "default branch of a commented repository");
        refusal(
            format!(
                "could not find the default branch of {repo}: {}",
                describe(&e, &source.platform)
            ),
            "try again in a few minutes",
        )
    })?;
    let (mut bytes_left, mut rows_left) = (MAX_TOTAL_BYTES, max_rows.min(drive_cycle::MAX_ROWS));
    let mut read: BTreeMap<String, Vec<[f64; 2]>> = BTreeMap::new();
    for (name, kinds) in &named {
        let file = repo_forge
            .read_file_limited(repo, &branch, name, bytes_left)
            .await
            .map_err(|e| {
                tracing::warn!(repo, file = %name, error = %e, "drive-cycle CSV read");
                refusal(
                    format!(
                        "could not read {name} on branch {branch} of {repo}: {}",
                        describe(&e, &source.platform)
                    ),
                    "try again in a few minutes; if it persists, check that the bot can read the repository",
                )
            })?;
        let bytes = match file {
            LimitedFile::Bytes(b) => b,
            LimitedFile::Missing => {
                return Err(refusal(
                    format!("no file {name} on branch {branch} of {repo}"),
                    "commit the CSV to the default branch, or check the path (it is case-sensitive and relative to the repository's root)",
                ))
            }
            LimitedFile::NotAFile { kind } => {
                return Err(refusal(
                    format!("{name} on branch {branch} of {repo} is a {kind}, not a file"),
                    "name a regular CSV file",
                ))
            }
            LimitedFile::TooLarge { size } => {
                let limit = if bytes_left < MAX_TOTAL_BYTES {
                    format!("{bytes_left} bytes are left of the {MAX_TOTAL_BYTES} bytes one comment's CSV files may have")
                } else {
                    format!("the limit is {MAX_TOTAL_BYTES} bytes")
                };
                return Err(refusal(
                    format!("{name} has {size} bytes; {limit}"),
                    "use a coarser time step or a shorter cycle",
                ));
            }
        };
        bytes_left = bytes_left.saturating_sub(bytes.len() as u64);
        let text = String::from_utf8(bytes)
            .map_err(|_| refusal(format!("{name} is not UTF-8 text"), FILE_HINT.to_string()))?;
        let rows = drive_cycle::parse_csv_limited(name, &text, rows_left).map_err(|e| {
            let mut e = invalid(e, FILE_HINT);
            if rows_left < max_rows.min(drive_cycle::MAX_ROWS) {
                e.hint =
                    "the CSV files of one comment share one row limit: use fewer or shorter files"
                        .into();
            }
            e
        })?;
        for kind in kinds {
            drive_cycle::validate(name, *kind, &rows).map_err(|e| invalid(e, FILE_HINT))?;
        }
        rows_left = rows_left.saturating_sub(rows.len());
        read.insert(name.clone(), rows);
    }
    for run in runs.iter_mut() {
        for (name, rows) in &read {
            let used = run.experiment.iter().any(|s| {
                matches!(experiment::parse_step(s.trim()), Ok(step)
                    if matches!(&step.control, Control::Drive { name: n, .. } if n == name))
            });
            if used && !run.drive_cycles.contains_key(name) {
                run.drive_cycles.insert(name.clone(), rows.clone());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimSpec;

    #[test]
    fn csv_names_with_their_kinds() {
        let mut a = SimSpec::new(
            "SPM",
            "Chen2020",
            &["Run a.csv (A)", "Run US06 (A)", "Run a.csv (W)"],
        );
        a.drive_cycles
            .insert("defined.csv".into(), vec![[0.0, 1.0], [1.0, 1.0]]);
        let b = SimSpec::new(
            "SPM",
            "Chen2020",
            &["Run b/c.csv (V)", "Run defined.csv (A)"],
        );
        let named = named_csvs(&[a, b]);
        assert_eq!(named.len(), 3, "{named:?}");
        assert_eq!(named["a.csv"], vec![DriveKind::Current, DriveKind::Power]);
        assert_eq!(named["b/c.csv"], vec![DriveKind::Voltage]);
        // defined by one run only: the other still needs it
        assert!(named.contains_key("defined.csv"));
    }

    /// A conversation without repositories, as Twitter, Slack, Mastodon and Bluesky are.
    struct NoRepository;

    #[async_trait::async_trait]
    impl Conversation for NoRepository {
        fn platform(&self) -> &'static str {
            "twitter"
        }
        async fn reply(&self, _: &crate::forge::Thread, _: &str) -> Result<(), ForgeError> {
            Ok(())
        }
        async fn bot_replies(&self, _: &crate::forge::Thread) -> Result<Vec<String>, ForgeError> {
            Ok(Vec::new())
        }
        async fn react(&self, _: &crate::forge::Thread, _: u64, _: &str) -> Result<(), ForgeError> {
            Ok(())
        }
        async fn permission(
            &self,
            _: &str,
            _: &str,
        ) -> Result<crate::forge::Permission, ForgeError> {
            Ok(crate::forge::Permission::Write)
        }
    }

    #[tokio::test]
    async fn social_post_naming_a_csv_is_refused_it_has_no_repository() {
        let run = SimSpec::new("SPM", "Chen2020", &["Run cycles/p.csv (A)"]);
        let mut cmd = Command::Simulate { runs: vec![run] };
        let source = JobSource {
            platform: "twitter".into(),
            repo: "alice".into(),
            number: 1,
            comment_id: 2,
            user: "alice".into(),
            url: String::new(),
        };
        let e = fill(&NoRepository, &source, &mut cmd, 100)
            .await
            .unwrap_err();
        assert!(e.error.contains("a twitter post has no repository"), "{e}");
        assert!(e.hint.contains("GitHub or GitLab"), "{e}");
        // Built-in and defined cycles need no repository.
        let run = SimSpec::new("SPM", "Chen2020", &["Run US06 (A)"]);
        let mut cmd = Command::Simulate { runs: vec![run] };
        fill(&NoRepository, &source, &mut cmd, 100).await.unwrap();
    }

    #[test]
    fn forge_errors_are_told_without_their_details() {
        let http = |status| ForgeError::Http {
            method: "GET".into(),
            url: "https://api.github.com/repos/o/r/contents/x?token=secret".into(),
            status,
            body: "internal".into(),
        };
        assert_eq!(describe(&http(500), "github"), "GitHub answered HTTP 500");
        assert!(describe(&http(403), "gitlab").contains("refused the bot access"));
        let timeout = ForgeError::Other("GET /x: no response within 30s".into());
        assert_eq!(
            describe(&timeout, "github"),
            "GitHub did not answer in time"
        );
        assert!(!describe(&http(500), "github").contains("secret"));
    }
}
