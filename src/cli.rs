//! Defines the command-line interface of DESIGN §3 and runs each subcommand; errors
//! become one line on stderr with exit code 2 for bad input, 1 for other failures.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::command::{self, ParseContext, Vocabulary};
use crate::config::Config;
pub use crate::error::{bad_input, BadInput};
use crate::job::{ci, JobSpec};
use crate::sim::{SimSpec, Simulation, SolveOptions};

#[derive(Parser, Debug)]
#[command(
    name = "battbot",
    version,
    about = "A battery-simulation bot orchestrated by CI"
)]
pub struct Cli {
    /// Log format on stderr: text or json.
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Run the whole loop on local repositories and print the report's path.
    Demo {
        /// Directory for the bare repositories runner.git and reports.git (default: a new temporary directory).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// The comment to send, e.g. '@battbot simulate SPM' (help, status, abort or a bad command print the reply and exit 0).
        #[arg(long)]
        comment: Option<String>,
        /// Benchmark a sample project's pull request instead (DiffEqBot's runbenchmarks).
        #[arg(long)]
        runbenchmarks: bool,
        /// Where the request comes from: github, twitter or slack (in-process fakes that print what the bot posted).
        #[arg(long, default_value = "github", value_parser = ["github", "twitter", "slack", "mastodon", "bluesky"])]
        platform: String,
    },
    /// Serve the webhook app.
    Serve {
        /// Config file (JSON, see config.example.json); default: environment variables only.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Address and port to listen on, HOST:PORT.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Replace every outbound call by a JSON log line (also BATTBOT_DRY_RUN=1).
        #[arg(long)]
        dry_run: bool,
    },
    /// Run one simulation.
    Solve {
        /// Simulation spec, JSON (model, parameter_set, experiment, …; README "Models and parameters").
        #[arg(long)]
        spec: PathBuf,
        /// Write the time series here, CSV (time s, current A, voltage V, capacity A.h).
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Write one row per cycle here, CSV (discharge capacity A.h, loss of lithium inventory %).
        #[arg(long)]
        summary: Option<PathBuf>,
        /// Output period within each step, in seconds (> 0).
        #[arg(long, default_value_t = 10.0)]
        period: f64,
        /// PyBaMM variable names to output too (added to the spec's "variables"; `battbot variables --model M` lists them): scalars as extra CSV columns, distributed ones in --distributed and --json.
        #[arg(long, num_args = 1..)]
        variables: Vec<String>,
        /// Write the whole solution here, JSON (time series, variables, per-cycle summary, version, mesh, tolerances, solve time in s).
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write the distributed (x or r) variables here, long-format CSV (time s, variable, coordinate, position m, value); default: OUT.distributed.csv beside --csv.
        #[arg(long)]
        distributed: Option<PathBuf>,
    },
    /// List the output variables of a model (PyBaMM's names), one a line, with their domain.
    Variables {
        /// Model: SPM, SPMe or DFN.
        #[arg(long, default_value = "DFN")]
        model: String,
        /// Parameter set the model is built with (its variables are the same on every set).
        #[arg(long, default_value = "Chen2020")]
        parameter_set: String,
        /// Thermal model: isothermal or lumped (which adds the heat sources).
        #[arg(long, default_value = "isothermal")]
        thermal: String,
    },
    /// Print a PyBaMM script that reproduces a simulation spec (run as `python script.py OUT.csv`).
    PybammScript {
        /// Simulation spec, JSON (as for solve).
        #[arg(long)]
        spec: PathBuf,
        /// Output period within each step, in seconds (> 0).
        #[arg(long, default_value_t = 10.0)]
        period: f64,
    },
    /// Time the re-solve of a built model (one spec, or every case of a suite).
    Bench {
        /// Simulation spec to time, JSON.
        #[arg(long, conflicts_with = "suite", required_unless_present_any = ["suite", "render"])]
        spec: Option<PathBuf>,
        /// Time the rendering instead: a 3-run, 60-frame 1280×720 comparison GIF and a PNG
        /// (simulations excluded); one JSON line.
        #[arg(long, conflicts_with_all = ["spec", "suite"])]
        render: bool,
        /// A suite file: {"cases": [{"name": …, "spec": S}, …]}; one JSON line per case.
        #[arg(long)]
        suite: Option<PathBuf>,
        /// Re-solves (or renders) to time, a count ≥ 1.
        #[arg(long, default_value_t = 10)]
        repeat: usize,
    },
    /// Simulate the runs of a render spec and draw them.
    Render {
        /// Render spec, JSON: {"title": …, "runs": [S, …]}.
        #[arg(long)]
        spec: PathBuf,
        /// Write the animated comparison here, GIF.
        #[arg(long)]
        gif: Option<PathBuf>,
        /// Write the voltage plot here, PNG.
        #[arg(long)]
        png: Option<PathBuf>,
    },
    /// Print a random comparison (a render spec), reproducible from its seed.
    Random {
        /// Seed of the draw, an integer 0…2^64−1 (default: the clock).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Print the Command a comment parses to (JSON); a bad command exits 2 with {"error", "hint"}.
    Parse {
        /// The request, as typed after the mention, e.g. 'simulate SPMe Chen2020 2C'.
        text: String,
    },
    /// Write the files the bot would commit to a runner branch.
    RenderCi {
        /// Job spec, JSON (battbot-job.json).
        #[arg(long)]
        job: PathBuf,
        /// CI system of the runner repository: gitlab or github.
        #[arg(long, value_parser = ["gitlab", "github"])]
        target: String,
        /// Directory to write the files into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Answer job branches older than the job timeout that have no report.
    Reconcile {
        /// Config file, JSON (see config.example.json).
        #[arg(long)]
        config: PathBuf,
    },
    /// Answer new Twitter, Mastodon or Bluesky mentions (since the cursor on the state
    /// branch); for a CI schedule when no webhook is available.
    PollMentions {
        /// Config file, JSON (see config.example.json).
        #[arg(long)]
        config: PathBuf,
        /// Where to poll: twitter, mastodon or bluesky.
        #[arg(long, default_value = "twitter", value_parser = ["twitter", "mastodon", "bluesky"])]
        platform: String,
    },
    /// BattBot's scheduled post: a random comparison for this half-day (seeded by it),
    /// committed under scheduled/<date>-<am|pm>/ and posted with its plot, once per slot
    /// per platform (alias: tweet-random).
    #[command(alias = "tweet-random")]
    PostRandom {
        /// Config file, JSON (see config.example.json).
        #[arg(long)]
        config: PathBuf,
        /// Where to post: twitter, mastodon, bluesky, or all (every platform configured for it).
        #[arg(long, default_value = "twitter", value_parser = ["twitter", "mastodon", "bluesky", "all"])]
        platform: String,
        /// Draw this comparison instead of the slot's: an integer seed 0…2^64−1.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Maintain the reports repository.
    Reports {
        #[command(subcommand)]
        action: ReportsCmd,
    },
    /// Manage the bots of a farm.
    Bots {
        #[command(subcommand)]
        action: BotsCmd,
    },
    /// Runner side: solve a job, render, call back.
    RunJob {
        /// Job spec, JSON (battbot-job.json on the runner branch).
        #[arg(long)]
        job: PathBuf,
        /// Directory for the CSV, PNG and GIF artifacts (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Callback base URL (http or https); the secret comes from BATTBOT_RUNNER_SECRET.
        #[arg(long)]
        callback: Option<String>,
        /// Only report this failure message (the CI's on-failure step).
        #[arg(long)]
        failure: Option<String>,
        /// Post the callback a job without the secret left in OUT/callback/ (validated).
        #[arg(long)]
        publish: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum BotsCmd {
    /// One line per bot (no network calls).
    List {
        /// Farm config file, JSON (see config.example.json).
        #[arg(long)]
        config: PathBuf,
    },
    /// Reports, failures, latency and reports per day, from each bot's reports index.
    Stats {
        /// Farm config file, JSON (see config.example.json).
        #[arg(long)]
        config: PathBuf,
        /// Only this bot (its bot_name); default: every bot.
        #[arg(long)]
        bot: Option<String>,
        /// Output format: text or json.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// Write a bot's config (without secrets) and state branch to one archive.
    Export {
        /// Farm config file, JSON (see config.example.json).
        #[arg(long)]
        config: PathBuf,
        /// The bot to export (its bot_name).
        #[arg(long)]
        bot: String,
        /// Archive file to write, JSON.
        #[arg(long)]
        out: PathBuf,
    },
    /// Add a bot from an archive to a config file and restore its state branch.
    Import {
        /// Farm config file to add the bot to, JSON.
        #[arg(long)]
        config: PathBuf,
        /// Archive written by `bots export`, JSON.
        #[arg(long)]
        archive: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReportsCmd {
    /// Remove images and data of reports older than an age; report.md and summary.json stay.
    Prune {
        /// Config file, JSON (see config.example.json).
        #[arg(long)]
        config: PathBuf,
        /// Age of the reports to prune: a number and d (days) or w (weeks), e.g. 180d, 12w.
        #[arg(long)]
        older_than: String,
        /// Only list what would be removed.
        #[arg(long)]
        dry_run: bool,
    },
    /// Rebuild the static site from the index shards: index.html, the manifest and pages, the READMEs.
    Site {
        /// Config file, JSON (see config.example.json).
        #[arg(long)]
        config: PathBuf,
        /// Directory to write index.html into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

fn reports(action: ReportsCmd) -> anyhow::Result<()> {
    match action {
        ReportsCmd::Prune {
            config,
            older_than,
            dry_run,
        } => {
            let age = crate::report::prune::parse_age(&older_than).map_err(bad_input)?;
            let config = load_config(&config)?;
            let forges = crate::server::boot::forges_from_config(&config)?;
            let now = time::OffsetDateTime::now_utc();
            let pruned = runtime()?.block_on(crate::report::prune::prune(
                forges.reports.as_ref(),
                &config.reports.repo,
                &config.reports.branch,
                age,
                now,
                dry_run,
            ))?;
            for f in &pruned.files {
                println!("{}{f}", if dry_run { "would remove " } else { "removed " });
            }
            println!("{} reports, {} files", pruned.reports, pruned.files.len());
            Ok(())
        }
        ReportsCmd::Site { config, out } => {
            let config = load_config(&config)?;
            let forges = crate::server::boot::forges_from_config(&config)?;
            let entries = runtime()?.block_on(crate::report::index::read_all(
                forges.reports.as_ref(),
                &config.reports.repo,
                &config.reports.branch,
            ))?;
            // Everything is rebuilt from the shards (or a legacy index.json): the manifest,
            // the pages, the READMEs and index.html, ready to serve from `out`.
            let files = crate::report::site::rebuild(&entries)?;
            for file in &files {
                let path = out.join(&file.path);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                write_atomic(&path, &file.contents)?;
            }
            println!(
                "{} ({} reports, {} files)",
                out.join(crate::report::site::HTML_FILE).display(),
                entries.len(),
                files.len()
            );
            Ok(())
        }
    }
}

fn load_config(path: &Path) -> anyhow::Result<Config> {
    Config::load(path).map_err(|e| bad_input(format!("{e:#}")))
}

fn bots(action: BotsCmd) -> anyhow::Result<()> {
    let rt = runtime()?;
    match action {
        BotsCmd::List { config } => {
            for line in crate::farm::list(&load_config(&config)?) {
                println!("{line}");
            }
        }
        BotsCmd::Stats {
            config,
            bot,
            format,
        } => {
            let stats = rt.block_on(crate::farm::stats(&load_config(&config)?, bot.as_deref()))?;
            match format.as_str() {
                "json" => println!("{}", serde_json::to_string_pretty(&stats)?),
                "text" => {
                    println!(
                        "{:<16} {:>8} {:>8} {:>14} {:>12}",
                        "bot", "reports", "failed", "median req→rep", "median solve"
                    );
                    let secs = |v: Option<f64>| {
                        v.map(|s| format!("{s:.1} s")).unwrap_or_else(|| "–".into())
                    };
                    for s in stats {
                        println!(
                            "{:<16} {:>8} {:>8} {:>14} {:>12}",
                            s.bot,
                            s.reports,
                            s.failures,
                            secs(s.median_latency_s),
                            secs(s.median_solve_s)
                        );
                        for (day, n) in &s.per_day {
                            println!("  {day}  {n}");
                        }
                    }
                }
                other => return Err(bad_input(format!("--format {other:?}: use text or json"))),
            }
        }
        BotsCmd::Export { config, bot, out } => {
            let archive = rt.block_on(crate::farm::export(&load_config(&config)?, &bot))?;
            write_atomic(
                &out,
                (serde_json::to_string_pretty(&archive)? + "\n").as_bytes(),
            )?;
            println!("{}", out.display());
        }
        BotsCmd::Import { config, archive } => {
            let text = std::fs::read_to_string(&archive)
                .map_err(|e| bad_input(format!("cannot read {}: {e}", archive.display())))?;
            let archive: crate::farm::Archive = serde_json::from_str(&text)
                .map_err(|e| bad_input(format!("not a battbot bot archive: {e}")))?;
            rt.block_on(crate::farm::import(&config, &archive))?;
            println!("imported bot {}", archive.bot.bot_name);
        }
    }
    Ok(())
}

/// Exit code and the one-line message of an error.
pub fn describe_error(e: &anyhow::Error) -> (u8, String) {
    let line = format!("{e:#}").replace('\n', " ");
    let input = e.chain().any(|c| {
        c.downcast_ref::<BadInput>().is_some()
            || c.downcast_ref::<crate::sim::SimError>()
                .is_some_and(|e| !e.is_failure())
            || c.downcast_ref::<serde_json::Error>().is_some()
    });
    (if input { 2 } else { 1 }, line)
}

pub fn init_tracing(cli: &Cli) {
    // The demo prints its own progress lines; the server's info logs would drown them.
    let default = match cli.command {
        Cmd::Demo { .. } | Cmd::Solve { .. } | Cmd::Parse { .. } | Cmd::Bench { .. } => "warn",
        _ => "battbot=info,warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colours only on a terminal: redirected logs (files, journald, CI) stay plain text.
    use std::io::IsTerminal;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    if cli.log_format == "json" {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.try_init();
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// Reads a simulation spec file with errors that name the file.
pub fn read_spec(path: &Path) -> anyhow::Result<SimSpec> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad_input(format!("cannot read spec {}: {e}", path.display())))?;
    let mut spec: SimSpec = serde_json::from_str(&text).map_err(|e| {
        bad_input(format!(
            "{} is not a valid simulation spec: {e} (hint: {{\"model\": \"SPM\", \"parameter_set\": \"Chen2020\", \"experiment\": [\"Discharge at 1C until 2.5 V\"]}})",
            path.display()
        ))
    })?;
    // "Run cycles/x.csv (A)": the CSV beside the spec
    let base = path.parent().unwrap_or(Path::new("."));
    crate::sim::drive_cycle::read_csv_cycles(&mut spec, base)
        .map_err(|e| bad_input(e.to_string()))?;
    Ok(spec)
}

/// Writes to a temporary file beside `path`, then renames: no partial output on failure.
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }

    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Where `solve` writes.
struct SolveOut<'a> {
    csv: Option<&'a Path>,
    summary: Option<&'a Path>,
    json: Option<&'a Path>,
    distributed: Option<&'a Path>,
}

fn solve(
    spec: &Path,
    out_to: SolveOut<'_>,
    period: f64,
    variables: &[String],
) -> anyhow::Result<()> {
    let SolveOut {
        csv,
        summary,
        json,
        distributed,
    } = out_to;
    if !(period > 0.0 && period.is_finite()) {
        return Err(bad_input(format!(
            "--period must be a positive number of seconds, not {period}"
        )));
    }
    let mut spec = read_spec(spec)?;
    spec.variables.extend(variables.iter().cloned());
    let simulation = Simulation::build(&spec)?;
    let dist_path = distributed
        .map(Path::to_path_buf)
        .or_else(|| csv.map(|c| c.with_extension("distributed.csv")));
    let any_distributed = simulation
        .variables()
        .iter()
        .any(|v| simulation.variable_is_distributed(v));
    if any_distributed && dist_path.is_none() && json.is_none() {
        return Err(bad_input(
            "distributed variables (in x or r) need a file: give --distributed OUT.csv, --csv OUT.csv (they go beside it) or --json OUT.json",
        ));
    }
    let started = Instant::now();
    // A run that stops keeps what it solved: the files are written, then the failure (exit 1).
    let (solution, stopped) = match simulation.solve(&SolveOptions { period_s: period }) {
        Ok(solution) => (solution, None),
        Err(crate::sim::SimError::Stopped(s)) => {
            let s = *s;
            (s.partial.clone(), Some(s))
        }
        Err(e) => return Err(e.into()),
    };
    let solve_s = started.elapsed().as_secs_f64();
    if let (Some(path), true) = (&dist_path, solution.has_distributed()) {
        let mut d = Vec::new();
        solution.write_distributed_csv(&mut d)?;
        write_atomic(path, &d)?;
    }
    if let Some(path) = json {
        let e = crate::export::export(&spec, &simulation, &solution, solve_s);
        write_atomic(path, &crate::export::to_json(&e)?)?;
    }
    let mut out = Vec::new();
    solution.write_csv(&mut out)?;
    match csv {
        Some(path) => write_atomic(path, &out)?,
        None => std::io::stdout().write_all(&out)?,
    }
    if let Some(path) = summary {
        let mut s = Vec::new();
        solution.write_summary_csv(&mut s)?;
        write_atomic(path, &s)?;
    }
    match stopped {
        None => Ok(()),
        Some(s) => Err(anyhow::anyhow!(
            "{s}; {} the solution up to there",
            match csv {
                Some(path) => format!("{} holds", path.display()),
                None => "the CSV above holds".to_string(),
            }
        )),
    }
}

/// `battbot variables`: the model's variables, one a line with their domain.
fn list_variables(model: &str, parameter_set: &str, thermal: &str) -> anyhow::Result<()> {
    let mut spec = SimSpec::new(model, parameter_set, &["Rest for 1 minute"]);
    spec.thermal = Some(thermal.to_string());
    let sim = Simulation::build(&spec)?;
    let mut out = String::new();
    for c in crate::sim::variables::CSV_COLUMNS {
        out.push_str(&format!("{c}\tscalar (a CSV column)\n"));
    }
    for name in sim.variable_names() {
        let domain = if sim.variable_is_distributed(name) {
            "distributed"
        } else {
            "scalar"
        };
        out.push_str(&format!("{name}\t{domain}\n"));
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

/// `battbot pybamm-script`: the PyBaMM script of a spec on stdout.
fn pybamm_script(spec: &Path, period: f64) -> anyhow::Result<()> {
    if !(period > 0.0 && period.is_finite()) {
        return Err(bad_input(format!(
            "--period must be a positive number of seconds, not {period}"
        )));
    }
    let spec = read_spec(spec)?;
    let sim = Simulation::build(&spec)?;
    let script = crate::pybamm_script::script(&spec, &sim, period);
    std::io::stdout().write_all(script.as_bytes())?;
    Ok(())
}

/// A benchmark suite file.
#[derive(serde::Deserialize)]
struct Suite {
    cases: Vec<SuiteCase>,
}

#[derive(serde::Deserialize)]
struct SuiteCase {
    name: String,
    spec: SimSpec,
}

fn bench(spec: Option<&Path>, suite: Option<&Path>, repeat: usize) -> anyhow::Result<()> {
    if repeat == 0 {
        return Err(bad_input("--repeat must be at least 1"));
    }
    let cases = match (spec, suite) {
        (Some(path), _) => vec![(None, read_spec(path)?)],
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| bad_input(format!("cannot read suite {}: {e}", path.display())))?;
            let suite: Suite = serde_json::from_str(&text).map_err(|e| {
                bad_input(format!("{} is not a benchmark suite: {e} (hint: {{\"cases\": [{{\"name\": …, \"spec\": …}}]}})", path.display()))
            })?;
            suite
                .cases
                .into_iter()
                .map(|c| (Some(c.name), c.spec))
                .collect()
        }
        (None, None) => return Err(bad_input("give --spec or --suite")),
    };
    for (name, spec) in cases {
        let mut line = bench_one(&spec, repeat)?;
        if let Some(name) = name {
            line["name"] = name.into();
        }
        println!("{line}");
    }
    Ok(())
}

/// `battbot bench --render`: the render benchmark of the plotting issue.
fn bench_render(repeat: usize) -> anyhow::Result<()> {
    if repeat == 0 {
        return Err(bad_input("--repeat must be at least 1"));
    }
    let runs: Vec<SimSpec> = ["SPM", "SPMe", "DFN"]
        .iter()
        .map(|m| SimSpec::new(m, "Chen2020", &["Discharge at 1C until 2.5 V"]))
        .collect();
    let solved = crate::runner::solve_all(&runs, &mut Vec::new())?;
    let fig = crate::runner::figure(
        "SPM vs SPMe vs DFN · Chen2020 · 1C",
        "battbot bench --render",
        &solved,
    );
    let opts = crate::render::GifOptions {
        width: 1280,
        height: 720,
        frames: 60,
        ..Default::default()
    };
    let (mut gif_s, mut png_s) = (Vec::new(), Vec::new());
    let (mut gif_bytes, mut png_bytes, mut frames) = (0, 0, 0);
    for _ in 0..repeat {
        let t = Instant::now();
        let gif = crate::render::render_gif(&fig, &opts)?;
        gif_s.push(t.elapsed().as_secs_f64());
        (gif_bytes, frames) = (gif.bytes.len(), gif.frames);
        let t = Instant::now();
        png_bytes = crate::render::render_png(&fig, &crate::render::PngOptions::default())?.len();
        png_s.push(t.elapsed().as_secs_f64());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    println!(
        "{}",
        serde_json::json!({
            "gif_s_median": median(&mut gif_s), "gif_bytes": gif_bytes, "gif_frames": frames,
            "gif_size": "1280x720", "png_s_median": median(&mut png_s), "png_bytes": png_bytes,
            "repeat": repeat,
        })
    );
    Ok(())
}

fn bench_one(spec: &SimSpec, repeat: usize) -> anyhow::Result<serde_json::Value> {
    let t0 = Instant::now();
    let simulation = Simulation::build(spec)?;
    let setup_s = t0.elapsed().as_secs_f64();
    let opts = SolveOptions::default();
    let mut times = Vec::with_capacity(repeat);
    let mut rows = 0;
    for _ in 0..repeat {
        let t = Instant::now();
        let solution = simulation.solve(&opts)?;
        times.push(t.elapsed().as_secs_f64());
        rows = solution.time_s.len();
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = if repeat % 2 == 1 {
        times[repeat / 2]
    } else {
        0.5 * (times[repeat / 2 - 1] + times[repeat / 2])
    };
    Ok(serde_json::json!({
        "setup_s": setup_s,
        "solve_s_median": median,
        "solve_s_min": times[0],
        "repeat": repeat,
        "rows": rows,
    }))
}

/// A render spec (DESIGN §4).
#[derive(serde::Deserialize)]
struct RenderSpec {
    #[serde(default)]
    title: String,
    runs: Vec<SimSpec>,
}

fn render(spec: &Path, gif: Option<&Path>, png: Option<&Path>) -> anyhow::Result<()> {
    if gif.is_none() && png.is_none() {
        return Err(bad_input(
            "nothing to write (hint: --png OUT.png and/or --gif OUT.gif)",
        ));
    }
    let text = std::fs::read_to_string(spec)
        .map_err(|e| bad_input(format!("cannot read render spec {}: {e}", spec.display())))?;
    let r: RenderSpec = serde_json::from_str(&text).map_err(|e| {
        bad_input(format!(
            "{} is not a render spec: {e} (hint: {{\"title\": …, \"runs\": [spec, …]}})",
            spec.display()
        ))
    })?;
    if r.runs.is_empty() {
        return Err(bad_input("the render spec has no runs"));
    }
    let mut log = Vec::new();
    let solved = crate::runner::solve_all(&r.runs, &mut log)?;
    let title = if r.title.is_empty() {
        "battbot".to_string()
    } else {
        r.title
    };
    // the command that asks the bot for these runs, not the path of a (temporary) spec file
    let footer = format!(
        "battbot {} · {}",
        crate::runner::VERSION,
        crate::runner::canonical_command(&r.runs)
    );
    let fig = crate::runner::figure(&title, &footer, &solved);
    if let Some(path) = png {
        write_atomic(
            path,
            &crate::render::render_png(&fig, &crate::render::PngOptions::for_figure(&fig))?,
        )?;
    }
    if let Some(path) = gif {
        let out = crate::render::render_gif(&fig, &crate::render::GifOptions::default())?;
        for a in &out.adjustments {
            eprintln!("note: {a}");
        }
        write_atomic(path, &out.bytes)?;
    }
    Ok(())
}

fn random(seed: Option<u64>) -> anyhow::Result<()> {
    let seed =
        seed.unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp_nanos() as u64);
    let spec = crate::scheduled::random_solvable(seed)?;
    println!("{}", serde_json::to_string_pretty(&spec)?);
    Ok(())
}

fn parse(text: &str) -> anyhow::Result<()> {
    let vocabulary = Vocabulary::builtin();
    let limits = command::Limits::default();
    let check = crate::server::commands::step_check;
    let cx = ParseContext {
        bot_names: vec!["battbot".into(), "battbot_".into()],
        vocabulary: &vocabulary,
        limits: &limits,
        step_check: Some(&check),
    };
    // The text is addressed to the bot (no mention needed), and checked as the app checks a
    // request before it becomes a job.
    match command::parse_addressed(text, &cx).and_then(|c| match c {
        Some(cmd) => command::validate(&cmd).map(|()| Some(cmd)),
        None => Ok(None),
    }) {
        Ok(Some(cmd)) => println!("{}", serde_json::to_string(&cmd)?),
        Ok(None) => println!("{}", serde_json::json!({ "command": null })),
        Err(e) => {
            println!("{}", serde_json::to_string(&e)?);
            return Err(bad_input(format!("{} (hint: {})", e.error, e.hint)));
        }
    }
    Ok(())
}

fn render_ci(job: &Path, target: &str, out: &Path) -> anyhow::Result<()> {
    let target: ci::CiTarget = target.parse().map_err(bad_input)?;
    let text = std::fs::read_to_string(job)
        .map_err(|e| bad_input(format!("cannot read job spec {}: {e}", job.display())))?;
    let spec =
        JobSpec::from_json(&text).map_err(|e| bad_input(format!("{}: {e:#}", job.display())))?;
    for file in ci::runner_files(&spec, target) {
        let path = out.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &file.contents)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Cmd::Solve {
            spec,
            csv,
            summary,
            period,
            variables,
            json,
            distributed,
        } => solve(
            &spec,
            SolveOut {
                csv: csv.as_deref(),
                summary: summary.as_deref(),
                json: json.as_deref(),
                distributed: distributed.as_deref(),
            },
            period,
            &variables,
        ),
        Cmd::Variables {
            model,
            parameter_set,
            thermal,
        } => list_variables(&model, &parameter_set, &thermal),
        Cmd::PybammScript { spec, period } => pybamm_script(&spec, period),
        Cmd::Bench {
            render: true,
            repeat,
            ..
        } => bench_render(repeat),
        Cmd::Bench {
            spec,
            suite,
            repeat,
            ..
        } => bench(spec.as_deref(), suite.as_deref(), repeat),
        Cmd::Parse { text } => parse(&text),
        Cmd::Render { spec, gif, png } => render(&spec, gif.as_deref(), png.as_deref()),
        Cmd::Random { seed } => random(seed),

        Cmd::RenderCi { job, target, out } => render_ci(&job, &target, &out),
        Cmd::RunJob {
            job,
            out,
            callback,
            failure,
            publish,
        } => {
            if !job.exists() {
                return Err(bad_input(format!(
                    "job spec {} does not exist",
                    job.display()
                )));
            }
            let secret = std::env::var("BATTBOT_RUNNER_SECRET").ok();
            let args = crate::runner::RunJob {
                job,
                out,
                callback,
                failure,
                publish,
                secret,
            };
            runtime()?.block_on(crate::runner::run_job(args))
        }
        Cmd::Serve {
            config,
            listen,
            dry_run,
        } => {
            let mut config = match config {
                Some(path) => Config::load(&path).map_err(|e| bad_input(format!("{e:#}")))?,
                None => Config::from_env().map_err(|e| bad_input(format!("{e:#}")))?,
            };
            config.server.dry_run |= dry_run;
            runtime()?.block_on(crate::server::boot::run(config, &listen))
        }
        Cmd::Reconcile { config } => {
            let config = Config::load(&config).map_err(|e| bad_input(format!("{e:#}")))?;
            runtime()?.block_on(crate::server::boot::reconcile(config))
        }
        Cmd::PollMentions { config, platform } => {
            let config = Config::load(&config).map_err(|e| bad_input(format!("{e:#}")))?;
            runtime()?.block_on(crate::server::boot::poll_platform(config, &platform))
        }
        Cmd::PostRandom {
            config,
            platform,
            seed,
        } => {
            let config = Config::load(&config).map_err(|e| bad_input(format!("{e:#}")))?;
            runtime()?.block_on(crate::server::boot::post_random(config, &platform, seed))
        }
        Cmd::Bots { action } => bots(action),
        Cmd::Reports { action } => reports(action),
        Cmd::Demo {
            dir,
            comment,
            runbenchmarks,
            platform,
        } => runtime()?.block_on(crate::demo::run(dir, comment, runbenchmarks, platform)),
    }
}
