//! parindex-testkit: real databases and a real server for tests.
//!
//! - `TestDb::fresh(backend)`: a new, empty database — a SQLite file in a temporary directory,
//!   or a new PostgreSQL database created on the server named by `PARINDEX_TEST_DATABASE_URL`
//!   (dropped again afterwards). Tests never share or depend on leftovers.
//! - `TestApp::spawn(backend)`: the whole application on port 0 with the basic fixture.
//! - `backend_tests!`: one test body, run once per backend (PostgreSQL is skipped with a
//!   message when no server is configured, and fails instead when `PARINDEX_REQUIRE_POSTGRES=1`).

pub mod browser;
pub mod demo;
pub mod fixture;
pub mod office;
pub mod surveys;

use std::net::SocketAddr;

use parindex_store::Store;
use parindex_web::{AppState, WebConfig};
use rand::Rng;
use sea_orm::{ConnectionTrait, Database};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server for tests, if any.
pub fn pg_admin_url() -> Option<String> {
    std::env::var("PARINDEX_TEST_DATABASE_URL").ok().filter(|s| !s.is_empty())
}

/// Whether to run the PostgreSQL variant; panics when it is required but not configured.
pub fn backend_available(b: Backend) -> bool {
    match b {
        Backend::Sqlite => true,
        Backend::Postgres => {
            if pg_admin_url().is_some() {
                true
            } else if std::env::var("PARINDEX_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("PARINDEX_REQUIRE_POSTGRES=1 but PARINDEX_TEST_DATABASE_URL is not set");
            } else {
                eprintln!("skipped: PostgreSQL variant (set PARINDEX_TEST_DATABASE_URL=postgres://postgres@127.0.0.1/test to run it)");
                false
            }
        }
    }
}

/// One fresh database, removed when dropped.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

fn with_db_name(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let root = match base.rfind('/') {
        Some(i) if i > base.find("://").map(|p| p + 2).unwrap_or(0) => &base[..i],
        _ => base,
    };
    format!("{root}/{name}{query}")
}

impl TestDb {
    /// A SQLite database in `dir` (which the caller keeps and removes).
    pub fn sqlite_in(dir: &std::path::Path) -> TestDb {
        TestDb { url: parindex_store::sqlite_url_for_dir(dir), _dir: None, pg: None }
    }

    pub async fn fresh(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = parindex_store::sqlite_url_for_dir(dir.path());
                TestDb { url, _dir: Some(dir), pg: None }
            }
            Backend::Postgres => {
                let admin = pg_admin_url().expect("PARINDEX_TEST_DATABASE_URL");
                let name = format!("parindex_t_{:016x}", rand::rng().random::<u64>());
                let conn = Database::connect(&admin).await.expect("connect to the PostgreSQL test server");
                conn.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
                conn.close().await.ok();
                TestDb { url: with_db_name(&admin, &name), _dir: None, pg: Some((admin, name)) }
            }
        }
    }

    /// Connect and migrate.
    pub async fn store(&self) -> Store {
        let s = Store::connect(&self.url).await.expect("connect");
        s.migrate().await.expect("migrate");
        s
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            // drop from a separate thread with its own runtime: Drop cannot await
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                rt.block_on(async {
                    let conn = Database::connect(&admin).await.ok()?;
                    conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.ok()?;
                    conn.close().await.ok()
                })
            })
            .join();
        }
    }
}

/// The application served on a free local port.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub store: Store,
    pub db: TestDb,
    /// Evidence files of this app (removed with it).
    pub files: tempfile::TempDir,
    /// Every seeded user's password.
    pub password: &'static str,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    /// A fresh database with the basic fixture (see `fixture`) and the server on port 0.
    pub async fn spawn(backend: Backend) -> TestApp {
        let db = TestDb::fresh(backend).await;
        let store = db.store().await;
        fixture::seed(&store).await;
        Self::serve(db, store, fixture::PASSWORD).await
    }

    /// A fresh database with the demo province of `parindex demo` (password
    /// `parindex_demo::DEMO_PASSWORD`) and the server on port 0.
    pub async fn spawn_demo(backend: Backend) -> TestApp {
        let db = TestDb::fresh(backend).await;
        let store = db.store().await;
        // seeded as `parindex demo` does: without an fsync per commit
        let bulk = parindex_store::Store::connect_bulk(&db.url).await.expect("connect");
        parindex_demo::seed(&bulk).await.expect("demo province");
        bulk.db.close().await.ok();
        Self::serve(db, store, parindex_demo::DEMO_PASSWORD).await
    }

    /// Like [`TestApp::spawn`], with the server's settings changed by `config`.
    pub async fn spawn_with(backend: Backend, config: impl FnOnce(&mut WebConfig)) -> TestApp {
        let db = TestDb::fresh(backend).await;
        Self::spawn_on(db, config).await
    }

    /// The basic fixture on a given database (e.g. SQLite in a directory of the test's choice).
    pub async fn spawn_on(db: TestDb, config: impl FnOnce(&mut WebConfig)) -> TestApp {
        let store = db.store().await;
        fixture::seed(&store).await;
        Self::serve_with(db, store, fixture::PASSWORD, config).await
    }

    async fn serve(db: TestDb, store: Store, password: &'static str) -> TestApp {
        Self::serve_with(db, store, password, |_| {}).await
    }

    async fn serve_with(db: TestDb, store: Store, password: &'static str, config: impl FnOnce(&mut WebConfig)) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let files = tempfile::tempdir().expect("files dir");
        let mut cfg = WebConfig { files_dir: files.path().to_path_buf(), ..WebConfig::default() };
        config(&mut cfg);
        let state = AppState::new(store.clone(), cfg);
        let server = tokio::spawn(async move {
            let _ = parindex_web::serve(listener, state).await;
        });
        TestApp { addr, base: format!("http://{addr}"), store, db, files, password, server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, does not follow redirects, sends our Origin.
    pub fn client(&self) -> reqwest::Client {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::ORIGIN, self.base.parse().expect("origin"));
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(h)
            .build()
            .expect("client")
    }

    /// A client signed in as `username`.
    pub async fn login(&self, username: &str) -> reqwest::Client {
        let c = self.client();
        let r = c
            .post(self.url("/login"))
            .form(&[("username", username), ("password", self.password), ("next", "/")])
            .send()
            .await
            .expect("login request");
        assert_eq!(r.status(), 303, "login of {username} should redirect");
        c
    }

    /// An API token for `username`.
    pub async fn token(&self, username: &str) -> String {
        self.store.create_token(&parindex_store::AuditCtx::system("test"), username, "test").await.expect("token")
    }

    /// A plain client sending `Authorization: Bearer` for `username`.
    pub async fn api(&self, username: &str) -> reqwest::Client {
        let token = self.token(username).await;
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().expect("header"));
        reqwest::Client::builder().default_headers(h).redirect(reqwest::redirect::Policy::none()).build().expect("client")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Run one async test body per backend: `backend_tests!(name, |backend| async move { … });`
#[macro_export]
macro_rules! backend_tests {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::backend_available($crate::Backend::Postgres) {
                    ($body)($crate::Backend::Postgres).await;
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn db_name_replacement() {
        assert_eq!(super::with_db_name("postgres://postgres@127.0.0.1:5432/test", "x"), "postgres://postgres@127.0.0.1:5432/x");
        assert_eq!(
            super::with_db_name("postgres://postgres@127.0.0.1/test?sslmode=disable", "x"),
            "postgres://postgres@127.0.0.1/x?sslmode=disable"
        );
        assert_eq!(super::with_db_name("postgres://postgres@127.0.0.1", "x"), "postgres://postgres@127.0.0.1/x");
    }
}
