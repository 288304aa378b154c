//! Accepts connections for `battbot serve`: caps them in all and per address, gives each a
//! header read timeout, and on shutdown asks them to close, abandoning those that stall.
//! Hand-written around hyper's HTTP/1 connection because `axum::serve` sets no header timeout
//! and has no bound on a graceful shutdown.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::shed::Limits;
use super::App;

/// The address whose connections count together: an IPv4 address, or an IPv6 /64 (one
/// host usually holds a whole /64).
pub fn peer_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// Open connections by address; a slot is given back when its guard drops.
#[derive(Clone, Default)]
struct PerIp {
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

struct IpSlot {
    per_ip: PerIp,
    key: IpAddr,
}

impl PerIp {
    fn take(&self, ip: IpAddr, max: usize) -> Option<IpSlot> {
        let key = peer_key(ip);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(key).or_default();
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(IpSlot {
            per_ip: self.clone(),
            key,
        })
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut open = self.per_ip.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// What a connection holds while it is open.
struct Slots {
    _total: OwnedSemaphorePermit,
    _ip: IpSlot,
}

/// The soft limit on open files, when the platform tells it.
fn fd_limit() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// The connection cap: the configured one, less than the open-file limit so that the bot's
/// own files, git processes and outbound calls always find a descriptor.
pub fn connection_cap(limits: &Limits) -> usize {
    const RESERVE: usize = 256;
    match fd_limit() {
        Some(fds) => limits
            .max_connections
            .min(fds.saturating_sub(RESERVE).max(16)),
        None => limits.max_connections,
    }
}

/// Serves `router` on `listener` until `shutdown` resolves (`app` counts refused connections); then asks every connection to
/// close and returns when they have, or after `limits.shutdown_grace`, abandoning the rest.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &Limits,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let total = Arc::new(Semaphore::new(connection_cap(limits)));
    let per_ip = PerIp::default();
    let stop = CancellationToken::new();
    let tracker = TaskTracker::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of descriptors (or a connection reset before accept): wait, go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(total) = total.clone().try_acquire_owned() else {
            app.metrics.inc_connection_refused();
            continue; // dropping the stream closes it
        };
        let Some(ip) = per_ip.take(peer.ip(), limits.max_connections_per_ip) else {
            app.metrics.inc_connection_refused();
            continue;
        };
        let slots = Slots {
            _total: total,
            _ip: ip,
        };
        tracker.spawn(connection(
            stream,
            peer,
            router.clone(),
            limits.header_timeout,
            stop.clone(),
            slots,
        ));
    }
    drop(listener);
    stop.cancel();
    tracker.close();
    let started = Instant::now();
    if tokio::time::timeout(limits.shutdown_grace, tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            open = tracker.len(),
            "connections still open {:?} after shutdown began; abandoning them",
            started.elapsed()
        );
    }
    Ok(())
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    header_timeout: Duration,
    stop: CancellationToken,
    slots: Slots,
) {
    let _ = stream.set_nodelay(true);
    let service = TowerToHyperService::new(router);
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let ended = tokio::select! {
        ended = conn.as_mut() => ended,
        () = stop.cancelled() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = ended {
        tracing::debug!(%peer, error = %e, "connection ended");
    }
    drop(slots);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_slash_64_counts_as_one_address() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(peer_key(a), peer_key(b));
        assert_ne!(peer_key(a), peer_key(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(peer_key(mapped), "10.0.0.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn per_ip_slots_are_given_back() {
        let per_ip = PerIp::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let a = per_ip.take(ip, 2).unwrap();
        let _b = per_ip.take(ip, 2).unwrap();
        assert!(per_ip.take(ip, 2).is_none());
        assert!(per_ip.take("10.0.0.2".parse().unwrap(), 2).is_some());
        drop(a);
        assert!(per_ip.take(ip, 2).is_some());
    }
}
