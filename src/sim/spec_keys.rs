//! The keys of a simulation spec (DESIGN §4): an unknown key is an error with a
//! did-you-mean, never silently ignored; a reference manifest entry (a spec plus keys that
//! describe the reference) is read by keeping the spec's keys.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::SimSpec;

/// Every key of a spec, as written in JSON.
pub const SPEC_KEYS: &[&str] = &[
    "model",
    "parameter_set",
    "experiment",
    "thermal",
    "ambient_temperature_C",
    "parameters",
    "cycles",
    "options",
    "points_per_domain",
    "variables",
    "drive_cycles",
];

/// A spec as read, with whatever other keys it had.
#[derive(Deserialize)]
pub struct RawSpec {
    model: String,
    parameter_set: String,
    experiment: Vec<String>,
    #[serde(default)]
    thermal: Option<String>,
    #[serde(default, rename = "ambient_temperature_C")]
    ambient_temperature_c: Option<f64>,
    #[serde(default)]
    parameters: BTreeMap<String, f64>,
    #[serde(default)]
    cycles: Option<u32>,
    #[serde(default)]
    options: BTreeMap<String, super::OptionValue>,
    #[serde(default)]
    points_per_domain: Option<usize>,
    #[serde(default)]
    variables: Vec<String>,
    #[serde(default)]
    drive_cycles: BTreeMap<String, Vec<[f64; 2]>>,
    #[serde(flatten)]
    unknown: BTreeMap<String, serde_json::Value>,
}

/// The spec key `key` was probably meant as.
pub fn closest_key(key: &str) -> Option<&'static str> {
    let lower = key.to_lowercase();
    if lower.contains("temp") {
        return Some("ambient_temperature_C");
    }
    SPEC_KEYS
        .iter()
        .map(|k| (strsim::osa_distance(&lower, &k.to_lowercase()), *k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

impl TryFrom<RawSpec> for SimSpec {
    type Error = String;

    fn try_from(r: RawSpec) -> Result<SimSpec, String> {
        if let Some(key) = r.unknown.keys().next() {
            let hint = closest_key(key)
                .map(|k| format!(" (did you mean \"{k}\"?)"))
                .unwrap_or_default();
            return Err(format!(
                "unknown key \"{key}\" in the simulation spec{hint}; the keys are {}",
                SPEC_KEYS.join(", ")
            ));
        }
        Ok(SimSpec {
            model: r.model,
            parameter_set: r.parameter_set,
            experiment: r.experiment,
            thermal: r.thermal,
            ambient_temperature_c: r.ambient_temperature_c,
            parameters: r.parameters,
            cycles: r.cycles,
            options: r.options,
            points_per_domain: r.points_per_domain,
            variables: r.variables,
            drive_cycles: r.drive_cycles,
        })
    }
}

impl SimSpec {
    /// Reads the spec of a reference manifest entry: its spec keys, leaving the keys that
    /// describe the reference (`id`, `rows`, tolerances…).
    pub fn from_manifest_entry(entry: &serde_json::Value) -> Result<SimSpec, serde_json::Error> {
        let kept: serde_json::Map<String, serde_json::Value> = entry
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| SPEC_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        serde_json::from_value(serde_json::Value::Object(kept))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused_with_a_did_you_mean() {
        let e = serde_json::from_str::<SimSpec>(
            r#"{"model": "SPM", "parameter_set": "Chen2020", "experiment": ["Rest for 1 hour"], "paramters": {"Electrode height [m]": 0.1}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown key \"paramters\""), "{e}");
        assert!(e.contains("did you mean \"parameters\"?"), "{e}");
        let e = serde_json::from_str::<SimSpec>(
            r#"{"model": "SPM", "parameter_set": "Chen2020", "experiment": ["Rest for 1 hour"], "temperature": 10}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("did you mean \"ambient_temperature_C\"?"), "{e}");
    }

    #[test]
    fn manifest_entries_keep_the_spec_keys() {
        let entry = serde_json::json!({"id": "x", "rows": 3, "model": "DFN",
            "parameter_set": "Chen2020", "experiment": ["Rest for 1 minute"],
            "ambient_temperature_C": 10});
        assert!(serde_json::from_value::<SimSpec>(entry.clone()).is_err());
        let s = SimSpec::from_manifest_entry(&entry).unwrap();
        assert_eq!(s.ambient_temperature_c, Some(10.0));
        let back: SimSpec = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }
}
