//! Linear algebra for the Newton iterations: a banded LU with a dense border (the few global
//! unknowns — current, capacity, temperature — couple to every row), and a dense fallback.

#![allow(clippy::needless_range_loop)]

use super::sparse::JacSlots;

/// A matrix of the form [[A, B], [C, D]] where A (n×n) is banded with `kl` sub- and `ku`
/// super-diagonals, and the border (B: n×k, C: k×n, D: k×k) is dense.
#[derive(Clone, Debug)]
pub struct BorderedBand {
    pub n: usize,
    pub k: usize,
    pub kl: usize,
    pub ku: usize,
    /// Band storage, row-major: row i holds columns i-kl ..= i+ku+kl (extra kl for pivoting fill).
    band: Vec<f64>,
    width: usize,
    b: Vec<f64>, // n×k, column-major (k columns of length n)
    c: Vec<f64>, // k×n, row-major
    d: Vec<f64>, // k×k, row-major
    piv: Vec<usize>,
    /// Reciprocals of U's diagonal (the back substitution multiplies).
    inv_diag: Vec<f64>,
    /// L's multipliers column by column (`kl` a column): the forward substitution reads them
    /// contiguously (in `band` they sit a row's width apart).
    lcol: Vec<f64>,
    /// Entries of U's row i from its diagonal to its last nonzero: the back substitution
    /// skips the zeros past it (the `kl` columns kept for pivoting fill are mostly empty).
    urow: Vec<u32>,
    // factorisation products
    ainv_b: Vec<f64>, // n×k column-major: A^{-1} B
    schur: Vec<f64>,  // k×k LU of D - C A^{-1} B
    schur_piv: Vec<usize>,
    tmp: Vec<f64>,
}

impl BorderedBand {
    pub fn new(n: usize, k: usize, kl: usize, ku: usize) -> BorderedBand {
        let kl = kl.min(n.saturating_sub(1));
        let ku = ku.min(n.saturating_sub(1));
        let width = 2 * kl + ku + 1;
        BorderedBand {
            n,
            k,
            kl,
            ku,
            band: vec![0.0; n * width],
            width,
            b: vec![0.0; n * k],
            c: vec![0.0; k * n],
            d: vec![0.0; k * k],
            piv: vec![0; n],
            inv_diag: vec![0.0; n],
            lcol: vec![0.0; n * kl],
            urow: vec![1; n],
            ainv_b: vec![0.0; n * k],
            schur: vec![0.0; k * k],
            schur_piv: vec![0; k],
            tmp: vec![0.0; n + k],
        }
    }

    pub fn size(&self) -> usize {
        self.n + self.k
    }

    pub fn clear(&mut self) {
        self.band.iter_mut().for_each(|v| *v = 0.0);
        self.b.iter_mut().for_each(|v| *v = 0.0);
        self.c.iter_mut().for_each(|v| *v = 0.0);
        self.d.iter_mut().for_each(|v| *v = 0.0);
    }

    /// Whether (i, j) of the full matrix is stored.
    #[inline]
    pub fn in_pattern(&self, i: usize, j: usize) -> bool {
        if i >= self.n || j >= self.n {
            return true;
        }
        j + self.kl >= i && j <= i + self.ku
    }

    /// Sets entry (i, j) of the full (n+k)×(n+k) matrix; entries outside the pattern are ignored.
    #[inline]
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        let n = self.n;
        if i < n && j < n {
            if j + self.kl >= i && j <= i + self.ku {
                let off = j + self.kl - i;
                self.band[i * self.width + off] = v;
            }
        } else if i < n {
            self.b[(j - n) * n + i] = v;
        } else if j < n {
            self.c[(i - n) * n + j] = v;
        } else {
            self.d[(i - n) * self.k + (j - n)] = v;
        }
    }

    /// self = s * other (same structure), unfactored.
    pub fn assign_scaled(&mut self, other: &BorderedBand, s: f64) {
        for (a, b) in self.band.iter_mut().zip(&other.band) {
            *a = s * b;
        }
        for (a, b) in self.b.iter_mut().zip(&other.b) {
            *a = s * b;
        }
        for (a, b) in self.c.iter_mut().zip(&other.c) {
            *a = s * b;
        }
        for (a, b) in self.d.iter_mut().zip(&other.d) {
            *a = s * b;
        }
    }

    /// Zeroes row i of the full matrix.
    pub fn zero_row(&mut self, i: usize) {
        let n = self.n;
        if i < n {
            let w = self.width;
            self.band[i * w..(i + 1) * w]
                .iter_mut()
                .for_each(|v| *v = 0.0);
            for c in 0..self.k {
                self.b[c * n + i] = 0.0;
            }
        } else {
            self.c[(i - n) * n..(i - n + 1) * n]
                .iter_mut()
                .for_each(|v| *v = 0.0);
            let k = self.k;
            self.d[(i - n) * k..(i - n + 1) * k]
                .iter_mut()
                .for_each(|v| *v = 0.0);
        }
    }

    pub fn add_diag(&mut self, i: usize, v: f64) {
        let n = self.n;
        if i < n {
            self.band[i * self.width + self.kl] += v;
        } else {
            self.d[(i - n) * self.k + (i - n)] += v;
        }
    }

    /// Entry (i, j) of the full matrix (zero outside the pattern), before factorisation.
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        let n = self.n;
        if i < n && j < n {
            if j + self.kl >= i && j <= i + self.ku {
                self.band[i * self.width + (j + self.kl - i)]
            } else {
                0.0
            }
        } else if i < n {
            self.b[(j - n) * n + i]
        } else if j < n {
            self.c[(i - n) * n + j]
        } else {
            self.d[(i - n) * self.k + (j - n)]
        }
    }

    /// Storage slot of entry (i, j) of the full matrix: an index into the band, B, C and D
    /// storage taken in that order; None outside the pattern.
    pub fn slot(&self, i: usize, j: usize) -> Option<u32> {
        let n = self.n;
        let (nb, nbb, nc) = (self.band.len(), self.b.len(), self.c.len());
        let s = if i < n && j < n {
            if j + self.kl >= i && j <= i + self.ku {
                i * self.width + (j + self.kl - i)
            } else {
                return None;
            }
        } else if i < n {
            nb + (j - n) * n + i
        } else if j < n {
            nb + nbb + (i - n) * n + j
        } else {
            nb + nbb + nc + (i - n) * self.k + (j - n)
        };
        Some(s as u32)
    }

    /// The entry stored at `slot` (see `slot`).
    #[inline]
    pub fn at_slot(&self, slot: u32) -> f64 {
        let mut s = slot as usize;
        if s < self.band.len() {
            return self.band[s];
        }
        s -= self.band.len();
        if s < self.b.len() {
            return self.b[s];
        }
        s -= self.b.len();
        if s < self.c.len() {
            return self.c[s];
        }
        self.d[s - self.c.len()]
    }

    #[inline]
    fn at_slot_mut(&mut self, slot: u32) -> &mut f64 {
        let mut s = slot as usize;
        if s < self.band.len() {
            return &mut self.band[s];
        }
        s -= self.band.len();
        if s < self.b.len() {
            return &mut self.b[s];
        }
        s -= self.b.len();
        if s < self.c.len() {
            return &mut self.c[s];
        }
        let nc = self.c.len();
        &mut self.d[s - nc]
    }

    #[inline]
    fn at(&self, i: usize, j: usize) -> f64 {
        // valid for j in [i-kl, i+ku+kl]
        self.band[i * self.width + (j + self.kl - i)]
    }

    #[inline]
    fn at_mut(&mut self, i: usize, j: usize) -> &mut f64 {
        let w = self.width;
        let kl = self.kl;
        &mut self.band[i * w + (j + kl - i)]
    }

    /// Factorises in place. Returns false when singular.
    pub fn factor(&mut self) -> bool {
        let n = self.n;
        let kl = self.kl;
        let ku = self.ku;
        // banded LU with partial pivoting (row interchanges within kl rows below)
        for col in 0..n {
            let last = (col + kl).min(n - 1);
            let mut p = col;
            let mut best = self.at(col, col).abs();
            for r in col + 1..=last {
                let v = self.at(r, col).abs();
                if v > best {
                    best = v;
                    p = r;
                }
            }
            if best == 0.0 || !best.is_finite() {
                return false;
            }
            self.piv[col] = p;
            let jmax = (col + ku + kl).min(n - 1);
            if p != col {
                for j in col..=jmax {
                    let a = self.at(col, j);
                    let b = self.at(p, j);
                    *self.at_mut(col, j) = b;
                    *self.at_mut(p, j) = a;
                }
            }
            let pivot = self.at(col, col);
            let w = self.width;
            let len = jmax - col; // entries col+1..=jmax
            let prow = col * w + kl + 1; // (col, col+1)
            for r in col + 1..=last {
                let idx = r * w + col + kl - r; // (r, col)
                let f = self.band[idx] / pivot;
                self.band[idx] = f;
                if f != 0.0 {
                    let (lo, hi) = self.band.split_at_mut(r * w);
                    let src = &lo[prow..prow + len];
                    let dst = &mut hi[idx - r * w + 1..idx - r * w + 1 + len];
                    for (d, s) in dst.iter_mut().zip(src) {
                        *d -= f * s;
                    }
                }
            }
        }
        let w = self.width;
        for i in 0..n {
            self.inv_diag[i] = 1.0 / self.at(i, i);
            let jmax = (i + ku + kl).min(n - 1);
            let row = &self.band[i * w + kl..i * w + kl + (jmax - i) + 1];
            let last = row.iter().rposition(|v| *v != 0.0).unwrap_or(0);
            self.urow[i] = last as u32 + 1;
            let lc = &mut self.lcol[i * kl..(i + 1) * kl];
            for (t, v) in lc.iter_mut().enumerate() {
                let r = i + 1 + t;
                *v = if r < n {
                    self.band[r * w + i + kl - r]
                } else {
                    0.0
                };
            }
        }
        // Schur complement for the border
        let k = self.k;
        if k > 0 {
            let mut ab = std::mem::take(&mut self.ainv_b);
            ab.copy_from_slice(&self.b);
            for c in 0..k {
                self.band_solve(&mut ab[c * n..(c + 1) * n]);
            }
            for r in 0..k {
                for c in 0..k {
                    let mut s = self.d[r * k + c];
                    let crow = &self.c[r * n..(r + 1) * n];
                    let col = &ab[c * n..(c + 1) * n];
                    for i in 0..n {
                        s -= crow[i] * col[i];
                    }
                    self.schur[r * k + c] = s;
                }
            }
            self.ainv_b = ab;
            if !dense_lu(&mut self.schur, &mut self.schur_piv, k) {
                return false;
            }
        }
        true
    }

    fn band_solve(&self, x: &mut [f64]) {
        let n = self.n;
        let kl = self.kl;
        for col in 0..n {
            let p = self.piv[col];
            if p != col {
                x.swap(p, col);
            }
            let m = kl.min(n - 1 - col);
            let xc = x[col];
            if xc != 0.0 {
                let lc = &self.lcol[col * kl..col * kl + m];
                for (v, l) in x[col + 1..col + 1 + m].iter_mut().zip(lc) {
                    *v -= l * xc;
                }
            }
        }
        let w = self.width;
        for i in (0..n).rev() {
            let row = &self.band[i * w + kl..i * w + kl + self.urow[i] as usize];
            x[i] = back_row(row, x, i) * self.inv_diag[i];
        }
    }

    /// Solves in place (after `factor`).
    pub fn solve(&mut self, x: &mut [f64]) {
        let n = self.n;
        let k = self.k;
        self.band_solve(&mut x[..n]);
        if k == 0 {
            return;
        }
        // x1 = A^{-1} b1 (done); y = S^{-1} (b2 - C x1); x1 -= A^{-1}B y
        let mut rhs = std::mem::take(&mut self.tmp);
        for r in 0..k {
            let crow = &self.c[r * n..(r + 1) * n];
            let mut s = x[n + r];
            for i in 0..n {
                s -= crow[i] * x[i];
            }
            rhs[r] = s;
        }
        dense_solve(&self.schur, &self.schur_piv, k, &mut rhs[..k]);
        for c in 0..k {
            let col = &self.ainv_b[c * n..(c + 1) * n];
            let yc = rhs[c];
            for i in 0..n {
                x[i] -= col[i] * yc;
            }
            x[n + c] = yc;
        }
        self.tmp = rhs;
    }
}

/// Dense LU with partial pivoting, row-major, in place.
pub fn dense_lu(a: &mut [f64], piv: &mut [usize], n: usize) -> bool {
    for col in 0..n {
        let mut p = col;
        let mut best = a[col * n + col].abs();
        for r in col + 1..n {
            let v = a[r * n + col].abs();
            if v > best {
                best = v;
                p = r;
            }
        }
        if best == 0.0 || !best.is_finite() {
            return false;
        }
        piv[col] = p;
        if p != col {
            for j in 0..n {
                a.swap(col * n + j, p * n + j);
            }
        }
        let pivot = a[col * n + col];
        for r in col + 1..n {
            let f = a[r * n + col] / pivot;
            a[r * n + col] = f;
            if f != 0.0 {
                for j in col + 1..n {
                    a[r * n + j] -= f * a[col * n + j];
                }
            }
        }
    }
    true
}

/// Solves with a factorisation from `dense_lu`.
pub fn dense_solve(a: &[f64], piv: &[usize], n: usize, x: &mut [f64]) {
    for col in 0..n {
        let p = piv[col];
        if p != col {
            x.swap(p, col);
        }
        let xc = x[col];
        for r in col + 1..n {
            x[r] -= a[r * n + col] * xc;
        }
    }
    for i in (0..n).rev() {
        let mut s = x[i];
        for j in i + 1..n {
            s -= a[i * n + j] * x[j];
        }
        x[i] = s / a[i * n + i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bordered_band_solves_a_small_system() {
        // 5 band unknowns (tridiagonal) + 1 border
        let n = 5;
        let mut m = BorderedBand::new(n, 1, 1, 1);
        let mut full = vec![vec![0.0; n + 1]; n + 1];
        for i in 0..n {
            for j in 0..n {
                if (i as i64 - j as i64).abs() <= 1 {
                    let v = if i == j {
                        0.1 + i as f64
                    } else {
                        1.0 + 0.3 * j as f64
                    };
                    full[i][j] = v;
                }
            }
            full[i][n] = 0.5 * i as f64;
            full[n][i] = 1.0 - 0.1 * i as f64;
        }
        full[n][n] = 2.0;
        for i in 0..=n {
            for j in 0..=n {
                m.set(i, j, full[i][j]);
            }
        }
        assert!(m.factor());
        let xs: Vec<f64> = (0..=n).map(|i| 1.0 + i as f64).collect();
        let mut b: Vec<f64> = (0..=n)
            .map(|i| (0..=n).map(|j| full[i][j] * xs[j]).sum())
            .collect();
        m.solve(&mut b);
        for i in 0..=n {
            assert!((b[i] - xs[i]).abs() < 1e-10, "{i}: {} vs {}", b[i], xs[i]);
        }
    }

    /// Condensation of tridiagonal blocks coupled to macro unknowns and a border gives the
    /// solution of the plain bordered-band solve, for both kinds of factorised matrix.
    #[test]
    fn condensed_solve_equals_direct_solve() {
        // dense blocks (no pattern: every entry of the band is structural)
        check_condensed(4, 1, false, 3);
    }

    /// The reduced band is as wide as its structure, not as the model's bound: with the
    /// pattern, a block's first macro unknown and the previous block's reach 2 positions
    /// either way; without it, every entry the Jacobian's band stores counts (3 positions).
    #[test]
    fn condensed_reduced_band_is_as_wide_as_its_structure() {
        assert_eq!(check_condensed(4, 1, true, 3), (2, 2));
        assert_eq!(check_condensed(4, 1, true, 12), (2, 2));
        assert_eq!(check_condensed(4, 1, false, 12), (3, 3));
        assert_eq!(check_condensed(4, 1, false, 2), (2, 2));
    }

    #[test]
    fn condensed_tridiagonal_and_banded_blocks_solve_as_the_direct_solve() {
        // with the pattern declared: tridiagonal blocks (the finite-volume particles' path)
        // and pentadiagonal ones (band storage narrower than the block)
        check_condensed(5, 1, true, 3);
        check_condensed(7, 2, true, 3);
        check_condensed(2, 1, true, 3);
    }

    /// Two blocks of `l` local unknowns of half-bandwidth `bb`, each followed by 2 macro
    /// unknowns; 1 border unknown. `with_pattern`: the columns' rows are declared; `bw`: the
    /// bound on the reduced band. Returns the reduced band's (kl, ku).
    fn check_condensed(l: usize, bb: usize, with_pattern: bool, bw: usize) -> (usize, usize) {
        let k = 1;
        let n = 2 * (l + 2) + k;
        let nb = n - k;
        let mut full = vec![vec![0.0; n]; n];
        let mut groups = Vec::new();
        for b in 0..2 {
            let s = b * (l + 2);
            let (m0, m1) = (s + l, s + l + 1);
            for i in 0..l {
                full[s + i][s + i] = -3.0 - 0.2 * i as f64 - 1.5 * bb as f64;
                for d in 1..=bb {
                    if i >= d {
                        full[s + i][s + i - d] = (1.0 + 0.1 * i as f64) / d as f64;
                    }
                    if i + d < l {
                        full[s + i][s + i + d] = 1.2 / d as f64;
                    }
                }
            }
            // the surface row couples to the macro unknowns, which read the last two nodes
            full[s + l - 1][m0] = 0.7;
            full[s + l - 1][m1] = -0.4;
            full[m0][s + l - 1] = 1.5;
            full[m0][s + l - 2] = -0.5;
            full[m0][m0] = 2.0 + b as f64;
            full[m1][m1] = -1.5;
            full[m1][m0] = 0.3;
            full[m0][m1] = 0.2;
            if b == 1 {
                full[m0][s - 2] = 0.25; // the previous block's macro unknown
                full[s - 2][m0] = -0.1;
            }
            groups.push((s, l, vec![m0, m1]));
        }
        for i in 0..nb {
            full[i][nb] = 0.05 * (i as f64 + 1.0);
            full[nb][i] = if i % 3 == 0 { 0.4 } else { 0.0 };
        }
        full[nb][nb] = 3.0;
        let mut jac = BorderedBand::new(nb, k, l + 3, l + 3);
        for (i, row) in full.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    jac.set(i, j, v);
                }
            }
        }
        // the rows of each column (the border's left empty: perturbed alone)
        let pattern: Vec<Vec<usize>> = (0..n)
            .map(|j| {
                if j >= nb {
                    return Vec::new();
                }
                (0..n).filter(|&i| full[i][j] != 0.0 || i == j).collect()
            })
            .collect();
        let mass: Vec<f64> = (0..n)
            .map(|i| if i % (l + 2) < l { 1.0 } else { 0.0 })
            .collect();
        let pat = with_pattern.then_some(pattern.as_slice());
        let mut cond = Condensed::new(n, k, &groups, bw, pat, &jac);
        let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
        // Newton matrix M - c J and the initialisation's (algebraic rows of J, identity)
        let c = 0.3;
        let newton = |i: usize, j: usize| -c * full[i][j] + if i == j { mass[i] } else { 0.0 };
        let init = |i: usize, j: usize| {
            if mass[i] == 0.0 {
                full[i][j]
            } else if i == j {
                1.0
            } else {
                0.0
            }
        };
        type Entry<'a> = &'a dyn Fn(usize, usize) -> f64;
        let cases: [(Entry, Vec<f64>, Vec<f64>); 2] = [
            (&newton, vec![-c; n], mass.clone()),
            (
                &init,
                mass.iter()
                    .map(|&m| if m == 0.0 { 1.0 } else { 0.0 })
                    .collect(),
                mass.clone(),
            ),
        ];
        for (a, alpha, beta) in cases {
            let mut direct = BorderedBand::new(nb, k, l + 3, l + 3);
            for i in 0..n {
                for j in 0..n {
                    direct.set(i, j, a(i, j));
                }
            }
            assert!(direct.factor());
            let mut x1 = b.clone();
            direct.solve(&mut x1);
            assert!(cond.factor(&jac, &alpha, &beta));
            let mut x2 = b.clone();
            cond.solve(&mut x2);
            for i in 0..n {
                assert!(
                    (x1[i] - x2[i]).abs() < 1e-12 * (1.0 + x1[i].abs()),
                    "{i}: {} vs {}",
                    x1[i],
                    x2[i]
                );
            }
        }
        (cond.s.kl, cond.s.ku)
    }
}

/// Static condensation of independent local blocks (e.g. the particles of the DFN): each block
/// is small and dense and couples only to a few "macro" unknowns and to the border; the Schur
/// complement on the remaining unknowns keeps a narrow band. The matrices factorised are
/// `diag(alpha) J + diag(beta)` for a Jacobian `J` stored in a `BorderedBand` of a fixed
/// structure: where each entry read lives in `J`, and where each Schur update lands in the
/// reduced matrix, is worked out once in `new`.
#[derive(Clone, Debug)]
pub struct Condensed {
    n: usize,
    groups: Vec<LocalGroup>,
    /// Reduced position -> full index.
    full: Vec<usize>,
    s: BorderedBand,
    rs: Vec<f64>,
    /// Entries of the reduced matrix: (slot in `s`, slot in J, full row).
    fill: Vec<(u32, u32, u32)>,
    /// Diagonal slots of the reduced matrix and their full rows (where beta goes).
    diag: Vec<(u32, u32)>,
}

/// A column of W = A_gg^{-1} A[local, cpl].
#[derive(Clone, Debug)]
enum WCol {
    Zero,
    /// Only the block's last row of A[local, c] is nonzero: W[:, c] = coef * e.
    Last(f64),
    /// W[:, c] is held in the group's `cols[c]`.
    Dense,
}

const NONE: u32 = u32::MAX;

#[derive(Clone, Debug)]
struct LocalGroup {
    start: usize,
    len: usize,
    /// Reduced positions of the unknowns this block couples to (its macro unknowns and the
    /// border), and their full indices.
    cpl_pos: Vec<usize>,
    cpl: Vec<usize>,
    /// (position in the block's band storage, slot in J or NONE) of the entries within its
    /// band.
    blk: Vec<(u32, u32)>,
    /// Half-bandwidth of the block (no fill beyond it without pivoting).
    band: usize,
    /// For each coupled unknown c: (local row, slot in J) of the nonzeros of A[local, c].
    w_src: Vec<Vec<(u32, u32)>>,
    /// (cpl index, local column, slot in J) of the nonzeros of A[cpl, local].
    akg_src: Vec<(u32, u32, u32)>,
    /// Slot in the reduced matrix of (cpl[r], cpl[c]), row-major (NONE outside its pattern).
    schur_dst: Vec<u32>,
    /// LU factors of the block in band storage (row i holds columns i-band..=i+band, so a
    /// tridiagonal particle keeps 3 numbers a row; reciprocal pivots on the diagonal).
    lu: Vec<f64>,
    w: Vec<WCol>,
    /// Dense columns of W, kept between factorisations (allocated once, when first needed).
    cols: Vec<Vec<f64>>,
    /// e = A_gg^{-1} (last unit vector).
    e: Vec<f64>,
    /// Nonzeros (reduced position of the row, local column, value) of A[cpl, local].
    akg: Vec<(usize, usize, f64)>,
}

impl Condensed {
    /// `groups`: (start, len, macro unknowns coupled) of each local block; the last `k`
    /// unknowns of the `n` are the border; `bw` bounds the band of the reduced system, which
    /// is kept as wide as its structure within it (above and below apart). `pattern`
    /// (the rows each column enters; an empty list meaning unknown) lets the factorisation
    /// read only structural nonzeros of the coupling blocks. `jac` has the structure of the
    /// Jacobians that will be factorised.
    pub fn new(
        n: usize,
        k: usize,
        groups: &[(usize, usize, Vec<usize>)],
        bw: usize,
        pattern: Option<&[Vec<usize>]>,
        jac: &impl JacSlots,
    ) -> Condensed {
        let mut pos = vec![0usize; n];
        let mut local = vec![false; n];
        for (s, l, _) in groups {
            for i in *s..s + l {
                local[i] = true;
            }
        }
        let mut full = Vec::new();
        for i in 0..n - k {
            if local[i] {
                pos[i] = usize::MAX;
            } else {
                pos[i] = full.len();
                full.push(i);
            }
        }
        let nm = full.len();
        for i in n - k..n {
            pos[i] = full.len();
            full.push(i);
        }
        let slot = |i: usize, j: usize| jac.slot(i, j).unwrap_or(NONE);
        // whether (i, j) is a structural entry: in column j's declared rows, or any entry when
        // the column's rows are not declared
        let declared = |i: usize, j: usize| {
            pattern
                .map(|p| &p[j])
                .filter(|r| !r.is_empty())
                .is_none_or(|r| r.contains(&i))
        };
        let mut groups: Vec<LocalGroup> = groups
            .iter()
            .map(|(s, l, m)| {
                let (s, l) = (*s, *l);
                let mut cpl = m.clone();
                cpl.extend(n - k..n);
                // the block's structural entries (all of the band without a pattern), and its
                // half-bandwidth: tridiagonal finite-volume particles factorise in O(l)
                let structural = |i: usize, j: usize| declared(s + i, s + j);
                let blk: Vec<u32> = (0..l * l)
                    .map(|ij| {
                        let (i, j) = (ij / l, ij % l);
                        if structural(i, j) {
                            slot(s + i, s + j)
                        } else {
                            NONE
                        }
                    })
                    .collect();
                let band = (0..l * l)
                    .filter(|&ij| blk[ij] != NONE)
                    .map(|ij| (ij / l).abs_diff(ij % l))
                    .max()
                    .unwrap_or(0);
                // positions in the block's band storage (row i holds columns i-band..=i+band)
                let w = 2 * band + 1;
                let blk: Vec<(u32, u32)> = (0..l * l)
                    .filter(|&ij| (ij / l).abs_diff(ij % l) <= band)
                    .map(|ij| {
                        let (i, j) = (ij / l, ij % l);
                        ((i * w + j + band - i) as u32, blk[ij])
                    })
                    .collect();
                let w_src = cpl
                    .iter()
                    .map(|&j| {
                        let rows: Vec<usize> =
                            match pattern.map(|p| &p[j]).filter(|r| !r.is_empty()) {
                                Some(rows) => {
                                    let mut lr: Vec<usize> = rows
                                        .iter()
                                        .filter(|&&r| r >= s && r < s + l)
                                        .map(|&r| r - s)
                                        .collect();
                                    lr.sort_unstable();
                                    lr.dedup();
                                    lr
                                }
                                None => (0..l).collect(),
                            };
                        rows.into_iter()
                            .filter_map(|i| jac.slot(s + i, j).map(|sl| (i as u32, sl)))
                            .collect()
                    })
                    .collect();
                let known = pattern.filter(|p| (0..l).all(|jj| !p[s + jj].is_empty()));
                let mut akg_src = Vec::new();
                for (r, &i) in cpl.iter().enumerate() {
                    for jj in 0..l {
                        let structural = known.is_none_or(|p| p[s + jj].contains(&i));
                        if let (true, Some(sl)) = (structural, jac.slot(i, s + jj)) {
                            akg_src.push((r as u32, jj as u32, sl));
                        }
                    }
                }
                LocalGroup {
                    start: s,
                    len: l,
                    cpl_pos: cpl.iter().map(|&j| pos[j]).collect(),
                    blk,
                    band,
                    w_src,
                    akg_src,
                    schur_dst: Vec::new(),
                    lu: vec![0.0; l * (2 * band + 1)],
                    w: vec![WCol::Zero; cpl.len()],
                    cols: vec![Vec::new(); cpl.len()],
                    e: vec![0.0; l],
                    akg: Vec::new(),
                    cpl,
                }
            })
            .collect();
        // the reduced band as wide as its structure, within `bw`: the Jacobian's entries among
        // the reduced unknowns and each block's Schur update, rows reading the block by the
        // columns it reads (the DFN's degradation states reach 17 positions up but 11 down)
        let (mut kl, mut ku) = (0, 0);
        let mut reach = |p: usize, q: usize| {
            if p < nm && q < nm {
                kl = kl.max(p.saturating_sub(q));
                ku = ku.max(q.saturating_sub(p));
            }
        };
        for p in 0..nm {
            for q in p.saturating_sub(bw)..(p + bw + 1).min(nm) {
                let (i, j) = (full[p], full[q]);
                if slot(i, j) != NONE && declared(i, j) {
                    reach(p, q);
                }
            }
        }
        for g in &groups {
            for a in &g.akg_src {
                for (c, src) in g.w_src.iter().enumerate() {
                    if !src.is_empty() {
                        reach(pos[g.cpl[a.0 as usize]], pos[g.cpl[c]]);
                    }
                }
            }
        }
        let s_mat = BorderedBand::new(nm, k, kl.min(bw), ku.min(bw));
        // the reduced matrix: entries among reduced unknowns within its band and border
        let mut fill = Vec::new();
        let mut diag = Vec::new();
        let (kl, ku) = (s_mat.kl, s_mat.ku);
        for (p, &i) in full.iter().enumerate() {
            let lo = if p < nm { p.saturating_sub(kl) } else { 0 };
            let hi = if p < nm { (p + ku + 1).min(nm) } else { nm };
            for q in (lo..hi).chain(nm..nm + k) {
                let src = slot(i, full[q]);
                if let (Some(dst), true) = (s_mat.slot(p, q), src != NONE) {
                    fill.push((dst, src, i as u32));
                }
            }
            diag.push((s_mat.slot(p, p).expect("diagonal"), i as u32));
        }
        for g in &mut groups {
            let m = g.cpl.len();
            g.schur_dst = (0..m * m)
                .map(|rc| {
                    let (r, c) = (pos[g.cpl[rc / m]], pos[g.cpl[rc % m]]);
                    s_mat.slot(r, c).unwrap_or(NONE)
                })
                .collect();
        }
        Condensed {
            n,
            groups,
            full,
            s: s_mat,
            rs: vec![0.0; nm + k],
            fill,
            diag,
        }
    }

    /// Factorises `diag(alpha) J + diag(beta)`. Returns false when singular.
    pub fn factor(&mut self, jac: &impl JacSlots, alpha: &[f64], beta: &[f64]) -> bool {
        let get = |sl: u32, row: usize| {
            if sl == NONE {
                0.0
            } else {
                alpha[row] * jac.at_slot(sl)
            }
        };
        self.s.clear();
        for &(dst, src, row) in &self.fill {
            *self.s.at_slot_mut(dst) = alpha[row as usize] * jac.at_slot(src);
        }
        for &(dst, row) in &self.diag {
            *self.s.at_slot_mut(dst) += beta[row as usize];
        }
        for g in &mut self.groups {
            let l = g.len;
            let s0 = g.start;
            let w = 2 * g.band + 1;
            for &(p, sl) in &g.blk {
                let (p, i) = (p as usize, p as usize / w);
                let mut v = get(sl, s0 + i);
                if p % w == g.band {
                    v += beta[s0 + i];
                }
                g.lu[p] = v;
            }
            if !lu_factor(&mut g.lu, l, g.band) {
                return false;
            }
            g.e.iter_mut().for_each(|v| *v = 0.0);
            g.e[l - 1] = 1.0;
            lu_solve(&g.lu, g.band, &mut g.e);
            for c in 0..g.cpl.len() {
                let src = &g.w_src[c];
                // only the last row: no solve needed (W = coef * e)
                let only_last = src.iter().all(|&(i, _)| i as usize == l - 1);
                if only_last {
                    let v: f64 = src.iter().map(|&(_, sl)| get(sl, s0 + l - 1)).sum();
                    g.w[c] = if v != 0.0 { WCol::Last(v) } else { WCol::Zero };
                    continue;
                }
                let col = &mut g.cols[c];
                col.clear();
                col.resize(l, 0.0);
                for &(i, sl) in src {
                    col[i as usize] = get(sl, s0 + i as usize);
                }
                g.w[c] = if col[..l - 1].iter().any(|v| *v != 0.0) {
                    lu_solve(&g.lu, g.band, col);
                    WCol::Dense
                } else if col[l - 1] != 0.0 {
                    WCol::Last(col[l - 1])
                } else {
                    WCol::Zero
                };
            }
            g.akg.clear();
            for &(r, jj, sl) in &g.akg_src {
                let v = get(sl, g.cpl[r as usize]);
                if v != 0.0 {
                    g.akg.push((r as usize, jj as usize, v));
                }
            }
            // Schur update: S[r, c] -= A[r, g] W[g, c]
            let m = g.cpl.len();
            for &(r, jj, v) in &g.akg {
                for (c, wc) in g.w.iter().enumerate() {
                    let wv = match wc {
                        WCol::Zero => continue,
                        WCol::Last(coef) => coef * g.e[jj],
                        WCol::Dense => g.cols[c][jj],
                    };
                    let dst = g.schur_dst[r * m + c];
                    if dst != NONE {
                        *self.s.at_slot_mut(dst) -= v * wv;
                    }
                }
            }
            // rows as reduced positions for the solves
            for a in g.akg.iter_mut() {
                a.0 = g.cpl_pos[a.0];
            }
        }
        self.s.factor()
    }

    /// Solves in place (after `factor`).
    pub fn solve(&mut self, x: &mut [f64]) {
        debug_assert_eq!(x.len(), self.n);
        for (p, &i) in self.full.iter().enumerate() {
            self.rs[p] = x[i];
        }
        // z = A_gg^{-1} x_g in place
        for g in &self.groups {
            lu_solve(&g.lu, g.band, &mut x[g.start..g.start + g.len]);
        }
        for g in &self.groups {
            let z = &x[g.start..g.start + g.len];
            for &(pr, jj, v) in &g.akg {
                self.rs[pr] -= v * z[jj];
            }
        }
        let mut rs = std::mem::take(&mut self.rs);
        self.s.solve(&mut rs);
        for (p, &i) in self.full.iter().enumerate() {
            x[i] = rs[p];
        }
        for g in &self.groups {
            let out = &mut x[g.start..g.start + g.len];
            let mut s_last = 0.0;
            for (c, wc) in g.w.iter().enumerate() {
                match wc {
                    WCol::Zero => {}
                    WCol::Last(coef) => s_last += coef * rs[g.cpl_pos[c]],
                    WCol::Dense => {
                        let r = rs[g.cpl_pos[c]];
                        for (o, w) in out.iter_mut().zip(&g.cols[c]) {
                            *o -= w * r;
                        }
                    }
                }
            }
            if s_last != 0.0 {
                for (o, e) in out.iter_mut().zip(&g.e) {
                    *o -= s_last * e;
                }
            }
        }
        self.rs = rs;
    }
}

/// LU factorisation without pivoting of the `l`×`l` block `a` of half-bandwidth `band` in
/// band storage (row i holds columns i-band..=i+band), in place (unit lower factor below the
/// diagonal, reciprocal pivots on it). The blocks are particles' M - cJ, diagonally dominant
/// by columns. Returns false on a zero or non-finite pivot.
fn lu_factor(a: &mut [f64], l: usize, band: usize) -> bool {
    let w = 2 * band + 1;
    if band == 1 {
        // tridiagonal (finite-volume particles): row i is [sub, diag, sup]
        for k in 0..l {
            let p = a[3 * k + 1];
            if p == 0.0 || !p.is_finite() {
                return false;
            }
            let inv = 1.0 / p;
            a[3 * k + 1] = inv;
            if k + 1 < l {
                let m = a[3 * (k + 1)] * inv;
                a[3 * (k + 1)] = m;
                a[3 * (k + 1) + 1] -= m * a[3 * k + 2];
            }
        }
        return true;
    }
    for k in 0..l {
        let p = a[k * w + band];
        if p == 0.0 || !p.is_finite() {
            return false;
        }
        let inv = 1.0 / p;
        a[k * w + band] = inv;
        let hi = (k + band + 1).min(l);
        let (top, rest) = a.split_at_mut((k + 1) * w);
        // the pivot row's columns k+1..hi
        let pivot_row = &top[k * w + band + 1..k * w + band + hi - k];
        for (d, row) in rest.chunks_exact_mut(w).take(hi - k - 1).enumerate() {
            // row r = k + 1 + d: column c sits at c + band - r
            let r = k + 1 + d;
            let m = row[k + band - r] * inv;
            row[k + band - r] = m;
            if m != 0.0 {
                let lo = k + 1 + band - r;
                for (v, u) in row[lo..lo + hi - k - 1].iter_mut().zip(pivot_row) {
                    *v -= m * u;
                }
            }
        }
    }
    true
}

/// Solves in place with the factors of `lu_factor`.
fn lu_solve(lu: &[f64], band: usize, x: &mut [f64]) {
    let l = x.len();
    if band == 1 {
        for i in 1..l {
            x[i] -= lu[3 * i] * x[i - 1];
        }
        x[l - 1] *= lu[3 * (l - 1) + 1];
        for i in (0..l - 1).rev() {
            x[i] = (x[i] - lu[3 * i + 2] * x[i + 1]) * lu[3 * i + 1];
        }
        return;
    }
    let w = 2 * band + 1;
    for i in 1..l {
        let lo = i.saturating_sub(band);
        if lo == i {
            continue;
        }
        // the freshest unknown last: the rest of the sum does not wait for it
        let row = &lu[i * w + lo + band - i..i * w + band];
        let s = dot(&row[..row.len() - 1], &x[lo..i - 1]);
        x[i] -= s + row[row.len() - 1] * x[i - 1];
    }
    for i in (0..l).rev() {
        let hi = (i + band + 1).min(l);
        let row = &lu[i * w + band..i * w + band + hi - i];
        x[i] = back_row(row, x, i) * lu[i * w + band];
    }
}

/// x[i] - sum(row[1..] x[i+1..]) for `row` starting at the diagonal, with the freshest unknown
/// x[i+1] taken last: the rest of the sum does not wait for it.
#[inline(always)]
fn back_row(row: &[f64], x: &[f64], i: usize) -> f64 {
    let m = row.len();
    if m < 2 {
        return x[i];
    }
    let far = dot(&row[2..], &x[i + 2..i + m]);
    x[i] - far - row[1] * x[i + 1]
}

/// Dot product with four running sums: the back substitutions are chains of short dot
/// products, whose single-sum latency would otherwise set their pace.
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut s = [0.0f64; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        s[0] += x[0] * y[0];
        s[1] += x[1] * y[1];
        s[2] += x[2] * y[2];
        s[3] += x[3] * y[3];
    }
    let mut t = (s[0] + s[1]) + (s[2] + s[3]);
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        t += x * y;
    }
    t
}
