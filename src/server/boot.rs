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
    for platform in ["twitter", "slack", "mastodon", "bluesky"] {
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

/// The Mastodon client of the config, `None` without an instance URL and a token.
pub fn mastodon_client(
    config: &Config,
) -> anyhow::Result<Option<crate::social::mastodon::MastodonClient>> {
    let m = config.mastodon.clone().unwrap_or_default();
    let (Some(base), Some(token)) = (m.base_url, m.access_token) else {
        return Ok(None);
    };
    let handle = m.handle.unwrap_or_else(|| config.bot_name.clone());
    Ok(Some(crate::social::mastodon::MastodonClient::new(
        &base,
        crate::social::Secret::new(token),
        &handle,
    )?))
}

/// The Bluesky client of the config, `None` without a handle and an app password.
pub fn bluesky_client(
    config: &Config,
) -> anyhow::Result<Option<crate::social::bluesky::BlueskyClient>> {
    let b = config.bluesky.clone().unwrap_or_default();
    let (Some(handle), Some(password)) = (b.handle, b.app_password) else {
        return Ok(None);
    };
    let service = b.service.unwrap_or_else(|| "https://bsky.social".into());
    Ok(Some(crate::social::bluesky::BlueskyClient::new(
        &service,
        &handle,
        crate::social::Secret::new(password),
    )?))
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
        "mastodon" => Ok(mastodon_client(config)?.map(|client| {
            Arc::new(super::fediverse::MastodonConversation {
                client,
                log: log("mastodon"),
            }) as Arc<dyn Conversation>
        })),
        "bluesky" => Ok(bluesky_client(config)?.map(|client| {
            Arc::new(super::fediverse::BlueskyConversation {
                client,
                log: log("bluesky"),
            }) as Arc<dyn Conversation>
        })),
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
            .map_err(|e| crate::error::bad_input(format!("{e:#}")))?;
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
    // Mastodon mentions as they are posted (the schedule's polling stays the safety net).
    let stream_stop = tokio_util::sync::CancellationToken::new();
    if !app.config.server.dry_run {
        if let Some(client) = mastodon_client(&app.config)? {
            tokio::spawn(super::poll_fediverse::stream_mastodon(
                app.clone(),
                client,
                crate::social::Sleeper::Tokio,
                stream_stop.clone(),
                None,
            ));
        }
    }
    let _stop_stream = stream_stop.drop_guard();
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

/// `battbot poll-mentions --platform mastodon|bluesky`: one poll, one JSON line.
pub async fn poll_platform(config: Config, platform: &str) -> anyhow::Result<()> {
    use super::poll_fediverse::{poll_bluesky, poll_mastodon};
    let out = match platform {
        "twitter" => return poll_mentions(config).await,
        "mastodon" => {
            let client = mastodon_client(&config)?.ok_or_else(|| {
                crate::error::bad_input(
                    "Mastodon is not configured: set MASTODON_BASE_URL and MASTODON_ACCESS_TOKEN",
                )
            })?;
            let forges = forges_from_config(&config)?;
            let app = App::new(config, forges, Arc::new(SystemClock))?;
            poll_mastodon(&app, &client).await?
        }
        "bluesky" => {
            let client = bluesky_client(&config)?.ok_or_else(|| {
                crate::error::bad_input(
                    "Bluesky is not configured: set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD",
                )
            })?;
            let forges = forges_from_config(&config)?;
            let app = App::new(config, forges, Arc::new(SystemClock))?;
            poll_bluesky(&app, &client).await?
        }
        other => bail!("unknown platform {other:?} (hint: twitter, mastodon or bluesky)"),
    };
    println!("{}", serde_json::to_string(&out)?);
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

/// The platforms `post-random --platform all` posts to: Twitter when its credentials are
/// set, Mastodon and Bluesky when their `post_random` is on; Twitter alone when none is.
pub fn random_platforms(config: &Config) -> Vec<&'static str> {
    let mut out = Vec::new();
    let t = config.twitter.clone().unwrap_or_default();
    if t.consumer_key.is_some() && t.access_token.is_some() {
        out.push("twitter");
    }
    if config.mastodon.as_ref().is_some_and(|m| m.post_random) {
        out.push("mastodon");
    }
    if config.bluesky.as_ref().is_some_and(|b| b.post_random) {
        out.push("bluesky");
    }
    if out.is_empty() {
        out.push("twitter");
    }
    out
}

/// `battbot post-random --platform …` (alias `tweet-random`): the slot's random comparison,
/// committed once and posted once per platform; prints one JSON line per platform. In
/// dry-run mode nothing is posted or committed.
pub async fn post_random(config: Config, platform: &str, seed: Option<u64>) -> anyhow::Result<()> {
    use crate::scheduled::Poster;
    let platforms = match platform {
        "all" => random_platforms(&config),
        "twitter" => vec!["twitter"],
        "mastodon" => vec!["mastodon"],
        "bluesky" => vec!["bluesky"],
        other => bail!("unknown platform {other:?} (hint: twitter, mastodon, bluesky or all)"),
    };
    let forges = forges_from_config(&config)?;
    let now = time::OffsetDateTime::now_utc();
    let dry = config.server.dry_run;
    let missing =
        |what: &str| crate::error::bad_input(format!("{what} (or run with BATTBOT_DRY_RUN=1)"));
    for platform in platforms {
        let (tw, md, bs) = if dry {
            (None, None, None)
        } else {
            match platform {
                "twitter" => (Some(twitter_client(&config)?.ok_or_else(|| missing(
                    "Twitter is not configured: set TWITTER_CONSUMER_KEY, TWITTER_CONSUMER_SECRET, TWITTER_ACCESS_TOKEN and TWITTER_ACCESS_TOKEN_SECRET",
                ))?), None, None),
                "mastodon" => (None, Some(mastodon_client(&config)?.ok_or_else(|| missing(
                    "Mastodon is not configured: set MASTODON_BASE_URL and MASTODON_ACCESS_TOKEN",
                ))?), None),
                _ => (None, None, Some(bluesky_client(&config)?.ok_or_else(|| missing(
                    "Bluesky is not configured: set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD",
                ))?)),
            }
        };
        let poster = tw
            .as_ref()
            .map(Poster::Twitter)
            .or(md.as_ref().map(Poster::Mastodon))
            .or(bs.as_ref().map(Poster::Bluesky));
        let out = crate::scheduled::post_random(
            &config,
            forges.reports.clone(),
            platform,
            poster,
            seed,
            now,
        )
        .await?;
        println!("{}", serde_json::to_string(&out)?);
    }
    Ok(())
}
