//! Turns a read `Request` into a `Command`: fills the defaults, multiplies the axes of each
//! segment into runs (model × set × thermal × experiment × temperature × value) and checks steps.

use super::error::{point_at, ErrorKind, ParseError};
use super::filler::question_topic;
use super::grammar::{Request, Segment};
use super::registry::Verb;
use super::steps::{read_step, step_word_suggestion};
use super::suggest::{not_a_command, unknown_words};
use super::vocab::Vocabulary;
use super::Command;
use crate::sim::SimSpec;

pub const DEFAULT_MODEL: &str = "DFN";
pub const DEFAULT_SET: &str = "Chen2020";
pub const DEFAULT_RATE: &str = "1C";

/// The default experiment for a set: a discharge at `rate` to its lower cut-off.
pub fn default_discharge(rate: &str, set: &str, vocab: &Vocabulary) -> String {
    let cutoff = vocab.set(set).map_or(2.5, |s| s.lower_cutoff_v);
    format!("Discharge at {rate} until {cutoff} V")
}

/// How steps are checked: the sim's parser when injected, else [`read_step`].
pub(crate) type StepCheck<'a> = Option<&'a super::StepCheckFn>;

fn check_steps(steps: &[String], check: StepCheck) -> Result<(), ParseError> {
    for (n, step) in steps.iter().enumerate() {
        let result = match check {
            Some(f) => f(step),
            None => read_step(step).map(|_| ()),
        };
        if let Err(p) = result {
            let at = p
                .word
                .as_deref()
                .map(|w| format!(" at \"{w}\""))
                .unwrap_or_default();
            let mut hint = p.hint.unwrap_or_else(|| {
                "steps look like \"Discharge at 1C until 2.5 V\" or \"Rest for 30 minutes\""
                    .to_string()
            });
            if let Some(s) = p.word.as_deref().and_then(step_word_suggestion) {
                if !hint.contains("did you mean") {
                    hint = format!("did you mean \"{s}\"? {hint}");
                }
            }
            let mut e = ParseError::new(
                ErrorKind::BadStep {
                    step: step.clone(),
                    word: p.word.clone(),
                },
                format!("cannot read step {} \"{step}\"{at}: {}", n + 1, p.message),
                hint,
            );
            e.pointer = p.word.as_deref().and_then(|w| point_at(step, w));
            return Err(e);
        }
    }
    Ok(())
}

enum Experiment {
    Steps(Vec<String>),
    Rate(String),
}

fn segment_runs(seg: &Segment, vocab: &Vocabulary) -> Result<Vec<SimSpec>, ParseError> {
    if !seg.steps.is_empty() && !seg.rates.is_empty() {
        let set = seg.sets.first().map_or(DEFAULT_SET, String::as_str);
        let mut steps: Vec<String> = seg
            .rates
            .iter()
            .take(1)
            .map(|r| default_discharge(r, set, vocab))
            .collect();
        steps.extend(seg.steps.iter().cloned());
        let quoted: Vec<String> = steps.iter().map(|s| format!("\"{s}\"")).collect();
        return Err(ParseError::new(
            ErrorKind::Conflict {
                what: "C-rate and steps".into(),
            },
            format!(
                "both a C-rate ({}) and steps were given",
                seg.rates.join(", ")
            ),
            format!(
                "a C-rate alone means a discharge at that rate to the cut-off; with other steps, write it as a step too: {}",
                quoted.join(" ")
            ),
        ));
    }
    let or_default = |v: &[String], d: &str| -> Vec<String> {
        if v.is_empty() {
            vec![d.to_string()]
        } else {
            v.to_vec()
        }
    };
    let models = or_default(&seg.models, DEFAULT_MODEL);
    let sets = or_default(&seg.sets, DEFAULT_SET);
    let thermals = if seg.thermals.is_empty() {
        vec![None]
    } else {
        seg.thermals.clone()
    };
    let experiments: Vec<Experiment> = if !seg.steps.is_empty() {
        vec![Experiment::Steps(seg.steps.clone())]
    } else {
        or_default(&seg.rates, DEFAULT_RATE)
            .into_iter()
            .map(Experiment::Rate)
            .collect()
    };
    let temps: Vec<Option<f64>> = if seg.temps.is_empty() {
        vec![None]
    } else {
        seg.temps.iter().copied().map(Some).collect()
    };
    let values: Vec<Option<f64>> = match &seg.vary {
        Some((_, vs)) => vs.iter().copied().map(Some).collect(),
        None => vec![None],
    };
    let mut runs = Vec::new();
    for model in &models {
        for set in &sets {
            for thermal in &thermals {
                for exp in &experiments {
                    for temp in &temps {
                        for value in &values {
                            let experiment = match exp {
                                Experiment::Steps(s) => s.clone(),
                                Experiment::Rate(r) => vec![default_discharge(r, set, vocab)],
                            };
                            let mut parameters = seg.params.clone();
                            if let (Some((name, _)), Some(v)) = (&seg.vary, value) {
                                parameters.insert(name.clone(), *v);
                            }
                            runs.push(SimSpec {
                                model: model.clone(),
                                parameter_set: set.clone(),
                                experiment,
                                thermal: thermal.clone(),
                                ambient_temperature_c: *temp,
                                parameters,
                                cycles: seg.cycles.filter(|c| *c > 1),
                                options: seg.options.clone(),
                                points_per_domain: None,
                                variables: Vec::new(),
                                drive_cycles: Default::default(),
                            });
                        }
                    }
                }
            }
        }
    }
    Ok(runs)
}

/// How many runs a segment multiplies out to (counted before building them, so a long
/// comment cannot make the parser build millions of runs).
fn run_count(seg: &Segment) -> usize {
    let n = |len: usize| len.max(1);
    let experiments = if seg.steps.is_empty() {
        n(seg.rates.len())
    } else {
        1
    };
    [
        n(seg.models.len()),
        n(seg.sets.len()),
        n(seg.thermals.len()),
        experiments,
        n(seg.temps.len()),
        n(seg.vary.as_ref().map_or(1, |(_, v)| v.len())),
    ]
    .iter()
    .fold(1usize, |acc, x| acc.saturating_mul(*x))
}

/// How the runs multiply, e.g. "1 model × 6 temperatures = 6 runs" (or, with `vs`,
/// "3 runs + 4 runs = 7 runs").
fn run_breakdown(segs: &[Segment]) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let axes = |seg: &Segment| -> String {
        let experiments = if seg.steps.is_empty() {
            seg.rates.len()
        } else {
            1
        };
        let parts = [
            (seg.models.len().max(1), "model", "models"),
            (seg.sets.len().max(1), "parameter set", "parameter sets"),
            (seg.thermals.len(), "thermal model", "thermal models"),
            (experiments, "C-rate", "C-rates"),
            (seg.temps.len(), "temperature", "temperatures"),
            (
                seg.vary.as_ref().map_or(0, |(_, v)| v.len()),
                "value",
                "values",
            ),
        ];
        let shown: Vec<String> = parts
            .iter()
            .enumerate()
            .filter(|(k, (n, _, _))| *k < 1 || *n > 1)
            .map(|(_, (n, one, many))| plural(*n, one, many))
            .collect();
        shown.join(" × ")
    };
    let total = segs
        .iter()
        .fold(0usize, |acc, s| acc.saturating_add(run_count(s)));
    match segs {
        [one] => format!("{} = {total} runs", axes(one)),
        _ => {
            let each: Vec<String> = segs
                .iter()
                .map(|s| plural(run_count(s), "run", "runs"))
                .collect();
            format!("{} = {total} runs", each.join(" + "))
        }
    }
}

/// Fills what a `vs` segment leaves unset from the segments that set it, when they all
/// agree: in `compare SPM vs DFN at 2C` both runs are at 2C.
fn share(segs: &mut [Segment]) {
    fn fill<T: Clone + PartialEq>(
        segs: &mut [Segment],
        get: impl Fn(&Segment) -> Option<T>,
        set: impl Fn(&mut Segment, T),
    ) {
        let mut values: Vec<T> = Vec::new();
        for v in segs.iter().filter_map(&get) {
            if !values.contains(&v) {
                values.push(v);
            }
        }
        if let [only] = values.as_slice() {
            for seg in segs.iter_mut() {
                if get(seg).is_none() {
                    set(seg, only.clone());
                }
            }
        }
    }
    fn some<T: Clone>(v: &[T]) -> Option<Vec<T>> {
        (!v.is_empty()).then(|| v.to_vec())
    }
    if segs.len() < 2 {
        return;
    }
    fill(segs, |s| some(&s.models), |s, v| s.models = v);
    fill(segs, |s| some(&s.sets), |s, v| s.sets = v);
    fill(
        segs,
        |s| {
            (!s.steps.is_empty() || !s.rates.is_empty()).then(|| (s.steps.clone(), s.rates.clone()))
        },
        |s, (steps, rates)| {
            s.steps = steps;
            s.rates = rates;
        },
    );
    fill(segs, |s| some(&s.temps), |s, v| s.temps = v);
    fill(segs, |s| some(&s.thermals), |s, v| s.thermals = v);
    fill(segs, |s| s.cycles, |s, v| s.cycles = Some(v));
    fill(
        segs,
        |s| (!s.options.is_empty()).then(|| s.options.clone()),
        |s, v| s.options = v,
    );
    fill(
        segs,
        |s| (!s.params.is_empty()).then(|| s.params.clone()),
        |s, v| s.params = v,
    );
    fill(segs, |s| s.vary.clone(), |s, v| s.vary = Some(v));
}

/// The command a request asks for, or `None` when it asks nothing. More than `max_runs`
/// runs is an error found before the runs are built.
pub(crate) fn command(
    mut req: Request,
    vocab: &Vocabulary,
    check: StepCheck,
    max_runs: usize,
) -> Result<Option<Command>, ParseError> {
    match req.verb {
        Some(Verb::Help) => return Ok(Some(Command::Help)),
        Some(Verb::Status) => return Ok(Some(Command::Status)),
        Some(Verb::Abort) => return Ok(Some(Command::Abort)),
        Some(Verb::Runbenchmarks) => return Ok(Some(Command::Runbenchmarks)),
        _ => {}
    }
    let nothing_named = req.verb.is_none() && !req.has_content();
    let unclear_question =
        (req.verb.is_none() || req.wh_question) && req.question && !req.unknown.is_empty();
    if nothing_named || unclear_question {
        // Addressed to the bot but naming no command: a question, an unknown verb, or
        // (only filler, or a thank-you) nothing at all.
        let topic = question_topic(req.words.iter().map(String::as_str));
        if req.question {
            return Err(not_a_command(None, true, topic));
        }
        if req.courtesy || req.unknown.is_empty() {
            return Ok(None);
        }
        let first = req
            .first_word
            .as_deref()
            .filter(|w| req.unknown.iter().any(|u| u.word.to_lowercase() == *w))
            .unwrap_or(&req.unknown[0].word)
            .to_string();
        return Err(not_a_command(Some(&first), false, topic));
    }
    if !req.unknown.is_empty() {
        return Err(unknown_words(&req.read, &req.unknown));
    }
    share(&mut req.segments);
    let count = req
        .segments
        .iter()
        .fold(0usize, |acc, s| acc.saturating_add(run_count(s)));
    if count > max_runs {
        return Err(super::limits::too_many_runs(
            count,
            max_runs,
            &run_breakdown(&req.segments),
        ));
    }
    let mut runs = Vec::new();
    for seg in &req.segments {
        check_steps(&seg.steps, check)?;
        runs.extend(segment_runs(seg, vocab)?);
    }
    if runs.is_empty() {
        runs = segment_runs(&Segment::default(), vocab)?;
    }
    for run in &mut runs {
        run.variables = req.plots.clone();
    }
    let varies = req.segments.iter().any(|s| s.vary.is_some());
    let compare = match req.verb {
        Some(Verb::Compare) => true,
        Some(Verb::Simulate) => varies,
        _ => varies || runs.len() > 1,
    };
    if compare && runs.len() < 2 {
        return Err(ParseError::new(
            ErrorKind::NotAComparison { runs: runs.len() },
            "compare needs at least two runs",
            "name two or more models (compare SPM DFN), parameter sets (compare Chen2020 Ai2020), C-rates (compare 0.5C 1C 2C) or temperatures (compare 0°C 25°C)",
        ));
    }
    Ok(Some(if compare {
        Command::Compare { runs }
    } else {
        Command::Simulate { runs }
    }))
}
