//! The words a request may hold that ask for nothing (articles, "please", "with", …), the
//! words that make a paragraph a question, and phrases users type for things battbot can
//! only answer with a hint (CCCV, GITT, drive cycles): everything else must be understood.

/// Words that carry no request: read and skipped (README "Commands" lists them).
pub const FILLER: &[&str] = &[
    // articles, pronouns, courtesy
    "a",
    "an",
    "the",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "it's",
    "i",
    "i'd",
    "i'm",
    "me",
    "my",
    "we",
    "us",
    "our",
    "you",
    "your",
    "please",
    "pls",
    "plz",
    "kindly",
    "hey",
    "hi",
    "hello",
    "cc",
    "thanks",
    "thank",
    "thx",
    "ty",
    "cheers",
    "again",
    "also",
    "now",
    "just",
    "quick",
    "quickly",
    "here",
    "there",
    "some",
    "one",
    // linking words
    "with",
    "using",
    "use",
    "for",
    "of",
    "at",
    "and",
    "or",
    "then",
    "to",
    "in",
    "on",
    "by",
    "from",
    "as",
    "plus",
    "both",
    "each",
    "all",
    "under",
    "over",
    "into",
    // asking
    "can",
    "could",
    "would",
    "will",
    "do",
    "does",
    "let's",
    "lets",
    "let",
    "want",
    "like",
    "need",
    "try",
    "show",
    "give",
    "get",
    "make",
    "run",
    "runs",
    "plot",
    "is",
    "are",
    "be",
    "what",
    "what's",
    "whats",
    "how",
    "which",
    "why",
    "when",
    "where",
    "who",
    // nouns that name what is being set
    "model",
    "models",
    "chemistry",
    "chemistries",
    "parameter",
    "parameters",
    "set",
    "sets",
    "parameterset",
    "values",
    "value",
    "cell",
    "battery",
    "batteries",
    "experiment",
    "experiments",
    "protocol",
    "simulation",
    "simulations",
    "result",
    "results",
    "temperature",
    "ambient",
    "constant",
    "rate",
    "c-rate",
    "crate",
    "current",
    "repeat",
    "repeated",
    "times",
    "cycle",
    "cycles",
    "effects",
    "effect",
    "degradation",
    "option",
    "options",
    "steps",
    "step",
    // BattBot's own phrasing ("for a constant dicharge of 0.75C")
    "discharge",
    "dicharge",
    "discharging",
    "charge",
];

/// First words after which a paragraph with no command only says thank you (asks nothing).
pub const COURTESY: &[&str] = &[
    "thanks", "thank", "thx", "ty", "cheers", "great", "nice", "awesome", "cool", "lgtm", "ok",
    "okay", "👍", "🙏", "🎉", "❤️",
];

/// Words that start a question.
const QUESTION_WORDS: &[&str] = &[
    "what", "what's", "whats", "which", "how", "why", "when", "where", "who", "can", "could", "do",
    "does", "is", "are", "will", "would",
];

/// Whether `lower` (a lower-cased word) is a filler word. Words without a letter or digit
/// (emoji, dashes) are filler too.
pub fn is_filler(lower: &str) -> bool {
    FILLER.contains(&lower) || !lower.chars().any(char::is_alphanumeric)
}

pub(crate) fn is_courtesy(lower: &str) -> bool {
    COURTESY.contains(&lower)
}

pub(crate) fn is_question_word(lower: &str) -> bool {
    QUESTION_WORDS.contains(&lower)
}

/// The command a question is most likely about, from its words.
pub(crate) fn question_topic<'a>(words: impl IntoIterator<Item = &'a str>) -> &'static str {
    for w in words {
        let topic = match w {
            "status" | "progress" | "done" | "ready" | "pending" | "queue" | "queued" | "job"
            | "jobs" | "finished" | "running" => "status",
            "cancel" | "stop" | "abort" | "kill" => "abort",
            "benchmark" | "benchmarks" | "faster" | "slower" | "performance" => "runbenchmarks",
            "compare" | "comparison" | "difference" | "differ" | "versus" | "vs" => "compare",
            "simulate" | "simulation" | "simulations" | "discharge" | "charge" | "solve" => {
                "simulate"
            }
            _ => continue,
        };
        return topic;
    }
    "help"
}

/// Things users ask for that battbot reads as a hint rather than a guess: (squashed word,
/// what it is, how to write it instead).
pub(crate) const CONCEPTS: &[(&str, &str, &str)] = &[
    ("cccv", "a CC-CV charge", "write its steps: \"Charge at 1C until 4.2 V\" \"Hold at 4.2 V until C/50\""),
    ("cccvcharge", "a CC-CV charge", "write its steps: \"Charge at 1C until 4.2 V\" \"Hold at 4.2 V until C/50\""),
    ("cv", "a constant-voltage hold", "write it as a step: \"Hold at 4.2 V until C/50\""),
    ("gitt", "a GITT experiment", "write its pulse and rest, repeated: \"Discharge at C/20 for 1 hour\" \"Rest for 1 hour\" x20"),
    ("hppc", "an HPPC test", "write its pulses as steps: \"Discharge at 1C for 10 seconds\" \"Rest for 40 seconds\" \"Charge at 0.75C for 10 seconds\""),
    ("us06", "the US06 drive cycle", "write it as a quoted step: \"Run US06 (A)\" (a current profile; add e.g. \"until < 3 V\" to end it early)"),
    ("drivecycle", "a drive cycle", "write it as a quoted step: \"Run US06 (A)\" (W for a power profile, V for a voltage profile)"),
    ("xlumped", "PyBaMM's x-lumped thermal model", "battbot has the lumped thermal model: write lumped"),
    ("xfull", "PyBaMM's x-full thermal model", "battbot has the lumped thermal model: write lumped"),
    ("lfp", "an LFP cell", "Prada2013 is PyBaMM's LFP set (A123): write Prada2013"),
    ("nmc", "an NMC cell", "name a parameter set: Chen2020 (LG M50, NMC811), Mohtat2020, OKane2022 or ORegan2022"),
    ("nca", "an NCA cell", "NCA_Kim2011 is PyBaMM's NCA set: write NCA_Kim2011"),
    ("lco", "an LCO cell", "Ai2020 is PyBaMM's LCO set: write Ai2020"),
    ("mpm", "PyBaMM's many-particle model", "battbot has SPM, SPMe and DFN"),
    ("newmantobias", "PyBaMM's Newman–Tobias model", "battbot has SPM, SPMe and DFN (the DFN is its closest)"),
    ("spmeplus", "an extended SPMe", "battbot has SPM, SPMe and DFN"),
];

/// The concept a squashed word names, with the hint to give.
pub(crate) fn concept(squashed: &str) -> Option<(&'static str, &'static str)> {
    CONCEPTS
        .iter()
        .find(|(w, _, _)| *w == squashed)
        .map(|(_, what, how)| (*what, *how))
}
