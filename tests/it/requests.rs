//! A request is fully checked before it becomes a job: through the real router, a bad
//! request gets a reply naming what to change and commits nothing; an unknown verb or a
//! question addressed to the bot gets a short help reply naming the closest command.

use crate::support::TestBot;

/// Sends `body` as comment `id` and returns (job branches, the bot's last reply as read:
/// without the Markdown escapes and zero-width spaces that keep quoted words inert).
async fn ask(bot: &TestBot, body: &str, id: u64) -> (usize, String) {
    bot.comment(body, id).await;
    bot.settle().await;
    let replies = bot.replies().await;
    (
        bot.job_branches().await.len(),
        replies
            .last()
            .map(|r| r.replace(['\\', '\u{200b}'], ""))
            .unwrap_or_default(),
    )
}

#[tokio::test]
async fn misspelt_parameter_is_refused_before_it_is_a_job() {
    let bot = TestBot::new().await;
    let (branches, reply) = ask(
        &bot,
        "@battbot simulate SPM \"Negative particle radus [m]\"=1e-6",
        1,
    )
    .await;
    assert_eq!(branches, 0, "nothing committed");
    assert!(reply.contains("Negative particle radius [m]"), "{reply}");
}

#[tokio::test]
async fn parameter_out_of_range_and_unsupported_thermal_are_refused() {
    let bot = TestBot::new().await;
    let (branches, reply) = ask(
        &bot,
        "@battbot simulate SPM \"Electrode height [m]\"=-0.1",
        1,
    )
    .await;
    assert_eq!(branches, 0);
    assert!(reply.contains("must be positive"), "{reply}");
    let (branches, reply) = ask(&bot, "@battbot simulate SPM Prada2013 lumped", 2).await;
    assert_eq!(branches, 0);
    assert!(reply.contains("thermal"), "{reply}");
}

#[tokio::test]
async fn exponents_cannot_bypass_the_c_rate_limit() {
    let bot = TestBot::new().await;
    for (i, text) in [
        "@battbot simulate SPM 2e1C",
        "@battbot simulate SPM \"Discharge at 5e2 A until 2.5 V\"",
        "@battbot simulate SPM 20C",
        "@battbot simulate SPM \"Discharge at 500 A until 2.5 V\"",
    ]
    .into_iter()
    .enumerate()
    {
        let (branches, reply) = ask(&bot, text, i as u64 + 1).await;
        assert_eq!(branches, 0, "{text}");
        assert!(reply.contains("the limit is 10C"), "{text}: {reply}");
    }
}

#[tokio::test]
async fn unknown_verbs_and_questions_get_a_help_reply() {
    let bot = TestBot::new().await;
    let (_, reply) = ask(&bot, "@battbot frobnicate", 1).await;
    assert!(reply.contains("I don't know the command"), "{reply}");
    assert!(reply.contains("@battbot simulate"), "{reply}");
    let (_, reply) = ask(&bot, "@battbot what models do you have?", 2).await;
    assert!(reply.contains("@battbot help"), "{reply}");
    let (branches, reply) = ask(&bot, "@battbot simulate SPNe Ecker201", 3).await;
    assert_eq!(branches, 0);
    assert!(reply.contains("did you mean SPMe?"), "{reply}");
    assert!(reply.contains("did you mean Ecker2015?"), "{reply}");
}

#[tokio::test]
async fn a_good_request_still_becomes_a_job() {
    let bot = TestBot::new().await;
    let (branches, reply) = ask(
        &bot,
        "@battbot please simulate the SPM at 25 oC with Chen2020 \"Discharge at 1C until 2.5 V\" x 2",
        1,
    )
    .await;
    assert_eq!(branches, 1, "{reply}");
    assert!(reply.contains("at 25°C x2"), "{reply}");
}
