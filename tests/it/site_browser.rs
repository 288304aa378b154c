//! The reports site in a real browser: headless Chromium (Debian `chromium` and
//! `chromium-driver`, driven over WebDriver) opens the site three demo runs leave, served over
//! HTTP, at 1280 and 390 px: images load, nothing scrolls sideways, the stylesheet and script
//! run under the page's Content-Security-Policy, and a filter in the address changes the rows.
//! `.ci/run` installs Chromium; elsewhere a missing browser skips, under CI it fails.
//! Screenshots go to `$BATTBOT_SCREENSHOTS` when set (never into the repository).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::site::demo_site;

fn installed(path: &str) -> bool {
    let found = Path::new(path).is_file();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{path} is not installed (hint: apt-get install chromium chromium-driver, as .ci/run does)"
        );
        eprintln!("SKIPPED: {path} is not installed (apt-get install chromium chromium-driver)");
    }
    found
}

/// Serves `root` read-only on 127.0.0.1 (files only, no listing, no `..`).
async fn serve(root: PathBuf) -> String {
    use axum::http::{header, StatusCode, Uri};
    use axum::response::IntoResponse;
    let app = axum::Router::new().fallback(move |uri: Uri| {
        let root = root.clone();
        async move {
            let path = uri.path().trim_start_matches('/');
            let path = if path.is_empty() { "index.html" } else { path };
            if path.split('/').any(|p| p == ".." || p.is_empty()) {
                return StatusCode::NOT_FOUND.into_response();
            }
            let Ok(bytes) = tokio::fs::read(root.join(path)).await else {
                return StatusCode::NOT_FOUND.into_response();
            };
            let mime = match path.rsplit('.').next() {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("js") => "text/javascript",
                Some("json") => "application/json",
                Some("png") => "image/png",
                Some("gif") => "image/gif",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            ([(header::CONTENT_TYPE, mime)], bytes).into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let d = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        let t0 = Instant::now();
        loop {
            let ready = d.http.get(format!("{}/status", d.base)).send().await;
            if let Ok(r) = ready {
                let v: Value = r.json().await.unwrap_or_default();
                if v["value"]["ready"] == true {
                    return d;
                }
            }
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .timeout(Duration::from_secs(120));
        if !body.is_null() {
            req = req.json(&body);
        }
        let r = req.send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert!(v["value"]["error"].is_null(), "{path}: {v}");
        v["value"].clone()
    }

    /// A headless Chromium whose viewport is `width` CSS pixels wide.
    async fn session(&self, width: u32, profile: &Path) -> Session<'_> {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": args,
                "mobileEmulation": {"deviceMetrics": {"width": width, "height": 900, "pixelRatio": 1.0}},
            },
        }}});
        let v = self.call(reqwest::Method::POST, "/session", caps).await;
        Session {
            driver: self,
            id: v["sessionId"].as_str().unwrap().to_string(),
        }
    }
}

struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

impl Session<'_> {
    async fn go(&self, url: &str) {
        self.driver
            .call(
                reqwest::Method::POST,
                &format!("/session/{}/url", self.id),
                json!({"url": url}),
            )
            .await;
    }

    async fn js(&self, script: &str) -> Value {
        self.driver
            .call(
                reqwest::Method::POST,
                &format!("/session/{}/execute/sync", self.id),
                json!({"script": script, "args": []}),
            )
            .await
    }

    /// Waits until `script` returns true (the page's fetches are asynchronous).
    async fn until(&self, script: &str, what: &str) {
        let t0 = Instant::now();
        while self.js(script).await != Value::Bool(true) {
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("BATTBOT_SCREENSHOTS") else {
            return;
        };
        use base64::Engine;
        let png = self
            .driver
            .call(
                reqwest::Method::GET,
                &format!("/session/{}/screenshot", self.id),
                Value::Null,
            )
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(name), bytes).unwrap();
    }

    async fn close(self) {
        self.driver
            .call(
                reqwest::Method::DELETE,
                &format!("/session/{}", self.id),
                Value::Null,
            )
            .await;
    }

    /// What every page must do at every width.
    async fn check_page(&self, what: &str, width: u32) {
        self.until("return document.readyState === 'complete'", "the page")
            .await;
        let layout = self
            .js("return {inner: window.innerWidth, scroll: document.documentElement.scrollWidth,
                 css: getComputedStyle(document.body).boxSizing === 'border-box',
                 images: [...document.images].map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0, alt: i.alt}))}")
            .await;
        assert_eq!(layout["inner"], width, "{what}: viewport {layout}");
        assert!(
            layout["scroll"].as_u64().unwrap() <= u64::from(width),
            "{what} scrolls sideways at {width} px: {layout}"
        );
        assert_eq!(
            layout["css"], true,
            "{what}: site.css applies under the CSP"
        );
        let images = layout["images"].as_array().unwrap();
        assert!(!images.is_empty(), "{what}: no image");
        for i in images {
            assert_eq!(i["ok"], true, "{what}: image did not load: {i}");
            assert!(
                i["alt"].as_str().unwrap().len() > 20,
                "{what}: alt text: {i}"
            );
        }
    }
}

const CARDS: &str = "return document.querySelectorAll('#reports > li').length";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_renders_the_site_at_desktop_and_phone_widths_and_filters_rows() {
    if !installed("/usr/bin/chromium") || !installed("/usr/bin/chromedriver") {
        return;
    }
    let root = tokio::task::spawn_blocking(|| demo_site().to_path_buf())
        .await
        .unwrap();
    let site = serve(root.clone()).await;
    let driver = Driver::start().await;
    for width in [1280u32, 390] {
        let profile = tempfile::tempdir().unwrap();
        let s = driver.session(width, profile.path()).await;
        s.go(&format!("{site}/index.html")).await;
        s.check_page("index.html", width).await;
        assert_eq!(s.js(CARDS).await, 3, "three reports listed");
        assert_eq!(
            s.js("return document.querySelectorAll('#reports img[src$=\"thumbnail.png\"]').length")
                .await,
            3,
            "a thumbnail per report"
        );
        s.screenshot(&format!("index-{width}.png")).await;

        // A filter in the address: only the DFN report; site.js loads the month pages.
        s.go(&format!("{site}/index.html?model=DFN")).await;
        s.until(
            "return !document.getElementById('where').textContent.startsWith('Loading')
                    && document.querySelector('#filters select[name=model]').value === 'DFN'",
            "the filtered list",
        )
        .await;
        assert_eq!(s.js(CARDS).await, 1, "model=DFN leaves one report");
        let title = s
            .js("return document.querySelector('#reports .title').textContent")
            .await;
        assert!(
            title.as_str().unwrap().contains("DFN Marquis2019"),
            "{title}"
        );
        s.check_page("index.html?model=DFN", width).await;
        s.go(&format!("{site}/index.html?q=SPMe")).await;
        s.until(
            "return !document.getElementById('where').textContent.startsWith('Loading')",
            "search",
        )
        .await;
        assert_eq!(s.js(CARDS).await, 1, "search for SPMe finds the comparison");
        s.go(&format!("{site}/index.html?status=failure")).await;
        s.until(
            "return !document.getElementById('where').textContent.startsWith('Loading')",
            "status",
        )
        .await;
        assert_eq!(s.js(CARDS).await, 0, "no failed report");

        // Each report page from the index link: the plot first, every image loads.
        s.go(&format!("{site}/index.html")).await;
        let pages = s
            .js("return [...document.querySelectorAll('#reports a.title')].map(a => a.href)")
            .await;
        for (i, page) in pages.as_array().unwrap().iter().enumerate() {
            s.go(page.as_str().unwrap()).await;
            s.check_page(page.as_str().unwrap(), width).await;
            let first = s
                .js("return document.querySelector('img').getAttribute('src')")
                .await;
            assert_eq!(first, "voltage.png", "the plot comes first");
            s.screenshot(&format!("report{i}-{width}.png")).await;
        }
        s.close().await;
    }
}
