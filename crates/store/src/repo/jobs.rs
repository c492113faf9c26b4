//! Background exports (issue #7 item 5): a row per job — kind, parameters, who asked, progress
//! (`done` of `total`), then the file made or the error. The work itself runs in the web
//! process (`web::jobs`); this is its record, so the list of finished files outlives a restart
//! and a job cut by one shows as failed instead of running forever.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entity::export_job;
use crate::{Store, StoreError};

pub use export_job::Model as Job;

impl Store {
    /// Record a new running job.
    pub async fn create_job(
        &self,
        kind: &str,
        label: &str,
        params: &serde_json::Value,
        user_id: i64,
        requested_by: &str,
        total: i64,
    ) -> Result<Job, StoreError> {
        Ok(export_job::ActiveModel {
            kind: Set(kind.into()),
            label: Set(label.into()),
            params: Set(params.to_string()),
            user_id: Set(user_id),
            requested_by: Set(requested_by.into()),
            status: Set("running".into()),
            done: Set(0),
            total: Set(total),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?)
    }

    pub async fn get_job(&self, id: i64) -> Result<Job, StoreError> {
        export_job::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)
    }

    /// A person's jobs, newest first.
    pub async fn user_jobs(&self, user_id: i64, limit: u64) -> Result<Vec<Job>, StoreError> {
        Ok(export_job::Entity::find()
            .filter(export_job::Column::UserId.eq(user_id))
            .order_by_desc(export_job::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    pub async fn job_progress(&self, id: i64, done: i64) -> Result<(), StoreError> {
        let mut a = export_job::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?.into_active_model();
        a.done = Set(done);
        a.update(&self.db).await?;
        Ok(())
    }

    /// The job ended: its file (name, size) or its error.
    pub async fn finish_job(&self, id: i64, done: i64, outcome: Result<(String, i64), String>) -> Result<Job, StoreError> {
        let mut a = export_job::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound)?.into_active_model();
        a.done = Set(done);
        a.finished_at = Set(Some(Utc::now()));
        match outcome {
            Ok((name, size)) => {
                a.status = Set("done".into());
                a.total = Set(done);
                a.file_name = Set(Some(name));
                a.size = Set(Some(size));
            }
            Err(e) => {
                a.status = Set("failed".into());
                a.error = Set(Some(e));
            }
        }
        Ok(a.update(&self.db).await?)
    }

    /// Jobs whose file was made before `before` are marked `expired` (the file is the caller's
    /// to remove: `web::pages::jobs::sweep`); their rows stay, so the list still tells what was
    /// exported, when and by whom. The ids marked.
    pub async fn expire_jobs(&self, before: chrono::DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
        use sea_orm::sea_query::Expr;
        let ids: Vec<i64> = export_job::Entity::find()
            .select_only()
            .column(export_job::Column::Id)
            .filter(export_job::Column::Status.eq("done"))
            .filter(export_job::Column::FinishedAt.lt(before))
            .into_tuple()
            .all(&self.db)
            .await?;
        if !ids.is_empty() {
            export_job::Entity::update_many()
                .col_expr(export_job::Column::Status, Expr::value("expired"))
                .filter(export_job::Column::Id.is_in(ids.clone()))
                .exec(&self.db)
                .await?;
        }
        Ok(ids)
    }

    /// Jobs still marked running when the process starts were cut by a restart: failed.
    pub async fn fail_interrupted_jobs(&self) -> Result<u64, StoreError> {
        use sea_orm::sea_query::Expr;
        let r = export_job::Entity::update_many()
            .col_expr(export_job::Column::Status, Expr::value("failed"))
            .col_expr(
                export_job::Column::Error,
                Expr::value("Máy chủ khởi động lại khi đang xuất / the server restarted during the export"),
            )
            .col_expr(export_job::Column::FinishedAt, Expr::value(Utc::now()))
            .filter(export_job::Column::Status.eq("running"))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected)
    }
}
