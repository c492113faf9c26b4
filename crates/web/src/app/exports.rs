//! Background exports' files: the hourly sweep of expired ones (the server and `parindex`
//! call it; the export jobs themselves run in `pages::jobs`).

use parindex_store::StoreError;

/// Remove the files of exports made more than `keep_days` ago; their jobs stay in the list,
/// marked expired. The number of files removed. The server runs it every hour.
pub async fn sweep(store: &parindex_store::Store, files_dir: &std::path::Path, keep_days: u32) -> Result<usize, StoreError> {
    let ids = store.expire_jobs(chrono::Utc::now() - chrono::Duration::days(i64::from(keep_days))).await?;
    for id in &ids {
        let dir = files_dir.join("exports").join(id.to_string());
        if let Err(e) = tokio::fs::remove_dir_all(&dir).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("expired export {}: {e}", dir.display());
        }
    }
    Ok(ids.len())
}
