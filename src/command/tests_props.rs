//! Property tests: the parser never panics on arbitrary Unicode up to 10 kB, and every
//! command it accepts reads back unchanged from its canonical text.

use proptest::prelude::*;

use super::*;

fn check_round_trip(text: &str) -> Result<(), TestCaseError> {
    let vocab = Vocabulary::builtin();
    let limits = Limits::default();
    let cx = ParseContext {
        bot_names: vec!["battbot".into(), "battbot_".into()],
        vocabulary: &vocab,
        limits: &limits,
        step_check: None,
    };
    if let Ok(Some(c)) = parse(text, &cx) {
        let canon = canonical(&c, &cx);
        let back = parse(&canon, &cx);
        prop_assert_eq!(back, Ok(Some(c)), "input {:?} canonical {:?}", text, canon);
    }
    Ok(())
}

const FRAGMENTS: &[&str] = &[
    "simulate",
    "compare",
    "vary \"Electrode height [m]\" [0.1, 0.4]",
    "help",
    "status",
    "sim",
    "SPM",
    "SPMe",
    "DFN",
    "Single particle model with electrolyte",
    "Doyle-Fuller-Newman model",
    "Chen2020",
    "Marquis2019",
    "Ai2020",
    "OKane2022",
    "nca kim2011",
    "with Chen2020 chemistry",
    "using Ai2020 parameters",
    "1C",
    "0.5C",
    "C/3",
    "2c",
    "with c-rate = 1.5C",
    "for a constant discharge of 1.25C",
    "at 10°C",
    "T=5C",
    "at 298K",
    "-5 degC",
    "lumped",
    "isothermal",
    "x3",
    "* 2",
    "4 cycles",
    "sei=reaction-limited",
    "plating=irreversible",
    "\"Discharge at 1C until 2.5 V\"",
    "“Rest for 30 minutes”",
    "'Charge at C/2 until 4.2 V'",
    "«Hold at 4.2 V until 50 mA»",
    "Discharge at 2C until 3 V",
    "rest for 10 minutes",
    "\"Negative electrode thickness [m]\"=0.0001",
    "vs",
    "and",
    "please",
    "#battbot",
    "!",
    ",",
    "?",
    "\n",
    "thanks",
    "the",
    "model",
    "`SPM`",
    "> quoted",
    "Chen2002",
    "DNF",
    "0C",
    "x0",
    "[(\"Discharge at C/10 for 10 hours or until 3.3 V\", \"Rest for 1 hour\")]",
];

fn fragments() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..10).prop_map(|f| f.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_unicode(chars in prop::collection::vec(any::<char>(), 0..2500)) {
        let text: String = chars.into_iter().collect();
        prop_assert!(text.len() <= 10_000);
        check_round_trip(&text)?;
        check_round_trip(&format!("@battbot {text}"))?;
    }

    #[test]
    fn never_panics_on_near_commands(
        prefix in "[@/#<>`\"“”‘’'\\[\\]()*=:,. a-zA-Z0-9°−-]{0,40}",
        body in "[@/#<>`\"“”‘’'\\[\\]()*=:,. a-zA-Z0-9°−\n-]{0,200}",
    ) {
        check_round_trip(&format!("{prefix}@battbot {body}"))?;
    }

    #[test]
    fn canonical_reads_back(mention in prop::sample::select(&["@battbot", "@battbot_", "/battbot", "hey @BattBot,"][..]),
                            body in fragments()) {
        check_round_trip(&format!("{mention} {body}"))?;
    }
}
