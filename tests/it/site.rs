//! The reports site as it is served: `report.html` pages escaped like replies (one test per
//! attack), `index.html` from hostile index data, and a crawl of the site three `battbot demo`
//! runs leave, failing on any link or image to a missing file.

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use battbot::command::Command;
use battbot::demo::{run_with, DemoOptions};
use battbot::job::{JobSource, JobSpec};
use battbot::report::{self, html, index};
use battbot::runner::protocol::{Artifact, RunFailure, RunResult, RunSummary};
use battbot::sim::SimSpec;

/// The requests of the three demo runs the site tests browse.
pub const DEMO_COMMENTS: [&str; 3] = [
    "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"",
    "@battbot compare SPM SPMe Chen2020 \"Discharge at 1C until 2.5 V\"",
    "@battbot simulate DFN Marquis2019 \"Discharge at 2C until 3.2 V\"",
];

/// The reports checkout after three `battbot demo` runs in one directory (made once per
/// test binary, in its own runtime, and kept until the process ends).
pub fn demo_site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        std::thread::spawn(|| {
            // Kept for the whole test run (the browser test serves it), under target/.
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("site-demo");
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                for comment in DEMO_COMMENTS {
                    run_with(DemoOptions {
                        dir: dir.clone(),
                        comment: comment.into(),
                        runbenchmarks: false,
                        exe: env!("CARGO_BIN_EXE_battbot").into(),
                        timeout: Duration::from_secs(180),
                        platform: "github".into(),
                    })
                    .await
                    .unwrap_or_else(|e| panic!("demo {comment}: {e:#}"));
                }
            });
            dir.join("reports")
        })
        .join()
        .unwrap()
    })
}

const HOSTILE: &str = "<script>alert(1)</script>\"onerror=alert(2) '><img src=x onerror=alert(3)>";

fn at(s: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
}

fn hostile_job(url: &str) -> JobSpec {
    let spec: SimSpec = serde_json::from_value(serde_json::json!({
        "model": "SPM", "parameter_set": "Chen2020",
        "experiment": [format!("Discharge at 1C until 2.5 V {HOSTILE}")]
    }))
    .unwrap();
    let source = JobSource {
        platform: "github".into(),
        repo: format!("evil/{HOSTILE}"),
        number: 7,
        comment_id: 1,
        user: HOSTILE.into(),
        url: url.into(),
    };
    JobSpec::new(
        source,
        Command::Simulate { runs: vec![spec] },
        "https://bot.example",
        at("2026-05-01T10:00:00Z"),
    )
}

fn artifact(name: &str, content_type: &str, bytes: &[u8]) -> Artifact {
    use base64::Engine;
    Artifact {
        name: name.into(),
        content_type: content_type.into(),
        base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

fn hostile_result(job: &JobSpec) -> RunResult {
    let spec = match &job.command {
        Command::Simulate { runs } => runs[0].clone(),
        _ => unreachable!(),
    };
    RunResult {
        job_id: job.id.to_string(),
        battbot_version: "0.1.0".into(),
        runs: vec![RunSummary {
            label: HOSTILE.into(),
            spec,
            final_voltage_v: 2.5,
            final_time_s: 3555.0,
            discharge_capacity_ah: 4.9,
            discharge_energy_wh: 17.6,
            max_temperature_k: None,
            solve_time_s: 0.004,
            rows: 10,
            fade: None,
            stopped: None,
        }],
        artifacts: vec![
            artifact("voltage.png", "image/png", b"\x89PNG\r\n\x1a\nx"),
            artifact("thumbnail.png", "image/png", b"\x89PNG\r\n\x1a\nx"),
            artifact("solution.csv", "text/csv", b"Time [s]\n0\n"),
            artifact("result.json", "application/json", b"{}"),
        ],
        log_tail: vec![],
        benchmark: None,
    }
}

fn page(built: &report::BuiltReport) -> String {
    let f = built
        .files
        .iter()
        .find(|f| f.path.ends_with("/report.html"))
        .expect("a report.html beside report.md");
    String::from_utf8(f.contents.clone()).unwrap()
}

/// The tags of a page with their attributes (names lower-cased, quoted values as written):
/// what a browser would parse, so that escaped text inside a quoted value stays a value.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(lt) = html[i..].find('<').map(|p| p + i) {
        let mut j = lt + 1;
        let closing = b.get(j) == Some(&b'/');
        if closing {
            j += 1;
        }
        let start = j;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'!') {
            j += 1;
        }
        let name = html[start..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let s = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'=' && b[j] != b'>' {
                j += 1;
            }
            let attr = html[s..j].to_ascii_lowercase();
            let mut value = String::new();
            if b.get(j) == Some(&b'=') {
                j += 1;
                if let Some(&q) = b.get(j).filter(|c| **c == b'"' || **c == b'\'') {
                    let end = html[j + 1..].find(q as char).map_or(b.len(), |e| j + 1 + e);
                    value = html[j + 1..end].to_string();
                    j = end + 1;
                } else {
                    let s = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = html[s..j].to_string();
                }
            }
            attrs.push((attr, value));
        }
        if !closing {
            out.push((name, attrs));
        }
        i = j.min(b.len());
        if i <= lt {
            i = lt + 1;
        }
    }
    out
}

/// Every tag of the page is one the templates write, no attribute is an event handler, no
/// link or source uses another scheme than http(s), and the only script is the site's own.
fn assert_inert(html: &str) {
    const TAGS: &[&str] = &[
        "!doctype",
        "html",
        "head",
        "meta",
        "title",
        "link",
        "body",
        "nav",
        "a",
        "code",
        "h1",
        "h2",
        "p",
        "strong",
        "figure",
        "img",
        "figcaption",
        "div",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "br",
        "pre",
        "details",
        "summary",
        "ul",
        "li",
        "span",
        "footer",
        "header",
        "section",
        "svg",
        "rect",
        "polyline",
        "circle",
        "line",
        "text",
        "form",
        "input",
        "select",
        "option",
        "datalist",
        "button",
        "noscript",
        "ol",
        "script",
    ];
    for (name, attrs) in tags(html) {
        assert!(
            TAGS.contains(&name.as_str()),
            "unexpected tag <{name}:\n{html}"
        );
        for (attr, value) in &attrs {
            assert!(!attr.starts_with("on"), "event handler {attr} in <{name}");
            assert!(
                !attr.is_empty() && attr.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "odd attribute {attr:?} in <{name}"
            );
            if ["href", "src", "action"].contains(&attr.as_str()) {
                let v = value.trim().to_ascii_lowercase();
                let scheme = v.split([':', '/', '?', '#']).next().unwrap_or_default();
                assert!(
                    !v.contains(':') || v.starts_with("https://") || v.starts_with("http://"),
                    "{attr}={value:?} in <{name} uses the scheme {scheme:?}"
                );
            }
        }
        if name == "script" {
            assert_eq!(
                attrs,
                [("src".to_string(), "site.js".to_string())],
                "only site.js"
            );
        }
    }
}

#[test]
fn report_page_script_tags_in_user_text_stay_text() {
    let job = hostile_job("https://github.com/evil/x/issues/7");
    let built = report::success(
        &job,
        &hostile_result(&job),
        &format!("@battbot simulate </code></pre>{HOSTILE}"),
        at("2026-05-01T10:00:09Z"),
    )
    .unwrap();
    let html = page(&built);
    assert_inert(&html);
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;"));
    // Step strings, labels, user, repository and command all reach the page, as text.
    assert!(
        html.matches("&lt;img src=x onerror=alert(3)&gt;").count() >= 4,
        "{html}"
    );
}

#[test]
fn report_page_quote_breaking_onerror_in_user_text_stays_in_its_attribute() {
    let job = hostile_job("https://github.com/evil/x/issues/7\"onerror=\"alert(1)");
    let built =
        report::success(&job, &hostile_result(&job), "x", at("2026-05-01T10:00:09Z")).unwrap();
    let html = page(&built);
    assert_inert(&html);
    assert!(!html.contains("\"onerror="), "{html}");
    // The conversation link that is no plain URL becomes `#`.
    assert!(
        html.contains("href=\"#\" rel=\"nofollow noopener\""),
        "{html}"
    );
}

#[test]
fn report_page_javascript_url_as_conversation_link_becomes_inert() {
    for url in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,x",
    ] {
        let job = hostile_job(url);
        let built = report::failure(
            &job,
            &RunFailure {
                job_id: job.id.to_string(),
                battbot_version: "0.1.0".into(),
                error: format!("bad step {HOSTILE}"),
                log_tail: vec![HOSTILE.into()],
            },
            HOSTILE,
            at("2026-05-01T10:00:09Z"),
        )
        .unwrap();
        let html = page(&built);
        assert_inert(&html);
        assert!(
            !html.to_lowercase().contains("javascript:"),
            "{url}: {html}"
        );
        assert!(!html.contains("data:text"), "{url}: {html}");
    }
}

#[test]
fn report_page_links_every_download_and_the_plot_first() {
    let job = hostile_job("https://github.com/evil/x/issues/7");
    let built =
        report::success(&job, &hostile_result(&job), "x", at("2026-05-01T10:00:09Z")).unwrap();
    let html = page(&built);
    for name in ["solution.csv", "result.json", "summary.json", "report.md"] {
        assert!(html.contains(&format!("href=\"{name}\"")), "{name}: {html}");
    }
    // The thumbnail is the index's, not the report's; the plot comes before the tables.
    assert!(!html.contains("thumbnail.png"));
    let plot = html.find("src=\"voltage.png\"").unwrap();
    assert!(plot < html.find("<table").unwrap());
    assert!(html.contains(
        "alt=\"Voltage, current and power against time, and voltage against discharge capacity for"
    ));
    let md = built
        .files
        .iter()
        .find(|f| f.path.ends_with("report.md"))
        .unwrap();
    assert!(!String::from_utf8_lossy(&md.contents).contains("thumbnail.png"));
}

fn entry(i: usize, command: &str, report: &str, thumbnail: Option<&str>) -> index::Entry {
    index::Entry {
        job_id: format!("job-{i}"),
        status: "success".into(),
        platform: "github".into(),
        repo: format!("a/{HOSTILE}"),
        number: 1,
        user: HOSTILE.into(),
        finished_at: "2026-05-01T10:00:00Z".into(),
        command: command.into(),
        report: report.into(),
        latency_s: Some(12.0),
        solve_s: 0.1,
        models: vec![HOSTILE.into()],
        parameter_sets: vec!["Chen2020".into()],
        thumbnail: thumbnail.map(str::to_string),
    }
}

#[test]
fn index_page_hostile_entries_script_urls_and_traversal_paths_stay_inert() {
    let entries = vec![
        entry(
            0,
            HOSTILE,
            "javascript:alert(1)//report.md",
            Some("javascript:alert(1)"),
        ),
        entry(1, "x", "../../../etc/report.md", Some("../secret.png")),
        entry(
            2,
            "x",
            "github/a/b/1/j/report.md",
            Some("github/a/b/1/j/thumbnail.png"),
        ),
    ];
    let (mut manifest, _) = index::shard_all(&entries).unwrap();
    manifest.counts.insert(HOSTILE.into(), 1);
    let html = html::index_page(&entries, &manifest).unwrap();
    assert_inert(&html);
    assert_eq!(html.matches("<script").count(), 1, "only site.js");
    assert!(!html.contains("../"), "{html}");
    assert!(html.contains("href=\"github/a/b/1/j/report.html\""));
    assert!(html.contains("src=\"github/a/b/1/j/thumbnail.png\""));
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains("script-src 'self'"));
}

/// `href`/`src` values of a page.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
            }
        }
    }
    out
}

/// Follows every relative link and image from `index.html`; returns the pages visited and
/// the files that are missing.
fn crawl(root: &Path) -> (BTreeSet<PathBuf>, Vec<String>) {
    let mut seen = BTreeSet::new();
    let mut missing = Vec::new();
    let mut queue = VecDeque::from([PathBuf::from("index.html")]);
    while let Some(rel) = queue.pop_front() {
        if !seen.insert(rel.clone()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(&rel)) else {
            continue;
        };
        if rel.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let base = rel.parent().unwrap_or(Path::new("")).to_path_buf();
        for link in links(&text) {
            if link.starts_with("https://") || link.starts_with("http://") || link.starts_with('#')
            {
                continue;
            }
            let path = link.split(['?', '#']).next().unwrap_or_default();
            let mut target = base.clone();
            for part in path.split('/') {
                match part {
                    "" | "." => {}
                    ".." => assert!(target.pop(), "{rel:?}: {link} leaves the site"),
                    p => target.push(p),
                }
            }
            if !root.join(&target).is_file() {
                missing.push(format!("{} → {link}", rel.display()));
            } else {
                queue.push_back(target);
            }
        }
    }
    (seen, missing)
}

#[test]
fn three_demo_runs_leave_a_site_whose_every_link_and_image_resolves() {
    let root = demo_site();
    assert!(
        root.join(html::NOJEKYLL).is_file(),
        "GitHub Pages must not run Jekyll"
    );
    let (seen, missing) = crawl(root);
    assert!(missing.is_empty(), "missing files: {missing:#?}");
    let pages: Vec<&PathBuf> = seen
        .iter()
        .filter(|p| p.ends_with(html::REPORT_PAGE))
        .collect();
    assert_eq!(
        pages.len(),
        3,
        "a page per report, linked from the index: {seen:?}"
    );
    for p in &pages {
        let html = std::fs::read_to_string(root.join(p)).unwrap();
        assert!(
            html.contains("<img src=\"voltage.png\""),
            "{p:?} shows its plot"
        );
        assert!(root.join(p).with_file_name("report.md").is_file());
        let thumb = root.join(p).with_file_name(html::THUMBNAIL);
        let size = std::fs::metadata(&thumb).unwrap().len();
        assert!(size < 16 * 1024, "{thumb:?}: {size} bytes");
        // The whole report, its page included, keeps to the budget.
        let dir = root.join(p).parent().unwrap().to_path_buf();
        let total: u64 = std::fs::read_dir(&dir)
            .unwrap()
            .map(|f| f.unwrap().metadata().unwrap().len())
            .sum();
        let page = std::fs::metadata(root.join(p)).unwrap().len();
        eprintln!(
            "{}: report.html {page} B, thumbnail {size} B, report {total} B",
            dir.display()
        );
        assert!(total <= report::REPORT_BUDGET_BYTES as u64, "{total}");
    }
    let index = std::fs::read_to_string(root.join("index.html")).unwrap();
    assert_eq!(
        index.matches("/thumbnail.png\"").count(),
        3,
        "a thumbnail per report"
    );
    assert!(seen.contains(Path::new("site.js")) && seen.contains(Path::new("site.css")));
    assert!(index.contains("<svg class=\"activity\""));
    assert!(index.contains("3 reports in 1 week"), "{index}");
}

fn tool(name: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is not installed (hint: .ci/run installs it with npm)"
        );
        eprintln!("SKIPPED: {name} is not installed (npm i -g …, see .ci/run)");
    }
    found
}

fn git(dir: &Path, args: &[&str]) {
    let st = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .status()
        .unwrap();
    assert!(st.success(), "git {args:?}");
}

/// The reports repository's GitLab Pages job, run by gitlab-ci-local on a clone of the demo
/// reports: what it publishes is the whole site, every link resolving.
#[test]
fn the_gitlab_pages_job_publishes_every_page_of_the_site() {
    if !tool("gitlab-ci-local") {
        return;
    }
    let reports = demo_site();
    let bare = reports.parent().unwrap().join("reports.git");
    let work = tempfile::tempdir().unwrap();
    let st = std::process::Command::new("git")
        .args(["clone", "-q", "-b", "main"])
        .arg(&bare)
        .arg(work.path().join("r"))
        .status()
        .unwrap();
    assert!(st.success());
    let work = work.path().join("r");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("ci-templates/reports-pages-gitlab-ci.yml"),
        work.join(".gitlab-ci.yml"),
    )
    .unwrap();
    git(&work, &["add", ".gitlab-ci.yml"]);
    git(&work, &["commit", "-q", "-m", "Pages"]);
    let out = std::process::Command::new("gitlab-ci-local")
        .current_dir(&work)
        .args(["--shell-isolation", "--force-shell-executor", "pages"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success() && log.contains("PASS  pages"), "{log}");
    let public = work.join("public");
    assert!(public.join(html::NOJEKYLL).is_file());
    assert!(!public.join(".gitlab-ci.yml").exists());
    let (seen, missing) = crawl(&public);
    assert!(missing.is_empty(), "missing on Pages: {missing:#?}");
    assert_eq!(
        seen.iter()
            .filter(|p| p.ends_with(html::REPORT_PAGE))
            .count(),
        3
    );
}

/// `battbot reports prune` keeps what the index links to: the thumbnail stays and the page
/// says what was pruned, linking only files that are left.
#[tokio::test]
async fn a_pruned_report_keeps_its_thumbnail_and_a_page_without_dead_links() {
    use battbot::forge::local::LocalForge;
    use battbot::forge::Forge;
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("reports.git");
    LocalForge::init_bare(&bare).await.unwrap();
    let forge = LocalForge::new(dir.path(), &bare);
    let repo = bare.to_string_lossy().to_string();
    let job = hostile_job("https://github.com/evil/x/issues/7");
    let built =
        report::success(&job, &hostile_result(&job), "x", at("2026-01-01T10:00:09Z")).unwrap();
    report::commit(&forge, &repo, "main", &built).await.unwrap();
    let pruned = report::prune::prune(
        &forge,
        &repo,
        "main",
        86_400,
        at("2026-05-01T00:00:00Z"),
        false,
    )
    .await
    .unwrap();
    assert_eq!(pruned.reports, 1);
    let report_dir = built.report_path.strip_suffix("/report.md").unwrap();
    let files = forge.list_files(&repo, "main", report_dir).await.unwrap();
    let names: BTreeSet<&str> = files.iter().filter_map(|f| f.rsplit('/').next()).collect();
    assert_eq!(
        names,
        BTreeSet::from(["report.md", "summary.json", "report.html", "thumbnail.png"])
    );
    let page = forge
        .read_file(&repo, "main", &format!("{report_dir}/report.html"))
        .await
        .unwrap()
        .unwrap();
    let page = String::from_utf8(page).unwrap();
    assert_inert(&page);
    assert!(page.contains("pruned on 2026-05-01"), "{page}");
    for link in links(&page) {
        let name = link.rsplit('/').next().unwrap();
        assert!(
            link.ends_with("index.html") || link.ends_with("site.css") || names.contains(name),
            "{link} is gone"
        );
    }
}

/// What a report commit rewrites for the site stays small whatever the history: `index.html`
/// lists `LATEST_SIZE` reports and the activity of `ACTIVITY_WEEKS` weeks, no more.
#[test]
fn the_index_page_is_bounded_by_its_newest_reports_not_by_history() {
    let entries: Vec<index::Entry> = (0..2000)
        .map(|i| {
            let mut e = entry(
                i,
                "DFN Chen2020 vs SPMe Chen2020",
                &format!("github/org/repo{}/{i}/job-{i}/report.md", i % 20),
                Some(&format!(
                    "github/org/repo{}/{i}/job-{i}/thumbnail.png",
                    i % 20
                )),
            );
            e.user = format!("user{}", i % 97);
            e.repo = format!("org/repo{}", i % 20);
            e.models = vec!["DFN".into(), "SPMe".into()];
            let t = at("2025-01-01T00:00:00Z") + time::Duration::hours(3 * i as i64);
            e.finished_at = t
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            e
        })
        .collect();
    let files = battbot::report::site::rebuild(&entries).unwrap();
    let size = |p: &str| files.iter().find(|f| f.path == p).unwrap().contents.len();
    let (html_size, latest_size, manifest_size) = (
        size("index.html"),
        size(index::LATEST_FILE),
        size(index::MANIFEST_FILE),
    );
    eprintln!("2000 reports: index.html {html_size} B, latest.json {latest_size} B, manifest {manifest_size} B");
    assert!(html_size < 40_000, "{html_size}");
    assert!(latest_size < 16_000, "{latest_size}");
    let html = String::from_utf8(
        files
            .iter()
            .find(|f| f.path == "index.html")
            .unwrap()
            .contents
            .clone(),
    )
    .unwrap();
    assert_eq!(
        html.matches("<li class=\"card\">").count(),
        index::LATEST_SIZE
    );
    // Newest first.
    assert!(html.find("job-1999/").unwrap() < html.find("job-1998/").unwrap());
    assert!(html.contains("in 26 weeks"), "{html}");
}
