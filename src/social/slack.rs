//! Slack Web API client: threaded messages and file uploads (getUploadURLExternal →
//! upload → completeUploadExternal), with `ok:false` and 429 mapped to typed errors.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::Url;
use serde::Deserialize;

use super::Secret;

#[derive(Clone, Debug)]
pub struct SlackConfig {
    /// `https://slack.com/api/` in production.
    pub api_base: Url,
    pub request_timeout: Duration,
}

impl Default for SlackConfig {
    fn default() -> Self {
        SlackConfig {
            api_base: Url::parse("https://slack.com/api/").unwrap_or_else(|_| unreachable!()),
            request_timeout: Duration::from_secs(60),
        }
    }
}

impl SlackConfig {
    /// The Web API aimed at another server (a wiremock or a local fake); `base` is the
    /// prefix before method names, e.g. `http://127.0.0.1:9000/api/`.
    pub fn with_base(base: &str) -> Result<Self, SlackError> {
        let mut url = Url::parse(base).map_err(|e| SlackError::BadUrl {
            url: base.to_owned(),
            reason: e.to_string(),
        })?;
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(SlackConfig {
            api_base: url,
            ..SlackConfig::default()
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    /// HTTP 429: wait `retry_after_secs` (from `Retry-After`) before calling again. The
    /// client never retries by itself.
    #[error("rate limited by Slack on {method}; retry after {}", retry_after_secs.map_or("an unknown time".to_owned(), |s| format!("{s} s")))]
    RateLimited {
        method: &'static str,
        retry_after_secs: Option<u64>,
    },
    /// `{"ok": false, "error": "…"}`.
    #[error("Slack {method} failed: {error}")]
    Api { method: &'static str, error: String },
    #[error("Slack {method} answered HTTP {status}: {body}")]
    Status {
        method: &'static str,
        status: u16,
        body: String,
    },
    #[error("request to Slack {method} failed: {source}")]
    Http {
        method: &'static str,
        #[source]
        source: reqwest::Error,
    },
    #[error("unexpected response from Slack {method}: {detail}")]
    Unexpected {
        method: &'static str,
        detail: String,
    },
    #[error("bad Slack base URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
}

impl SlackError {
    /// Whether Slack is rejecting the bot's token or workspace rather than one request:
    /// what `/readyz` reports.
    pub fn is_account_problem(&self) -> bool {
        match self {
            SlackError::Api { error, .. } => matches!(
                error.as_str(),
                "not_authed"
                    | "invalid_auth"
                    | "account_inactive"
                    | "token_revoked"
                    | "token_expired"
                    | "no_permission"
                    | "missing_scope"
                    | "team_access_not_granted"
                    | "ekm_access_denied"
            ),
            SlackError::Status { status, .. } => *status == 401 || *status == 403,
            _ => false,
        }
    }
}

/// A concrete Slack client authenticated with the bot token (`xoxb-…`).
#[derive(Debug, Clone)]
pub struct SlackClient {
    http: reqwest::Client,
    token: Secret,
    config: SlackConfig,
}

/// A file that was shared into a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    pub file_id: String,
}

impl SlackClient {
    pub fn new(token: Secret, config: SlackConfig) -> Result<Self, SlackError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .user_agent("battbot")
            .build()
            .map_err(|source| SlackError::Http {
                method: "client setup",
                source,
            })?;
        Ok(SlackClient {
            http,
            token,
            config,
        })
    }

    /// `chat.postMessage`, in `thread_ts`'s thread when given; returns the message `ts`.
    pub async fn post_message(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        text: &str,
    ) -> Result<String, SlackError> {
        const M: &str = "chat.postMessage";
        let mut body = serde_json::json!({ "channel": channel, "text": text });
        if let Some(ts) = thread_ts {
            body["thread_ts"] = ts.into();
        }
        let req = self.authed(M)?.json(&body);
        let resp: PostMessage = self.call(req, M).await?;
        Ok(resp.ts)
    }

    /// Shares `bytes` as `filename` into `channel` (in `thread_ts`'s thread when given):
    /// `files.getUploadURLExternal`, a POST of the bytes to the returned `upload_url`
    /// (without the bot token), then `files.completeUploadExternal`.
    pub async fn upload_file(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        filename: &str,
        bytes: &[u8],
        title: &str,
    ) -> Result<UploadedFile, SlackError> {
        const GET_URL: &str = "files.getUploadURLExternal";
        const UPLOAD: &str = "upload_url";
        const COMPLETE: &str = "files.completeUploadExternal";
        let length = bytes.len().to_string();
        let req = self
            .authed(GET_URL)?
            .form(&[("filename", filename), ("length", length.as_str())]);
        let target: UploadTarget = self.call(req, GET_URL).await?;
        let upload_url = Url::parse(&target.upload_url).map_err(|e| SlackError::Unexpected {
            method: GET_URL,
            detail: format!("upload_url is not a URL: {e}"),
        })?;

        let resp = crate::outbound::send(
            self.http
                .post(upload_url)
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(bytes.to_vec()),
        )
        .await
        .map_err(|source| SlackError::Http {
            method: UPLOAD,
            source,
        })?;
        let status = resp.status();
        if !status.is_success() {
            let retry = retry_after(&resp);
            let body = resp.text().await.unwrap_or_default();
            return Err(status_error(UPLOAD, status, retry, &body));
        }

        let files = serde_json::json!([{ "id": target.file_id, "title": title }]).to_string();
        let mut form = vec![("files", files.as_str()), ("channel_id", channel)];
        if let Some(ts) = thread_ts {
            form.push(("thread_ts", ts));
        }
        let req = self.authed(COMPLETE)?.form(&form);
        let _: serde_json::Value = self.call(req, COMPLETE).await?;
        Ok(UploadedFile {
            file_id: target.file_id,
        })
    }

    fn authed(&self, method: &'static str) -> Result<reqwest::RequestBuilder, SlackError> {
        let url = self
            .config
            .api_base
            .join(method)
            .map_err(|e| SlackError::Unexpected {
                method,
                detail: format!("cannot build the method URL: {e}"),
            })?;
        Ok(self.http.post(url).bearer_auth(self.token.expose()))
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
        method: &'static str,
    ) -> Result<T, SlackError> {
        let resp = crate::outbound::send(req)
            .await
            .map_err(|source| SlackError::Http { method, source })?;
        let status = resp.status();
        let retry = retry_after(&resp);
        let body = resp
            .bytes()
            .await
            .map_err(|source| SlackError::Http { method, source })?;
        if !status.is_success() {
            return Err(status_error(
                method,
                status,
                retry,
                &String::from_utf8_lossy(&body),
            ));
        }
        let envelope: Envelope =
            serde_json::from_slice(&body).map_err(|e| SlackError::Unexpected {
                method,
                detail: format!("{e}"),
            })?;
        if !envelope.ok {
            return Err(SlackError::Api {
                method,
                error: envelope.error.unwrap_or_else(|| "unknown_error".into()),
            });
        }
        serde_json::from_slice(&body).map_err(|e| SlackError::Unexpected {
            method,
            detail: format!("{e}"),
        })
    }
}

fn retry_after(resp: &reqwest::Response) -> Option<u64> {
    resp.headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

fn status_error(
    method: &'static str,
    status: StatusCode,
    retry_after_secs: Option<u64>,
    body: &str,
) -> SlackError {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return SlackError::RateLimited {
            method,
            retry_after_secs,
        };
    }
    SlackError::Status {
        method,
        status: status.as_u16(),
        body: body.chars().take(200).collect(),
    }
}

#[derive(Deserialize)]
struct Envelope {
    ok: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PostMessage {
    ts: String,
}

#[derive(Deserialize)]
struct UploadTarget {
    upload_url: String,
    file_id: String,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::social::test_support::{strict_server, within};
    use wiremock::matchers::{body_partial_json, body_string, header, method, path};
    use wiremock::{Mock, MockServer, Request, ResponseTemplate};

    pub(crate) const TOKEN: &str = "xoxb-SECRET-bot-token";

    fn client(server: &MockServer) -> SlackClient {
        SlackClient::new(
            Secret::new(TOKEN),
            SlackConfig::with_base(&format!("{}/api", server.uri())).unwrap(),
        )
        .unwrap()
    }

    fn form(req: &Request) -> Vec<(String, String)> {
        form_urlencoded::parse(&req.body).into_owned().collect()
    }

    fn form_is(expected: Vec<(&'static str, String)>) -> impl Fn(&Request) -> bool + Send + Sync {
        move |req: &Request| {
            let mut got = form(req);
            got.sort();
            let mut want: Vec<(String, String)> = expected
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect();
            want.sort();
            got == want
        }
    }

    #[tokio::test]
    async fn threaded_reply_then_file_upload_sequence() {
        within(async {
            let server = strict_server().await;
            let auth = || header("authorization", format!("Bearer {TOKEN}").as_str());
            let thread = "1515449522.000016";
            Mock::given(method("POST")).and(path("/api/chat.postMessage")).and(auth())
                .and(body_partial_json(serde_json::json!({
                    "channel": "C123ABC456", "thread_ts": thread, "text": "Running DFN Chen2020…"})))
                .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                    "ok": true, "channel": "C123ABC456", "ts": "1515449530.000100",
                    "message": {"text": "Running DFN Chen2020…"}})))
                .expect(1).mount(&server).await;
            let gif = b"GIF89a-not-really-a-gif".to_vec();
            Mock::given(method("POST")).and(path("/api/files.getUploadURLExternal")).and(auth())
                .and(form_is(vec![("filename", "dfn.gif".into()), ("length", gif.len().to_string())]))
                .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                    "ok": true, "upload_url": format!("{}/upload/v1/ABC123", server.uri()),
                    "file_id": "F0123ABCD"})))
                .expect(1).mount(&server).await;
            Mock::given(method("POST")).and(path("/upload/v1/ABC123"))
                .and(body_string(String::from_utf8(gif.clone()).unwrap()))
                .and(|req: &Request| !req.headers.contains_key("authorization"))
                .respond_with(ResponseTemplate::new(200).set_body_string("OK - 23"))
                .expect(1).mount(&server).await;
            Mock::given(method("POST")).and(path("/api/files.completeUploadExternal")).and(auth())
                .and(form_is(vec![
                    ("files", r#"[{"id":"F0123ABCD","title":"DFN Chen2020"}]"#.into()),
                    ("channel_id", "C123ABC456".into()),
                    ("thread_ts", thread.into()),
                ]))
                .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                    "ok": true, "files": [{"id": "F0123ABCD", "title": "DFN Chen2020"}]})))
                .expect(1).mount(&server).await;

            let c = client(&server);
            let ts = c.post_message("C123ABC456", Some(thread), "Running DFN Chen2020…").await.unwrap();
            assert_eq!(ts, "1515449530.000100");
            let up = c.upload_file("C123ABC456", Some(thread), "dfn.gif", &gif, "DFN Chen2020").await.unwrap();
            assert_eq!(up.file_id, "F0123ABCD");
            let order: Vec<String> = server.received_requests().await.unwrap()
                .iter().map(|r| r.url.path().to_owned()).collect();
            assert_eq!(order, [
                "/api/chat.postMessage",
                "/api/files.getUploadURLExternal",
                "/upload/v1/ABC123",
                "/api/files.completeUploadExternal",
            ]);
        })
        .await;
    }

    #[tokio::test]
    async fn ok_false_and_429_are_errors() {
        within(async {
            let server = strict_server().await;
            Mock::given(method("POST"))
                .and(path("/api/chat.postMessage"))
                .and(body_partial_json(serde_json::json!({"channel": "C-gone"})))
                .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                    "ok": false, "error": "channel_not_found"})))
                .expect(1)
                .mount(&server)
                .await;
            Mock::given(method("POST"))
                .and(path("/api/chat.postMessage"))
                .and(body_partial_json(serde_json::json!({"channel": "C-busy"})))
                .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "30"))
                .expect(1)
                .mount(&server)
                .await;
            Mock::given(method("POST"))
                .and(path("/api/chat.postMessage"))
                .and(body_partial_json(
                    serde_json::json!({"channel": "C-revoked"}),
                ))
                .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                    "ok": false, "error": "token_revoked"})))
                .expect(1)
                .mount(&server)
                .await;
            let c = client(&server);
            let e = c.post_message("C-gone", None, "hi").await.unwrap_err();
            assert!(
                matches!(&e, SlackError::Api { error, .. } if error == "channel_not_found"),
                "{e}"
            );
            assert!(!e.is_account_problem());
            let e = c.post_message("C-busy", None, "hi").await.unwrap_err();
            assert!(
                matches!(
                    e,
                    SlackError::RateLimited {
                        retry_after_secs: Some(30),
                        ..
                    }
                ),
                "{e}"
            );
            let e = c.post_message("C-revoked", None, "hi").await.unwrap_err();
            assert!(e.is_account_problem(), "{e}");
        })
        .await;
    }
}
