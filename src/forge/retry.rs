//! One retry policy for every forge call: per-attempt timeouts, backoff honouring
//! `Retry-After` and the rate-limit headers, and no blind repetition of calls that may
//! already have taken effect (those are checked first, see [`RetryPolicy::checked`]).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::HeaderMap;

use super::ForgeError;
use crate::outbound::{OutboundStats, Outcome};

/// A response as the policy sees it: status, headers and the whole body.
#[derive(Clone, Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl RawResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text (lossy), for error messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        url: &str,
    ) -> Result<T, ForgeError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            ForgeError::Other(format!("{method} {url}: unexpected response body: {e}"))
        })
    }

    /// `ForgeError::Http` describing this response.
    pub fn error(&self, method: &str, url: &str) -> ForgeError {
        let mut body = self.text();
        body.truncate(2000);
        ForgeError::Http {
            method: method.to_string(),
            url: url.to_string(),
            status: self.status,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Waits between attempts; injectable so tests never sleep for real.
#[async_trait]
pub trait Sleeper: Send + Sync {
    async fn sleep(&self, duration: Duration);
}

/// Sleeps with tokio.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

#[async_trait]
impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// What a caller asks of the retries made on its behalf (the reply path: keep its claim
/// alive through every wait, and look again before every re-send of a reply).
#[async_trait]
pub trait ResendGuard: Send + Sync {
    /// Called before waiting `wait` between two attempts (e.g. extend a claim past it).
    async fn before_wait(&self, wait: Duration) -> Result<(), ForgeError>;
    /// Called before a non-idempotent call is sent again; an error (e.g.
    /// `ForgeError::Superseded`) abandons the call with that error.
    async fn before_resend(&self) -> Result<(), ForgeError>;
}

tokio::task_local! {
    static GUARD: Option<Arc<dyn ResendGuard>>;
}

/// Runs `fut` with `guard` consulted by every retry inside it (any forge, any platform).
pub async fn guarded<F: Future>(guard: Arc<dyn ResendGuard>, fut: F) -> F::Output {
    GUARD.scope(Some(guard), fut).await
}

/// The guard of the current task, if any.
fn current_guard() -> Option<Arc<dyn ResendGuard>> {
    GUARD.try_with(|g| g.clone()).ok().flatten()
}

/// Asks the current guard before a wait; the guard's own calls run unguarded.
pub async fn guard_wait(wait: Duration) -> Result<(), ForgeError> {
    match current_guard() {
        Some(g) => {
            GUARD
                .scope(None, async move { g.before_wait(wait).await })
                .await
        }
        None => Ok(()),
    }
}

/// Asks the current guard before a re-send; the guard's own calls run unguarded.
pub async fn guard_resend() -> Result<(), ForgeError> {
    match current_guard() {
        Some(g) => {
            GUARD
                .scope(None, async move { g.before_resend().await })
                .await
        }
        None => Ok(()),
    }
}

/// Whether repeating a call that may have taken effect is harmless.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Safety {
    /// GET, PUT, DELETE, and POSTs whose result is content-addressed (git blobs, trees).
    Idempotent,
    /// Repeated only when the server certainly did not act (rate limits); other failures
    /// are returned, to be checked by [`RetryPolicy::checked`].
    NotIdempotent,
}

/// What a response means for the retry loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// An answer (success or a definitive error) to hand to the caller.
    Done,
    /// A rate limit: the request was not processed; wait this long.
    RateLimited { wait: Duration },
    /// A server-side failure; the request may or may not have been processed.
    Transient,
}

/// Unix seconds now; injectable for `x-ratelimit-reset` arithmetic.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Timeouts, attempts and waits for forge calls.
#[derive(Clone)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// Timeout of one attempt (connect + response + body).
    pub timeout: Duration,
    /// First backoff after a transient failure; doubles each attempt.
    pub base_backoff: Duration,
    /// Cap of the exponential backoff.
    pub max_backoff: Duration,
    /// Longest rate-limit wait the policy sleeps through; longer ones fail with
    /// `ForgeError::RateLimited` so the caller can reschedule.
    pub max_wait: Duration,
    /// Wait after a secondary rate limit that names no time (GitHub: at least a minute).
    pub secondary_wait: Duration,
    pub sleeper: Arc<dyn Sleeper>,
    pub clock: Clock,
    /// Where calls, retries and rate-limit waits are counted (`/metrics`).
    pub stats: Arc<OutboundStats>,
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("timeout", &self.timeout)
            .field("base_backoff", &self.base_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("max_wait", &self.max_wait)
            .finish_non_exhaustive()
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            timeout: Duration::from_secs(30),
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_wait: Duration::from_secs(120),
            secondary_wait: Duration::from_secs(60),
            sleeper: Arc::new(TokioSleeper),
            clock: Arc::new(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0)
            }),
            stats: OutboundStats::global(),
        }
    }
}

/// Whether a failed call may nevertheless have taken effect on the server
/// (no answer, or a 5xx): such calls are checked before being repeated.
pub fn may_have_applied(error: &ForgeError) -> bool {
    match error {
        ForgeError::Http { status, .. } => *status >= 500,
        ForgeError::Other(_) => true,
        _ => false,
    }
}

fn seconds(value: Option<&str>) -> Option<u64> {
    value.and_then(|v| v.trim().parse::<u64>().ok())
}

impl RetryPolicy {
    /// Classifies a response: GitHub primary limits (403/429 with `x-ratelimit-remaining: 0`,
    /// waiting until `x-ratelimit-reset`), secondary limits (403/429 with `Retry-After` or a
    /// message naming the limit), GitLab's 429 (`Retry-After`, `RateLimit-Reset`), and 5xx.
    pub fn classify(&self, resp: &RawResponse) -> Verdict {
        let status = resp.status;
        if status < 400 {
            return Verdict::Done;
        }
        if status == 403 || status == 429 {
            let retry_after = seconds(resp.header("retry-after"));
            let remaining = resp
                .header("x-ratelimit-remaining")
                .or_else(|| resp.header("ratelimit-remaining"))
                .map(str::trim);
            let reset = resp
                .header("x-ratelimit-reset")
                .or_else(|| resp.header("ratelimit-reset"))
                .and_then(|v| v.trim().parse::<i64>().ok());
            let text = resp.text().to_ascii_lowercase();
            let names_limit = text.contains("rate limit") || text.contains("abuse detection");
            let primary = remaining == Some("0");
            if status == 429 || primary || retry_after.is_some() || names_limit {
                let wait = if let Some(s) = retry_after {
                    Duration::from_secs(s)
                } else if let (true, Some(reset)) = (primary, reset) {
                    // One second of margin: the window resets at the start of that second.
                    Duration::from_secs((reset - (self.clock)()).max(0) as u64 + 1)
                } else if status == 429 {
                    self.base_backoff
                } else {
                    self.secondary_wait
                };
                return Verdict::RateLimited { wait };
            }
            return Verdict::Done;
        }
        if status >= 500 {
            return Verdict::Transient;
        }
        Verdict::Done
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(16);
        (self.base_backoff * factor).min(self.max_backoff)
    }

    /// Runs `call` until it yields an answer: rate limits are waited out (the server did not
    /// act) unless the wait exceeds `max_wait`; timeouts, transport errors and 5xx are retried
    /// with backoff only for `Safety::Idempotent` calls. The final response may be a 4xx:
    /// mapping it is the caller's business.
    pub async fn send<F, Fut>(
        &self,
        method: &str,
        url: &str,
        safety: Safety,
        mut call: F,
    ) -> Result<RawResponse, ForgeError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<RawResponse, String>>,
    {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if attempt > 1 && safety == Safety::NotIdempotent {
                guard_resend().await?;
            }
            let answer = tokio::time::timeout(self.timeout, call()).await;
            self.stats.record_call(
                url,
                match &answer {
                    Ok(Ok(resp)) => Outcome::Status(resp.status),
                    Ok(Err(_)) => Outcome::Error,
                    Err(_) => Outcome::Timeout,
                },
            );
            let failure = match answer {
                Ok(Ok(resp)) => match self.classify(&resp) {
                    Verdict::Done => return Ok(resp),
                    Verdict::RateLimited { wait } => {
                        if wait > self.max_wait || attempt >= self.max_attempts {
                            return Err(ForgeError::RateLimited {
                                retry_after_s: wait.as_secs_f64().ceil() as u64,
                            });
                        }
                        self.stats.record_rate_limit_wait(wait);
                        guard_wait(wait).await?;
                        self.sleeper.sleep(wait).await;
                        continue;
                    }
                    Verdict::Transient => {
                        let wait = seconds(resp.header("retry-after")).map(Duration::from_secs);
                        (resp.error(method, url), wait)
                    }
                },
                Ok(Err(message)) => (
                    ForgeError::Other(format!("{method} {url}: no response: {message}")),
                    None,
                ),
                Err(_) => (
                    ForgeError::Other(format!(
                        "{method} {url}: no response within {:?}",
                        self.timeout
                    )),
                    None,
                ),
            };
            let (error, wait) = failure;
            if safety == Safety::NotIdempotent || attempt >= self.max_attempts {
                return Err(error);
            }
            let wait = wait.unwrap_or_else(|| self.backoff(attempt));
            if wait > self.max_wait {
                return Err(error);
            }
            self.stats.record_retry();
            guard_wait(wait).await?;
            self.sleeper.sleep(wait).await;
        }
    }

    /// Runs a non-idempotent operation: when it fails in a way that may have taken effect
    /// (see [`may_have_applied`]), `check` asks the forge whether it did; only if it did not
    /// is the operation tried again. Definitive failures are returned at once.
    pub async fn checked<T, F, Fut, C, CFut>(
        &self,
        mut call: F,
        mut check: C,
    ) -> Result<T, ForgeError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ForgeError>>,
        C: FnMut() -> CFut,
        CFut: Future<Output = Result<Option<T>, ForgeError>>,
    {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            match call().await {
                Ok(v) => return Ok(v),
                Err(e) if may_have_applied(&e) => {
                    if let Some(v) = check().await? {
                        return Ok(v);
                    }
                    if attempt >= self.max_attempts {
                        return Err(e);
                    }
                    self.stats.record_retry();
                    guard_wait(self.backoff(attempt)).await?;
                    self.sleeper.sleep(self.backoff(attempt)).await;
                    guard_resend().await?;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Duration>>);

    #[async_trait]
    impl Sleeper for Recorder {
        async fn sleep(&self, d: Duration) {
            self.0.lock().unwrap().push(d);
        }
    }

    fn policy(rec: Arc<Recorder>) -> RetryPolicy {
        RetryPolicy {
            sleeper: rec,
            clock: Arc::new(|| 1_000),
            ..RetryPolicy::default()
        }
    }

    fn resp(status: u16, headers: &[(&'static str, &str)], body: &str) -> RawResponse {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, v.parse().unwrap());
        }
        RawResponse {
            status,
            headers: map,
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn classification_follows_the_headers() {
        let p = policy(Arc::default());
        let primary = resp(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1010"),
            ],
            "{}",
        );
        assert_eq!(
            p.classify(&primary),
            Verdict::RateLimited {
                wait: Duration::from_secs(11)
            }
        );
        let secondary = resp(403, &[("retry-after", "60")], "{}");
        assert_eq!(
            p.classify(&secondary),
            Verdict::RateLimited {
                wait: Duration::from_secs(60)
            }
        );
        let named = resp(
            403,
            &[],
            r#"{"message":"You have exceeded a secondary rate limit"}"#,
        );
        assert_eq!(
            p.classify(&named),
            Verdict::RateLimited {
                wait: p.secondary_wait
            }
        );
        // A plain permission 403 is an answer, not a limit.
        let denied = resp(403, &[("x-ratelimit-remaining", "4999")], "{}");
        assert_eq!(p.classify(&denied), Verdict::Done);
        assert_eq!(p.classify(&resp(502, &[], "")), Verdict::Transient);
        assert_eq!(p.classify(&resp(422, &[], "")), Verdict::Done);
        // A reset in the past waits the one-second margin only.
        let past = resp(
            429,
            &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "5")],
            "",
        );
        assert_eq!(
            p.classify(&past),
            Verdict::RateLimited {
                wait: Duration::from_secs(1)
            }
        );
    }

    #[tokio::test]
    async fn non_idempotent_5xx_is_not_repeated() {
        let rec = Arc::new(Recorder::default());
        let p = policy(rec.clone());
        let calls = Mutex::new(0);
        let r = p
            .send("POST", "/x", Safety::NotIdempotent, || {
                *calls.lock().unwrap() += 1;
                async { Ok(resp(502, &[], "bad gateway")) }
            })
            .await;
        assert!(matches!(r, Err(ForgeError::Http { status: 502, .. })));
        assert_eq!(*calls.lock().unwrap(), 1);
        assert!(rec.0.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn idempotent_5xx_backs_off_then_succeeds() {
        let rec = Arc::new(Recorder::default());
        let p = policy(rec.clone());
        let calls = Mutex::new(0);
        let r = p
            .send("GET", "/x", Safety::Idempotent, || {
                let n = {
                    let mut c = calls.lock().unwrap();
                    *c += 1;
                    *c
                };
                async move {
                    if n < 3 {
                        Ok(resp(503, &[], ""))
                    } else {
                        Ok(resp(200, &[], "ok"))
                    }
                }
            })
            .await
            .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(
            *rec.0.lock().unwrap(),
            vec![Duration::from_millis(500), Duration::from_millis(1000)]
        );
    }

    #[tokio::test]
    async fn too_long_a_wait_is_rate_limited() {
        let rec = Arc::new(Recorder::default());
        let mut p = policy(rec.clone());
        p.max_wait = Duration::from_secs(30);
        let r = p
            .send("GET", "/x", Safety::Idempotent, || async {
                Ok(resp(403, &[("retry-after", "60")], "{}"))
            })
            .await;
        assert!(matches!(
            r,
            Err(ForgeError::RateLimited { retry_after_s: 60 })
        ));
        assert!(rec.0.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn checked_asks_before_repeating() {
        let rec = Arc::new(Recorder::default());
        let p = policy(rec);
        let calls = Mutex::new(0);
        let checks = Mutex::new(0);
        let r: Result<u32, _> = p
            .checked(
                || {
                    *calls.lock().unwrap() += 1;
                    async { Err(ForgeError::Other("connection reset".into())) }
                },
                || {
                    *checks.lock().unwrap() += 1;
                    async { Ok(Some(7)) }
                },
            )
            .await;
        assert_eq!(r.unwrap(), 7);
        assert_eq!((*calls.lock().unwrap(), *checks.lock().unwrap()), (1, 1));
        // A definitive answer is never checked nor repeated.
        let r: Result<u32, _> = p
            .checked(
                || async { Err(ForgeError::BranchExists { branch: "b".into() }) },
                || async { panic!("must not check") },
            )
            .await;
        assert!(matches!(r, Err(ForgeError::BranchExists { .. })));
    }
}
