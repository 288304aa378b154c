//! BattBot's random comparisons, reproducible from a seed: a model comparison (same set,
//! 2–3 models) or a parameter comparison (same model, 2–3 sets, C-rates or temperatures),
//! with experiments that make sense for each set's voltage window.

use serde::Serialize;

/// What the generator may pick from.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub models: Vec<String>,
    /// Name, lower and upper voltage cut-off [V].
    pub sets: Vec<(String, f64, f64)>,
}

/// The kind of comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    ModelComparison,
    ParameterComparison,
}

/// A render spec (DESIGN §4 "R.json"): a title and the runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RandomSpec {
    pub title: String,
    pub kind: Kind,
    pub runs: Vec<serde_json::Value>,
}

/// SplitMix64.
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

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }

    /// `k` distinct indices out of `n`.
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

fn c_rate(c: f64) -> String {
    let inverse = 1.0 / c;
    if c < 1.0 && (inverse - inverse.round()).abs() < 1e-9 {
        format!("C/{}", inverse.round())
    } else {
        format!("{c}C")
    }
}

/// Experiments within the set's window: a discharge, or a discharge–rest–charge cycle.
fn experiment(rng: &mut Rng, lower: f64, upper: f64, c: f64) -> Vec<String> {
    let lower = format!("{:.2}", lower)
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string();
    let upper = format!("{:.2}", upper)
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string();
    match rng.below(3) {
        0 | 1 => vec![format!("Discharge at {} until {lower} V", c_rate(c))],
        _ => vec![
            format!("Discharge at {} until {lower} V", c_rate(c)),
            "Rest for 20 minutes".to_string(),
            format!("Charge at {} until {upper} V", c_rate((c / 2.0).max(0.5))),
        ],
    }
}

const C_RATES: [f64; 4] = [0.5, 1.0, 1.5, 2.0];
const TEMPERATURES_C: [f64; 5] = [5.0, 15.0, 25.0, 35.0, 45.0];

/// A random comparison of `catalog`'s models and sets, the same for the same seed.
pub fn random_comparison(seed: u64, catalog: &Catalog) -> RandomSpec {
    let mut rng = Rng::new(seed);
    let n_runs = 2 + rng.below(2);
    let kind = if catalog.models.len() >= 2 && rng.below(2) == 0 {
        Kind::ModelComparison
    } else {
        Kind::ParameterComparison
    };
    let run = |model: &str, set: &(String, f64, f64), exp: &[String], temp: f64| {
        serde_json::json!({
            "model": model, "parameter_set": set.0, "experiment": exp,
            "ambient_temperature_C": temp,
        })
    };
    let set = rng.pick(&catalog.sets).clone();
    let c = *rng.pick(&C_RATES);
    let temp = *rng.pick(&TEMPERATURES_C);
    let (title, runs) = match kind {
        Kind::ModelComparison => {
            let exp = experiment(&mut rng, set.1, set.2, c);
            let models: Vec<&String> = rng
                .distinct(catalog.models.len(), n_runs)
                .into_iter()
                .map(|i| &catalog.models[i])
                .collect();
            let runs = models.iter().map(|m| run(m, &set, &exp, temp)).collect();
            (
                format!(
                    "Model comparison · {} · {} at {temp} °C · seed {seed}",
                    set.0,
                    c_rate(c)
                ),
                runs,
            )
        }
        Kind::ParameterComparison => {
            let model = rng.pick(&catalog.models).clone();
            match rng.below(3) {
                0 if catalog.sets.len() >= 2 => {
                    let sets: Vec<&(String, f64, f64)> = rng
                        .distinct(catalog.sets.len(), n_runs)
                        .into_iter()
                        .map(|i| &catalog.sets[i])
                        .collect();
                    let runs = sets
                        .iter()
                        .map(|s| {
                            run(
                                &model,
                                s,
                                &[format!("Discharge at {} until {} V", c_rate(c), s.1)],
                                temp,
                            )
                        })
                        .collect();
                    (
                        format!("{model}: parameter sets at {} · seed {seed}", c_rate(c)),
                        runs,
                    )
                }
                1 => {
                    let rates: Vec<f64> = rng
                        .distinct(C_RATES.len(), n_runs)
                        .into_iter()
                        .map(|i| C_RATES[i])
                        .collect();
                    let runs = rates
                        .iter()
                        .map(|&r| {
                            run(
                                &model,
                                &set,
                                &[format!("Discharge at {} until {} V", c_rate(r), set.1)],
                                temp,
                            )
                        })
                        .collect();
                    (format!("{model} · {}: C-rates · seed {seed}", set.0), runs)
                }
                _ => {
                    let temps: Vec<f64> = rng
                        .distinct(TEMPERATURES_C.len(), n_runs)
                        .into_iter()
                        .map(|i| TEMPERATURES_C[i])
                        .collect();
                    let exp = experiment(&mut rng, set.1, set.2, c);
                    let runs = temps.iter().map(|&t| run(&model, &set, &exp, t)).collect();
                    (
                        format!("{model} · {}: temperatures · seed {seed}", set.0),
                        runs,
                    )
                }
            }
        }
    };
    RandomSpec { title, kind, runs }
}
