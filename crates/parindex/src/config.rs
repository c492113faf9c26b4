//! Configuration: flags > `PARINDEX_*` environment (clap reads both) > TOML file > defaults.
//! A value `X` may also come from the file named by `PARINDEX_X_FILE` (for secrets such as a
//! database URL with a password).

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// The optional TOML file (`--config FILE`, or `parindex.toml` in the data directory).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<String>,
    pub database_url: Option<String>,
    pub public_url: Option<String>,
    pub trust_proxy: Option<bool>,
    pub max_upload_mb: Option<usize>,
    /// Days the file of a background export is kept before it is removed (default 7).
    pub export_keep_days: Option<u32>,
    /// SMTP relay for e-mailing inbox notices (plain SMTP, no authentication), e.g.
    /// `smtp = { host = "mail.sonla.gov.vn", port = 25, from = "cchc@sonla.gov.vn" }`.
    pub smtp: Option<SmtpConfig>,
    /// `/metrics` for `Authorization: Bearer <metrics_token>` (also `PARINDEX_METRICS_TOKEN`)…
    pub metrics_token: Option<String>,
    /// …or from these addresses (default `["127.0.0.1", "::1"]`).
    pub metrics_allow: Option<Vec<String>>,
    /// Data rows one import file may hold (units, self-scores, frameworks; default 100,000).
    pub import_max_rows: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    pub from: String,
}

fn default_smtp_port() -> u16 {
    25
}

impl FileConfig {
    pub fn load(explicit: Option<&Path>, data_dir: &Path) -> anyhow::Result<FileConfig> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = data_dir.join("parindex.toml");
                if !p.exists() {
                    return Ok(FileConfig::default());
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read the config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("the config file {} is not valid", path.display()))
    }
}

/// `PARINDEX_<NAME>_FILE`: read a secret from a file (trailing newline removed).
pub fn from_file_env(name: &str) -> anyhow::Result<Option<String>> {
    match std::env::var(format!("PARINDEX_{name}_FILE")) {
        Ok(path) => {
            let v = std::fs::read_to_string(&path).with_context(|| format!("cannot read PARINDEX_{name}_FILE={path}"))?;
            Ok(Some(v.trim_end_matches(['\n', '\r']).to_string()))
        }
        Err(_) => Ok(None),
    }
}

/// Where the database is: an explicit URL, else SQLite in the data directory.
pub fn database_url(flag: Option<String>, file: &FileConfig, data_dir: &Path) -> anyhow::Result<String> {
    if let Some(u) = flag {
        return Ok(u);
    }
    if let Some(u) = from_file_env("DATABASE_URL")? {
        return Ok(u);
    }
    if let Some(u) = &file.database_url {
        return Ok(u.clone());
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    Ok(parindex_store::sqlite_url_for_dir(data_dir))
}

pub fn default_data_dir() -> PathBuf {
    PathBuf::from("parindex-data")
}

/// The URL without its password, for printing.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
