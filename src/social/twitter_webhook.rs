//! Twitter Account Activity webhooks: answers the CRC challenge, verifies
//! `x-twitter-webhooks-signature` in constant time, and turns `tweet_create_events` into
//! [`Mention`]s.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::{unescape_text, Mention, Secret};

type HmacSha256 = Hmac<Sha256>;

/// The header carrying the body signature.
pub const SIGNATURE_HEADER: &str = "x-twitter-webhooks-signature";

#[derive(Debug, thiserror::Error)]
pub enum TwitterWebhookError {
    #[error("missing {SIGNATURE_HEADER} header")]
    MissingSignature,
    #[error("malformed {SIGNATURE_HEADER} header: expected sha256=<base64>")]
    MalformedSignature,
    #[error("{SIGNATURE_HEADER} does not match the body")]
    BadSignature,
    #[error("Account Activity payload is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("tweet or user id {value:?} is not a number")]
    BadId { value: String },
}

fn mac(consumer_secret: &Secret) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    HmacSha256::new_from_slice(consumer_secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
}

/// `sha256=<base64(HMAC-SHA256(consumer_secret, crc_token))>`.
pub fn crc_response_token(consumer_secret: &Secret, crc_token: &str) -> String {
    let mut m = mac(consumer_secret);
    m.update(crc_token.as_bytes());
    format!("sha256={}", BASE64.encode(m.finalize().into_bytes()))
}

/// The `x-twitter-webhooks-signature` Twitter sends with `body` (for fakes and demos).
pub fn sign(consumer_secret: &Secret, body: &[u8]) -> String {
    let mut m = mac(consumer_secret);
    m.update(body);
    format!("sha256={}", BASE64.encode(m.finalize().into_bytes()))
}

/// The JSON body for `GET /twitter?crc_token=…`: `{"response_token":"sha256=…"}`.
pub fn crc_response(consumer_secret: &Secret, crc_token: &str) -> serde_json::Value {
    serde_json::json!({ "response_token": crc_response_token(consumer_secret, crc_token) })
}

/// Checks `x-twitter-webhooks-signature` (`sha256=<base64 HMAC-SHA256(consumer_secret,
/// raw body)>`) in constant time. Twitter signs no timestamp, so there is no replay window.
pub fn verify_signature(
    consumer_secret: &Secret,
    body: &[u8],
    header: Option<&str>,
) -> Result<(), TwitterWebhookError> {
    let header = header.ok_or(TwitterWebhookError::MissingSignature)?;
    let encoded = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or(TwitterWebhookError::MalformedSignature)?;
    let expected = BASE64
        .decode(encoded)
        .map_err(|_| TwitterWebhookError::MalformedSignature)?;
    let mut m = mac(consumer_secret);
    m.update(body);
    m.verify_slice(&expected)
        .map_err(|_| TwitterWebhookError::BadSignature)
}

/// What one Account Activity delivery says, reduced to what the bot acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// The subscribed account the delivery is for.
    pub for_user_id: Option<String>,
    /// Tweets that mention or reply to the bot, oldest first; the bot's own tweets and
    /// retweets are left out.
    pub mentions: Vec<Mention>,
    /// The user revoked the app's access (`user_event.revoke`): the admin should know.
    pub revoked: bool,
}

/// Parses a verified Account Activity body. Other event kinds (DMs, typing, favorites)
/// yield an `Activity` with no mentions.
pub fn parse_activity(body: &[u8], bot_user_id: &str) -> Result<Activity, TwitterWebhookError> {
    let payload: Payload = serde_json::from_slice(body)?;
    let mut mentions = Vec::new();
    for tweet in payload.tweet_create_events {
        let mentions_bot = tweet.mentions_user(bot_user_id);
        let mention = tweet.into_mention()?;
        if mentions_bot && mention.is_actionable(bot_user_id) {
            mentions.push(mention);
        }
    }
    mentions.sort_by_key(|m| m.tweet_id);
    Ok(Activity {
        for_user_id: payload.for_user_id,
        mentions,
        revoked: payload
            .user_event
            .as_ref()
            .is_some_and(|e| e.get("revoke").is_some()),
    })
}

/// Converts every `tweet_create_events` entry without filtering (retweets and the bot's
/// own tweets included, flagged), for callers that need to see them.
pub fn all_tweets(body: &[u8]) -> Result<Vec<Mention>, TwitterWebhookError> {
    let payload: Payload = serde_json::from_slice(body)?;
    payload
        .tweet_create_events
        .into_iter()
        .map(V1Tweet::into_mention)
        .collect()
}

#[derive(Deserialize)]
struct Payload {
    for_user_id: Option<String>,
    #[serde(default)]
    tweet_create_events: Vec<V1Tweet>,
    user_event: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct V1Tweet {
    id_str: String,
    #[serde(default)]
    text: String,
    extended_tweet: Option<ExtendedTweet>,
    user: V1User,
    in_reply_to_status_id_str: Option<String>,
    in_reply_to_user_id_str: Option<String>,
    retweeted_status: Option<serde_json::Value>,
    entities: Option<Entities>,
}

#[derive(Deserialize)]
struct ExtendedTweet {
    full_text: String,
}

#[derive(Deserialize)]
struct V1User {
    id_str: String,
    screen_name: String,
}

#[derive(Deserialize)]
struct Entities {
    #[serde(default)]
    user_mentions: Vec<UserMention>,
}

#[derive(Deserialize)]
struct UserMention {
    id_str: String,
}

impl V1Tweet {
    fn mentions_user(&self, user_id: &str) -> bool {
        self.in_reply_to_user_id_str.as_deref() == Some(user_id)
            || self
                .entities
                .as_ref()
                .is_some_and(|e| e.user_mentions.iter().any(|m| m.id_str == user_id))
    }

    fn into_mention(self) -> Result<Mention, TwitterWebhookError> {
        let id = |s: &str| {
            s.parse::<u64>().map_err(|_| TwitterWebhookError::BadId {
                value: s.to_owned(),
            })
        };
        Ok(Mention {
            tweet_id: id(&self.id_str)?,
            author_id: self.user.id_str,
            author_username: self.user.screen_name,
            // Tweets over 140 characters arrive truncated, with the whole text here.
            text: unescape_text(&self.extended_tweet.map_or(self.text, |e| e.full_text)),
            in_reply_to: self
                .in_reply_to_status_id_str
                .as_deref()
                .map(id)
                .transpose()?,
            is_retweet: self.retweeted_status.is_some(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::social::test_support::{fixture, fixture_json};

    const AAA: &str = "twitter/aaa.tweet_create_events.mention.recorded.json";
    const BOT: &str = "1114259648326987776";

    #[test]
    fn signature_vectors_from_fixture() {
        let v = fixture_json("twitter/signature_vectors.x-twitter-webhooks-signature.json");
        let vectors = v["vectors"].as_array().unwrap();
        assert_eq!(vectors.len(), 2);
        for vector in vectors {
            let secret = Secret::new(vector["consumer_secret"].as_str().unwrap());
            let body = vector["body"].as_str().unwrap().as_bytes();
            let sig = vector["x_twitter_webhooks_signature"].as_str().unwrap();
            verify_signature(&secret, body, Some(sig)).expect("signed vector verifies");
            // Unsigned, tampered body, wrong secret, malformed header.
            assert!(matches!(
                verify_signature(&secret, body, None),
                Err(TwitterWebhookError::MissingSignature)
            ));
            let mut tampered = body.to_vec();
            tampered.push(b' ');
            assert!(matches!(
                verify_signature(&secret, &tampered, Some(sig)),
                Err(TwitterWebhookError::BadSignature)
            ));
            assert!(matches!(
                verify_signature(&Secret::new("other"), body, Some(sig)),
                Err(TwitterWebhookError::BadSignature)
            ));
            assert!(matches!(
                verify_signature(&secret, body, Some(sig.trim_start_matches("sha256="))),
                Err(TwitterWebhookError::MalformedSignature)
            ));
            assert!(matches!(
                verify_signature(&secret, body, Some("sha256=not base64!")),
                Err(TwitterWebhookError::MalformedSignature)
            ));
        }
    }

    #[test]
    fn crc_uses_the_signature_construction() {
        // The fixture's vectors use the same HMAC as the CRC, with the body as message.
        let v = fixture_json("twitter/signature_vectors.x-twitter-webhooks-signature.json");
        let vector = &v["vectors"][0];
        let secret = Secret::new(vector["consumer_secret"].as_str().unwrap());
        let token = crc_response_token(&secret, vector["body"].as_str().unwrap());
        assert_eq!(
            token,
            vector["x_twitter_webhooks_signature"].as_str().unwrap()
        );
        let json = crc_response(&secret, "test=1&other_test=2");
        assert_eq!(
            serde_json::to_string(&json).unwrap(),
            r#"{"response_token":"sha256=25Cu3iwbbiqBTwQRzcKJZwisjf736V2Q8UaTlkfLSoc="}"#
        );
    }

    #[test]
    fn recorded_mention_becomes_a_mention() {
        let activity = parse_activity(fixture(AAA).as_bytes(), BOT).unwrap();
        assert_eq!(activity.for_user_id.as_deref(), Some(BOT));
        assert!(!activity.revoked);
        assert_eq!(
            activity.mentions,
            vec![Mention {
                tweet_id: 1332557345071644672,
                author_id: "1247048165561270272".into(),
                author_username: "TanuLearns".into(),
                text: "@Learn_Awesome Save this".into(),
                in_reply_to: Some(1332252354599555074),
                is_retweet: false,
            }]
        );
    }

    #[test]
    fn own_tweets_retweets_and_unrelated_tweets_are_ignored() {
        let mut v = fixture_json(AAA);
        let original = v["tweet_create_events"][0].clone();
        // The bot's own tweet (it mentions itself in a thread).
        let mut own = original.clone();
        own["id_str"] = "1332557345071644673".into();
        own["user"]["id_str"] = BOT.into();
        // A retweet of a mention.
        let mut retweet = original.clone();
        retweet["id_str"] = "1332557345071644674".into();
        retweet["retweeted_status"] = serde_json::json!({"id_str": "1"});
        // A tweet for another subscribed user that does not mention the bot.
        let mut unrelated = original.clone();
        unrelated["id_str"] = "1332557345071644675".into();
        unrelated["entities"]["user_mentions"] = serde_json::json!([]);
        unrelated["in_reply_to_user_id_str"] = "42".into();
        v["tweet_create_events"] = serde_json::json!([original, own, retweet, unrelated]);
        let body = serde_json::to_vec(&v).unwrap();
        let activity = parse_activity(&body, BOT).unwrap();
        let ids: Vec<u64> = activity.mentions.iter().map(|m| m.tweet_id).collect();
        assert_eq!(ids, vec![1332557345071644672]);
        let all = all_tweets(&body).unwrap();
        assert_eq!(all.len(), 4);
        assert!(all[2].is_retweet);
    }

    #[test]
    fn other_events_yield_no_mentions() {
        for f in [
            "twitter/aaa.direct_message_events.docs.json",
            "twitter/aaa.direct_message_indicate_typing_events.docs.json",
        ] {
            let a = parse_activity(fixture(f).as_bytes(), "4337869213").unwrap();
            assert!(a.mentions.is_empty() && !a.revoked, "{f}");
        }
        let revoke = parse_activity(
            fixture("twitter/aaa.user_event.revoke.docs.json").as_bytes(),
            BOT,
        )
        .unwrap();
        assert!(revoke.revoked);
        assert!(matches!(
            parse_activity(b"{not json", BOT),
            Err(TwitterWebhookError::Json(_))
        ));
    }
}
