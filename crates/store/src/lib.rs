//! parindex-store: persistence. One migration source (`migration`) creates the same schema on
//! SQLite and PostgreSQL; repositories (`repo::*`) are the only code that speaks SQL. Every write
//! that changes data also appends to the audit log inside the same transaction.

pub mod blobs;
pub mod entity;
pub mod error;
pub mod migration;
pub mod repo;

use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};
use sea_orm_migration::MigratorTrait;

pub use error::StoreError;
pub use repo::audit::AuditCtx;

/// The application's database: a SeaORM connection pool on SQLite or PostgreSQL.
#[derive(Clone, Debug)]
pub struct Store {
    pub db: DatabaseConnection,
    /// Computed results per period, with the `results_version` they were computed at
    /// (`repo::results`; in memory, per process — true for several servers, as the version is
    /// the database's).
    pub(crate) results_cache: std::sync::Arc<std::sync::Mutex<repo::results::ResultsCache>>,
}

impl Store {
    /// Connect to `sqlite://…` or `postgres://…`. SQLite runs in WAL mode with foreign keys on
    /// and a busy timeout; the file is created when missing.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Self::connect_with(url, true).await
    }

    /// The same database for a bulk load that needs no durability per commit (seeding the demo
    /// province, benchmarks' set-up): SQLite `synchronous=NORMAL` (a commit survives a crash of
    /// the process, not a power cut). Never for serving.
    pub async fn connect_bulk(url: &str) -> Result<Store, StoreError> {
        Self::connect_with(url, false).await
    }

    async fn connect_with(url: &str, durable: bool) -> Result<Store, StoreError> {
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false).connect_timeout(Duration::from_secs(10));
        if url.starts_with("sqlite:") {
            opts.max_connections(8).min_connections(1);
            // A connection whose COMMIT or ROLLBACK failed (a full disk: SQLITE_FULL) can come
            // back to the pool still inside a transaction that holds the write lock; every
            // other writer then waits its busy timeout and fails with "database is locked" until
            // a restart (issue #15). Such a connection is closed on release instead (closing
            // rolls the transaction back) and the pool opens a fresh one.
            opts.map_sqlx_sqlite_pool_opts(|o| {
                o.after_release(|conn, _| {
                    Box::pin(async move {
                        let mut h = conn.lock_handle().await?;
                        // SAFETY: the handle is locked for this call and valid while locked;
                        // sqlite3_get_autocommit only reads the connection's state.
                        let autocommit = unsafe { libsqlite3_sys::sqlite3_get_autocommit(h.as_raw_handle().as_ptr()) };
                        if autocommit == 0 {
                            tracing::warn!("closing a database connection left inside a transaction (after a failed commit)");
                        }
                        Ok(autocommit != 0)
                    })
                })
            });
            opts.map_sqlx_sqlite_opts(move |o| {
                o.create_if_missing(true)
                    .foreign_keys(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    // FULL: a commit is on disk (the WAL fsynced) before it is acknowledged, so an
                    // acknowledged survey answer survives a power cut, not only a crash (#15)
                    .synchronous(if durable {
                        sea_orm::sqlx::sqlite::SqliteSynchronous::Full
                    } else {
                        sea_orm::sqlx::sqlite::SqliteSynchronous::Normal
                    })
                    .busy_timeout(Duration::from_secs(10))
            });
        } else {
            opts.max_connections(16);
        }
        let db = Database::connect(opts).await?;
        Ok(Store { db, results_cache: Default::default() })
    }

    /// Bring the schema up to date. Safe to call at every start-up.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migration::Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Names of the migrations applied so far, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        let done = migration::Migrator::get_applied_migrations(&self.db).await?;
        Ok(done.iter().map(|m| m.name().to_string()).collect())
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// A cheap round trip for `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    /// A real write, committed: one row of `write_probe` set to now. `/readyz` calls it (at
    /// most every few seconds) so that a full disk or a read-only database shows as not ready.
    pub async fn write_probe(&self) -> Result<(), StoreError> {
        let now = chrono::Utc::now();
        let sql = match self.backend() {
            DatabaseBackend::Postgres => "INSERT INTO write_probe (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
            _ => "INSERT INTO write_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
        };
        let txn = sea_orm::TransactionTrait::begin(&self.db).await?;
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(self.backend(), sql, [now.into()])).await?;
        txn.commit().await?;
        Ok(())
    }

    /// A consistent online copy of a SQLite database (`VACUUM INTO`). PostgreSQL is backed up
    /// with `pg_dump`; see README.md, "Backup and restore".
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<(), StoreError> {
        if self.backend() != DatabaseBackend::Sqlite {
            return Err(StoreError::Unsupported(parindex_core::Msg::new(
                "Với PostgreSQL, hãy sao lưu bằng pg_dump (xem README.md, mục “Backup and restore”).",
                "On PostgreSQL, back up with pg_dump (see README.md, “Backup and restore”).",
            )));
        }
        if path.exists() {
            return Err(StoreError::Conflict(parindex_core::Msg::new(
                format!("Tệp {} đã tồn tại; chọn tên khác.", path.display()),
                format!("{} already exists; choose another name.", path.display()),
            )));
        }
        let p = path.to_string_lossy().replace('\'', "''");
        self.db.execute_unprepared(&format!("VACUUM INTO '{p}'")).await?;
        Ok(())
    }
}

/// The SQLite URL for a data directory.
pub fn sqlite_url_for_dir(dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("parindex.db").display())
}
