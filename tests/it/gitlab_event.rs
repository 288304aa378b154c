//! `from_gitlab` / `pipeline_from_gitlab` on the shared GitLab webhook fixtures.

use battbot::forge::gitlab::{thread_of, Noteable};
use battbot::server::event::Event;
use battbot::server::gitlab_event::{from_gitlab, pipeline_from_gitlab, PipelineNotice};

use crate::common::fixture_bytes;

fn comment(name: &str) -> battbot::server::event::CommentEvent {
    match from_gitlab("Note Hook", &fixture_bytes(name)).unwrap() {
        Event::Comment(c) => c,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn issue_note_becomes_a_comment() {
    let c = comment("gitlab/webhook.note.issue.json");
    assert_eq!(c.source.platform, "gitlab");
    assert_eq!(c.source.repo, "gitlab-org/gitlab-test");
    assert_eq!(c.source.number, 17);
    assert_eq!(c.source.comment_id, 1241);
    assert_eq!(c.source.user, "root");
    assert_eq!(
        c.source.url,
        "http://example.com/gitlab-org/gitlab-test/issues/17#note_1241"
    );
    assert_eq!(c.body, "Hello world");
    assert!(!c.is_pull_request && !c.author_is_bot);
    assert_eq!(
        Noteable::of(&thread_of(&c.source)),
        Noteable::Issue {
            project: "gitlab-org/gitlab-test".into(),
            iid: 17
        }
    );
}

#[test]
fn merge_request_note_uses_the_mr_iid() {
    let c = comment("gitlab/webhook.note.merge_request.json");
    assert_eq!(c.source.number, 1, "the MR's iid, not its id 7");
    assert_eq!(c.source.comment_id, 1244);
    assert_eq!(c.body, "This MR needs work.");
    assert!(c.is_pull_request);
    assert_eq!(
        Noteable::of(&thread_of(&c.source)),
        Noteable::MergeRequest {
            project: "gitlab-org/gitlab-test".into(),
            iid: 1
        }
    );
}

#[test]
fn commit_note_has_number_zero_and_a_commit_thread() {
    let c = comment("gitlab/webhook.note.commit.json");
    assert_eq!(c.source.repo, "gitlabhq/gitlab-test");
    assert_eq!(c.source.number, 0);
    assert_eq!(c.source.comment_id, 1243);
    assert!(!c.is_pull_request);
    assert_eq!(
        Noteable::of(&thread_of(&c.source)),
        Noteable::Commit {
            project: "gitlabhq/gitlab-test".into(),
            sha: "cfe32cf61b73a0d5e9f13e774abde7ff789b1660".into()
        }
    );
}

#[test]
fn pipeline_and_job_hooks_are_notices() {
    assert_eq!(
        pipeline_from_gitlab(&fixture_bytes("gitlab/webhook.pipeline.docs.json")).unwrap(),
        PipelineNotice {
            project: "gitlab-org/gitlab-test".into(),
            project_id: Some(1),
            ref_name: "master".into(),
            status: "success".into(),
            pipeline_id: 31,
            url: "http://example.com/gitlab-org/gitlab-test/-/pipelines/31".into(),
        }
    );
    // The recorded delivery has no object_attributes.url: built from the project.
    let rec = pipeline_from_gitlab(&fixture_bytes(
        "gitlab/webhook.pipeline.recorded.gitlab-com.json",
    ))
    .unwrap();
    assert_eq!(rec.pipeline_id, 187788219);
    assert_eq!(rec.ref_name, "1-test");
    assert_eq!(
        rec.url,
        "https://gitlab.com/mr.example/webhook-testing/-/pipelines/187788219"
    );
    let job = pipeline_from_gitlab(&fixture_bytes("gitlab/webhook.job.go-gitlab.json")).unwrap();
    assert_eq!(job.project, "jsmithy2/release-tools-fake");
    assert_eq!(job.pipeline_id, 743121198);
    assert_eq!(job.status, "success");
    assert_eq!(job.ref_name, "main");
    // As events they are ignored (a new Event variant is the lead's call).
    for (hook, name) in [
        ("Pipeline Hook", "gitlab/webhook.pipeline.docs.json"),
        ("Job Hook", "gitlab/webhook.job.go-gitlab.json"),
    ] {
        assert!(matches!(
            from_gitlab(hook, &fixture_bytes(name)).unwrap(),
            Event::Ignored { .. }
        ));
    }
}

#[test]
fn other_events_and_bad_payloads() {
    assert!(matches!(
        from_gitlab("Push Hook", b"{}").unwrap(),
        Event::Ignored { .. }
    ));
    assert!(from_gitlab("Note Hook", b"not json").is_err());
    assert!(from_gitlab("Note Hook", br#"{"object_kind":"note"}"#).is_err());
    assert!(pipeline_from_gitlab(br#"{"object_kind":"push"}"#).is_err());
    // An edited note is not a new command.
    let mut v: serde_json::Value =
        serde_json::from_slice(&fixture_bytes("gitlab/webhook.note.issue.json")).unwrap();
    v["object_attributes"]["action"] = "update".into();
    assert!(matches!(
        from_gitlab("Note Hook", &serde_json::to_vec(&v).unwrap()).unwrap(),
        Event::Ignored { .. }
    ));
    // A note on a snippet is not a thread the bot answers in.
    v["object_attributes"]["action"] = "create".into();
    v["object_attributes"]["noteable_type"] = "Snippet".into();
    assert!(matches!(
        from_gitlab("Note Hook", &serde_json::to_vec(&v).unwrap()).unwrap(),
        Event::Ignored { .. }
    ));
}
