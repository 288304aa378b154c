//! Counts what the app does and exposes it at `GET /metrics` in Prometheus text format.

use std::sync::atomic::{AtomicU64, Ordering};

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
    callbacks_rejected: AtomicU64,
    replies: AtomicU64,
    background_errors: AtomicU64,
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
    inc_callback_rejected => callbacks_rejected,
    inc_reply => replies,
    inc_background_error => background_errors,
}

impl Metrics {
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
        ];
        let mut out = String::new();
        for (name, help, value) in rows {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}\n",
                value.load(Ordering::Relaxed)
            ));
        }
        out
    }
}

pub async fn handle(State(app): State<App>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(),
    )
}
