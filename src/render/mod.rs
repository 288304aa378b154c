//! Draws solution data — a pure library that knows nothing of bots or solvers: a
//! multi-panel PNG figure and an animated GIF, with an embedded font and platform limits.

pub mod bench;
mod font;
pub mod gif;
mod layout;
pub mod modes;
pub mod png;
pub mod random;
mod raster;
mod scene;
mod style;
pub mod thumbnail;
pub mod variables;

pub use self::gif::{render_gif, render_gif_within, GifOptions, GifOutput};
pub use self::png::{render_png, render_png_within, PngOptions};

/// A figure: one or more runs, a title and a footer (version + reproducing command).
#[derive(Clone, Debug, Default)]
pub struct Figure {
    pub title: String,
    pub footer: String,
    pub runs: Vec<RunSeries>,
}

/// One run's curves.
#[derive(Clone, Debug, Default)]
pub struct RunSeries {
    pub label: String,
    pub time_s: Vec<f64>,
    pub voltage_v: Vec<f64>,
    pub current_a: Vec<f64>,
    pub capacity_ah: Vec<f64>,
    pub temperature_k: Option<Vec<f64>>,
    /// Start times of steps after the first (drawn as faint vertical lines).
    pub step_starts_s: Vec<f64>,
    /// Per-cycle discharge capacity: when present, a capacity-vs-cycle panel.
    pub cycle_capacity_ah: Option<Vec<f64>>,
    /// Rows (ascending) that start a new line: the curve has a gap before them (cycles
    /// of a long run that are not drawn).
    pub breaks: Vec<usize>,
    /// The cycle number of each line (`breaks.len() + 1` of them) when the lines are whole
    /// cycles of a long run: the time panels then draw them side by side on a cycle axis.
    pub segment_cycles: Vec<usize>,
    /// Requested variables (PyBaMM's names), each a panel of the figure.
    pub variables: Vec<VarSeries>,
    /// Per cycle, where the capacity went [A.h] (`modes::BANDS`: lithium to SEI, to SEI on
    /// cracks, to plating; capacity of the active material lost in the negative and the
    /// positive electrode); when present, a stacked panel beside the fade.
    pub cycle_modes_ah: Option<Vec<[f64; 5]>>,
}

/// One requested variable of a run, at each of the run's rows.
#[derive(Clone, Debug, Default)]
pub struct VarSeries {
    /// PyBaMM's name, with its unit in brackets.
    pub name: String,
    /// Where a distributed variable's values sit; `None` for a scalar.
    pub positions: Option<Positions>,
    /// One row per time point of the run: one value (scalar) or one per position.
    pub values: Vec<Vec<f64>>,
}

/// The positions of a distributed variable.
#[derive(Clone, Debug, Default)]
pub struct Positions {
    /// `x` (through the cell from the negative current collector) or `r` (from a particle's
    /// centre).
    pub axis: String,
    pub metres: Vec<f64>,
}

/// Why a figure could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("nothing to draw: {0}")]
    Empty(String),
    #[error("run {run} has columns of different lengths")]
    Ragged { run: usize },
    #[error("run {run}: time is not finite and non-decreasing at row {row}")]
    Time { run: usize, row: usize },
    #[error("{bytes} bytes is over the {limit} byte limit even at the smallest size")]
    TooLarge { bytes: usize, limit: usize },
    #[error("font: {0}")]
    Font(String),
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("encoding failed: {0}")]
    Encode(String),
}

/// Platform limits every output respects (Twitter, Slack, the reports repository); the
/// default is the strictest of them (issue 6).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_gif_bytes: usize,
    pub max_gif_width: u32,
    pub max_gif_height: u32,
    pub max_gif_frames: u32,
    /// width × height × frames (Twitter's budget for animated GIFs)
    pub max_gif_pixels: u64,
    pub max_png_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_gif_bytes: 5 * 1024 * 1024,
            max_gif_width: 1280,
            max_gif_height: 1080,
            max_gif_frames: 350,
            max_gif_pixels: 300_000_000,
            max_png_bytes: 5 * 1024 * 1024,
        }
    }
}

impl Figure {
    /// Checks the data before drawing.
    pub fn validate(&self) -> Result<(), RenderError> {
        if self.runs.is_empty() {
            return Err(RenderError::Empty("the figure has no runs".into()));
        }
        for (i, r) in self.runs.iter().enumerate() {
            let n = r.time_s.len();
            if n == 0 {
                return Err(RenderError::Empty(format!("run {} has no points", i + 1)));
            }
            let ragged = r.voltage_v.len() != n
                || r.current_a.len() != n
                || r.capacity_ah.len() != n
                || r.temperature_k.as_ref().is_some_and(|t| t.len() != n)
                || r.variables.iter().any(|v| v.values.len() != n);
            if ragged {
                return Err(RenderError::Ragged { run: i + 1 });
            }
            let bad = r
                .time_s
                .iter()
                .enumerate()
                .position(|(k, t)| !t.is_finite() || (k > 0 && *t < r.time_s[k - 1]));
            if let Some(row) = bad {
                return Err(RenderError::Time { run: i + 1, row });
            }
        }
        Ok(())
    }

    pub fn has_temperature(&self) -> bool {
        self.runs.iter().any(|r| r.temperature_k.is_some())
    }

    pub fn has_cycles(&self) -> bool {
        self.runs
            .iter()
            .any(|r| r.cycle_capacity_ah.as_ref().is_some_and(|c| c.len() > 1))
    }
}
