//! Real headless Chromium driven over WebDriver (Debian's `chromium` + `chromium-driver`).
//! `Browser::start()` returns `None` (test skipped with a message) when no driver is installed,
//! unless `PARINDEX_REQUIRE_BROWSER=1`, which CI sets, makes that a failure.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn find(candidates: &[&str]) -> Option<String> {
    candidates.iter().find(|p| std::path::Path::new(p).exists()).map(|p| p.to_string())
}

impl Browser {
    /// Start chromedriver and a headless Chromium window of the given size.
    pub async fn start(width: u32, height: u32) -> Option<Browser> {
        let driver = std::env::var("CHROMEDRIVER").ok().or_else(|| find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]));
        let chrome = std::env::var("CHROMIUM").ok().or_else(|| find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]));
        let (Some(driver), Some(chrome)) = (driver, chrome) else {
            if std::env::var("PARINDEX_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!("PARINDEX_REQUIRE_BROWSER=1 but chromium/chromedriver are not installed (apt-get install chromium chromium-driver)");
            }
            eprintln!("skipped: browser test (install Debian's chromium and chromium-driver to run it)");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        // its own process group (pgid = its pid), so that dropping the browser ends the
        // Chromium processes it started too
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chrome,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()), "--lang=vi"
                ]
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last_err = None;
        for _ in 0..100 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => return Some(Browser { client, driver: child, _profile: profile }),
                Err(e) => last_err = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("cannot start a browser session: {last_err:?}");
    }

    /// Save a screenshot when `PARINDEX_SCREENSHOTS` names a directory (for looking at pages).
    pub async fn screenshot(&self, name: &str) {
        if let Ok(dir) = std::env::var("PARINDEX_SCREENSHOTS") {
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::create_dir_all(&dir).ok();
            std::fs::write(format!("{dir}/{name}.png"), png).expect("write screenshot");
        }
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        drop(self);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver and every Chromium process it started share one process group
        let pgid = self.driver.id();
        if pgid > 1 {
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).stdout(Stdio::null()).stderr(Stdio::null()).status();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
