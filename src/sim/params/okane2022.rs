//! OKane2022: LG M50 (NMC811/graphite-SiOx) with degradation (SEI, lithium plating, cracking,
//! LAM). S. E. J. O'Kane, W. Ai, G. Madabattula, D. Alonso-Alvarez, R. Timms, V. Sulzer, J. S. Edge,
//! B. Wu, G. J. Offer, M. Marinescu, "Lithium-ion battery degradation: how to model it", PCCP 24, 7909 (2022).

use super::common::{
    arrhenius, graphite_lgm50_electrolyte_exchange_current_density_chen2020,
    nmc_lgm50_ocp_chen2020, sei_limited_dead_lithium_okane2022, sqrt0,
};
use std::sync::OnceLock;

use super::ai2020::{graphite_cracking_rate_ai2020, graphite_volume_change_ai2020};
use super::constants::F;
use super::interp::CubicSpline;
use super::{FnArgs, ParameterValues, Value};

/// Lithium plating exchange-current density [A.m-2] f(c_e, c_Li, T) = F k c_e (O'Kane 2020),
/// with the set's "Lithium plating kinetic rate constant [m.s-1]" (1e-9).
pub fn plating_exchange_current_density_okane2020(a: &FnArgs) -> f64 {
    F * 1e-09 * a.c_e
}

/// Lithium stripping exchange-current density [A.m-2] f(c_e, c_Li, T) = F k c_Li
/// (O'Kane 2020); c_Li, the plated lithium concentration, is passed in `c_s_surf`.
pub fn stripping_exchange_current_density_okane2020(a: &FnArgs) -> f64 {
    F * 1e-09 * a.c_s_surf
}

/// Graphite-SiOx particle diffusivity [m2.s-1] f(sto, T) (Chen 2020, Arrhenius 30.3 kJ/mol).
pub fn graphite_lgm50_diffusivity_chen2020(a: &FnArgs) -> f64 {
    3.3e-14 * arrhenius(30300.0, a.t)
}

/// Graphite-SiOx OCP [V] f(sto): PyBaMM's cubic (not-a-knot) interpolant of Chen 2020 data.
pub fn graphite_lgm50_ocp_chen2020(a: &FnArgs) -> f64 {
    static S: OnceLock<CubicSpline> = OnceLock::new();
    S.get_or_init(|| CubicSpline::not_a_knot(&GRAPHITE_OCP_X, &GRAPHITE_OCP_Y))
        .eval(a.sto)
}

/// NMC811 particle diffusivity [m2.s-1] f(sto, T) (Chen 2020, Arrhenius 25 kJ/mol).
pub fn nmc_lgm50_diffusivity_chen2020(a: &FnArgs) -> f64 {
    4e-15 * arrhenius(25000.0, a.t)
}

/// NMC811 exchange-current density [A.m-2] f(c_e, c_s_surf, c_s_max, T) (Chen 2020).
pub fn nmc_lgm50_electrolyte_exchange_current_density_chen2020(a: &FnArgs) -> f64 {
    3.42e-6
        * arrhenius(17800.0, a.t)
        * sqrt0(a.c_e)
        * sqrt0(a.c_s_surf)
        * sqrt0(a.c_s_max - a.c_s_surf)
}

/// NMC811 particle volume change f(sto) = omega * c_s_max * sto, with the set's partial molar
/// volume (1.25e-5 m3/mol) and maximum concentration (63104 mol/m3).
pub fn volume_change_ai2020(a: &FnArgs) -> f64 {
    1.25e-05 * 63104.0 * a.sto
}

/// NMC811 cracking rate f(T) (Ai 2020; activation energy 0).
pub fn cracking_rate_ai2020(a: &FnArgs) -> f64 {
    graphite_cracking_rate_ai2020(a)
}

/// Electrolyte diffusivity [m2.s-1] f(c_e, T) (Nyman 2008, Arrhenius 17 kJ/mol).
pub fn electrolyte_diffusivity_nyman2008_arrhenius(a: &FnArgs) -> f64 {
    let c = a.c_e / 1000.0;
    (8.794e-11 * c.powi(2) - 3.972e-10 * c + 4.862e-10) * arrhenius(17000.0, a.t)
}

/// Electrolyte conductivity [S.m-1] f(c_e, T) (Nyman 2008, Arrhenius 17 kJ/mol).
pub fn electrolyte_conductivity_nyman2008_arrhenius(a: &FnArgs) -> f64 {
    let c = a.c_e / 1000.0;
    (0.1297 * c.powi(3) - 2.51 * (c * c.sqrt()) + 3.329 * c) * arrhenius(17000.0, a.t)
}

/// Graphite-SiOx OCP [V] vs stoichiometry, PyBaMM's graphite_LGM50_ocp_Chen2020.csv (abscissa)
#[rustfmt::skip]
pub static GRAPHITE_OCP_X: [f64; 248] = [
    0.0, 0.0312962309919435, 0.0349990174231383, 0.0387017984426739,
    0.0424045760400907, 0.0461073567667969, 0.0498101472864833, 0.0535129169550513,
    0.0572156800080452, 0.0609184495648372, 0.0646212178896581, 0.0683239899372943,
    0.0720267516206726, 0.0757295119643203, 0.0794322723972667, 0.0831350309398288,
    0.0868377862970441, 0.0905405444092937, 0.0942433124962634, 0.0979460700715639,
    0.101648825029857, 0.1053515790517, 0.109054336366249, 0.112757097430127,
    0.116459849153289, 0.120162608086248, 0.123865356984332, 0.127568112208028,
    0.131270864460474, 0.134973620696607, 0.138676382618935, 0.142379130218803,
    0.146081890204289, 0.149784649866357, 0.153487405398072, 0.157190175658005,
    0.160892939040625, 0.164595700624986, 0.168298470128353, 0.172001223759462,
    0.175703987585269, 0.179406738528351, 0.183109501186799, 0.186812285743759,
    0.190515043988865, 0.194217798449951, 0.197920560933317, 0.201623337530448,
    0.205326099907333, 0.209028863421514, 0.212731637811268, 0.216434400018689,
    0.220137158758552, 0.223839932905728, 0.227542704859571, 0.231245472941435,
    0.234948246608884, 0.238651007030528, 0.242353771096756, 0.246056534779736,
    0.249759296042551, 0.253462075305427, 0.257164855541649, 0.26086762339881,
    0.264570388343682, 0.268273141960127, 0.271975899008113, 0.275678670804876,
    0.279381437563501, 0.283084208890615, 0.286786983838099, 0.290489741421874,
    0.294192511321947, 0.297895287824777, 0.301598064066139, 0.305300829766264,
    0.309003605818808, 0.31270636623402, 0.316409128935726, 0.320111892208735,
    0.323814657710233, 0.32751743980789, 0.331220205464159, 0.334922968466154,
    0.338625750725335, 0.342328527763104, 0.346031309868876, 0.349734084397854,
    0.353436854897322, 0.357139627707061, 0.360842411597988, 0.364545174861915,
    0.368247948241878, 0.371950714867844, 0.375653482399388, 0.379356259818551,
    0.383059044551139, 0.386761819665088, 0.390464596573676, 0.394167374371778,
    0.39787014674455, 0.401572911082096, 0.405275673810652, 0.408978444047454,
    0.412681205117036, 0.416383982346429, 0.420086760850234, 0.423789528171715,
    0.427492295549261, 0.431195060865253, 0.434897836788305, 0.43860061093906,
    0.442303381655562, 0.446006148119762, 0.449708925504862, 0.453411684191202,
    0.457114440916438, 0.460817193028781, 0.464519943384457, 0.468222694005807,
    0.471925449273306, 0.475628214901007, 0.479330982475788, 0.483033746549207,
    0.486736511451955, 0.490439263445418, 0.49414203254516, 0.49784481662651,
    0.501547587896339, 0.505250356183052, 0.508953105923419, 0.512655855186197,
    0.516358614974852, 0.52006138564128, 0.523764153672818, 0.527466921773724,
    0.531169691411363, 0.534872451405134, 0.538575207372981, 0.542277974391093,
    0.545980740352798, 0.549683501204733, 0.553386270215891, 0.557089019988434,
    0.560791784265352, 0.564494537080197, 0.568197299191212, 0.571900057449854,
    0.575602818473649, 0.579305581898489, 0.583008351078542, 0.586711119160506,
    0.590413885866284, 0.594116641691466, 0.597819411981392, 0.601522182187787,
    0.605224955391117, 0.608927723682774, 0.612630478412401, 0.616333249893282,
    0.620036027033193, 0.623738797952401, 0.627441562394607, 0.631144325925059,
    0.634847114512325, 0.638549884221743, 0.642252650586067, 0.645955430101924,
    0.649658231687418, 0.65336100450296, 0.657063774662737, 0.660766563716793,
    0.664469339353229, 0.668172119080598, 0.671874891156802, 0.675577670252883,
    0.679280441499295, 0.682983220191922, 0.686686001640506, 0.690388778900278,
    0.694091555474028, 0.697794325005044, 0.701497093656894, 0.705199875232905,
    0.708902639071993, 0.712605404436496, 0.716308184771416, 0.720010954088915,
    0.723713711354927, 0.727416483536807, 0.731119252071337, 0.734822035630127,
    0.73852479980768, 0.742227568105003, 0.745930339816929, 0.749633118921535,
    0.75333589154658, 0.757038684517004, 0.760741459961769, 0.764444224136151,
    0.768146984167905, 0.771849759741077, 0.775552533080109, 0.779255307772044,
    0.782958072926225, 0.786660852552783, 0.790363639414952, 0.794066406798143,
    0.79776918057073, 0.801471972061922, 0.805174740205057, 0.80887751347083,
    0.812580278330776, 0.816283043054478, 0.819985807095308, 0.823688581889439,
    0.827391362903273, 0.831094111514778, 0.834796875363559, 0.838499653966946,
    0.842202418107843, 0.845905185427703, 0.849607966269499, 0.853310746424072,
    0.857013527063463, 0.860716308996327, 0.864419073626463, 0.868121860558204,
    0.871824644664188, 0.875527415820355, 0.879230192607003, 0.882932957631799,
    0.886635727806255, 0.890338494102966, 0.894041256363904, 0.897744036942199,
    0.901446800739041, 0.902, 0.9117777777777778, 0.9215555555555556,
    0.9313333333333333, 0.9411111111111111, 0.9508888888888889, 0.9606666666666667,
    0.9704444444444444, 0.9802222222222222, 0.99, 1.0,
];
/// Graphite-SiOx OCP [V] vs stoichiometry, PyBaMM's graphite_LGM50_ocp_Chen2020.csv (values)
#[rustfmt::skip]
pub static GRAPHITE_OCP_Y: [f64; 248] = [
    1.81772748379334, 1.0828807, 0.99593794, 0.90023398,
    0.79649431, 0.73354429, 0.66664314, 0.64137149,
    0.59813869, 0.5670836, 0.54746181, 0.53068399,
    0.51304734, 0.49394092, 0.47926274, 0.46065259,
    0.45992726, 0.43801501, 0.42438665, 0.41150269,
    0.40033659, 0.38957134, 0.37756538, 0.36292541,
    0.34357086, 0.3406314, 0.32299468, 0.31379458,
    0.30795386, 0.29207319, 0.28697687, 0.27405477,
    0.2670497, 0.25857493, 0.25265783, 0.24826777,
    0.2414345, 0.23362778, 0.22956218, 0.22370236,
    0.22181271, 0.22089651, 0.2194268, 0.21830064,
    0.21845333, 0.21753715, 0.21719357, 0.21635373,
    0.21667822, 0.21738444, 0.21469313, 0.21541846,
    0.21465495, 0.2135479, 0.21392964, 0.21074206,
    0.20873788, 0.20465319, 0.20205732, 0.19774358,
    0.19444147, 0.19190285, 0.18850531, 0.18581399,
    0.18327537, 0.18157659, 0.17814088, 0.17529686,
    0.1719375, 0.16934161, 0.16756649, 0.16609676,
    0.16414985, 0.16260378, 0.16224113, 0.160027,
    0.15827096, 0.1588054, 0.15552238, 0.15580869,
    0.15220118, 0.1511132, 0.14987253, 0.14874637,
    0.14678037, 0.14620776, 0.14555879, 0.14389819,
    0.14359279, 0.14242846, 0.14038612, 0.13882096,
    0.13954628, 0.13946992, 0.13780934, 0.13973714,
    0.13698858, 0.13523254, 0.13441178, 0.1352898,
    0.13507985, 0.13647321, 0.13601512, 0.13435452,
    0.1334765, 0.1348317, 0.13275118, 0.13286571,
    0.13263667, 0.13456447, 0.13471718, 0.13395369,
    0.13448814, 0.1334765, 0.13298023, 0.13259849,
    0.13338107, 0.13309476, 0.13275118, 0.13443087,
    0.13315202, 0.132713, 0.1330184, 0.13278936,
    0.13225491, 0.13317111, 0.13263667, 0.13187316,
    0.13265574, 0.13250305, 0.13324745, 0.13204496,
    0.13242669, 0.13233127, 0.13198769, 0.13254122,
    0.13145325, 0.13298023, 0.13168229, 0.1313578,
    0.13235036, 0.13120511, 0.13089971, 0.13109058,
    0.13082336, 0.13011713, 0.129869, 0.12992626,
    0.12942998, 0.12796026, 0.12862831, 0.12656689,
    0.12734947, 0.12509716, 0.12110791, 0.11839751,
    0.11244226, 0.11307214, 0.1092165, 0.10683058,
    0.10433014, 0.10530359, 0.10056993, 0.099501044,
    0.098546676, 0.099214733, 0.095416352, 0.099806435,
    0.098661199, 0.095607221, 0.097554132, 0.096122585,
    0.094309285, 0.096618854, 0.093660317, 0.095225476,
    0.095359087, 0.093164042, 0.094500162, 0.093087696,
    0.093431264, 0.093240395, 0.093507618, 0.093393095,
    0.092915908, 0.09303043, 0.092629597, 0.093240395,
    0.092610516, 0.092495985, 0.092400551, 0.092534162,
    0.092095152, 0.092343286, 0.093660317, 0.09333583,
    0.093221307, 0.092648685, 0.092534162, 0.092438728,
    0.092305116, 0.093106784, 0.091656148, 0.091598883,
    0.092076063, 0.091751583, 0.091770671, 0.092362374,
    0.092419639, 0.093202218, 0.091999717, 0.091675229,
    0.093221307, 0.091904283, 0.091675229, 0.09285865,
    0.091808841, 0.091503449, 0.091866106, 0.092018805,
    0.093202218, 0.091312572, 0.091178961, 0.091331661,
    0.09089265, 0.090587251, 0.090510905, 0.090339117,
    0.09041547, 0.091121696, 0.089461103, 0.089995548,
    0.089212969, 0.088812128, 0.087972291, 0.08709427,
    0.085032836, 0.08498221877231488, 0.0840875610260729, 0.08319290327983092,
    0.08229824553358896, 0.08140358778734698, 0.080508930041105, 0.07961427229486302,
    0.07871961454862104, 0.07782495680237907, 0.07693029905613709, 0.0760153081792987,
];

/// PyBaMM's OKane2022 parameter set, by PyBaMM parameter name.
pub fn parameter_values() -> ParameterValues {
    use Value::{Func, Scalar};
    ParameterValues::new(
        "OKane2022",
        "O'Kane, S. E. J., Ai, W., Madabattula, G., Alonso-Alvarez, D., Timms, R., Sulzer, V., Edge, J. S., Wu, B., Offer, G. J., Marinescu, M. (2022). Lithium-ion battery degradation: how to model it. Phys. Chem. Chem. Phys. 24, 7909-7922. doi:10.1039/D2CP00417H",
        vec![
            ("Lithium metal partial molar volume [m3.mol-1]", Scalar(1.3e-05)),
            ("Lithium plating kinetic rate constant [m.s-1]", Scalar(1e-09)),
            ("Exchange-current density for plating [A.m-2]", Func(plating_exchange_current_density_okane2020)),
            ("Exchange-current density for stripping [A.m-2]", Func(stripping_exchange_current_density_okane2020)),
            ("Initial plated lithium concentration [mol.m-3]", Scalar(0.0)),
            ("Typical plated lithium concentration [mol.m-3]", Scalar(1000.0)),
            ("Lithium plating transfer coefficient", Scalar(0.65)),
            ("Dead lithium decay constant [s-1]", Scalar(1e-06)),
            ("Dead lithium decay rate [s-1]", Func(sei_limited_dead_lithium_okane2022)),
            ("Ratio of lithium moles to SEI moles", Scalar(1.0)),
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
            ("SEI growth activation energy [J.mol-1]", Scalar(38000.0)),
            ("Negative electrode reaction-driven LAM factor [m3.mol-1]", Scalar(0.0)),
            ("Positive electrode reaction-driven LAM factor [m3.mol-1]", Scalar(0.0)),
            ("Negative current collector thickness [m]", Scalar(1.2e-05)),
            ("Negative electrode thickness [m]", Scalar(8.52e-05)),
            ("Separator thickness [m]", Scalar(1.2e-05)),
            ("Positive electrode thickness [m]", Scalar(7.56e-05)),
            ("Positive current collector thickness [m]", Scalar(1.6e-05)),
            ("Electrode height [m]", Scalar(0.065)),
            ("Electrode width [m]", Scalar(1.58)),
            ("Cell cooling surface area [m2]", Scalar(0.00531)),
            ("Cell volume [m3]", Scalar(2.42e-05)),
            ("Cell thermal expansion coefficient [m.K-1]", Scalar(1.1e-06)),
            ("Negative current collector conductivity [S.m-1]", Scalar(58411000.0)),
            ("Positive current collector conductivity [S.m-1]", Scalar(36914000.0)),
            ("Negative current collector density [kg.m-3]", Scalar(8960.0)),
            ("Positive current collector density [kg.m-3]", Scalar(2700.0)),
            ("Negative current collector specific heat capacity [J.kg-1.K-1]", Scalar(385.0)),
            ("Positive current collector specific heat capacity [J.kg-1.K-1]", Scalar(897.0)),
            ("Negative current collector thermal conductivity [W.m-1.K-1]", Scalar(401.0)),
            ("Positive current collector thermal conductivity [W.m-1.K-1]", Scalar(237.0)),
            ("Nominal cell capacity [A.h]", Scalar(5.0)),
            ("Current function [A]", Scalar(5.0)),
            ("Contact resistance [Ohm]", Scalar(0.0)),
            ("Negative electrode conductivity [S.m-1]", Scalar(215.0)),
            ("Maximum concentration in negative electrode [mol.m-3]", Scalar(33133.0)),
            ("Negative particle diffusivity [m2.s-1]", Func(graphite_lgm50_diffusivity_chen2020)),
            ("Negative electrode OCP [V]", Func(graphite_lgm50_ocp_chen2020)),
            ("Negative electrode porosity", Scalar(0.25)),
            ("Negative electrode active material volume fraction", Scalar(0.75)),
            ("Negative particle radius [m]", Scalar(5.86e-06)),
            ("Negative electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Negative electrode Bruggeman coefficient (electrode)", Scalar(1.5)),
            ("Negative electrode charge transfer coefficient", Scalar(0.5)),
            ("Negative electrode double-layer capacity [F.m-2]", Scalar(0.2)),
            ("Negative electrode exchange-current density [A.m-2]", Func(graphite_lgm50_electrolyte_exchange_current_density_chen2020)),
            ("Negative electrode density [kg.m-3]", Scalar(1657.0)),
            ("Negative electrode specific heat capacity [J.kg-1.K-1]", Scalar(700.0)),
            ("Negative electrode thermal conductivity [W.m-1.K-1]", Scalar(1.7)),
            ("Negative electrode OCP entropic change [V.K-1]", Scalar(0.0)),
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
            ("Negative electrode LAM constant proportional term [s-1]", Scalar(2.7778e-07)),
            ("Negative electrode LAM constant exponential term", Scalar(2.0)),
            ("Negative electrode critical stress [Pa]", Scalar(60000000.0)),
            ("Positive electrode conductivity [S.m-1]", Scalar(0.18)),
            ("Maximum concentration in positive electrode [mol.m-3]", Scalar(63104.0)),
            ("Positive particle diffusivity [m2.s-1]", Func(nmc_lgm50_diffusivity_chen2020)),
            ("Positive electrode OCP [V]", Func(nmc_lgm50_ocp_chen2020)),
            ("Positive electrode porosity", Scalar(0.335)),
            ("Positive electrode active material volume fraction", Scalar(0.665)),
            ("Positive particle radius [m]", Scalar(5.22e-06)),
            ("Positive electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Positive electrode Bruggeman coefficient (electrode)", Scalar(1.5)),
            ("Positive electrode charge transfer coefficient", Scalar(0.5)),
            ("Positive electrode double-layer capacity [F.m-2]", Scalar(0.2)),
            ("Positive electrode exchange-current density [A.m-2]", Func(nmc_lgm50_electrolyte_exchange_current_density_chen2020)),
            ("Positive electrode density [kg.m-3]", Scalar(3262.0)),
            ("Positive electrode specific heat capacity [J.kg-1.K-1]", Scalar(700.0)),
            ("Positive electrode thermal conductivity [W.m-1.K-1]", Scalar(2.1)),
            ("Positive electrode OCP entropic change [V.K-1]", Scalar(0.0)),
            ("Positive electrode Poisson's ratio", Scalar(0.2)),
            ("Positive electrode Young's modulus [Pa]", Scalar(375000000000.0)),
            ("Positive electrode reference concentration for free of deformation [mol.m-3]", Scalar(0.0)),
            ("Positive electrode partial molar volume [m3.mol-1]", Scalar(1.25e-05)),
            ("Positive electrode volume change", Func(volume_change_ai2020)),
            ("Positive electrode initial crack length [m]", Scalar(2e-08)),
            ("Positive electrode initial crack width [m]", Scalar(1.5e-08)),
            ("Positive electrode number of cracks per unit area [m-2]", Scalar(3180000000000000.0)),
            ("Positive electrode Paris' law constant b", Scalar(1.12)),
            ("Positive electrode Paris' law constant m", Scalar(2.2)),
            ("Positive electrode cracking rate", Func(cracking_rate_ai2020)),
            ("Positive electrode LAM constant proportional term [s-1]", Scalar(2.7778e-07)),
            ("Positive electrode LAM constant exponential term", Scalar(2.0)),
            ("Positive electrode critical stress [Pa]", Scalar(375000000.0)),
            ("Separator porosity", Scalar(0.47)),
            ("Separator Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Separator density [kg.m-3]", Scalar(397.0)),
            ("Separator specific heat capacity [J.kg-1.K-1]", Scalar(700.0)),
            ("Separator thermal conductivity [W.m-1.K-1]", Scalar(0.16)),
            ("Initial concentration in electrolyte [mol.m-3]", Scalar(1000.0)),
            ("Cation transference number", Scalar(0.2594)),
            ("Thermodynamic factor", Scalar(1.0)),
            ("Electrolyte diffusivity [m2.s-1]", Func(electrolyte_diffusivity_nyman2008_arrhenius)),
            ("Electrolyte conductivity [S.m-1]", Func(electrolyte_conductivity_nyman2008_arrhenius)),
            ("Reference temperature [K]", Scalar(298.15)),
            ("Total heat transfer coefficient [W.m-2.K-1]", Scalar(10.0)),
            ("Ambient temperature [K]", Scalar(298.15)),
            ("Number of electrodes connected in parallel to make a cell", Scalar(1.0)),
            ("Number of cells connected in series to make a battery", Scalar(1.0)),
            ("Lower voltage cut-off [V]", Scalar(2.5)),
            ("Upper voltage cut-off [V]", Scalar(4.2)),
            ("Open-circuit voltage at 0% SOC [V]", Scalar(2.5)),
            ("Open-circuit voltage at 100% SOC [V]", Scalar(4.2)),
            ("Initial concentration in negative electrode [mol.m-3]", Scalar(29866.0)),
            ("Initial concentration in positive electrode [mol.m-3]", Scalar(17038.0)),
            ("Initial temperature [K]", Scalar(298.15)),
        ],
    )
}
