//! `battbot demo --platform twitter|slack|mastodon|bluesky`: the same loop as the GitHub
//! demo, with the request arriving as a signed Account Activity event or Slack
//! `app_mention`, or — Mastodon and Bluesky have no webhooks — as a notification the bot
//! polls, and the answer going to an in-process fake of the platform's API (see
//! [`crate::fakes`], [`crate::fakes_fediverse`]), which then prints what was posted:
//! tweets with their chunked GIF upload, threaded messages, statuses with their processed
//! media, or posts with their image blob and reply refs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::config::Config;
use crate::fakes::{self, Recorder};
use crate::fakes_fediverse::{self as fedi, Pending};
use crate::forge::{Conversation, Forge, Thread};
use crate::job::{JobId, JobSource};
use crate::server::social::{ts_micros, ReplyLog, SlackConversation, TwitterConversation};
use crate::server::{self};
use crate::social::{slack, Secret};

/// The bot account's (made-up) Twitter user id and Slack user id.
pub const TWITTER_BOT_ID: &str = "1114259648326987776";
pub const SLACK_BOT_ID: &str = "U0BATTBOT";

/// A fake platform the demo talks to.
pub struct SocialDemo {
    pub platform: &'static str,
    pub conversation: Arc<dyn Conversation>,
    pub recorder: Recorder,
    fake: tokio::task::JoinHandle<()>,
    secret: String,
    /// Mentions the polled fakes (Mastodon, Bluesky) serve, and the config to poll with.
    pending: Pending,
    config: Config,
}

impl Drop for SocialDemo {
    fn drop(&mut self) {
        self.fake.abort();
    }
}

/// Starts the fake API of `platform` and points the config at it.
pub async fn setup(
    platform: &str,
    config: &mut Config,
    reports: Arc<dyn Forge>,
    secret: &str,
) -> anyhow::Result<SocialDemo> {
    let recorder = Recorder::default();
    let log = |platform: &'static str| ReplyLog {
        forge: reports.clone(),
        repo: config.reports.repo.clone(),
        platform,
    };
    match platform {
        "twitter" => {
            let rec = recorder.clone();
            let (base, fake) = fakes::serve(move |_| fakes::twitter(rec)).await?;
            config.twitter = Some(crate::config::TwitterConfig {
                api_base_url: Some(base.clone()),
                upload_base_url: Some(base),
                user_id: Some(TWITTER_BOT_ID.into()),
                consumer_key: Some("demo-consumer-key".into()),
                consumer_secret: Some(secret.into()),
                access_token: Some("demo-access-token".into()),
                access_token_secret: Some("demo-access-secret".into()),
            });
            let client = server::boot::twitter_client(config)?
                .context("the demo's Twitter config is incomplete")?;
            Ok(SocialDemo {
                platform: "twitter",
                conversation: Arc::new(TwitterConversation {
                    client,
                    log: log("twitter"),
                }),
                recorder,
                fake,
                secret: secret.into(),
                pending: Pending::default(),
                config: config.clone(),
            })
        }
        "mastodon" => {
            let (rec, pending) = (recorder.clone(), Pending::default());
            let queue = pending.clone();
            let (base, fake) = fakes::serve(move |_| fedi::mastodon(rec, queue).0).await?;
            config.mastodon = Some(crate::config::MastodonConfig {
                base_url: Some(base),
                handle: Some("battbot@fediscience.org".into()),
                access_token: Some(fedi::MASTODON_TOKEN.into()),
                post_random: false,
            });
            let client = server::boot::mastodon_client(config)?
                .context("the demo's Mastodon config is incomplete")?
                .with_sleeper(crate::social::Sleeper::recording().0);
            Ok(SocialDemo {
                platform: "mastodon",
                conversation: Arc::new(crate::server::fediverse::MastodonConversation {
                    client,
                    log: log("mastodon"),
                }),
                recorder,
                fake,
                secret: secret.into(),
                pending,
                config: config.clone(),
            })
        }
        "bluesky" => {
            let (rec, pending) = (recorder.clone(), Pending::default());
            let queue = pending.clone();
            let (base, fake) = fakes::serve(move |_| fedi::bluesky(rec, queue).0).await?;
            config.bluesky = Some(crate::config::BlueskyConfig {
                service: Some(base),
                handle: Some("battbot.bsky.social".into()),
                app_password: Some(fedi::BLUESKY_PASSWORD.into()),
                post_random: false,
            });
            let client = server::boot::bluesky_client(config)?
                .context("the demo's Bluesky config is incomplete")?;
            Ok(SocialDemo {
                platform: "bluesky",
                conversation: Arc::new(crate::server::fediverse::BlueskyConversation {
                    client,
                    log: log("bluesky"),
                }),
                recorder,
                fake,
                secret: secret.into(),
                pending,
                config: config.clone(),
            })
        }
        "slack" => {
            let rec = recorder.clone();
            let (base, fake) = fakes::serve(move |base| fakes::slack(rec, base)).await?;
            let api = format!("{base}/api");
            config.slack = Some(crate::config::SlackConfig {
                bot_user_id: Some(SLACK_BOT_ID.into()),
                api_base_url: Some(api.clone()),
                bot_token: Some("xoxb-demo".into()),
                signing_secret: Some(secret.into()),
            });
            let client = slack::SlackClient::new(
                Secret::new("xoxb-demo"),
                slack::SlackConfig::with_base(&api)?,
            )?;
            Ok(SocialDemo {
                platform: "slack",
                conversation: Arc::new(SlackConversation {
                    client,
                    log: log("slack"),
                }),
                recorder,
                fake,
                secret: secret.into(),
                pending: Pending::default(),
                config: config.clone(),
            })
        }
        other => {
            bail!("unknown platform {other:?} (hint: github, twitter, slack, mastodon or bluesky)")
        }
    }
}

impl SocialDemo {
    /// The signed request a user's mention produces, and the source the bot will see.
    fn request(
        &self,
        public_url: &str,
        text: &str,
        id: u64,
    ) -> anyhow::Result<(reqwest::RequestBuilder, JobSource)> {
        let http = reqwest::Client::new();
        match self.platform {
            "twitter" => {
                let body = serde_json::to_vec(&serde_json::json!({
                    "for_user_id": TWITTER_BOT_ID,
                    "tweet_create_events": [{
                        "id_str": id.to_string(),
                        "text": format!("@battbot {}", text.trim_start_matches("@battbot").trim()),
                        "user": {"id_str": "42", "screen_name": "alice"},
                        "entities": {"user_mentions": [{"id_str": TWITTER_BOT_ID}]},
                    }],
                }))?;
                let sig =
                    crate::social::twitter_webhook::sign(&Secret::new(self.secret.clone()), &body);
                let req = http
                    .post(format!("{public_url}/twitter"))
                    .header("content-type", "application/json")
                    .header("x-twitter-webhooks-signature", sig)
                    .body(body);
                let source = JobSource {
                    platform: "twitter".into(),
                    repo: "alice".into(),
                    number: id,
                    comment_id: id,
                    user: "alice".into(),
                    url: String::new(),
                };
                Ok((req, source))
            }
            _ => {
                let ts = format!("{}.{:06}", id / 1_000_000, id % 1_000_000);
                let text = format!(
                    "<@{SLACK_BOT_ID}> {}",
                    text.trim_start_matches("@battbot").trim()
                );
                let body = serde_json::to_vec(&serde_json::json!({
                    "type": "event_callback",
                    "event_id": format!("Ev{id}"),
                    "team_id": "T0DEMO",
                    "event": {"type": "app_mention", "channel": "C0DEMO", "user": "U0ALICE",
                              "text": text, "ts": ts},
                }))?;
                let now = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
                let sig = crate::social::slack_webhook::sign(
                    &Secret::new(self.secret.clone()),
                    &now,
                    &body,
                );
                let req = http
                    .post(format!("{public_url}/slack/events"))
                    .header("content-type", "application/json")
                    .header("x-slack-request-timestamp", now)
                    .header("x-slack-signature", sig)
                    .body(body);
                let source = JobSource {
                    platform: "slack".into(),
                    repo: "C0DEMO".into(),
                    number: ts_micros(&ts),
                    comment_id: ts_micros(&ts),
                    user: "U0ALICE".into(),
                    url: String::new(),
                };
                Ok((req, source))
            }
        }
    }

    /// Sends the mention and waits for the report's reply, or for the answer of a request
    /// that makes no job (help, status, abort, a bad command); returns the job, the replies
    /// and whether a report came.
    pub async fn drive(
        &self,
        app: &server::App,
        public_url: &str,
        text: &str,
        timeout: Duration,
    ) -> anyhow::Result<(JobId, JobSource, Vec<String>, bool)> {
        let id = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as u64 / 1000;
        let source = if matches!(self.platform, "mastodon" | "bluesky") {
            self.poll(app, text, id).await?
        } else {
            let (req, source) = self.request(public_url, text, id)?;
            println!(
                "· {} mention {id} from @{}: {text}",
                self.platform, source.user
            );
            let resp = req.send().await.context("cannot reach the demo server")?;
            println!("· webhook answered {}", resp.status());
            if !resp.status().is_success() {
                bail!(
                    "the server refused the event: {}",
                    resp.text().await.unwrap_or_default()
                );
            }
            source
        };
        let job_id = JobId::for_source(&source);
        let thread = Thread::of(&source);
        let marker = server::reply_marker(&format!("report-{job_id}"));
        let started = Instant::now();
        loop {
            let replies = self.conversation.bot_replies(&thread).await?;
            if replies.iter().any(|r| r.contains(&marker)) {
                return Ok((job_id, source, replies, true));
            }
            let has = |keys: &[&str]| {
                replies.iter().any(|r| {
                    keys.iter()
                        .any(|k| r.contains(&format!("<!-- battbot:{k}")))
                })
            };
            if has(&["error-", "help-", "status-", "abort-"]) {
                return Ok((job_id, source, replies, false));
            }
            if replies.iter().any(|r| {
                ["denied-", "limited-", "duplicate-"]
                    .iter()
                    .any(|k| r.contains(&format!("<!-- battbot:{k}")))
            }) {
                bail!("the bot did not take the request: {replies:?}");
            }
            if started.elapsed() > timeout {
                bail!("no report after {} s", timeout.as_secs());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Queues a mention in the fake and runs one poll, as the schedule would.
    async fn poll(&self, app: &server::App, text: &str, id: u64) -> anyhow::Result<JobSource> {
        use crate::server::fediverse::{skeet_event, toot_event};
        use crate::server::poll_fediverse::{poll_bluesky, poll_mastodon};
        let text = text.trim_start_matches("@battbot").trim();
        let polled = if self.platform == "mastodon" {
            let status = fedi::mastodon_mention(id, "zsc", &format!("@battbot {text}"), "unlisted");
            println!("· mastodon mention {id} from @zsc (unlisted): @battbot {text}");
            self.pending.push(status);
            let client = server::boot::mastodon_client(&self.config)?
                .context("the demo's Mastodon config is incomplete")?
                .with_sleeper(crate::social::Sleeper::recording().0);
            poll_mastodon(app, &client).await?
        } else {
            let rkey = crate::social::bluesky::u64_to_tid(id);
            let at = time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)?;
            let did = "did:plc:z72i7hdynmk6r22z27h6tvur";
            let post = format!("@battbot.bsky.social {text}");
            println!("· bluesky mention {rkey} from @alice.bsky.social: {post}");
            self.pending.push(fedi::bluesky_mention(
                did,
                "alice.bsky.social",
                &rkey,
                &post,
                &at,
            ));
            let client = server::boot::bluesky_client(&self.config)?
                .context("the demo's Bluesky config is incomplete")?;
            poll_bluesky(app, &client).await?
        };
        println!("· polled: {}", serde_json::to_string(&polled)?);
        // The source the poll made of the mention (job ids come from the post's id).
        let event = match self.platform {
            "mastodon" => toot_event(&crate::social::mastodon::Toot {
                notification_id: String::new(),
                id,
                acct: "zsc".into(),
                url: String::new(),
                text: String::new(),
                visibility: crate::social::mastodon::Visibility::Unlisted,
            }),
            _ => skeet_event(&crate::social::bluesky::Skeet {
                uri: String::new(),
                did: "did:plc:z72i7hdynmk6r22z27h6tvur".into(),
                handle: "alice.bsky.social".into(),
                tid: id,
                text: String::new(),
                indexed_at: String::new(),
            }),
        };
        Ok(event.source)
    }

    /// Prints what the fake platform received, as a user would have seen it.
    pub fn print_posted(&self) {
        println!("\n--- what {} received ---", self.platform);
        for call in self.recorder.calls() {
            let detail = match (call.endpoint.as_str(), &call.body) {
                ("POST /2/tweets", b) => format!(
                    "tweet{}{}:\n{}",
                    b["reply"]["in_reply_to_tweet_id"]
                        .as_str()
                        .map(|id| format!(" in reply to {id}"))
                        .unwrap_or_default(),
                    b["media"]["media_ids"]
                        .as_array()
                        .map(|m| format!(" with media {m:?}"))
                        .unwrap_or_default(),
                    b["text"].as_str().unwrap_or_default()
                ),
                ("POST /api/chat.postMessage", b) => format!(
                    "message in thread {}:\n{}",
                    b["thread_ts"].as_str().unwrap_or("-"),
                    b["text"].as_str().unwrap_or_default()
                ),
                ("POST /api/v1/statuses", b) => format!(
                    "status in reply to {} ({}) with media {}:\n{}",
                    b["in_reply_to_id"].as_str().unwrap_or("-"),
                    b["visibility"].as_str().unwrap_or("-"),
                    b["media_ids"],
                    b["status"].as_str().unwrap_or_default()
                ),
                ("POST com.atproto.repo.createRecord", b) => format!(
                    "post in reply to {} with image {} (alt: {:?}), facets {}:\n{}",
                    b["record"]["reply"]["parent"]["uri"]
                        .as_str()
                        .unwrap_or("-"),
                    b["record"]["embed"]["images"][0]["image"]["ref"]["$link"],
                    b["record"]["embed"]["images"][0]["alt"]
                        .as_str()
                        .unwrap_or_default(),
                    b["record"]["facets"],
                    b["record"]["text"].as_str().unwrap_or_default()
                ),
                (_, b) => b.to_string(),
            };
            println!("{}  {detail}", call.endpoint);
        }
        println!("---------------------------");
    }
}
