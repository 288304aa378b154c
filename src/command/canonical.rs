//! Writes a `Command` back as the text a user would type, so replies can teach the syntax:
//! the compact form (axes listed once) when it reads back to the same command, else one
//! `vs`-separated segment per run.

use std::collections::BTreeMap;

use super::build::default_discharge;
use super::registry::{spec, Verb};
use super::vocab::{degradation_typed, Vocabulary, DEGRADATION};
use super::{parse_unchecked, Command, ParseContext, StepProblem};
use crate::sim::{OptionValue, SimSpec};

/// The canonical text of `cmd`, e.g. `@battbot simulate DFN Chen2020 "Discharge at 1C until 2.5 V"`.
/// For every command `parse` returns, `parse(canonical(c)) == c`.
pub fn canonical(cmd: &Command, cx: &ParseContext) -> String {
    let name = cx.bot_names.first().map_or("battbot", String::as_str);
    let (verb, runs) = match cmd {
        Command::Simulate { runs } => (Verb::Simulate, runs),
        Command::Compare { runs } => (Verb::Compare, runs),
        Command::Help => return format!("@{name} help"),
        Command::Status => return format!("@{name} status"),
        Command::Abort => return format!("@{name} abort"),
        Command::Runbenchmarks => return format!("@{name} runbenchmarks"),
    };
    let head = format!("@{name} {}", spec(verb).name);
    let names = [name.to_string()];
    let accept = |_: &str| -> Result<(), StepProblem> { Ok(()) };
    let reads_back = |text: &str| {
        parse_unchecked(
            text,
            &names,
            cx.vocabulary,
            Some(&accept),
            usize::MAX,
            false,
        )
        .ok()
            == Some(Some(cmd.clone()))
    };
    if let Some(body) = compact(runs, cx.vocabulary) {
        let text = join(&head, &body);
        if reads_back(&text) {
            return text;
        }
    }
    // Each run in full; `x1` where others cycle, so it does not take their cycles;
    // `isothermal` where others are lumped, for the same reason.
    let any_cycles = runs.iter().any(|r| r.cycles.is_some());
    let any_thermal = runs.iter().any(|r| r.thermal.is_some());
    let segments: Vec<String> = runs
        .iter()
        .map(|r| {
            run_words(r, any_cycles, any_thermal)
                .unwrap_or_default()
                .join(" ")
        })
        .collect();
    let mut body = vec![segments.join(" vs ")];
    body.extend(plot_words(runs));
    join(&head, &body)
}

/// `plot "NAME"` for each variable the runs output (a request gives them to every run).
fn plot_words(runs: &[SimSpec]) -> Vec<String> {
    runs.first()
        .map(|r| {
            r.variables
                .iter()
                .map(|v| format!("plot {}", quote(v)))
                .collect()
        })
        .unwrap_or_default()
}

fn join(head: &str, words: &[String]) -> String {
    let mut s = head.to_string();
    for w in words.iter().filter(|w| !w.is_empty()) {
        s.push(' ');
        s.push_str(w);
    }
    s
}

/// `text` in quotes that cannot clash with it.
fn quote(text: &str) -> String {
    const PAIRS: &[(char, char, &[char])] = &[
        ('"', '"', &['"', '”', '“', '＂']),
        ('«', '»', &['»']),
        ('\'', '\'', &['\'', '’']),
    ];
    for (open, close, closers) in PAIRS {
        if !text.contains(|c| closers.contains(&c)) {
            return format!("{open}{text}{close}");
        }
    }
    format!("\"{text}\"")
}

fn distinct<T: PartialEq + Clone>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for x in items {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

/// The C-rate of a run whose experiment is the default discharge at some rate.
fn default_rate(run: &SimSpec, vocab: &Vocabulary) -> Option<String> {
    let [step] = run.experiment.as_slice() else {
        return None;
    };
    let rate = step.strip_prefix("Discharge at ")?.split(' ').next()?;
    (default_discharge(rate, &run.parameter_set, vocab) == *step).then(|| rate.to_string())
}

fn temperature(t: f64) -> String {
    format!("{t}°C")
}

/// The words of a run's options; `None` where the command language has none (a value per
/// electrode). The groups the bare words `cracking` and `porosity-change` stand for are
/// written as those words.
fn option_words(options: &BTreeMap<String, OptionValue>) -> Option<Vec<String>> {
    let mut options = options.clone();
    let mut bare = Vec::new();
    let is = |o: &BTreeMap<String, OptionValue>, k: &str, v: &str| {
        o.get(k).and_then(OptionValue::as_one) == Some(v)
    };
    let on = |o: &BTreeMap<String, OptionValue>, k: &str| {
        o.get(k).is_some_and(|v| v.as_one() != Some("none"))
    };
    // (word, the option it sets, its value, the companion option and when it comes along)
    let groups = [
        (
            "cracking",
            "particle mechanics",
            "swelling and cracking",
            "SEI on cracks",
            "SEI",
        ),
        (
            "porosity-change",
            "SEI porosity change",
            "true",
            "lithium plating porosity change",
            "lithium plating",
        ),
    ];
    for (word, key, value, companion, when) in groups {
        let companion_ok = if on(&options, when) {
            is(&options, companion, "true")
        } else {
            !options.contains_key(companion)
        };
        if is(&options, key, value) && companion_ok {
            options.remove(key);
            options.remove(companion);
            bare.push(word.to_string());
        }
    }
    let mut words: Vec<String> = options
        .iter()
        .map(|(k, v)| {
            let d = DEGRADATION.iter().find(|d| d.option == k)?;
            Some(format!("{}={}", d.keys[0], degradation_typed(v.as_one()?)))
        })
        .collect::<Option<Vec<String>>>()?;
    words.extend(bare);
    Some(words)
}

fn param_words(params: &BTreeMap<String, f64>) -> Vec<String> {
    params
        .iter()
        .map(|(k, v)| format!("{}={v}", quote(k)))
        .collect()
}

fn thermal_word(t: &Option<String>) -> Option<String> {
    match t.as_deref() {
        None => Some("isothermal".to_string()),
        Some("lumped") => Some("lumped".to_string()),
        Some(_) => None,
    }
}

/// One run spelled out in full.
fn run_words(
    run: &SimSpec,
    explicit_one_cycle: bool,
    explicit_thermal: bool,
) -> Option<Vec<String>> {
    let mut w = vec![run.model.clone(), run.parameter_set.clone()];
    if run.thermal.is_some() || explicit_thermal {
        w.push(thermal_word(&run.thermal)?);
    }
    if let Some(t) = run.ambient_temperature_c {
        w.push(format!("at {}", temperature(t)));
    }
    match run.cycles {
        Some(c) => w.push(format!("x{c}")),
        None if explicit_one_cycle => w.push("x1".to_string()),
        None => {}
    }
    w.extend(option_words(&run.options)?);
    w.extend(param_words(&run.parameters));
    w.extend(run.experiment.iter().map(|s| quote(s)));
    Some(w)
}

/// The runs as axes listed once, if they have that shape.
fn compact(runs: &[SimSpec], vocab: &Vocabulary) -> Option<Vec<String>> {
    let first = runs.first()?;
    let mut w: Vec<String> = distinct(runs.iter().map(|r| r.model.clone()));
    let sets = distinct(runs.iter().map(|r| r.parameter_set.clone()));
    let set_count = sets.len();
    w.extend(sets);
    let thermals = distinct(runs.iter().map(|r| r.thermal.clone()));
    if thermals != [None] {
        for t in &thermals {
            w.push(thermal_word(t)?);
        }
    }
    let temps = distinct(runs.iter().map(|r| r.ambient_temperature_c));
    if temps.iter().any(Option::is_some) {
        let temps: Option<Vec<String>> = temps.iter().map(|t| t.map(temperature)).collect();
        w.push(format!("at {}", temps?.join(" ")));
    }
    if runs.iter().any(|r| r.cycles != first.cycles)
        || runs.iter().any(|r| r.options != first.options)
        || runs.iter().any(|r| r.variables != first.variables)
    {
        return None;
    }
    if let Some(c) = first.cycles {
        w.push(format!("x{c}"));
    }
    w.extend(option_words(&first.options)?);
    // Parameters: fixed ones, plus at most one varied across runs.
    let keys = distinct(runs.iter().flat_map(|r| r.parameters.keys().cloned()));
    let varied: Vec<&String> = keys
        .iter()
        .filter(|k| {
            let vals = distinct(
                runs.iter()
                    .map(|r| r.parameters.get(*k).map(|v| v.to_bits())),
            );
            vals.len() > 1 || vals.contains(&None)
        })
        .collect();
    let mut vary = None;
    match varied.as_slice() {
        [] => w.extend(param_words(&first.parameters)),
        [k] => {
            let mut fixed = first.parameters.clone();
            fixed.remove(*k);
            w.extend(param_words(&fixed));
            let values: Option<Vec<f64>> = distinct(
                runs.iter()
                    .map(|r| r.parameters.get(*k).map(|v| v.to_bits())),
            )
            .into_iter()
            .map(|b| b.map(f64::from_bits))
            .collect();
            let values: Vec<String> = values?.iter().map(|v| v.to_string()).collect();
            vary = Some(format!("vary {} [{}]", quote(k), values.join(", ")));
        }
        _ => return None,
    }
    // Experiments: quoted steps when there is one, else C-rates.
    let experiments = distinct(runs.iter().map(|r| r.experiment.clone()));
    let rates: Option<Vec<String>> = runs.iter().map(|r| default_rate(r, vocab)).collect();
    if experiments.len() == 1 && set_count == 1 {
        w.extend(first.experiment.iter().map(|s| quote(s)));
    } else if let Some(rates) = rates {
        w.extend(distinct(rates.into_iter()));
    } else if experiments.len() == 1 {
        w.extend(first.experiment.iter().map(|s| quote(s)));
    } else {
        return None;
    }
    w.extend(vary);
    w.extend(plot_words(runs));
    Some(w)
}
