//! Claims on the state branch: before posting a reply, a delivery claims it with a
//! compare-and-swap commit of `claims/<platform>/<thread>/<key>.json` (owner + expiry), so
//! two deliveries, two replicas or a retry after a timeout never both post. A live owner
//! renews its claim before every wait; a claim that is not renewed expires. A claim lives
//! only while its reply is in flight: it is removed once the reply is posted (the reply's
//! marker answers every later delivery) or its post failed, so the state branch holds the
//! replies being posted now, not every reply ever made.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::forge::{FileChange, ForgeError, Thread, STATE_BRANCH};

use super::App;

/// How long a claim holds without renewal: three 30 s attempt timeouts. A delivery renews
/// it before every wait, so a legitimate wait never outlasts it.
pub const CLAIM_TTL_S: i64 = 90;

/// Compare-and-swap rounds before giving up (the state branch is busy: each round one of
/// the concurrent writers wins, the others back off with jitter and read again).
const CAS_ROUNDS: u32 = 64;

/// What a claim file holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimFile {
    pub key: String,
    /// The delivery that owns the reply (a token unique to one `reply_once` call).
    pub owner: String,
    /// Unix seconds after which another delivery may take the claim over.
    pub expires_at: i64,
    /// `claimed` (the only state written; other values are read as expired claims).
    pub state: String,
}

/// The outcome of claiming a reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Acquired {
    /// This delivery owns the reply; `taken_over` when it took an expired or released claim
    /// (whose owner may have posted: the conversation is searched again).
    Mine { taken_over: bool },
    /// Another live delivery owns it until `expires_at`.
    Held { expires_at: i64 },
    /// The reports forge cannot compare-and-swap: the conversation's markers alone decide.
    Unsupported,
}

/// One delivery's claim on one reply.
pub struct Claim {
    app: App,
    path: String,
    key: String,
    owner: String,
}

/// A token unique to this process and call: owners never collide across deliveries.
pub fn owner_token() -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let seed = format!(
        "{}:{nanos}:{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    );
    hex::encode(&Sha256::digest(seed.as_bytes())[..8])
}

/// Where the claim of reply `key` in `thread` lives: one directory per thread (bounded by
/// the replies of one conversation), the key as a safe file name.
pub fn claim_path(platform: &str, thread: &Thread, key: &str) -> String {
    let digest = Sha256::digest(format!("{platform}\n{}\n{}", thread.repo, thread.number));
    let mut name: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if name.len() > 100 || name.is_empty() {
        name = hex::encode(&Sha256::digest(key.as_bytes())[..16]);
    }
    format!(
        "claims/{platform}/{}/{name}.json",
        hex::encode(&digest[..8])
    )
}

impl Claim {
    pub fn new(app: &App, platform: &str, thread: &Thread, key: &str) -> Claim {
        Claim {
            app: app.clone(),
            path: claim_path(platform, thread, key),
            key: key.to_string(),
            owner: owner_token(),
        }
    }

    fn now(&self) -> i64 {
        self.app.clock.now().unix_timestamp()
    }

    /// Claims the reply unless a live delivery holds it.
    pub async fn acquire(&self) -> Result<Acquired, ForgeError> {
        let expires_at = self.now() + CLAIM_TTL_S;
        self.swap(|cur| match cur {
            Some(c) if c.owner != self.owner && c.expires_at > self.now() => Err(Acquired::Held {
                expires_at: c.expires_at,
            }),
            _ => Ok(self.file(expires_at)),
        })
        .await
    }

    /// Extends the claim past a wait of `wait`; `Superseded` if another delivery took it.
    pub async fn renew(&self, wait: Duration) -> Result<(), ForgeError> {
        let expires_at = self.now() + wait.as_secs() as i64 + 1 + CLAIM_TTL_S;
        self.keep(expires_at).await
    }

    /// Gives the claim up at once (the post failed): the next delivery may reply.
    pub async fn release(&self) -> Result<(), ForgeError> {
        self.remove().await
    }

    /// Removes the claim file if this delivery still owns it (after its reply is posted, or
    /// its post failed); a claim another delivery took over is left to that one.
    pub async fn remove(&self) -> Result<(), ForgeError> {
        let forge = &self.app.forges.reports;
        let repo = &self.app.config.reports.repo;
        for round in 0..CAS_ROUNDS {
            if round > 0 {
                tokio::time::sleep(self.backoff(round)).await;
            }
            let tip = forge.branch_tip(repo, STATE_BRANCH).await?;
            match self.read().await? {
                Some(c) if c.owner == self.owner => {}
                _ => return Ok(()),
            }
            let message = format!("reply {} done", self.key);
            match forge
                .commit_files_cas(
                    repo,
                    STATE_BRANCH,
                    &[],
                    std::slice::from_ref(&self.path),
                    &message,
                    tip.as_deref(),
                )
                .await
            {
                Ok(_) | Err(ForgeError::Unsupported(_)) => return Ok(()),
                Err(ForgeError::Conflict { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(ForgeError::Other(format!(
            "claim {}: the state branch kept moving ({CAS_ROUNDS} rounds)",
            self.path
        )))
    }

    /// Whether this delivery still owns the claim.
    pub async fn still_mine(&self) -> Result<bool, ForgeError> {
        Ok(match self.read().await? {
            Some(c) => c.owner == self.owner,
            None => true,
        })
    }

    async fn keep(&self, expires_at: i64) -> Result<(), ForgeError> {
        let r = self
            .swap(|cur| match cur {
                Some(c) if c.owner != self.owner && c.expires_at > self.now() => {
                    Err(Acquired::Held {
                        expires_at: c.expires_at,
                    })
                }
                _ => Ok(self.file(expires_at)),
            })
            .await?;
        match r {
            Acquired::Mine { .. } | Acquired::Unsupported => Ok(()),
            Acquired::Held { .. } => Err(ForgeError::Superseded(self.key.clone())),
        }
    }

    fn file(&self, expires_at: i64) -> ClaimFile {
        ClaimFile {
            key: self.key.clone(),
            owner: self.owner.clone(),
            expires_at,
            state: "claimed".into(),
        }
    }

    async fn read(&self) -> Result<Option<ClaimFile>, ForgeError> {
        Ok(self
            .app
            .read_state(&self.path)
            .await?
            .and_then(|b| serde_json::from_slice(&b).ok()))
    }

    /// Reads the tip and the claim, decides, and commits the new claim only if the state
    /// branch did not move meanwhile; a moved branch is read again.
    async fn swap(
        &self,
        decide: impl Fn(Option<&ClaimFile>) -> Result<ClaimFile, Acquired>,
    ) -> Result<Acquired, ForgeError> {
        let forge = &self.app.forges.reports;
        let repo = &self.app.config.reports.repo;
        for round in 0..CAS_ROUNDS {
            if round > 0 {
                tokio::time::sleep(self.backoff(round)).await;
            }
            let tip = forge.branch_tip(repo, STATE_BRANCH).await?;
            let cur = self.read().await?;
            let next = match decide(cur.as_ref()) {
                Ok(next) => next,
                Err(verdict) => return Ok(verdict),
            };
            let taken_over = cur.as_ref().is_some_and(|c| c.owner != self.owner);
            if cur.as_ref() == Some(&next) {
                return Ok(Acquired::Mine { taken_over });
            }
            let bytes = serde_json::to_vec_pretty(&next)
                .map_err(|e| ForgeError::Other(format!("claim {}: {e}", self.path)))?;
            let message = format!("claim {} until {}", self.key, next.expires_at);
            match forge
                .commit_files_cas(
                    repo,
                    STATE_BRANCH,
                    &[FileChange::new(&self.path, bytes)],
                    &[],
                    &message,
                    tip.as_deref(),
                )
                .await
            {
                Ok(_) => return Ok(Acquired::Mine { taken_over }),
                Err(ForgeError::Conflict { .. }) => continue,
                Err(ForgeError::Unsupported(_)) => return Ok(Acquired::Unsupported),
                Err(e) => return Err(e),
            }
        }
        Err(ForgeError::Other(format!(
            "claim {}: the state branch kept moving ({CAS_ROUNDS} rounds)",
            self.path
        )))
    }
}

impl Claim {
    /// 10 ms doubling to 320 ms, plus up to as much again of jitter (from the owner token)
    /// so that writers that collided do not collide again.
    fn backoff(&self, round: u32) -> Duration {
        let base = 10u64 << round.min(5);
        let seed = u64::from_str_radix(&self.owner[..8], 16).unwrap_or(0);
        let jitter = (seed.wrapping_mul(u64::from(round) + 7) >> 7) % base.max(1);
        Duration::from_millis(base + jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_paths_are_safe_and_per_thread() {
        let t = Thread {
            repo: "o/r".into(),
            number: 1,
        };
        let p = claim_path("github", &t, "accepted-gh-o-r-1-c5");
        assert!(p.starts_with("claims/github/") && p.ends_with("/accepted-gh-o-r-1-c5.json"));
        let other = Thread {
            repo: "o/r".into(),
            number: 2,
        };
        assert_ne!(p, claim_path("github", &other, "accepted-gh-o-r-1-c5"));
        let evil = claim_path("github", &t, "../../x/y");
        assert!(!evil.contains(".."), "{evil}");
        assert_ne!(owner_token(), owner_token());
    }
}
