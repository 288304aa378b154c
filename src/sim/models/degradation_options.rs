//! PyBaMM's model options for degradation, validated for a model (`parse_options`): the SEI,
//! its film resistance, lithium plating, particle mechanics, SEI on cracks, loss of active
//! material and porosity change, each a string or a 2-list `[negative, positive]` (PyBaMM's
//! tuples), with PyBaMM's defaults and a clear refusal where a combination is not solved.

use std::collections::BTreeMap;

use super::degradation::{Film, PlatingKind, SeiKind};
use super::mechanics::{LamKind, Mech, LAM_VALUES, MECHANICS_VALUES};
use crate::sim::{OptionValue, SimError};

/// The degradation options of a model, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub sei: Option<(SeiKind, bool)>, // (kind, asymmetric)
    pub film: Film,
    pub plating: Option<PlatingKind>,
    /// PyBaMM's "x-average side reactions": one set of side-reaction states for the whole
    /// electrode (default for the SPM) rather than one per node (SPMe, DFN).
    pub x_average: bool,
    /// `"particle mechanics"` per electrode `[negative, positive]`.
    pub mech: [Mech; 2],
    /// `"loss of active material"` per electrode.
    pub lam: [LamKind; 2],
    /// `"stress-induced diffusion"` per electrode (PyBaMM's default: on with any mechanics).
    pub stress_diffusion: [bool; 2],
    /// `"SEI on cracks"` (negative electrode).
    pub sei_on_cracks: bool,
    /// `"SEI porosity change"`, `"lithium plating porosity change"`.
    pub sei_porosity: bool,
    pub plating_porosity: bool,
}

impl Options {
    pub fn is_none(&self) -> bool {
        self.sei.is_none()
            && self.plating.is_none()
            && self.mech == [Mech::None; 2]
            && self.lam.iter().all(|l| l.is_none())
            && self.stress_diffusion == [false; 2]
    }
}

/// PyBaMM's values of the `"SEI"` option that battbot solves.
pub const SEI_VALUES: &[&str] = &[
    "none",
    "constant",
    "reaction limited",
    "reaction limited (asymmetric)",
    "solvent-diffusion limited",
    "electron-migration limited",
    "interstitial-diffusion limited",
    "ec reaction limited",
    "ec reaction limited (asymmetric)",
];
/// PyBaMM's values of the `"lithium plating"` option that battbot solves.
pub const PLATING_VALUES: &[&str] = &["none", "irreversible", "reversible", "partially reversible"];
const FILM_VALUES: &[&str] = &["none", "distributed", "average"];
/// Values of PyBaMM's true/false options.
pub const BOOL_VALUES: &[&str] = &["false", "true"];

fn unsupported(name: &str, value: &str, reason: String) -> SimError {
    SimError::UnsupportedOption {
        name: name.to_string(),
        value: value.to_string(),
        reason,
    }
}

fn choose(name: &str, value: &str, valid: &[&str]) -> Result<usize, SimError> {
    let v = value.trim().to_ascii_lowercase();
    valid.iter().position(|s| *s == v).ok_or_else(|| {
        unsupported(
            name,
            value,
            format!(
                "supported values: {}",
                valid
                    .iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}

/// A value that must be one string (PyBaMM takes no 2-tuple for this option).
fn one<'a>(name: &str, v: &'a OptionValue) -> Result<&'a str, SimError> {
    v.as_one().ok_or_else(|| {
        unsupported(
            name,
            &v.to_string(),
            "PyBaMM takes one value for this option, not one per electrode".into(),
        )
    })
}

/// A reaction battbot models on the negative electrode only: a 2-list must say `none`
/// (`false`) for the positive one.
fn negative_only<'a>(name: &str, v: &'a OptionValue, off: &str) -> Result<&'a str, SimError> {
    if let OptionValue::Pair([_, pos]) = v {
        if !pos.trim().eq_ignore_ascii_case(off) {
            return Err(unsupported(
                name,
                &v.to_string(),
                format!(
                    "battbot models this on the negative electrode only: give [\"...\", \"{off}\"] or one value"
                ),
            ));
        }
    }
    Ok(v.negative())
}

/// Parses PyBaMM model options (all but `"thermal"`, which the caller handles) for `model`
/// (lower-case `spm`, `spme` or `dfn`).
pub fn parse_options(
    options: &BTreeMap<String, OptionValue>,
    model: &str,
) -> Result<Options, SimError> {
    let mut sei_opt: Option<(usize, &str)> = None;
    let mut film_opt: Option<(usize, &str)> = None;
    let mut plating = None;
    let mut x_average = model == "spm";
    let mut mech: Option<[Mech; 2]> = None;
    let mut lam = [LamKind::default(); 2];
    let mut stress_diffusion: Option<[bool; 2]> = None;
    let (mut sei_on_cracks, mut sei_porosity, mut plating_porosity) = (false, false, false);
    for (k, val) in options {
        let key = k.trim().to_ascii_lowercase();
        let per_electrode = |valid: &[&str]| -> Result<[usize; 2], SimError> {
            Ok([
                choose(k, val.negative(), valid)?,
                choose(k, val.positive(), valid)?,
            ])
        };
        match key.as_str() {
            "thermal" => {}
            "sei" => {
                let v = negative_only(k, val, "none")?;
                sei_opt = Some((choose(k, v, SEI_VALUES)?, v));
            }
            "sei film resistance" => {
                let v = one(k, val)?;
                film_opt = Some((choose(k, v, FILM_VALUES)?, v))
            }
            "lithium plating" => {
                let v = negative_only(k, val, "none")?;
                plating = match choose(k, v, PLATING_VALUES)? {
                    0 => None,
                    1 => Some(PlatingKind::Irreversible),
                    2 => Some(PlatingKind::Reversible),
                    _ => Some(PlatingKind::PartiallyReversible),
                }
            }
            "particle mechanics" => {
                let [n, p] = per_electrode(MECHANICS_VALUES)?;
                mech = Some([Mech::from_index(n), Mech::from_index(p)]);
            }
            "loss of active material" => {
                let [n, p] = per_electrode(LAM_VALUES)?;
                lam = [LamKind::from_index(n), LamKind::from_index(p)];
            }
            "stress-induced diffusion" => {
                let [n, p] = per_electrode(BOOL_VALUES)?;
                stress_diffusion = Some([n == 1, p == 1]);
            }
            "sei on cracks" => {
                let v = negative_only(k, val, "false")?;
                sei_on_cracks = choose(k, v, BOOL_VALUES)? == 1;
            }
            "sei porosity change" => sei_porosity = choose(k, one(k, val)?, BOOL_VALUES)? == 1,
            "lithium plating porosity change" => {
                plating_porosity = choose(k, one(k, val)?, BOOL_VALUES)? == 1
            }
            "x-average side reactions" => {
                let v = one(k, val)?;
                let want = match model {
                    "spm" => "true",
                    "dfn" => "false",
                    _ => "",
                };
                let v2 = v.trim().to_ascii_lowercase();
                x_average = v2 == "true";
                if !(v2 == "true" || v2 == "false") || (!want.is_empty() && v2 != want) {
                    return Err(unsupported(
                        k,
                        v,
                        format!(
                            "supported for this model: {:?}",
                            if want.is_empty() {
                                "true or false"
                            } else {
                                want
                            }
                        ),
                    ));
                }
            }
            _ => {
                let off = |s: &str| {
                    s.trim().eq_ignore_ascii_case("none") || s.trim().eq_ignore_ascii_case("false")
                };
                if off(val.negative()) && off(val.positive()) {
                    continue;
                }
                return Err(unsupported(
                    k,
                    &val.to_string(),
                    "supported options: \"SEI\" (none, constant, reaction limited, \
                     solvent-diffusion limited, electron-migration limited, \
                     interstitial-diffusion limited, ec reaction limited, and the \
                     (asymmetric) variants), \"SEI film resistance\" (none, distributed, \
                     average), \"lithium plating\" (none, irreversible, reversible, partially \
                     reversible), \"particle mechanics\" (none, swelling only, swelling and \
                     cracking), \"loss of active material\" (none, stress-driven, \
                     reaction-driven, stress and reaction-driven), \"SEI on cracks\", \
                     \"SEI porosity change\", \"lithium plating porosity change\", \
                     \"stress-induced diffusion\" (true, false), \"thermal\" (isothermal, \
                     lumped); per-electrode values as a 2-list [negative, positive]"
                        .into(),
                ));
            }
        }
    }
    let sei_given = sei_opt.map(|(i, _)| i);
    let sei_idx = match sei_given {
        Some(i) => i,
        None if plating == Some(PlatingKind::PartiallyReversible) => 1,
        None => 0,
    };
    let sei = match sei_idx {
        0 => None,
        1 => Some((SeiKind::Constant, false)),
        2 => Some((SeiKind::ReactionLimited, false)),
        3 => Some((SeiKind::ReactionLimited, true)),
        4 => Some((SeiKind::SolventDiffusionLimited, false)),
        5 => Some((SeiKind::ElectronMigrationLimited, false)),
        6 => Some((SeiKind::InterstitialDiffusionLimited, false)),
        7 => Some((SeiKind::EcReactionLimited, false)),
        _ => Some((SeiKind::EcReactionLimited, true)),
    };
    // PyBaMM: the film-resistance default follows the *given* "SEI" option
    let film = match film_opt {
        Some((0, _)) => Film::None,
        Some((1, _)) => Film::Distributed,
        Some((_, _)) => Film::Average,
        None if sei_given.is_some_and(|i| i != 0) => Film::Distributed,
        None => Film::None,
    };
    if film != Film::None && sei.is_none() {
        let (_, v) = film_opt.unwrap_or((0, "distributed"));
        return Err(unsupported(
            "SEI film resistance",
            v,
            "an SEI film resistance needs an \"SEI\" option other than \"none\"".into(),
        ));
    }
    // PyBaMM's defaults of "particle mechanics": cracking where the SEI grows on cracks,
    // swelling where the stress drives LAM
    let mech = mech.unwrap_or_else(|| {
        let swell = |l: LamKind| {
            if l.stress {
                Mech::SwellingOnly
            } else {
                Mech::None
            }
        };
        if sei_on_cracks {
            [Mech::SwellingAndCracking, swell(lam[1])]
        } else {
            [swell(lam[0]), swell(lam[1])]
        }
    });
    if sei_on_cracks && mech[0] != Mech::SwellingAndCracking {
        return Err(unsupported(
            "SEI on cracks",
            "true",
            "\"SEI on cracks\" needs \"particle mechanics\" \"swelling and cracking\" in the negative electrode (as PyBaMM)".into(),
        ));
    }
    if sei_on_cracks && sei.is_none() {
        return Err(unsupported(
            "SEI on cracks",
            "true",
            "\"SEI on cracks\" grows the \"SEI\" model on the cracks: give an \"SEI\" option too"
                .into(),
        ));
    }
    // Reaction-driven LAM follows the electrode's SEI current: with no "SEI" option, and in
    // the positive electrode (whose SEI battbot does not grow, PyBaMM's default for a single
    // "SEI" value), that current is zero and so is the reaction-driven term, as in PyBaMM,
    // which accepts both.
    // PyBaMM: stress-induced diffusion defaults to on whenever a mechanics model is on
    let any_mech = mech != [Mech::None; 2];
    let stress_diffusion = stress_diffusion.unwrap_or([any_mech; 2]);
    if stress_diffusion != [false; 2] && !any_mech {
        return Err(unsupported(
            "stress-induced diffusion",
            "true",
            "cannot have stress-induced diffusion without a particle mechanics model (as PyBaMM)"
                .into(),
        ));
    }
    Ok(Options {
        sei,
        film,
        plating,
        x_average,
        mech,
        lam,
        stress_diffusion,
        sei_on_cracks,
        sei_porosity,
        plating_porosity,
    })
}
