//! Counts what the app does and exposes it at `GET /metrics` in Prometheus text format.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::App;

/// Counters of the app; all monotonic.
#[derive(Default)]
pub struct Metrics {
    webhooks: AtomicU64,
    signature_failures: AtomicU64,
    jobs_accepted: AtomicU64,
    jobs_rejected: AtomicU64,
    jobs_finished: AtomicU64,
    jobs_failed: AtomicU64,
    jobs_reconciled: AtomicU64,
    callbacks_rejected: AtomicU64,
    replies: AtomicU64,
    background_errors: AtomicU64,
    rate_limited: AtomicU64,
    shed: AtomicU64,
    body_timeouts: AtomicU64,
    connections_refused: AtomicU64,
    /// (route, status) → count
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    /// Job latency (request → report) histogram: counts per bucket upper bound, sum, count.
    latency: Mutex<Histogram>,
}

/// Upper bounds of the job-latency buckets, in seconds.
pub const LATENCY_BUCKETS_S: [f64; 10] = [
    1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 14400.0,
];

#[derive(Default)]
struct Histogram {
    buckets: [u64; LATENCY_BUCKETS_S.len()],
    sum: f64,
    count: u64,
}

macro_rules! counters {
    ($($inc:ident => $field:ident),* $(,)?) => {
        impl Metrics {
            $(pub fn $inc(&self) { self.$field.fetch_add(1, Ordering::Relaxed); })*
        }
    };
}

counters! {
    inc_webhook => webhooks,
    inc_signature_failure => signature_failures,
    inc_job_accepted => jobs_accepted,
    inc_job_rejected => jobs_rejected,
    inc_job_finished => jobs_finished,
    inc_job_failed => jobs_failed,
    inc_job_reconciled => jobs_reconciled,
    inc_callback_rejected => callbacks_rejected,
    inc_reply => replies,
    inc_background_error => background_errors,
    inc_rate_limited => rate_limited,
    inc_shed => shed,
    inc_body_timeout => body_timeouts,
    inc_connection_refused => connections_refused,
}

impl Metrics {
    /// Counts one HTTP request by matched route and status.
    pub fn record_request(&self, route: &str, status: u16) {
        let mut map = self.requests.lock().expect("metrics lock");
        *map.entry((route.to_string(), status)).or_default() += 1;
    }

    /// Records the time from request to report of one job.
    pub fn observe_job_latency(&self, seconds: f64) {
        let mut h = self.latency.lock().expect("metrics lock");
        for (i, bound) in LATENCY_BUCKETS_S.iter().enumerate() {
            if seconds <= *bound {
                h.buckets[i] += 1;
            }
        }
        h.sum += seconds;
        h.count += 1;
    }

    /// The Prometheus exposition text.
    pub fn render(&self) -> String {
        let rows = [
            (
                "battbot_webhooks_total",
                "Webhook deliveries received",
                &self.webhooks,
            ),
            (
                "battbot_signature_failures_total",
                "Webhooks rejected for their signature",
                &self.signature_failures,
            ),
            (
                "battbot_jobs_accepted_total",
                "Jobs committed to the runner repository",
                &self.jobs_accepted,
            ),
            (
                "battbot_jobs_rejected_total",
                "Requests refused (access, duplicate, bad command)",
                &self.jobs_rejected,
            ),
            (
                "battbot_jobs_finished_total",
                "Jobs reported as results",
                &self.jobs_finished,
            ),
            (
                "battbot_jobs_failed_total",
                "Jobs reported as failures",
                &self.jobs_failed,
            ),
            (
                "battbot_callbacks_rejected_total",
                "Runner callbacks refused",
                &self.callbacks_rejected,
            ),
            ("battbot_replies_total", "Replies posted", &self.replies),
            (
                "battbot_background_errors_total",
                "Background tasks that ended in an error",
                &self.background_errors,
            ),
            (
                "battbot_jobs_reconciled_total",
                "Jobs answered by reconciliation",
                &self.jobs_reconciled,
            ),
            (
                "battbot_rate_limited_total",
                "Requests refused by the per-user or per-repo rate limit",
                &self.rate_limited,
            ),
            (
                "battbot_shed_total",
                "Requests answered 503 because their pool was full",
                &self.shed,
            ),
            (
                "battbot_body_timeouts_total",
                "Requests answered 408 because their body was too slow",
                &self.body_timeouts,
            ),
            (
                "battbot_connections_refused_total",
                "Connections closed at once (too many in all or from one address)",
                &self.connections_refused,
            ),
        ];

        let mut out = String::new();
        for (name, help, value) in rows {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}\n",
                value.load(Ordering::Relaxed)
            ));
        }
        out.push_str("# HELP battbot_http_requests_total HTTP requests by route and status\n# TYPE battbot_http_requests_total counter\n");
        for ((route, status), n) in self.requests.lock().expect("metrics lock").iter() {
            out.push_str(&format!(
                "battbot_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}\n"
            ));
        }
        let h = self.latency.lock().expect("metrics lock");
        out.push_str("# HELP battbot_job_latency_seconds Time from request to report\n# TYPE battbot_job_latency_seconds histogram\n");
        for (bound, n) in LATENCY_BUCKETS_S.iter().zip(h.buckets.iter()) {
            out.push_str(&format!(
                "battbot_job_latency_seconds_bucket{{le=\"{bound}\"}} {n}\n"
            ));
        }
        out.push_str(&format!(
            "battbot_job_latency_seconds_bucket{{le=\"+Inf\"}} {}\nbattbot_job_latency_seconds_sum {}\nbattbot_job_latency_seconds_count {}\n",
            h.count, h.sum, h.count
        ));
        out.push_str(&crate::outbound::OutboundStats::global().render());
        out
    }
}

/// Middleware: counts every request by its matched route and final status.
pub async fn track(
    State(app): State<App>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let resp = next.run(req).await;
    app.metrics.record_request(&route, resp.status().as_u16());
    resp
}

pub async fn handle(State(app): State<App>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render() + &app.health.render(),
    )
}
