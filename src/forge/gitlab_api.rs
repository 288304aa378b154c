//! GitLab transport and endpoints: our `AsyncClient` (reqwest under the shared
//! [`RetryPolicy`]) for the `gitlab` crate, plus the few endpoints the crate lacks or
//! gets wrong in 0.1905, and the mapping of its errors to `ForgeError`.

use std::borrow::Cow;

use async_trait::async_trait;
use bytes::Bytes;
use gitlab::api::endpoint_prelude::{Endpoint, Method, QueryParams};
use gitlab::api::{self, ApiError, AsyncClient, RestClient};

use super::retry::{RawResponse, RetryPolicy, Safety};
use super::ForgeError;

/// The transport the `gitlab` crate's endpoints are sent through.
pub(super) struct Transport {
    pub(super) http: reqwest::Client,
    pub(super) api: url::Url,
    pub(super) token: String,
    pub(super) retry: RetryPolicy,
}

impl RestClient for Transport {
    type Error = ForgeError;

    fn rest_endpoint(&self, endpoint: &str) -> Result<url::Url, ApiError<ForgeError>> {
        Ok(self.api.join(endpoint)?)
    }
}

/// POSTs that are safe to repeat: cancelling and awarding converge on the same state.
pub(super) fn safety_of(method: &http::Method, path: &str) -> Safety {
    if method != http::Method::POST || path.ends_with("/cancel") || path.ends_with("/award_emoji") {
        Safety::Idempotent
    } else {
        Safety::NotIdempotent
    }
}

#[async_trait]
impl AsyncClient for Transport {
    async fn rest_async(
        &self,
        request: http::request::Builder,
        body: Vec<u8>,
    ) -> Result<http::Response<Bytes>, ApiError<ForgeError>> {
        let request = request
            .body(())
            .map_err(|e| ApiError::client(ForgeError::Other(format!("GitLab request: {e}"))))?;
        let (parts, ()) = request.into_parts();
        let url = parts.uri.to_string();
        let safety = safety_of(&parts.method, parts.uri.path());
        let body = Bytes::from(body);
        let resp = self
            .retry
            .send(parts.method.as_str(), &url, safety, || {
                let req = self
                    .http
                    .request(parts.method.clone(), &url)
                    .headers(parts.headers.clone())
                    .header("PRIVATE-TOKEN", &self.token)
                    .body(body.clone());
                async move {
                    let resp = req.send().await.map_err(|e| e.to_string())?;
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    let body = resp.bytes().await.map_err(|e| e.to_string())?;
                    Ok(RawResponse {
                        status,
                        headers,
                        body,
                    })
                }
            })
            .await
            .map_err(ApiError::client)?;
        // Errors carry method, URL and body from here (the crate's mapping drops them).
        if !(200..400).contains(&resp.status) {
            return Err(ApiError::client(resp.error(parts.method.as_str(), &url)));
        }
        let mut out = http::Response::builder().status(resp.status);
        if let Some(h) = out.headers_mut() {
            *h = resp.headers;
        }
        out.body(resp.body)
            .map_err(|e| ApiError::client(ForgeError::Other(format!("GitLab response: {e}"))))
    }
}

/// `HEAD /projects/:id/repository/files/:path?ref=`: whether a file exists, without its body.
pub(super) struct FileHead<'a> {
    pub(super) project: &'a str,
    pub(super) path: &'a str,
    pub(super) ref_: &'a str,
}

impl Endpoint for FileHead<'_> {
    fn method(&self) -> Method {
        Method::HEAD
    }

    fn endpoint(&self) -> Cow<'static, str> {
        format!(
            "projects/{}/repository/files/{}",
            api::common::path_escaped(self.project),
            api::common::path_escaped(self.path)
        )
        .into()
    }

    fn parameters(&self) -> QueryParams<'_> {
        let mut params = QueryParams::default();
        params.push("ref", self.ref_);
        params
    }
}

/// `GET /users?username=`: one user, without the crate's paged `Users` machinery.
pub(super) struct UserByName<'a> {
    pub(super) username: &'a str,
}

impl Endpoint for UserByName<'_> {
    fn method(&self) -> Method {
        Method::GET
    }

    fn endpoint(&self) -> Cow<'static, str> {
        "users".into()
    }

    fn parameters(&self) -> QueryParams<'_> {
        let mut params = QueryParams::default();
        params.push("username", self.username);
        params
    }
}

/// An issue or a merge request: `projects/:id/<kind>/<iid>`.
#[derive(Clone, Copy)]
pub(super) struct IssueLike<'a> {
    pub(super) project: &'a str,
    pub(super) kind: &'static str,
    pub(super) iid: u64,
}

impl IssueLike<'_> {
    pub(super) fn path(&self) -> String {
        format!(
            "projects/{}/{}/{}",
            api::common::path_escaped(self.project),
            self.kind,
            self.iid
        )
    }
}

/// `DELETE /projects/:id/repository/branches/:branch` with the branch escaped: the crate's
/// `DeleteBranch` (0.1905) leaves `/` unescaped, which GitLab answers with 404.
pub(super) struct DeleteBranchEscaped<'a> {
    pub(super) project: &'a str,
    pub(super) branch: &'a str,
}

impl Endpoint for DeleteBranchEscaped<'_> {
    fn method(&self) -> Method {
        Method::DELETE
    }

    fn endpoint(&self) -> Cow<'static, str> {
        format!(
            "projects/{}/repository/branches/{}",
            api::common::path_escaped(self.project),
            api::common::path_escaped(self.branch)
        )
        .into()
    }
}

/// `GET /projects/:id/repository/tree?path=&ref=&recursive=true`. The crate's `Tree`
/// (0.1905) sends these as a form body of the GET, which a strict server ignores.
pub(super) struct TreeQuery<'a> {
    pub(super) project: &'a str,
    pub(super) path: &'a str,
    pub(super) ref_: &'a str,
}

impl Endpoint for TreeQuery<'_> {
    fn method(&self) -> Method {
        Method::GET
    }

    fn endpoint(&self) -> Cow<'static, str> {
        format!(
            "projects/{}/repository/tree",
            api::common::path_escaped(self.project)
        )
        .into()
    }

    fn parameters(&self) -> QueryParams<'_> {
        let mut params = QueryParams::default();
        if !self.path.is_empty() {
            params.push("path", self.path);
        }
        params.push("ref", self.ref_).push("recursive", true);
        params
    }
}

impl gitlab::api::Pageable for TreeQuery<'_> {
    fn use_keyset_pagination(&self) -> bool {
        true
    }
}

/// Issue / MR notes, oldest first (`GET …/notes?sort=asc`).
pub(super) struct Notes<'a> {
    pub(super) on: IssueLike<'a>,
}

impl Endpoint for Notes<'_> {
    fn method(&self) -> Method {
        Method::GET
    }

    fn endpoint(&self) -> Cow<'static, str> {
        format!("{}/notes", self.on.path()).into()
    }

    fn parameters(&self) -> QueryParams<'_> {
        let mut params = QueryParams::default();
        params.push("sort", "asc").push("order_by", "created_at");
        params
    }
}

impl gitlab::api::Pageable for Notes<'_> {}

/// A note or an award on an issue / MR: `POST …/notes` or `…/notes/:id/award_emoji`.
pub(super) struct PostOnNoteable<'a> {
    pub(super) on: IssueLike<'a>,
    /// Path below the issue / MR.
    pub(super) below: String,
    pub(super) form: Vec<(&'static str, String)>,
}

impl Endpoint for PostOnNoteable<'_> {
    fn method(&self) -> Method {
        Method::POST
    }

    fn endpoint(&self) -> Cow<'static, str> {
        format!("{}/{}", self.on.path(), self.below).into()
    }

    fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, api::BodyError> {
        let mut params = api::FormParams::default();
        for (k, v) in &self.form {
            params.push(*k, v.as_str());
        }
        params.into_body()
    }
}

/// The HTTP status carried by a mapped error, if any.
pub(super) fn status_of(e: &ForgeError) -> Option<u16> {
    match e {
        ForgeError::Http { status, .. } => Some(*status),
        _ => None,
    }
}

/// Maps the crate's error into a `ForgeError` (`what` names the call for messages).
pub(super) fn map_err(e: ApiError<ForgeError>, what: &str) -> ForgeError {
    let http = |status: http::StatusCode, body: String| ForgeError::Http {
        method: String::new(),
        url: what.to_string(),
        status: status.as_u16(),
        body,
    };
    match e {
        ApiError::Client { source } => source,
        ApiError::GitlabWithStatus { status, msg } => http(status, msg),
        ApiError::GitlabObjectWithStatus { status, obj } => http(status, obj.to_string()),
        ApiError::GitlabUnrecognizedWithStatus { status, obj } => http(status, obj.to_string()),
        ApiError::GitlabService { status, data } => {
            http(status, String::from_utf8_lossy(&data).into_owned())
        }
        other => ForgeError::Other(format!("{what}: {other}")),
    }
}
