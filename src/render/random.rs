//! BattBot's random comparisons, reproducible from a seed: a model comparison (same set,
//! 2–3 models) or a parameter comparison (same model, 2–3 sets, C-rates or temperatures),
//! with experiments inside each parameter set's voltage window.

use serde::Serialize;

/// What the generator may pick from.
#[derive(Clone, Debug, PartialEq)]
pub struct Catalog {
    pub models: Vec<String>,
    /// Name, lower and upper voltage cut-off [V].
    pub sets: Vec<(String, f64, f64)>,
    /// Whether the solver has the lumped thermal model (else every run is isothermal).
    pub lumped_thermal: bool,
}

impl Default for Catalog {
    /// The three models and Chen2020 (2.5–4.2 V); also used for an empty catalog's gaps.
    fn default() -> Self {
        Catalog {
            models: vec!["SPM".into(), "SPMe".into(), "DFN".into()],
            sets: vec![("Chen2020".into(), 2.5, 4.2)],
            lumped_thermal: true,
        }
    }
}

/// The kind of comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    ModelComparison,
    ParameterComparison,
}

/// A render spec (DESIGN §4 "R.json"): a title and the runs (each a simulation spec).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RandomSpec {
    pub title: String,
    pub kind: Kind,
    pub runs: Vec<serde_json::Value>,
}

/// SplitMix64: small, fast and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            ((self.next_u64() as u128 * n as u128) >> 64) as usize
        }
    }

    /// `k` distinct indices out of `n`, in random order.
    pub fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + self.below(n - i);
            idx.swap(i, j);
        }
        idx.truncate(k.min(n));
        idx
    }
}

/// C-rates as PyBaMM step strings write them.
const C_RATES: [(f64, &str); 4] = [(0.5, "C/2"), (1.0, "1C"), (1.5, "1.5C"), (2.0, "2C")];
const TEMPERATURES_C: [f64; 5] = [5.0, 15.0, 25.0, 35.0, 45.0];

fn volts(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The experiment shapes, all ending at the set's own cut-offs.
#[derive(Clone, Copy)]
enum Shape {
    Discharge,
    DischargeRest,
    Cycle,
}

fn experiment(shape: Shape, set: &(String, f64, f64), rate: &str) -> Vec<String> {
    let (lower, upper) = (volts(set.1), volts(set.2));
    let discharge = format!("Discharge at {rate} until {lower} V");
    match shape {
        Shape::Discharge => vec![discharge],
        Shape::DischargeRest => vec![discharge, "Rest for 1 hour".into()],
        Shape::Cycle => vec![
            discharge,
            "Rest for 20 minutes".into(),
            format!("Charge at C/2 until {upper} V"),
            format!("Hold at {upper} V until C/20"),
        ],
    }
}

fn shape_name(shape: Shape) -> &'static str {
    match shape {
        Shape::Discharge => "discharge",
        Shape::DischargeRest => "discharge and rest",
        Shape::Cycle => "discharge–charge cycle",
    }
}

fn spec(
    model: &str,
    set: &(String, f64, f64),
    exp: Vec<String>,
    lumped: bool,
    t: f64,
) -> serde_json::Value {
    serde_json::json!({
        "model": model,
        "parameter_set": set.0,
        "experiment": exp,
        "thermal": if lumped { "lumped" } else { "isothermal" },
        "ambient_temperature_C": t,
    })
}

/// A random comparison of `catalog`'s models and sets, the same for the same seed; the
/// seed is in the title so any post can be regenerated.
pub fn random_comparison(seed: u64, catalog: &Catalog) -> RandomSpec {
    let fallback = Catalog::default();
    let models = if catalog.models.is_empty() {
        &fallback.models
    } else {
        &catalog.models
    };
    let sets = if catalog.sets.is_empty() {
        &fallback.sets
    } else {
        &catalog.sets
    };
    let mut rng = Rng::new(seed);
    let n_runs = 2 + rng.below(2);
    let shape = [Shape::Discharge, Shape::DischargeRest, Shape::Cycle][rng.below(3)];
    let set = &sets[rng.below(sets.len())];
    let (_, rate) = C_RATES[rng.below(C_RATES.len())];
    let temp = TEMPERATURES_C[rng.below(TEMPERATURES_C.len())];
    let lumped = rng.below(3) == 0 && catalog.lumped_thermal;
    let thermal = if lumped { ", lumped thermal" } else { "" };
    let what = shape_name(shape);
    let kind = if models.len() >= 2 && rng.below(2) == 0 {
        Kind::ModelComparison
    } else {
        Kind::ParameterComparison
    };
    let (title, runs) = match kind {
        Kind::ModelComparison => {
            let mut picked = rng.distinct(models.len(), n_runs);
            picked.sort_unstable();
            let runs = picked
                .iter()
                .map(|&i| spec(&models[i], set, experiment(shape, set, rate), lumped, temp))
                .collect();
            let names: Vec<&str> = picked.iter().map(|&i| models[i].as_str()).collect();
            (
                format!(
                    "{} · {} · {rate} {what} at {temp} °C{thermal} · seed {seed}",
                    names.join(" vs "),
                    set.0
                ),
                runs,
            )
        }
        Kind::ParameterComparison => {
            let model = &models[rng.below(models.len())];
            let choice = if sets.len() >= 2 {
                rng.below(3)
            } else {
                1 + rng.below(2)
            };
            match choice {
                0 => {
                    let picked = rng.distinct(sets.len(), n_runs);
                    let runs = picked
                        .iter()
                        .map(|&i| {
                            spec(
                                model,
                                &sets[i],
                                experiment(shape, &sets[i], rate),
                                lumped,
                                temp,
                            )
                        })
                        .collect();
                    let names: Vec<&str> = picked.iter().map(|&i| sets[i].0.as_str()).collect();
                    (
                        format!(
                            "{model} · {} · {rate} {what} at {temp} °C{thermal} · seed {seed}",
                            names.join(" vs ")
                        ),
                        runs,
                    )
                }
                1 => {
                    let mut picked = rng.distinct(C_RATES.len(), n_runs);
                    picked.sort_unstable();
                    let runs = picked
                        .iter()
                        .map(|&i| {
                            spec(
                                model,
                                set,
                                experiment(shape, set, C_RATES[i].1),
                                lumped,
                                temp,
                            )
                        })
                        .collect();
                    let names: Vec<&str> = picked.iter().map(|&i| C_RATES[i].1).collect();
                    (
                        format!(
                            "{model} · {} · {what} at {} at {temp} °C{thermal} · seed {seed}",
                            set.0,
                            names.join(" vs ")
                        ),
                        runs,
                    )
                }
                _ => {
                    let mut picked = rng.distinct(TEMPERATURES_C.len(), n_runs);
                    picked.sort_unstable();
                    // Temperature matters most with the cell heating itself: lumped if we can.
                    let lumped = catalog.lumped_thermal;
                    let thermal = if lumped { ", lumped thermal" } else { "" };
                    let runs = picked
                        .iter()
                        .map(|&i| {
                            spec(
                                model,
                                set,
                                experiment(shape, set, rate),
                                lumped,
                                TEMPERATURES_C[i],
                            )
                        })
                        .collect();
                    let names: Vec<String> = picked
                        .iter()
                        .map(|&i| format!("{} °C", TEMPERATURES_C[i]))
                        .collect();
                    (
                        format!(
                            "{model} · {} · {rate} {what} at {}{thermal} · seed {seed}",
                            set.0,
                            names.join(" vs ")
                        ),
                        runs,
                    )
                }
            }
        }
    };
    RandomSpec { title, kind, runs }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_its_reference_sequence() {
        // First outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn an_empty_catalog_still_yields_a_valid_comparison() {
        let empty = Catalog {
            models: vec![],
            sets: vec![],
            lumped_thermal: false,
        };
        for seed in 0..50 {
            let s = random_comparison(seed, &empty);
            assert!((2..=3).contains(&s.runs.len()));
            assert_eq!(s.runs[0]["parameter_set"], "Chen2020");
            assert!(s.runs.iter().all(|r| r["thermal"] == "isothermal"));
        }
    }

    #[test]
    fn rates_and_volts_are_written_as_pybamm_reads_them() {
        assert_eq!(volts(2.5), "2.5");
        assert_eq!(volts(3.105), "3.105");
        assert_eq!(volts(4.0), "4");
    }
}
