//! Slack request verification (v0 signatures, 5-minute replay window, constant-time
//! compare) and parsing of Events API bodies and slash-command form bodies.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::Secret;

type HmacSha256 = Hmac<Sha256>;

pub const TIMESTAMP_HEADER: &str = "x-slack-request-timestamp";
pub const SIGNATURE_HEADER: &str = "x-slack-signature";
/// Requests older or newer than this (seconds) are rejected as replays.
pub const REPLAY_WINDOW_SECS: u64 = 300;

#[derive(Debug, thiserror::Error)]
pub enum SlackWebhookError {
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    #[error("malformed {TIMESTAMP_HEADER} header {value:?}")]
    BadTimestamp { value: String },
    #[error("request timestamp {timestamp} is {skew_secs} s away from now (limit {REPLAY_WINDOW_SECS} s)")]
    Stale { timestamp: u64, skew_secs: u64 },
    #[error("malformed {SIGNATURE_HEADER} header: expected v0=<hex>")]
    MalformedSignature,
    #[error("{SIGNATURE_HEADER} does not match the body")]
    BadSignature,
    #[error("Slack event body is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("slash-command body lacks the {field} field")]
    MissingField { field: &'static str },
}

/// Verifies `X-Slack-Signature: v0=hex(HMAC-SHA256(signing_secret, "v0:" + ts + ":" +
/// body))` against `X-Slack-Request-Timestamp`, rejecting timestamps more than 5 minutes
/// from `now_unix` (the caller's clock). The digest comparison is constant-time.
pub fn verify(
    signing_secret: &Secret,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now_unix: u64,
) -> Result<(), SlackWebhookError> {
    let ts_text = timestamp.ok_or(SlackWebhookError::MissingHeader(TIMESTAMP_HEADER))?;
    let signature = signature.ok_or(SlackWebhookError::MissingHeader(SIGNATURE_HEADER))?;
    let ts: u64 = ts_text
        .trim()
        .parse()
        .map_err(|_| SlackWebhookError::BadTimestamp {
            value: ts_text.to_owned(),
        })?;
    let skew = now_unix.abs_diff(ts);
    if skew > REPLAY_WINDOW_SECS {
        return Err(SlackWebhookError::Stale {
            timestamp: ts,
            skew_secs: skew,
        });
    }
    let expected = signature
        .trim()
        .strip_prefix("v0=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or(SlackWebhookError::MalformedSignature)?;
    let mut mac = HmacSha256::new_from_slice(signing_secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(b"v0:");
    mac.update(ts_text.trim().as_bytes());
    mac.update(b":");
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| SlackWebhookError::BadSignature)
}

/// The signature Slack would send, for fakes and tests of the server.
pub fn sign(signing_secret: &Secret, timestamp: &str, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(signing_secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// A parsed `POST /slack/events` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlackEvent {
    /// Answer with the challenge (`{"challenge": …}` or text/plain).
    UrlVerification {
        challenge: String,
    },
    AppMention(AppMention),
    /// Any other event type, or an envelope type the bot does not handle.
    Other {
        kind: String,
    },
}

/// An `app_mention` inside an `event_callback` envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppMention {
    /// Deduplicate redeliveries on this.
    pub event_id: Option<String>,
    pub team_id: Option<String>,
    pub channel: String,
    pub user: String,
    /// Raw text, with the bot written as `<@U…>` and `&`, `<`, `>` escaped: pass it to
    /// `command::parse` as is, with the bot's Slack user id among `bot_names`.
    pub text: String,
    pub ts: String,
    /// Set when the mention is itself inside a thread.
    pub thread_ts: Option<String>,
}

impl AppMention {
    /// Where to reply so the answer lands in the mention's thread.
    pub fn reply_thread_ts(&self) -> &str {
        self.thread_ts.as_deref().unwrap_or(&self.ts)
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    challenge: Option<String>,
    event_id: Option<String>,
    team_id: Option<String>,
    event: Option<InnerEvent>,
}

#[derive(Deserialize)]
struct InnerEvent {
    #[serde(rename = "type")]
    kind: String,
    channel: Option<String>,
    user: Option<String>,
    #[serde(default)]
    text: String,
    ts: Option<String>,
    thread_ts: Option<String>,
}

/// Parses an Events API body (after [`verify`]).
pub fn parse_event(body: &[u8]) -> Result<SlackEvent, SlackWebhookError> {
    let env: Envelope = serde_json::from_slice(body)?;
    Ok(match (env.kind.as_str(), env.challenge, env.event) {
        ("url_verification", Some(challenge), _) => SlackEvent::UrlVerification { challenge },
        ("event_callback", _, Some(ev)) if ev.kind == "app_mention" => {
            match (ev.channel, ev.user, ev.ts) {
                (Some(channel), Some(user), Some(ts)) => SlackEvent::AppMention(AppMention {
                    event_id: env.event_id,
                    team_id: env.team_id,
                    channel,
                    user,
                    text: ev.text,
                    ts,
                    thread_ts: ev.thread_ts,
                }),
                _ => SlackEvent::Other {
                    kind: "app_mention (incomplete)".into(),
                },
            }
        }
        ("event_callback", _, Some(ev)) => SlackEvent::Other { kind: ev.kind },
        (kind, _, _) => SlackEvent::Other { kind: kind.into() },
    })
}

/// The JSON answer to a `url_verification` challenge.
pub fn url_verification_response(challenge: &str) -> serde_json::Value {
    serde_json::json!({ "challenge": challenge })
}

/// A `POST /slack/commands` body (`application/x-www-form-urlencoded`). The deprecated
/// verification `token` field is deliberately not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlashCommand {
    pub command: String,
    pub text: String,
    pub user_id: String,
    pub user_name: Option<String>,
    pub channel_id: String,
    pub channel_name: Option<String>,
    pub team_id: Option<String>,
    pub response_url: Option<String>,
    pub trigger_id: Option<String>,
}

impl SlashCommand {
    /// The command line as the parser reads a Slack slash command: `/battbot simulate …`.
    pub fn parser_text(&self) -> String {
        format!("{} {}", self.command, self.text).trim().to_owned()
    }
}

/// Parses a slash-command form body (after [`verify`]).
pub fn parse_slash_command(body: &[u8]) -> Result<SlashCommand, SlackWebhookError> {
    let mut fields = std::collections::HashMap::new();
    for (k, v) in form_urlencoded::parse(body) {
        fields.insert(k.into_owned(), v.into_owned());
    }
    let mut take = |k: &str| fields.remove(k);
    let required =
        |v: Option<String>, field: &'static str| v.ok_or(SlackWebhookError::MissingField { field });
    Ok(SlashCommand {
        command: required(take("command"), "command")?,
        text: take("text").unwrap_or_default(),
        user_id: required(take("user_id"), "user_id")?,
        channel_id: required(take("channel_id"), "channel_id")?,
        user_name: take("user_name"),
        channel_name: take("channel_name"),
        team_id: take("team_id"),
        response_url: take("response_url"),
        trigger_id: take("trigger_id"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::social::test_support::{fixture, fixture_json};

    struct Vector {
        secret: Secret,
        ts: String,
        body: String,
        sig: String,
    }

    fn vector() -> Vector {
        let v = fixture_json("slack/signature_vector.v0.json");
        let body = fixture(&format!("slack/{}", v["body_file"].as_str().unwrap()));
        assert_eq!(
            body,
            v["body"].as_str().unwrap(),
            "body file and vector agree"
        );
        Vector {
            secret: Secret::new(v["signing_secret"].as_str().unwrap()),
            ts: v["x_slack_request_timestamp"].as_str().unwrap().into(),
            body,
            sig: v["x_slack_signature"].as_str().unwrap().into(),
        }
    }

    #[test]
    fn fixture_vector_accepted_within_window() {
        let v = vector();
        let ts: u64 = v.ts.parse().unwrap();
        for now in [ts, ts + 299, ts - 299] {
            verify(&v.secret, Some(&v.ts), Some(&v.sig), v.body.as_bytes(), now)
                .unwrap_or_else(|e| panic!("now={now}: {e}"));
        }
        assert_eq!(sign(&v.secret, &v.ts, v.body.as_bytes()), v.sig);
    }

    #[test]
    fn stale_and_future_requests_rejected() {
        let v = vector();
        let ts: u64 = v.ts.parse().unwrap();
        for now in [ts + 301, ts - 301, ts + 86_400] {
            let err =
                verify(&v.secret, Some(&v.ts), Some(&v.sig), v.body.as_bytes(), now).unwrap_err();
            assert!(matches!(err, SlackWebhookError::Stale { .. }), "{err}");
        }
    }

    #[test]
    fn bad_signatures_rejected() {
        let v = vector();
        let now: u64 = v.ts.parse().unwrap();
        let body = v.body.as_bytes();
        let check = |secret: &Secret, ts: Option<&str>, sig: Option<&str>, body: &[u8]| {
            verify(secret, ts, sig, body, now).unwrap_err()
        };
        assert!(matches!(
            check(&v.secret, Some(&v.ts), Some(&v.sig), b"token=forged"),
            SlackWebhookError::BadSignature
        ));
        assert!(matches!(
            check(&Secret::new("wrong"), Some(&v.ts), Some(&v.sig), body),
            SlackWebhookError::BadSignature
        ));
        // The timestamp is signed: shifting it by one second breaks the signature.
        let shifted = (now + 1).to_string();
        assert!(matches!(
            verify(&v.secret, Some(&shifted), Some(&v.sig), body, now),
            Err(SlackWebhookError::BadSignature)
        ));
        assert!(matches!(
            check(&v.secret, None, Some(&v.sig), body),
            SlackWebhookError::MissingHeader(TIMESTAMP_HEADER)
        ));
        assert!(matches!(
            check(&v.secret, Some(&v.ts), None, body),
            SlackWebhookError::MissingHeader(SIGNATURE_HEADER)
        ));
        assert!(matches!(
            check(&v.secret, Some("soon"), Some(&v.sig), body),
            SlackWebhookError::BadTimestamp { .. }
        ));
        assert!(matches!(
            check(&v.secret, Some(&v.ts), Some("v1=abcd"), body),
            SlackWebhookError::MalformedSignature
        ));
        assert!(matches!(
            check(&v.secret, Some(&v.ts), Some("v0=zz"), body),
            SlackWebhookError::MalformedSignature
        ));
    }

    #[test]
    fn url_verification_parsed_and_answered() {
        let ev = parse_event(fixture("slack/url_verification.docs.json").as_bytes()).unwrap();
        let challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P";
        assert_eq!(
            ev,
            SlackEvent::UrlVerification {
                challenge: challenge.into()
            }
        );
        assert_eq!(url_verification_response(challenge)["challenge"], challenge);
    }

    #[test]
    fn app_mention_parsed() {
        let body =
            fixture("slack/event_callback.app_mention.docs.MODIFIED-trailing-comma-removed.json");
        let SlackEvent::AppMention(m) = parse_event(body.as_bytes()).unwrap() else {
            panic!("not an app mention");
        };
        assert_eq!(m.channel, "C123ABC456");
        assert_eq!(m.user, "U061F7AUR");
        assert_eq!(m.text, "<@U0LAN0Z89> is it everything a river should be?");
        assert_eq!(m.reply_thread_ts(), "1515449522.000016");
        assert_eq!(m.event_id.as_deref(), Some("Ev123ABC456"));
        assert_eq!(m.team_id.as_deref(), Some("T123ABC456"));

        let mut v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["event"]["thread_ts"] = "1515449000.000001".into();
        let SlackEvent::AppMention(m) = parse_event(&serde_json::to_vec(&v).unwrap()).unwrap()
        else {
            panic!("not an app mention");
        };
        assert_eq!(m.reply_thread_ts(), "1515449000.000001");

        v["event"]["type"] = "message".into();
        assert_eq!(
            parse_event(&serde_json::to_vec(&v).unwrap()).unwrap(),
            SlackEvent::Other {
                kind: "message".into()
            }
        );
        assert!(matches!(
            parse_event(b"[]"),
            Err(SlackWebhookError::Json(_))
        ));
    }

    #[test]
    fn slash_commands_parsed() {
        let docs =
            parse_slash_command(fixture("slack/slash_command.docs.form-body.txt").as_bytes())
                .unwrap();
        assert_eq!(docs.command, "/weather");
        assert_eq!(docs.text, "94070");
        assert_eq!(docs.user_id, "U2147483697");
        assert_eq!(docs.channel_id, "C2147483705");
        assert_eq!(
            docs.response_url.as_deref(),
            Some("https://hooks.slack.com/commands/1234/5678")
        );
        let signed = parse_slash_command(v_body().as_bytes()).unwrap();
        assert_eq!(signed.command, "/webhook-collect");
        assert_eq!(signed.text, "");
        assert_eq!(signed.user_name.as_deref(), Some("roadrunner"));
        assert_eq!(
            signed.response_url.as_deref(),
            Some(
                "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN"
            )
        );
        // Pluses and percent-escapes decode as a browser form would.
        let c = parse_slash_command(
            b"command=%2Fbattbot&text=simulate+DFN+%22Discharge+at+1C+until+2.5+V%22&user_id=U1&channel_id=C1",
        )
        .unwrap();
        assert_eq!(c.text, "simulate DFN \"Discharge at 1C until 2.5 V\"");
        assert_eq!(
            c.parser_text(),
            "/battbot simulate DFN \"Discharge at 1C until 2.5 V\""
        );
        assert!(matches!(
            parse_slash_command(b"text=hi&user_id=U1&channel_id=C1"),
            Err(SlackWebhookError::MissingField { field: "command" })
        ));
    }

    fn v_body() -> String {
        fixture("slack/slash_command.signing-example.form-body.txt")
    }
}
