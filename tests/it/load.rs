//! Slow and greedy clients against the real server on a real socket, with small limits so
//! each attack takes seconds (the full-size ones are `scripts/attack.sh`): half-sent headers,
//! slow bodies, many connections from one address, unauthenticated runner bodies, and a
//! shutdown with a stalled client.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use battbot::server::shed::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::oneshot;

use crate::support::TestBot;

fn small_limits() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(2),
        max_connections: 1000,
        max_connections_per_ip: 200,
        webhook_pool: 8,
        runner_pool: 2,
        retry_after_s: 7,
        shutdown_grace: Duration::from_secs(1),
        shutdown_deadline: Duration::from_secs(3),
    }
}

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<anyhow::Result<()>>,
    _bot: TestBot,
}

async fn start(limits: Limits) -> Server {
    let bot = TestBot::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let app = bot.app.clone();
    let done = tokio::spawn(async move {
        battbot::server::serve_farm_with(app, Vec::new(), listener, &limits, async {
            let _ = stopped.await;
        })
        .await
    });
    Server {
        addr,
        stop: Some(stop),
        done,
        _bot: bot,
    }
}

/// A connection from `source` (any 127.0.0.0/8 address is this host's loopback).
async fn connect_from(source: &str, addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    socket.connect(addr).await.unwrap()
}

/// Sends `head` (and `body`) on a fresh connection; the whole response, within 5 s.
async fn request(addr: SocketAddr, source: &str, head: &str, body: &[u8]) -> String {
    let mut s = connect_from(source, addr).await;
    let exchange = async {
        s.write_all(head.as_bytes()).await?;
        s.write_all(body).await?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).await?;
        Ok::<_, std::io::Error>(String::from_utf8_lossy(&out).to_string())
    };
    tokio::time::timeout(Duration::from_secs(5), exchange)
        .await
        .expect("an answer within 5 s")
        .unwrap_or_else(|e| format!("io error: {e}"))
}

async fn get(addr: SocketAddr, path: &str) -> (String, Duration) {
    let t = Instant::now();
    let head = format!("GET {path} HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n");
    let resp = request(addr, "127.0.0.1", &head, b"").await;
    (resp, t.elapsed())
}

fn post_head(path: &str, length: usize, extra: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\n\
         x-github-event: issue_comment\r\ncontent-length: {length}\r\n{extra}connection: close\r\n\r\n"
    )
}

/// Whether the server has closed `s` (EOF or reset) within `within`.
async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let read = async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    };
    tokio::time::timeout(within, read).await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_headers_are_closed_after_the_header_timeout() {
    let server = start(small_limits()).await;
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut s = connect_from("127.0.0.1", server.addr).await;
        s.write_all(b"POST /github HTTP/1.1\r\nhost: t\r\nx-slow: ")
            .await
            .unwrap();
        slow.push(s);
    }
    let (resp, took) = get(server.addr, "/healthz").await;
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    for s in &mut slow {
        assert!(closed_within(s, Duration::from_secs(3)).await);
    }
    // An idle keep-alive connection is held to the same timeout.
    let mut idle = connect_from("127.0.0.1", server.addr).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nhost: t\r\n\r\n")
        .await
        .unwrap();
    assert!(closed_within(&mut idle, Duration::from_secs(3)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_fill_the_webhook_pool_but_healthz_and_metrics_answer_and_webhooks_get_503() {
    let server = start(small_limits()).await;
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut s = connect_from("127.0.0.1", server.addr).await;
        s.write_all(post_head("/github", 1000, "").as_bytes())
            .await
            .unwrap();
        s.write_all(b"{\"act").await.unwrap();
        slow.push(s);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    for path in ["/healthz", "/metrics"] {
        let (resp, took) = get(server.addr, path).await;
        assert!(resp.starts_with("HTTP/1.1 200"), "{path}: {resp}");
        assert!(took < Duration::from_secs(2), "{path}: {took:?}");
    }
    let resp = request(
        server.addr,
        "127.0.0.2",
        &post_head("/github", 2, ""),
        b"{}",
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 503"), "{resp}");
    assert!(
        resp.to_ascii_lowercase().contains("retry-after: 7"),
        "{resp}"
    );
    // The pool's slow bodies end in 408 at the body deadline, and the pool is free again.
    let mut timed_out = 0;
    for s in &mut slow {
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(4), s.read_to_end(&mut out)).await;
        timed_out += usize::from(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 408"));
    }
    assert_eq!(timed_out, 8);
    let (metrics, _) = get(server.addr, "/metrics").await;
    assert!(
        metrics.contains("battbot_body_timeouts_total 8"),
        "{metrics}"
    );
    assert!(metrics.contains("battbot_shed_total 43"), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthenticated_runner_bodies_are_refused_before_they_are_read() {
    let server = start(small_limits()).await;
    let path = "/runner/v1/jobs/gh-a-b-1-c1/result";
    let big = 15 * 1024 * 1024;
    // No signature headers: 401 before a byte of the 15 MB body is sent.
    let resp = request(server.addr, "127.0.0.1", &post_head(path, big, ""), b"").await;
    assert!(resp.starts_with("HTTP/1.1 401"), "{resp}");
    // A forged timestamp far away, or a signature of the wrong shape: the same.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let stale = format!(
        "x-battbot-timestamp: {}\r\nx-battbot-signature: sha256={}\r\n",
        i64::MIN + now,
        "0".repeat(64)
    );
    let resp = request(server.addr, "127.0.0.1", &post_head(path, big, &stale), b"").await;
    assert!(resp.starts_with("HTTP/1.1 401"), "{resp}");
    // Well-shaped forgeries are read only two at a time; the third gets 503 at once.
    let forged = format!(
        "x-battbot-timestamp: {now}\r\nx-battbot-signature: sha256={}\r\n",
        "0".repeat(64)
    );
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = connect_from("127.0.0.1", server.addr).await;
        s.write_all(post_head(path, big, &forged).as_bytes())
            .await
            .unwrap();
        s.write_all(&[b' '; 1024]).await.unwrap();
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let resp = request(
        server.addr,
        "127.0.0.1",
        &post_head(path, big, &forged),
        b"",
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 503"), "{resp}");
    // Larger than the configured limit: 413 from Content-Length alone.
    let resp = request(
        server.addr,
        "127.0.0.1",
        &post_head(path, 17 * 1024 * 1024, &forged),
        b"",
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 413"), "{resp}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_connections_from_one_address_are_capped_and_others_still_served() {
    let server = start(Limits {
        max_connections_per_ip: 20,
        header_timeout: Duration::from_secs(30),
        ..small_limits()
    })
    .await;
    let mut open = Vec::new();
    for _ in 0..30 {
        open.push(connect_from("127.0.0.3", server.addr).await);
    }
    let mut closed = 0;
    for s in &mut open {
        closed += usize::from(closed_within(s, Duration::from_millis(100)).await);
    }
    assert_eq!(closed, 10, "the connections past 20 are closed at once");
    let (resp, took) = get(server.addr, "/healthz").await;
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(took < Duration::from_secs(2));
    let (metrics, _) = get(server.addr, "/metrics").await;
    assert!(
        metrics.contains("battbot_connections_refused_total 10"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_with_a_stalled_client_ends_within_the_deadline() {
    let mut server = start(small_limits()).await;
    let mut stalled = connect_from("127.0.0.1", server.addr).await;
    stalled
        .write_all(post_head("/github", 1000, "").as_bytes())
        .await
        .unwrap();
    stalled.write_all(b"{").await.unwrap();
    let mut half = connect_from("127.0.0.1", server.addr).await;
    half.write_all(b"POST /github HTTP/1.1\r\nho")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = Instant::now();
    server.stop.take().unwrap().send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), &mut server.done)
        .await
        .expect("serve returns within the shutdown deadline")
        .unwrap()
        .unwrap();
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
}
