//! GitHub transport: octocrab clients (the token's, or one per repository installation,
//! each caching its installation token) and raw requests under the shared [`RetryPolicy`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::Value;

use super::retry::{RawResponse, RetryPolicy, Safety};
use super::ForgeError;

/// How the bot authenticates to GitHub.
#[derive(Clone)]
pub enum GithubAuth {
    /// A personal (or fine-grained) access token.
    Token(String),
    /// A GitHub App: each repository's installation token is minted from a JWT.
    App {
        app_id: u64,
        private_key_pem: String,
    },
}

impl std::fmt::Debug for GithubAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GithubAuth::Token(_) => f.write_str("Token(…)"),
            GithubAuth::App { app_id, .. } => write!(f, "App {{ app_id: {app_id}, … }}"),
        }
    }
}

pub(super) fn other(context: &str, e: impl std::fmt::Display) -> ForgeError {
    ForgeError::Other(format!("{context}: {e}"))
}

/// `owner/name` → checked and returned as is.
pub(super) fn repo_path(repo: &str) -> Result<&str, ForgeError> {
    let mut parts = repo.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(o), Some(n), None) if !o.is_empty() && !n.is_empty() => Ok(repo),
        _ => Err(ForgeError::Other(format!(
            "{repo:?} is not a GitHub repository (hint: owner/name)"
        ))),
    }
}

/// Authenticated raw access to the GitHub REST API.
pub(super) struct GithubApi {
    root: Arc<Octocrab>,
    app: bool,
    pub(super) retry: RetryPolicy,
    /// Installation clients by `owner/repo`. Each caches its own token, so they are shared
    /// behind an `Arc`: cloning an `Octocrab` copies its token cache.
    installations: Mutex<HashMap<String, Arc<Octocrab>>>,
}

impl GithubApi {
    pub(super) fn new(
        base_url: &str,
        auth: &GithubAuth,
        retry: RetryPolicy,
    ) -> Result<GithubApi, ForgeError> {
        let builder = Octocrab::builder()
            .base_uri(base_url)
            .map_err(|e| other("GitHub base URL", e))?;
        let (builder, app) = match auth {
            GithubAuth::Token(token) => (builder.personal_token(token.clone()), false),
            GithubAuth::App {
                app_id,
                private_key_pem,
            } => {
                let key = jsonwebtoken::EncodingKey::from_rsa_pem(private_key_pem.as_bytes())
                    .map_err(|e| {
                        other(
                            "GitHub App private key (hint: the PEM downloaded from the App settings)",
                            e,
                        )
                    })?;
                (builder.app((*app_id).into(), key), true)
            }
        };
        let root = builder.build().map_err(|e| other("GitHub client", e))?;
        Ok(GithubApi {
            root: Arc::new(root),
            app,
            retry,
            installations: Mutex::new(HashMap::new()),
        })
    }

    pub(super) fn is_app(&self) -> bool {
        self.app
    }

    /// The client to use for `repo`: the token client, or the repository's installation.
    pub(super) async fn client(&self, repo: &str) -> Result<Arc<Octocrab>, ForgeError> {
        if !self.app {
            return Ok(self.root.clone());
        }
        if let Some(c) = self.installations.lock().expect("lock").get(repo) {
            return Ok(c.clone());
        }
        let path = format!("/repos/{}/installation", repo_path(repo)?);
        let resp = self
            .send_with(&self.root, "GET", &path, None, Safety::Idempotent)
            .await?;
        if resp.status == 404 {
            return Err(ForgeError::NotFound {
                what: format!("GitHub App installation on {repo} (hint: install the App there)"),
            });
        }
        if !resp.is_success() {
            return Err(resp.error("GET", &path));
        }
        #[derive(Deserialize)]
        struct Installation {
            id: u64,
        }
        let inst: Installation = resp.json("GET", &path)?;
        let client = Arc::new(
            self.root
                .installation(inst.id.into())
                .map_err(|e| other("GitHub installation client", e))?,
        );
        self.installations
            .lock()
            .expect("lock")
            .insert(repo.to_string(), client.clone());
        Ok(client)
    }

    pub(super) async fn send_with(
        &self,
        octo: &Octocrab,
        method: &str,
        path: &str,
        body: Option<&Value>,
        safety: Safety,
    ) -> Result<RawResponse, ForgeError> {
        let m: http::Method = method.parse().map_err(|e| other("HTTP method", e))?;
        self.retry
            .send(method, path, safety, || {
                let m = m.clone();
                async move {
                    let builder = http::Request::builder()
                        .method(m)
                        .uri(path)
                        .header(http::header::ACCEPT, "application/vnd.github+json");
                    let req = octo
                        .build_request(builder, body)
                        .map_err(|e| e.to_string())?;
                    let resp = octo.execute(req).await.map_err(|e| e.to_string())?;
                    let (parts, body) = resp.into_parts();
                    let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
                    Ok(RawResponse {
                        status: parts.status.as_u16(),
                        headers: parts.headers,
                        body,
                    })
                }
            })
            .await
    }

    pub(super) async fn send(
        &self,
        repo: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
        safety: Safety,
    ) -> Result<RawResponse, ForgeError> {
        let octo = self.client(repo).await?;
        self.send_with(&octo, method, path, body, safety).await
    }

    /// Sends and requires a 2xx, parsing the JSON answer.
    pub(super) async fn json<T: serde::de::DeserializeOwned>(
        &self,
        repo: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
        safety: Safety,
    ) -> Result<T, ForgeError> {
        let resp = self.send(repo, method, path, body, safety).await?;
        if !resp.is_success() {
            return Err(resp.error(method, path));
        }
        resp.json(method, path)
    }

    /// GETs `path`: `None` on 404, the answer on a 2xx, an error otherwise.
    pub(super) async fn get_found(
        &self,
        repo: &str,
        path: &str,
    ) -> Result<Option<RawResponse>, ForgeError> {
        let resp = self
            .send(repo, "GET", path, None, Safety::Idempotent)
            .await?;
        if resp.status == 404 {
            return Ok(None);
        }
        if !resp.is_success() {
            return Err(resp.error("GET", path));
        }
        Ok(Some(resp))
    }
}
