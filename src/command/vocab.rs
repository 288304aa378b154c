//! Defines the names the parser recognises — models with their aliases, built-in
//! parameter sets with their PyBaMM cut-offs, degradation options — and "did you mean" lookups.

use serde::{Deserialize, Serialize};

/// A model: its canonical name and the other ways users write it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelEntry {
    /// `SPM`, `SPMe` or `DFN`.
    pub canonical: String,
    /// Full names and spellings (matched case-insensitively, hyphens as spaces).
    pub aliases: Vec<String>,
}

/// A built-in parameter set with what the parser needs of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetEntry {
    pub name: String,
    /// PyBaMM's "Lower voltage cut-off [V]": the default discharge ends there.
    pub lower_cutoff_v: f64,
    /// PyBaMM's "Upper voltage cut-off [V]".
    pub upper_cutoff_v: f64,
    /// PyBaMM's "Nominal cell capacity [A.h]": turns amperes and watts into C-rates for limits.
    pub nominal_capacity_ah: f64,
}

/// Every model and parameter-set name the parser accepts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vocabulary {
    pub models: Vec<ModelEntry>,
    pub parameter_sets: Vec<SetEntry>,
}

/// A degradation option: the key users type, PyBaMM's option name, and its values.
pub struct DegradationOption {
    /// Words users type before `=` (normalised: lower case, letters and digits only).
    pub keys: &'static [&'static str],
    /// PyBaMM's option name, the key in `SimSpec::options`.
    pub option: &'static str,
    /// PyBaMM's values for it.
    pub values: &'static [&'static str],
    /// What users type, for help and canonical text.
    pub example: &'static str,
}

/// The degradation options a command may set (PyBaMM's option names and values).
pub const DEGRADATION: &[DegradationOption] = &[
    DegradationOption {
        keys: &["sei"],
        option: "SEI",
        values: crate::sim::models::degradation::SEI_VALUES,
        example: "sei=reaction-limited",
    },
    DegradationOption {
        keys: &["plating", "lithiumplating", "liplating"],
        option: "lithium plating",
        values: crate::sim::models::degradation::PLATING_VALUES,
        example: "plating=irreversible",
    },
    DegradationOption {
        keys: &["lam", "lossofactivematerial"],
        option: "loss of active material",
        values: crate::sim::models::mechanics::LAM_VALUES,
        example: "lam=stress-driven",
    },
    DegradationOption {
        keys: &["mechanics", "particlemechanics"],
        option: "particle mechanics",
        values: crate::sim::models::mechanics::MECHANICS_VALUES,
        example: "mechanics=swelling-and-cracking",
    },
    DegradationOption {
        keys: &["sei-on-cracks"],
        option: "SEI on cracks",
        values: crate::sim::models::degradation_options::BOOL_VALUES,
        example: "sei-on-cracks=true",
    },
    DegradationOption {
        keys: &["sei-porosity-change"],
        option: "SEI porosity change",
        values: crate::sim::models::degradation_options::BOOL_VALUES,
        example: "sei-porosity-change=true",
    },
    DegradationOption {
        keys: &["plating-porosity-change", "lithium-plating-porosity-change"],
        option: "lithium plating porosity change",
        values: crate::sim::models::degradation_options::BOOL_VALUES,
        example: "plating-porosity-change=true",
    },
];

/// Bare words that switch on a group of PyBaMM options (#25), as users type them.
pub const BARE_OPTIONS: &[(&str, &str)] = &[
    (
        "cracking",
        "\"particle mechanics\": \"swelling and cracking\", with \"SEI on cracks\": \"true\" when an SEI model is on",
    ),
    (
        "porosity-change",
        "\"SEI porosity change\": \"true\", with \"lithium plating porosity change\": \"true\" when plating is on",
    ),
];

/// The bare option `word` names (`cracking`, `porosity-change`; punctuation and case aside).
pub(crate) fn bare_option(word: &str) -> Option<&'static str> {
    let key = squash(word);
    BARE_OPTIONS
        .iter()
        .map(|(w, _)| *w)
        .find(|w| squash(w) == key)
}

/// Lower case, letters and digits only: "O'Kane 2022" and "okane2022" compare equal.
pub(crate) fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Vocabulary {
    /// SPM, SPMe, DFN and PyBaMM's lithium-ion sets (cut-offs and capacities from
    /// PyBaMM's `input/parameters/lithium_ion/*.py`).
    pub fn builtin() -> Self {
        let model = |canonical: &str, aliases: &[&str]| ModelEntry {
            canonical: canonical.to_string(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
        };
        let set = |name: &str, lower: f64, upper: f64, cap: f64| SetEntry {
            name: name.to_string(),
            lower_cutoff_v: lower,
            upper_cutoff_v: upper,
            nominal_capacity_ah: cap,
        };
        Vocabulary {
            models: vec![
                model(
                    "SPM",
                    &[
                        "Single particle model",
                        "Single particle",
                        "Single-particle model",
                    ],
                ),
                model(
                    "SPMe",
                    &[
                        "Single particle model with electrolyte",
                        "Single-particle model with electrolyte",
                        "Single particle with electrolyte",
                        "SPM with electrolyte",
                    ],
                ),
                model(
                    "DFN",
                    &[
                        "Doyle-Fuller-Newman model",
                        "Doyle-Fuller-Newman",
                        "Doyle Fuller Newman",
                        "Newman model",
                        "pseudo-2D model",
                        "P2D",
                    ],
                ),
            ],
            parameter_sets: vec![
                set("Chen2020", 2.5, 4.2, 5.0),
                set("Marquis2019", 3.105, 4.1, 0.680616),
                set("Ai2020", 3.0, 4.2, 2.28),
                set("Ecker2015", 2.5, 4.2, 0.15625),
                set("Mohtat2020", 2.8, 4.2, 5.0),
                set("Prada2013", 2.0, 3.6, 2.3),
                set("OKane2022", 2.5, 4.2, 5.0),
                set("ORegan2022", 2.5, 4.4, 5.0),
                set("NCA_Kim2011", 2.7, 4.2, 0.43),
            ],
        }
    }

    /// The set called `name` (case-insensitive, punctuation ignored).
    pub fn set(&self, name: &str) -> Option<&SetEntry> {
        let key = squash(name);
        self.parameter_sets.iter().find(|s| squash(&s.name) == key)
    }

    /// The model whose canonical name or alias is `name` (case-insensitive).
    pub fn model(&self, name: &str) -> Option<&ModelEntry> {
        let key = squash(name);
        self.models
            .iter()
            .find(|m| squash(&m.canonical) == key || m.aliases.iter().any(|a| squash(a) == key))
    }

    pub fn model_names(&self) -> Vec<&str> {
        self.models.iter().map(|m| m.canonical.as_str()).collect()
    }

    pub fn set_names(&self) -> Vec<&str> {
        self.parameter_sets
            .iter()
            .map(|s| s.name.as_str())
            .collect()
    }
}

impl Default for Vocabulary {
    fn default() -> Self {
        Self::builtin()
    }
}

/// The degradation option whose key is `word`, if any.
pub(crate) fn degradation_key(word: &str) -> Option<&'static DegradationOption> {
    let key = squash(word);
    DEGRADATION
        .iter()
        .find(|d| d.keys.iter().any(|k| squash(k) == key))
}

/// PyBaMM's spelling of `value` for option `d` ("reaction-limited" → "reaction limited").
pub(crate) fn degradation_value(d: &DegradationOption, value: &str) -> Option<&'static str> {
    let key = squash(value);
    d.values.iter().copied().find(|v| squash(v) == key)
}

/// How users type a PyBaMM option value: one word, spaces as hyphens, no parentheses
/// ("reaction limited (asymmetric)" → "reaction-limited-asymmetric").
pub(crate) fn degradation_typed(value: &str) -> String {
    value.replace(['(', ')'], "").replace(' ', "-")
}

/// Optimal-string-alignment distance (a transposition costs 1), case-insensitive.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(&a.to_lowercase(), &b.to_lowercase())
}

/// The candidate closest to `word` within `max` edits, if any.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
