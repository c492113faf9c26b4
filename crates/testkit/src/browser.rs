//! Real headless Chromium driven over WebDriver (Debian's `chromium` + `chromium-driver`).
//! `Browser::start()` returns `None` (test skipped with a message) when no driver is installed,
//! unless `PARINDEX_REQUIRE_BROWSER=1`, which CI sets, makes that a failure.
//!
//! Every page a test opens is checked once (`Browser::check_page`, issue #17): axe-core (from
//! npm, `PARINDEX_AXE` = the path of `axe.min.js`) must report no violation of impact serious or
//! critical, and a Vietnamese page must show none of the internal codes users were shown before
//! (`RAW_CODES`) outside a `<code>` or an element marked `lang="en"`.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    /// Pages checked already (their path, numbers folded: one check per kind of page).
    checked: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// Internal codes that must not reach a Vietnamese page as words (issue #17): unit kinds, score
/// sources, workflow states, channels, audit actions, export headers.
const RAW_CODES: &str = r"\b(agency|commune|ward|self_assessed|imported|computed|under_appraisal|final_appraisal|preliminary_sent|unit_code|domain_\d+|auth\.login\w*|assessment\.\w+|evidence\.\w+|kind=\w+|paper|Windows program|onestop\.\w+|apology\.\w+|received_\w+|resolved_\w+|extra_papers|in_person)\b";

/// The axe-core script, when installed (`PARINDEX_AXE`); CI requires it with the browser.
fn axe_source() -> Option<String> {
    let path = std::env::var("PARINDEX_AXE").ok()?;
    Some(std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("PARINDEX_AXE={path}: {e}")))
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
                Ok(client) => return Some(Browser { client, driver: child, _profile: profile, checked: Default::default() }),
                Err(e) => last_err = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("cannot start a browser session: {last_err:?}");
    }

    /// Check the page on screen, once per kind of page (`again` checks it even if seen: content
    /// replaced in place): no serious or critical axe-core violation, no raw code on a
    /// Vietnamese page. Panics naming the page and what is wrong.
    pub async fn check_page(&self, again: bool) {
        let Ok(url) = self.client.current_url().await else { return };
        let key: String = url.path().chars().map(|c| if c.is_ascii_digit() { 'N' } else { c }).collect();
        let key = key.replace("NN", "N");
        if !self.checked.lock().unwrap().insert(key.clone()) && !again {
            return;
        }
        // raw codes, outside code elements and English passages
        let scan = r#"
            if (document.documentElement.lang !== 'vi') { return ''; }
            const body = document.body.cloneNode(true);
            body.querySelectorAll('code, kbd, samp, script, style, [lang=en], .code').forEach(e => e.remove());
            const text = body.textContent.replace(/\s+/g, ' ');
            const m = text.match(new RegExp(arguments[0], 'g'));
            return m ? Array.from(new Set(m)).join(', ') : '';
        "#;
        let found = self.client.execute(scan, vec![serde_json::Value::String(RAW_CODES.into())]).await.unwrap();
        let found = found.as_str().unwrap_or_default();
        assert!(found.is_empty(), "{url}: internal codes shown on a Vietnamese page: {found}");
        let Some(axe) = axe_source() else {
            if std::env::var("PARINDEX_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!("PARINDEX_REQUIRE_BROWSER=1 but PARINDEX_AXE does not name axe-core's axe.min.js (npm install axe-core)");
            }
            return;
        };
        self.client.execute(&format!("{axe}\n;return true;"), vec![]).await.expect("load axe-core");
        let run = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | '))));
        "#;
        let v = self.client.execute_async(run, vec![]).await.expect("run axe-core");
        let list: Vec<String> = serde_json::from_value(v).unwrap_or_default();
        assert!(list.is_empty(), "{url}: axe-core violations:\n{}", list.join("\n"));
    }

    /// Save a screenshot when `PARINDEX_SCREENSHOTS` names a directory (for looking at pages).
    pub async fn screenshot(&self, name: &str) {
        self.check_page(false).await;
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
