//! Generates the `help` reply from the command registry, the vocabulary and the limits —
//! the same data the parser reads — so help never drifts from what is accepted.

use super::build::{default_discharge, DEFAULT_MODEL, DEFAULT_RATE, DEFAULT_SET};
use super::registry::{COMMANDS, OPTIONS};
use super::vocab::{degradation_typed, BARE_OPTIONS, DEGRADATION};
use super::ParseContext;

/// Where the README documents the command language (the caller may prefix its homepage).
pub const README_SECTION: &str = "README.md#commands";

/// The help reply (Markdown; examples are in code spans, which the parser ignores).
pub fn help_text(cx: &ParseContext) -> String {
    let name = cx.bot_names.first().map_or("battbot", String::as_str);
    let vocab = cx.vocabulary;
    let mut s =
        format!("**{name}** simulates batteries from a comment. Mention it with a command:\n\n");
    for c in COMMANDS {
        s.push_str(&format!(
            "- **{}** — {}. Example: `@{name} {}`\n",
            c.name, c.summary, c.example
        ));
    }
    s.push_str("\n**Models:** ");
    let models: Vec<String> = vocab
        .models
        .iter()
        .map(|m| match m.aliases.first() {
            Some(a) => format!("`{}` ({a})", m.canonical),
            None => format!("`{}`", m.canonical),
        })
        .collect();
    s.push_str(&models.join(", "));
    s.push_str("\n\n**Parameter sets:** ");
    let sets: Vec<String> = vocab
        .parameter_sets
        .iter()
        .map(|p| format!("`{}` ({}–{} V)", p.name, p.lower_cutoff_v, p.upper_cutoff_v))
        .collect();
    s.push_str(&sets.join(", "));
    s.push_str("\n\n**Options** (any order, case-insensitive; “smart quotes” work):\n");
    for (what, how) in OPTIONS {
        s.push_str(&format!("- {what}: {how}\n"));
    }
    for d in DEGRADATION {
        let values: Vec<String> = d.values.iter().map(|v| degradation_typed(v)).collect();
        s.push_str(&format!(
            "- degradation, {}: `{}` (one of {})\n",
            d.option,
            d.example,
            values.join(", ")
        ));
    }
    for (word, what) in BARE_OPTIONS {
        s.push_str(&format!("- degradation, `{word}`: {what}\n"));
    }
    s.push_str(&format!(
        "- plot: `plot \"Electrolyte concentration [mol.m-3]\"` adds a panel of a PyBaMM variable (up to {}; `battbot variables --model DFN` lists them)\n",
        super::plot::MAX_PLOTS
    ));
    let l = cx.limits;
    s.push_str(&format!(
        "\n**Defaults:** {DEFAULT_MODEL}, {DEFAULT_SET}, `{}`, isothermal, 25 °C.\n",
        default_discharge(DEFAULT_RATE, DEFAULT_SET, vocab)
    ));
    s.push_str(&format!(
        "**Limits:** up to {} runs, {} steps per run after repeating cycles, {} h simulated per run, {}C, {} °C to {} °C, {} cycles with degradation.\n",
        l.max_runs, l.max_steps, l.max_simulated_hours, l.max_c_rate, l.min_temperature_c, l.max_temperature_c, l.max_cycles
    ));
    s.push_str(&format!(
        "\nQuoted lines and code are ignored. Full reference: {README_SECTION}\n"
    ));
    s
}
