//! Turns verified GitLab webhook payloads (`X-Gitlab-Event`) into `Event`s: Note Hooks on
//! issues, merge requests and commits become comments; Pipeline / Job Hooks are also
//! readable as a [`PipelineNotice`] so failures are learnt of early.

use serde::Deserialize;

use super::event::{CommentEvent, Event, PayloadError};
use crate::job::JobSource;

#[derive(Deserialize)]
struct GlUser {
    username: String,
}

#[derive(Deserialize)]
struct GlProject {
    #[serde(default)]
    id: Option<u64>,
    path_with_namespace: String,
    #[serde(default)]
    web_url: String,
}

#[derive(Deserialize)]
struct GlNoteAttributes {
    id: u64,
    #[serde(default)]
    note: String,
    noteable_type: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    system: Option<bool>,
    #[serde(default)]
    action: Option<String>,
}

#[derive(Deserialize)]
struct GlIid {
    iid: u64,
}

#[derive(Deserialize)]
struct GlNote {
    user: GlUser,
    project: GlProject,
    object_attributes: GlNoteAttributes,
    #[serde(default)]
    issue: Option<GlIid>,
    #[serde(default)]
    merge_request: Option<GlIid>,
}

/// What a Pipeline Hook or Job Hook says about a pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelineNotice {
    /// `path/with/namespace` of the project (from the job's repository URL for Job Hooks).
    pub project: String,
    /// GitLab's numeric id of that project, when the hook says it.
    pub project_id: Option<u64>,
    /// The branch (a job branch `battbot/<id>` for the bot's jobs).
    pub ref_name: String,
    /// GitLab's status: `pending`, `running`, `success`, `failed`, `canceled`, …
    pub status: String,
    pub pipeline_id: u64,
    /// Web page of the pipeline.
    pub url: String,
}

#[derive(Deserialize)]
struct GlPipelineAttributes {
    id: u64,
    #[serde(rename = "ref")]
    ref_name: String,
    status: String,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
struct GlPipeline {
    project: GlProject,
    object_attributes: GlPipelineAttributes,
}

#[derive(Deserialize)]
struct GlRepository {
    #[serde(default)]
    homepage: String,
}

#[derive(Deserialize)]
struct GlJob {
    #[serde(rename = "ref")]
    ref_name: String,
    build_status: String,
    pipeline_id: u64,
    #[serde(default)]
    project_id: Option<u64>,
    repository: GlRepository,
}

#[derive(Deserialize)]
struct GlKind {
    #[serde(default)]
    object_kind: String,
}

fn malformed(event: &str, reason: impl ToString) -> PayloadError {
    PayloadError {
        event: event.to_string(),
        reason: reason.to_string(),
    }
}

/// Parses a GitLab webhook (`X-Gitlab-Event` = `event_header`) into an `Event`.
pub fn from_gitlab(event_header: &str, body: &[u8]) -> Result<Event, PayloadError> {
    match event_header {
        "Note Hook" => note(event_header, body),
        "Pipeline Hook" | "Job Hook" => {
            // Validate now so a malformed delivery is reported as such.
            let notice = pipeline_from_gitlab(body)?;
            Ok(Event::Ignored {
                reason: format!(
                    "{event_header}: pipeline {} of {} on {} is {} (see pipeline_from_gitlab)",
                    notice.pipeline_id, notice.project, notice.ref_name, notice.status
                ),
            })
        }
        other => Ok(Event::Ignored {
            reason: format!("GitLab event {other:?} is not handled"),
        }),
    }
}

fn note(event: &str, body: &[u8]) -> Result<Event, PayloadError> {
    let p: GlNote = serde_json::from_slice(body).map_err(|e| malformed(event, e))?;
    let attrs = p.object_attributes;
    if attrs.system == Some(true) {
        return Ok(Event::Ignored {
            reason: "system note".into(),
        });
    }
    if let Some(action) = attrs.action.as_deref().filter(|a| *a != "create") {
        return Ok(Event::Ignored {
            reason: format!("note action {action} (only new notes are commands)"),
        });
    }
    let (number, is_mr) = match attrs.noteable_type.as_str() {
        "Issue" => (
            p.issue
                .ok_or_else(|| malformed(event, "Issue note without issue"))?
                .iid,
            false,
        ),
        "MergeRequest" => (
            p.merge_request
                .ok_or_else(|| malformed(event, "MergeRequest note without merge_request"))?
                .iid,
            true,
        ),
        "Commit" => (0, false),
        other => {
            return Ok(Event::Ignored {
                reason: format!("note on a {other} is not handled"),
            })
        }
    };
    Ok(Event::Comment(CommentEvent {
        source: JobSource {
            platform: "gitlab".into(),
            repo: p.project.path_with_namespace,
            number,
            comment_id: attrs.id,
            user: p.user.username,
            url: attrs.url,
        },
        body: attrs.note,
        // GitLab's hook user carries no bot flag; the bot's own notes are recognised by name.
        author_is_bot: false,
        is_pull_request: is_mr,
    }))
}

/// Reads a Pipeline Hook (`object_kind: pipeline`) or Job Hook (`object_kind: build`).
pub fn pipeline_from_gitlab(body: &[u8]) -> Result<PipelineNotice, PayloadError> {
    let kind: GlKind = serde_json::from_slice(body).map_err(|e| malformed("Pipeline Hook", e))?;
    match kind.object_kind.as_str() {
        "pipeline" => {
            let p: GlPipeline =
                serde_json::from_slice(body).map_err(|e| malformed("Pipeline Hook", e))?;
            let a = p.object_attributes;
            let url = a.url.filter(|u| !u.is_empty()).unwrap_or_else(|| {
                format!(
                    "{}/-/pipelines/{}",
                    p.project.web_url.trim_end_matches('/'),
                    a.id
                )
            });
            Ok(PipelineNotice {
                project_id: p.project.id,
                project: p.project.path_with_namespace,
                ref_name: a.ref_name,
                status: a.status,
                pipeline_id: a.id,
                url,
            })
        }
        "build" => {
            let j: GlJob = serde_json::from_slice(body).map_err(|e| malformed("Job Hook", e))?;
            let home = j.repository.homepage.trim_end_matches('/').to_string();
            let project = url_path(&home);
            Ok(PipelineNotice {
                project,
                project_id: j.project_id,
                ref_name: j.ref_name,
                status: j.build_status,
                pipeline_id: j.pipeline_id,
                url: format!("{home}/-/pipelines/{}", j.pipeline_id),
            })
        }
        other => Err(malformed(
            "Pipeline Hook",
            format!("object_kind {other:?} is neither pipeline nor build"),
        )),
    }
}

/// `https://host/group/project` → `group/project`.
fn url_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split_once('/')
        .map_or(String::new(), |(_, p)| p.to_string())
}
