//! The distribution plot of a benchmark comparison: per benchmark, every base and head
//! sample relative to the base median, so a regression reads at a glance.

use plotters::prelude::*;

use super::png::encode_png;
use super::scene::draw_err;
use super::style::{colour, BACKGROUND, GRID, INK, MUTED};
use super::{font, RenderError};

/// One benchmark's samples in seconds.
#[derive(Clone, Debug)]
pub struct BenchSeries {
    pub name: String,
    pub base_s: Vec<f64>,
    pub head_s: Vec<f64>,
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    match s.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => s[n / 2],
        n => 0.5 * (s[n / 2 - 1] + s[n / 2]),
    }
}

/// Renders the comparison as a PNG, one row per benchmark.
pub fn render_benchmarks(title: &str, series: &[BenchSeries]) -> Result<Vec<u8>, RenderError> {
    if series.is_empty() {
        return Err(RenderError::Empty("no benchmarks".into()));
    }
    font::ensure()?;
    let width = 1000u32;
    let height = (140 + 70 * series.len() as u32).min(2000);
    let rel: Vec<(Vec<f64>, Vec<f64>)> = series
        .iter()
        .map(|s| {
            let m = median(&s.base_s);
            (
                s.base_s.iter().map(|x| x / m).collect(),
                s.head_s.iter().map(|x| x / m).collect(),
            )
        })
        .collect();
    let (lo, hi) = rel
        .iter()
        .flat_map(|(b, h)| b.iter().chain(h))
        .filter(|x| x.is_finite())
        .fold((1.0f64, 1.0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    let pad = (hi - lo).max(0.1) * 0.1;
    let mut rgb = vec![0u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        root.fill(&BACKGROUND).map_err(draw_err)?;
        let n = series.len() as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (font::FAMILY, 22.0).into_font().color(&INK))
            .margin(16)
            .x_label_area_size(46)
            .y_label_area_size(220)
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..(n - 0.5))
            .map_err(draw_err)?;
        let names: Vec<String> = series.iter().map(|s| s.name.clone()).collect();
        chart
            .configure_mesh()
            .x_desc("time relative to the base median (1 = unchanged)")
            .axis_desc_style((font::FAMILY, 15).into_font().color(&INK))
            .label_style((font::FAMILY, 13).into_font().color(&MUTED))
            .y_labels(series.len())
            .y_label_formatter(&|y: &f64| {
                let i = y.round() as usize;
                if (y - y.round()).abs() < 1e-6 && i < names.len() {
                    names[i].clone()
                } else {
                    String::new()
                }
            })
            .bold_line_style(GRID)
            .light_line_style(BACKGROUND)
            .draw()
            .map_err(draw_err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(1.0, -0.5), (1.0, n - 0.5)],
                MUTED.stroke_width(1),
            )))
            .map_err(draw_err)?;
        let base_colour = RGBColor(150, 150, 150);
        let head_colour = colour(1);
        for (i, (b, h)) in rel.iter().enumerate() {
            let y = i as f64;
            chart
                .draw_series(
                    b.iter()
                        .map(|&x| Circle::new((x, y + 0.15), 5, base_colour.filled())),
                )
                .map_err(draw_err)?
                .label(if i == 0 { "base" } else { "" })
                .legend(move |(x, y)| Circle::new((x + 8, y), 5, base_colour.filled()));
            chart
                .draw_series(
                    h.iter()
                        .map(|&x| Circle::new((x, y - 0.15), 5, head_colour.filled())),
                )
                .map_err(draw_err)?
                .label(if i == 0 { "head" } else { "" })
                .legend(move |(x, y)| Circle::new((x + 8, y), 5, head_colour.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(BACKGROUND.mix(0.9))
            .border_style(GRID)
            .label_font((font::FAMILY, 14).into_font().color(&INK))
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    encode_png(&rgb, width, height)
}
