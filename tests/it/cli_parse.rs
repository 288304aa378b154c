//! `battbot parse` on near misses, unknown verbs and misspelt parameters (exit 2 with a JSON
//! error and a hint naming the right word), the CLI help of every option, and
//! `battbot demo --comment` for requests that make no job.

use std::process::Command;
use std::time::{Duration, Instant};

use clap::CommandFactory;

fn battbot() -> Command {
    Command::new(env!("CARGO_BIN_EXE_battbot"))
}

/// Runs `battbot parse TEXT`: (exit code, stdout JSON).
fn parse(text: &str) -> (Option<i32>, serde_json::Value) {
    let out = battbot().args(["parse", text]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{text:?}: stdout is not JSON ({e}): {stdout}"));
    (out.status.code(), json)
}

#[test]
fn parse_refuses_near_misses_with_a_hint_naming_the_right_word() {
    let long = format!("simulate {}", "A".repeat(300));
    let cases: &[(&str, &str, &str)] = &[
        // (input, word the error names, word the hint names)
        ("simulate DFM Chen2020", "DFM", "DFN"),
        ("simulate SPNe", "SPNe", "SPMe"),
        (
            "simulate SPMe Chen202 \"Discharge at 1C until 2.5 V\"",
            "Chen202",
            "Chen2020",
        ),
        (&long, "AAAAAAAAAA", "help"),
        ("frobnicate", "frobnicate", "simulate"),
        (
            "simulate \"Negative particle radus [m]\"=1e-6",
            "Negative particle radus [m]",
            "Negative particle radius [m]",
        ),
    ];
    for (input, word, hinted) in cases {
        let (code, json) = parse(input);
        assert_eq!(code, Some(2), "{input:?}: {json}");
        let error = json["error"].as_str().unwrap_or_default();
        let hint = json["hint"].as_str().unwrap_or_default();
        assert!(error.contains(word), "{input:?}: error {error:?}");
        assert!(hint.contains(hinted), "{input:?}: hint {hint:?}");
    }
}

#[test]
fn parse_prints_the_command_and_null_for_no_request() {
    let (code, json) = parse("simulate SPMe Chen2020 at 25oC x 2 \"Discharge at 1C until 2.5 V\"");
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["runs"][0]["ambient_temperature_C"], 25.0);
    assert_eq!(json["runs"][0]["cycles"], 2);
    let (code, json) = parse("thanks!");
    assert_eq!(code, Some(0));
    assert_eq!(json, serde_json::json!({ "command": null }));
    // Exponents are numbers like any other: the C-rate limit holds.
    for over in [
        "simulate 2e1C",
        "simulate \"Discharge at 5e2 A until 2.5 V\"",
    ] {
        let (code, json) = parse(over);
        assert_eq!(code, Some(2), "{over}: {json}");
        assert!(
            json["error"].as_str().unwrap().contains("the limit is 10C"),
            "{json}"
        );
    }
}

/// Every option of every subcommand has a one-line description; options with a closed set
/// of values list them (clap prints them as "[possible values: …]").
#[test]
fn every_option_of_every_subcommand_has_one_line_of_help() {
    fn walk(cmd: &clap::Command, path: &str, problems: &mut Vec<String>) {
        if cmd.get_about().is_none() && path != "battbot" {
            problems.push(format!("{path}: no description"));
        }
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            if help.trim().is_empty() {
                problems.push(format!("{path} {id}: no help"));
            } else if help.contains('\n') {
                problems.push(format!("{path} {id}: help is more than one line"));
            }
            let lower = help.to_lowercase();
            let names_values = lower.contains(" or ") && lower.contains(':');
            let enumerated = !arg.get_possible_values().is_empty();
            let is_flag = !arg.get_action().takes_values();
            if names_values && !enumerated && !is_flag && !lower.contains("e.g.") {
                // "text or json" in words must be enforced by the parser too.
                let values_word = ["json", "text", "github", "gitlab"];
                if values_word.iter().any(|v| lower.contains(v)) && !lower.contains("file") {
                    problems.push(format!("{path} {id}: values named but not enforced"));
                }
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), problems);
        }
    }
    let mut problems = Vec::new();
    let cmd = battbot::cli::Cli::command();
    walk(&cmd, "battbot", &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The enumerations are enforced.
    let out = battbot()
        .args([
            "render-ci",
            "--job",
            "j.json",
            "--target",
            "jenkins",
            "--out",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("gitlab"));
}

/// `demo --comment` with a request that makes no job prints the bot's reply and exits 0
/// (it used to wait for a report that never comes).
#[test]
fn demo_comment_without_a_job_prints_the_reply_and_exits_0() {
    for (platform, comment, expect) in [
        ("github", "@battbot help", "simulates batteries"),
        ("github", "@battbot frobnicate", "I don't know the command"),
        ("github", "@battbot simulate DFM", "did you mean DFN?"),
        // On Twitter and Slack the demo prints what the fake platform received.
        ("twitter", "@battbot_ help", "what twitter received"),
        ("slack", "@battbot frobnicate", "what slack received"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let mut child = battbot()
            .args([
                "demo",
                "--platform",
                platform,
                "--comment",
                comment,
                "--dir",
            ])
            .arg(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // A guard against the old hang, not a timing target.
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if started.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                panic!("{comment:?}: demo still running after 120 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            status.success(),
            "{comment:?}: {status}\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains(expect), "{comment:?}: {stdout}");
        eprintln!(
            "{comment:?}: exit 0 after {:.2} s",
            started.elapsed().as_secs_f64()
        );
    }
}
