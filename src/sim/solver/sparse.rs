//! Jacobian storage by the model's sparsity pattern, for condensed systems whose band would be
//! large: the DFN with hundreds of shells per particle puts every shell of a particle between
//! two neighbouring nodes' macro unknowns, so its band (and a banded Jacobian's memory) grows
//! with the shells, while its nonzeros grow only with the unknowns.

use super::linalg::BorderedBand;

/// Where the finite differences write a Jacobian and the static condensation reads it:
/// entries addressed by a storage slot fixed for the life of the integrator.
pub trait JacSlots {
    /// Storage slot of entry (i, j); None outside the stored pattern.
    fn slot(&self, i: usize, j: usize) -> Option<u32>;
    /// The entry stored at `slot`.
    fn at_slot(&self, slot: u32) -> f64;
}

/// A matrix [[A, B], [C, D]] with A (n×n) stored by columns on a fixed pattern and the border
/// (B: n×k, C: k×n, D: k×k) dense, as `linalg::BorderedBand` with a pattern for a band.
#[derive(Clone, Debug)]
pub struct SparseJac {
    pub n: usize,
    k: usize,
    /// Column j's stored rows (sorted) are rows[col_start[j]..col_start[j + 1]].
    col_start: Vec<usize>,
    rows: Vec<u32>,
    /// The pattern's entries, then B (column-major), C (row-major) and D (row-major).
    vals: Vec<f64>,
}

impl SparseJac {
    /// The `n` + `k` unknowns' Jacobian storage: `pattern[j]` the rows column j < n enters
    /// (rows ≥ n are the border's, stored densely anyway); the diagonal is always stored.
    /// None when a column's pattern is unknown (empty): it would need its whole band.
    pub fn new(n: usize, k: usize, pattern: &[Vec<usize>]) -> Option<SparseJac> {
        let mut col_start = Vec::with_capacity(n + 1);
        let mut rows = Vec::new();
        for (j, col) in pattern.iter().enumerate().take(n) {
            if col.is_empty() {
                return None;
            }
            col_start.push(rows.len());
            let mut r: Vec<u32> = col
                .iter()
                .copied()
                .filter(|&i| i < n)
                .chain([j])
                .map(|i| i as u32)
                .collect();
            r.sort_unstable();
            r.dedup();
            rows.extend(r);
        }
        col_start.push(rows.len());
        let vals = vec![0.0; rows.len() + 2 * n * k + k * k];
        Some(SparseJac {
            n,
            k,
            col_start,
            rows,
            vals,
        })
    }

    /// Number of stored entries of A.
    pub fn nnz(&self) -> usize {
        self.rows.len()
    }

    pub fn clear(&mut self) {
        self.vals.iter_mut().for_each(|v| *v = 0.0);
    }

    /// Whether (i, j) is stored.
    #[inline]
    pub fn in_pattern(&self, i: usize, j: usize) -> bool {
        self.slot(i, j).is_some()
    }

    /// Sets entry (i, j); entries outside the pattern are ignored.
    #[inline]
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        if let Some(s) = self.slot(i, j) {
            self.vals[s as usize] = v;
        }
    }
}

impl JacSlots for SparseJac {
    #[inline]
    fn slot(&self, i: usize, j: usize) -> Option<u32> {
        let (n, k, nnz) = (self.n, self.k, self.rows.len());
        let s = if i < n && j < n {
            let col = &self.rows[self.col_start[j]..self.col_start[j + 1]];
            self.col_start[j] + col.binary_search(&(i as u32)).ok()?
        } else if i < n {
            nnz + (j - n) * n + i
        } else if j < n {
            nnz + n * k + (i - n) * n + j
        } else {
            nnz + 2 * n * k + (i - n) * k + (j - n)
        };
        Some(s as u32)
    }

    #[inline]
    fn at_slot(&self, slot: u32) -> f64 {
        self.vals[slot as usize]
    }
}

/// The integrator's Jacobian: banded, or on the model's pattern where the band would be
/// large (`SPARSE_JACOBIAN_MIN_BAND_ENTRIES`; condensed systems only).
/// (one a solver: boxing the band would buy nothing)
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Jac {
    Band(BorderedBand),
    Sparse(SparseJac),
}

/// Banded storage above this many entries (~64 MB) gives way to the pattern's when the model
/// declares its sparsity and condensation: every DFN below 120 graded shells per particle
/// keeps its band (and its results to the bit); 480 uniform shells would need ~450 MB of it.
pub const SPARSE_JACOBIAN_MIN_BAND_ENTRIES: usize = 8_000_000;

impl Jac {
    pub fn clear(&mut self) {
        match self {
            Jac::Band(b) => b.clear(),
            Jac::Sparse(s) => s.clear(),
        }
    }

    #[inline]
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        match self {
            Jac::Band(b) => b.set(i, j, v),
            Jac::Sparse(s) => s.set(i, j, v),
        }
    }

    #[inline]
    pub fn in_pattern(&self, i: usize, j: usize) -> bool {
        match self {
            Jac::Band(b) => b.in_pattern(i, j),
            Jac::Sparse(s) => s.in_pattern(i, j),
        }
    }

    /// Number of unknowns before the border.
    pub fn n(&self) -> usize {
        match self {
            Jac::Band(b) => b.n,
            Jac::Sparse(s) => s.n,
        }
    }
}

impl JacSlots for Jac {
    #[inline]
    fn slot(&self, i: usize, j: usize) -> Option<u32> {
        match self {
            Jac::Band(b) => b.slot(i, j),
            Jac::Sparse(s) => s.slot(i, j),
        }
    }

    #[inline]
    fn at_slot(&self, slot: u32) -> f64 {
        match self {
            Jac::Band(b) => b.at_slot(slot),
            Jac::Sparse(s) => s.at_slot(slot),
        }
    }
}

impl JacSlots for BorderedBand {
    #[inline]
    fn slot(&self, i: usize, j: usize) -> Option<u32> {
        BorderedBand::slot(self, i, j)
    }

    #[inline]
    fn at_slot(&self, slot: u32) -> f64 {
        BorderedBand::at_slot(self, slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_stored_on_the_pattern_and_the_border() {
        // 4 band unknowns (column 2 enters rows 0 and 3), 1 border unknown
        let pattern = vec![vec![0, 1], vec![1], vec![0, 3, 4], vec![3], vec![]];
        let mut j = SparseJac::new(4, 1, &pattern).unwrap();
        assert_eq!(j.nnz(), 7); // the diagonal of column 2 added
        j.set(3, 2, 1.5);
        j.set(2, 2, -2.0);
        j.set(1, 2, 9.0); // outside the pattern: ignored
        j.set(4, 2, 0.25); // border row
        j.set(1, 4, 0.5); // border column
        j.set(4, 4, 3.0);
        let get = |i, k| j.slot(i, k).map_or(0.0, |s| j.at_slot(s));
        assert_eq!(get(3, 2), 1.5);
        assert_eq!(get(2, 2), -2.0);
        assert_eq!(get(1, 2), 0.0);
        assert!(!j.in_pattern(1, 2));
        assert_eq!(get(4, 2), 0.25);
        assert_eq!(get(1, 4), 0.5);
        assert_eq!(get(4, 4), 3.0);
        // every slot distinct
        let mut slots: Vec<u32> = (0..5)
            .flat_map(|i| (0..5).map(move |k| (i, k)))
            .filter_map(|(i, k)| j.slot(i, k))
            .collect();
        let len = slots.len();
        slots.sort_unstable();
        slots.dedup();
        assert_eq!(slots.len(), len);
        j.clear();
        assert_eq!(j.at_slot(j.slot(3, 2).unwrap()), 0.0);
        // an unknown column pattern: no sparse storage
        assert!(SparseJac::new(4, 1, &[vec![0], vec![], vec![2], vec![3]]).is_none());
    }
}
