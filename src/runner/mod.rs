//! The runner side (`battbot run-job`): solves every run of a job, renders the plots,
//! writes the outputs and POSTs signed `started`, then `result` or `failure` (or, without
//! the secret, leaves the bodies for a `--publish` job that has it).

pub mod bench;
pub mod child;
pub mod local;
pub mod protocol;
pub mod publish;
pub mod sandbox;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use base64::Engine;

use crate::command::Command;
use crate::job::JobSpec;
use crate::render;
use crate::sim::{self, SimSpec, Simulation, Solution, SolveOptions};
use protocol::{Artifact, CycleFade, Progress, RunFailure, RunResult, RunSummary, Started};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Inputs of `battbot run-job`.
pub struct RunJob {
    pub job: PathBuf,
    pub out: PathBuf,
    pub callback: Option<String>,
    /// Only report this failure (the CI's on-failure step); with `publish`, the failure to
    /// report when the job left no callback body.
    pub failure: Option<String>,
    /// Post the callback bodies a job without the secret left in `out/callback/`.
    pub publish: bool,
    pub secret: Option<String>,
}

/// A solved run with its label.
pub struct SolvedRun {
    pub label: String,
    pub spec: SimSpec,
    pub solution: Solution,
    pub solve_time_s: f64,
    /// Where and why the run stopped early (its solution is then partial).
    pub stopped: Option<String>,
}

/// The bot command that asks for `runs` (`simulate` for one, `compare` for more), as the
/// footer of a figure shows it.
pub fn canonical_command(runs: &[SimSpec]) -> String {
    let cmd = if runs.len() > 1 {
        Command::Compare {
            runs: runs.to_vec(),
        }
    } else {
        Command::Simulate {
            runs: runs.to_vec(),
        }
    };
    let vocabulary = crate::command::Vocabulary::builtin();
    let limits = crate::command::Limits::default();
    let cx = crate::command::ParseContext {
        bot_names: vec!["battbot".into()],
        vocabulary: &vocabulary,
        limits: &limits,
        step_check: None,
    };
    crate::command::canonical(&cmd, &cx)
}

/// Labels that tell the runs of a comparison apart by what differs between them.
pub fn labels(runs: &[SimSpec]) -> Vec<String> {
    let differs = |f: &dyn Fn(&SimSpec) -> String| runs.iter().any(|r| f(r) != f(&runs[0]));
    let model = |r: &SimSpec| r.model.clone();
    let set = |r: &SimSpec| r.parameter_set.clone();
    // the words of the experiments that differ ("1C" vs "2C"), else the whole experiments
    let diffs = experiment_differences(runs);
    let exp = |r: &SimSpec| match &diffs {
        Some(d) => d[runs.iter().position(|x| std::ptr::eq(x, r)).unwrap_or(0)].clone(),
        None => r.experiment.join(", "),
    };
    let cycles = |r: &SimSpec| format!("{} cycles", r.cycles.unwrap_or(1));
    let temp = |r: &SimSpec| format!("{} °C", r.ambient_temperature_c.unwrap_or(25.0));
    let thermal = |r: &SimSpec| r.thermal.clone().unwrap_or_else(|| "isothermal".into());
    let params = |r: &SimSpec| {
        r.parameters
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let options = |r: &SimSpec| {
        r.options
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let parts: Vec<&dyn Fn(&SimSpec) -> String> = vec![
        &model, &set, &exp, &cycles, &temp, &thermal, &params, &options,
    ];
    runs.iter()
        .map(|r| {
            let mut label: Vec<String> = parts
                .iter()
                .filter(|f| differs(**f))
                .map(|f| f(r))
                .collect();
            if label.is_empty() {
                label = vec![model(r), set(r)];
            }
            label.join(" · ")
        })
        .collect()
}

/// When the runs' experiments have the same shape (as many steps, each of as many words):
/// per run, only the words in which they differ (a number with its unit), e.g. "1C" and "2C".
pub fn experiment_differences(runs: &[SimSpec]) -> Option<Vec<String>> {
    let words: Vec<Vec<Vec<&str>>> = runs
        .iter()
        .map(|r| {
            r.experiment
                .iter()
                .map(|s| s.split_whitespace().collect())
                .collect()
        })
        .collect();
    let first = words.first()?;
    let same_shape = words
        .iter()
        .all(|w| w.len() == first.len() && w.iter().zip(first).all(|(a, b)| a.len() == b.len()));
    if !same_shape {
        return None;
    }
    let mut labels = vec![Vec::<String>::new(); runs.len()];
    for (step, sw) in first.iter().enumerate() {
        let mut k = 0;
        while k < sw.len() {
            let differs = words.iter().any(|w| w[step][k] != sw[k]);
            if differs {
                // a number takes its unit along ("2.5 V")
                let unit = k + 1 < sw.len()
                    && sw[k].parse::<f64>().is_ok()
                    && words.iter().all(|w| w[step][k + 1] == sw[k + 1]);
                for (label, w) in labels.iter_mut().zip(&words) {
                    let mut part = w[step][k].to_string();
                    if unit {
                        part = format!("{part} {}", w[step][k + 1]);
                    }
                    label.push(part);
                }
                k += usize::from(unit);
            }
            k += 1;
        }
    }
    if labels.iter().all(|l| l.is_empty()) {
        return None;
    }
    Some(labels.into_iter().map(|l| l.join(", ")).collect())
}

/// The cycles whose full curves a run of `n` cycles keeps: all up to 10, else the first
/// two, the quarters and the last.
pub fn shown_cycles(n: usize) -> Option<Vec<usize>> {
    if n <= 10 {
        return None;
    }
    let mut c = vec![1, 2, n / 4, n / 2, 3 * n / 4, n];
    c.retain(|&x| x >= 1);
    c.sort_unstable();
    c.dedup();
    Some(c)
}

/// Solves every run; the first failure stops the job, except a run that stops part-way,
/// which keeps what it solved (marked `stopped`) and lets the other runs go on.
pub fn solve_all(runs: &[SimSpec], log: &mut Vec<String>) -> anyhow::Result<Vec<SolvedRun>> {
    let labels = labels(runs);
    let mut solved = Vec::with_capacity(runs.len());
    for (i, (spec, label)) in runs.iter().zip(labels).enumerate() {
        let started = Instant::now();
        let mut simulation =
            Simulation::build(spec).with_context(|| format!("run {} ({label})", i + 1))?;
        // Long (degradation) runs keep the curves of a few cycles; the per-cycle summary
        // still covers every cycle.
        simulation.output_cycles = shown_cycles(spec.cycles.unwrap_or(1) as usize);
        let (solution, stopped) = match simulation.solve(&SolveOptions::default()) {
            Ok(solution) => (solution, None),
            Err(sim::SimError::Stopped(s)) => {
                let s = *s;
                let what = s.to_string();
                log.push(format!("run {}: {label}: {what}", i + 1));
                (s.partial, Some(what))
            }
            Err(e) => return Err(e).with_context(|| format!("run {} ({label})", i + 1)),
        };
        let solve_time_s = started.elapsed().as_secs_f64();
        log.push(format!(
            "run {}: {label}: {} rows, final voltage {:.4} V at {:.1} s, solved in {:.3} s",
            i + 1,
            solution.time_s.len(),
            solution.final_voltage(),
            solution.final_time(),
            solve_time_s
        ));
        solved.push(SolvedRun {
            label,
            spec: spec.clone(),
            solution,
            solve_time_s,
            stopped,
        });
    }
    Ok(solved)
}

/// ∫ V·I dt over discharge, in W.h.
pub fn discharge_energy_wh(s: &Solution) -> f64 {
    let mut wh = 0.0;
    for i in 1..s.time_s.len() {
        let dt = s.time_s[i] - s.time_s[i - 1];
        let p = 0.5 * (s.voltage_v[i] * s.current_a[i] + s.voltage_v[i - 1] * s.current_a[i - 1]);
        if p > 0.0 {
            wh += p * dt / 3600.0;
        }
    }
    wh
}

/// The run summary sent back to the app.
pub fn summarize(run: &SolvedRun) -> RunSummary {
    let s = &run.solution;
    RunSummary {
        label: run.label.clone(),
        spec: run.spec.clone(),
        final_voltage_v: s.final_voltage(),
        final_time_s: s.final_time(),
        discharge_capacity_ah: s.max_discharge_capacity(),
        discharge_energy_wh: discharge_energy_wh(s),
        max_temperature_k: s
            .temperature_k
            .as_ref()
            .map(|t| t.iter().cloned().fold(f64::MIN, f64::max)),
        solve_time_s: run.solve_time_s,
        rows: s.time_s.len(),
        fade: fade(s),
        stopped: run.stopped.clone(),
    }
}

/// The capacity fade of a run of two cycles or more.
pub fn fade(s: &Solution) -> Option<CycleFade> {
    let (first, last) = (s.cycles.first()?, s.cycles.last()?);
    if s.cycles.len() < 2 {
        return None;
    }
    let q0 = first.discharge_capacity_ah;
    Some(CycleFade {
        cycles: s.cycles.len(),
        first_cycle_capacity_ah: q0,
        last_cycle_capacity_ah: last.discharge_capacity_ah,
        fade_percent: if q0.abs() > 1e-12 {
            100.0 * (q0 - last.discharge_capacity_ah) / q0
        } else {
            0.0
        },
        loss_of_lithium_inventory_percent: last.loss_of_lithium_inventory_percent,
    })
}

/// Faraday's constant [C.mol-1].
const FARADAY: f64 = 96_485.332_12;

/// Where a multi-cycle run's capacity went, per cycle, in A.h (`render::modes::BANDS`):
/// lithium lost to SEI, SEI on cracks and plating (mol × F), and the capacity of the active
/// material lost in each electrode (PyBaMM's LAM % of the electrode's initial capacity
/// eps_s L H W c_max F). `None` without degradation.
pub fn cycle_modes_ah(spec: &SimSpec, s: &Solution) -> Option<Vec<[f64; 5]>> {
    if s.cycles.len() < 2 || spec.options.is_empty() {
        return None;
    }
    let p = sim::resolve_parameters(spec).ok();
    let electrode = |side: &str| -> f64 {
        let Some(p) = &p else { return 0.0 };
        let get = |n: String| p.scalar(&n).unwrap_or(0.0);
        get(format!("{side} electrode active material volume fraction"))
            * get(format!("{side} electrode thickness [m]"))
            * get("Electrode height [m]".into())
            * get("Electrode width [m]".into())
            * get(format!(
                "Maximum concentration in {} electrode [mol.m-3]",
                side.to_lowercase()
            ))
            * FARADAY
            / 3600.0
    };
    let (q_neg, q_pos) = (electrode("Negative"), electrode("Positive"));
    let ah = |mol: f64| mol * FARADAY / 3600.0;
    Some(
        s.cycles
            .iter()
            .map(|c| match &c.modes {
                Some(m) => [
                    ah(m.lithium_to_sei_mol),
                    ah(m.lithium_to_sei_on_cracks_mol),
                    ah(m.lithium_to_plating_mol),
                    m.lam_negative_percent / 100.0 * q_neg,
                    m.lam_positive_percent / 100.0 * q_pos,
                ],
                None => [
                    ah(c.lithium_lost_to_sei_mol),
                    0.0,
                    ah(c.lithium_lost_to_plating_mol),
                    0.0,
                    0.0,
                ],
            })
            .collect(),
    )
}

/// The plot data of solved runs.
pub fn figure(title: &str, footer: &str, runs: &[SolvedRun]) -> render::Figure {
    render::Figure {
        title: title.to_string(),
        footer: footer.to_string(),
        runs: runs
            .iter()
            .map(|r| {
                let s = &r.solution;
                // Long runs draw the curves of the cycles they kept in full (the others
                // hold only their steps' end points, which would draw false straight lines).
                let shown = shown_cycles(r.spec.cycles.unwrap_or(1) as usize);
                let keep: Vec<usize> = (0..s.time_s.len())
                    .filter(|&k| {
                        shown.as_ref().is_none_or(|c| {
                            s.cycle_index.get(k).is_some_and(|i| c.contains(&(i + 1)))
                        })
                    })
                    .collect();
                let pick = |v: &[f64]| keep.iter().map(|&k| v[k]).collect::<Vec<f64>>();
                let mut step_starts_s = Vec::new();
                for w in keep.windows(2) {
                    if s.step_index[w[1]] != s.step_index[w[0]] {
                        step_starts_s.push(s.time_s[w[1]]);
                    }
                }
                // A gap wherever a left-out cycle was; the kept cycles of a long run are
                // lines of their own, drawn side by side on a cycle axis.
                let cycle_of = |k: usize| s.cycle_index.get(k).map_or(1, |c| c + 1);
                let breaks: Vec<usize> = (1..keep.len())
                    .filter(|&j| {
                        keep[j] != keep[j - 1] + 1
                            || (shown.is_some() && cycle_of(keep[j]) != cycle_of(keep[j - 1]))
                    })
                    .collect();
                let segment_cycles = if shown.is_some() && !keep.is_empty() {
                    std::iter::once(0)
                        .chain(breaks.iter().copied())
                        .map(|j| cycle_of(keep[j]))
                        .collect()
                } else {
                    Vec::new()
                };
                render::RunSeries {
                    label: r.label.clone(),
                    time_s: pick(&s.time_s),
                    voltage_v: pick(&s.voltage_v),
                    current_a: pick(&s.current_a),
                    capacity_ah: pick(&s.discharge_capacity_ah),
                    temperature_k: s.temperature_k.as_deref().map(pick),
                    step_starts_s,
                    breaks,
                    segment_cycles,
                    cycle_capacity_ah: (s.cycles.len() > 1)
                        .then(|| s.cycles.iter().map(|c| c.discharge_capacity_ah).collect()),
                    cycle_modes_ah: cycle_modes_ah(&r.spec, s),
                    variables: s
                        .variables
                        .iter()
                        .filter(|v| v.values.len() == s.time_s.len())
                        .map(|v| render::VarSeries {
                            name: v.name.clone(),
                            positions: v.coord.as_ref().map(|c| render::Positions {
                                axis: c.name.chars().take(1).collect(),
                                metres: c.values.clone(),
                            }),
                            values: keep.iter().map(|&k| v.values[k].clone()).collect(),
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

fn artifact(name: &str, content_type: &str, bytes: &[u8]) -> Artifact {
    Artifact {
        name: name.to_string(),
        content_type: content_type.to_string(),
        base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

/// Runs the job's simulations and writes CSV, PNG (and GIF for comparisons) to `out`.
/// Pull-request code (runbenchmarks) runs only in a sandbox.
pub fn execute(spec: &JobSpec, out: &Path, log: &mut Vec<String>) -> anyhow::Result<RunResult> {
    execute_with_progress(spec, out, true, log, &mut |_| {})
}

/// Where a benchmark job checks out base and head: beside `out` (never inside it, which CI
/// keeps as the job's artifacts).
pub fn bench_work_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "battbot-out".into());
    out.with_file_name(format!("{name}.bench-work"))
}

/// [`execute`], telling `on_progress` how far a long job has come; `holds_secret` says whether
/// this process could leak the runner secret (then pull-request code needs a sandbox).
pub fn execute_with_progress(
    spec: &JobSpec,
    out: &Path,
    holds_secret: bool,
    log: &mut Vec<String>,
    on_progress: &mut dyn FnMut(Progress),
) -> anyhow::Result<RunResult> {
    let out =
        &std::path::absolute(out).with_context(|| format!("cannot resolve {}", out.display()))?;
    let runs = match &spec.command {
        Command::Simulate { runs } | Command::Compare { runs } => runs,
        Command::Runbenchmarks => {
            let job = spec.benchmark.as_ref().with_context(|| {
                format!(
                    "job {} asks for benchmarks but has no benchmark block",
                    spec.id
                )
            })?;
            let isolation = bench::isolation(holds_secret)?;
            let samples = bench::run(
                job,
                &isolation,
                &bench_work_dir(out),
                log,
                &mut |done, total| {
                    on_progress(Progress {
                        job_id: spec.id.to_string(),
                        done,
                        total,
                        unit: "round".into(),
                    })
                },
            )?;
            std::fs::create_dir_all(out)?;
            let json = serde_json::to_vec_pretty(&samples)?;
            std::fs::write(out.join("benchmarks.json"), &json)?;
            let series: Vec<render::bench::BenchSeries> = samples
                .benchmarks
                .iter()
                .map(|b| render::bench::BenchSeries {
                    name: b.name.clone(),
                    base_s: b.base_s.clone(),
                    head_s: b.head_s.clone(),
                })
                .collect();
            let short = |s: &str| s.chars().take(10).collect::<String>();
            let title = format!(
                "head {} vs base {}",
                short(&samples.head_sha),
                short(&samples.base_sha)
            );
            let png = render::bench::render_benchmarks(&title, &series)?;
            std::fs::write(out.join("benchmarks.png"), &png)?;

            return Ok(RunResult {
                job_id: spec.id.to_string(),
                battbot_version: VERSION.to_string(),
                runs: Vec::new(),
                artifacts: vec![
                    artifact("benchmarks.png", "image/png", &png),
                    artifact("benchmarks.json", "application/json", &json),
                ],

                log_tail: log.clone(),
                benchmark: Some(samples),
            });
        }
        other => bail!("job {} has nothing to simulate ({other:?})", spec.id),
    };
    if runs.is_empty() {
        bail!("job {} has no runs", spec.id);
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let solved = solve_all(runs, log)?;
    let mut artifacts = Vec::new();
    for (i, run) in solved.iter().enumerate() {
        let mut csv = Vec::new();
        run.solution.write_csv(&mut csv)?;
        let name = if solved.len() == 1 {
            "solution.csv".to_string()
        } else {
            format!("run-{}.csv", i + 1)
        };
        std::fs::write(out.join(&name), &csv)?;
        artifacts.push(artifact(&name, "text/csv", &csv));
        // The whole solution with its metadata (`battbot solve --json`).
        let json_name = if solved.len() == 1 {
            "result.json".to_string()
        } else {
            format!("run-{}.json", i + 1)
        };
        let json = crate::export::export_solved(&run.spec, &run.solution, run.solve_time_s)?;
        std::fs::write(out.join(&json_name), &json)?;
        artifacts.push(artifact(&json_name, "application/json", &json));
        // One row per cycle (`battbot solve --summary`), for runs that cycle.
        if run.solution.cycles.len() > 1 {
            let mut rows = Vec::new();
            run.solution.write_summary_csv(&mut rows)?;
            let name = name.replace(".csv", "-cycles.csv");
            std::fs::write(out.join(&name), &rows)?;
            artifacts.push(artifact(&name, "text/csv", &rows));
        }
    }
    let title = match &spec.command {
        Command::Compare { .. } => "battbot comparison".to_string(),
        _ => format!(
            "{} · {}",
            solved[0].spec.model, solved[0].spec.parameter_set
        ),
    };
    // The footer says how to reproduce the figure: the command as the bot understood it.
    let canonical = {
        let vocabulary = crate::command::Vocabulary::builtin();
        let limits = crate::command::Limits::default();
        let cx = crate::command::ParseContext {
            bot_names: vec!["battbot".into()],
            vocabulary: &vocabulary,
            limits: &limits,
            step_check: None,
        };
        crate::command::canonical(&spec.command, &cx)
    };
    let footer = format!("battbot {VERSION} · {canonical} · job {}", spec.id);
    let fig = figure(&title, &footer, &solved);
    let started = Instant::now();
    let png = render::render_png(&fig, &render::PngOptions::for_figure(&fig))?;
    std::fs::write(out.join("voltage.png"), &png)?;
    artifacts.push(artifact("voltage.png", "image/png", &png));
    // The reports index shows a small copy of the plot.
    let thumb = render::thumbnail::thumbnail(&png)?;
    std::fs::write(out.join(crate::report::html::THUMBNAIL), &thumb)?;
    artifacts.push(artifact(
        crate::report::html::THUMBNAIL,
        "image/png",
        &thumb,
    ));
    // Comparisons, and anything answered on Twitter or Slack, get the animation.
    let social = matches!(
        spec.source.platform.as_str(),
        "twitter" | "slack" | "mastodon"
    );
    if solved.len() >= 2 || social {
        let gif = render::render_gif(&fig, &render::GifOptions::default())?;
        for note in &gif.adjustments {
            log.push(format!("gif: {note}"));
        }
        std::fs::write(out.join("comparison.gif"), &gif.bytes)?;
        artifacts.push(artifact("comparison.gif", "image/gif", &gif.bytes));
    }
    log.push(format!(
        "rendered in {:.3} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(RunResult {
        job_id: spec.id.to_string(),
        battbot_version: VERSION.to_string(),
        runs: solved.iter().map(summarize).collect(),
        artifacts,
        log_tail: log.clone(),
        benchmark: None,
    })
}

/// POSTs a signed callback, retrying transient failures with backoff.
pub async fn post_signed(url: &str, secret: &[u8], body: &[u8]) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let mut delay = Duration::from_millis(500);
    let mut last_error = String::new();
    for attempt in 1..=5 {
        let ts = time::OffsetDateTime::now_utc().unix_timestamp();
        let sig = protocol::sign(secret, ts, body);
        let sent = client
            .post(url)
            .header("content-type", "application/json")
            .header(protocol::TIMESTAMP_HEADER, ts.to_string())
            .header(protocol::SIGNATURE_HEADER, sig)
            .body(body.to_vec())
            .send()
            .await;
        match sent {
            Ok(resp) if resp.status().is_success() => return Ok(()),
            // The job is already finished (a retried callback after its report landed).
            Ok(resp) if resp.status() == reqwest::StatusCode::GONE => {
                tracing::info!(%url, "job already finished; nothing to report");
                return Ok(());
            }
            // 408 (the body was too slow) and 429 are transient: retry like a 5xx.
            Ok(resp)
                if resp.status().is_client_error()
                    && resp.status() != reqwest::StatusCode::REQUEST_TIMEOUT
                    && resp.status() != reqwest::StatusCode::TOO_MANY_REQUESTS =>
            {
                let status = resp.status();
                let text = resp.text().await.unwrap_or_default();
                bail!("{url} refused the callback: {status} {text}");
            }
            Ok(resp) => {
                // The app sheds load with 503 + Retry-After: wait at least that long (≤ 60 s).
                if let Some(wait) = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                {
                    delay = delay.max(Duration::from_secs(wait.min(60)));
                }
                last_error = format!(
                    "{} {}",
                    resp.status(),
                    resp.text().await.unwrap_or_default()
                )
            }
            Err(e) => last_error = e.to_string(),
        }
        tracing::warn!(attempt, %url, error = %last_error, "callback failed; retrying");
        tokio::time::sleep(delay).await;
        delay *= 2;
    }
    bail!("callback to {url} failed after 5 attempts: {last_error}")
}

/// The key callbacks of `spec` are signed with: per job from version 2 on.
pub fn signing_key(secret: &str, spec: &JobSpec) -> Vec<u8> {
    if spec.version >= 2 {
        protocol::job_key(secret.as_bytes(), spec.id.as_str()).to_vec()
    } else {
        secret.as_bytes().to_vec()
    }
}

/// `battbot run-job`: returns an error (after reporting it) when the job failed.
pub async fn run_job(args: RunJob) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.job)
        .with_context(|| format!("cannot read job spec {}", args.job.display()))?;
    let spec = JobSpec::from_json(&text)?;
    if spec.version > crate::job::JOB_SPEC_VERSION {
        bail!(
            "job spec version {} is newer than this runner's ({}) (hint: upgrade battbot on the runner)",
            spec.version,
            crate::job::JOB_SPEC_VERSION
        );
    }
    let out = std::path::absolute(&args.out)
        .with_context(|| format!("cannot resolve {}", args.out.display()))?;
    let base = args
        .callback
        .clone()
        .unwrap_or_else(|| spec.callback_url.clone());
    let base = base.trim_end_matches('/').to_string();
    let key = args
        .secret
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| signing_key(s, &spec));
    let holds_secret = key.is_some();
    let post = move |kind: &'static str, body: Vec<u8>| {
        let url = format!("{base}/{kind}");
        let key = key.clone();
        async move {
            match key {
                Some(key) => post_signed(&url, &key, &body).await,
                None => {
                    tracing::info!("no BATTBOT_RUNNER_SECRET: not calling back {url}");
                    Ok(())
                }
            }
        }
    };
    let failure_body = |error: String, log: Vec<String>| {
        serde_json::to_vec(&RunFailure {
            job_id: spec.id.to_string(),
            battbot_version: VERSION.to_string(),
            error,
            log_tail: log,
        })
    };
    if args.publish {
        if !holds_secret {
            bail!("--publish needs BATTBOT_RUNNER_SECRET to sign the callback");
        }
        let (kind, body) = match publish::read_bodies(&spec, &out) {
            Ok(Some(found)) => found,
            Err(e) => (
                "failure",
                failure_body(
                    format!("the job's callback body was refused: {e:#}"),
                    Vec::new(),
                )?,
            ),
            Ok(None) => {
                let message = args
                    .failure
                    .unwrap_or_else(|| "the job left no result (see its CI log)".into());
                ("failure", failure_body(message, Vec::new())?)
            }
        };
        return post(kind, body).await;
    }
    if let Some(message) = args.failure {
        post("failure", failure_body(message, Vec::new())?).await?;
        return Ok(());
    }
    if !holds_secret {
        eprintln!(
            "battbot: no BATTBOT_RUNNER_SECRET in this job: the callback body goes to {} for the job that publishes it (run-job --publish)",
            out.join("callback").display()
        );
    }
    let started = Started {
        job_id: spec.id.to_string(),
        runner: std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into()),
        battbot_version: VERSION.to_string(),
    };
    post("started", serde_json::to_vec(&started)?).await?;
    let mut log = vec![format!("battbot {VERSION} running job {}", spec.id)];
    let spec_for_run = spec.clone();
    let out_for_run = out.clone();
    // Progress is best effort: posted from a task so the run never waits on it.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
    let progress_post = post.clone();
    let forwarder = tokio::spawn(async move {
        while let Some(p) = rx.recv().await {
            if let Ok(body) = serde_json::to_vec(&p) {
                if let Err(e) = progress_post("progress", body).await {
                    tracing::warn!("progress callback failed: {e:#}");
                }
            }
        }
    });
    let outcome = tokio::task::spawn_blocking(move || {
        let r = execute_with_progress(
            &spec_for_run,
            &out_for_run,
            holds_secret,
            &mut log,
            &mut |p| {
                let _ = tx.send(p);
            },
        );
        (r, log)
    })
    .await?;
    let _ = forwarder.await;
    match outcome {
        (Ok(result), _) => {
            std::fs::write(
                out.join("result.json"),
                serde_json::to_vec_pretty(&result.runs)?,
            )?;
            let body = serde_json::to_vec(&result)?;
            publish::write_body(&out, "result", &body)?;
            post("result", body).await?;
            Ok(())
        }
        (Err(e), log) => {
            let message = format!("{e:#}");
            let body = failure_body(message, log)?;
            if let Err(w) = publish::write_body(&out, "failure", &body) {
                tracing::warn!("cannot keep the failure body: {w:#}");
            }
            post("failure", body).await?;
            Err(e)
        }
    }
}

/// Whether an error came from bad input (exit 2) rather than a failure of the run.
pub fn is_input_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<sim::SimError>()
            .is_some_and(|e| !e.is_failure())
    })
}
