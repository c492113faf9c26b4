//! The audit log's filter as pages, downloads and the API take it from a query string or form.

use parindex_core::text::parse_date;
use parindex_store::repo::audit::AuditFilter;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub object_type: String,
    #[serde(default)]
    pub object_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub offset: u64,
}

impl AuditQuery {
    pub fn filter(&self, limit: u64) -> AuditFilter {
        AuditFilter {
            actor: Some(self.actor.trim().to_lowercase()).filter(|s| !s.is_empty()),
            action: Some(self.action.clone()),
            object_type: Some(self.object_type.clone()),
            object_id: Some(self.object_id.trim().to_string()),
            unit_id: None,
            from: parse_date(&self.from),
            to: parse_date(&self.to),
            limit,
            offset: self.offset,
        }
    }
}

/// An audit action in words, in the reader's language (the code stays in the record, the
/// filter and the downloads; issue #17: no raw code on a Vietnamese page without its meaning).
pub fn action_label(code: &str, lang: &str) -> String {
    let (vi, en) = match code {
        "auth.login" => ("Đăng nhập", "Signed in"),
        "auth.login_failed" => ("Đăng nhập không thành công", "Failed sign-in"),
        "auth.logout" => ("Đăng xuất", "Signed out"),
        "assessment.self_score" => ("Đơn vị tự chấm tiêu chí", "Unit scored a leaf"),
        "assessment.submit" => ("Đơn vị nộp bản tự đánh giá", "Unit submitted"),
        "assessment.appraise" => ("Thẩm định tiêu chí", "Leaf appraised"),
        "assessment.return" => ("Trả lại tiêu chí để đơn vị sửa", "Leaf returned to the unit"),
        "assessment.preliminary" => ("Gửi kết quả sơ bộ", "Preliminary result sent"),
        "assessment.contest" => ("Đơn vị ghi giải trình", "Unit wrote an explanation"),
        "assessment.explain" => ("Đơn vị gửi giải trình", "Unit sent its explanations"),
        "assessment.final" => ("Thẩm định lại sau giải trình", "Final appraisal"),
        "assessment.no_explanation" => ("Hết hạn giải trình, giữ kết quả sơ bộ", "No explanation in time: preliminary result kept"),
        "assessment.approve" => ("Kết quả của đơn vị được phê duyệt", "Unit's result approved"),
        "assessment.extend" => ("Gia hạn tự đánh giá", "Deadline extended"),
        "assessment.adjustment" => ("Điểm thưởng, điểm trừ", "Bonus or penalty"),
        "assessment.report_notes" => ("Nội dung báo cáo tự đánh giá", "Self-assessment report text"),
        "assessment.survey_points" => ("Điểm từ kết quả khảo sát", "Points from survey results"),
        "evidence.upload" => ("Tải lên tài liệu kiểm chứng", "Evidence uploaded"),
        "evidence.link" => ("Gắn tài liệu vào tiêu chí", "Evidence attached to a leaf"),
        "evidence.unlink" => ("Gỡ tài liệu khỏi tiêu chí", "Evidence taken off a leaf"),
        "evidence.download" => ("Tải về tài liệu kiểm chứng", "Evidence downloaded"),
        "framework.import" => ("Nhập bộ tiêu chí", "Framework imported"),
        "framework.edit" | "framework.meta" => ("Sửa bộ tiêu chí", "Framework edited"),
        "framework.replace_draft" => ("Thay bản nháp bộ tiêu chí", "Framework draft replaced"),
        "framework.publish" => ("Ban hành bộ tiêu chí", "Framework published"),
        "framework.archive" => ("Lưu trữ bộ tiêu chí", "Framework archived"),
        "framework.crosswalk" => ("Đối chiếu lĩnh vực giữa hai bộ tiêu chí", "Domain crosswalk"),
        "period.create" => ("Mở kỳ đánh giá", "Period opened"),
        "period.assign" => ("Phân công thẩm định", "Appraisal assignments"),
        "period.groups" => ("Thang xếp nhóm", "Group scale"),
        "period.approve" => ("Hội đồng phê duyệt kết quả", "Council approved the results"),
        "results.publish" => ("Công bố kết quả", "Results published"),
        "improvement.add" => ("Thêm biện pháp khắc phục", "Improvement action added"),
        "improvement.update" => ("Cập nhật biện pháp khắc phục", "Improvement action updated"),
        "questionnaire.publish" => ("Ban hành phiếu khảo sát", "Questionnaire published"),
        "survey.create" => ("Mở đợt khảo sát", "Survey opened"),
        "survey.close" => ("Đóng đợt khảo sát", "Survey closed"),
        "survey.reopen" => ("Mở lại đợt khảo sát", "Survey reopened"),
        "survey.import" => ("Nhập phiếu trả lời", "Responses imported"),
        "survey.population" => ("Số người được phục vụ (cỡ mẫu)", "Populations (sample sizes)"),
        "survey.recount" => ("Tính lại kết quả khảo sát", "Survey recounted"),
        "survey.reply" => ("Đơn vị trả lời góp ý", "Unit answered a comment"),
        "survey.tokens" => ("Phát phiếu mời", "Invitations issued"),
        "token.create" => ("Tạo khoá API", "API token created"),
        "token.revoke" => ("Thu hồi khoá API", "API token revoked"),
        "unit.create" => ("Tạo đơn vị", "Unit created"),
        "unit.update" => ("Sửa đơn vị", "Unit edited"),
        "unit.import" => ("Nhập danh sách đơn vị", "Units imported"),
        "unit.deactivate" => ("Ngừng hoạt động đơn vị", "Unit deactivated"),
        "unit.reactivate" => ("Hoạt động lại đơn vị", "Unit reactivated"),
        "unit.lineage" => ("Sáp nhập, chia tách đơn vị", "Unit lineage"),
        "unit.lineage_remove" => ("Bỏ quan hệ sáp nhập, chia tách", "Unit lineage removed"),
        "user.create" => ("Tạo tài khoản", "User created"),
        "user.update" => ("Sửa tài khoản", "User edited"),
        "user.disable" => ("Khoá tài khoản", "User disabled"),
        "user.enable" => ("Mở khoá tài khoản", "User enabled"),
        "user.password" => ("Đặt lại mật khẩu", "Password reset"),
        _ => return code.to_string(),
    };
    if lang == "en" { en } else { vi }.to_string()
}

/// What an audit record is about, in words: `assessment 12/1.3` → "Bản đánh giá 12/1.3".
pub fn object_label(kind: &str, id: &str, lang: &str) -> String {
    let (vi, en) = match kind {
        "assessment" => ("Bản đánh giá", "Assessment"),
        "evidence" => ("Tài liệu", "Evidence"),
        "framework" => ("Bộ tiêu chí", "Framework"),
        "improvement" => ("Biện pháp khắc phục", "Improvement"),
        "period" => ("Kỳ đánh giá", "Period"),
        "questionnaire" => ("Phiếu khảo sát", "Questionnaire"),
        "survey" => ("Đợt khảo sát", "Survey"),
        "survey_response" => ("Phiếu trả lời", "Response"),
        "unit" => ("Đơn vị", "Unit"),
        "user" => ("Tài khoản", "User"),
        other => (other, other),
    };
    format!("{} {id}", if lang == "en" { en } else { vi }).trim().to_string()
}

/// A changed field of an audit record in words (`input` → "giá trị nhập").
pub fn field_label(name: &str, lang: &str) -> String {
    let (vi, en) = match name {
        "input" => ("giá trị nhập", "input"),
        "points" => ("điểm", "points"),
        "appraised_input" => ("giá trị thẩm định", "appraised input"),
        "appraised_points" => ("điểm thẩm định", "appraised points"),
        "final_points" => ("điểm thẩm định lại", "final points"),
        "contest" => ("giải trình", "explanation"),
        "state" => ("trạng thái", "state"),
        "status" => ("tình trạng", "status"),
        "name" => ("tên", "name"),
        "full_name" => ("họ tên", "full name"),
        "username" => ("tên đăng nhập", "username"),
        "disabled" => ("bị khoá", "disabled"),
        "self_due" => ("hạn tự đánh giá", "self-assessment deadline"),
        "decision" => ("quyết định", "decision"),
        "evidence_id" => ("mã tài liệu", "evidence id"),
        "unit_id" => ("mã đơn vị", "unit id"),
        "population" => ("số người được phục vụ", "population"),
        "groups" => ("thang xếp nhóm", "groups"),
        "reply" => ("trả lời", "reply"),
        "version" => ("phiên bản", "version"),
        "year" => ("năm", "year"),
        "role" => ("vai trò", "role"),
        "kind" => ("loại", "kind"),
        "code" => ("mã", "code"),
        "size" => ("dung lượng", "size"),
        "sha256" => ("mã băm SHA-256", "SHA-256"),
        "failed_logins" => ("số lần đăng nhập sai", "failed sign-ins"),
        _ => return name.to_string(),
    };
    if lang == "en" { en } else { vi }.to_string()
}
