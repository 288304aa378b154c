//! Reads the tokens of a request into a `Request`: the command word and, per `vs`-separated
//! segment, the models, sets, steps, C-rates, temperatures and options it names, in any order.

use std::collections::BTreeMap;

use super::error::{ErrorKind, ParseError};
use super::filler::{is_courtesy, is_filler, is_question_word};
use super::lexer::{Kind, Token};
pub(crate) use super::numbers::number;
use super::numbers::{overflows, split_number};
use super::registry::{self, Verb};
use super::steps::{quantity_kind, quantity_words, step_word_suggestion};
use super::suggest::{explain, Unknown};
use super::vocab::{closest, degradation_key, degradation_value, squash, Vocabulary, DEGRADATION};

/// What one `vs`-separated part of a request names. Empty lists take the defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Segment {
    pub models: Vec<String>,
    pub sets: Vec<String>,
    pub steps: Vec<String>,
    /// C-rates as typed, normalised: "1C", "0.5C", "C/10".
    pub rates: Vec<String>,
    pub temps: Vec<f64>,
    /// `None` is isothermal.
    pub thermals: Vec<Option<String>>,
    /// As typed (`x1` is `Some(1)`: set, though runs store one cycle as `None`).
    pub cycles: Option<u32>,
    pub options: BTreeMap<String, crate::sim::OptionValue>,
    pub params: BTreeMap<String, f64>,
    pub vary: Option<(String, Vec<f64>)>,
    /// Bare option words (`cracking`, `porosity-change`), applied to `options` when the
    /// segment ends (they depend on the SEI and plating options, typed in any order).
    pub bare: Vec<&'static str>,
}

impl Segment {
    fn is_empty(&self) -> bool {
        *self == Segment::default()
    }
}

#[derive(Debug, Default)]
pub(crate) struct Request {
    pub verb: Option<Verb>,
    pub segments: Vec<Segment>,
    /// Words (and quoted texts) the reader could not use, in order.
    pub unknown: Vec<Unknown>,
    /// What the reader used, as typed (for "I read … but not …").
    pub read: Vec<String>,
    /// The paragraph asks a question (a `?`, or it starts with a question word).
    pub question: bool,
    /// It starts with what, which, how, why, when, where or who.
    pub wh_question: bool,
    /// The paragraph starts by thanking (and, without a command, asks nothing).
    pub courtesy: bool,
    /// The first word of the paragraph, lower-cased.
    pub first_word: Option<String>,
    /// Every word, lower-cased (to guess what a question is about).
    pub words: Vec<String>,
    /// Variables to plot (`plot "NAME"`), by PyBaMM's names: every run outputs them.
    pub plots: Vec<String>,
    /// `plot "…"` phrases read so far (counted before any name is matched).
    pub plots_asked: usize,
}

impl Request {
    pub fn has_content(&self) -> bool {
        !self.segments.is_empty() || !self.plots.is_empty()
    }
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

fn kelvin_to_celsius(k: f64) -> f64 {
    ((k - 273.15) * 1e6).round() / 1e6
}

/// Units of a temperature, written after its number with or without spaces ("25°C",
/// "25 oC", "25deg C", "25 degrees Celsius"); `c` alone only after `T=`.
const CELSIUS_UNITS: &[&str] = &[
    "°c",
    "ºc",
    "℃",
    "degc",
    "oc",
    "°",
    "º",
    "deg",
    "degs",
    "degree",
    "degrees",
    "degreec",
    "degreesc",
    "celsius",
    "°celsius",
    "degcelsius",
    "degreecelsius",
    "degreescelsius",
];
const KELVIN_UNITS: &[&str] = &["k", "kelvin", "kelvins", "°k"];

/// Whether `unit` is a temperature unit: Some(is kelvin).
fn temperature_unit(unit: &str, c_is_celsius: bool) -> Option<bool> {
    if CELSIUS_UNITS.contains(&unit) || (c_is_celsius && unit == "c") {
        Some(false)
    } else if KELVIN_UNITS.contains(&unit) {
        Some(true)
    } else {
        None
    }
}

/// A C-rate written as one word, normalised ("0.5c" → "0.5C", "c/10" → "C/10").
fn rate_word(word: &str) -> Option<(String, f64)> {
    let lower = word.to_lowercase();
    if let Some(d) = lower.strip_prefix("c/") {
        let v = number(d)?;
        return Some((format!("C/{d}"), if v > 0.0 { 1.0 / v } else { 0.0 }));
    }
    let n = lower.strip_suffix('c')?;
    if n.starts_with(['-', '+', '−']) {
        return None;
    }
    let v = number(n)?;
    Some((format!("{n}C"), v))
}

/// A repeat count: "x3", "×3", "3x" (overflows are caught before, see `overflows`).
fn cycles_word(lower: &str) -> Option<u32> {
    let n = lower
        .strip_prefix('x')
        .or_else(|| lower.strip_prefix('×'))
        .or_else(|| lower.strip_suffix('x'))
        .or_else(|| lower.strip_suffix('×'))?;
    if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

/// Whether quoted text is meant as a step: it starts with a step verb (or a near miss of
/// one, so the step check can point at it) or holds a number.
fn looks_like_step(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("").to_lowercase();
    matches!(
        first.as_str(),
        "discharge" | "charge" | "rest" | "hold" | "run"
    ) || step_word_suggestion(&first).is_some()
        || text.chars().any(|c| c.is_ascii_digit())
}

/// The options of the bare words of `seg`: `cracking` is PyBaMM's `"particle mechanics":
/// "swelling and cracking"` plus `"SEI on cracks": "true"` when an SEI model is on;
/// `porosity-change` is `"SEI porosity change": "true"` plus `"lithium plating porosity
/// change": "true"` when plating is on. Options typed explicitly win.
fn apply_bare(seg: &mut Segment) {
    let on = |seg: &Segment, key: &str| {
        seg.options
            .get(key)
            .is_some_and(|v| v.as_one() != Some("none"))
    };
    let set = |seg: &mut Segment, key: &str, value: &str| {
        seg.options
            .entry(key.to_string())
            .or_insert_with(|| value.into());
    };
    for word in std::mem::take(&mut seg.bare) {
        match word {
            "cracking" => {
                set(seg, "particle mechanics", "swelling and cracking");
                if on(seg, "SEI") {
                    set(seg, "SEI on cracks", "true");
                }
            }
            "porosity-change" => {
                set(seg, "SEI porosity change", "true");
                if on(seg, "lithium plating") {
                    set(seg, "lithium plating porosity change", "true");
                }
            }
            _ => {}
        }
    }
}

/// A number too large to be meant ("1e400K", "x18446744073709551617").
fn too_large(word: &str) -> ParseError {
    bad_value(
        word,
        format!("\"{word}\" holds a number too large for battbot to read"),
        "numbers are read as written, exponents included (2e1C is 20C); limits apply to them as to any other",
    )
}

fn bad_value(text: &str, error: impl Into<String>, hint: impl Into<String>) -> ParseError {
    ParseError::new(
        ErrorKind::BadValue {
            text: text.to_string(),
        },
        error,
        hint,
    )
}

const VARY_HINT: &str = "write e.g. vary \"Electrode height [m]\" with the values [0.1, 0.4, 0.7]";
const VARY_FILLER: &[&str] = &[
    "with",
    "the",
    "values",
    "value",
    "of",
    "from",
    "over",
    "in",
    "-",
    "for",
    "to",
    "parameter",
];

struct Reader<'a> {
    toks: &'a [Token],
    para: &'a str,
    vocab: &'a Vocabulary,
    /// Squashed names (see `squash`) with what they stand for, built once per read.
    models: Vec<(String, String)>,
    sets: Vec<(String, String)>,
    verbs: Vec<(String, Verb)>,
    /// Each token's text squashed and lower-cased (without a leading `#`), computed once.
    squashed: Vec<String>,
    lowered: Vec<String>,
    req: Request,
    seg: Segment,
    /// How the last token read was used.
    used: Use,
}

/// How a token was used.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Use {
    Read,
    Skipped,
    Unknown,
}

/// Reads a request from the tokens of `para`.
pub(crate) fn read(toks: &[Token], para: &str, vocab: &Vocabulary) -> Result<Request, ParseError> {
    let mut models: Vec<(String, String)> = vocab
        .models
        .iter()
        .flat_map(|m| {
            std::iter::once(&m.canonical)
                .chain(&m.aliases)
                .map(move |a| (squash(a), m.canonical.clone()))
        })
        .collect();
    models.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
    let sets = vocab
        .parameter_sets
        .iter()
        .map(|s| (squash(&s.name), s.name.clone()))
        .collect();
    let verbs = registry::COMMANDS
        .iter()
        .flat_map(|c| c.words.iter().map(move |w| (squash(w), c.verb)))
        .collect();
    let mut r = Reader {
        toks,
        para,
        vocab,
        models,
        sets,
        verbs,
        squashed: toks.iter().map(|t| squash(&t.text)).collect(),
        lowered: toks
            .iter()
            .map(|t| t.text.trim_start_matches('#').to_lowercase())
            .collect(),
        req: Request::default(),
        seg: Segment::default(),
        used: Use::Read,
    };
    r.req.words = toks
        .iter()
        .filter(|t| t.kind == Kind::Word)
        .map(|t| t.text.trim_start_matches('#').to_lowercase())
        .collect();
    r.req.first_word = r.req.words.first().cloned();
    r.req.question = toks.iter().any(|t| t.is_punct('?'))
        || r.req.first_word.as_deref().is_some_and(is_question_word);
    r.req.courtesy = r.req.first_word.as_deref().is_some_and(is_courtesy);
    r.req.wh_question = r.req.first_word.as_deref().is_some_and(|w| {
        matches!(
            w,
            "what" | "what's" | "whats" | "which" | "how" | "why" | "when" | "where" | "who"
        )
    });
    let mut i = 0;
    while i < toks.len() {
        r.used = Use::Read;
        let next = r.token(i)?.max(i + 1);
        if r.used == Use::Read {
            let end = toks[next - 1].end;
            r.req.read.push(para[toks[i].start..end].trim().to_string());
        }
        i = next;
    }
    r.end_segment();
    Ok(r.req)
}

impl Reader<'_> {
    fn word(&self, i: usize) -> Option<&str> {
        self.toks
            .get(i)
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text.as_str())
    }

    fn lower(&self, i: usize) -> Option<&str> {
        self.word(i)?;
        self.lowered.get(i).map(String::as_str)
    }

    fn punct(&self, i: usize, cs: &[char]) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| cs.iter().any(|c| t.is_punct(*c)))
    }

    fn verb_of(&self, squashed: &str) -> Option<Verb> {
        self.verbs
            .iter()
            .find(|(w, _)| w == squashed)
            .map(|(_, v)| *v)
    }

    fn end_segment(&mut self) {
        let mut seg = std::mem::take(&mut self.seg);
        apply_bare(&mut seg);
        if !seg.is_empty() {
            self.req.segments.push(seg);
        }
    }

    /// Reads the token at `i` (and what belongs to it); returns the next index.
    fn token(&mut self, i: usize) -> Result<usize, ParseError> {
        let t = &self.toks[i];
        match t.kind {
            Kind::Punct('*') => {
                if let Some(w) = self.word(i + 1).filter(|w| overflows(w)) {
                    return Err(too_large(w));
                }
                if let Some(n) = self.word(i + 1).and_then(|w| w.parse::<u32>().ok()) {
                    self.set_cycles(n, &t.text)?;
                    return Ok(i + 2);
                }
                self.used = Use::Skipped;
                Ok(i + 1)
            }
            Kind::Punct(_) => {
                self.used = Use::Skipped;
                Ok(i + 1)
            }
            Kind::Quoted => self.quoted(i),
            Kind::Word => self.word_at(i),
        }
    }

    fn quoted(&mut self, i: usize) -> Result<usize, ParseError> {
        let text = self.toks[i].text.clone();
        if self.punct(i + 1, &['=', ':']) {
            let Some(v) = self.word(i + 2).and_then(number) else {
                return Err(bad_value(
                    &text,
                    format!("\"{text}\" = … needs a number"),
                    "write a parameter override as \"Electrode height [m]\"=0.1",
                ));
            };
            self.seg.params.insert(text, v);
            return Ok(i + 3);
        }
        if let Some(m) = self.vocab.model(&text) {
            push_unique(&mut self.seg.models, m.canonical.clone());
        } else if let Some(s) = self.vocab.set(&text) {
            push_unique(&mut self.seg.sets, s.name.clone());
        } else if looks_like_step(&text) {
            self.seg.steps.push(text);
        } else {
            self.unknown(Unknown {
                word: text,
                suggestion: None,
                hint: "quoted text is read as a step (\"Rest for 1 hour\"), a model, a parameter set, or a parameter name before =value".into(),
                set_like: false,
            });
        }
        Ok(i + 1)
    }

    fn set_cycles(&mut self, n: u32, text: &str) -> Result<(), ParseError> {
        if n == 0 {
            return Err(bad_value(
                text,
                "zero cycles simulates nothing",
                "repeat the steps with e.g. \"x3\" or \"3 cycles\"",
            ));
        }
        match self.seg.cycles {
            Some(old) if old != n => Err(ParseError::new(
                ErrorKind::Conflict {
                    what: "cycles".into(),
                },
                format!("two different cycle counts ({old} and {n})"),
                "give the number of cycles once, e.g. \"x3\"",
            )),
            _ => {
                self.seg.cycles = Some(n);
                Ok(())
            }
        }
    }

    fn word_at(&mut self, i: usize) -> Result<usize, ParseError> {
        let raw = self.toks[i].text.clone();
        let lower = raw.trim_start_matches('#').to_lowercase();
        if raw.starts_with('@') || lower.is_empty() {
            // Someone else's handle, or a lone '#'.
            self.used = Use::Skipped;
            return Ok(i + 1);
        }
        if lower == "vs" || lower == "versus" {
            self.end_segment();
            return Ok(i + 1);
        }
        if overflows(&lower) {
            return Err(too_large(&raw));
        }
        // Commands, one or two words.
        if self.word(i + 1).is_some() {
            let pair = format!("{}{}", self.squashed[i], self.squashed[i + 1]);
            if let Some(v) = self.verb_of(&pair) {
                self.note_verb(v);
                return Ok(i + 2);
            }
        }
        if let Some(v) = self.verb_of(&self.squashed[i]) {
            self.note_verb(v);
            if lower == "vary" {
                return self.vary(i);
            }
            return Ok(i + 1);
        }
        if matches!(lower.as_str(), "discharge" | "charge" | "hold" | "rest") {
            if let Some(end) = self.unquoted_step(i) {
                let text = self.para[self.toks[i].start..self.toks[end - 1].end].to_string();
                self.seg.steps.push(text);
                return Ok(end);
            }
        }
        if let Some(n) = self.model_at(i) {
            return Ok(i + n);
        }
        if let Some(n) = self.set_at(i) {
            return Ok(i + n);
        }
        if let Some(n) = self.temperature_at(i, &lower)? {
            return Ok(i + n);
        }
        if let Some((rate, value)) = rate_word(&raw) {
            self.push_rate(rate, value, &raw)?;
            return Ok(i + 1);
        }
        if let (Some(v), Some("c")) = (number(&lower), self.lower(i + 1)) {
            if v >= 0.0 {
                self.push_rate(format!("{lower}C"), v, &raw)?;
                return Ok(i + 2);
            }
        }
        if let Some(n) = cycles_word(&lower) {
            self.set_cycles(n, &raw)?;
            return Ok(i + 1);
        }
        // "x 3", "× 3"
        if matches!(lower.as_str(), "x" | "×") {
            if let Some(w) = self.word(i + 1).filter(|w| overflows(w)) {
                return Err(too_large(w));
            }
            if let Some(n) = self.word(i + 1).and_then(|w| w.parse::<u32>().ok()) {
                self.set_cycles(n, &raw)?;
                return Ok(i + 2);
            }
        }
        if let Ok(n) = lower.parse::<u32>() {
            if matches!(
                self.lower(i + 1),
                Some("cycles" | "cycle" | "times" | "x" | "×")
            ) {
                self.set_cycles(n, &raw)?;
                return Ok(i + 2);
            }
        }
        if lower == "cycles" && self.punct(i + 1, &['=', ':']) {
            if let Some(n) = self.word(i + 2).and_then(|w| w.parse::<u32>().ok()) {
                self.set_cycles(n, &raw)?;
                return Ok(i + 3);
            }
        }
        match lower.as_str() {
            "lumped" | "thermal" => {
                push_unique(&mut self.seg.thermals, Some("lumped".to_string()));
                return Ok(i + 1);
            }
            "isothermal" => {
                push_unique(&mut self.seg.thermals, None);
                return Ok(i + 1);
            }
            _ => {}
        }
        if let Some(word) = super::vocab::bare_option(&lower) {
            push_unique(&mut self.seg.bare, word);
            return Ok(i + 1);
        }
        if matches!(lower.as_str(), "plot" | "plots")
            && self.toks.get(i + 1).map(|t| t.kind) == Some(Kind::Quoted)
        {
            return self.plot(i);
        }
        if self.punct(i + 1, &['=', ':']) || self.punct(i + 2, &['=', ':']) {
            if let Some(n) = self.degradation_at(i, &lower)? {
                return Ok(i + n);
            }
        }
        if raw.starts_with('#') || is_filler(&lower) {
            // Hashtags that name nothing are tags, not words of the request.
            self.used = Use::Skipped;
            return Ok(i + 1);
        }
        let words: Vec<&str> = (i..(i + 2).min(self.toks.len()))
            .map_while(|k| self.word(k))
            .collect();
        if let Some((n, what)) = quantity_kind(&words) {
            let typed = words[..n].join(" ");
            self.unknown(Unknown {
                hint: format!("\"{typed}\" is {what}: it belongs in a quoted step, e.g. \"Discharge at 2 A for 3 hours\", \"Rest for 1 hour\", \"Hold at 4.2 V until 50 mA\""),
                word: typed,
                suggestion: None,
                set_like: false,
            });
            return Ok(i + n);
        }
        if self.punct(i + 1, &['=', ':']) {
            // A near miss of a key: "sie=reaction-limited", "cycels=3".
            let keys = DEGRADATION
                .iter()
                .map(|d| d.keys[0])
                .chain(["cycles", "temperature"]);
            if let Some(key) = closest(&lower, keys, 2).filter(|_| lower.len() >= 3) {
                let end = if self.word(i + 2).is_some() {
                    i + 3
                } else {
                    i + 2
                };
                let typed = self.para[self.toks[i].start..self.toks[end - 1].end].to_string();
                self.unknown(Unknown {
                    word: typed,
                    suggestion: Some(key.to_string()),
                    hint: format!("did you mean {key}? Options are written key=value, e.g. sei=reaction-limited, plating=irreversible, cycles=3, T=25C"),
                    set_like: false,
                });
                return Ok(end);
            }
        }
        if matches!(lower.as_str(), "rest" | "hold") {
            self.unknown(Unknown {
                word: raw,
                suggestion: None,
                hint: "a step is written in full, as PyBaMM does: \"Rest for 1 hour\", \"Hold at 4.2 V until C/50\"".into(),
                set_like: false,
            });
            return Ok(i + 1);
        }
        let u = explain(&raw, &lower, self.vocab);
        self.unknown(u);
        Ok(i + 1)
    }

    fn unknown(&mut self, u: Unknown) {
        self.used = Use::Unknown;
        self.req.unknown.push(u);
    }

    fn note_verb(&mut self, v: Verb) {
        let upgrade =
            self.req.verb == Some(Verb::Help) && matches!(v, Verb::Simulate | Verb::Compare);
        if self.req.verb.is_none()
            || upgrade
            || (self.req.verb == Some(Verb::Simulate) && v == Verb::Compare)
        {
            self.req.verb = Some(v);
        }
    }

    fn push_rate(&mut self, rate: String, value: f64, raw: &str) -> Result<(), ParseError> {
        if value <= 0.0 {
            return Err(bad_value(
                raw,
                format!("{raw} is not a C-rate battbot can run"),
                "a C-rate is positive: 1C, 0.5C, C/10",
            ));
        }
        push_unique(&mut self.seg.rates, rate);
        Ok(())
    }

    /// `Discharge at 1C until 2.5 V` typed without quotes: returns the index after it.
    fn unquoted_step(&self, i: usize) -> Option<usize> {
        let verb = self.lower(i)?;
        let mut j = i + 1;
        let mut first = None;
        let mut ends = false;
        while let Some(w) = self.lower(j) {
            if (w == "or" || w == "and") && first.is_some() {
                match self.lower(j + 1) {
                    Some("for" | "until") => {
                        j += 1;
                        continue;
                    }
                    _ => break,
                }
            }
            if !matches!(w, "at" | "for" | "until") {
                break;
            }
            let words: Vec<&str> = (j + 1..(j + 3).min(self.toks.len()))
                .map_while(|k| self.word(k))
                .collect();
            let Some(n) = quantity_words(&words) else {
                break;
            };
            first.get_or_insert(w);
            ends |= w != "at";
            j += 1 + n;
        }
        let starts_ok = verb == "rest" || first == Some("at");
        (ends && starts_ok).then_some(j)
    }

    fn model_at(&mut self, i: usize) -> Option<usize> {
        let mut joined = String::new();
        let mut best = None;
        for n in 1..=6 {
            // Words without letters or digits (emoji, dashes) join no name.
            if self.word(i + n - 1).is_none() || self.squashed[i + n - 1].is_empty() {
                break;
            }
            joined.push_str(&self.squashed[i + n - 1]);
            if let Some((_, canonical)) = self.models.iter().find(|(s, _)| *s == joined) {
                best = Some((n, canonical.clone()));
            }
        }
        let (n, canonical) = best?;
        push_unique(&mut self.seg.models, canonical);
        Some(n)
    }

    fn set_at(&mut self, i: usize) -> Option<usize> {
        let mut joined = String::new();
        let mut best = None;
        for n in 1..=3 {
            // Words without letters or digits (emoji, dashes) join no name.
            if self.word(i + n - 1).is_none() || self.squashed[i + n - 1].is_empty() {
                break;
            }
            joined.push_str(&self.squashed[i + n - 1]);
            if let Some((_, name)) = self.sets.iter().find(|(s, _)| *s == joined) {
                best = Some((n, name.clone()));
            }
        }
        let (n, name) = best?;
        push_unique(&mut self.seg.sets, name);
        Some(n)
    }

    fn temperature_at(&mut self, i: usize, lower: &str) -> Result<Option<usize>, ParseError> {
        // T=10C, T = 283 K, temperature: 10°C
        let mut at = i;
        let mut c_is_celsius = false;
        if matches!(lower, "t" | "temp" | "temperature" | "ambient")
            && self.punct(i + 1, &['=', ':'])
        {
            at = i + 2;
            c_is_celsius = true;
        }
        let found = self.lower(at).and_then(|w| {
            let (num, rest) = split_number(w)?;
            let n = number(num)?;
            // The unit: the rest of the word and up to two more words, longest first.
            let mut best = None;
            let mut unit = rest.to_string();
            for extra in 0..=2 {
                if extra > 0 {
                    match self.lower(at + extra) {
                        Some(w) => unit.push_str(w),
                        None => break,
                    }
                }
                if unit.is_empty() {
                    if c_is_celsius {
                        best = Some((n, at + 1)); // `T=25`: °C
                    }
                    continue;
                }
                if let Some(kelvin) = temperature_unit(&unit, c_is_celsius) {
                    let c = if kelvin { kelvin_to_celsius(n) } else { n };
                    best = Some((c, at + 1 + extra));
                }
            }
            best
        });
        match found {
            Some((c, end)) => {
                push_unique(&mut self.seg.temps, c);
                Ok(Some(end - i))
            }
            None if c_is_celsius => Err(bad_value(
                lower,
                format!(
                    "cannot read the temperature after \"{}=\"",
                    self.toks[i].text
                ),
                "write e.g. T=10C, T=283K or at 10°C",
            )),
            None => Ok(None),
        }
    }

    fn degradation_at(&mut self, i: usize, lower: &str) -> Result<Option<usize>, ParseError> {
        let (d, key_words) = match degradation_key(lower) {
            Some(d) => (d, 1),
            None => match self
                .lower(i + 1)
                .and_then(|n| degradation_key(&format!("{lower}{n}")))
            {
                Some(d) => (d, 2),
                None => return Ok(None),
            },
        };
        let eq = i + key_words;
        if !self.punct(eq, &['=', ':']) {
            return Ok(None);
        }
        // The longest run of words (and parentheses) naming a value: "reaction limited (asymmetric)".
        let mut typed = String::new();
        let mut best = None;
        for n in 1..=6 {
            let Some(t) = self.toks.get(eq + n) else {
                break;
            };
            if t.kind == Kind::Quoted || matches!(t.kind, Kind::Punct(c) if c != '(' && c != ')') {
                break;
            }
            typed.push(' ');
            typed.push_str(&t.text);
            if let Some(v) = degradation_value(d, &typed) {
                best = Some((n, v));
            }
        }
        if let Some((n, v)) = best {
            self.seg.options.insert(d.option.to_string(), v.into());
            return Ok(Some(key_words + 1 + n));
        }
        let typed = self.word(eq + 1).unwrap_or("").to_string();
        let values: Vec<String> = d
            .values
            .iter()
            .map(|v| super::vocab::degradation_typed(v))
            .collect();
        let suggestion = closest(&typed, values.iter().map(String::as_str), 3)
            .map(|s| format!("did you mean {s}? "))
            .unwrap_or_default();
        Err(bad_value(
            &typed,
            format!("unknown {} option \"{typed}\"", d.option),
            format!("{suggestion}{} can be: {}", d.option, values.join(", ")),
        ))
    }

    /// `plot "NAME"` (or `plot "A", "B" and "C"`): each quoted name after the first holds
    /// its unit in brackets (a step never does). The count limit holds before any matching.
    fn plot(&mut self, i: usize) -> Result<usize, ParseError> {
        let mut j = i + 1;
        let mut first = true;
        loop {
            let quoted = |k: usize| {
                self.toks
                    .get(k)
                    .filter(|t| t.kind == Kind::Quoted && (first || t.text.contains('[')))
                    .map(|t| t.text.clone())
            };
            if let Some(text) = quoted(j) {
                self.req.plots_asked += 1;
                if self.req.plots_asked > super::plot::MAX_PLOTS {
                    let asked = self.plots_in_request();
                    return Err(super::plot::too_many(asked));
                }
                let name = super::plot::variable(&text)?;
                push_unique(&mut self.req.plots, name.to_string());
                first = false;
                j += 1;
            } else if !first
                && (self.punct(j, &[',']) || self.lower(j) == Some("and"))
                && quoted(j + 1).is_some()
            {
                j += 1;
            } else {
                return Ok(j);
            }
        }
    }

    /// The quoted texts after `plot` words in the whole request (cheap: no name is matched).
    fn plots_in_request(&self) -> usize {
        (0..self.toks.len())
            .filter(|&k| {
                self.toks[k].kind == Kind::Quoted
                    && (k > 0 && matches!(self.lowered[k - 1].as_str(), "plot" | "plots"))
            })
            .count()
            .max(self.req.plots_asked)
    }

    /// `vary "Name" [with the values] [0.1, 0.4, 0.7]`.
    fn vary(&mut self, i: usize) -> Result<usize, ParseError> {
        let mut j = i + 1;
        while j < self.toks.len() && j <= i + 3 && self.toks[j].kind != Kind::Quoted {
            j += 1;
        }
        if self.toks.get(j).map(|t| t.kind) != Some(Kind::Quoted) {
            return Err(bad_value(
                "vary",
                "vary needs a quoted parameter name and a list of values",
                VARY_HINT,
            ));
        }
        let name = self.toks[j].text.clone();
        let mut k = j + 1;
        while k < self.toks.len() {
            let skip = self.punct(k, &[',', ':', '–', '—', '='])
                || self.lower(k).is_some_and(|w| VARY_FILLER.contains(&w));
            if !skip {
                break;
            }
            k += 1;
        }
        let mut values = Vec::new();
        let bracket = self.punct(k, &['[', '(']);
        if bracket {
            k += 1;
        }
        while k < self.toks.len() {
            if let Some(v) = self.word(k).and_then(number) {
                push_unique(&mut values, v);
                k += 1;
            } else if self.punct(k, &[',']) {
                k += 1;
            } else if bracket && self.punct(k, &[']', ')']) {
                k += 1;
                break;
            } else {
                break;
            }
        }
        if values.is_empty() {
            return Err(bad_value(
                &name,
                format!("vary \"{name}\" needs a list of values"),
                VARY_HINT,
            ));
        }
        if let Some((old, _)) = &self.seg.vary {
            if *old != name {
                return Err(ParseError::new(
                    ErrorKind::Conflict {
                        what: "vary".into(),
                    },
                    format!("vary one parameter at a time (\"{old}\" and \"{name}\")"),
                    "compare one parameter's values per command",
                ));
            }
        }
        self.seg.vary = Some((name, values));
        Ok(k)
    }
}
