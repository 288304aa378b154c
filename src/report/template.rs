//! Loads the report templates kept in `reports/templates/` (minijinja) with filters that
//! keep user text inert: `md` (escaped prose), `code`, `codeblock`, `link`.

use std::sync::OnceLock;

use minijinja::Environment;

use super::markdown::{code_block, code_span, escape_text};

const TEMPLATES: [(&str, &str); 4] = [
    (
        "bench.md",
        include_str!("../../reports/templates/bench.md.j2"),
    ),
    (
        "report.md",
        include_str!("../../reports/templates/report.md.j2"),
    ),
    (
        "index.md",
        include_str!("../../reports/templates/index.md.j2"),
    ),
    (
        "repo-index.md",
        include_str!("../../reports/templates/repo-index.md.j2"),
    ),
];

/// Only http(s) links survive; anything else becomes `#`.
fn safe_link(url: &str) -> String {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && !url
            .contains(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '<' || c == '>');
    if ok {
        url.to_string()
    } else {
        "#".to_string()
    }
}

/// A duration in seconds with three significant digits (0.00213, 0.0456, 1.23, 123), so a
/// fast solve does not show as 0.000.
pub fn seconds(v: f64) -> String {
    if !v.is_finite() || v < 0.0 {
        return "–".to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let digits = (2 - v.log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_keep_trailing_newline(true);
        env.add_filter("md", |s: String| escape_text(&s));
        env.add_filter("code", |s: String| code_span(&s));
        env.add_filter("codeblock", |s: String, lang: String| code_block(&lang, &s));
        env.add_filter("link", |s: String| safe_link(&s));
        env.add_filter("secs", |v: f64| seconds(v));
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name} is invalid: {e}"));
        }
        env
    })
}

/// Renders a named template with a serialisable context.
pub fn render<S: serde::Serialize>(name: &str, ctx: S) -> anyhow::Result<String> {
    let tmpl = env().get_template(name)?;
    Ok(tmpl.render(ctx)?)
}

#[cfg(test)]
mod seconds_tests {
    use super::seconds;

    #[test]
    fn durations_keep_three_significant_digits() {
        assert_eq!(seconds(0.000_213_4), "0.000213");
        assert_eq!(seconds(0.045_61), "0.0456");
        assert_eq!(seconds(1.2345), "1.23");
        assert_eq!(seconds(123.45), "123");
        assert_eq!(seconds(0.0), "0");
        assert_eq!(seconds(f64::NAN), "–");
    }
}
