//! Content-addressed files (evidence): each stored once under `root/ab/abcdef…` (its SHA-256),
//! written to a temporary file first and renamed into place, so that a file on disk is either
//! whole or absent — never half-written, whatever happens to the process. Names given by users
//! are never used as paths.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Clone)]
pub struct Blobs {
    root: PathBuf,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn valid_sha(sha: &str) -> bool {
    sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl Blobs {
    pub fn new(root: impl Into<PathBuf>) -> Blobs {
        Blobs { root: root.into() }
    }

    /// Where the file with this SH-256 lives (or would live).
    pub fn path(&self, sha: &str) -> Option<PathBuf> {
        valid_sha(sha).then(|| self.root.join(&sha[..2]).join(sha))
    }

    /// A new temporary file to stream an upload into.
    pub async fn temp_file(&self) -> std::io::Result<(PathBuf, tokio::fs::File)> {
        let dir = self.root.join("tmp");
        tokio::fs::create_dir_all(&dir).await?;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let path = dir.join(format!("{}-{nanos}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
        let file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&path).await?;
        Ok((path, file))
    }

    /// Move a finished temporary file into place under its hash (a file already there is the
    /// same content: the temporary one is dropped).
    pub async fn keep(&self, tmp: &Path, sha: &str) -> std::io::Result<PathBuf> {
        let dest = self.path(sha).ok_or_else(|| std::io::Error::other("not a SHA-256"))?;
        if tokio::fs::try_exists(&dest).await.unwrap_or(false) {
            let _ = tokio::fs::remove_file(tmp).await;
            return Ok(dest);
        }
        if let Some(dir) = dest.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(tmp, &dest).await?;
        Ok(dest)
    }

    pub async fn open(&self, sha: &str) -> std::io::Result<tokio::fs::File> {
        let p = self.path(sha).ok_or_else(|| std::io::Error::other("not a SHA-256"))?;
        tokio::fs::File::open(p).await
    }
}
