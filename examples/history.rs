//! The scale benchmark of issue 21: builds a local reports repository holding 10, 1 000,
//! 100 000 and 1 000 000 synthetic reports (their index shards and READMEs written by the
//! real index code and committed in one `git fast-import`), then measures what one more
//! request costs: bytes and files a report commit writes outside its own directory, forge
//! calls of that commit, of `reconcile` and of `status`, and wall time.
//! `cargo run --release --example history -- 10 1000 100000 1000000`

use std::io::Write;
use std::path::Path;
use std::process::{Command as Proc, Stdio};
use std::sync::Arc;
use std::time::Instant;

use battbot::command::Command;
use battbot::forge::counting::CountingForge;
use battbot::forge::local::LocalForge;
use battbot::forge::{Conversation, Forge, Thread};
use battbot::job::{JobSource, JobSpec};
use battbot::report::index::{self, Entry, Manifest, Month};
use battbot::report::{self, site};
use battbot::runner::protocol::RunFailure;
use battbot::server::{self, App, Forges};

/// Synthetic reports per month (a busy deployment).
const PER_MONTH: u64 = 20_000;
const REPOS: u64 = 20;
/// Report commits measured after the history (the page they land on varies).
const SAMPLES: usize = 10;

fn month_name(back: u64, now: time::OffsetDateTime) -> String {
    let total = now.year() as i64 * 12 + (u8::from(now.month()) as i64 - 1) - back as i64;
    format!("{:04}-{:02}", total / 12, total % 12 + 1)
}

fn entry(i: u64, month: &str) -> Entry {
    let repo = format!("repo{}", i % REPOS);
    let n = 1 + i % 500;
    let id = format!("gh-org-{repo}-{n}-c{}", 10_000_000 + i);
    let k = i % PER_MONTH;
    Entry {
        finished_at: format!(
            "{month}-{:02}T{:02}:{:02}:{:02}Z",
            1 + k / 800,
            (k / 3600) % 24,
            (k / 60) % 60,
            k % 60
        ),
        report: format!("github/org/{repo}/{n}/{id}/report.md"),
        job_id: id,
        status: if i.is_multiple_of(17) {
            "failure"
        } else {
            "success"
        }
        .into(),
        platform: "github".into(),
        repo: format!("org/{repo}"),
        number: n,
        user: format!("user{}", i % 97),
        command: "DFN Chen2020 vs SPMe Chen2020".into(),
        latency_s: Some(42.0),
        solve_s: 0.8,
        models: vec!["DFN".into(), "SPMe".into()],
        parameter_sets: vec!["Chen2020".into()],
        thumbnail: None,
    }
}

/// Streams the history into `git fast-import` as one commit on `main`.
fn build_history(repo: &Path, n: u64) -> anyhow::Result<()> {
    let now = time::OffsetDateTime::now_utc();
    let months = n.div_ceil(PER_MONTH).max(1);
    let mut child = Proc::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()?;
    let mut out = std::io::BufWriter::new(child.stdin.take().expect("piped"));
    let put = |out: &mut std::io::BufWriter<_>, path: &str, bytes: &[u8]| -> std::io::Result<()> {
        write!(out, "M 100644 inline {path}\ndata {}\n", bytes.len())?;
        out.write_all(bytes)?;
        out.write_all(b"\n")
    };
    let msg = format!("{n} synthetic reports");
    write!(
        out,
        "commit refs/heads/main\ncommitter battbot <battbot@localhost> {} +0000\ndata {}\n{msg}\n",
        now.unix_timestamp(),
        msg.len()
    )?;
    let mut manifest = Manifest {
        version: 1,
        page_size: index::PAGE_SIZE,
        ..Manifest::default()
    };
    let mut recent = std::collections::VecDeque::new();
    let mut i = 0;
    for back in (0..months).rev() {
        let month = month_name(back, now);
        let count = (n - i).min(PER_MONTH);
        let mut page = Vec::new();
        let mut pages = 0;
        for _ in 0..count {
            let e = entry(i, &month);
            *manifest.counts.entry(e.platform.clone()).or_default() += 1;
            recent.push_back(e.clone());
            if recent.len() > site::TOP_LIMIT * REPOS as usize {
                recent.pop_front();
            }
            page.push(e);
            if page.len() as u64 == index::PAGE_SIZE {
                put(
                    &mut out,
                    &index::page_path(&month, pages),
                    index::page_json(&page)?.as_bytes(),
                )?;
                pages += 1;
                page.clear();
            }
            i += 1;
        }
        if !page.is_empty() {
            put(
                &mut out,
                &index::page_path(&month, pages),
                index::page_json(&page)?.as_bytes(),
            )?;
            pages += 1;
        }
        manifest.total += count;
        manifest.months.push(Month {
            month,
            count,
            pages,
        });
    }
    // The site as the last reports left it: assets, the newest entries and index.html.
    manifest.site = battbot::report::html::assets_fingerprint();
    for f in battbot::report::html::assets() {
        put(&mut out, &f.path, &f.contents)?;
    }
    for e in &recent {
        battbot::report::activity::record(&mut manifest.activity, e);
    }
    let latest: Vec<Entry> = recent
        .iter()
        .rev()
        .take(index::LATEST_SIZE)
        .cloned()
        .collect();
    put(
        &mut out,
        index::LATEST_FILE,
        index::page_json(&latest)?.as_bytes(),
    )?;
    let html = battbot::report::html::index_page(&latest, &manifest)?;
    put(&mut out, site::HTML_FILE, html.as_bytes())?;
    let m = index::manifest_file(&manifest)?;
    put(&mut out, &m.path, &m.contents)?;
    // The READMEs as the last reports left them, through the same incremental code.
    let mut readmes: std::collections::BTreeMap<String, Vec<u8>> = Default::default();
    for e in &recent {
        let top = site::top_readme_with(readmes.get("README.md").map(Vec::as_slice), e, &manifest)?;
        readmes.insert(top.path, top.contents);
        let dir = site::repo_dir(e).expect("a repository report");
        let path = format!("{dir}/README.md");
        let r = site::repo_readme_with(readmes.get(&path).map(Vec::as_slice), e, &dir)?;
        readmes.insert(r.path, r.contents);
    }
    for (path, bytes) in &readmes {
        put(&mut out, path, bytes)?;
    }
    out.flush()?;
    drop(out);
    anyhow::ensure!(child.wait()?.success(), "git fast-import failed");
    Ok(())
}

struct Measured {
    bytes_max: u64,
    bytes_mean: u64,
    files_max: usize,
    commit_calls: u64,
    commit_ms_median: f64,
    reconcile_calls: u64,
    status_calls: u64,
}

async fn measure(dir: &Path) -> anyhow::Result<Measured> {
    let runner = dir.join("runner.git");
    let reports = dir.join("reports.git");
    LocalForge::init_bare(&runner).await?;
    let local: Arc<dyn Forge> = Arc::new(LocalForge::new(dir, &reports));
    let counting = Arc::new(CountingForge::new(local));
    let config = battbot::demo::demo_config(dir, "http://127.0.0.1:9", "whsec", "rsec");
    let forges = Forges {
        conversations: [(
            "github".to_string(),
            counting.clone() as Arc<dyn Conversation>,
        )]
        .into(),
        runner: counting.clone(),
        reports: counting.clone(),
    };
    let app = App::new(config.clone(), forges, Arc::new(server::SystemClock))?;
    let (mut bytes, mut files, mut times, mut calls) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for k in 0..SAMPLES as u64 {
        let source = JobSource {
            platform: "github".into(),
            repo: "org/repo3".into(),
            number: 7,
            comment_id: 90_000_000 + k,
            user: "alice".into(),
            url: "https://github.com/org/repo3/issues/7".into(),
        };
        let spec = JobSpec::new(
            source,
            Command::Status,
            "http://127.0.0.1:9",
            time::OffsetDateTime::now_utc(),
        );
        let failure = RunFailure {
            job_id: spec.id.to_string(),
            battbot_version: "0.1.0".into(),
            error: "synthetic".into(),
            log_tail: vec!["a line".into()],
        };
        let built = report::failure(&spec, &failure, "status", time::OffsetDateTime::now_utc())?;
        let own: u64 = built.files.iter().map(|f| f.contents.len() as u64).sum();
        let own_files = built.files.len();
        counting.reset();
        let t = Instant::now();
        report::commit(
            counting.as_ref(),
            &config.reports.repo,
            &config.reports.branch,
            &built,
        )
        .await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        bytes.push(counting.committed_bytes() - own);
        files.push(counting.committed_files() - own_files as u64);
        calls = calls.max(counting.total());
    }
    counting.reset();
    let reconciled = server::reconcile::run_once(&app).await?;
    anyhow::ensure!(reconciled.is_empty(), "nothing is pending");
    let reconcile_calls = counting.total();
    counting.reset();
    let ev = server::event::CommentEvent {
        source: JobSource {
            platform: "github".into(),
            repo: "org/repo3".into(),
            number: 7,
            comment_id: 80_000_000,
            user: "alice".into(),
            url: "https://github.com/org/repo3/issues/7".into(),
        },
        body: "@battbot status".into(),
        author_is_bot: false,
        is_pull_request: false,
    };
    let thread = Thread {
        repo: "org/repo3".into(),
        number: 7,
    };
    server::commands::status::run(&app, counting.as_ref(), &thread, &ev).await?;
    let status_calls = counting.total();
    times.sort_by(f64::total_cmp);
    Ok(Measured {
        bytes_max: *bytes.iter().max().unwrap_or(&0),
        bytes_mean: bytes.iter().sum::<u64>() / bytes.len().max(1) as u64,
        files_max: files.iter().copied().max().unwrap_or(0) as usize,
        commit_calls: calls,
        commit_ms_median: times[times.len() / 2],
        reconcile_calls,
        status_calls,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sizes: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10, 1_000, 100_000, 1_000_000]
    } else {
        sizes
    };
    println!("| prior reports | build | bytes written outside the report (max / mean of {SAMPLES}) | files outside the report | forge calls: report commit / reconcile / status | report commit (median) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let dir = tempfile::tempdir()?;
        let reports = dir.path().join("reports.git");
        LocalForge::init_bare(&reports).await?;
        let t = Instant::now();
        build_history(&reports, n)?;
        let build_s = t.elapsed().as_secs_f64();
        let m = measure(dir.path()).await?;
        println!(
            "| {n} | {build_s:.1} s | {} / {} B | {} | {} / {} / {} | {:.0} ms |",
            m.bytes_max,
            m.bytes_mean,
            m.files_max,
            m.commit_calls,
            m.reconcile_calls,
            m.status_calls,
            m.commit_ms_median
        );
    }
    Ok(())
}
