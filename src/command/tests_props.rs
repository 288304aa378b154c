//! Property tests: the parser never panics on arbitrary Unicode up to 10 kB, every command
//! it accepts reads back unchanged from its canonical text, and every word of a request is
//! reflected in the canonical command or named by the error.

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

/// A piece of a generated request: a known phrase with what the canonical command must show
/// for it, a word battbot cannot read with how its error must name it, or a filler word.
#[derive(Clone, Debug)]
enum Piece {
    Known(&'static str, &'static str),
    Junk(&'static str, &'static str),
    Filler(&'static str),
}

const KNOWN: &[(&str, &str)] = &[
    ("SPM", "SPM"),
    ("SPMe", "SPMe"),
    ("DFN", "DFN"),
    ("Single particle model with electrolyte", "SPMe"),
    ("Doyle-Fuller-Newman model", "DFN"),
    ("Chen2020", "Chen2020"),
    ("marquis2019", "Marquis2019"),
    ("Ai 2020", "Ai2020"),
    ("2C", "2C"),
    ("C/3", "C/3"),
    ("0.5 C", "0.5C"),
    ("5e-1C", "5e-1C"),
    ("at 10°C", "10°C"),
    ("25 oC", "25°C"),
    ("at 298.15K", "25°C"),
    ("25deg C", "25°C"),
    ("lumped", "lumped"),
    ("x3", "x3"),
    ("x 3", "x3"),
    ("sei=reaction-limited", "sei=reaction-limited"),
    ("\"Discharge at 1C until 3 V\"", "Discharge at 1C until 3 V"),
    ("\"Rest for 10 minutes\"", "Rest for 10 minutes"),
    ("\"Electrode height [m]\"=0.1", "Electrode height [m]"),
];

const JUNK: &[(&str, &str)] = &[
    ("DFM", "DFM"),
    ("SPNe", "SPNe"),
    ("Chen202", "Chen202"),
    ("Ai202", "Ai202"),
    ("lumpd", "lumpd"),
    ("frobnicate", "frobnicate"),
    ("25oK", "25oK"),
    ("x-lumped", "x-lumped"),
    ("GITT", "GITT"),
    ("zorp", "zorp"),
    ("'fast'", "fast"),
    ("3 hours", "3 hours"),
    ("500 A", "500 A"),
];

/// Filler words (question words and `?` excluded: a question gets a help reply instead).
const FILL: &[&str] = &[
    "the",
    "please",
    "with",
    "using",
    "model",
    "chemistry",
    "a",
    "and",
    "then",
    "for",
    "of",
    "at",
    "😀",
    "-",
    "#batteries",
    "@alice",
    "thanks",
    ",",
];

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        4 => prop::sample::select(KNOWN).prop_map(|(t, m)| Piece::Known(t, m)),
        1 => prop::sample::select(JUNK).prop_map(|(t, n)| Piece::Junk(t, n)),
        3 => prop::sample::select(FILL).prop_map(Piece::Filler),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Either every non-filler word is reflected in the canonical command, or the result
    /// is an error naming the word it could not read.
    #[test]
    fn every_word_is_reflected_or_named(pieces in prop::collection::vec(piece(), 0..8)) {
        let vocab = Vocabulary::builtin();
        let limits = Limits::default();
        let cx = ParseContext {
            bot_names: vec!["battbot".into()],
            vocabulary: &vocab,
            limits: &limits,
            step_check: None,
        };
        let words: Vec<&str> = pieces
            .iter()
            .map(|p| match p {
                Piece::Known(t, _) | Piece::Junk(t, _) => *t,
                Piece::Filler(t) => *t,
            })
            .collect();
        let text = format!("@battbot simulate {}", words.join(" "));
        let junk: Vec<&str> = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Junk(_, named) => Some(*named),
                _ => None,
            })
            .collect();
        match parse(&text, &cx) {
            Ok(cmd) => {
                prop_assert!(junk.is_empty(), "{text:?} accepted with {junk:?}");
                let cmd = cmd.expect("a simulate command");
                let canon = canonical(&cmd, &cx);
                for p in &pieces {
                    if let Piece::Known(t, marker) = p {
                        prop_assert!(canon.contains(marker), "{text:?}: {t:?} not in {canon:?}");
                    }
                }
            }
            Err(e) if !junk.is_empty() => {
                // The error lists the first five words it could not read.
                for named in junk.iter().take(5) {
                    prop_assert!(
                        e.error.contains(named),
                        "{text:?}: the error does not name {named:?}: {}",
                        e.error
                    );
                }
            }
            Err(e) => {
                // Without unreadable words, only a limit or a conflict may refuse it.
                prop_assert!(
                    !matches!(
                        *e.kind,
                        ErrorKind::UnknownWord { .. }
                            | ErrorKind::UnknownSet { .. }
                            | ErrorKind::NotACommand { .. }
                    ),
                    "{text:?}: {}",
                    e.error
                );
            }
        }
    }
}
