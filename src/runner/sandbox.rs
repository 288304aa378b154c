//! Builds the command that runs pull-request code: under bubblewrap (private `/proc`, `/tmp`,
//! network, PID and user namespaces, no capabilities, only the checkout writable, a scrubbed
//! environment), or, where no sandbox can start, bare but still with a scrubbed environment.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Directories of the system the sandbox sees read-only (those that exist).
const SYSTEM_DIRS: &[&str] = &[
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
];
/// Files of `/etc` programs need to start; nothing else of `/etc` (runner configs hold tokens).
const ETC_FILES: &[&str] = &[
    "/etc/alternatives",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/localtime",
    "/etc/ssl",
    "/etc/ca-certificates",
    "/etc/os-release",
];

/// How pull-request code runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Isolation {
    /// Under this `bwrap`.
    Bwrap(PathBuf),
    /// Bare, in its own process group with a scrubbed environment: only where the process
    /// holds no secret (a CI job without one).
    None,
}

/// Whether bubblewrap can start a sandbox here; the reason when it cannot. Probed once.
pub fn probe() -> Result<PathBuf, String> {
    static PROBE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PROBE
        .get_or_init(|| {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let bwrap = std::env::split_paths(&path)
                .map(|d| d.join("bwrap"))
                .find(|p| p.is_file())
                .ok_or("bubblewrap (bwrap) is not installed")?;
            let mut probe = Command::new(&bwrap);
            probe.args(["--unshare-all", "--unshare-user", "--die-with-parent"]);
            for d in SYSTEM_DIRS {
                probe.args(["--ro-bind-try", *d, *d]);
            }
            let out = probe
                .args(["--proc", "/proc", "--dev", "/dev", "true"])
                .env_clear()
                .output()
                .map_err(|e| format!("cannot run {}: {e}", bwrap.display()))?;
            if out.status.success() {
                Ok(bwrap)
            } else {
                Err(format!(
                    "bwrap cannot start a sandbox here: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ))
            }
        })
        .clone()
}

/// The environment pull-request code gets: a search path, a locale, the Rust toolchain's
/// homes. Nothing else of the runner's environment (which may hold the secret).
fn scrubbed_env(sandboxed: bool, dir: &Path) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "PATH".to_string(),
            std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into()),
        ),
        ("LANG".into(), "C.UTF-8".into()),
        ("TMPDIR".into(), "/tmp".into()),
        (
            "HOME".into(),
            if sandboxed {
                "/tmp".into()
            } else {
                dir.to_string_lossy().into_owned()
            },
        ),
    ];
    for (name, path) in toolchain_dirs() {
        env.push((name.into(), path.to_string_lossy().into_owned()));
    }
    if sandboxed {
        env.push(("CARGO_NET_OFFLINE".into(), "true".into()));
    }
    env
}

/// `CARGO_HOME` and `RUSTUP_HOME` where they exist (default `~/.cargo`, `~/.rustup`).
fn toolchain_dirs() -> Vec<(&'static str, PathBuf)> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut dirs = Vec::new();
    for (name, default) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
        let dir = std::env::var_os(name)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(default)));
        if let Some(d) = dir.filter(|d| d.is_dir()) {
            dirs.push((name, d));
        }
    }
    dirs
}

/// `sh -c <script>` in `dir` as `isolation` says; `dir` (absolute) is the only writable place.
pub fn command(isolation: &Isolation, dir: &Path, script: &str) -> Command {
    match isolation {
        Isolation::None => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(script)
                .current_dir(dir)
                .env_clear()
                .envs(scrubbed_env(false, dir));
            c
        }
        Isolation::Bwrap(bwrap) => {
            let mut c = Command::new(bwrap);
            // bwrap itself gets an empty environment too: it is PID 1 of the sandbox, and its
            // /proc/1/environ is readable from inside.
            c.env_clear().args([
                "--unshare-all",
                "--unshare-user",
                "--uid",
                "65534",
                "--gid",
                "65534",
                "--cap-drop",
                "ALL",
                "--die-with-parent",
                "--new-session",
                "--hostname",
                "battbot-sandbox",
            ]);
            for d in SYSTEM_DIRS.iter().chain(ETC_FILES) {
                c.args(["--ro-bind-try", *d, *d]);
            }
            c.args(["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]);
            for (_, d) in toolchain_dirs() {
                // The toolchain without its credentials (`~/.cargo/credentials.toml`).
                for sub in [
                    "bin",
                    "registry",
                    "git",
                    "toolchains",
                    "update-hashes",
                    "settings.toml",
                ] {
                    let p = d.join(sub);
                    c.arg("--ro-bind-try").arg(&p).arg(&p);
                }
            }
            c.arg("--bind").arg(dir).arg(dir).arg("--chdir").arg(dir);
            c.arg("--clearenv");
            for (k, v) in scrubbed_env(true, dir) {
                c.args(["--setenv", k.as_str(), v.as_str()]);
            }
            c.args(["--", "sh", "-c", script]);
            c
        }
    }
}
