//! The command registry: every command's words, summary and example. The parser reads its
//! command words from here and `help_text` is generated from it, so they cannot drift apart.

/// The commands a user can give.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Simulate,
    Compare,
    Help,
    Status,
    Abort,
    Runbenchmarks,
}

/// One command of the registry.
pub struct CommandSpec {
    pub verb: Verb,
    /// The name shown in help and canonical text.
    pub name: &'static str,
    /// Words (or two-word phrases, matched without spaces) that select the command.
    pub words: &'static [&'static str],
    pub summary: &'static str,
    /// Text after the mention; the registry test parses each one.
    pub example: &'static str,
}

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        verb: Verb::Simulate,
        name: "simulate",
        words: &["simulate", "sim", "solve"],
        summary: "run one simulation: a model, a parameter set and quoted PyBaMM steps, in any order (defaults: DFN, Chen2020, a 1C discharge to the set's lower cut-off)",
        example: "simulate SPMe Chen2020 \"Discharge at 1C until 2.5 V\" \"Rest for 30 minutes\" lumped at 10°C",
    },
    CommandSpec {
        verb: Verb::Compare,
        name: "compare",
        words: &["compare", "comparison", "vary"],
        summary: "one run per model, parameter set, C-rate, temperature or parameter value, plotted together",
        example: "compare SPM SPMe DFN 2C",
    },
    CommandSpec {
        verb: Verb::Help,
        name: "help",
        words: &["help", "usage"],
        summary: "this message",
        example: "help",
    },
    CommandSpec {
        verb: Verb::Status,
        name: "status",
        words: &["status"],
        summary: "the pending jobs of this issue or pull request, with age and position",
        example: "status",
    },
    CommandSpec {
        verb: Verb::Abort,
        name: "abort",
        words: &["abort", "cancel"],
        summary: "cancel this thread's pending job",
        example: "abort",
    },
    CommandSpec {
        verb: Verb::Runbenchmarks,
        name: "runbenchmarks",
        words: &["runbenchmarks", "run benchmarks", "run-benchmarks"],
        summary: "run the solver benchmarks on this pull request",
        example: "runbenchmarks",
    },
];

/// Options that refine `simulate` and `compare`, for help (the parser's grammar handles them).
pub const OPTIONS: &[(&str, &str)] = &[
    ("thermal", "`lumped` for PyBaMM's lumped thermal model (default isothermal)"),
    ("temperature", "`at 10°C`, `10 degC`, `T=10C`, `at 298K`"),
    ("C-rate", "`2C`, `C/10`, `with c-rate = 1.5C`, `for a constant discharge of 1.25C`: a discharge at that rate to the set's lower cut-off"),
    ("cycles", "`x3`, `* 3`, `3 cycles`: repeat the steps"),
    ("drive cycles", "`\"Run US06 (A)\"` (W: power, V: voltage; `until < 3 V` ends it early); on GitHub and GitLab `\"Run cycles/profile.csv (A)\"` reads `time [s], value` rows from this repository's default branch"),
    ("parameters", "`\"Electrode height [m]\"=0.1`; `vary \"Electrode height [m]\" [0.1, 0.4, 0.7]` compares one run per value"),
    ("runs", "`SPM 1C vs DFN 2C` spells out each run"),
];

pub(crate) fn spec(verb: Verb) -> &'static CommandSpec {
    COMMANDS
        .iter()
        .find(|c| c.verb == verb)
        .unwrap_or(&COMMANDS[0])
}

/// Words whose near misses get a "did you mean" (the commands' own names plus keywords).
pub(crate) const SUGGESTABLE: &[&str] = &[
    "simulate",
    "compare",
    "help",
    "status",
    "abort",
    "runbenchmarks",
    "lumped",
    "isothermal",
    "cycles",
    "vary",
];

/// Ordinary words that are near a command word but mean nothing to the bot.
pub(crate) const NOT_TYPOS: &[&str] = &[
    "about",
    "held",
    "hello",
    "hell",
    "heap",
    "state",
    "states",
    "statue",
    "simulated",
    "simulates",
    "simulating",
    "simulation",
    "simulations",
    "compared",
    "compares",
    "comparing",
    "aborted",
    "helps",
    "helped",
    "helper",
    "helping",
    "cycle",
    "cycled",
    "very",
    "carry",
    "var",
    "bumped",
    "jumped",
    "lumps",
    "lump",
    "isotherm",
    "mary",
    "comparer",
    "stat",
    "stats",
];
