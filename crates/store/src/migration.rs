//! The one migration source for SQLite and PostgreSQL. Add a new `Mxxxx` module for every
//! change; never edit a migration that has shipped.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(M0001Foundation),
            Box::new(M0002Frameworks),
            Box::new(M0003Crosswalks),
            Box::new(M0004Periods),
            Box::new(M0005Evidence),
            Box::new(M0006Appraisal),
            Box::new(M0007FinalAppraisal),
            Box::new(M0008Notifications),
            Box::new(M0009NoticeEmail),
            Box::new(M0010Assignments),
            Box::new(M0011Questionnaires),
            Box::new(M0012Surveys),
            Box::new(M0013SurveyImportsTokens),
            Box::new(M0014SurveyReplies),
            Box::new(M0015PeriodGroups),
            Box::new(M0016Publications),
            Box::new(M0017AdjustmentsAndActions),
            Box::new(M0018AssessmentReports),
            Box::new(M0019ExportJobs),
            Box::new(M0020Hardening),
            Box::new(M0021ResultsVersion),
            Box::new(M0022ApprovalDecision),
            Box::new(M0023Contacts),
            Box::new(M0024SurveyPublication),
            Box::new(M0025FeedValues),
            Box::new(M0026Onestop),
            Box::new(M0027Apologies),
            Box::new(M0028Plans),
            Box::new(M0029Reports),
            Box::new(M0030ReportMonths),
            Box::new(M0031Inspections),
        ]
    }
}

/// Units, unit kinds and lineage; users, sessions, API tokens; the append-only audit log.
pub struct M0001Foundation;

impl MigrationName for M0001Foundation {
    fn name(&self) -> &str {
        "m0001_foundation"
    }
}

fn fk(from_table: &'static str, from_col: &'static str, to_table: &'static str, to_col: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from_table, from_col).to(to_table, to_col).on_delete(ForeignKeyAction::Restrict).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for M0001Foundation {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("unit_kinds")
                .col(string_len("code", 32).primary_key())
                .col(string("name_vi"))
                .col(string("name_en"))
                .col(integer("sort_order"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("units")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("code", 32))
                .col(string_len("name", 200))
                .col(string_len("kind", 32))
                .col(big_integer_null("parent_id"))
                .col(string_null("area"))
                .col(date_null("active_from"))
                .col(date_null("active_to"))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("units", "kind", "unit_kinds", "code"))
                .foreign_key(&mut fk("units", "parent_id", "units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_units_kind").table("units").col("kind").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("unit_lineage")
                .col(big_pk_auto("id"))
                .col(big_integer("predecessor_id"))
                .col(big_integer("successor_id"))
                .col(string_len("relation", 16))
                .col(date_null("effective_on"))
                .col(string_null("note"))
                .foreign_key(&mut fk("unit_lineage", "predecessor_id", "units", "id"))
                .foreign_key(&mut fk("unit_lineage", "successor_id", "units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("uq_unit_lineage").table("unit_lineage").col("predecessor_id").col("successor_id").unique().to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("users")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("username", 64))
                .col(string("full_name"))
                .col(string_null("email"))
                .col(string("password_hash"))
                .col(string_len("role", 32))
                .col(big_integer_null("unit_id"))
                .col(boolean("disabled").default(false))
                .col(integer("failed_logins").default(0))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(string_len_null("locale", 8))
                .col(timestamp_with_time_zone("password_changed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("users", "unit_id", "units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("sessions")
                .col(string_len("id_digest", 64).primary_key())
                .col(big_integer("user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(string_null("ip"))
                .col(string_null("user_agent"))
                .foreign_key(&mut fk("sessions", "user_id", "users", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_sessions_user").table("sessions").col("user_id").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string("name"))
                .col(string_len_uniq("token_digest", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk("api_tokens", "user_id", "users", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("at"))
                .col(big_integer_null("actor_id"))
                .col(string("actor_name"))
                .col(string_null("ip"))
                .col(string_len("action", 64))
                .col(string_len("object_type", 32))
                .col(string_null("object_id"))
                .col(big_integer_null("unit_id"))
                .col(text_null("before_json"))
                .col(text_null("after_json"))
                .col(text_null("reason"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_audit_at").table("audit_log").col("at").to_owned()).await?;
        m.create_index(Index::create().name("idx_audit_object").table("audit_log").col("object_type").col("object_id").to_owned()).await?;

        // The audit log is append-only for everyone, the application included.
        let db = m.get_connection();
        match m.get_database_backend() {
            DatabaseBackend::Sqlite => {
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log \
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
                )
                .await?;
            }
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ \
                     BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql;",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();",
                )
                .await?;
            }
            _ => {}
        }

        // Kinds are data; these are the ones a Vietnamese province has today and had before 2025.
        let mut ins = Query::insert().into_table("unit_kinds").columns(["code", "name_vi", "name_en", "sort_order"]).to_owned();
        for (i, (code, vi, en)) in [
            ("agency", "Cơ quan chuyên môn cấp tỉnh", "Provincial agency"),
            ("commune", "UBND xã", "Commune People's Committee"),
            ("ward", "UBND phường", "Ward People's Committee"),
            ("district", "UBND huyện (trước 01/7/2025)", "District People's Committee (before 1 July 2025)"),
            ("province", "Tỉnh, thành phố", "Province or city"),
        ]
        .into_iter()
        .enumerate()
        {
            ins.values_panic([code.into(), vi.into(), en.into(), (i as i32 + 1).into()]);
        }
        m.exec_stmt(ins).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["audit_log", "api_tokens", "sessions", "users", "unit_lineage", "units", "unit_kinds"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection().execute_unprepared("DROP FUNCTION IF EXISTS audit_log_append_only()").await?;
        }
        Ok(())
    }
}

/// Criteria frameworks. The whole framework is kept as its canonical JSON document (the source
/// of truth, so export is lossless), and its nodes are laid out in `framework_nodes` for queries
/// and for later tables (assessments) to refer to.
pub struct M0002Frameworks;

impl MigrationName for M0002Frameworks {
    fn name(&self) -> &str {
        "m0002_frameworks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0002Frameworks {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("frameworks")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("code", 64))
                .col(string("name"))
                .col(string_len("status", 16))
                .col(boolean("sample").default(false))
                .col(string("unit_kinds"))
                .col(integer_null("valid_from"))
                .col(integer_null("valid_to"))
                .col(string_len("max_total", 64))
                .col(integer("leaves"))
                .col(text("document"))
                .col(big_integer_null("derived_from_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("published_at"))
                .foreign_key(&mut fk("frameworks", "derived_from_id", "frameworks", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("framework_nodes")
                .col(big_pk_auto("id"))
                .col(big_integer("framework_id"))
                .col(integer("position"))
                .col(integer_null("parent_position"))
                .col(integer("depth"))
                .col(string_len("code", 64))
                .col(text("title"))
                .col(boolean("is_leaf"))
                .col(string_len("max_points", 64))
                .col(string_len_null("rule_kind", 32))
                .col(string_len("source", 32))
                .col(string_len_null("appraiser", 32))
                .foreign_key(&mut fk("framework_nodes", "framework_id", "frameworks", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("uq_framework_nodes_code").table("framework_nodes").col("framework_id").col("code").unique().to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("framework_nodes").to_owned()).await?;
        m.drop_table(Table::drop().table("frameworks").to_owned()).await?;
        Ok(())
    }
}

/// Confirmed crosswalks between two framework versions (old node code → new node codes), so
/// that year-over-year results compare like with like. One per (from, to) pair; the map is a
/// JSON object.
pub struct M0003Crosswalks;

impl MigrationName for M0003Crosswalks {
    fn name(&self) -> &str {
        "m0003_crosswalks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0003Crosswalks {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("framework_crosswalks")
                .col(big_pk_auto("id"))
                .col(big_integer("from_id"))
                .col(big_integer("to_id"))
                .col(text("map"))
                .col(string("confirmed_by"))
                .col(timestamp_with_time_zone("confirmed_at"))
                .foreign_key(&mut fk("framework_crosswalks", "from_id", "frameworks", "id"))
                .foreign_key(&mut fk("framework_crosswalks", "to_id", "frameworks", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("uq_framework_crosswalks").table("framework_crosswalks").col("from_id").col("to_id").unique().to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("framework_crosswalks").to_owned()).await?;
        Ok(())
    }
}

/// Assessment periods (kỳ đánh giá): a year, a published framework, deadlines per stage; one
/// assessment per participating unit with its state; one row per leaf the unit has touched
/// (input, points, note, explanation), versioned so that two tabs never overwrite each other.
pub struct M0004Periods;

impl MigrationName for M0004Periods {
    fn name(&self) -> &str {
        "m0004_periods"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0004Periods {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("periods")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("code", 64))
                .col(string("name"))
                .col(integer("year"))
                .col(big_integer("framework_id"))
                .col(string_len("status", 16))
                .col(date_null("self_due"))
                .col(date_null("appraisal_due"))
                .col(date_null("explanation_due"))
                .col(date_null("final_due"))
                .col(date_null("approval_due"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("periods", "framework_id", "frameworks", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("assessments")
                .col(big_pk_auto("id"))
                .col(big_integer("period_id"))
                .col(big_integer("unit_id"))
                .col(string_len("state", 24))
                .col(date_null("self_due_override"))
                .col(timestamp_with_time_zone_null("submitted_at"))
                .col(string_null("submitted_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("assessments", "period_id", "periods", "id"))
                .foreign_key(&mut fk("assessments", "unit_id", "units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("uq_assessments_unit").table("assessments").col("period_id").col("unit_id").unique().to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("assessment_entries")
                .col(big_pk_auto("id"))
                .col(big_integer("assessment_id"))
                .col(string_len("node_code", 64))
                .col(text_null("self_input"))
                .col(string_len_null("self_points", 128))
                .col(text_null("note"))
                .col(text_null("explanation"))
                .col(integer("version"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("assessment_entries", "assessment_id", "assessments", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_assessment_entries")
                .table("assessment_entries")
                .col("assessment_id")
                .col("node_code")
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["assessment_entries", "assessments", "periods"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// Evidence files: one row per distinct file in a unit's library (by SHA-256; the bytes live in
/// the content-addressed file store), and the links from a leaf of an assessment to its files.
pub struct M0005Evidence;

impl MigrationName for M0005Evidence {
    fn name(&self) -> &str {
        "m0005_evidence"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0005Evidence {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("evidence_files")
                .col(big_pk_auto("id"))
                .col(big_integer("unit_id"))
                .col(string_len("sha256", 64))
                .col(big_integer("size"))
                .col(string_len("kind", 16))
                .col(string("name"))
                .col(string("uploaded_by"))
                .col(timestamp_with_time_zone("uploaded_at"))
                .foreign_key(&mut fk("evidence_files", "unit_id", "units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("uq_evidence_files").table("evidence_files").col("unit_id").col("sha256").unique().to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("entry_evidence")
                .col(big_pk_auto("id"))
                .col(big_integer("assessment_id"))
                .col(string_len("node_code", 64))
                .col(big_integer("evidence_id"))
                .col(string("linked_by"))
                .col(timestamp_with_time_zone("linked_at"))
                .foreign_key(&mut fk("entry_evidence", "assessment_id", "assessments", "id"))
                .foreign_key(&mut fk("entry_evidence", "evidence_id", "evidence_files", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_entry_evidence")
                .table("entry_evidence")
                .col("assessment_id")
                .col("node_code")
                .col("evidence_id")
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("entry_evidence").to_owned()).await?;
        m.drop_table(Table::drop().table("evidence_files").to_owned()).await?;
        Ok(())
    }
}

/// Appraisal of each leaf: the appraised input and points, the appraiser's comment, and a leaf
/// returned to the unit for correction with its reason.
pub struct M0006Appraisal;

impl MigrationName for M0006Appraisal {
    fn name(&self) -> &str {
        "m0006_appraisal"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0006Appraisal {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // one column per statement: SQLite adds a single column per ALTER TABLE
        let cols = [
            text_null("appraised_input"),
            string_len_null("appraised_points", 128),
            text_null("appraisal_comment"),
            string_null("appraised_by"),
            timestamp_with_time_zone_null("appraised_at"),
            text_null("returned_reason"),
        ];
        for mut c in cols {
            m.alter_table(Table::alter().table("assessment_entries").add_column(&mut c).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in ["appraised_input", "appraised_points", "appraisal_comment", "appraised_by", "appraised_at", "returned_reason"] {
            m.alter_table(Table::alter().table("assessment_entries").drop_column(c).to_owned()).await?;
        }
        Ok(())
    }
}

/// After the preliminary result: the unit's explanation or contest of a leaf, and the final
/// appraisal of contested leaves.
pub struct M0007FinalAppraisal;

impl MigrationName for M0007FinalAppraisal {
    fn name(&self) -> &str {
        "m0007_final_appraisal"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0007FinalAppraisal {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let cols = [
            text_null("contest"),
            string_null("contest_by"),
            timestamp_with_time_zone_null("contest_at"),
            text_null("final_input"),
            string_len_null("final_points", 128),
            text_null("final_comment"),
            string_null("final_by"),
            timestamp_with_time_zone_null("final_at"),
        ];
        for mut c in cols {
            m.alter_table(Table::alter().table("assessment_entries").add_column(&mut c).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in ["contest", "contest_by", "contest_at", "final_input", "final_points", "final_comment", "final_by", "final_at"] {
            m.alter_table(Table::alter().table("assessment_entries").drop_column(c).to_owned()).await?;
        }
        Ok(())
    }
}

/// The in-app inbox: one row per recipient, read or not.
pub struct M0008Notifications;

impl MigrationName for M0008Notifications {
    fn name(&self) -> &str {
        "m0008_notifications"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0008Notifications {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("notifications")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string_len("kind", 32))
                .col(text("text_vi"))
                .col(text("text_en"))
                .col(string("link"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("read_at"))
                .foreign_key(&mut fk("notifications", "user_id", "users", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_notifications_user").table("notifications").col("user_id").col("read_at").to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("notifications").to_owned()).await?;
        Ok(())
    }
}

/// Notices sent by e-mail (the inbox is the outbox).
pub struct M0009NoticeEmail;

impl MigrationName for M0009NoticeEmail {
    fn name(&self) -> &str {
        "m0009_notice_email"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0009NoticeEmail {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("notifications").add_column(timestamp_with_time_zone_null("emailed_at")).to_owned()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("notifications").drop_column("emailed_at").to_owned()).await?;
        Ok(())
    }
}

/// Per-period appraisal assignments: a node (and its subtree) to an appraising agency, replacing
/// what the framework says for this period.
pub struct M0010Assignments;

impl MigrationName for M0010Assignments {
    fn name(&self) -> &str {
        "m0010_assignments"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0010Assignments {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("period_assignments")
                .col(big_pk_auto("id"))
                .col(big_integer("period_id"))
                .col(string_len("node_code", 64))
                .col(string_len("appraiser", 32))
                .foreign_key(&mut fk("period_assignments", "period_id", "periods", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("uq_period_assignments").table("period_assignments").col("period_id").col("node_code").unique().to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("period_assignments").to_owned()).await?;
        Ok(())
    }
}

/// Questionnaires of surveys (issue #5): the whole definition as JSON (the `core::survey`
/// model), with the columns lists and rules need. A published one is immutable.
pub struct M0011Questionnaires;

impl MigrationName for M0011Questionnaires {
    fn name(&self) -> &str {
        "m0011_questionnaires"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0011Questionnaires {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("questionnaires")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("code", 64))
                .col(string_len("version", 64))
                .col(string_len("kind", 16))
                .col(text("title"))
                .col(text("definition"))
                .col(string_len("status", 16))
                .col(boolean("sample").default(false))
                .col(string("source"))
                .col(integer("questions"))
                .col(string("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("published_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("questionnaires").to_owned()).await?;
        Ok(())
    }
}

/// Surveys (issue #5): a published questionnaire run for units in a year; per unit the
/// population N, the quota and the key of its public link; the responses (answers as JSON, no
/// personal data: no address, no account); and the counts per unit × question × option kept in
/// the same transaction as each response, so that indices never rescan the responses.
pub struct M0012Surveys;

impl MigrationName for M0012Surveys {
    fn name(&self) -> &str {
        "m0012_surveys"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0012Surveys {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("surveys")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("code", 64))
                .col(string("name"))
                .col(big_integer("questionnaire_id"))
                .col(integer("year"))
                .col(string_len("margin", 32))
                .col(integer("confidence"))
                .col(integer("min_cell"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("surveys", "questionnaire_id", "questionnaires", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("survey_units")
                .col(big_pk_auto("id"))
                .col(big_integer("survey_id"))
                .col(big_integer("unit_id"))
                .col(big_integer_null("population"))
                .col(integer("quota"))
                .col(integer("responses").default(0))
                .col(string_len_uniq("public_key", 32))
                .foreign_key(&mut fk("survey_units", "survey_id", "surveys", "id"))
                .foreign_key(&mut fk("survey_units", "unit_id", "units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("uq_survey_units").table("survey_units").col("survey_id").col("unit_id").unique().to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("survey_responses")
                .col(big_pk_auto("id"))
                .col(big_integer("survey_id"))
                .col(big_integer("unit_id"))
                .col(string_len("channel", 16))
                .col(timestamp_with_time_zone("submitted_at"))
                .col(text("answers"))
                .foreign_key(&mut fk("survey_responses", "survey_id", "surveys", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_survey_responses_unit").table("survey_responses").col("survey_id").col("unit_id").to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("survey_counts")
                .col(big_pk_auto("id"))
                .col(big_integer("survey_id"))
                .col(big_integer("unit_id"))
                .col(string_len("question", 64))
                .col(string_len("option", 64))
                .col(big_integer("n"))
                .foreign_key(&mut fk("survey_counts", "survey_id", "surveys", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_survey_counts")
                .table("survey_counts")
                .col("survey_id")
                .col("unit_id")
                .col("question")
                .col("option")
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["survey_counts", "survey_responses", "survey_units", "surveys"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// Imports of collected responses (one row per file: its SHA-256 refuses the same file
/// twice), an index to read a survey's responses in order, and the one-use invitation tokens
/// of officials' surveys. A token row holds the SHA-256 of the token, its unit and whether it
/// was used — no time, no response id, no order: the responses table has no token column
/// either, so the two cannot be joined (docs/surveys.md).
pub struct M0013SurveyImportsTokens;

impl MigrationName for M0013SurveyImportsTokens {
    fn name(&self) -> &str {
        "m0013_survey_imports_tokens"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0013SurveyImportsTokens {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("survey_imports")
                .col(big_pk_auto("id"))
                .col(big_integer("survey_id"))
                .col(string("file_name"))
                .col(string_len("sha256", 64))
                .col(big_integer("responses"))
                .col(string_len("channel", 16))
                .col(string("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("survey_imports", "survey_id", "surveys", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("uq_survey_imports").table("survey_imports").col("survey_id").col("sha256").unique().to_owned(),
        )
        .await?;
        // reading a survey's responses in id order, page by page (export, recount): without
        // it SQLite picks the (survey, unit) index and sorts every page — quadratic
        m.create_index(Index::create().name("ix_survey_responses_order").table("survey_responses").col("survey_id").col("id").to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("survey_tokens")
                .col(string_len("token_hash", 64).primary_key())
                .col(big_integer("survey_id"))
                .col(big_integer("unit_id"))
                .col(boolean("used"))
                .foreign_key(&mut fk("survey_tokens", "survey_id", "surveys", "id"))
                .foreign_key(&mut fk("survey_tokens", "unit_id", "units", "id"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["survey_tokens", "survey_imports"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// The units' answers to the free-text comments of survey responses (SIPAS element 5: handling
/// feedback). A comment is the response's own text answer; the reply is kept beside it.
pub struct M0014SurveyReplies;

impl MigrationName for M0014SurveyReplies {
    fn name(&self) -> &str {
        "m0014_survey_replies"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0014SurveyReplies {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("survey_replies")
                .col(big_integer("response_id"))
                .col(string_len("question", 64))
                .col(big_integer("survey_id"))
                .col(big_integer("unit_id"))
                .col(text("body"))
                .col(string("replied_by"))
                .col(timestamp_with_time_zone("replied_at"))
                .primary_key(Index::create().col("response_id").col("question"))
                .foreign_key(&mut fk("survey_replies", "response_id", "survey_responses", "id"))
                .foreign_key(&mut fk("survey_replies", "survey_id", "surveys", "id"))
                .foreign_key(&mut fk("survey_replies", "unit_id", "units", "id"))
                .to_owned(),
        )
        .await?;
        // the counts now also keep the breakdown by respondent group under keys
        // `question=option@eN` (up to 64 + 1 + 64 + 3 characters); SQLite does not bound text
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection().execute_unprepared("ALTER TABLE survey_counts ALTER COLUMN question TYPE varchar(160)").await?;
        }
        m.create_index(Index::create().name("ix_survey_replies_unit").table("survey_replies").col("survey_id").col("unit_id").to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("survey_replies").to_owned()).await
    }
}

/// A period's scale of groups for its results (`core::results`, e.g. `A:90, B:80, C:70, D:0`);
/// empty: the default scale.
pub struct M0015PeriodGroups;

impl MigrationName for M0015PeriodGroups {
    fn name(&self) -> &str {
        "m0015_period_groups"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0015PeriodGroups {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("periods").add_column(text_null("groups")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("periods").drop_column("groups").to_owned()).await
    }
}

/// Published results: an immutable snapshot (JSON) per period and version, with its SHA-256.
/// A correction is a new version with its reason; old versions stay.
pub struct M0016Publications;

impl MigrationName for M0016Publications {
    fn name(&self) -> &str {
        "m0016_publications"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0016Publications {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("publications")
                .col(big_pk_auto("id"))
                .col(big_integer("period_id"))
                .col(integer("version"))
                .col(text_null("reason"))
                .col(string_len("content_hash", 64))
                .col(text("document"))
                .col(string("published_by"))
                .col(timestamp_with_time_zone("published_at"))
                .foreign_key(&mut fk("publications", "period_id", "periods", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("uq_publications").table("publications").col("period_id").col("version").unique().to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("publications").to_owned()).await
    }
}

/// Bonuses and penalties of an assessment (outside the 100-point tree: the framework's
/// `adjustments`), set by the reform office with their reason; and the improvement actions a
/// unit plans from its weakest leaves, shown on its next self-assessment.
pub struct M0017AdjustmentsAndActions;

impl MigrationName for M0017AdjustmentsAndActions {
    fn name(&self) -> &str {
        "m0017_adjustments_and_actions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0017AdjustmentsAndActions {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("assessment_adjustments")
                .col(big_pk_auto("id"))
                .col(big_integer("assessment_id"))
                .col(string_len("code", 64))
                .col(text("input"))
                .col(text("reason"))
                .col(string("set_by"))
                .col(timestamp_with_time_zone("set_at"))
                .foreign_key(&mut fk("assessment_adjustments", "assessment_id", "assessments", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_assessment_adjustments")
                .table("assessment_adjustments")
                .col("assessment_id")
                .col("code")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("improvement_actions")
                .col(big_pk_auto("id"))
                .col(big_integer("unit_id"))
                .col(big_integer("period_id"))
                .col(string_len("node_code", 64))
                .col(text("action"))
                .col(string_len("owner", 200))
                .col(date("due_on"))
                .col(string_len("status", 16))
                .col(text_null("outcome"))
                .col(string("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("improvement_actions", "unit_id", "units", "id"))
                .foreign_key(&mut fk("improvement_actions", "period_id", "periods", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_improvement_actions_unit").table("improvement_actions").col("unit_id").to_owned()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("improvement_actions").to_owned()).await?;
        m.drop_table(Table::drop().table("assessment_adjustments").to_owned()).await
    }
}

/// What a unit writes in its self-assessment report besides the points (issue #7): the
/// difficulties it met and its recommendations — one row per assessment.
pub struct M0018AssessmentReports;

impl MigrationName for M0018AssessmentReports {
    fn name(&self) -> &str {
        "m0018_assessment_reports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0018AssessmentReports {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("assessment_reports")
                .col(big_integer("assessment_id").primary_key())
                .col(text_null("difficulties"))
                .col(text_null("recommendations"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("assessment_reports", "assessment_id", "assessments", "id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("assessment_reports").to_owned()).await
    }
}

/// Background exports (issue #7): who asked for what, how far it got, and the file it made.
pub struct M0019ExportJobs;

impl MigrationName for M0019ExportJobs {
    fn name(&self) -> &str {
        "m0019_export_jobs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0019ExportJobs {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("export_jobs")
                .col(big_pk_auto("id"))
                .col(string_len("kind", 64))
                .col(text("label"))
                .col(text("params"))
                .col(big_integer("user_id"))
                .col(string("requested_by"))
                .col(string_len("status", 16))
                .col(big_integer("done"))
                .col(big_integer("total"))
                .col(text_null("file_name"))
                .col(big_integer_null("size"))
                .col(text_null("error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_export_jobs_user").table("export_jobs").col("user_id").col("id").to_owned()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("export_jobs").to_owned()).await
    }
}

/// Issue #15: API tokens may expire (`expires_at`, none = never); a one-row table that
/// `/readyz` writes to, to know that writes succeed (`Store::write_probe`).
pub struct M0020Hardening;

impl MigrationName for M0020Hardening {
    fn name(&self) -> &str {
        "m0020_hardening"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0020Hardening {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("api_tokens").add_column(timestamp_with_time_zone_null("expires_at")).to_owned()).await?;
        m.create_table(Table::create().table("write_probe").col(integer("id").primary_key()).col(timestamp_with_time_zone("at")).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("write_probe").to_owned()).await?;
        m.alter_table(Table::alter().table("api_tokens").drop_column("expires_at").to_owned()).await
    }
}

/// The tables a period's results are computed from; a write to any of them moves
/// `results_version` on (issue #16: results are cached per period and version).
pub const RESULTS_INPUTS: [&str; 6] = ["frameworks", "periods", "units", "assessments", "assessment_entries", "assessment_adjustments"];

/// Issue #16: a one-row counter that every write to the tables results are computed from moves
/// on, by triggers in the writing transaction (so it is true for every writer: every server, the
/// CLI, a hand-run SQL statement). `Store::period_results` caches per period and counter.
pub struct M0021ResultsVersion;

impl MigrationName for M0021ResultsVersion {
    fn name(&self) -> &str {
        "m0021_results_version"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0021ResultsVersion {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(Table::create().table("results_version").col(integer("id").primary_key()).col(big_integer("n")).to_owned()).await?;
        let db = m.get_connection();
        db.execute_unprepared("INSERT INTO results_version (id, n) VALUES (1, 0)").await?;
        match m.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for t in RESULTS_INPUTS {
                    for ev in ["INSERT", "UPDATE", "DELETE"] {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER results_version_{t}_{e} AFTER {ev} ON {t} \
                             BEGIN UPDATE results_version SET n = n + 1 WHERE id = 1; END;",
                            e = ev.to_lowercase()
                        ))
                        .await?;
                    }
                }
            }
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION results_version_bump() RETURNS trigger AS $$ \
                     BEGIN UPDATE results_version SET n = n + 1 WHERE id = 1; RETURN NULL; END; $$ LANGUAGE plpgsql;",
                )
                .await?;
                for t in RESULTS_INPUTS {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER results_version_{t} AFTER INSERT OR UPDATE OR DELETE ON {t} \
                         FOR EACH STATEMENT EXECUTE FUNCTION results_version_bump();"
                    ))
                    .await?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for t in RESULTS_INPUTS {
                    for e in ["insert", "update", "delete"] {
                        db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS results_version_{t}_{e}")).await?;
                    }
                }
            }
            DatabaseBackend::Postgres => {
                for t in RESULTS_INPUTS {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS results_version_{t} ON {t}")).await?;
                }
                db.execute_unprepared("DROP FUNCTION IF EXISTS results_version_bump()").await?;
            }
            _ => {}
        }
        m.drop_table(Table::drop().table("results_version").to_owned()).await
    }
}

/// The council's approval decision on a period (issue #17): its number, date and signer, shown
/// on the results, the public portal and the documents.
pub struct M0022ApprovalDecision;

impl MigrationName for M0022ApprovalDecision {
    fn name(&self) -> &str {
        "m0022_approval_decision"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0022ApprovalDecision {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // one column per statement: SQLite adds a single column per ALTER TABLE
        for mut c in [string_null("decision_number"), date_null("decision_date"), string_null("decision_signer")] {
            m.alter_table(Table::alter().table("periods").add_column(&mut c).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in ["decision_number", "decision_date", "decision_signer"] {
            m.alter_table(Table::alter().table("periods").drop_column(c).to_owned()).await?;
        }
        Ok(())
    }
}

/// Who to call (issue #17): a unit's focal person, phone and e-mail; a user's phone; the
/// officer responsible for a period; and the site's settings (the reform office's hotline,
/// shown on every page including the public ones).
pub struct M0023Contacts;

impl MigrationName for M0023Contacts {
    fn name(&self) -> &str {
        "m0023_contacts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0023Contacts {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for mut c in [string_null("contact_person"), string_null("contact_phone"), string_null("contact_email")] {
            m.alter_table(Table::alter().table("units").add_column(&mut c).to_owned()).await?;
        }
        m.alter_table(Table::alter().table("users").add_column(string_null("phone")).to_owned()).await?;
        m.alter_table(Table::alter().table("periods").add_column(big_integer_null("contact_user_id")).to_owned()).await?;
        m.create_table(Table::create().table("settings").col(string("key").primary_key()).col(text("value")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("settings").to_owned()).await?;
        m.alter_table(Table::alter().table("periods").drop_column("contact_user_id").to_owned()).await?;
        m.alter_table(Table::alter().table("users").drop_column("phone").to_owned()).await?;
        for c in ["contact_person", "contact_phone", "contact_email"] {
            m.alter_table(Table::alter().table("units").drop_column(c).to_owned()).await?;
        }
        Ok(())
    }
}

/// The public portal's survey results (issue #17): a closed survey published by the reform
/// office (when, by whom), and the units' answers to citizens' comments that the unit chose to
/// make public.
pub struct M0024SurveyPublication;

impl MigrationName for M0024SurveyPublication {
    fn name(&self) -> &str {
        "m0024_survey_publication"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0024SurveyPublication {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("surveys").add_column(timestamp_with_time_zone_null("published_at")).to_owned()).await?;
        m.alter_table(Table::alter().table("surveys").add_column(string_null("published_by")).to_owned()).await?;
        m.alter_table(Table::alter().table("survey_replies").add_column(boolean("public").default(false)).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("survey_replies").drop_column("public").to_owned()).await?;
        m.alter_table(Table::alter().table("surveys").drop_column("published_by").to_owned()).await?;
        m.alter_table(Table::alter().table("surveys").drop_column("published_at").to_owned()).await
    }
}

/// Criteria fed by data (issue #18): the value tables uploaded for `feed: imported` leaves — one
/// row per import (who, when, which file, how many rows changed) and the current value of each
/// (period, unit, leaf) with the import it came from. The value reaches the unit's assessment
/// through `Store::recompute_feeds`, like every feed.
pub struct M0025FeedValues;

impl MigrationName for M0025FeedValues {
    fn name(&self) -> &str {
        "m0025_feed_values"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0025FeedValues {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("feed_imports")
                .col(big_pk_auto("id"))
                .col(big_integer("period_id"))
                .col(string_len("leaf_code", 64))
                .col(string_len("origin", 16))
                .col(string_null("file_name"))
                .col(integer("rows"))
                .col(integer("changed"))
                .col(string("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("feed_imports", "period_id", "periods", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_feed_imports_leaf").table("feed_imports").col("period_id").col("leaf_code").to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("feed_values")
                .col(big_pk_auto("id"))
                .col(big_integer("period_id"))
                .col(big_integer("unit_id"))
                .col(string_len("leaf_code", 64))
                .col(text("input"))
                .col(text_null("source"))
                .col(big_integer("import_id"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("feed_values", "period_id", "periods", "id"))
                .foreign_key(&mut fk("feed_values", "unit_id", "units", "id"))
                .foreign_key(&mut fk("feed_values", "import_id", "feed_imports", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_feed_values")
                .table("feed_values")
                .col("period_id")
                .col("leaf_code")
                .col("unit_id")
                .unique()
                .to_owned(),
        )
        .await?;
        // the council's decision for a fed leaf some units have no data for: `zero` (scored 0)
        // or `exclude` (left out of those units' applicable maximum), with its reason
        m.create_table(
            Table::create()
                .table("feed_decisions")
                .col(big_pk_auto("id"))
                .col(big_integer("period_id"))
                .col(string_len("leaf_code", 64))
                .col(string_len("kind", 16))
                .col(text("reason"))
                .col(string("decided_by"))
                .col(timestamp_with_time_zone("decided_at"))
                .foreign_key(&mut fk("feed_decisions", "period_id", "periods", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ux_feed_decisions").table("feed_decisions").col("period_id").col("leaf_code").unique().to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("feed_decisions").to_owned()).await?;
        m.drop_table(Table::drop().table("feed_values").to_owned()).await?;
        m.drop_table(Table::drop().table("feed_imports").to_owned()).await
    }
}

/// The one-stop statistics register (issue #18): each unit's monthly counts per procedure field
/// (`onestop_stats`, one row per unit, month and field, with the import it came from), the imports
/// (`onestop_imports`: who, when, which file, which months it replaced, what changed) and the
/// column mappings the office saves per source system (`onestop_sources`).
pub struct M0026Onestop;

impl MigrationName for M0026Onestop {
    fn name(&self) -> &str {
        "m0026_onestop"
    }
}

/// The counted columns of `onestop_stats`, in the order of `core::onestop::FIELDS`.
const ONESTOP_COUNTS: [&str; 14] = [
    "received_online",
    "received_direct",
    "received_post",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending_within",
    "pending_over",
    "returned",
    "online_full",
    "fee_files",
    "paid_online",
    "results_digitised",
    "records_digitised",
];

#[async_trait::async_trait]
impl MigrationTrait for M0026Onestop {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("onestop_sources")
                .col(big_pk_auto("id"))
                .col(string_len("name", 120).unique_key())
                .col(text("mapping"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("onestop_imports")
                .col(big_pk_auto("id"))
                .col(string_len("origin", 16))
                .col(string_null("file_name"))
                .col(string_null("source_name"))
                .col(text("months"))
                .col(integer("rows"))
                .col(integer("added"))
                .col(integer("changed"))
                .col(integer("removed"))
                .col(string("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        let mut t = Table::create();
        t.table("onestop_stats")
            .col(big_pk_auto("id"))
            .col(big_integer("unit_id"))
            .col(integer("year"))
            .col(integer("month"))
            .col(string_len("field", 120))
            .col(big_integer("import_id"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk("onestop_stats", "unit_id", "units", "id"))
            .foreign_key(&mut fk("onestop_stats", "import_id", "onestop_imports", "id"));
        for c in ONESTOP_COUNTS {
            t.col(big_integer(c));
        }
        m.create_table(t.to_owned()).await?;
        // a leaf's source key now names a register's measure (`feed:onestop.digitised_results_rate`,
        // 35 characters); SQLite does not bound text
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection().execute_unprepared("ALTER TABLE framework_nodes ALTER COLUMN source TYPE varchar(64)").await?;
        }
        m.create_index(
            Index::create()
                .name("ux_onestop_stats")
                .table("onestop_stats")
                .col("year")
                .col("month")
                .col("unit_id")
                .col("field")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("onestop_stats").to_owned()).await?;
        m.drop_table(Table::drop().table("onestop_imports").to_owned()).await?;
        m.drop_table(Table::drop().table("onestop_sources").to_owned()).await
    }
}

/// The public-apology register (issue #18): one row per case (a unit's file handled late or
/// wrongly, lost, or extra papers asked for), with the citizen's name and contact kept private,
/// the apology's deadline and, once sent, the letter (number, date, how, the file in the unit's
/// evidence library) and the new due date. A file appears once per unit.
pub struct M0027Apologies;

impl MigrationName for M0027Apologies {
    fn name(&self) -> &str {
        "m0027_apologies"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0027Apologies {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("apology_cases")
                .col(big_pk_auto("id"))
                .col(big_integer("unit_id"))
                .col(string_len("file_code", 64))
                .col(text("procedure"))
                .col(text_null("applicant"))
                .col(text_null("contact"))
                .col(string_len("kind", 16))
                .col(date("received_on"))
                .col(date("due_on"))
                .col(date_null("returned_on"))
                .col(date("apology_due"))
                .col(string_len_null("letter_number", 64))
                .col(date_null("letter_date"))
                .col(string_len_null("sent_how", 16))
                .col(big_integer_null("letter_file_id"))
                .col(date_null("new_due_on"))
                .col(string_len("origin", 16))
                .col(string("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("apology_cases", "unit_id", "units", "id"))
                .foreign_key(&mut fk("apology_cases", "letter_file_id", "evidence_files", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ux_apology_cases").table("apology_cases").col("unit_id").col("file_code").unique().to_owned())
            .await?;
        m.create_index(Index::create().name("ix_apology_cases_due").table("apology_cases").col("due_on").to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("apology_cases").to_owned()).await
    }
}

/// Reform plans and their tasks (issue #19): one plan per year for the province (`unit_id`
/// null; it carries the deadline of the units' plans) and one per unit; the province's tasks,
/// each owned by a unit, with co-operating units and progress notes.
pub struct M0028Plans;

impl MigrationName for M0028Plans {
    fn name(&self) -> &str {
        "m0028_plans"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0028Plans {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("plans")
                .col(big_pk_auto("id"))
                .col(integer("year"))
                .col(big_integer_null("unit_id"))
                .col(string_len("number", 64))
                .col(date("signed_on"))
                .col(text("title"))
                .col(date_null("unit_plans_due"))
                .col(big_integer_null("file_id"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("plans", "unit_id", "units", "id"))
                .foreign_key(&mut fk("plans", "file_id", "evidence_files", "id"))
                .to_owned(),
        )
        .await?;
        // one plan per unit and year (the province's: a partial index is not portable, the
        // store keeps that one unique)
        m.create_index(Index::create().name("ux_plans").table("plans").col("year").col("unit_id").unique().to_owned()).await?;
        m.create_table(
            Table::create()
                .table("plan_tasks")
                .col(big_pk_auto("id"))
                .col(integer("year"))
                .col(string_len("code", 32))
                .col(text("title"))
                .col(string_len_null("domain", 32))
                .col(big_integer("owner_unit_id"))
                .col(date("deadline"))
                .col(text_null("output"))
                .col(string_len("status", 16))
                .col(text_null("status_reason"))
                .col(date_null("done_on"))
                .col(integer("version"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("plan_tasks", "owner_unit_id", "units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ux_plan_tasks").table("plan_tasks").col("year").col("code").unique().to_owned()).await?;
        m.create_index(Index::create().name("ix_plan_tasks_owner").table("plan_tasks").col("owner_unit_id").col("year").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("plan_task_units")
                .col(big_integer("task_id"))
                .col(big_integer("unit_id"))
                .primary_key(Index::create().col("task_id").col("unit_id"))
                .foreign_key(&mut fk("plan_task_units", "task_id", "plan_tasks", "id"))
                .foreign_key(&mut fk("plan_task_units", "unit_id", "units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("plan_task_notes")
                .col(big_pk_auto("id"))
                .col(big_integer("task_id"))
                .col(text("text"))
                .col(big_integer_null("file_id"))
                .col(string("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("plan_task_notes", "task_id", "plan_tasks", "id"))
                .foreign_key(&mut fk("plan_task_notes", "file_id", "evidence_files", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_plan_task_notes").table("plan_task_notes").col("task_id").to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["plan_task_notes", "plan_task_units", "plan_tasks", "plans"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// Periodic reports (issue #19): report forms as data, reporting rounds (each with a copy of
/// its form), and each unit's report of a round.
pub struct M0029Reports;

impl MigrationName for M0029Reports {
    fn name(&self) -> &str {
        "m0029_reports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0029Reports {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("report_forms")
                .col(big_pk_auto("id"))
                .col(string_len("code", 40))
                .col(text("title"))
                .col(text("definition"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ux_report_forms").table("report_forms").col("code").unique().to_owned()).await?;
        m.create_table(
            Table::create()
                .table("report_rounds")
                .col(big_pk_auto("id"))
                .col(integer("year"))
                .col(string_len("kind", 16))
                .col(text("label"))
                .col(string_len("form_code", 40))
                .col(text("definition"))
                .col(string_len("targets", 200))
                .col(date("deadline"))
                .col(boolean("closed"))
                .col(string("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_report_rounds_year").table("report_rounds").col("year").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("report_submissions")
                .col(big_pk_auto("id"))
                .col(big_integer("round_id"))
                .col(big_integer("unit_id"))
                .col(string_len("status", 16))
                .col(text("content"))
                .col(big_integer_null("file_id"))
                .col(timestamp_with_time_zone_null("first_submitted_at"))
                .col(timestamp_with_time_zone_null("submitted_at"))
                .col(string_null("submitted_by"))
                .col(text_null("returned_reason"))
                .col(string_null("decided_by"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(integer("version"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("report_submissions", "round_id", "report_rounds", "id"))
                .foreign_key(&mut fk("report_submissions", "unit_id", "units", "id"))
                .foreign_key(&mut fk("report_submissions", "file_id", "evidence_files", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ux_report_submissions").table("report_submissions").col("round_id").col("unit_id").unique().to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["report_submissions", "report_rounds", "report_forms"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// The months a reporting round's figures cover (`month_from..=month_to` of its year), so that
/// a form's cells fed by a register (the one-stop statistics) are filled from those months.
/// Null on ad hoc rounds and on rounds opened before: nothing is filled for them.
pub struct M0030ReportMonths;

impl MigrationName for M0030ReportMonths {
    fn name(&self) -> &str {
        "m0030_report_months"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0030ReportMonths {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for mut c in [integer_null("month_from"), integer_null("month_to")] {
            m.alter_table(Table::alter().table("report_rounds").add_column(&mut c).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in ["month_from", "month_to"] {
            m.alter_table(Table::alter().table("report_rounds").drop_column(c).to_owned()).await?;
        }
        Ok(())
    }
}

/// Inspections (issue #20): checklists as data, the year's inspection plan, each inspection
/// (its unit, topic, a copy of its checklist, team), the team's verdicts per item (working
/// notes), files (the unit's documents before the visit, the team's photos, the unit's
/// remediation evidence — kept here, not in the unit's evidence library, so that each is read
/// under the inspection's access rules), the conclusion's
/// findings and recommendations with their remediation.
pub struct M0031Inspections;

impl MigrationName for M0031Inspections {
    fn name(&self) -> &str {
        "m0031_inspections"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0031Inspections {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("inspection_checklists")
                .col(big_pk_auto("id"))
                .col(string_len("code", 40))
                .col(string_len("topic", 20))
                .col(text("title"))
                .col(text("definition"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ux_inspection_checklists").table("inspection_checklists").col("code").unique().to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("inspection_plans")
                .col(big_pk_auto("id"))
                .col(integer("year"))
                .col(string_len("number", 64))
                .col(date("signed_on"))
                .col(text("title"))
                .col(big_integer_null("file_id"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("inspection_plans", "file_id", "evidence_files", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ux_inspection_plans").table("inspection_plans").col("year").unique().to_owned()).await?;
        m.create_table(
            Table::create()
                .table("inspections")
                .col(big_pk_auto("id"))
                .col(big_integer("plan_id"))
                .col(big_integer("unit_id"))
                .col(string_len("topic", 20))
                .col(string_len("checklist_code", 40))
                .col(text("checklist"))
                .col(integer("planned_month"))
                .col(string_len("status", 16))
                .col(text_null("status_reason"))
                .col(date_null("visited_on"))
                .col(string_len_null("conclusion_number", 64))
                .col(date_null("concluded_on"))
                .col(text_null("summary"))
                .col(string_null("issued_by"))
                .col(integer("version"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("inspections", "plan_id", "inspection_plans", "id"))
                .foreign_key(&mut fk("inspections", "unit_id", "units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ux_inspections").table("inspections").col("plan_id").col("unit_id").col("topic").unique().to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_inspections_unit").table("inspections").col("unit_id").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("inspection_members")
                .col(big_integer("inspection_id"))
                .col(big_integer("user_id"))
                .col(string_len("role", 16))
                .col(text_null("department"))
                .primary_key(Index::create().col("inspection_id").col("user_id"))
                .foreign_key(&mut fk("inspection_members", "inspection_id", "inspections", "id"))
                .foreign_key(&mut fk("inspection_members", "user_id", "users", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_inspection_members_user").table("inspection_members").col("user_id").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("inspection_results")
                .col(big_integer("inspection_id"))
                .col(string_len("item_key", 84))
                .col(string_len("verdict", 16))
                .col(text_null("note"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("inspection_id").col("item_key"))
                .foreign_key(&mut fk("inspection_results", "inspection_id", "inspections", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("inspection_files")
                .col(big_pk_auto("id"))
                .col(big_integer("inspection_id"))
                .col(big_integer_null("recommendation_id"))
                .col(string_len_null("item_key", 84))
                .col(string_len("kind", 16))
                .col(string_len("sha256", 64))
                .col(big_integer("size"))
                .col(string_len("file_kind", 16))
                .col(text("name"))
                .col(text_null("note"))
                .col(string("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("inspection_files", "inspection_id", "inspections", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_inspection_files").table("inspection_files").col("inspection_id").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("inspection_findings")
                .col(big_pk_auto("id"))
                .col(big_integer("inspection_id"))
                .col(integer("position"))
                .col(string_len_null("item_key", 84))
                .col(string_len("severity", 16))
                .col(text("text"))
                .foreign_key(&mut fk("inspection_findings", "inspection_id", "inspections", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_inspection_findings").table("inspection_findings").col("inspection_id").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("inspection_recommendations")
                .col(big_pk_auto("id"))
                .col(big_integer("inspection_id"))
                .col(big_integer("finding_id"))
                .col(integer("position"))
                .col(big_integer("owner_unit_id"))
                .col(text("text"))
                .col(date("deadline"))
                .col(string_len("status", 16))
                .col(text_null("remediation"))
                .col(string_null("reported_by"))
                .col(timestamp_with_time_zone_null("reported_at"))
                .col(string_null("decided_by"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(text_null("return_reason"))
                .col(integer("version"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("inspection_recommendations", "inspection_id", "inspections", "id"))
                .foreign_key(&mut fk("inspection_recommendations", "finding_id", "inspection_findings", "id"))
                .foreign_key(&mut fk("inspection_recommendations", "owner_unit_id", "units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_inspection_recs_inspection").table("inspection_recommendations").col("inspection_id").to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_inspection_recs_owner").table("inspection_recommendations").col("owner_unit_id").to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "inspection_recommendations",
            "inspection_findings",
            "inspection_files",
            "inspection_results",
            "inspection_members",
            "inspections",
            "inspection_plans",
            "inspection_checklists",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
