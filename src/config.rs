//! Defines the bot's configuration: every field of DESIGN §9, loaded from a JSON file
//! and/or environment variables (secrets may always come from the environment).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use crate::command::Limits;

/// The whole configuration of one bot.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The handle users mention (`@battbot`).
    pub bot_name: String,
    /// Users who may always trigger anything.
    pub admin: Vec<String>,
    /// Where the README lives; linked from `help` replies.
    pub homepage_url: String,
    /// Members of this organisation may trigger jobs.
    pub org: Option<String>,
    /// Repositories (`owner/name`) whose commenters with write access may trigger jobs.
    pub registered_repos: Vec<String>,
    /// Users who may trigger jobs anywhere (DiffEqBot's "benchmarkers").
    pub allowed_users: Vec<String>,
    /// Shared secret of the runner callbacks (env `BATTBOT_RUNNER_SECRET`).
    pub runner_secret: Option<String>,
    /// The URL this app is reachable at; job callbacks go to `{public_url}/runner/v1/jobs/{id}`.
    pub public_url: String,
    pub github_app: Option<GithubAppConfig>,
    pub github_account: Option<GithubAccountConfig>,
    pub gitlab: Option<GitlabConfig>,
    pub twitter: Option<TwitterConfig>,
    pub slack: Option<SlackConfig>,
    pub mastodon: Option<MastodonConfig>,
    pub bluesky: Option<BlueskyConfig>,
    /// Where jobs run and reports go.
    pub runner: RunnerRepoConfig,
    pub reports: ReportsRepoConfig,
    pub limits: Limits,
    pub server: ServerConfig,
    /// Per-repository settings (how to benchmark it), keyed by `owner/name`.
    pub repos: BTreeMap<String, RepoConfig>,
    /// A bot farm: more bots served by the same process under `/bots/{bot_name}/…`,
    /// each with its own accounts, repositories and limits.
    pub bots: Vec<Config>,
}

/// Settings of one registered repository.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RepoConfig {
    /// How `@battbot runbenchmarks` benchmarks a pull request of this repository.
    pub benchmark: Option<BenchmarkConfig>,
}

/// DiffEqBot-style benchmarking of a pull request against its base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BenchmarkConfig {
    /// Where the runner clones the repository from.
    pub clone_url: String,
    /// Run in the checkout; prints JSON lines: battbot bench lines with a `name`,
    /// `{"name": …, "seconds": …}`, or criterion's `benchmark-complete` messages.
    pub command: String,
    /// Interleaved base/head rounds.
    pub repeat: u32,
    /// Changes smaller than this (in percent) are "no change".
    pub threshold_percent: f64,
    /// Per-command timeout on the runner.
    pub timeout_s: u64,
}

impl Default for BenchmarkConfig {
    fn default() -> Self {
        BenchmarkConfig {
            clone_url: String::new(),
            command: "battbot bench --suite bench/suite.json".into(),
            repeat: 5,
            threshold_percent: 5.0,
            timeout_s: 1800,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GithubAppConfig {
    pub app_id: Option<u64>,
    pub private_key_path: Option<PathBuf>,
    /// `X-Hub-Signature-256` secret (env `GITHUB_WEBHOOK_SECRET`).
    pub webhook_secret: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GithubAccountConfig {
    /// Personal access token (env `GITHUB_TOKEN`).
    pub access_token: Option<String>,
    /// REST API base (GitHub Enterprise: `https://HOST/api/v3`); default api.github.com.
    pub api_url: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GitlabConfig {
    pub url: Option<String>,
    pub runner_project_id: Option<u64>,
    pub reports_project_id: Option<u64>,
    /// env `GITLAB_TOKEN`
    pub access_token: Option<String>,
    /// `X-Gitlab-Token` (env `GITLAB_WEBHOOK_TOKEN`)
    pub webhook_token: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TwitterConfig {
    pub api_base_url: Option<String>,
    pub upload_base_url: Option<String>,
    /// The bot account's user id (its own tweets are never requests).
    pub user_id: Option<String>,
    pub consumer_key: Option<String>,
    pub consumer_secret: Option<String>,
    pub access_token: Option<String>,
    pub access_token_secret: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlackConfig {
    /// The bot's Slack user id (`U…`): mentions of it are requests.
    pub bot_user_id: Option<String>,
    pub api_base_url: Option<String>,
    /// env `SLACK_BOT_TOKEN`
    pub bot_token: Option<String>,
    /// env `SLACK_SIGNING_SECRET`
    pub signing_secret: Option<String>,
}

/// The bot's Mastodon account (any instance; a token with `read:notifications read:statuses
/// write:media write:statuses`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MastodonConfig {
    /// The instance, e.g. `https://fediscience.org` (env `MASTODON_BASE_URL`).
    pub base_url: Option<String>,
    /// The account's full handle, e.g. `battbot@fediscience.org` (env `MASTODON_HANDLE`).
    pub handle: Option<String>,
    /// env `MASTODON_ACCESS_TOKEN`
    pub access_token: Option<String>,
    /// Post the twice-daily random comparison here too (`post-random --platform mastodon`).
    pub post_random: bool,
}

/// The bot's Bluesky account (an app password; the session's tokens are refreshed).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BlueskyConfig {
    /// The PDS, default `https://bsky.social` (env `BLUESKY_SERVICE`).
    pub service: Option<String>,
    /// e.g. `battbot.bsky.social` (env `BLUESKY_HANDLE`).
    pub handle: Option<String>,
    /// env `BLUESKY_APP_PASSWORD`
    pub app_password: Option<String>,
    /// Post the twice-daily random comparison here too (`post-random --platform bluesky`).
    pub post_random: bool,
}

/// Which forge hosts the runner repository, and where.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunnerRepoConfig {
    /// `local`, `github` or `gitlab`.
    pub forge: String,
    /// `owner/name` on GitHub, project id or path on GitLab, a bare repository path locally.
    pub repo: String,
    /// `gitlab` (renders `.gitlab-ci.yml`) or `github` (renders a workflow).
    pub ci: String,
    /// Jobs older than this without a report are reconciled.
    pub job_timeout_s: u64,
}

impl Default for RunnerRepoConfig {
    fn default() -> Self {
        RunnerRepoConfig {
            forge: "local".into(),
            repo: String::new(),
            ci: "gitlab".into(),
            job_timeout_s: 3600,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportsRepoConfig {
    pub forge: String,
    pub repo: String,
    /// Branch that holds the reports.
    pub branch: String,
    /// Base of links in replies, e.g. `https://github.com/org/reports/blob/main`.
    pub web_url: String,
}

impl Default for ReportsRepoConfig {
    fn default() -> Self {
        ReportsRepoConfig {
            forge: "local".into(),
            repo: String::new(),
            branch: "main".into(),
            web_url: String::new(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Body limit of runner results in bytes (DESIGN §7: default 16 MiB).
    pub max_result_bytes: usize,
    /// Body limit of webhooks in bytes.
    pub max_webhook_bytes: usize,
    /// Allowed clock skew of runner callbacks.
    pub callback_max_skew_s: u64,
    /// Every outbound call becomes a JSON log line.
    pub dry_run: bool,
    /// Jobs one user may start per hour (0: unlimited).
    pub user_requests_per_hour: usize,
    /// Jobs one repository may start per hour (0: unlimited).
    pub repo_requests_per_hour: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_result_bytes: 16 * 1024 * 1024,
            max_webhook_bytes: 1024 * 1024,
            callback_max_skew_s: 300,
            dry_run: false,
            user_requests_per_hour: 20,
            repo_requests_per_hour: 100,
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn from_env(slot: &mut Option<String>, name: &str) {
    if let Some(v) = env(name) {
        *slot = Some(v);
    }
}

impl Config {
    /// Reads a config file, then lets environment variables fill or override secrets.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        let mut config: Config = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a valid battbot config (see config.example.json)",
                path.display()
            )
        })?;
        config.apply_env();
        config.validate()?;
        Ok(config)
    }

    /// A configuration from environment variables alone (`serve` without `--config`).
    pub fn from_env() -> anyhow::Result<Config> {
        let mut config = Config::default();
        config.apply_env();
        config.validate()?;
        Ok(config)
    }

    /// Secrets from the environment win over the file, so a file can be committed without them.
    pub fn apply_env(&mut self) {
        self.apply_env_prefixed("");
        for bot in &mut self.bots {
            // A farm bot's secrets: the same variables prefixed with its name, e.g. MYBOT_GITHUB_TOKEN.
            let prefix = format!("{}_", bot.bot_name.to_ascii_uppercase().replace('-', "_"));
            bot.apply_env_prefixed(&prefix);
        }
    }

    fn apply_env_prefixed(&mut self, prefix: &str) {
        let from_env =
            |slot: &mut Option<String>, name: &str| from_env(slot, &format!("{prefix}{name}"));
        let env = |name: &str| env(&format!("{prefix}{name}"));
        if self.bot_name.is_empty() {
            self.bot_name = env("BATTBOT_NAME").unwrap_or_else(|| "battbot".into());
        }
        if let Some(url) = env("BATTBOT_PUBLIC_URL") {
            self.public_url = url;
        }
        from_env(&mut self.runner_secret, "BATTBOT_RUNNER_SECRET");
        let app = self.github_app.get_or_insert_with(Default::default);
        from_env(&mut app.webhook_secret, "GITHUB_WEBHOOK_SECRET");
        if let Some(path) = env("GITHUB_APP_PRIVATE_KEY") {
            app.private_key_path = Some(PathBuf::from(path));
        }
        let account = self.github_account.get_or_insert_with(Default::default);
        from_env(&mut account.access_token, "GITHUB_TOKEN");
        let gitlab = self.gitlab.get_or_insert_with(Default::default);
        from_env(&mut gitlab.access_token, "GITLAB_TOKEN");
        from_env(&mut gitlab.webhook_token, "GITLAB_WEBHOOK_TOKEN");
        let twitter = self.twitter.get_or_insert_with(Default::default);
        from_env(&mut twitter.consumer_key, "TWITTER_CONSUMER_KEY");
        from_env(&mut twitter.consumer_secret, "TWITTER_CONSUMER_SECRET");
        from_env(&mut twitter.access_token, "TWITTER_ACCESS_TOKEN");
        from_env(
            &mut twitter.access_token_secret,
            "TWITTER_ACCESS_TOKEN_SECRET",
        );
        let slack = self.slack.get_or_insert_with(Default::default);
        from_env(&mut slack.bot_token, "SLACK_BOT_TOKEN");
        from_env(&mut slack.signing_secret, "SLACK_SIGNING_SECRET");
        let mastodon = self.mastodon.get_or_insert_with(Default::default);
        from_env(&mut mastodon.base_url, "MASTODON_BASE_URL");
        from_env(&mut mastodon.handle, "MASTODON_HANDLE");
        from_env(&mut mastodon.access_token, "MASTODON_ACCESS_TOKEN");
        let bluesky = self.bluesky.get_or_insert_with(Default::default);
        from_env(&mut bluesky.service, "BLUESKY_SERVICE");
        from_env(&mut bluesky.handle, "BLUESKY_HANDLE");
        from_env(&mut bluesky.app_password, "BLUESKY_APP_PASSWORD");
        if env("BATTBOT_DRY_RUN").is_some_and(|v| v != "0") {
            self.server.dry_run = true;
        }
        if let Some(v) = env("BATTBOT_RUNNER_FORGE") {
            self.runner.forge = v;
        }
        if let Some(v) = env("BATTBOT_RUNNER_REPO") {
            self.runner.repo = v;
        }
        if let Some(v) = env("BATTBOT_REPORTS_FORGE") {
            self.reports.forge = v;
        }
        if let Some(v) = env("BATTBOT_REPORTS_REPO") {
            self.reports.repo = v;
        }
    }

    /// Checks what can be checked without the network.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.bot_name.trim().is_empty() {
            bail!("config: bot_name is empty (hint: set \"bot_name\": \"battbot\")");
        }
        for (what, forge) in [
            ("runner", &self.runner.forge),
            ("reports", &self.reports.forge),
        ] {
            if !["local", "github", "gitlab"].contains(&forge.as_str()) {
                bail!(
                    "config: {what}.forge is {forge:?} (hint: use \"local\", \"github\" or \"gitlab\")"
                );
            }
        }
        if !["gitlab", "github"].contains(&self.runner.ci.as_str()) {
            bail!(
                "config: runner.ci is {:?} (hint: use \"gitlab\" or \"github\")",
                self.runner.ci
            );
        }
        let mut names = std::collections::BTreeSet::new();
        for bot in &self.bots {
            let ok = !bot.bot_name.is_empty()
                && bot
                    .bot_name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                bail!(
                    "config: bots entry {:?} needs a bot_name of letters, digits, - and _",
                    bot.bot_name
                );
            }
            if !names.insert(bot.bot_name.to_ascii_lowercase()) {
                bail!("config: two bots are named {:?}", bot.bot_name);
            }
            if !bot.bots.is_empty() {
                bail!(
                    "config: bot {:?} has bots of its own; farms do not nest",
                    bot.bot_name
                );
            }
            bot.validate()?;
        }
        for repo in &self.registered_repos {
            if repo.split('/').filter(|p| !p.is_empty()).count() < 2 {
                bail!("config: registered_repos entry {repo:?} is not owner/name");
            }
        }
        Ok(())
    }

    /// Secure by default: every platform whose credentials are set has the secret that
    /// authenticates its webhooks, and runner callbacks have theirs. `serve` calls this unless
    /// `--dry-run`; the error names the environment variable to set (a farm bot's carries its
    /// prefix, e.g. `MYBOT_GITHUB_WEBHOOK_SECRET`).
    pub fn require_secrets(&self) -> anyhow::Result<()> {
        self.require_secrets_prefixed("")?;
        for bot in self.bots.iter().filter(|b| !b.server.dry_run) {
            let prefix = format!("{}_", bot.bot_name.to_ascii_uppercase().replace('-', "_"));
            bot.require_secrets_prefixed(&prefix)?;
        }
        Ok(())
    }

    fn require_secrets_prefixed(&self, prefix: &str) -> anyhow::Result<()> {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        let missing = |what: &str, var: &str, field: &str| -> anyhow::Error {
            anyhow::anyhow!(
                "config: {what} but {prefix}{var} is not set (hint: set the environment variable {prefix}{var} or {field} in the config, or run with --dry-run)"
            )
        };
        let app = self.github_app.clone().unwrap_or_default();
        let account = self.github_account.clone().unwrap_or_default();
        let github =
            app.app_id.is_some() || app.private_key_path.is_some() || set(&account.access_token);
        if github && !set(&app.webhook_secret) {
            return Err(missing(
                "GitHub is configured (an App or a token)",
                "GITHUB_WEBHOOK_SECRET",
                "github_app.webhook_secret",
            ));
        }
        let gitlab = self.gitlab.clone().unwrap_or_default();
        if set(&gitlab.access_token) && !set(&gitlab.webhook_token) {
            return Err(missing(
                "GitLab is configured (a token)",
                "GITLAB_WEBHOOK_TOKEN",
                "gitlab.webhook_token",
            ));
        }
        let t = self.twitter.clone().unwrap_or_default();
        let oauth = [
            (
                &t.consumer_key,
                "TWITTER_CONSUMER_KEY",
                "twitter.consumer_key",
            ),
            (
                &t.consumer_secret,
                "TWITTER_CONSUMER_SECRET",
                "twitter.consumer_secret",
            ),
            (
                &t.access_token,
                "TWITTER_ACCESS_TOKEN",
                "twitter.access_token",
            ),
            (
                &t.access_token_secret,
                "TWITTER_ACCESS_TOKEN_SECRET",
                "twitter.access_token_secret",
            ),
        ];
        if oauth.iter().any(|(v, ..)| set(v)) {
            if let Some((_, var, field)) = oauth.iter().find(|(v, ..)| !set(v)) {
                return Err(missing("Twitter is configured", var, field));
            }
        }
        let slack = self.slack.clone().unwrap_or_default();
        if set(&slack.bot_token) && !set(&slack.signing_secret) {
            return Err(missing(
                "Slack is configured (a bot token)",
                "SLACK_SIGNING_SECRET",
                "slack.signing_secret",
            ));
        }
        if !set(&self.runner_secret) {
            return Err(missing(
                "runner callbacks need a secret",
                "BATTBOT_RUNNER_SECRET",
                "runner_secret",
            ));
        }
        Ok(())
    }

    /// A copy with every secret removed (for export and display).
    pub fn without_secrets(&self) -> Config {
        let mut c = self.clone();
        c.runner_secret = None;
        if let Some(app) = c.github_app.as_mut() {
            app.webhook_secret = None;
        }
        if let Some(account) = c.github_account.as_mut() {
            account.access_token = None;
        }
        if let Some(gitlab) = c.gitlab.as_mut() {
            gitlab.access_token = None;
            gitlab.webhook_token = None;
        }
        if let Some(t) = c.twitter.as_mut() {
            t.consumer_key = None;
            t.consumer_secret = None;
            t.access_token = None;
            t.access_token_secret = None;
        }
        if let Some(slack) = c.slack.as_mut() {
            slack.bot_token = None;
            slack.signing_secret = None;
        }
        if let Some(m) = c.mastodon.as_mut() {
            m.access_token = None;
        }
        if let Some(b) = c.bluesky.as_mut() {
            b.app_password = None;
        }
        c.bots = c.bots.iter().map(Config::without_secrets).collect();
        c
    }

    /// A farm bot's config, with what it inherits from the farm filled in.
    pub fn farm_bot(&self, bot: &Config) -> Config {
        let mut c = bot.clone();
        if c.public_url.is_empty() && !self.public_url.is_empty() {
            c.public_url = format!(
                "{}/bots/{}",
                self.public_url.trim_end_matches('/'),
                c.bot_name
            );
        }
        c
    }

    /// The GitHub webhook secret, if GitHub webhooks are enabled.
    pub fn github_webhook_secret(&self) -> Option<&str> {
        self.github_app.as_ref()?.webhook_secret.as_deref()
    }

    /// The GitLab webhook token, if GitLab webhooks are enabled.
    pub fn gitlab_webhook_token(&self) -> Option<&str> {
        self.gitlab.as_ref()?.webhook_token.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A config as `load` leaves it (every section present), with the runner secret set.
    fn base() -> Config {
        let mut c: Config = serde_json::from_value(serde_json::json!({
            "bot_name": "battbot",
            "runner_secret": "rsec",
            "github_app": {}, "github_account": {}, "gitlab": {}, "twitter": {}, "slack": {},
        }))
        .unwrap();
        c.bots.clear();
        c
    }

    fn refusal(c: &Config) -> String {
        format!("{:#}", c.require_secrets().unwrap_err())
    }

    #[test]
    fn no_platform_needs_only_the_runner_secret() {
        base().require_secrets().unwrap();
        let mut c = base();
        c.runner_secret = None;
        assert!(refusal(&c).contains("BATTBOT_RUNNER_SECRET"));
        c.runner_secret = Some("  ".into());
        assert!(
            refusal(&c).contains("BATTBOT_RUNNER_SECRET"),
            "blank is unset"
        );
    }

    #[test]
    fn github_app_or_token_without_webhook_secret_is_refused() {
        let mut c = base();
        c.github_app.as_mut().unwrap().app_id = Some(1);
        let e = refusal(&c);
        assert!(
            e.contains("GITHUB_WEBHOOK_SECRET") && e.contains("--dry-run"),
            "{e}"
        );
        let mut c = base();
        c.github_account.as_mut().unwrap().access_token = Some("t".into());
        assert!(refusal(&c).contains("GITHUB_WEBHOOK_SECRET"));
        c.github_app.as_mut().unwrap().webhook_secret = Some("w".into());
        c.require_secrets().unwrap();
    }

    #[test]
    fn gitlab_token_without_webhook_token_is_refused() {
        let mut c = base();
        c.gitlab.as_mut().unwrap().access_token = Some("t".into());
        assert!(refusal(&c).contains("GITLAB_WEBHOOK_TOKEN"));
        c.gitlab.as_mut().unwrap().webhook_token = Some("w".into());
        c.require_secrets().unwrap();
    }

    #[test]
    fn partial_twitter_credentials_name_the_missing_one() {
        let mut c = base();
        let t = c.twitter.as_mut().unwrap();
        t.consumer_key = Some("k".into());
        t.access_token = Some("a".into());
        t.access_token_secret = Some("s".into());
        assert!(refusal(&c).contains("TWITTER_CONSUMER_SECRET"));
        c.twitter.as_mut().unwrap().consumer_secret = Some("c".into());
        c.require_secrets().unwrap();
    }

    #[test]
    fn slack_token_without_signing_secret_is_refused() {
        let mut c = base();
        c.slack.as_mut().unwrap().bot_token = Some("xoxb".into());
        assert!(refusal(&c).contains("SLACK_SIGNING_SECRET"));
    }

    #[test]
    fn a_farm_bot_is_named_by_its_prefixed_variable() {
        let mut c = base();
        let mut bot = base();
        bot.bot_name = "my-bot".into();
        bot.runner_secret = None;
        c.bots.push(bot);
        assert!(refusal(&c).contains("MY_BOT_BATTBOT_RUNNER_SECRET"));
        c.bots[0].server.dry_run = true;
        c.require_secrets().unwrap();
    }
}
