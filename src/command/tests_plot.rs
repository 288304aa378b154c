//! `plot "VARIABLE"` and the bare option words: accepted forms with the Command they give,
//! and the attacks on the variable name (quotes, markdown and HTML, overlong names, a
//! thousand plot words, unicode lookalikes), each named after itself.

use super::tests::{check_table, context, Fails, Json};
use super::*;

const EC: &str = "Electrolyte concentration [mol.m-3]";

#[rustfmt::skip]
const CASES: &[(&str, super::tests::Expect)] = &[
    (r#"@battbot simulate DFN Chen2020 "Discharge at 1C until 2.5 V" plot "Electrolyte concentration [mol.m-3]""#,
     Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"variables":["Electrolyte concentration [mol.m-3]"]}]}"#)),
    // case and spacing aside, the name is PyBaMM's; a step after the names stays a step
    (r#"@battbot simulate plot "electrolyte  concentration [MOL.M-3]", "X-averaged negative particle surface concentration [mol.m-3]" "Rest for 10 minutes""#,
     Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Rest for 10 minutes"],"variables":["Electrolyte concentration [mol.m-3]","X-averaged negative particle surface concentration [mol.m-3]"]}]}"#)),
    // every run of a comparison outputs the variable
    (r#"@battbot compare 1C 2C plot "Electrolyte concentration [mol.m-3]""#,
     Json(r#"{"command":"compare","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"variables":["Electrolyte concentration [mol.m-3]"]},{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"],"variables":["Electrolyte concentration [mol.m-3]"]}]}"#)),
    (r#"@battbot simulate plot "Electrolyte concentraton [mol.m-3]""#, Fails(r#"did you mean "Electrolyte concentration [mol.m-3]"?"#)),
    (r#"@battbot simulate plot "Voltage [V]""#, Fails("in every figure already")),
    // bare option words (#25)
    ("@battbot simulate SPMe OKane2022 sei=reaction-limited cracking x3",
     Json(r#"{"command":"simulate","runs":[{"model":"SPMe","parameter_set":"OKane2022","experiment":["Discharge at 1C until 2.5 V"],"cycles":3,"options":{"SEI":"reaction limited","SEI on cracks":"true","particle mechanics":"swelling and cracking"}}]}"#)),
    ("@battbot simulate SPM OKane2022 cracking",
     Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"OKane2022","experiment":["Discharge at 1C until 2.5 V"],"options":{"particle mechanics":"swelling and cracking"}}]}"#)),
    ("@battbot simulate SPM OKane2022 porosity-change plating=irreversible sei=reaction-limited",
     Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"OKane2022","experiment":["Discharge at 1C until 2.5 V"],"options":{"SEI":"reaction limited","SEI porosity change":"true","lithium plating":"irreversible","lithium plating porosity change":"true"}}]}"#)),
    ("@battbot simulate SPM OKane2022 sei-on-cracks=true mechanics=swelling-and-cracking sei=reaction-limited",
     Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"OKane2022","experiment":["Discharge at 1C until 2.5 V"],"options":{"SEI":"reaction limited","SEI on cracks":"true","particle mechanics":"swelling and cracking"}}]}"#)),
    ("@battbot simulate SPMe OKane2022 sei=reaction-limited craking", Fails("did you mean cracking?")),
    ("@battbot simulate SPMe OKane2022 porosity-chnage", Fails("did you mean porosity-change?")),
];

#[test]
fn plot_and_bare_option_table() {
    check_table(CASES);
}

fn parse_one(text: &str) -> Result<Option<Command>, ParseError> {
    let vocab = Vocabulary::builtin();
    let limits = Limits::default();
    parse(text, &context(&vocab, &limits))
}

#[test]
fn canonical_text_names_the_plots_and_the_bare_words() {
    let vocab = Vocabulary::builtin();
    let limits = Limits::default();
    let cx = context(&vocab, &limits);
    let cmd = parse_one(&format!("@battbot simulate plot \"{EC}\""))
        .unwrap()
        .unwrap();
    assert!(canonical(&cmd, &cx).ends_with(&format!("plot \"{EC}\"")));
    let cmd = parse_one("@battbot simulate SPMe OKane2022 sei=reaction-limited cracking x3")
        .unwrap()
        .unwrap();
    let text = canonical(&cmd, &cx);
    assert!(text.contains(" cracking"), "{text}");
    assert!(!text.contains("sei-on-cracks"), "{text}");
}

/// What no error may carry of a hostile name: live markup, or more than its start.
fn assert_not_echoed(e: &ParseError, hostile: &str) {
    for part in [&e.error, &e.hint] {
        assert!(!part.contains(hostile), "the whole name is echoed: {part}");
        assert!(part.chars().count() < 600, "{part}");
    }
}

#[test]
fn plot_name_with_markdown_and_html_is_matched_never_used() {
    let hostile = "Electrolyte concentration [mol.m-3]](https://evil.example/x) <img src=x onerror=alert(1)> @everyone";
    let e = parse_one(&format!("@battbot simulate plot \"{hostile}\"")).unwrap_err();
    assert!(
        matches!(*e.kind, ErrorKind::UnknownVariable { .. }),
        "{e:?}"
    );
    assert_not_echoed(&e, hostile);
    // the suggestion is a known name, not the user's text
    assert!(e.hint.contains(&format!("\"{EC}\"")), "{}", e.hint);
}

#[test]
fn plot_name_with_quotes_and_escapes_cannot_leave_its_quotes() {
    // a quote closes the name early: the rest is read as words of the request and questioned
    let e = parse_one(r#"@battbot simulate plot "Electrolyte concentration [mol.m-3]\" steps=\"x"#)
        .unwrap_err();
    assert!(!e.error.is_empty());
    let e = parse_one("@battbot simulate plot \"Electrolyte concentration [mol.m-3]\\n```\\n\"")
        .unwrap_err();
    assert!(
        matches!(*e.kind, ErrorKind::UnknownVariable { .. }),
        "{e:?}"
    );
}

#[test]
fn plot_overlong_name_is_refused_before_matching() {
    let hostile = format!("{EC}{}", "a".repeat(100_000));
    let e = parse_one(&format!("@battbot simulate plot \"{hostile}\"")).unwrap_err();
    assert!(e.error.contains("characters long"), "{}", e.error);
    assert_not_echoed(&e, &hostile);
}

#[test]
fn plot_a_thousand_times_is_refused_at_the_limit() {
    let text = format!(
        "@battbot simulate {}",
        format!("plot \"{EC}\" ").repeat(1000)
    );
    let started = std::time::Instant::now();
    let e = parse_one(&text).unwrap_err();
    assert!(matches!(
        *e.kind,
        ErrorKind::TooManyPlots {
            plots: 1000,
            max: MAX_PLOTS
        }
    ));
    // a cheap refusal: a handful of names matched, not a thousand (generous bound for CI)
    assert!(started.elapsed().as_secs_f64() < 5.0);
    // up to the limit is fine
    let names = [
        "Electrolyte concentration [mol.m-3]",
        "Electrolyte potential [V]",
        "X-averaged negative particle surface concentration [mol.m-3]",
        "X-averaged positive particle surface concentration [mol.m-3]",
    ];
    let text: String = names.iter().map(|n| format!(" plot \"{n}\"")).collect();
    let cmd = parse_one(&format!("@battbot simulate{text}"))
        .unwrap()
        .unwrap();
    assert_eq!(cmd.runs()[0].variables.len(), MAX_PLOTS);
}

#[test]
fn plot_unicode_lookalike_is_not_the_variable() {
    // Cyrillic "о" and "е" in place of Latin letters, and a zero-width space
    for hostile in [
        "Electrolyte cоncentration [mol.m-3]",
        "Еlectrolyte concentration [mol.m-3]",
        "Electrolyte\u{200b} concentration [mol.m-3]",
    ] {
        let e = parse_one(&format!("@battbot simulate plot \"{hostile}\"")).unwrap_err();
        assert!(
            matches!(&*e.kind, ErrorKind::UnknownVariable { suggestion: Some(s), .. } if s == EC),
            "{hostile}: {e:?}"
        );
    }
}

#[test]
fn plot_needs_the_variable_in_the_chosen_model() {
    let cmd = parse_one(&format!("@battbot simulate SPM plot \"{EC}\""))
        .unwrap()
        .unwrap();
    let e = validate(&cmd).unwrap_err();
    assert!(e.error.contains("the SPM has no variable"), "{}", e.error);
    assert!(e.hint.contains("SPMe and DFN have it"), "{}", e.hint);
    let cmd = parse_one(&format!("@battbot simulate DFN plot \"{EC}\""))
        .unwrap()
        .unwrap();
    validate(&cmd).unwrap();
}
