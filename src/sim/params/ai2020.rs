//! Ai2020: Enertech LiCoO2/graphite pouch cell. W. Ai, L. Kraft, J. Sturm, A. Jossen, B. Wu,
//! "Electrochemical Thermal-Mechanical Modelling of Stress Inhomogeneity in Lithium-Ion Pouch
//! Cells", Journal of The Electrochemical Society 167(1), 013512 (2019). doi:10.1149/2.0122001JES

use std::sync::OnceLock;

use super::common::{arrhenius, sqrt0};
use super::constants::{F, R};
use super::interp::CubicSpline;
use super::{FnArgs, ParameterValues, Value};

/// Graphite particle diffusivity [m2.s-1] f(sto, T) (Dualfoil 1998, Arrhenius 5 kJ/mol).
pub fn graphite_diffusivity_dualfoil1998(a: &FnArgs) -> f64 {
    3.9e-14 * arrhenius(5000.0, a.t)
}

/// Graphite exchange-current density [A.m-2] f(c_e, c_s_surf, c_s_max, T) (Dualfoil 1998).
pub fn graphite_electrolyte_exchange_current_density_dualfoil1998(a: &FnArgs) -> f64 {
    let m_ref = 1e-11 * F;
    m_ref
        * arrhenius(5000.0, a.t)
        * sqrt0(a.c_e)
        * sqrt0(a.c_s_surf)
        * sqrt0(a.c_s_max - a.c_s_surf)
}

/// Graphite OCP entropic change [V.K-1] f(sto) (Ai2020 rational fit).
pub fn graphite_entropy_enertech_ai2020_function(a: &FnArgs) -> f64 {
    let s = a.sto;
    0.001
        * (0.005269056 + 3.299265709 * s - 91.79325798 * s.powi(2) + 1004.911008 * s.powi(3)
            - 5812.278127 * s.powi(4)
            + 19329.7549 * s.powi(5)
            - 37147.8947 * s.powi(6)
            + 38379.18127 * s.powi(7)
            - 16515.05308 * s.powi(8))
        / (1.0 - 48.09287227 * s + 1017.234804 * s.powi(2) - 10481.80419 * s.powi(3)
            + 59431.3 * s.powi(4)
            - 195881.6488 * s.powi(5)
            + 374577.3152 * s.powi(6)
            - 385821.1607 * s.powi(7)
            + 165705.8597 * s.powi(8))
}

/// Graphite particle volume change (dimensionless) f(sto) (Ai2020, from Rieger 2016).
pub fn graphite_volume_change_ai2020(a: &FnArgs) -> f64 {
    let s = a.sto;
    145.907 * s.powi(9) - 681.229 * s.powi(8) + 1334.442 * s.powi(7) - 1415.710 * s.powi(6)
        + 873.906 * s.powi(5)
        - 312.528 * s.powi(4)
        + 60.641 * s.powi(3)
        - 5.706 * s.powi(2)
        + 0.386 * s
        - 4.966e-05
}

/// Graphite cracking rate f(T); the activation energy is the set's
/// "Negative electrode activation energy for cracking rate [J.mol-1]" (0).
pub fn graphite_cracking_rate_ai2020(a: &FnArgs) -> f64 {
    let eac_cr = 0.0;
    3.9e-20 * (eac_cr / R * (1.0 / a.t - 1.0 / 298.15)).exp()
}

/// LiCoO2 particle diffusivity [m2.s-1] f(sto, T) (Dualfoil 1998, Arrhenius 5 kJ/mol).
pub fn lico2_diffusivity_dualfoil1998(a: &FnArgs) -> f64 {
    5.387e-15 * arrhenius(5000.0, a.t)
}

/// LiCoO2 exchange-current density [A.m-2] f(c_e, c_s_surf, c_s_max, T) (Dualfoil 1998).
pub fn lico2_electrolyte_exchange_current_density_dualfoil1998(a: &FnArgs) -> f64 {
    graphite_electrolyte_exchange_current_density_dualfoil1998(a)
}

/// LiCoO2 OCP entropic change [V.K-1] f(sto) (Ai2020 polynomial fit).
pub fn lico2_entropic_change_ai2020_function(a: &FnArgs) -> f64 {
    let s = a.sto;
    -3.20392657 * s.powi(7) + 14.5719049 * s.powi(6) - 27.9047599 * s.powi(5)
        + 29.1744564 * s.powi(4)
        - 17.992018 * s.powi(3)
        + 6.54799331 * s.powi(2)
        - 1.30382445 * s
        + 0.109667298
}

/// LiCoO2 particle volume change f(sto) = omega * c_s_max * sto with the set's partial molar
/// volume (-7.28e-7 m3/mol) and maximum concentration (49943 mol/m3).
pub fn lico2_volume_change_ai2020(a: &FnArgs) -> f64 {
    -7.28e-07 * 49943.0 * a.sto
}

/// LiCoO2 cracking rate f(T); the activation energy is the set's
/// "Positive electrode activation energy for cracking rate [J.mol-1]" (0).
pub fn lico2_cracking_rate_ai2020(a: &FnArgs) -> f64 {
    graphite_cracking_rate_ai2020(a)
}

/// Thermodynamic factor f(c_e, T) of LiPF6 in EC:DMC (Ai2020), with the set's cation
/// transference number 0.38.
pub fn dlnf_dlnc_ai2020(a: &FnArgs) -> f64 {
    let t_plus = 0.38;
    let c = a.c_e / 1000.0;
    (0.601 - 0.24 * c.powf(0.5) + 0.982 * (1.0 - 0.0052 * (a.t - 298.15)) * c.powf(1.5))
        / (1.0 - t_plus)
}

/// Electrolyte diffusivity [m2.s-1] f(c_e, T) (Valoen & Reimers 2005, eq. 14).
pub fn electrolyte_diffusivity_ai2020(a: &FnArgs) -> f64 {
    let c = a.c_e;
    1e-4 * 10f64.powf(-4.43 - 54.0 / (a.t - 229.0 - 5e-3 * c) - 0.22e-3 * c)
}

/// Electrolyte conductivity [S.m-1] f(c_e, T) (Torchio et al. 2016).
pub fn electrolyte_conductivity_ai2020(a: &FnArgs) -> f64 {
    let (c, t) = (a.c_e, a.t);
    1e-4 * c
        * ((-10.5 + 0.668 * 1e-3 * c + 0.494 * 1e-6 * c * c)
            + (0.074 - 1.78 * 1e-5 * c - 8.86 * 1e-10 * c * c) * t
            + (-6.96 * 1e-5 + 2.8 * 1e-8 * c) * t * t)
            .powi(2)
}

/// Graphite OCP [V] f(sto): PyBaMM's cubic (not-a-knot) interpolant of Enertech data.
pub fn graphite_ocp_enertech_ai2020(a: &FnArgs) -> f64 {
    static S: OnceLock<CubicSpline> = OnceLock::new();
    S.get_or_init(|| CubicSpline::not_a_knot(&GRAPHITE_OCP_X, &GRAPHITE_OCP_Y))
        .eval(a.sto)
}

/// LiCoO2 OCP [V] f(sto): PyBaMM's cubic (not-a-knot) interpolant of Ai2020 data.
pub fn lico2_ocp_ai2020(a: &FnArgs) -> f64 {
    static S: OnceLock<CubicSpline> = OnceLock::new();
    S.get_or_init(|| CubicSpline::not_a_knot(&LICO2_OCP_X, &LICO2_OCP_Y))
        .eval(a.sto)
}

/// Graphite OCP [V] vs stoichiometry, PyBaMM's graphite_ocp_Enertech_Ai2020.csv (abscissa)
#[rustfmt::skip]
pub static GRAPHITE_OCP_X: [f64; 125] = [
    0.0, 0.0005, 0.00127041, 0.00152479,
    0.00190595, 0.002223558, 0.004060547, 0.004820151,
    0.006463943, 0.00741337, 0.008616506, 0.009123417,
    0.010768226, 0.012665046, 0.014118344, 0.017786752,
    0.02069469, 0.023983799, 0.030502175, 0.036001135,
    0.039606662, 0.059148083, 0.061297942, 0.071349833,
    0.080265526, 0.119208079, 0.128120548, 0.134253707,
    0.141584594, 0.150874177, 0.160609131, 0.170345957,
    0.189747769, 0.209222253, 0.21901773, 0.228756579,
    0.238552575, 0.248349231, 0.258084023, 0.267821184,
    0.28741535, 0.297209811, 0.307004942, 0.316798396,
    0.326534032, 0.336321558, 0.346061758, 0.355856392,
    0.365593044, 0.375388012, 0.385120781, 0.394915577,
    0.404717479, 0.414512102, 0.424244871, 0.434039331,
    0.44377024, 0.453564862, 0.463298139, 0.473034456,
    0.482766544, 0.492564552, 0.502302892, 0.512042595,
    0.521833161, 0.531572182, 0.541369033, 0.551104831,
    0.5608998, 0.570635608, 0.580434806, 0.590235692,
    0.599977407, 0.609716266, 0.619517822, 0.629313635,
    0.639049108, 0.648790152, 0.658584104, 0.668320248,
    0.67805504, 0.687851869, 0.69764938, 0.707389072,
    0.717188097, 0.726977148, 0.736776336, 0.746515866,
    0.756259106, 0.766055091, 0.775789039, 0.785537861,
    0.79532979, 0.805080646, 0.814827099, 0.824570003,
    0.834370889, 0.844173289, 0.853913187, 0.86365051,
    0.873392073, 0.883126865, 0.892918286, 0.902708516,
    0.912443308, 0.922232533, 0.932019724, 0.941812832,
    0.951602392, 0.961392795, 0.970177652, 0.976051358,
    0.980413449, 0.983887804, 0.986792703, 0.989255096,
    0.991401407, 0.993359929, 0.995130154, 0.996776304,
    0.99822944, 0.999241066, 0.999746961, 0.999936448,
    1.0,
];
/// Graphite OCP [V] vs stoichiometry, PyBaMM's graphite_ocp_Enertech_Ai2020.csv (values)
#[rustfmt::skip]
pub static GRAPHITE_OCP_Y: [f64; 125] = [
    3.5, 3.0, 1.04, 1.01,
    0.972653837, 0.94249055, 0.816240592, 0.780280928,
    0.71896262, 0.691374757, 0.661391781, 0.649962232,
    0.6165173, 0.583310858, 0.560830783, 0.512439476,
    0.48025136, 0.448495867, 0.39598881, 0.359507681,
    0.338477981, 0.256319558, 0.25117361, 0.236055324,
    0.231009217, 0.2232966, 0.218284244, 0.213273859,
    0.208228362, 0.203209739, 0.198620985, 0.193816376,
    0.184166915, 0.176790532, 0.173830441, 0.170963261,
    0.167903501, 0.164649979, 0.161491332, 0.15859383,
    0.153399157, 0.151002319, 0.14886213, 0.146918911,
    0.145328142, 0.144002109, 0.142902125, 0.142014262,
    0.141316008, 0.140759105, 0.140314323, 0.139942322,
    0.139617851, 0.139325406, 0.139051014, 0.138779297,
    0.138517413, 0.138258897, 0.137981293, 0.137672226,
    0.137329325, 0.136903224, 0.136390244, 0.135757581,
    0.134947101, 0.133923235, 0.132621681, 0.130989474,
    0.128964924, 0.126549987, 0.123742878, 0.120770834,
    0.117929634, 0.115379983, 0.113205423, 0.111366477,
    0.109855495, 0.108578952, 0.107520678, 0.106632536,
    0.105893758, 0.105260613, 0.104713189, 0.104254365,
    0.103845625, 0.103477119, 0.103153932, 0.102856541,
    0.102587443, 0.102338279, 0.102101986, 0.101880905,
    0.101676423, 0.101465878, 0.101264171, 0.101062635,
    0.10087041, 0.10068096, 0.100489223, 0.100300437,
    0.100099718, 0.099877104, 0.099628985, 0.099332616,
    0.098958419, 0.098442542, 0.097683643, 0.096492,
    0.094510791, 0.091136817, 0.086115186, 0.081078748,
    0.07604037, 0.070991535, 0.065898328, 0.060844047,
    0.055810118, 0.050670698, 0.045562401, 0.040392663,
    0.035261272, 0.030242658, 0.024850768, 0.019251502,
    0.004994678,
];
/// LiCoO2 OCP [V] vs stoichiometry, PyBaMM's lico2_ocp_Ai2020.csv (abscissa)
#[rustfmt::skip]
pub static LICO2_OCP_X: [f64; 482] = [
    0.4, 0.401, 0.402, 0.403,
    0.404, 0.405, 0.406, 0.407,
    0.408, 0.409, 0.41, 0.411,
    0.412, 0.413, 0.414, 0.415,
    0.416, 0.417, 0.418, 0.419,
    0.42, 0.421, 0.422, 0.423,
    0.424, 0.425, 0.426, 0.427,
    0.428, 0.429, 0.43, 0.431,
    0.432, 0.433, 0.434, 0.435,
    0.436, 0.436639784, 0.437906143, 0.439172502,
    0.44043886, 0.441705219, 0.442971578, 0.444237937,
    0.445504296, 0.446770655, 0.448037014, 0.449303373,
    0.450569732, 0.45183609, 0.453102449, 0.454368808,
    0.455635167, 0.456901526, 0.458167885, 0.459434244,
    0.460700603, 0.461966961, 0.46323332, 0.464499679,
    0.465766038, 0.467032397, 0.468298756, 0.469565115,
    0.470831474, 0.472097833, 0.473364191, 0.47463055,
    0.475896909, 0.477163268, 0.478429627, 0.479695986,
    0.480962345, 0.482228704, 0.483495063, 0.484761421,
    0.48602778, 0.487294139, 0.488560498, 0.489826857,
    0.491093216, 0.492359575, 0.493625934, 0.494892292,
    0.496158651, 0.49742501, 0.498691369, 0.499957728,
    0.501224087, 0.502490446, 0.503756805, 0.505023163,
    0.506289522, 0.507555881, 0.50882224, 0.510088599,
    0.511354958, 0.512621317, 0.513887676, 0.515154035,
    0.516420393, 0.517686752, 0.518953111, 0.52021947,
    0.521485829, 0.522752188, 0.524018547, 0.525284906,
    0.526551264, 0.527817622, 0.52908398, 0.530350338,
    0.531616697, 0.532883056, 0.534149415, 0.535415774,
    0.536682133, 0.537948492, 0.539214851, 0.54048121,
    0.541747568, 0.543013927, 0.544280286, 0.545546645,
    0.546813004, 0.548079363, 0.549345722, 0.550612081,
    0.551878439, 0.553144798, 0.554411157, 0.555677516,
    0.556943875, 0.558210234, 0.559476593, 0.560742952,
    0.562009311, 0.563275669, 0.564542028, 0.565808387,
    0.567074746, 0.568341105, 0.569607464, 0.570873823,
    0.572140182, 0.573406541, 0.574672899, 0.575939258,
    0.577205617, 0.578471976, 0.579738335, 0.581004694,
    0.582271053, 0.583537412, 0.58480377, 0.586070129,
    0.587336488, 0.588602847, 0.589869206, 0.591135565,
    0.592401924, 0.593668283, 0.594934642, 0.596201,
    0.597467359, 0.598733718, 0.600000077, 0.601266436,
    0.602532795, 0.603799154, 0.605065513, 0.606331872,
    0.60759823, 0.608864589, 0.610130948, 0.611397307,
    0.612663666, 0.613930025, 0.615196384, 0.616462743,
    0.617729101, 0.61899546, 0.620261819, 0.621528178,
    0.622794537, 0.624060896, 0.625327255, 0.626593614,
    0.627859973, 0.629126331, 0.63039269, 0.631659049,
    0.632925408, 0.634191767, 0.635458126, 0.636724485,
    0.637990844, 0.639257202, 0.640523561, 0.64178992,
    0.643056279, 0.644322638, 0.645588997, 0.646855356,
    0.648121715, 0.649388074, 0.650654432, 0.651920791,
    0.65318715, 0.654453509, 0.655719868, 0.656986227,
    0.658252586, 0.659518945, 0.660785304, 0.662051662,
    0.663318021, 0.66458438, 0.665850739, 0.667117098,
    0.668383457, 0.669649816, 0.670916175, 0.672182533,
    0.673448892, 0.674715251, 0.67598161, 0.677247969,
    0.678514328, 0.679780687, 0.681047046, 0.682313405,
    0.683579763, 0.684846122, 0.686112481, 0.68737884,
    0.688645199, 0.689911568, 0.691177927, 0.692444286,
    0.693710645, 0.694977004, 0.696243363, 0.697509722,
    0.698776081, 0.700042439, 0.701308798, 0.702575157,
    0.703841516, 0.705107875, 0.706374234, 0.707640593,
    0.708906952, 0.71017331, 0.711439669, 0.712706028,
    0.713972387, 0.715238746, 0.716505105, 0.717771464,
    0.719037823, 0.720304182, 0.72157054, 0.722836899,
    0.724103258, 0.725369617, 0.726635976, 0.727902335,
    0.729168694, 0.730435053, 0.731701411, 0.73296777,
    0.734234129, 0.735500488, 0.736766847, 0.738033206,
    0.739299565, 0.740565924, 0.741832283, 0.743098641,
    0.744365, 0.745631359, 0.746897718, 0.748164077,
    0.749430436, 0.750696795, 0.751963154, 0.753229513,
    0.754495871, 0.75576223, 0.757028589, 0.758294948,
    0.759561307, 0.760827666, 0.762094025, 0.763360384,
    0.764626742, 0.765893101, 0.76715946, 0.768425819,
    0.769692178, 0.770958537, 0.772224896, 0.773491255,
    0.774757613, 0.776023972, 0.777290331, 0.77855669,
    0.779823049, 0.781089408, 0.782355767, 0.783622126,
    0.784888485, 0.786154843, 0.787421202, 0.788687561,
    0.78995392, 0.791220279, 0.792486638, 0.793752997,
    0.795019356, 0.796285715, 0.797552073, 0.798818432,
    0.800084791, 0.80135115, 0.802617509, 0.803883868,
    0.805150227, 0.806416586, 0.807682944, 0.808949303,
    0.810215662, 0.811482021, 0.81274838, 0.814014739,
    0.815281098, 0.816547457, 0.817813816, 0.819080174,
    0.820346533, 0.821612892, 0.822879251, 0.82414561,
    0.825411969, 0.826678328, 0.827944687, 0.829211045,
    0.830477404, 0.831743763, 0.833010122, 0.834276481,
    0.83554284, 0.836809199, 0.838075558, 0.839341917,
    0.840608275, 0.841874634, 0.843140993, 0.844407352,
    0.845673711, 0.84694007, 0.848206429, 0.849472788,
    0.850739146, 0.852005505, 0.853271864, 0.854538223,
    0.855804582, 0.857070941, 0.8583373, 0.859603659,
    0.860870018, 0.862136376, 0.863402735, 0.864669094,
    0.865935453, 0.867201812, 0.868468171, 0.86973453,
    0.871000889, 0.872267247, 0.873533606, 0.874799965,
    0.876066324, 0.877332683, 0.878599042, 0.879865401,
    0.88113176, 0.882398119, 0.883664477, 0.884930836,
    0.886197195, 0.887463554, 0.888729913, 0.889996272,
    0.891262631, 0.89252899, 0.893795349, 0.895061707,
    0.896328066, 0.897594425, 0.898860784, 0.900127143,
    0.901393502, 0.902659861, 0.90392622, 0.905192579,
    0.906458937, 0.907725296, 0.908991655, 0.910258014,
    0.911524373, 0.912790732, 0.914057091, 0.915323449,
    0.916589808, 0.917856167, 0.919122526, 0.920388885,
    0.921655244, 0.922921603, 0.924187962, 0.92545432,
    0.926720679, 0.927987038, 0.929253397, 0.930519756,
    0.931786115, 0.933052474, 0.934318833, 0.935585192,
    0.93685155, 0.938117909, 0.939384268, 0.940650627,
    0.941916986, 0.943183345, 0.944449704, 0.945716063,
    0.946982421, 0.94824878, 0.949515139, 0.950781498,
    0.952047857, 0.953314216, 0.954580575, 0.955846934,
    0.957113293, 0.958379651, 0.95964601, 0.960912369,
    0.962178728, 0.963445087, 0.964711446, 0.965977805,
    0.967244164, 0.968510523, 0.969776881, 0.97104324,
    0.972309599, 0.973575958, 0.974842317, 0.976108676,
    0.977375035, 0.978641394, 0.979907752, 0.981174111,
    0.98244047, 0.983706829, 0.984973188, 0.986239547,
    0.987505906, 0.988772265, 0.990038623, 0.991304982,
    0.992571341, 0.9938377, 0.995104059, 0.996370418,
    0.997636777, 0.998903136,
];
/// LiCoO2 OCP [V] vs stoichiometry, PyBaMM's lico2_ocp_Ai2020.csv (values)
#[rustfmt::skip]
pub static LICO2_OCP_Y: [f64; 482] = [
    4.390781177520233, 4.387755138269558, 4.384729099018884, 4.381703059768209,
    4.378677020517535, 4.37565098126686, 4.372624942016186, 4.369598902765512,
    4.366572863514837, 4.363546824264163, 4.360520785013488, 4.357494745762814,
    4.354468706512139, 4.351442667261465, 4.34841662801079, 4.345390588760116,
    4.342364549509441, 4.339338510258767, 4.3363124710080925, 4.3332864317574185,
    4.330260392506744, 4.3272343532560695, 4.3242083140053955, 4.321182274754721,
    4.318156235504047, 4.315130196253372, 4.312104157002698, 4.309078117752023,
    4.306052078501349, 4.303026039250674, 4.3, 4.296973960749326,
    4.293947921498651, 4.290921882247977, 4.287895842997302, 4.284869803746628,
    4.281843764495953, 4.279907753, 4.276472669, 4.273800938,
    4.271129206, 4.268648313, 4.266167419, 4.263686526,
    4.261205633, 4.258724739, 4.256243846, 4.253762952,
    4.251282059, 4.248992003, 4.24651111, 4.244221054,
    4.24174016, 4.239259267, 4.236969211, 4.234679156,
    4.232198262, 4.229717369, 4.227236475, 4.225137258,
    4.222656364, 4.220366309, 4.217885415, 4.21559536,
    4.213305304, 4.211015249, 4.208534355, 4.2062443,
    4.203954244, 4.201664189, 4.199374133, 4.197084078,
    4.194794022, 4.192503967, 4.190213911, 4.187923856,
    4.185824638, 4.183534582, 4.181053689, 4.178954471,
    4.176855254, 4.174565198, 4.172275143, 4.169985087,
    4.16788587, 4.165786652, 4.163687435, 4.161588217,
    4.159298161, 4.157389782, 4.155290564, 4.153191347,
    4.151092129, 4.148992912, 4.146893694, 4.144794476,
    4.142504421, 4.140405203, 4.138305986, 4.136206768,
    4.134107551, 4.131817495, 4.129718278, 4.12761906,
    4.125519842, 4.123229787, 4.121130569, 4.11922219,
    4.116932134, 4.115023755, 4.112733699, 4.110634481,
    4.108726102, 4.106817722, 4.104718505, 4.102619287,
    4.100901745, 4.09861169, 4.09670331, 4.094985769,
    4.092886551, 4.090978171, 4.089069792, 4.08735225,
    4.085443871, 4.083535491, 4.081817949, 4.07990957,
    4.078192028, 4.076474486, 4.074566107, 4.072848565,
    4.071131024, 4.069413482, 4.06769594, 4.065978399,
    4.064451695, 4.062734153, 4.06120745, 4.05929907,
    4.057772366, 4.056054825, 4.054528121, 4.052810579,
    4.051283876, 4.049566334, 4.04803963, 4.046322089,
    4.044795385, 4.043268681, 4.04155114, 4.040024436,
    4.038306894, 4.036971029, 4.035253487, 4.033726783,
    4.03220008, 4.030673376, 4.029146672, 4.027619968,
    4.026093265, 4.024566561, 4.023039857, 4.021703992,
    4.020177288, 4.018841422, 4.017314719, 4.015788015,
    4.014261311, 4.012925445, 4.01158958, 4.010253714,
    4.00872701, 4.007391145, 4.006055279, 4.004719413,
    4.003383547, 4.001856844, 4.000711816, 3.99937595,
    3.997849247, 3.996704219, 3.995368353, 3.994032487,
    3.99288746, 3.991551594, 3.990215728, 3.9890707,
    3.987734835, 3.986398969, 3.985253941, 3.984108913,
    3.982773048, 3.98162802, 3.980292154, 3.979147126,
    3.978192937, 3.976857071, 3.975712043, 3.974567015,
    3.973421988, 3.97227696, 3.970941094, 3.969986904,
    3.968841877, 3.967696849, 3.966742659, 3.965597631,
    3.964452603, 3.963498414, 3.962353386, 3.961208358,
    3.960254168, 3.959109141, 3.958154951, 3.957200761,
    3.956055733, 3.955101543, 3.954147354, 3.953002326,
    3.952048136, 3.951284784, 3.950139756, 3.949185567,
    3.948231377, 3.947277187, 3.946513835, 3.945368807,
    3.944605456, 3.943651266, 3.942697076, 3.941933724,
    3.940979534, 3.940025344, 3.939261993, 3.938307803,
    3.937544451, 3.936590261, 3.935826909, 3.93487272,
    3.934109368, 3.933346016, 3.932582664, 3.931819312,
    3.930865122, 3.930292608, 3.929338419, 3.928575067,
    3.927811715, 3.927048363, 3.926285011, 3.925521659,
    3.924949146, 3.924185794, 3.92361328, 3.922849928,
    3.922086576, 3.921323224, 3.92075071, 3.919987359,
    3.919224007, 3.918651493, 3.918078979, 3.917506465,
    3.916933951, 3.916361437, 3.915788923, 3.915025572,
    3.914643896, 3.913880544, 3.91330803, 3.912735516,
    3.912163002, 3.911781326, 3.911208812, 3.910636298,
    3.910063785, 3.909491271, 3.908918757, 3.908537081,
    3.908155405, 3.907582891, 3.907010377, 3.906628701,
    3.906056187, 3.905865349, 3.905292836, 3.90491116,
    3.904529484, 3.90395697, 3.903575294, 3.903193618,
    3.902811942, 3.902621104, 3.902239428, 3.901857752,
    3.901476076, 3.9010944, 3.900903562, 3.900521887,
    3.900140211, 3.899949373, 3.899758535, 3.899376859,
    3.899186021, 3.898995183, 3.898613507, 3.898422669,
    3.898040993, 3.897850155, 3.897659317, 3.897468479,
    3.897277641, 3.897086803, 3.896705127, 3.896705127,
    3.896514289, 3.896323451, 3.896323451, 3.896132613,
    3.895750938, 3.895750938, 3.8955601, 3.895369262,
    3.895178424, 3.894987586, 3.894796748, 3.89460591,
    3.89460591, 3.894415072, 3.894224234, 3.894033396,
    3.894033396, 3.893842558, 3.89365172, 3.89365172,
    3.893460882, 3.893270044, 3.893270044, 3.893079206,
    3.892888368, 3.89269753, 3.89269753, 3.892506692,
    3.892315854, 3.892125016, 3.891934178, 3.891934178,
    3.89174334, 3.891552502, 3.891361664, 3.891170826,
    3.890979989, 3.890979989, 3.890789151, 3.890598313,
    3.890407475, 3.890216637, 3.890025799, 3.889834961,
    3.889834961, 3.889644123, 3.889262447, 3.889071609,
    3.888880771, 3.888689933, 3.888499095, 3.888308257,
    3.888117419, 3.887735743, 3.887544905, 3.887354067,
    3.887163229, 3.886972391, 3.886590715, 3.88620904,
    3.886018202, 3.885827364, 3.885445688, 3.885064012,
    3.884873174, 3.884491498, 3.88430066, 3.883918984,
    3.883728146, 3.88334647, 3.882773956, 3.882583118,
    3.882201442, 3.881819766, 3.88143809, 3.881056415,
    3.880674739, 3.880102225, 3.879529711, 3.879148035,
    3.878575521, 3.878193845, 3.877812169, 3.877239655,
    3.876667141, 3.876094628, 3.875522114, 3.8749496,
    3.874377086, 3.873613734, 3.87304122, 3.872468706,
    3.871705354, 3.871132841, 3.870369489, 3.869415299,
    3.868842785, 3.868079433, 3.867125243, 3.866171054,
    3.865407702, 3.864453512, 3.863499322, 3.862545132,
    3.861400105, 3.860255077, 3.859300887, 3.858155859,
    3.856819994, 3.855674966, 3.854148262, 3.853003234,
    3.851476531, 3.849949827, 3.848423123, 3.84689642,
    3.84498804, 3.843270498, 3.841362119, 3.839262901,
    3.837163684, 3.835064466, 3.832583573, 3.830102679,
    3.827430948, 3.824759216, 3.821896647, 3.818843239,
    3.815598994, 3.812163911, 3.808537989, 3.804912068,
    3.800904471, 3.796896874, 3.792698439, 3.788309166,
    3.783919893, 3.779148944, 3.774568832, 3.769607045,
    3.765026934, 3.760065147, 3.75510336, 3.750141573,
    3.745179786, 3.740217999, 3.735065375, 3.72991275,
    3.724760125, 3.719416662, 3.713882361, 3.708157222,
    3.702241245, 3.696134431, 3.689455102, 3.682394097,
    3.674760579, 3.666363709, 3.656630973, 3.645562371,
    3.632203714, 3.615219135, 3.591936904, 3.557204395,
    3.501098035, 3.4089233,
];

/// PyBaMM's Ai2020 parameter set, by PyBaMM parameter name.
pub fn parameter_values() -> ParameterValues {
    use Value::{Func, Scalar};
    ParameterValues::new(
        "Ai2020",
        "Ai, W., Kraft, L., Sturm, J., Jossen, A., Wu, B. (2019). Electrochemical Thermal-Mechanical Modelling of Stress Inhomogeneity in Lithium-Ion Pouch Cells. J. Electrochem. Soc. 167(1), 013512. doi:10.1149/2.0122001JES",
        vec![
            ("Ratio of lithium moles to SEI moles", Scalar(2.0)),
            ("SEI partial molar volume [m3.mol-1]", Scalar(9.585e-05)),
            ("SEI reaction exchange current density [A.m-2]", Scalar(1.5e-07)),
            ("SEI resistivity [Ohm.m]", Scalar(200000.0)),
            ("SEI solvent diffusivity [m2.s-1]", Scalar(2.5e-22)),
            ("Bulk solvent concentration [mol.m-3]", Scalar(2636.0)),
            ("SEI open-circuit potential [V]", Scalar(0.4)),
            ("SEI electron conductivity [S.m-1]", Scalar(8.95e-14)),
            ("SEI lithium interstitial diffusivity [m2.s-1]", Scalar(1e-20)),
            ("Lithium interstitial reference concentration [mol.m-3]", Scalar(15.0)),
            ("Initial SEI thickness [m]", Scalar(5e-09)),
            ("Initial SEI on cracks thickness [m]", Scalar(5e-13)),
            ("EC initial concentration in electrolyte [mol.m-3]", Scalar(4541.0)),
            ("EC diffusivity [m2.s-1]", Scalar(2e-18)),
            ("SEI kinetic rate constant [m.s-1]", Scalar(1e-12)),
            ("SEI growth activation energy [J.mol-1]", Scalar(0.0)),
            ("Negative electrode reaction-driven LAM factor [m3.mol-1]", Scalar(0.0)),
            ("Positive electrode reaction-driven LAM factor [m3.mol-1]", Scalar(0.0)),
            ("Negative current collector thickness [m]", Scalar(1e-05)),
            ("Negative electrode thickness [m]", Scalar(7.65e-05)),
            ("Separator thickness [m]", Scalar(2.5e-05)),
            ("Positive electrode thickness [m]", Scalar(6.8e-05)),
            ("Positive current collector thickness [m]", Scalar(1.5e-05)),
            ("Electrode height [m]", Scalar(0.051)),
            ("Electrode width [m]", Scalar(0.047)),
            ("Cell cooling surface area [m2]", Scalar(0.0060484)),
            ("Cell volume [m3]", Scalar(1.5341e-05)),
            ("Cell emissivity", Scalar(0.95)),
            ("Cell thermal expansion coefficient [m.K-1]", Scalar(1.1e-06)),
            ("Negative current collector conductivity [S.m-1]", Scalar(58411000.0)),
            ("Positive current collector conductivity [S.m-1]", Scalar(36914000.0)),
            ("Negative current collector density [kg.m-3]", Scalar(8960.0)),
            ("Positive current collector density [kg.m-3]", Scalar(2700.0)),
            ("Negative current collector specific heat capacity [J.kg-1.K-1]", Scalar(385.0)),
            ("Positive current collector specific heat capacity [J.kg-1.K-1]", Scalar(897.0)),
            ("Negative current collector thermal conductivity [W.m-1.K-1]", Scalar(401.0)),
            ("Positive current collector thermal conductivity [W.m-1.K-1]", Scalar(237.0)),
            ("Nominal cell capacity [A.h]", Scalar(2.28)),
            ("Current function [A]", Scalar(2.28)),
            ("Contact resistance [Ohm]", Scalar(0.0)),
            ("Negative electrode conductivity [S.m-1]", Scalar(100.0)),
            ("Maximum concentration in negative electrode [mol.m-3]", Scalar(28700.0)),
            ("Negative particle diffusivity [m2.s-1]", Func(graphite_diffusivity_dualfoil1998)),
            ("Negative electrode OCP [V]", Func(graphite_ocp_enertech_ai2020)),
            ("Negative electrode porosity", Scalar(0.33)),
            ("Negative electrode active material volume fraction", Scalar(0.61)),
            ("Negative particle radius [m]", Scalar(5e-06)),
            ("Negative electrode Bruggeman coefficient (electrolyte)", Scalar(2.914)),
            ("Negative electrode Bruggeman coefficient (electrode)", Scalar(0.0)),
            ("Negative electrode charge transfer coefficient", Scalar(0.5)),
            ("Negative electrode double-layer capacity [F.m-2]", Scalar(0.2)),
            ("Negative electrode exchange-current density [A.m-2]", Func(graphite_electrolyte_exchange_current_density_dualfoil1998)),
            ("Negative electrode density [kg.m-3]", Scalar(2470.0)),
            ("Negative electrode specific heat capacity [J.kg-1.K-1]", Scalar(1080.2)),
            ("Negative electrode thermal conductivity [W.m-1.K-1]", Scalar(1.04)),
            ("Negative electrode OCP entropic change [V.K-1]", Func(graphite_entropy_enertech_ai2020_function)),
            ("Negative electrode Poisson's ratio", Scalar(0.3)),
            ("Negative electrode Young's modulus [Pa]", Scalar(15000000000.0)),
            ("Negative electrode reference concentration for free of deformation [mol.m-3]", Scalar(0.0)),
            ("Negative electrode partial molar volume [m3.mol-1]", Scalar(3.1e-06)),
            ("Negative electrode volume change", Func(graphite_volume_change_ai2020)),
            ("Negative electrode initial crack length [m]", Scalar(2e-08)),
            ("Negative electrode initial crack width [m]", Scalar(1.5e-08)),
            ("Negative electrode number of cracks per unit area [m-2]", Scalar(3180000000000000.0)),
            ("Negative electrode Paris' law constant b", Scalar(1.12)),
            ("Negative electrode Paris' law constant m", Scalar(2.2)),
            ("Negative electrode cracking rate", Func(graphite_cracking_rate_ai2020)),
            ("Negative electrode activation energy for cracking rate [J.mol-1]", Scalar(0.0)),
            ("Negative electrode LAM constant proportional term [s-1]", Scalar(0.0)),
            ("Negative electrode LAM constant exponential term", Scalar(2.0)),
            ("Negative electrode critical stress [Pa]", Scalar(60000000.0)),
            ("Positive electrode conductivity [S.m-1]", Scalar(10.0)),
            ("Maximum concentration in positive electrode [mol.m-3]", Scalar(49943.0)),
            ("Positive particle diffusivity [m2.s-1]", Func(lico2_diffusivity_dualfoil1998)),
            ("Positive electrode OCP [V]", Func(lico2_ocp_ai2020)),
            ("Positive electrode porosity", Scalar(0.32)),
            ("Positive electrode active material volume fraction", Scalar(0.62)),
            ("Positive particle radius [m]", Scalar(3e-06)),
            ("Positive electrode surface area to volume ratio [m-1]", Scalar(620000.0)),
            ("Positive electrode Bruggeman coefficient (electrolyte)", Scalar(1.83)),
            ("Positive electrode Bruggeman coefficient (electrode)", Scalar(0.0)),
            ("Positive electrode charge transfer coefficient", Scalar(0.5)),
            ("Positive electrode double-layer capacity [F.m-2]", Scalar(0.2)),
            ("Positive electrode exchange-current density [A.m-2]", Func(lico2_electrolyte_exchange_current_density_dualfoil1998)),
            ("Positive electrode density [kg.m-3]", Scalar(2470.0)),
            ("Positive electrode specific heat capacity [J.kg-1.K-1]", Scalar(1080.2)),
            ("Positive electrode thermal conductivity [W.m-1.K-1]", Scalar(1.58)),
            ("Positive electrode OCP entropic change [V.K-1]", Func(lico2_entropic_change_ai2020_function)),
            ("Positive electrode Poisson's ratio", Scalar(0.2)),
            ("Positive electrode Young's modulus [Pa]", Scalar(375000000000.0)),
            ("Positive electrode reference concentration for free of deformation [mol.m-3]", Scalar(0.0)),
            ("Positive electrode partial molar volume [m3.mol-1]", Scalar(-7.28e-07)),
            ("Positive electrode volume change", Func(lico2_volume_change_ai2020)),
            ("Positive electrode initial crack length [m]", Scalar(2e-08)),
            ("Positive electrode initial crack width [m]", Scalar(1.5e-08)),
            ("Positive electrode number of cracks per unit area [m-2]", Scalar(3180000000000000.0)),
            ("Positive electrode Paris' law constant b", Scalar(1.12)),
            ("Positive electrode Paris' law constant m", Scalar(2.2)),
            ("Positive electrode cracking rate", Func(lico2_cracking_rate_ai2020)),
            ("Positive electrode activation energy for cracking rate [J.mol-1]", Scalar(0.0)),
            ("Positive electrode LAM constant proportional term [s-1]", Scalar(2.78e-13)),
            ("Positive electrode LAM constant exponential term", Scalar(2.0)),
            ("Positive electrode critical stress [Pa]", Scalar(375000000.0)),
            ("Separator porosity", Scalar(0.5)),
            ("Separator Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Separator density [kg.m-3]", Scalar(2470.0)),
            ("Separator specific heat capacity [J.kg-1.K-1]", Scalar(1080.2)),
            ("Separator thermal conductivity [W.m-1.K-1]", Scalar(0.334)),
            ("Initial concentration in electrolyte [mol.m-3]", Scalar(1000.0)),
            ("Cation transference number", Scalar(0.38)),
            ("Thermodynamic factor", Func(dlnf_dlnc_ai2020)),
            ("Electrolyte diffusivity [m2.s-1]", Func(electrolyte_diffusivity_ai2020)),
            ("Electrolyte conductivity [S.m-1]", Func(electrolyte_conductivity_ai2020)),
            ("Reference temperature [K]", Scalar(298.15)),
            ("Total heat transfer coefficient [W.m-2.K-1]", Scalar(35.0)),
            ("Ambient temperature [K]", Scalar(298.15)),
            ("Number of electrodes connected in parallel to make a cell", Scalar(34.0)),
            ("Number of cells connected in series to make a battery", Scalar(1.0)),
            ("Lower voltage cut-off [V]", Scalar(3.0)),
            ("Upper voltage cut-off [V]", Scalar(4.2)),
            ("Open-circuit voltage at 0% SOC [V]", Scalar(3.0)),
            ("Open-circuit voltage at 100% SOC [V]", Scalar(4.2)),
            ("Initial concentration in negative electrode [mol.m-3]", Scalar(24108.0)),
            ("Initial concentration in positive electrode [mol.m-3]", Scalar(21725.0)),
            ("Initial temperature [K]", Scalar(298.15)),
        ],
    )
}
