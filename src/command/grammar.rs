//! Reads the tokens of a request into a `Request`: the command word and, per `vs`-separated
//! segment, the models, sets, steps, C-rates, temperatures and options it names, in any order.

use std::collections::BTreeMap;

use super::error::{ErrorKind, ParseError};
use super::lexer::{Kind, Token};
use super::registry::{self, Verb};
use super::steps::{quantity_words, step_word_suggestion};
use super::suggest::suspect;
use super::vocab::{closest, degradation_key, degradation_value, squash, Vocabulary};

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
    pub options: BTreeMap<String, String>,
    pub params: BTreeMap<String, f64>,
    pub vary: Option<(String, Vec<f64>)>,
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
    /// The first word that looks like a typo of a name the bot knows.
    pub suspect: Option<ParseError>,
}

impl Request {
    pub fn has_content(&self) -> bool {
        !self.segments.is_empty()
    }
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// A plain number ("0.4", "-5", "1e-5"), never "inf" or "NaN".
pub(crate) fn number(s: &str) -> Option<f64> {
    let s = s.replace('−', "-");
    let first = s.chars().next()?;
    if !(first.is_ascii_digit() || first == '-' || first == '+' || first == '.') {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn kelvin_to_celsius(k: f64) -> f64 {
    ((k - 273.15) * 1e6).round() / 1e6
}

const CELSIUS_SUFFIXES: &[&str] = &["°c", "ºc", "℃", "degc", "°", "º", "celsius", "degrees"];

/// A temperature written as one word ("10°C", "298K", "-5degC"; "10C" only after `T=`).
fn temperature_word(lower: &str, c_is_celsius: bool) -> Option<f64> {
    for suffix in CELSIUS_SUFFIXES {
        if let Some(n) = lower.strip_suffix(suffix).and_then(number) {
            return Some(n);
        }
    }
    if let Some(n) = lower.strip_suffix('k').and_then(number) {
        return Some(kelvin_to_celsius(n));
    }
    if c_is_celsius {
        return lower.strip_suffix('c').and_then(number);
    }
    None
}

/// A unit word after a number: (is kelvin, words used).
fn temperature_unit(words: &[&str], c_is_celsius: bool) -> Option<(bool, usize)> {
    let first = *words.first()?;
    match first {
        "°c" | "ºc" | "℃" | "degc" | "celsius" | "°" | "º" => Some((false, 1)),
        "deg" | "degree" | "degrees" => match words.get(1) {
            Some(&"c") | Some(&"celsius") => Some((false, 2)),
            _ => Some((false, 1)),
        },
        "k" | "kelvin" => Some((true, 1)),
        "c" if c_is_celsius => Some((false, 1)),
        _ => None,
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

/// A repeat count: "x3", "×3", "3x".
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
    };
    let mut i = 0;
    while i < toks.len() {
        i = r.token(i)?;
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
        let seg = std::mem::take(&mut self.seg);
        if !seg.is_empty() {
            self.req.segments.push(seg);
        }
    }

    /// Reads the token at `i` (and what belongs to it); returns the next index.
    fn token(&mut self, i: usize) -> Result<usize, ParseError> {
        let t = &self.toks[i];
        match t.kind {
            Kind::Punct('*') => {
                if let Some(n) = self.word(i + 1).and_then(|w| w.parse::<u32>().ok()) {
                    self.set_cycles(n, &t.text)?;
                    return Ok(i + 2);
                }
                Ok(i + 1)
            }
            Kind::Punct(_) => Ok(i + 1),
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
        }
        // Other quoted text ("it's 'fast'") is prose.
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
        if raw.starts_with('@') {
            return Ok(i + 1); // someone else's handle
        }
        let lower = raw.trim_start_matches('#').to_lowercase();
        if lower.is_empty() {
            return Ok(i + 1);
        }
        if lower == "vs" || lower == "versus" {
            self.end_segment();
            return Ok(i + 1);
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
        if self.punct(i + 1, &['=', ':']) || self.punct(i + 2, &['=', ':']) {
            if let Some(n) = self.degradation_at(i, &lower)? {
                return Ok(i + n);
            }
        }
        if self.req.suspect.is_none() {
            self.req.suspect = suspect(&raw, &lower, self.vocab);
        }
        Ok(i + 1)
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
            if self.word(i + n - 1).is_none() {
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
            if self.word(i + n - 1).is_none() {
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
        let Some(w) = self.lower(at) else {
            return Ok(None);
        };
        let found = if let Some(c) = temperature_word(w, c_is_celsius) {
            Some((c, at + 1))
        } else if let Some(n) = number(w) {
            let units: Vec<&str> = (at + 1..at + 3).map_while(|k| self.lower(k)).collect();
            match temperature_unit(&units, c_is_celsius) {
                Some((kelvin, used)) => {
                    let c = if kelvin { kelvin_to_celsius(n) } else { n };
                    Some((c, at + 1 + used))
                }
                // `T=25`: a bare number after `T=` is in °C.
                None if c_is_celsius => Some((n, at + 1)),
                None => None,
            }
        } else {
            None
        };
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
            self.seg.options.insert(d.option.to_string(), v.to_string());
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
