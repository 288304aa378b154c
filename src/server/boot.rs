//! Starts `battbot serve` from a config: builds the forges, binds, and serves until
//! SIGTERM/SIGINT, then drains background work.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};

use crate::config::Config;
use crate::forge::dry_run::DryRunForge;
use crate::forge::local::LocalForge;
use crate::forge::{Conversation, Forge};

use super::{App, Forges, SystemClock};

fn github(config: &Config) -> anyhow::Result<Arc<dyn Forge>> {
    use crate::forge::github::{GithubAuth, GithubForge, GithubForgeConfig};
    let account = config.github_account.clone().unwrap_or_default();
    let app = config.github_app.clone().unwrap_or_default();
    let (auth, bot_login) = match (app.app_id, &app.private_key_path, &account.access_token) {
        (Some(app_id), Some(key), _) => {
            let pem = std::fs::read_to_string(key)
                .with_context(|| format!("cannot read the GitHub App key {}", key.display()))?;
            (
                GithubAuth::App {
                    app_id,
                    private_key_pem: pem,
                },
                format!("{}[bot]", config.bot_name),
            )
        }
        (_, _, Some(token)) => (GithubAuth::Token(token.clone()), config.bot_name.clone()),
        _ => bail!("GitHub needs github_app.app_id + private_key_path or a token (GITHUB_TOKEN)"),
    };
    let forge = GithubForge::new(GithubForgeConfig {
        base_url: account
            .api_url
            .unwrap_or_else(|| "https://api.github.com".into()),
        auth,
        bot_login,
        retry: Default::default(),
    })?;
    Ok(Arc::new(forge))
}

fn gitlab(config: &Config) -> anyhow::Result<Arc<dyn Forge>> {
    use crate::forge::gitlab::{GitlabForge, GitlabForgeConfig};
    let gl = config.gitlab.clone().unwrap_or_default();
    let Some(token) = gl.access_token else {
        bail!("GitLab needs gitlab.access_token (GITLAB_TOKEN)");
    };
    let forge = GitlabForge::new(GitlabForgeConfig {
        base_url: gl.url.unwrap_or_else(|| "https://gitlab.com".into()),
        token,
        bot_username: config.bot_name.clone(),
        retry: Default::default(),
    })?;
    Ok(Arc::new(forge))
}

/// The forge named by a config's `forge` field (a logging stand-in in dry-run mode).
fn forge(config: &Config, kind: &str, dry_run: bool) -> anyhow::Result<Arc<dyn Forge>> {
    if dry_run {
        return Ok(Arc::new(DryRunForge::new(kind)));
    }
    match kind {
        "local" => Ok(Arc::new(LocalForge::new(
            std::env::current_dir()?,
            PathBuf::from(&config.reports.repo),
        ))),
        "github" => github(config),
        "gitlab" => gitlab(config),
        other => bail!("unknown forge {other:?} (hint: use \"local\", \"github\" or \"gitlab\")"),
    }
}

/// Forges for runner, reports and conversations as the config names them: GitHub and GitLab
/// conversations wherever their credentials are configured, local ones on the reports repository.
pub fn forges_from_config(config: &Config) -> anyhow::Result<Forges> {
    let dry = config.server.dry_run;
    if !dry && (config.runner.repo.is_empty() || config.reports.repo.is_empty()) {
        bail!("config: runner.repo and reports.repo must be set (or BATTBOT_RUNNER_REPO / BATTBOT_REPORTS_REPO)");
    }
    let runner = forge(config, &config.runner.forge, dry)?;
    let reports = forge(config, &config.reports.forge, dry)?;
    let mut conversations: HashMap<String, Arc<dyn Conversation>> = HashMap::new();
    for platform in ["github", "gitlab", "local"] {
        let conversation: Option<Arc<dyn Forge>> = if dry {
            Some(forge(config, platform, true)?)
        } else {
            // Without credentials, an all-local setup (like the demo) records replies locally.
            let all_local = config.runner.forge == "local" && config.reports.forge == "local";
            let fallback = || -> anyhow::Result<Option<Arc<dyn Forge>>> {
                all_local.then(|| forge(config, "local", false)).transpose()
            };
            match platform {
                "github" => match github(config) {
                    Ok(f) => Some(f),
                    Err(_) => fallback()?,
                },
                "gitlab" => match gitlab(config) {
                    Ok(f) => Some(f),
                    Err(_) => fallback()?,
                },
                _ => Some(forge(config, "local", false)?),
            }
        };
        if let Some(c) = conversation {
            conversations.insert(platform.to_string(), c);
        }
    }
    for platform in ["twitter", "slack"] {
        let conversation = if dry {
            Some(forge(config, platform, true)? as Arc<dyn Conversation>)
        } else {
            social_conversation(config, platform, reports.clone())?
        };
        if let Some(c) = conversation {
            conversations.insert(platform.to_string(), c);
        }
    }
    Ok(Forges {
        conversations,
        runner,
        reports,
    })
}

/// Twitter or Slack as a conversation, when its credentials are configured.
/// The Twitter client of the config, `None` without the four OAuth 1.0a credentials.
pub fn twitter_client(
    config: &Config,
) -> anyhow::Result<Option<crate::social::twitter::TwitterClient>> {
    use crate::social::{oauth1::OAuth1Credentials, twitter, Secret};
    let t = config.twitter.clone().unwrap_or_default();
    let (Some(ck), Some(cs), Some(at), Some(ats)) = (
        t.consumer_key,
        t.consumer_secret,
        t.access_token,
        t.access_token_secret,
    ) else {
        return Ok(None);
    };
    let creds = OAuth1Credentials {
        consumer_key: Secret::new(ck),
        consumer_secret: Secret::new(cs),
        access_token: Secret::new(at),
        access_token_secret: Secret::new(ats),
    };
    let tc = twitter::TwitterConfig::with_bases(
        t.api_base_url.as_deref(),
        t.upload_base_url.as_deref(),
    )?;
    Ok(Some(twitter::TwitterClient::new(creds, tc)?))
}

fn social_conversation(
    config: &Config,
    platform: &str,
    reports: Arc<dyn Forge>,
) -> anyhow::Result<Option<Arc<dyn Conversation>>> {
    use super::social::{ReplyLog, SlackConversation, TwitterConversation};
    use crate::social::{slack, Secret};
    let log = |platform: &'static str| ReplyLog {
        forge: reports.clone(),
        repo: config.reports.repo.clone(),
        platform,
    };
    match platform {
        "twitter" => Ok(twitter_client(config)?.map(|client| {
            Arc::new(TwitterConversation {
                client,
                log: log("twitter"),
            }) as Arc<dyn Conversation>
        })),
        _ => {
            let s = config.slack.clone().unwrap_or_default();
            let Some(token) = s.bot_token else {
                return Ok(None);
            };
            let sc = match s.api_base_url {
                Some(url) => slack::SlackConfig::with_base(&url)?,
                None => slack::SlackConfig::default(),
            };
            let client = slack::SlackClient::new(Secret::new(token), sc)?;
            Ok(Some(Arc::new(SlackConversation {
                client,
                log: log("slack"),
            })))
        }
    }
}

/// Resolves when the process receives SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down: finishing in-flight work");
}

/// An app for one bot of the config, with its periodic reconciliation.
fn start_bot(config: Config) -> anyhow::Result<App> {
    let forges = forges_from_config(&config)?;
    let app = App::new(config, forges, Arc::new(SystemClock))?;
    let every = (app.config.runner.job_timeout_s / 4).clamp(10, 300);
    super::reconcile::spawn_periodic(&app, std::time::Duration::from_secs(every));
    Ok(app)
}

/// `battbot serve`: the config's bot at the root and each farm bot under `/bots/{name}`.
pub async fn run(config: Config, listen: &str) -> anyhow::Result<()> {
    if !config.server.dry_run {
        config
            .require_secrets()
            .map_err(|e| crate::cli::bad_input(format!("{e:#}")))?;
    }
    let bots = config
        .bots
        .iter()
        .map(|bot| {
            let mut bot = config.farm_bot(bot);
            bot.server.dry_run |= config.server.dry_run;
            start_bot(bot)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut main = config;
    main.bots.clear();
    let app = start_bot(main)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(
        bots = bots.len() + 1,
        "battbot listening on http://{}",
        listener.local_addr()?
    );
    super::serve_farm(app, bots, listener, shutdown_signal()).await
}

/// `battbot reconcile`: one pass, printing one JSON line per job answered.
pub async fn reconcile(config: Config) -> anyhow::Result<()> {
    let forges = forges_from_config(&config)?;
    let app = App::new(config, forges, Arc::new(SystemClock))?;
    for done in super::reconcile::run_once(&app).await? {
        println!("{}", serde_json::to_string(&done)?);
    }
    Ok(())
}

/// `battbot poll-mentions`: one poll; prints what it handled as one JSON line.
pub async fn poll_mentions(config: Config) -> anyhow::Result<()> {
    let client = twitter_client(&config)?.context(
        "Twitter is not configured: set TWITTER_CONSUMER_KEY, TWITTER_CONSUMER_SECRET, TWITTER_ACCESS_TOKEN and TWITTER_ACCESS_TOKEN_SECRET",
    )?;
    let forges = forges_from_config(&config)?;
    let app = App::new(config, forges, Arc::new(SystemClock))?;
    let out = super::poll::poll_mentions(&app, &client).await?;
    println!(
        "{}",
        serde_json::json!({
            "handled": out.handled,
            "last_seen_id": out.last_seen,
            "truncated": out.truncated,
        })
    );
    Ok(())
}

/// `battbot tweet-random`: the slot's random comparison, committed and tweeted; prints
/// the outcome as one JSON line. In dry-run mode nothing is tweeted or committed.
pub async fn tweet_random(config: Config, seed: Option<u64>) -> anyhow::Result<()> {
    let forges = forges_from_config(&config)?;
    let client = if config.server.dry_run {
        None
    } else {
        Some(twitter_client(&config)?.context(
            "Twitter is not configured: set TWITTER_CONSUMER_KEY, TWITTER_CONSUMER_SECRET, TWITTER_ACCESS_TOKEN and TWITTER_ACCESS_TOKEN_SECRET (or run with BATTBOT_DRY_RUN=1)",
        )?)
    };
    let now = time::OffsetDateTime::now_utc();
    let out =
        crate::scheduled::tweet_random(&config, forges.reports, client.as_ref(), seed, now).await?;
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}
