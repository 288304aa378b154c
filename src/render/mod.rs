//! PLACEHOLDER (dev only, replaced by the render developer's module).
pub struct Figure {
    pub title: String,
    pub footer: String,
    pub runs: Vec<RunSeries>,
}
pub struct RunSeries {
    pub label: String,
    pub time_s: Vec<f64>,
    pub voltage_v: Vec<f64>,
    pub current_a: Vec<f64>,
    pub capacity_ah: Vec<f64>,
    pub temperature_k: Option<Vec<f64>>,
    pub step_starts_s: Vec<f64>,
    pub cycle_capacity_ah: Option<Vec<f64>>,
}
#[derive(Default)]
pub struct PngOptions;
#[derive(Default)]
pub struct GifOptions;
pub struct GifOutput {
    pub bytes: Vec<u8>,
    pub adjustments: Vec<String>,
}
#[derive(Debug, thiserror::Error)]
#[error("render")]
pub struct RenderError;
pub fn render_png(_f: &Figure, _o: &PngOptions) -> Result<Vec<u8>, RenderError> {
    Ok(b"\x89PNG".to_vec())
}
pub fn render_gif(_f: &Figure, _o: &GifOptions) -> Result<GifOutput, RenderError> {
    Ok(GifOutput {
        bytes: b"GIF89a".to_vec(),
        adjustments: vec![],
    })
}
