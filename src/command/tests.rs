//! Table-driven tests: real-looking comments, tweets and Slack messages with the Command
//! JSON they must give (or the words their error must contain), plus help and canonical checks.

use super::*;

pub(super) enum Expect {
    /// The Command's JSON; `$D` stands for the default run.
    Json(&'static str),
    /// Asks nothing of the bot.
    Nothing,
    /// An error whose message or hint contains this text.
    Fails(&'static str),
}
pub(super) use Expect::{Fails, Json, Nothing};

const DEFAULT_RUN: &str =
    r#"{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}"#;

const CYCLE: &str = r#"["Discharge at C/10 for 10 hours or until 3.3 V","Rest for 1 hour","Charge at 1 A until 4.1 V","Hold at 4.1 V until 50 mA","Rest for 1 hour"]"#;

#[rustfmt::skip]
const CASES: &[(&str, Expect)] = &[
    // --- simulate: the documented form, defaults, any order, case ---
    (r#"@battbot simulate DFN Chen2020 "Discharge at 1C until 2.5 V""#, Json(r#"{"command":"simulate","runs":[$D]}"#)),
    ("@battbot simulate", Json(r#"{"command":"simulate","runs":[$D]}"#)),
    ("@BattBot SIMULATE dfn CHEN2020", Json(r#"{"command":"simulate","runs":[$D]}"#)),
    ("@battbot simulate SPM", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("@battbot simulate spme Marquis2019", Json(r#"{"command":"simulate","runs":[{"model":"SPMe","parameter_set":"Marquis2019","experiment":["Discharge at 1C until 3.105 V"]}]}"#)),
    ("@battbot simulate Ai2020", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Ai2020","experiment":["Discharge at 1C until 3 V"]}]}"#)),
    ("@battbot sim Prada2013", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Prada2013","experiment":["Discharge at 1C until 2 V"]}]}"#)),
    ("@battbot simulate NCA_Kim2011", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"NCA_Kim2011","experiment":["Discharge at 1C until 2.7 V"]}]}"#)),
    ("@battbot simulate nca kim2011", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"NCA_Kim2011","experiment":["Discharge at 1C until 2.7 V"]}]}"#)),
    ("@battbot simulate O'Kane2022", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"OKane2022","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("@battbot simulate oregan2022 spm", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"ORegan2022","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("@battbot simulate Chen 2020", Json(r#"{"command":"simulate","runs":[$D]}"#)),
    ("@battbot simulate ecker2015 SPMe", Json(r#"{"command":"simulate","runs":[{"model":"SPMe","parameter_set":"Ecker2015","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("@battbot simulate Mohtat2020", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Mohtat2020","experiment":["Discharge at 1C until 2.8 V"]}]}"#)),
    (r#"@battbot "Discharge at 2C until 3 V" Chen2020 SPM simulate"#, Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 2C until 3 V"]}]}"#)),
    ("@battbot simulate Single particle model with electrolyte", Json(r#"{"command":"simulate","runs":[{"model":"SPMe","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("@battbot simulate the Doyle-Fuller-Newman model with Marquis2019", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Marquis2019","experiment":["Discharge at 1C until 3.105 V"]}]}"#)),
    ("@battbot simulate single particle model", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("@battbot simulate SPM DFN", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]},$D]}"#)),
    // --- quotes: straight, smart, single, guillemets; steps as written ---
    ("@battbot simulate “Discharge at 0.5C until 3 V” “Rest for 10 minutes”", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 0.5C until 3 V","Rest for 10 minutes"]}]}"#)),
    ("@battbot simulate ‘Discharge at 2C until 2.8 V’", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.8 V"]}]}"#)),
    ("@battbot simulate 'Charge at 1C until 4.2 V' SPM", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Charge at 1C until 4.2 V"]}]}"#)),
    ("@battbot simulate «Discharge at 1C for 20 minutes»", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C for 20 minutes"]}]}"#)),
    ("@battbot simulate \"  Discharge at 1C until 2.5 V  \"", Json(r#"{"command":"simulate","runs":[$D]}"#)),
    ("@battbot simulate \"discharge at 1c until 2.5v\"", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["discharge at 1c until 2.5v"]}]}"#)),
    ("@battbot simulate DFN Chen2020 \"Discharge at 1C until 2.5 V\" \"Rest for 30 minutes\" \"Charge at 0.5C until 4.2 V\" \"Hold at 4.2 V until 50 mA\"", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V","Rest for 30 minutes","Charge at 0.5C until 4.2 V","Hold at 4.2 V until 50 mA"]}]}"#)),
    ("@battbot simulate \"Discharge at C/10 for 10 hours or until 3.3 V\"", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at C/10 for 10 hours or until 3.3 V"]}]}"#)),
    ("@battbot simulate \"Discharge at 500 mA until 3 V\" \"Discharge at 10 W for 5 minutes\"", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 500 mA until 3 V","Discharge at 10 W for 5 minutes"]}]}"#)),
    ("@battbot simulate \"Discharge at 1C until 2.5 V", Json(r#"{"command":"simulate","runs":[$D]}"#)),
    // --- steps typed without quotes ---
    ("@battbot simulate Discharge at 2C until 2.5 V", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]}]}"#)),
    ("@battbot simulate discharge at 1C until 2.5 V, rest for 30 minutes, charge at C/2 until 4.2 V.", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["discharge at 1C until 2.5 V","rest for 30 minutes","charge at C/2 until 4.2 V"]}]}"#)),
    ("@battbot simulate SPM Discharge at C/10 for 10 hours or until 3.3 V then Rest for 1 hour", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at C/10 for 10 hours or until 3.3 V","Rest for 1 hour"]}]}"#)),
    // --- C-rates, plain and in prose ---
    ("@battbot simulate DFN at 2C", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]}]}"#)),
    ("@battbot simulate dfn 2c", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]}]}"#)),
    ("@battbot simulate C/2", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at C/2 until 2.5 V"]}]}"#)),
    ("@battbot simulate at 1 C", Json(r#"{"command":"simulate","runs":[$D]}"#)),
    ("@battbot simulate with c-rate = 1.5C", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1.5C until 2.5 V"]}]}"#)),
    ("@battbot simulate for a constant discharge of 1.25C", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1.25C until 2.5 V"]}]}"#)),
    ("@battbot simulate with a dicharge of 3C using Ai2020 parameters", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Ai2020","experiment":["Discharge at 3C until 3 V"]}]}"#)),
    ("@battbot simulate with a c-rate of 0.5C with Marquis2019 chemistry", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Marquis2019","experiment":["Discharge at 0.5C until 3.105 V"]}]}"#)),
    // --- thermal and temperature ---
    ("@battbot simulate SPMe lumped", Json(r#"{"command":"simulate","runs":[{"model":"SPMe","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"thermal":"lumped"}]}"#)),
    ("@battbot simulate SPMe isothermal", Json(r#"{"command":"simulate","runs":[{"model":"SPMe","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("@battbot simulate SPMe Chen2020 2C lumped thermal", Json(r#"{"command":"simulate","runs":[{"model":"SPMe","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"],"thermal":"lumped"}]}"#)),
    ("@battbot simulate at 10°C", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":10.0}]}"#)),
    ("@battbot simulate 10 degC", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":10.0}]}"#)),
    ("@battbot simulate T=10C", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":10.0}]}"#)),
    ("@battbot simulate T = 10 C 2C", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"],"ambient_temperature_C":10.0}]}"#)),
    ("@battbot simulate at 298K", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":24.85}]}"#)),
    ("@battbot simulate at 298.15 K", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":25.0}]}"#)),
    ("@battbot simulate at -5°C", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":-5.0}]}"#)),
    ("@battbot simulate at −10 °C", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":-10.0}]}"#)),
    ("@battbot simulate at 25 degrees", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":25.0}]}"#)),
    ("@battbot simulate at 0ºC", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":0.0}]}"#)),
    ("@battbot simulate at 40℃", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":40.0}]}"#)),
    ("@battbot simulate T:283K", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":9.85}]}"#)),
    ("@battbot simulate T=25", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":25.0}]}"#)),
    ("@battbot simulate at a temperature of 290K", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":16.85}]}"#)),
    ("@battbot simulate at 5 deg C", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":5.0}]}"#)),
    // --- cycles ---
    ("@battbot simulate \"Discharge at 1C until 2.5 V\" \"Charge at 1C until 4.2 V\" x3", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V","Charge at 1C until 4.2 V"],"cycles":3}]}"#)),
    ("@battbot simulate \"Discharge at 1C until 2.5 V\" \"Charge at 1C until 4.2 V\" ×3", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V","Charge at 1C until 4.2 V"],"cycles":3}]}"#)),
    ("@battbot simulate [\"Discharge at 1C until 2.5 V\", \"Charge at 1C until 4.2 V\"] * 3", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V","Charge at 1C until 4.2 V"],"cycles":3}]}"#)),
    ("@battbot simulate \"Discharge at 1C until 2.5 V\" \"Charge at 1C until 4.2 V\" 3 cycles", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V","Charge at 1C until 4.2 V"],"cycles":3}]}"#)),
    ("@battbot simulate \"Discharge at 1C until 2.5 V\" \"Charge at 1C until 4.2 V\", repeat 4 times", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V","Charge at 1C until 4.2 V"],"cycles":4}]}"#)),
    ("@battbot simulate \"Discharge at 1C until 2.5 V\" 2x", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"cycles":2}]}"#)),
    ("@battbot simulate x1", Json(r#"{"command":"simulate","runs":[$D]}"#)),
    ("@battbot simulate x3 x4", Fails("two different cycle counts")),
    ("@battbot simulate x0", Fails("zero cycles")),
    // --- degradation ---
    ("@battbot simulate OKane2022 sei=reaction-limited x10 \"Discharge at 1C until 2.5 V\" \"Charge at 1C until 4.2 V\"", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"OKane2022","experiment":["Discharge at 1C until 2.5 V","Charge at 1C until 4.2 V"],"cycles":10,"options":{"SEI":"reaction limited"}}]}"#)),
    ("@battbot simulate OKane2022 plating=irreversible", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"OKane2022","experiment":["Discharge at 1C until 2.5 V"],"options":{"lithium plating":"irreversible"}}]}"#)),
    ("@battbot simulate SEI: solvent-diffusion limited", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"options":{"SEI":"solvent-diffusion limited"}}]}"#)),
    ("@battbot simulate lithium plating = partially reversible, SEI=ec-reaction-limited", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"options":{"SEI":"ec reaction limited","lithium plating":"partially reversible"}}]}"#)),
    ("@battbot simulate sei=reaction limited (asymmetric)", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"options":{"SEI":"reaction limited (asymmetric)"}}]}"#)),
    ("@battbot simulate sei=magic", Fails("SEI can be: none, constant, reaction-limited")),
    ("@battbot simulate sei=reaction-limted", Fails("did you mean reaction-limited?")),
    // --- parameters ---
    ("@battbot simulate \"Electrode height [m]\"=0.2", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"parameters":{"Electrode height [m]":0.2}}]}"#)),
    ("@battbot simulate SPM \"Negative electrode thickness [m]\": 8.52e-5", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"parameters":{"Negative electrode thickness [m]":8.52e-5}}]}"#)),
    ("@battbot simulate \"Electrode height [m]\"=abc", Fails("needs a number")),
    // --- compare ---
    ("@battbot compare SPM SPMe DFN", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]},{"model":"SPMe","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]},$D]}"#)),
    ("@battbot compare SPM, SPMe and DFN with Marquis2019", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Marquis2019","experiment":["Discharge at 1C until 3.105 V"]},{"model":"SPMe","parameter_set":"Marquis2019","experiment":["Discharge at 1C until 3.105 V"]},{"model":"DFN","parameter_set":"Marquis2019","experiment":["Discharge at 1C until 3.105 V"]}]}"#)),
    ("@battbot compare Chen2020 Marquis2019", Json(r#"{"command":"compare","runs":[$D,{"model":"DFN","parameter_set":"Marquis2019","experiment":["Discharge at 1C until 3.105 V"]}]}"#)),
    ("@battbot compare 0.5C 1C 2C", Json(r#"{"command":"compare","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 0.5C until 2.5 V"]},$D,{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]}]}"#)),
    ("@battbot compare at 0°C 25°C 45°C", Json(r#"{"command":"compare","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":0.0},{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":25.0},{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":45.0}]}"#)),
    ("@battbot compare lumped isothermal SPMe", Json(r#"{"command":"compare","runs":[{"model":"SPMe","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"thermal":"lumped"},{"model":"SPMe","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("@battbot compare SPM DFN at 1C 2C", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]},{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]},$D,{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]}]}"#)),
    ("@battbot compare SPM 1C vs DFN 2C", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]},{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]}]}"#)),
    ("@battbot compare SPM vs DFN with Chen2020 at 2C", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]},{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]}]}"#)),
    ("@battbot compare SPM x3 vs DFN x1 \"Discharge at 1C until 2.5 V\" \"Charge at 1C until 4.2 V\"", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V","Charge at 1C until 4.2 V"],"cycles":3},{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V","Charge at 1C until 4.2 V"]}]}"#)),
    ("@battbot compare SPM at 0°C vs DFN at 10°C vs SPMe", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":0.0},{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":10.0},{"model":"SPMe","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("@battbot SPM vs. DFN", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]},$D]}"#)),
    ("@battbot compare SPM and SPM", Fails("compare needs at least two runs")),
    ("@battbot compare SPM", Fails("compare needs at least two runs")),
    ("@battbot compare SPM SPMe DFN 0.5C 1C", Fails("this asks for 6 runs; the limit is 5")),
    ("@battbot compare Chen2020 Marquis2019 Ai2020 Ecker2015 Mohtat2020 Prada2013", Fails("6 runs")),
    // --- BattBot's request language (REQUEST_EXAMPLES.md, verbatim) ---
    ("@battbot_ compare SPM and SPMe for a constant discharge of 1.25C at 290K with Chen2020 parameters #battbot.", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1.25C until 2.5 V"],"ambient_temperature_C":16.85},{"model":"SPMe","parameter_set":"Chen2020","experiment":["Discharge at 1.25C until 2.5 V"],"ambient_temperature_C":16.85}]}"#)),
    ("@battbot_ #battbot can you compare Single particle model, Single particle model with electrolyte and DFN model at 300K with a c-rate of 0.5C with Marquis2019 chemistry?", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Marquis2019","experiment":["Discharge at 0.5C until 3.105 V"],"ambient_temperature_C":26.85},{"model":"SPMe","parameter_set":"Marquis2019","experiment":["Discharge at 0.5C until 3.105 V"],"ambient_temperature_C":26.85},{"model":"DFN","parameter_set":"Marquis2019","experiment":["Discharge at 0.5C until 3.105 V"],"ambient_temperature_C":26.85}]}"#)),
    ("@battbot_ #battbot compare spm, spme DFN model with a constant dicharge of 0.75C with Ai2020 at 280K", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Ai2020","experiment":["Discharge at 0.75C until 3 V"],"ambient_temperature_C":6.85},{"model":"SPMe","parameter_set":"Ai2020","experiment":["Discharge at 0.75C until 3 V"],"ambient_temperature_C":6.85},{"model":"DFN","parameter_set":"Ai2020","experiment":["Discharge at 0.75C until 3 V"],"ambient_temperature_C":6.85}]}"#)),
    ("@battbot_ #battbot compare spm and spme with chen2020 parameters with the experiment - [('Discharge at C/10 for 10 hours or until 3.3 V','Rest for 1 hour','Charge at 1 A until 4.1 V','Hold at 4.1 V until 50 mA','Rest for 1 hour')] * 3 at 298K", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":$CYCLE,"ambient_temperature_C":24.85,"cycles":3},{"model":"SPMe","parameter_set":"Chen2020","experiment":$CYCLE,"ambient_temperature_C":24.85,"cycles":3}]}"#)),
    ("@battbot_ #battbot Vary \"Electrode height [m]\", values - [0.1, 0.4, 0.7] with DFN model with a constant dicharge of 0.75C with Ai2020 at 280K", Json(r#"{"command":"compare","runs":[{"model":"DFN","parameter_set":"Ai2020","experiment":["Discharge at 0.75C until 3 V"],"ambient_temperature_C":6.85,"parameters":{"Electrode height [m]":0.1}},{"model":"DFN","parameter_set":"Ai2020","experiment":["Discharge at 0.75C until 3 V"],"ambient_temperature_C":6.85,"parameters":{"Electrode height [m]":0.4}},{"model":"DFN","parameter_set":"Ai2020","experiment":["Discharge at 0.75C until 3 V"],"ambient_temperature_C":6.85,"parameters":{"Electrode height [m]":0.7}}]}"#)),
    ("@battbot_ #battbot vary \"Electrode height [m]\" with the values [0.1, 0.4, 0.7] with spm using chen2020 parameters with the experiment - [('Discharge at C/10 for 10 hours or until 3.3 V','Rest for 1 hour','Charge at 1 A until 4.1 V','Hold at 4.1 V until 50 mA','Rest for 1 hour')] * 3 at 298K", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":$CYCLE,"ambient_temperature_C":24.85,"parameters":{"Electrode height [m]":0.1},"cycles":3},{"model":"SPM","parameter_set":"Chen2020","experiment":$CYCLE,"ambient_temperature_C":24.85,"parameters":{"Electrode height [m]":0.4},"cycles":3},{"model":"SPM","parameter_set":"Chen2020","experiment":$CYCLE,"ambient_temperature_C":24.85,"parameters":{"Electrode height [m]":0.7},"cycles":3}]}"#)),
    ("@battbot_ #battbot Vary \"Electrode height [m]\", [0.1, 0.4] SPM", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"parameters":{"Electrode height [m]":0.1}},{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"parameters":{"Electrode height [m]":0.4}}]}"#)),
    ("@battbot_ #battbot compare Doyle-Fuller-Newman model and Single particle model using Ai2020 parameters", Json(r#"{"command":"compare","runs":[{"model":"DFN","parameter_set":"Ai2020","experiment":["Discharge at 1C until 3 V"]},{"model":"SPM","parameter_set":"Ai2020","experiment":["Discharge at 1C until 3 V"]}]}"#)),
    ("@battbot_ compare SPM and SPMe with Chen2020 chemistry #battbot", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]},{"model":"SPMe","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("@battbot_ #battbot #SPMe #Chen2020 at 2C", Json(r#"{"command":"simulate","runs":[{"model":"SPMe","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]}]}"#)),
    ("@someone @battbot_ simulate SPM https://t.co/W5GxALkkZd", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("@battbot vary \"Electrode height [m]\"", Fails("needs a list of values")),
    ("@battbot vary with values [1, 2]", Fails("quoted parameter name")),
    ("@battbot vary \"Electrode height [m]\" [0.1, 0.2] vary \"Electrode width [m]\" [1, 2]", Fails("vary one parameter at a time")),
    // --- typos and errors that teach ---
    ("@battbot simualte DFN", Fails("did you mean simulate?")),
    ("@battbot comapre SPM DFN", Fails("did you mean compare?")),
    ("@battbot hepl", Fails("did you mean help?")),
    ("@battbot stauts", Fails("did you mean status?")),
    ("@battbot abrot", Fails("did you mean abort?")),
    ("@battbot simulate DNF", Fails("did you mean DFN?")),
    ("@battbot simulate SMP", Fails("did you mean SPM?")),
    ("@battbot simulate Chen2002", Fails("did you mean Chen2020?")),
    ("@battbot simulate Marquis2020", Fails("did you mean Marquis2019?")),
    ("@battbot simulate Ecker2016", Fails("did you mean Ecker2015?")),
    ("@battbot simulate Smith2021", Fails("parameter sets: Chen2020, Marquis2019, Ai2020")),
    ("@battbot simulate chen", Fails("did you mean Chen2020?")),
    ("@battbot simulate lumpd", Fails("did you mean lumped?")),
    ("@battbot simulate \"Discharge at 1C untill 2.5 V\"", Fails("did you mean \"until\"?")),
    ("@battbot simulate \"Dischrge at 1C until 2.5 V\"", Fails("did you mean \"discharge\"?")),
    ("@battbot simulate \"Discharge at 1 X until 2.5 V\"", Fails("unexpected \"X\"")),
    ("@battbot simulate \"Discharge at 1C\"", Fails("the step is incomplete")),
    ("@battbot simulate \"Rest\"", Fails("a step needs \"for <duration>\" or \"until <limit>\"")),
    ("@battbot simulate \"Rest for 1 hour\" \"Hold at 1C until 2 V\"", Fails("cannot read step 2")),
    ("@battbot simulate \"Discharge at 2C until 2.5 V\" 3C", Fails("both a C-rate (3C) and steps")),
    ("@battbot simulate 0C", Fails("not a C-rate battbot can run")),
    ("@battbot simulate T=hot", Fails("cannot read the temperature")),
    // --- limits, each with its message ---
    ("@battbot simulate 20C", Fails("runs at 20C; the limit is 10C")),
    ("@battbot simulate spm at 25C", Fails("for a temperature write e.g. 25°C")),
    ("@battbot simulate \"Discharge at 60 A until 2.5 V\"", Fails("runs at 12C; the limit is 10C")),
    ("@battbot simulate \"Discharge at 200 W until 2.5 V\"", Fails("runs at 16C")),
    ("@battbot simulate \"Discharge at 100 W until 2.5 V\"", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 100 W until 2.5 V"]}]}"#)),
    ("@battbot simulate at 80°C", Fails("80 °C is outside the range")),
    ("@battbot simulate at -40°C", Fails("-40 °C is outside the range")),
    ("@battbot simulate at 200K", Fails("-73.15 °C is outside")),
    ("@battbot simulate \"Discharge at C/10 until 2.5 V\" x10", Fails("may simulate up to 110 h; the limit is 100 h")),
    ("@battbot simulate \"Rest for 101 hours\"", Fails("may simulate up to 101 h")),
    ("@battbot simulate \"Discharge at 1C for 1 minute\" \"Rest for 1 minute\" x26", Fails("has 52 steps after repeating its cycles; the limit is 50")),
    ("@battbot simulate sei=reaction-limited x600", Fails("600 cycles; the limit for degradation studies is 500")),
    ("@battbot simulate OKane2022 sei=reaction-limited \"Discharge at 1C until 2.5 V\" \"Rest for 30 minutes\" \"Charge at C/2 until 4.2 V\" \"Hold at 4.2 V until C/50\" x100", Json(r#"{"command":"simulate","runs":[{"model":"DFN","parameter_set":"OKane2022","experiment":["Discharge at 1C until 2.5 V","Rest for 30 minutes","Charge at C/2 until 4.2 V","Hold at 4.2 V until C/50"],"cycles":100,"options":{"SEI":"reaction limited"}}]}"#)),
    // --- other commands ---
    ("@battbot help", Json(r#"{"command":"help"}"#)),
    ("@battbot status", Json(r#"{"command":"status"}"#)),
    ("@battbot Status?", Json(r#"{"command":"status"}"#)),
    ("hey @battbot, what’s the status of my run?", Json(r#"{"command":"status"}"#)),
    ("@battbot abort", Json(r#"{"command":"abort"}"#)),
    ("@battbot abort the DFN run please", Json(r#"{"command":"abort"}"#)),
    ("@battbot cancel", Json(r#"{"command":"abort"}"#)),
    ("@battbot runbenchmarks", Json(r#"{"command":"runbenchmarks"}"#)),
    ("@battbot run benchmarks", Json(r#"{"command":"runbenchmarks"}"#)),
    ("@battbot please runbenchmarks on this PR!", Json(r#"{"command":"runbenchmarks"}"#)),
    ("@battbot help me compare SPM and DFN", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]},$D]}"#)),
    ("@battbot help DFN", Json(r#"{"command":"help"}"#)),
    // --- phone punctuation and casing ---
    ("@battbot simulate SPMe, Chen2020, 2C!!", Json(r#"{"command":"simulate","runs":[{"model":"SPMe","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]}]}"#)),
    ("@battbot: simulate DFN…", Json(r#"{"command":"simulate","runs":[$D]}"#)),
    ("@BATTBOT SIMULATE SPM AT 10°C PLEASE", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"],"ambient_temperature_C":10.0}]}"#)),
    ("@battbot simulate SPM/DFN", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]},$D]}"#)),
    ("@battbot   simulate\tSPM   ", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("Could you @battbot simulate the SPM at 2C? thx 🙏", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]}]}"#)),
    ("@battbot\nsimulate SPM\nat 2C", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]}]}"#)),
    // --- not requests ---
    ("> @battbot simulate DFN", Nothing),
    ("```\n@battbot simulate DFN\n```", Nothing),
    ("~~~\n@battbot simulate DFN\n~~~", Nothing),
    ("Use `@battbot simulate DFN` to run it", Nothing),
    ("Thanks! I will simulate DFN myself", Nothing),
    ("RT @battbot_: compare SPM and DFN #battbot", Nothing),
    ("@battbot thanks!", Nothing),
    ("@battbot", Nothing),
    ("@battbot thanks for the simulation, looks great", Nothing),
    ("<!-- battbot-reply -->\nAccepted: @battbot simulate DFN", Nothing),
    ("mail me at me@battbot.com simulate DFN", Nothing),
    ("@battbot-dev simulate DFN", Nothing),
    ("", Nothing),
    ("&gt; @battbot simulate DFN", Nothing),
    ("> @battbot simulate SPM\n\n@battbot simulate DFN", Json(r#"{"command":"simulate","runs":[$D]}"#)),
    ("Looks good to me.\n\n@battbot compare SPM DFN\n\nThanks!", Json(r#"{"command":"compare","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]},$D]}"#)),
    ("@battbot simulate DFN\n```\n@battbot compare SPM SPMe\n```", Json(r#"{"command":"simulate","runs":[$D]}"#)),
    ("@battbot simulate DFN\n@battbot compare SPM SPMe", Json(r#"{"command":"simulate","runs":[$D]}"#)),
    ("cc @battbot\n@battbot simulate SPM", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("cc @battbot\n\n@battbot simulate SPM", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("@battbot simulate SPM, it's 'fast' and “cheap”", Fails("I read \"simulate SPM\" but not \"fast\" or \"cheap\"")),
    ("@battbot simulate `SPM` DFN", Json(r#"{"command":"simulate","runs":[$D]}"#)),
    // --- Slack ---
    ("<@U0LAN0Z89> simulate SPM", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}]}"#)),
    ("<@U0LAN0Z89|battbot> help", Json(r#"{"command":"help"}"#)),
    ("/battbot simulate SPM 2C", Json(r#"{"command":"simulate","runs":[{"model":"SPM","parameter_set":"Chen2020","experiment":["Discharge at 2C until 2.5 V"]}]}"#)),
    ("<@U0LAN0Z89> is it everything a river should be?", Fails("I answer commands, not questions in prose")),
];

pub(super) fn context<'a>(vocab: &'a Vocabulary, limits: &'a Limits) -> ParseContext<'a> {
    ParseContext {
        bot_names: vec!["battbot".into(), "battbot_".into(), "U0LAN0Z89".into()],
        vocabulary: vocab,
        limits,
        step_check: None,
    }
}

pub(super) fn expand(json: &str) -> serde_json::Value {
    let text = json.replace("$D", DEFAULT_RUN).replace("$CYCLE", CYCLE);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad expected JSON {text}: {e}"))
}

#[test]
fn table() {
    assert!(CASES.len() >= 100, "only {} cases", CASES.len());
    check_table(CASES);
}

/// Parses every input and compares with its expectation; every accepted command must also
/// read back from its canonical text.
pub(super) fn check_table(cases: &[(&str, Expect)]) {
    let vocab = Vocabulary::builtin();
    let limits = Limits::default();
    let cx = context(&vocab, &limits);
    let mut failures = Vec::new();
    for (input, expect) in cases {
        let got = parse(input, &cx);
        let ok = match (expect, &got) {
            (Json(j), Ok(Some(c))) => serde_json::to_value(c).ok() == Some(expand(j)),
            (Nothing, Ok(None)) => true,
            (Fails(s), Err(e)) => e.error.contains(s) || e.hint.contains(s),
            _ => false,
        };
        if !ok {
            let shown = match &got {
                Ok(Some(c)) => serde_json::to_string(c).unwrap_or_default(),
                Ok(None) => "nothing".into(),
                Err(e) => serde_json::to_string(e).unwrap_or_default(),
            };
            failures.push(format!("{input:?}\n    got {shown}"));
        }
        // Every accepted command reads back from its canonical text.
        if let Ok(Some(c)) = &got {
            let text = canonical(c, &cx);
            let back = parse(&text, &cx);
            if back.as_ref().ok() != Some(&Some(c.clone())) {
                failures.push(format!(
                    "{input:?}\n    canonical {text:?} reads back as {back:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn canonical_forms() {
    let vocab = Vocabulary::builtin();
    let limits = Limits::default();
    let cx = context(&vocab, &limits);
    let canon = |s: &str| canonical(&parse(s, &cx).unwrap().unwrap(), &cx);
    assert_eq!(
        canon("@battbot simulate"),
        "@battbot simulate DFN Chen2020 \"Discharge at 1C until 2.5 V\""
    );
    assert_eq!(
        canon("@battbot compare 0.5C 1C 2C"),
        "@battbot compare DFN Chen2020 0.5C 1C 2C"
    );
    assert_eq!(
        canon("@battbot compare SPM 1C vs DFN 2C"),
        "@battbot compare SPM Chen2020 \"Discharge at 1C until 2.5 V\" vs DFN Chen2020 \"Discharge at 2C until 2.5 V\""
    );
    assert_eq!(canon("@battbot please, status?"), "@battbot status");
}

#[test]
fn injected_step_check_decides() {
    let vocab = Vocabulary::builtin();
    let limits = Limits::default();
    let reject_watts = |s: &str| -> Result<(), StepProblem> {
        if s.contains(" W") {
            Err(StepProblem {
                message: "power steps are not supported".into(),
                word: Some("W".into()),
                hint: Some("use a current".into()),
            })
        } else {
            Ok(())
        }
    };
    let cx = ParseContext {
        step_check: Some(&reject_watts),
        ..context(&vocab, &limits)
    };
    let e = parse("@battbot simulate \"Discharge at 10 W until 3 V\"", &cx).unwrap_err();
    assert_eq!(
        e.error,
        "cannot read step 1 \"Discharge at 10 W until 3 V\" at \"W\": power steps are not supported"
    );
    assert_eq!(e.hint, "use a current");
    assert_eq!(
        e.pointer.as_deref(),
        Some("Discharge at 10 W until 3 V\n                ^")
    );
    // A step the fallback reader would reject is accepted when the sim says so.
    let accept_all = |_: &str| -> Result<(), StepProblem> { Ok(()) };
    let cx = ParseContext {
        step_check: Some(&accept_all),
        ..context(&vocab, &limits)
    };
    let c = parse(
        "@battbot simulate \"Discharge at 1C until 2.5 V at 25oC\"",
        &cx,
    )
    .unwrap();
    assert!(c.is_some());
}

#[test]
fn error_json_has_error_and_hint_only() {
    let vocab = Vocabulary::builtin();
    let limits = Limits::default();
    let cx = context(&vocab, &limits);
    let e = parse("@battbot simulate Chen2002", &cx).unwrap_err();
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "error": "I read \"simulate\" but not \"Chen2002\" (did you mean Chen2020?)",
            "hint": "did you mean Chen2020? Parameter sets: Chen2020, Marquis2019, Ai2020, Ecker2015, Mohtat2020, Prada2013, OKane2022, ORegan2022, NCA_Kim2011"
        })
    );
    assert!(matches!(
        *e.kind,
        ErrorKind::UnknownSet { suggestion: Some(ref s), .. } if s == "Chen2020"
    ));
}

#[test]
fn limits_come_from_config_with_defaults() {
    let l: Limits = serde_json::from_str(r#"{"max_runs": 2}"#).unwrap();
    assert_eq!(l.max_runs, 2);
    assert_eq!(l.max_steps, 50);
    assert_eq!(l.max_cycles, 500);
    let vocab = Vocabulary::builtin();
    let cx = context(&vocab, &l);
    let e = parse("@battbot compare SPM SPMe DFN", &cx).unwrap_err();
    assert!(e.error.contains("3 runs; the limit is 2"), "{}", e.error);
}

#[test]
fn help_is_generated_from_the_registry() {
    let vocab = Vocabulary::builtin();
    let limits = Limits::default();
    let cx = context(&vocab, &limits);
    let help = help_text(&cx);
    for c in COMMANDS {
        assert!(help.contains(c.name), "help lacks {}", c.name);
        // Every example parses, to its own command.
        let cmd = parse(&format!("@battbot {}", c.example), &cx)
            .unwrap_or_else(|e| panic!("example of {} fails: {e}", c.name))
            .unwrap_or_else(|| panic!("example of {} asks nothing", c.name));
        let tag = serde_json::to_value(&cmd).unwrap()["command"].clone();
        assert_eq!(tag, c.name, "example of {}", c.name);
    }
    for m in &vocab.models {
        assert!(help.contains(&m.canonical));
    }
    for s in &vocab.parameter_sets {
        assert!(help.contains(&s.name));
    }
    assert!(help.contains("README.md#commands"));
    for d in DEGRADATION {
        assert!(help.contains(d.example));
        // (particle mechanics and LAM are solved on the SPM and SPMe)
        let e = parse(
            &format!("@battbot simulate SPM OKane2022 {}", d.example),
            &cx,
        )
        .unwrap();
        assert!(e.unwrap().runs()[0].options.contains_key(d.option));
    }
    assert!(help.contains("up to 5 runs"));
    // The help reply never triggers the bot itself.
    assert_eq!(parse(&help, &cx).unwrap(), None);
}

#[test]
fn builtin_cutoffs_match_pybamm() {
    // PyBaMM input/parameters/lithium_ion/*.py: "Lower/Upper voltage cut-off [V]".
    let v = Vocabulary::builtin();
    let want = [
        ("Chen2020", 2.5, 4.2),
        ("Marquis2019", 3.105, 4.1),
        ("Ai2020", 3.0, 4.2),
        ("Ecker2015", 2.5, 4.2),
        ("Mohtat2020", 2.8, 4.2),
        ("Prada2013", 2.0, 3.6),
        ("OKane2022", 2.5, 4.2),
        ("ORegan2022", 2.5, 4.4),
        ("NCA_Kim2011", 2.7, 4.2),
    ];
    assert_eq!(v.parameter_sets.len(), want.len());
    for (name, lo, hi) in want {
        let s = v.set(name).unwrap();
        assert_eq!((s.lower_cutoff_v, s.upper_cutoff_v), (lo, hi), "{name}");
    }
}

#[test]
fn time_bound_is_explained() {
    let chen = Vocabulary::builtin();
    let set = chen.set("Chen2020");
    let s = read_step("Discharge at 2C until 2.5 V").unwrap();
    assert!((s.time_bound_s(set) - 1980.0).abs() < 1e-9); // 0.5 h × 1.1
    let s = read_step("Charge at 1 A until 4.1 V").unwrap();
    assert!((s.time_bound_s(set) - 5.0 * 3600.0 * 1.1).abs() < 1e-6); // 1 A on 5 A.h = C/5
    let s = read_step("Discharge at C/10 for 10 hours or until 3.3 V").unwrap();
    assert_eq!(s.time_bound_s(set), 36000.0);
    let s = read_step("Hold at 4.2 V until 50 mA").unwrap();
    assert_eq!(s.time_bound_s(set), 3600.0);
}

#[test]
fn huge_products_are_refused_before_they_are_built() {
    let vocab = Vocabulary::builtin();
    let limits = Limits::default();
    let cx = context(&vocab, &limits);
    let rates: Vec<String> = (1..400).map(|i| format!("0.{i:03}C")).collect();
    let temps: Vec<String> = (0..400)
        .map(|i| format!("{}.{}°C", i / 10, i % 10))
        .collect();
    let text = format!(
        "@battbot compare SPM SPMe DFN {} {}",
        rates.join(" "),
        temps.join(" ")
    );
    assert!(text.len() < 10_000);
    let e = parse(&text, &cx).unwrap_err();
    assert!(e.error.contains("this asks for 478800 runs"), "{}", e.error);
}

#[test]
fn addressed_text_needs_no_mention() {
    let vocab = Vocabulary::builtin();
    let limits = Limits::default();
    let cx = context(&vocab, &limits);
    let text = "simulate SPM 2C";
    assert_eq!(parse(text, &cx).unwrap(), None);
    let c = parse_addressed(text, &cx).unwrap().unwrap();
    assert_eq!(c.runs()[0].model, "SPM");
    assert_eq!(
        parse_addressed("status", &cx).unwrap(),
        Some(Command::Status)
    );
    assert_eq!(parse_addressed("thanks!", &cx).unwrap(), None);
    assert_eq!(parse_addressed("> simulate SPM", &cx).unwrap(), None);
    assert!(parse_addressed("simualte", &cx).is_err());
    // A mention still works, and its paragraph is the request.
    let c = parse_addressed("hi\n\n@battbot simulate DFN", &cx)
        .unwrap()
        .unwrap();
    assert_eq!(c.runs()[0].model, "DFN");
}
