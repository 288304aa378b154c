//! `battbot reports prune`: keeps the reports repository small by removing the artifacts
//! (images, CSVs) of old reports while keeping every report.md and summary.json.

use crate::forge::{CommitMode, FileChange, Forge, ForgeError};

use super::index;

/// Parses `180d`, `12h`, `30m`, `2w`, `90s` into seconds.
pub fn parse_age(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("{text:?} is not an age (hint: 180d, 12h, 2w)"))?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" | "" => 86_400,
        "w" => 7 * 86_400,
        _ => {
            return Err(format!(
                "{text:?}: unknown unit {unit:?} (hint: s, m, h, d or w)"
            ))
        }
    };
    Ok(n * mult)
}

/// What a prune removed.
#[derive(Debug, Default, PartialEq)]
pub struct Pruned {
    pub reports: usize,
    pub files: Vec<String>,
}

/// Removes artifacts of reports finished more than `older_than_s` before `now`.
pub async fn prune(
    forge: &dyn Forge,
    repo: &str,
    branch: &str,
    older_than_s: i64,
    now: time::OffsetDateTime,
    dry_run: bool,
) -> Result<Pruned, ForgeError> {
    // Only the months up to the cutoff's are read: later ones hold nothing to prune.
    let cutoff = now - time::Duration::seconds(older_than_s);
    let last_month = format!("{:04}-{:02}", cutoff.year(), u8::from(cutoff.month()));
    let entries = index::read_months(forge, repo, branch, |m| m <= last_month.as_str()).await?;
    let fmt = &time::format_description::well_known::Rfc3339;
    let mut pruned = Pruned::default();
    let mut notes = Vec::new();
    for entry in entries {
        let Ok(finished) = time::OffsetDateTime::parse(&entry.finished_at, fmt) else {
            continue;
        };
        if (now - finished).whole_seconds() <= older_than_s {
            continue;
        }
        let Some(dir) = entry.report.strip_suffix("/report.md") else {
            continue;
        };
        let listed = forge.list_files(repo, branch, dir).await?;
        // The site keeps working: the index's thumbnail stays, report.html becomes a note.
        let kept = [
            "/report.md",
            "/summary.json",
            "/report.html",
            "/thumbnail.png",
        ];
        let doomed: Vec<String> = listed
            .iter()
            .filter(|p| !kept.iter().any(|k| p.ends_with(k)))
            .cloned()
            .collect();
        if doomed.is_empty() {
            continue;
        }
        if let Some(report) = forge.read_file(repo, branch, &entry.report).await? {
            let mut text = String::from_utf8_lossy(&report).to_string();
            text.push_str(&format!(
                "\n> Images and data of this report were pruned on {} to keep the repository small; `summary.json` keeps the figures, and the \"Reproduce\" section regenerates everything.\n",
                now.date()
            ));
            notes.push(FileChange::new(entry.report.clone(), text));
        }
        if listed.iter().any(|p| p.ends_with("/report.html")) {
            let page = super::html::pruned_page(dir, &entry, &now.date().to_string())
                .map_err(|e| ForgeError::Other(format!("rendering a pruned page: {e:#}")))?;
            notes.push(page);
        }
        pruned.reports += 1;
        pruned.files.extend(doomed);
    }
    if !dry_run && !pruned.files.is_empty() {
        let message = format!(
            "prune artifacts of {} reports older than {} days",
            pruned.reports,
            older_than_s / 86_400
        );
        forge
            .commit_files(
                repo,
                branch,
                &notes,
                &pruned.files,
                &message,
                CommitMode::UpdateBranch,
            )
            .await?;
    }
    Ok(pruned)
}

#[cfg(test)]
mod tests {
    use super::parse_age;

    #[test]
    fn ages() {
        assert_eq!(parse_age("180d"), Ok(180 * 86_400));
        assert_eq!(parse_age("2w"), Ok(14 * 86_400));
        assert_eq!(parse_age("12h"), Ok(43_200));
        assert!(parse_age("soon").is_err());
        assert!(parse_age("3y").is_err());
    }
}
