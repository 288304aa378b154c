//! Notices when a platform keeps refusing the bot itself (BattBot went silent for weeks when
//! every call answered 403 / error 453, and only a user noticed): after
//! [`PERSISTENT_AFTER`] refusals in a row `/readyz` turns not-ready, a metric counts them,
//! and one alert issue is opened (or updated) in the reports repository — closed again by
//! the next success.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::forge::ForgeError;

use super::App;

/// Refusals in a row that make a problem persistent.
pub const PERSISTENT_AFTER: u32 = 3;

/// Where alerts go: one issue per platform.
pub fn alert_key(platform: &str) -> String {
    format!("platform-{platform}")
}

/// One platform's run of refusals.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Problem {
    pub platform: String,
    pub refusals: u32,
    /// Unix time of the first refusal of the run.
    pub since: i64,
    pub error: String,
}

impl Problem {
    pub fn is_persistent(&self) -> bool {
        self.refusals >= PERSISTENT_AFTER
    }
}

/// Refusal runs by platform, and the total count for `/metrics`.
#[derive(Default)]
pub struct Health {
    problems: Mutex<BTreeMap<String, Problem>>,
    refusals_total: Mutex<BTreeMap<String, u64>>,
}

/// Whether an error means the platform refuses the bot itself (not one bad request).
pub fn is_refusal(e: &ForgeError) -> bool {
    matches!(
        e,
        ForgeError::Refused { .. } | ForgeError::Http { status: 401, .. }
    )
}

impl Health {
    /// Records a refusal; returns the problem when this one made it persistent.
    pub fn refused(&self, platform: &str, error: &str, now: i64) -> Option<Problem> {
        *self
            .refusals_total
            .lock()
            .expect("health lock")
            .entry(platform.to_string())
            .or_default() += 1;
        let mut map = self.problems.lock().expect("health lock");
        let p = map.entry(platform.to_string()).or_insert_with(|| Problem {
            platform: platform.to_string(),
            refusals: 0,
            since: now,
            error: String::new(),
        });
        p.refusals += 1;
        p.error = error.to_string();
        (p.refusals == PERSISTENT_AFTER).then(|| p.clone())
    }

    /// Records a success; returns the problem it ends if that one was persistent.
    pub fn succeeded(&self, platform: &str) -> Option<Problem> {
        let mut map = self.problems.lock().expect("health lock");
        map.remove(platform).filter(Problem::is_persistent)
    }

    /// Persistent problems, for `/readyz`.
    pub fn persistent(&self) -> Vec<Problem> {
        self.problems
            .lock()
            .expect("health lock")
            .values()
            .filter(|p| p.is_persistent())
            .cloned()
            .collect()
    }

    /// Prometheus text: refusals by platform and whether each is currently refused.
    pub fn render(&self) -> String {
        let mut out = String::from("# HELP battbot_platform_refusals_total Calls a platform refused because of the bot's account or credentials\n# TYPE battbot_platform_refusals_total counter\n");
        for (platform, n) in self.refusals_total.lock().expect("health lock").iter() {
            out.push_str(&format!(
                "battbot_platform_refusals_total{{platform=\"{platform}\"}} {n}\n"
            ));
        }
        out.push_str("# HELP battbot_platform_refused Whether a platform persistently refuses the bot (1) or not (0)\n# TYPE battbot_platform_refused gauge\n");
        let persistent = self.persistent();
        for platform in self.refusals_total.lock().expect("health lock").keys() {
            let on = persistent.iter().any(|p| &p.platform == platform);
            out.push_str(&format!(
                "battbot_platform_refused{{platform=\"{platform}\"}} {}\n",
                u8::from(on)
            ));
        }
        out
    }
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// Records the outcome of a call to `platform` and raises or clears its alert.
pub async fn observe<T>(app: &App, platform: &str, outcome: &Result<T, ForgeError>) {
    let now = app.clock.now().unix_timestamp();
    let (changed, open) = match outcome {
        Err(e) if is_refusal(e) => {
            tracing::error!(%platform, "the platform refused the bot: {e}");
            (app.health.refused(platform, &e.to_string(), now), true)
        }
        Err(_) => return,
        Ok(_) => (app.health.succeeded(platform), false),
    };
    let Some(problem) = changed else { return };
    let title = format!("battbot: {platform} refuses the bot's calls");
    let body = if open {
        format!(
            "Since {} {platform} has refused {} calls in a row, most recently with:\n\n```\n{}\n```\n\nReplies on {platform} are not reaching users. Check the account's access level and credentials; `/readyz` reports not-ready until a call succeeds, and this issue closes itself then.",
            rfc3339(problem.since),
            problem.refusals,
            problem.error
        )
    } else {
        format!(
            "{platform} accepted the bot's calls again at {} (refused since {}).",
            rfc3339(now),
            rfc3339(problem.since)
        )
    };
    let forge = &app.forges.reports;
    if let Err(e) = forge
        .upsert_alert(
            &app.config.reports.repo,
            &alert_key(platform),
            &title,
            &body,
            open,
        )
        .await
    {
        tracing::error!(%platform, "cannot record the alert in the reports repository: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_third_refusal_in_a_row_is_persistent_and_a_success_clears_it() {
        let h = Health::default();
        assert_eq!(h.refused("twitter", "453", 10), None);
        assert_eq!(h.refused("twitter", "453", 20), None);
        let p = h.refused("twitter", "453 again", 30).unwrap();
        assert_eq!(
            (p.refusals, p.since, p.error.as_str()),
            (3, 10, "453 again")
        );
        assert_eq!(h.refused("twitter", "453", 40), None, "raised once");
        assert_eq!(h.persistent().len(), 1);
        assert!(h
            .render()
            .contains("battbot_platform_refused{platform=\"twitter\"} 1"));
        assert!(h.succeeded("twitter").is_some());
        assert!(h.persistent().is_empty());
        assert!(h.succeeded("twitter").is_none(), "cleared once");
        assert!(h
            .render()
            .contains("battbot_platform_refusals_total{platform=\"twitter\"} 4"));
        // A short run is forgotten by a success without an alert.
        h.refused("slack", "invalid_auth", 50);
        assert!(h.succeeded("slack").is_none());
    }
}
