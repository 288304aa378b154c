//! Runs an untrusted command bounded: in its own process group, its stdout and stderr drained
//! concurrently with a cap, the group killed on timeout and after the command exits, and a
//! deadline on reading what it printed.

use std::collections::VecDeque;
use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// How much of each stream is kept for the CI log (the end of it).
pub const KEEP_BYTES: usize = 64 * 1024;
/// Longest stdout line considered as a result line; longer lines are counted, not kept.
pub const MAX_LINE_BYTES: usize = 16 * 1024;
/// Most result lines kept from one run.
pub const MAX_RESULT_LINES: usize = 10_000;
/// How long the streams may stay open after the command's group was killed.
const READ_GRACE: Duration = Duration::from_secs(2);

/// What a stream carried: its last [`KEEP_BYTES`], its size, and (stdout) the lines that
/// may be results (starting with `{`, at most [`MAX_LINE_BYTES`] long).
#[derive(Debug, Default)]
pub struct Drained {
    pub tail: VecDeque<u8>,
    pub total_bytes: u64,
    pub result_lines: Vec<String>,
}

impl Drained {
    /// The kept end of the stream as text.
    pub fn tail_text(&self) -> String {
        let (a, b) = self.tail.as_slices();
        let mut v = a.to_vec();
        v.extend_from_slice(b);
        String::from_utf8_lossy(&v).into_owned()
    }
}

/// How a bounded run ended.
#[derive(Debug)]
pub struct Finished {
    /// `None` when it was killed at the deadline.
    pub status: Option<ExitStatus>,
    pub stdout: Drained,
    pub stderr: Drained,
}

fn drain(mut from: impl Read, keep_lines: bool) -> Drained {
    let mut d = Drained::default();
    let mut buf = [0u8; 8192];
    let mut line: Vec<u8> = Vec::new();
    let mut line_too_long = false;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        d.total_bytes += n as u64;
        d.tail.extend(&buf[..n]);
        let excess = d.tail.len().saturating_sub(KEEP_BYTES);
        d.tail.drain(..excess);
        if !keep_lines {
            continue;
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                if !line_too_long
                    && line.first() == Some(&b'{')
                    && d.result_lines.len() < MAX_RESULT_LINES
                {
                    d.result_lines
                        .push(String::from_utf8_lossy(&line).into_owned());
                }
                line.clear();
                line_too_long = false;
            } else if line.len() < MAX_LINE_BYTES {
                line.push(b);
            } else {
                line_too_long = true;
            }
        }
    }
    if !line_too_long && line.first() == Some(&b'{') && d.result_lines.len() < MAX_RESULT_LINES {
        d.result_lines
            .push(String::from_utf8_lossy(&line).into_owned());
    }
    d
}

/// Kills every process of the group `pgid` (a group that is gone is fine).
fn kill_group(pgid: u32) {
    // SAFETY: killpg only sends a signal; a bad or finished group gives ESRCH, ignored.
    unsafe {
        libc::killpg(pgid as libc::pid_t, libc::SIGKILL);
    }
}

/// Runs `cmd` (its stdin closed) until it exits or `timeout` passes, whichever comes first.
pub fn run_bounded(mut cmd: Command, timeout: Duration) -> anyhow::Result<Finished> {
    use std::os::unix::process::CommandExt;
    let mut child = cmd
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
    let pgid = child.id();
    let started = Instant::now();
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().expect("stdout is piped");
    let err = child.stderr.take().expect("stderr is piped");
    let tx2 = tx.clone();
    std::thread::spawn(move || {
        let _ = tx.send((true, drain(out, true)));
    });
    std::thread::spawn(move || {
        let _ = tx2.send((false, drain(err, false)));
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(e) => {
                kill_group(pgid);
                let _ = child.wait();
                return Err(e).context("cannot wait for the benchmark command");
            }
        }
        if started.elapsed() >= timeout {
            kill_group(pgid);
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // Whatever it left behind in its group (`sleep 300 &`) goes with it.
    kill_group(pgid);
    let read_deadline = Instant::now() + READ_GRACE;
    let (mut stdout, mut stderr) = (None, None);
    while stdout.is_none() || stderr.is_none() {
        let left = read_deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((true, d)) => stdout = Some(d),
            Ok((false, d)) => stderr = Some(d),
            Err(_) => bail!(
                "the benchmark command exited but a process it started outside its process \
                 group still holds its output open"
            ),
        }
    }
    Ok(Finished {
        status,
        stdout: stdout.unwrap_or_default(),
        stderr: stderr.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    }

    #[test]
    fn a_flood_of_output_is_drained_and_capped() {
        let f = run_bounded(
            sh("head -c 3000000 /dev/zero | tr '\\0' x; echo; echo '{\"name\":\"a\",\"seconds\":1}'"),
            Duration::from_secs(20),
        )
        .unwrap();
        assert!(f.status.unwrap().success());
        assert_eq!(f.stdout.total_bytes, 3_000_000 + 1 + 25);
        assert!(f.stdout.tail.len() <= KEEP_BYTES);
        assert_eq!(f.stdout.result_lines, [r#"{"name":"a","seconds":1}"#]);
    }

    #[test]
    fn the_deadline_kills_the_whole_group() {
        let started = Instant::now();
        let f = run_bounded(sh("sleep 30 & sleep 30"), Duration::from_millis(300)).unwrap();
        assert!(f.status.is_none());
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_background_process_does_not_hold_the_run() {
        let started = Instant::now();
        let f = run_bounded(sh("sleep 25 & echo done"), Duration::from_secs(20)).unwrap();
        assert!(f.status.unwrap().success());
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
