//! The reports site as HTML: `report.html` beside every `report.md`, `index.html` (the newest
//! reports as static HTML with thumbnails, filters and the activity panel), and the site's own
//! stylesheet and script. No third-party code; user text is escaped by minijinja's HTML
//! auto-escaping, links pass `url` (http(s) only) or `path` (relative, inside the site).

use std::sync::OnceLock;

use minijinja::{Environment, Value};
use serde::Serialize;

use crate::forge::FileChange;

use super::activity;
use super::index::{Entry, Manifest};

/// The page of a report, beside its `report.md`.
pub const REPORT_PAGE: &str = "report.html";
/// The small PNG of a report's plot that the index shows (made by the runner).
pub const THUMBNAIL: &str = "thumbnail.png";
pub const CSS_FILE: &str = "site.css";
pub const JS_FILE: &str = "site.js";
/// Tells GitHub Pages to publish the files as they are (no Jekyll, which drops `.md` links).
pub const NOJEKYLL: &str = ".nojekyll";
const CSS: &str = include_str!("../../reports/templates/site.css");
const JS: &str = include_str!("../../reports/templates/site.js");
/// Where the crate says its source lives (a version links to its commit there), if it does.
const SOURCE_URL: &str = env!("CARGO_PKG_REPOSITORY");

const TEMPLATES: [(&str, &str); 3] = [
    (
        "index.html",
        include_str!("../../reports/templates/index.html.j2"),
    ),
    (
        "report.html",
        include_str!("../../reports/templates/report.html.j2"),
    ),
    (
        "pruned.html",
        include_str!("../../reports/templates/pruned.html.j2"),
    ),
];

/// Only absolute http(s) URLs without quotes, spaces or angle brackets survive; else `#`.
pub fn safe_url(url: &str) -> String {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && !url.contains(|c: char| c.is_whitespace() || c.is_control() || "\"'<>\\`".contains(c));
    if ok {
        url.to_string()
    } else {
        "#".to_string()
    }
}

/// A relative path inside the site: plain characters, no scheme, no `..`, not absolute;
/// anything else becomes `#`.
pub fn safe_path(path: &str) -> String {
    let ok = !path.is_empty()
        && !path.starts_with('/')
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./~".contains(c))
        && path
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..");
    if ok {
        path.to_string()
    } else {
        "#".to_string()
    }
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Names end in .html: every value is HTML-escaped unless a filter says otherwise.
        // Their output has no quote, angle bracket or space: safe in a quoted attribute
        // as it is (`&` in a query is written as `&amp;`).
        env.add_filter("url", |s: String| {
            Value::from_safe_string(safe_url(&s).replace('&', "&amp;"))
        });
        env.add_filter("path", |s: String| Value::from_safe_string(safe_path(&s)));
        env.add_filter("when", |s: String| {
            s.chars().take(16).collect::<String>().replace('T', " ")
        });
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name} is invalid: {e}"));
        }
        env
    })
}

fn render<S: Serialize>(name: &str, ctx: S) -> anyhow::Result<String> {
    Ok(env().get_template(name)?.render(ctx)?)
}

/// `../` once per component of a report directory: the way back to the site's root.
pub fn root_of(dir: &str) -> String {
    "../".repeat(dir.split('/').filter(|p| !p.is_empty()).count())
}

/// The page of a report from the path of its `report.md`.
pub fn page_of(report_md: &str) -> String {
    match report_md.strip_suffix("report.md") {
        Some(dir) => format!("{dir}{REPORT_PAGE}"),
        None => report_md.to_string(),
    }
}

fn human_size(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.0} kB", (n as f64 / 1024.0).max(1.0))
    }
}

#[derive(Serialize)]
struct Download {
    name: String,
    size: String,
    kind: &'static str,
}

/// Every downloadable file of the report directory among `files` (data, scripts; not the
/// pages or images), `summary.json` last.
fn downloads(dir: &str, files: &[FileChange], summary_bytes: usize) -> Vec<Download> {
    let mut out: Vec<Download> = files
        .iter()
        .filter_map(|f| {
            let name = f.path.strip_prefix(dir)?.strip_prefix('/')?;
            let kind = match name.rsplit('.').next()? {
                "csv" => "CSV",
                "gz" => "CSV, gzipped",
                "json" => "JSON",
                "py" => "Python",
                _ => return None,
            };
            (!name.contains('/') && name != "summary.json").then(|| Download {
                name: name.to_string(),
                size: human_size(f.contents.len()),
                kind,
            })
        })
        .collect();
    out.push(Download {
        name: "summary.json".into(),
        size: human_size(summary_bytes),
        kind: "JSON",
    });
    out
}

/// What a report's images show, for their alt text.
fn alt_text(name: &str, labels: &[String]) -> String {
    let what = if name.ends_with(".gif") {
        "Animation of voltage, current and capacity against time"
    } else if name.starts_with("benchmarks") {
        "Base and head timings of every benchmark"
    } else {
        "Voltage, current and power against time, and voltage against discharge capacity"
    };
    if labels.is_empty() {
        what.to_string()
    } else {
        format!("{what} for {}", labels.join(", "))
    }
}

/// `report.html` of a report: `view` is the data `report.md` was rendered from (a JSON
/// object with `images`, `runs`, …), `files` the report's files written so far.
pub fn report_page<S: Serialize>(
    view: &S,
    dir: &str,
    files: &[FileChange],
    summary_bytes: usize,
) -> anyhow::Result<FileChange> {
    let mut ctx = serde_json::to_value(view)?;
    let labels: Vec<String> = ctx["runs"]
        .as_array()
        .map(|runs| {
            runs.iter()
                .filter_map(|r| r["label"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if let Some(images) = ctx["images"].as_array_mut() {
        for image in images {
            let name = image["name"].as_str().unwrap_or_default().to_string();
            image["alt"] = alt_text(&name, &labels).into();
            image["animated"] = name.ends_with(".gif").into();
        }
    }
    ctx["root"] = root_of(dir).into();
    ctx["downloads"] = serde_json::to_value(downloads(dir, files, summary_bytes))?;
    ctx["source_url"] = SOURCE_URL.into();
    let html = render("report.html", ctx)?;
    Ok(FileChange::new(format!("{dir}/{REPORT_PAGE}"), html))
}

/// `report.html` of a report whose images and data were pruned on `date`: what the index
/// knows of it, its thumbnail, and links to what is left.
pub fn pruned_page(dir: &str, entry: &Entry, date: &str) -> anyhow::Result<FileChange> {
    let html = render(
        "pruned.html",
        serde_json::json!({ "e": entry, "root": root_of(dir), "date": date }),
    )?;
    Ok(FileChange::new(format!("{dir}/{REPORT_PAGE}"), html))
}

/// The filters' choices: what the vocabulary knows, plus what the listed reports use.
#[derive(Serialize)]
struct Choices {
    models: Vec<String>,
    parameter_sets: Vec<String>,
    platforms: Vec<String>,
    repos: Vec<String>,
}

fn choices(latest: &[Entry]) -> Choices {
    let vocab = crate::command::Vocabulary::builtin();
    let mut models: Vec<String> = vocab.model_names().iter().map(|s| s.to_string()).collect();
    let mut sets: Vec<String> = vocab.set_names().iter().map(|s| s.to_string()).collect();
    let mut platforms: Vec<String> = ["github", "gitlab", "slack", "twitter", "scheduled"]
        .map(String::from)
        .to_vec();
    let mut repos = Vec::new();
    let add = |list: &mut Vec<String>, v: &str| {
        if !v.is_empty() && !list.iter().any(|x| x == v) {
            list.push(v.to_string());
        }
    };
    for e in latest {
        e.models.iter().for_each(|m| add(&mut models, m));
        e.parameter_sets.iter().for_each(|s| add(&mut sets, s));
        add(&mut platforms, &e.platform);
        add(&mut repos, &e.repo);
    }
    repos.sort();
    Choices {
        models,
        parameter_sets: sets,
        platforms,
        repos,
    }
}

#[derive(Serialize)]
struct Card<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    page: String,
}

/// `index.html`: the newest reports (`latest`, newest first) as static HTML, the filters,
/// the activity panel and the totals; `site.js` pages further back through the shards.
pub fn index_page(latest: &[Entry], manifest: &Manifest) -> anyhow::Result<String> {
    let cards: Vec<Card> = latest
        .iter()
        .map(|e| Card {
            entry: e,
            page: page_of(&e.report),
        })
        .collect();
    render(
        "index.html",
        serde_json::json!({
            "total": manifest.total,
            "counts": manifest.counts,
            "entries": cards,
            "choices": choices(latest),
            "activity": activity::svg(&manifest.activity),
            "activity_text": activity::caption(&manifest.activity),
        }),
    )
}

/// The files the site needs besides its pages: stylesheet, script, `.nojekyll`.
pub fn assets() -> Vec<FileChange> {
    vec![
        FileChange::new(CSS_FILE, CSS),
        FileChange::new(JS_FILE, JS),
        FileChange::new(NOJEKYLL, ""),
    ]
}

/// FNV-1a of the assets, to tell whether the committed ones are current.
pub fn assets_fingerprint() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in CSS.bytes().chain(JS.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_stay_inside_or_on_the_web() {
        assert_eq!(safe_url("javascript:alert(1)"), "#");
        assert_eq!(safe_url("https://x.org/a\"onerror=b"), "#");
        assert_eq!(safe_url("https://x.org/a?b=1#c"), "https://x.org/a?b=1#c");
        assert_eq!(safe_path("../../etc/passwd"), "#");
        assert_eq!(safe_path("/abs"), "#");
        assert_eq!(safe_path("javascript:x"), "#");
        assert_eq!(
            safe_path("github/a/b/1/j/report.html"),
            "github/a/b/1/j/report.html"
        );
        assert_eq!(root_of("github/a/b/1/j"), "../../../../../");
        assert_eq!(page_of("x/report.md"), "x/report.html");
    }
}
