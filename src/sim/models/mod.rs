//! Cell models as data the solver consumes: the single particle model (SPM), with the
//! finite-volume particle discretisation shared by every model.

pub mod particle;
pub mod spm;
