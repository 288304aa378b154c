//! Decides who may start jobs (DiffEqBot's model): admin, `allowed_users`, members of the
//! configured `org`, or write permission on a registered repository. `help` and `status`
//! are open to all.

use crate::forge::{Conversation, ForgeError, Permission};

use super::super::App;

/// The decision, with a polite reason when refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Access {
    Granted,
    Denied(String),
}

fn contains_ci(list: &[String], item: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(item))
}

/// Checks whether `user` may start jobs from `repo`.
pub async fn check(
    app: &App,
    forge: &dyn Conversation,
    source: &crate::job::JobSource,
) -> Result<Access, ForgeError> {
    let (repo, user) = (source.repo.as_str(), source.user.as_str());
    // Twitter and Slack have no repositories: the platform says who may (everyone, as
    // BattBot answered everyone), and the per-user rate limit bounds it.
    if matches!(
        source.platform.as_str(),
        "twitter" | "slack" | "mastodon" | "bluesky"
    ) {
        return Ok(
            if forge.permission(repo, user).await? >= Permission::Write {
                Access::Granted
            } else {
                Access::Denied("this account may not start jobs".into())
            },
        );
    }
    let config = &app.config;
    if contains_ci(&config.admin, user) || contains_ci(&config.allowed_users, user) {
        return Ok(Access::Granted);
    }
    let whom = if config.admin.is_empty() {
        "the bot's maintainers".to_string()
    } else {
        config
            .admin
            .iter()
            .map(|a| format!("@{a}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !contains_ci(&config.registered_repos, repo) {
        return Ok(Access::Denied(format!(
            "this repository is not registered with the bot; ask {whom} to add it"
        )));
    }
    // Org members may start jobs on registered repositories (asked only when an org is
    // configured: no useless API calls).
    if let Some(org) = config.org.as_deref().filter(|o| !o.is_empty()) {
        if forge.is_org_member(repo, org, user).await? {
            return Ok(Access::Granted);
        }
    }
    let permission = forge.permission(repo, user).await?;
    if permission >= Permission::Write {
        Ok(Access::Granted)
    } else {
        let or_org = match config.org.as_deref().filter(|o| !o.is_empty()) {
            Some(org) => format!(" or membership of {org}"),
            None => String::new(),
        };
        Ok(Access::Denied(format!(
            "starting jobs here needs write access to {repo}{or_org}; ask a maintainer or {whom} to add you to allowed_users"
        )))
    }
}
