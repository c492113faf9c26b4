//! The demo province: "Tỉnh Sơn La (dữ liệu mẫu)" — provincial agencies, wards and communes
//! after the 1 July 2025 reorganisation, a few former communes and districts merged into them,
//! and a user for every role. Seeded once into an empty database; a restart keeps the data.
//! All names are plausible samples, not an official list.

use chrono::{Datelike, NaiveDate};
use parindex_core::Exact;
use parindex_core::Role;
use parindex_core::framework::synthetic::Rng;
use parindex_core::framework::{Input, Rule};
use parindex_core::unit::{LineageKind, UnitInput};
use parindex_store::repo::survey_feedback::NewReply;
use parindex_store::repo::units::{StatusFilter, UnitFilter};
use parindex_store::repo::users::NewUser;
use parindex_store::{AuditCtx, Store};

pub const DEMO_PASSWORD: &str = "parindex-demo";

/// (username, what the account is) — printed at start.
pub const DEMO_LOGINS: &[(&str, &str)] = &[
    ("admin", "Quản trị, Phòng CCHC Sở Nội vụ / administrator"),
    ("thuky", "Thư ký tổ giúp việc / secretariat"),
    ("thamdinh.cchc", "Thẩm định viên Phòng CCHC (tiêu chí không giao sở nào) / reform-office appraiser"),
    ("thamdinh.snv", "Thẩm định viên Sở Nội vụ / appraiser"),
    ("thamdinh.stp", "Thẩm định viên Sở Tư pháp / appraiser"),
    ("thamdinh.vp", "Thẩm định viên Văn phòng UBND tỉnh / appraiser"),
    ("thamdinh.stc", "Thẩm định viên Sở Tài chính / appraiser"),
    ("thamdinh.skhcn", "Thẩm định viên Sở Khoa học và Công nghệ / appraiser"),
    ("hoidong", "Thành viên hội đồng / council member"),
    ("canbo.stc", "Cán bộ đầu mối Sở Tài chính / unit officer"),
    ("lanhdao.stc", "Lãnh đạo Sở Tài chính / unit leader"),
    ("canbo.syt", "Cán bộ đầu mối Sở Y tế / unit officer"),
    ("lanhdao.syt", "Lãnh đạo Sở Y tế / unit leader"),
    ("canbo.chiengsinh", "Cán bộ đầu mối phường Chiềng Sinh / unit officer"),
    ("lanhdao.chiengsinh", "Lãnh đạo phường Chiềng Sinh / unit leader"),
    ("xem", "Lãnh đạo tỉnh (chỉ xem) / viewer"),
];

const AGENCIES: &[(&str, &str)] = &[
    ("VP-UBND", "Văn phòng UBND tỉnh"),
    ("SNV", "Sở Nội vụ"),
    ("STP", "Sở Tư pháp"),
    ("STC", "Sở Tài chính"),
    ("SCT", "Sở Công Thương"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường"),
    ("SXD", "Sở Xây dựng"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SYT", "Sở Y tế"),
    ("SVHTTDL", "Sở Văn hoá, Thể thao và Du lịch"),
    ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("SDTTG", "Sở Dân tộc và Tôn giáo"),
    ("TTR", "Thanh tra tỉnh"),
    ("BQLKCN", "Ban Quản lý các khu công nghiệp tỉnh"),
    ("BQLDA", "Ban Quản lý dự án đầu tư xây dựng tỉnh"),
    ("DPTTH", "Đài Phát thanh và Truyền hình tỉnh"),
    ("TCD", "Trường Cao đẳng Sơn La"),
    ("BQL-MC", "Ban Quản lý Khu du lịch quốc gia Mộc Châu"),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công tỉnh"),
    ("SNGV", "Sở Ngoại vụ (đến 28/02/2025)"),
];

const WARDS: &[(&str, &str, &str)] = &[
    ("P-TOHIEU", "UBND phường Tô Hiệu", "Khu vực trung tâm"),
    ("P-CHIENGAN", "UBND phường Chiềng An", "Khu vực trung tâm"),
    ("P-CHIENGCOI", "UBND phường Chiềng Cơi", "Khu vực trung tâm"),
    ("P-CHIENGSINH", "UBND phường Chiềng Sinh", "Khu vực trung tâm"),
    ("P-MOCCHAU", "UBND phường Mộc Châu", "Khu vực Mộc Châu"),
    ("P-MOCSON", "UBND phường Mộc Sơn", "Khu vực Mộc Châu"),
    ("P-VANSON", "UBND phường Vân Sơn", "Khu vực Mộc Châu"),
    ("P-THAONGUYEN", "UBND phường Thảo Nguyên", "Khu vực Mộc Châu"),
];

const COMMUNES: &[(&str, &str, &str)] = &[
    ("X-MUONGBU", "UBND xã Mường Bú", "Vùng lòng hồ"),
    ("X-MUONGLA", "UBND xã Mường La", "Vùng lòng hồ"),
    ("X-THUANCHAU", "UBND xã Thuận Châu", "Vùng phía Bắc"),
    ("X-QUYNHNHAI", "UBND xã Quỳnh Nhai", "Vùng lòng hồ"),
    ("X-PHUYEN", "UBND xã Phù Yên", "Vùng phía Đông"),
    ("X-BACYEN", "UBND xã Bắc Yên", "Vùng phía Đông"),
    ("X-TAXUA", "UBND xã Tà Xùa", "Vùng phía Đông"),
    ("X-SONGMA", "UBND xã Sông Mã", "Vùng biên giới"),
    ("X-SOPCOP", "UBND xã Sốp Cộp", "Vùng biên giới"),
    ("X-YENCHAU", "UBND xã Yên Châu", "Vùng phía Đông"),
    ("X-MAISON", "UBND xã Mai Sơn", "Khu vực trung tâm"),
    ("X-VANHO", "UBND xã Vân Hồ", "Khu vực Mộc Châu"),
    ("X-CHIENGMUNG", "UBND xã Chiềng Mung", "Khu vực trung tâm"),
    ("X-GIAPHU", "UBND xã Gia Phù", "Vùng phía Đông"),
    ("X-COMA", "UBND xã Co Mạ", "Vùng phía Bắc"),
    ("X-LONGHE", "UBND xã Long Hẹ", "Vùng phía Bắc"),
    ("X-CHIENGKHUONG", "UBND xã Chiềng Khương", "Vùng biên giới"),
    ("X-TOMUA", "UBND xã Tô Múa", "Khu vực Mộc Châu"),
    ("X-LONGSAP", "UBND xã Lóng Sập", "Vùng biên giới"),
    ("X-NAMLAU", "UBND xã Nậm Lầu", "Vùng phía Bắc"),
    ("X-MUONGGION", "UBND xã Mường Giôn", "Vùng lòng hồ"),
    ("X-CHIENGHAC", "UBND xã Chiềng Hặc", "Vùng phía Đông"),
    ("X-CHIENGMAI", "UBND xã Chiềng Mai", "Khu vực trung tâm"),
    ("X-CHIENGSON", "UBND xã Chiềng Sơn", "Khu vực Mộc Châu"),
    ("X-LONGPHIENG", "UBND xã Lóng Phiêng", "Vùng phía Đông"),
    ("X-PHIENGPAN", "UBND xã Phiêng Pằn", "Khu vực trung tâm"),
    ("X-MUONGCHIEN", "UBND xã Mường Chiên", "Vùng lòng hồ"),
    ("X-CHIENGLAO", "UBND xã Chiềng Lao", "Vùng lòng hồ"),
    ("X-BINHTHUAN", "UBND xã Bình Thuận", "Vùng phía Bắc"),
    ("X-CHIENGKHOONG", "UBND xã Chiềng Khoong", "Vùng biên giới"),
    ("X-MUONGLAN", "UBND xã Mường Lạn", "Vùng biên giới"),
    ("X-HUOIMOT", "UBND xã Huổi Một", "Vùng biên giới"),
    ("X-TAKHOA", "UBND xã Tạ Khoa", "Vùng phía Đông"),
    ("X-SUOITO", "UBND xã Suối Tọ", "Vùng phía Đông"),
    ("X-KIMBON", "UBND xã Kim Bon", "Vùng phía Đông"),
    ("X-TUONGHA", "UBND xã Tường Hạ", "Vùng phía Đông"),
    ("X-MUONGCOI", "UBND xã Mường Cơi", "Vùng phía Đông"),
    ("X-PHIENGKHOAI", "UBND xã Phiêng Khoài", "Vùng phía Đông"),
    ("X-CHIENGSAI", "UBND xã Chiềng Sại", "Vùng phía Đông"),
    ("X-MUONGE", "UBND xã Mường É", "Vùng phía Bắc"),
    ("X-PACNGA", "UBND xã Pắc Ngà", "Vùng phía Đông"),
    ("X-XIMVANG", "UBND xã Xím Vàng", "Vùng phía Đông"),
    ("X-MUONGBANG", "UBND xã Mường Bang", "Vùng phía Đông"),
    ("X-MUONGHUNG", "UBND xã Mường Hung", "Vùng biên giới"),
    ("X-CHIENGHOA", "UBND xã Chiềng Hoa", "Vùng lòng hồ"),
    ("X-NGOCCHIEN", "UBND xã Ngọc Chiến", "Vùng lòng hồ"),
    ("X-MUONGGIANG", "UBND xã Mường Giàng", "Vùng lòng hồ"),
];

/// Former units that merged into today's (successor code, former code, former name, kind).
const FORMER: &[(&str, &str, &str, &str)] = &[
    ("P-CHIENGSINH", "CU-X-CHIENGNGAN", "UBND xã Chiềng Ngần (cũ)", "commune"),
    ("P-CHIENGSINH", "CU-X-HUALA", "UBND xã Hua La (cũ)", "commune"),
    ("X-MAISON", "CU-H-MAISON", "UBND huyện Mai Sơn (cũ)", "district"),
    ("X-MAISON", "CU-X-COMUNG", "UBND xã Cò Nòi (cũ)", "commune"),
    ("P-MOCCHAU", "CU-TX-MOCCHAU", "UBND thị xã Mộc Châu (cũ)", "district"),
    ("X-THUANCHAU", "CU-H-THUANCHAU", "UBND huyện Thuận Châu (cũ)", "district"),
];

/// A unit's focal person for reform, made up from its code (demo data: the names are invented,
/// the numbers use the province's area code with made-up digits, the addresses an example domain).
fn demo_contact(code: &str, kind: &str) -> Option<parindex_core::unit::Contact> {
    const FAMILY: [&str; 8] = ["Lò", "Cầm", "Quàng", "Nguyễn", "Lường", "Hoàng", "Vì", "Đinh"];
    const GIVEN: [&str; 8] = ["Thị Mai", "Văn Hùng", "Thị Lan", "Văn Tuấn", "Thị Thu", "Văn Dũng", "Thị Hoa", "Văn Sơn"];
    if kind == "province" {
        return None;
    }
    let h = code.bytes().fold(17u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
    let title = if kind == "agency" { "chuyên viên Văn phòng" } else { "công chức Văn phòng – Thống kê" };
    Some(parindex_core::unit::Contact {
        person: Some(format!("{} {}, {title}", FAMILY[(h % 8) as usize], GIVEN[((h / 8) % 8) as usize])),
        phone: Some(format!("0212 38{:02} {:03}", h % 100, (h / 100) % 1000)),
        email: Some(format!("cchc.{}@sonla.example.gov.vn", code.to_lowercase())),
    })
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The sample frameworks shipped in `frameworks/samples/` (marked as samples, not official).
const SAMPLE_FRAMEWORKS: &[(&str, &str)] = &[
    ("agency-2026.yaml", include_str!("../../../frameworks/samples/agency-2026.yaml")),
    ("commune-2026.yaml", include_str!("../../../frameworks/samples/commune-2026.yaml")),
    ("national-provinces-2026.yaml", include_str!("../../../frameworks/samples/national-provinces-2026.yaml")),
];

/// Import and publish the sample frameworks when the database has none.
async fn seed_frameworks(store: &Store) -> anyhow::Result<()> {
    if !store.list_frameworks().await?.is_empty() {
        return Ok(());
    }
    let ctx = AuditCtx::system("demo-seed");
    for (name, text) in SAMPLE_FRAMEWORKS {
        let fw = parindex_reports::framework::parse_framework(name, text).map_err(|p| anyhow::anyhow!("{name}: {p:?}"))?;
        let code = fw.code.clone();
        store.import_framework(&ctx, fw, name).await?;
        store.set_framework_status(&ctx, &code, parindex_core::framework::Status::Published).await?;
    }
    // next year's draft, to try the editor and the comparison of versions on
    let first = SAMPLE_FRAMEWORKS[0].1;
    let code = parindex_reports::framework::parse_framework("agency-2026.yaml", first).map_err(|p| anyhow::anyhow!("{p:?}"))?.code;
    let draft = store
        .new_framework_version(&ctx, &code, "MAU-SO-2027", Some("Bộ chỉ số CCHC các sở, ban, ngành tỉnh (MẪU, dự thảo năm 2027)".into()))
        .await?;
    let (_, mut fw) = store.get_framework(&draft.code).await?;
    fw.valid_from = Some(2027);
    fw.valid_to = None;
    if let Some(n) = parindex_core::framework::edit::node_mut(&mut fw, "1.2") {
        n.title = format!("{} (kể cả báo cáo trên Hệ thống thông tin báo cáo)", n.title);
    }
    store.save_framework_draft(&ctx, &draft.code, fw, "demo: draft for 2027").await?;
    Ok(())
}

/// The sample questionnaires (`surveys/samples/`), published, when the database has none.
async fn seed_questionnaires(store: &Store) -> anyhow::Result<()> {
    if !store.list_questionnaires().await?.is_empty() {
        return Ok(());
    }
    let ctx = AuditCtx::system("demo-seed");
    for (name, text) in parindex_reports::survey::SAMPLES {
        let q = parindex_reports::survey::parse_questionnaire(name, text).map_err(|p| anyhow::anyhow!("{name}: {p:?}"))?;
        let code = q.code.clone();
        store.save_questionnaire(&ctx, q, name).await?;
        store.publish_questionnaire(&ctx, &code).await?;
    }
    Ok(())
}

/// Seed the demo province into an empty database; what exists already is kept.
pub async fn seed(store: &Store) -> anyhow::Result<()> {
    seed_frameworks(store).await?;
    seed_questionnaires(store).await?;
    let existing = store.list_units(parindex_core::UnitScope::All, &UnitFilter { status: StatusFilter::All, ..Default::default() }).await?;
    if !existing.is_empty() {
        return Ok(());
    }
    let ctx = AuditCtx::system("demo-seed");
    store
        .set_office_contact(
            &ctx,
            parindex_store::repo::settings::OfficeContact {
                name: Some("Phòng Cải cách hành chính, Sở Nội vụ tỉnh Sơn La (dữ liệu mẫu)".into()),
                phone: Some("0212 3852 000".into()),
                email: Some("cchc@snv.sonla.example.gov.vn".into()),
                address: Some("Tầng 3, Trung tâm Hành chính tỉnh (dữ liệu mẫu)".into()),
                hours: Some("Thứ Hai – thứ Sáu, 7 h 30 – 11 h 30 và 13 h 30 – 17 h".into()),
            },
        )
        .await?;
    let unit =
        |code: &str, name: &str, kind: &str, parent: Option<&str>, area: Option<&str>, from: Option<NaiveDate>, to: Option<NaiveDate>| {
            UnitInput {
                code: code.into(),
                name: name.into(),
                kind: kind.into(),
                parent_code: parent.map(Into::into),
                area: area.map(Into::into),
                active_from: from,
                active_to: to,
                contact: demo_contact(code, kind),
            }
        };
    store.create_unit(&ctx, unit("SONLA", "Tỉnh Sơn La (dữ liệu mẫu)", "province", None, None, None, None)).await?;
    for (code, name) in AGENCIES {
        let to = if *code == "SNGV" { date(2025, 2, 28) } else { None };
        let u = store.create_unit(&ctx, unit(code, name, "agency", Some("SONLA"), None, None, to)).await?;
        if to.is_some() {
            store.set_unit_active(&ctx, u.id, false, to, Some("Sáp nhập theo phương án sắp xếp bộ máy 2025 (dữ liệu mẫu)".into())).await?;
        }
    }
    let reform = date(2025, 7, 1);
    for (code, name, area) in WARDS {
        store.create_unit(&ctx, unit(code, name, "ward", Some("SONLA"), Some(area), reform, None)).await?;
    }
    for (code, name, area) in COMMUNES {
        store.create_unit(&ctx, unit(code, name, "commune", Some("SONLA"), Some(area), reform, None)).await?;
    }
    for (successor, code, name, kind) in FORMER {
        let old = store.create_unit(&ctx, unit(code, name, kind, Some("SONLA"), None, date(2008, 1, 1), date(2025, 6, 30))).await?;
        store.set_unit_active(&ctx, old.id, false, date(2025, 6, 30), Some("Sắp xếp đơn vị hành chính từ 01/7/2025".into())).await?;
        let new_id = store.unit_id_by_code(successor).await?.expect("successor seeded above");
        store.add_lineage(&ctx, old.id, new_id, LineageKind::MergedInto, reform).await?;
    }
    let stc = store.unit_id_by_code("STC").await?;
    let stp = store.unit_id_by_code("STP").await?;
    let snv = store.unit_id_by_code("SNV").await?;
    let cs = store.unit_id_by_code("P-CHIENGSINH").await?;
    let syt = store.unit_id_by_code("SYT").await?;
    let vp = store.unit_id_by_code("VP-UBND").await?;
    let skhcn = store.unit_id_by_code("SKHCN").await?;
    let users: &[(&str, &str, Role, Option<i64>)] = &[
        ("admin", "Nguyễn Thị Hồng Nhung", Role::Admin, snv),
        ("thuky", "Lò Văn Thắng", Role::Secretariat, snv),
        ("thamdinh.cchc", "Đỗ Thị Hạnh", Role::Appraiser, None),
        ("thamdinh.snv", "Vì Văn Khánh", Role::Appraiser, snv),
        ("thamdinh.stp", "Cầm Thị Ngọc Lan", Role::Appraiser, stp),
        ("thamdinh.vp", "Lê Thu Trang", Role::Appraiser, vp),
        ("thamdinh.stc", "Sa Văn Long", Role::Appraiser, stc),
        ("thamdinh.skhcn", "Mùi Thị Thanh", Role::Appraiser, skhcn),
        ("hoidong", "Hoàng Văn Dũng", Role::Council, None),
        ("canbo.stc", "Quàng Thị Mai", Role::UnitOfficer, stc),
        ("lanhdao.stc", "Đinh Công Tuấn", Role::UnitLeader, stc),
        ("canbo.syt", "Hà Thị Yến", Role::UnitOfficer, syt),
        ("lanhdao.syt", "Nguyễn Văn Bình", Role::UnitLeader, syt),
        ("canbo.chiengsinh", "Lường Văn Hải", Role::UnitOfficer, cs),
        ("lanhdao.chiengsinh", "Tòng Thị Phương", Role::UnitLeader, cs),
        ("xem", "Bùi Đức Minh", Role::Viewer, None),
    ];
    for (i, (username, full_name, role, unit_id)) in users.iter().enumerate() {
        // office and department staff have a desk phone and a work address (made up)
        let reach = *role != Role::Viewer;
        store
            .create_user(
                &ctx,
                NewUser {
                    username: (*username).into(),
                    full_name: (*full_name).into(),
                    email: reach.then(|| format!("{username}@sonla.example.gov.vn")),
                    phone: reach.then(|| format!("0212 3856 {:03}", 101 + i)),
                    role: *role,
                    unit_id: *unit_id,
                    password: DEMO_PASSWORD.into(),
                },
            )
            .await?;
    }
    seed_onestop(store).await?;
    seed_plans(store).await?;
    seed_reports(store).await?;
    seed_inspections(store).await?;
    seed_apologies(store).await?;
    seed_last_year(store).await?;
    seed_improvements(store).await?;
    seed_periods(store).await?;
    seed_late_onestop(store).await?;
    seed_survey(store).await
}

/// Chiềng Sinh's officer planned actions from last year's two weakest leaves (one already
/// done); they show on this year's self-assessment at those leaves.
async fn seed_improvements(store: &Store) -> anyhow::Result<()> {
    use parindex_store::repo::improvements::ActionInput;
    let this_year = parindex_core::assessment::today_vn().format("%Y").to_string().parse::<i32>().unwrap_or(2026);
    let Some(p) = store.list_periods().await?.into_iter().find(|p| p.code == format!("{}-XA", this_year - 1)) else { return Ok(()) };
    let r = store.period_results(p.id).await?;
    let Some(u) = r.units.iter().find(|u| u.unit_code == "P-CHIENGSINH") else { return Ok(()) };
    let mut weakest: Vec<_> = u.leaves.iter().filter(|l| l.applicable && !l.max.is_zero() && l.points < l.max).collect();
    weakest.sort_by(|a, b| (a.points.clone() / a.max.clone()).cmp(&(b.points.clone() / b.max.clone())).then(a.code.cmp(&b.code)));
    let ctx = AuditCtx::system("canbo.chiengsinh");
    let plans = [
        (
            "Rà soát, bổ sung văn bản; giao một công chức theo dõi tiến độ hằng tháng (dữ liệu mẫu).",
            "Văn phòng HĐND và UBND",
            (3, 31),
            "done",
        ),
        ("Tập huấn cho công chức bộ phận một cửa; niêm yết lại quy trình (dữ liệu mẫu).", "Bộ phận một cửa", (6, 30), "doing"),
    ];
    for (leaf, (what, who, (m, d), status)) in weakest.iter().zip(plans) {
        let input = ActionInput {
            node_code: leaf.code.clone(),
            action: what.into(),
            owner: who.into(),
            due_on: NaiveDate::from_ymd_opt(this_year, m, d),
        };
        let a = store.add_improvement(&ctx, u.assessment_id, input).await?;
        let outcome = (status == "done").then_some("Đã ban hành kế hoạch và báo cáo đúng hạn quý I, II (dữ liệu mẫu).");
        store.update_improvement(&ctx, u.unit_id, a.id, status, outcome).await?;
    }
    Ok(())
}

/// This year's SIPAS survey of communes and wards on the sample questionnaire, with about a
/// hundred responses per unit drawn so that units and elements differ (a unit's quality, the
/// usual weakness of element 5, each respondent's mood), and a few units' populations N.
async fn seed_survey(store: &Store) -> anyhow::Result<()> {
    use parindex_core::survey::answers::{Raw, check, count_keys};
    use parindex_store::repo::surveys::{ResponseIn, SurveyInput};
    let ctx = AuditCtx::system("demo-seed");
    let year = parindex_core::assessment::today_vn().format("%Y").to_string().parse::<i32>().unwrap_or(2026);
    let (name, text) = parindex_reports::survey::SAMPLES[0];
    let code = parindex_reports::survey::parse_questionnaire(name, text).map_err(|p| anyhow::anyhow!("{name}: {p:?}"))?.code;
    let run = store
        .create_survey(
            &ctx,
            SurveyInput {
                code: format!("SIPAS-{year}"),
                name: format!("Khảo sát sự hài lòng của người dân năm {year} — xã, phường (mẫu)"),
                questionnaire: code.clone(),
                year,
                unit_kinds: vec!["commune".into(), "ward".into()],
                quota: 150,
                ..Default::default()
            },
        )
        .await?;
    let (_, q) = store.get_questionnaire(&code).await?;
    let units = store.survey_units(run.id).await?;
    let mut rng = Rng::new(2026);
    // the first units know their number of transactions
    let populations: Vec<(i64, Option<u64>)> = units.iter().take(6).map(|u| (u.unit_id, Some(300 + rng.below(2500)))).collect();
    store.set_populations(&ctx, run.id, &populations).await?;
    for u in &units {
        let quality = rng.below(5) as i64; // 0 weak … 4 excellent
        let count = 60 + rng.below(90);
        let mut batch = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let mood = rng.below(3) as i64 - 1;
            let mut raw = Raw::new();
            for (_, x) in q.questions() {
                if let Some(e) = x.element {
                    let weak = if e == 5 { 1 } else { 0 };
                    let centre = 2 + (quality + 2) / 2 + mood - weak;
                    let answer = (centre + rng.below(3) as i64).clamp(1, 5);
                    raw.insert(x.name.clone(), vec![answer.to_string()]);
                }
            }
            let picks = ["nhanh_hon", "truc_tuyen", "thai_do", "bot_giay_to", "cong_khai"];
            raw.insert("ky_vong".into(), vec![picks[rng.below(5) as usize].to_string(), picks[rng.below(5) as usize].to_string()]);
            // four in five say who they are (age group, gender, ethnicity, education, occupation)
            for (_, x) in q.questions().filter(|(_, x)| parindex_core::survey::answers::is_group_question(x)) {
                let Some(list) = x.list.as_deref().and_then(|l| q.list(l)) else { continue };
                if rng.below(5) > 0 && !list.choices.is_empty() {
                    // the first options are the common ones (Kinh and Thái, farmers…): half the
                    // time one of the first two, else any
                    let n = list.choices.len() as u64;
                    let k = if rng.below(2) == 0 { rng.below(n.min(2)) } else { rng.below(n) } as usize;
                    raw.insert(x.name.clone(), vec![list.choices[k].key.clone()]);
                }
            }
            // one in six writes a comment
            if rng.below(6) == 0 {
                let pool = if mood + quality >= 3 { DEMO_PRAISE } else { DEMO_COMPLAINTS };
                raw.insert("gop_y".into(), vec![pool[rng.below(pool.len() as u64) as usize].to_string()]);
            }
            let answers = check(&q, &raw).map_err(|p| anyhow::anyhow!("demo response: {p:?}"))?;
            let keys = count_keys(&q, &answers);
            let channel = ["web", "qr", "paper"][rng.below(3) as usize].to_string();
            batch.push(ResponseIn { unit_id: u.unit_id, channel, answers, keys });
        }
        store.record_responses(run.id, batch).await?;
    }
    // Chiềng Sinh's focal officer has answered every other comment
    let cs = store.unit_id_by_code("P-CHIENGSINH").await?.ok_or_else(|| anyhow::anyhow!("demo unit P-CHIENGSINH"))?;
    let officer = AuditCtx::system("canbo.chiengsinh");
    for (i, c) in store.survey_comments(run.id, cs).await?.into_iter().enumerate().filter(|(i, _)| i % 2 == 1) {
        let answer = DEMO_REPLIES[i % DEMO_REPLIES.len()];
        // the first few made public (the officer checked they name no one)
        store
            .reply_to_comment(
                &officer,
                run.id,
                cs,
                NewReply { response_id: c.response_id, question: &c.question, body: answer, public: i < 8 },
            )
            .await?;
    }
    seed_officials_survey(store, year).await
}

/// Comments of the demo's citizens (invented, typical of what such forms receive).
const DEMO_COMPLAINTS: &[&str] = &[
    "Phải đi lại ba lần mới bổ sung xong hồ sơ, đề nghị hướng dẫn một lần cho đủ.",
    "Chỗ ngồi chờ quá ít, buổi sáng thứ Hai người già phải đứng lâu.",
    "Nộp hồ sơ trực tuyến nhưng vẫn phải mang bản giấy đến, rất mất thời gian.",
    "Hẹn trả kết quả thứ Năm nhưng đến thứ Hai tuần sau mới có, không ai báo trước.",
    "Máy lấy số hay bị hỏng, không biết đến lượt mình lúc nào.",
    "Đề nghị niêm yết rõ mức phí, lệ phí ngay tại quầy.",
];
const DEMO_PRAISE: &[&str] = &[
    "Cán bộ một cửa hướng dẫn tận tình, dễ hiểu. Cảm ơn.",
    "Giải quyết nhanh, đúng hẹn, tôi rất hài lòng.",
    "Thủ tục đơn giản hơn năm trước, không phải photo nhiều giấy tờ.",
    "Nên có thêm hướng dẫn bằng tiếng Thái cho bà con.",
];
const DEMO_REPLIES: &[&str] = &[
    "UBND phường xin tiếp thu. Từ tháng này Bộ phận một cửa bố trí thêm 10 ghế chờ và ưu tiên người cao tuổi.",
    "Cảm ơn ông/bà đã góp ý. Phường đã nhắc công chức hướng dẫn đầy đủ thành phần hồ sơ ngay lần đầu.",
    "Phường đã niêm yết bảng phí, lệ phí tại từng quầy và trên Cổng dịch vụ công.",
];

/// This year's officials' survey of the agencies (by invitation token): 12 tokens per agency,
/// 7 to 11 of them used, each answer recorded like the token page records it.
async fn seed_officials_survey(store: &Store, year: i32) -> anyhow::Result<()> {
    use parindex_core::survey::answers::{Raw, check, count_keys};
    use parindex_store::repo::surveys::{ResponseIn, SurveyInput};
    let ctx = AuditCtx::system("demo-seed");
    let (name, text) = parindex_reports::survey::SAMPLES[1];
    let code = parindex_reports::survey::parse_questionnaire(name, text).map_err(|p| anyhow::anyhow!("{name}: {p:?}"))?.code;
    let run = store
        .create_survey(
            &ctx,
            SurveyInput {
                code: format!("CBCC-{year}"),
                name: format!("Điều tra xã hội học về CCHC của các sở, ngành năm {year} (mẫu)"),
                questionnaire: code.clone(),
                year,
                unit_kinds: vec!["agency".into()],
                quota: 12,
                ..Default::default()
            },
        )
        .await?;
    let (_, q) = store.get_questionnaire(&code).await?;
    let mut rng = Rng::new(1102);
    for u in store.survey_units(run.id).await? {
        let tokens = store.issue_tokens(&ctx, run.id, u.unit_id, 12).await?;
        let quality = rng.below(3) as i64;
        for t in tokens.iter().take(7 + rng.below(5) as usize) {
            let mut raw = Raw::new();
            raw.insert("doi_tuong".into(), vec![["lanh_dao", "dai_bieu", "cong_chuc"][rng.below(3) as usize].to_string()]);
            for (_, x) in q.questions().filter(|(_, x)| x.kind == parindex_core::survey::QuestionType::Likert) {
                raw.insert(x.name.clone(), vec![(2 + quality + rng.below(2) as i64).clamp(1, 5).to_string()]);
            }
            let answers = check(&q, &raw).map_err(|p| anyhow::anyhow!("demo officials' response: {p:?}"))?;
            anyhow::ensure!(store.redeem_token(t).await?, "a fresh token");
            let keys = count_keys(&q, &answers);
            store.record_responses(run.id, vec![ResponseIn { unit_id: u.unit_id, channel: "token".into(), answers, keys }]).await?;
        }
    }
    // the survey-sourced leaves (8.2–8.4) of this year's agency period get their points
    for p in store.list_periods().await?.into_iter().filter(|p| p.year == year) {
        store.apply_survey_points(&ctx, run.id, p.id).await?;
    }
    Ok(())
}

/// The demo's two periods of `year` (agencies; communes and wards), without deadlines.
fn demo_periods(year: i32) -> [parindex_store::repo::periods::PeriodInput; 2] {
    use parindex_store::repo::periods::PeriodInput;
    let period = |suffix: &str, who: &str, framework: &str, kinds: &[&str]| PeriodInput {
        code: format!("{year}-{suffix}"),
        name: format!("Chỉ số CCHC năm {year} — {who} (mẫu)"),
        year,
        framework_code: framework.into(),
        unit_kinds: kinds.iter().map(|k| k.to_string()).collect(),
        contact_username: Some("admin".into()),
        ..Default::default()
    };
    [period("SO", "sở, ban, ngành", "MAU-SO-2026", &["agency"]), period("XA", "xã, phường", "MAU-XA-2026", &["commune", "ward"])]
}

/// Last year's periods, done and approved: every unit scored, appraised (one leaf in seven
/// lowered, with its reason), the preliminary result sent; a few units explained and got an
/// answer, the others let the window close; the council approved after it. The dates are those
/// of last winter, so that every step happened within its deadline.
async fn seed_last_year(store: &Store) -> anyhow::Result<()> {
    let this_year = parindex_core::assessment::today_vn().format("%Y").to_string().parse::<i32>().unwrap_or(2026);
    // the year before the merger of communes (1 July 2025), under the previous framework
    let before = this_year - 2;
    let old = seed_previous_framework(store, before).await?;
    let communes = FORMER.iter().filter(|f| f.3 == "commune").map(|f| f.1.to_string()).collect();
    let base = parindex_store::repo::periods::PeriodInput {
        code: format!("{before}-XA"),
        name: format!("Chỉ số CCHC năm {before} — xã (trước sắp xếp, mẫu)"),
        year: before,
        framework_code: old,
        unit_codes: communes,
        contact_username: Some("admin".into()),
        ..Default::default()
    };
    seed_closed_period(store, base, before).await?;
    for base in demo_periods(this_year - 1) {
        seed_closed_period(store, base, this_year - 1).await?;
    }
    Ok(())
}

/// The communes' framework of two years ago: this year's with a criterion worded differently,
/// published, and the crosswalk to this year's confirmed — so that
/// last year's results compare with it through the crosswalk, with the warning.
async fn seed_previous_framework(store: &Store, year: i32) -> anyhow::Result<String> {
    let ctx = AuditCtx::system("demo-seed");
    let code = format!("MAU-XA-{year}");
    let draft =
        store.new_framework_version(&ctx, "MAU-XA-2026", &code, Some(format!("Bộ chỉ số CCHC cấp xã (MẪU, áp dụng năm {year})"))).await?;
    let (_, mut fw) = store.get_framework(&draft.code).await?;
    fw.valid_from = Some(year);
    fw.valid_to = Some(year);
    let first: Option<String> = parindex_store::repo::periods::all_leaves(&fw).first().map(|n| n.code.clone());
    if let Some(n) = first.and_then(|c| parindex_core::framework::edit::node_mut(&mut fw, &c)) {
        n.title = format!("{} (theo hướng dẫn năm {year})", n.title);
    }
    store.save_framework_draft(&ctx, &draft.code, fw, "demo: the framework before the merger").await?;
    store.set_framework_status(&ctx, &draft.code, parindex_core::framework::Status::Published).await?;
    let (_, old) = store.get_framework(&draft.code).await?;
    let (_, new) = store.get_framework("MAU-XA-2026").await?;
    store.save_crosswalk(&ctx, parindex_core::framework::crosswalk::propose(&old, &new)).await?;
    Ok(draft.code)
}

/// One month's plausible one-stop counts of a unit for one procedure field: most files on time,
/// a weak unit (`weak`) late more often; parts never above their wholes.
pub fn demo_onestop_counts(rng: &mut Rng, weak: bool) -> parindex_core::onestop::Counts {
    let received = 15 + rng.below(120) as i64;
    let online = received * (45 + rng.below(50) as i64) / 100;
    let post = rng.below(3) as i64;
    let direct = (received - online - post).max(0);
    let resolved = received * (88 + rng.below(10) as i64) / 100;
    let late = resolved * (if weak { 6 + rng.below(15) } else { rng.below(5) }) as i64 / 100;
    let early = (resolved - late) * (20 + rng.below(40) as i64) / 100;
    let fee_files = received * (20 + rng.below(40) as i64) / 100;
    parindex_core::onestop::Counts {
        received_online: online,
        received_direct: direct,
        received_post: post,
        resolved_early: early,
        resolved_on_time: resolved - late - early,
        resolved_late: late,
        pending_within: (received - resolved) * 3 / 4,
        pending_over: if weak { rng.below(3) as i64 } else { 0 },
        returned: rng.below(2) as i64,
        online_full: online * (50 + rng.below(45) as i64) / 100,
        fee_files,
        paid_online: fee_files * (30 + rng.below(60) as i64) / 100,
        results_digitised: resolved * (60 + rng.below(40) as i64) / 100,
        records_digitised: received * (50 + rng.below(50) as i64) / 100,
    }
}

/// The one-stop statistics register (issue #18): every unit's monthly figures per procedure
/// field for the two years before this one and this year's months so far, imported the way the
/// office imports the one-stop system's export (one import per month). This year, every
/// seventh unit's figures have not come in yet, so that the period pages show data missing.
async fn seed_onestop(store: &Store) -> anyhow::Result<()> {
    let today = parindex_core::assessment::today_vn();
    let this_year = today.format("%Y").to_string().parse::<i32>().unwrap_or(2026);
    let this_month = today.format("%m").to_string().parse::<u32>().unwrap_or(12);
    for year in this_year - 2..=this_year {
        let last = if year == this_year { this_month.saturating_sub(1).max(1) } else { 12 };
        for month in 1..=last {
            // last year's December arrives after the council approved the year
            // (`seed_late_onestop`)
            if (year, month) != (this_year - 1, 12) {
                import_onestop_month(store, year, month).await?;
            }
        }
    }
    Ok(())
}

/// One month of the one-stop figures of every unit active that year, as the office imports the
/// one-stop system's export (this year's leave out every seventh unit: still missing).
async fn import_onestop_month(store: &Store, year: i32, month: u32) -> anyhow::Result<()> {
    use parindex_store::repo::onestop::{OnestopRow, OnestopUpload};
    let ctx = AuditCtx { actor_id: None, actor_name: "thuky".into(), ip: None };
    let this_year = parindex_core::assessment::today_vn().format("%Y").to_string().parse::<i32>().unwrap_or(2026);
    let units = store.list_units(parindex_core::UnitScope::All, &UnitFilter { status: StatusFilter::All, ..Default::default() }).await?;
    let year_of = |d: NaiveDate| d.format("%Y").to_string().parse::<i32>().unwrap_or(year);
    let mut rows = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let active = u.active_to.is_none_or(|d| year_of(d) >= year) && u.active_from.is_none_or(|d| year_of(d) <= year);
        if !active || (year == this_year && i % 7 == 6) {
            continue;
        }
        let fields: &[&str] = if u.kind == "commune" { &["Hộ tịch", "Chứng thực", "Đất đai"] } else { &[""] };
        let mut rng = Rng::new(u.id as u64 * 104_729 + (year as u64) * 13 + month as u64);
        for f in fields {
            rows.push(OnestopRow {
                row: 0,
                unit_code: u.code.clone(),
                month: format!("{year}-{month:02}"),
                field: f.to_string(),
                counts: demo_onestop_counts(&mut rng, i % 9 == 4),
            });
        }
    }
    let upload = OnestopUpload {
        origin: "xlsx",
        file_name: Some(format!("mot-cua-{year}-{month:02}.xlsx")),
        source_name: None,
        rows,
        replace_months: true,
        dry_run: false,
    };
    store.import_onestop(&ctx, upload).await.map_err(|e| anyhow::anyhow!("demo one-stop figures {year}-{month:02}: {e:?}"))?;
    Ok(())
}

/// Last year's December one-stop figures came after the council approved and published last
/// year's results (issue #18): imported now, they change nothing approved, until the council
/// decides a correction — the fed leaves are recomputed and the results published again as
/// version 2 with its reason (the portal keeps version 1).
async fn seed_late_onestop(store: &Store) -> anyhow::Result<()> {
    let today = parindex_core::assessment::today_vn();
    let last_year = today.format("%Y").to_string().parse::<i32>().unwrap_or(2026) - 1;
    import_onestop_month(store, last_year, 12).await?;
    let ctx = AuditCtx { actor_id: None, actor_name: "hoidong".into(), ip: None };
    for p in store.list_periods().await?.into_iter().filter(|p| p.year == last_year && p.approved()) {
        let decision = parindex_store::repo::periods::Decision {
            number: "35/QĐ-HĐTĐ".into(),
            date: date(last_year + 1, 3, 16).unwrap_or(today).min(today),
            signer: "Nguyễn Văn Minh, Chủ tịch Hội đồng thẩm định (dữ liệu mẫu)".into(),
        };
        let reason = format!(
            "Bổ sung số liệu một cửa tháng 12/{last_year}: Hệ thống thông tin giải quyết TTHC gửi chậm sau khi đã phê duyệt (dữ liệu mẫu)"
        );
        store.correct_fed_values(&ctx, p.id, decision, &reason, today).await?;
    }
    Ok(())
}

/// This year's reform plan (issue #19): the province's plan (units' plans due 31/01), each
/// unit's plan (every sixth missing, every sixth late), and 60 tasks over the agencies with
/// their statuses as the year has gone (most done by their deadline, some late, a few dropped,
/// some overdue).
async fn seed_plans(store: &Store) -> anyhow::Result<()> {
    use parindex_core::plans::TaskStatus;
    use parindex_store::repo::plans::{NewTask, PlanInput, TaskUpdate};
    let today = parindex_core::assessment::today_vn();
    let year = today.format("%Y").to_string().parse::<i32>().unwrap_or(2026);
    let office = AuditCtx { actor_id: None, actor_name: "thuky".into(), ip: None };
    let on = |m: u32, d: u32| date(year, m, d).unwrap_or(today).min(today);
    let plan = |number: String, signed_on, title: String, due| PlanInput { number, signed_on, title, unit_plans_due: due, file_id: None };
    let title = format!("Kế hoạch cải cách hành chính tỉnh Sơn La năm {year} (dữ liệu mẫu)");
    store.set_plan(&office, year, None, plan("25/KH-UBND".into(), on(1, 8), title, date(year, 1, 31))).await?;
    let units = store.list_units(parindex_core::UnitScope::All, &UnitFilter::default()).await?;
    let units: Vec<_> = units.into_iter().filter(|u| u.kind != "province").collect();
    for (i, u) in units.iter().enumerate() {
        let signed = match i % 6 {
            5 => continue,
            4 => on(2, 5 + (i % 15) as u32),
            _ => on(1, 12 + (i % 15) as u32),
        };
        let ctx = AuditCtx { actor_id: None, actor_name: format!("canbo.{}", u.code.to_lowercase()), ip: None };
        let number = format!("{}/KH-{}", 3 + i % 20, u.code);
        store
            .set_plan(&ctx, year, Some(u.id), plan(number, signed, format!("Kế hoạch CCHC năm {year} của {} (dữ liệu mẫu)", u.name), None))
            .await?;
    }
    const TITLES: [(&str, &str); 14] = [
        ("1", "Tuyên truyền về cải cách hành chính trên cổng thông tin điện tử"),
        ("1", "Tự kiểm tra công tác cải cách hành chính tại các phòng, đơn vị trực thuộc"),
        ("2", "Rà soát văn bản quy phạm pháp luật thuộc lĩnh vực quản lý"),
        ("2", "Tham mưu quy định phân cấp trong lĩnh vực quản lý"),
        ("3", "Rà soát, đơn giản hóa thủ tục hành chính"),
        ("3", "Công bố thủ tục được tiếp nhận trực tuyến toàn trình"),
        ("3", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính"),
        ("4", "Rà soát chức năng, nhiệm vụ, cơ cấu tổ chức"),
        ("4", "Sắp xếp, kiện toàn đơn vị sự nghiệp công lập trực thuộc"),
        ("5", "Cập nhật cơ sở dữ liệu cán bộ, công chức, viên chức"),
        ("5", "Bồi dưỡng kỹ năng cho công chức bộ phận một cửa"),
        ("6", "Giao quyền tự chủ tài chính cho đơn vị sự nghiệp công lập"),
        ("7", "Kết nối hệ thống quản lý văn bản liên thông bốn cấp"),
        ("7", "Triển khai chữ ký số cho lãnh đạo và công chức"),
    ];
    let agencies: Vec<_> = units.iter().filter(|u| u.kind == "agency" && u.active_to.is_none()).collect();
    if agencies.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::new();
    let mut per_domain: std::collections::HashMap<&str, usize> = Default::default();
    for k in 0..60 {
        let (domain, what) = TITLES[k % TITLES.len()];
        let n = per_domain.entry(domain).or_default();
        *n += 1;
        let owner = agencies[(k * 7) % agencies.len()];
        let co = agencies[(k * 7 + 3) % agencies.len()];
        let month = 3 + (k % 10) as u32;
        rows.push(NewTask {
            row: k + 1,
            code: format!("{domain}.{n}"),
            title: format!("{what} (dữ liệu mẫu)"),
            domain: Some(domain.into()),
            owner: owner.code.clone(),
            co_units: if k % 3 == 0 && co.id != owner.id { vec![co.code.clone()] } else { vec![] },
            deadline: date(year, month, 28).unwrap_or(today),
            output: Some(["Báo cáo kết quả", "Quyết định ban hành", "Văn bản trình UBND tỉnh", "Cơ sở dữ liệu cập nhật"][k % 4].into()),
        });
    }
    store.import_plan_tasks(&office, year, rows, false).await.map_err(|e| anyhow::anyhow!("demo plan tasks: {e:?}"))?;
    let tasks = store.plan_tasks(&parindex_store::repo::plans::TaskFilter { year, ..Default::default() }).await?;
    for (k, t) in tasks.iter().enumerate() {
        let ctx = AuditCtx { actor_id: None, actor_name: format!("canbo.{}", t.owner_code.to_lowercase()), ip: None };
        let past = t.deadline < today;
        let (status, done_on, reason, note) = match (past, k % 10) {
            (true, 0) => (TaskStatus::Dropped, None, Some("UBND tỉnh điều chỉnh kế hoạch (dữ liệu mẫu)"), None),
            (true, 1 | 2) => (TaskStatus::Doing, None, None, Some("Đang hoàn thiện hồ sơ trình (dữ liệu mẫu)")),
            (true, 3) => (
                TaskStatus::Done,
                Some((t.deadline + chrono::Duration::days(9)).min(today)),
                None,
                Some("Hoàn thành muộn do chờ ý kiến các sở (dữ liệu mẫu)"),
            ),
            (true, _) => (
                TaskStatus::Done,
                Some(t.deadline - chrono::Duration::days((k % 12) as i64)),
                None,
                Some("Đã hoàn thành, có văn bản kèm theo (dữ liệu mẫu)"),
            ),
            (false, 0..=3) => (TaskStatus::Doing, None, None, Some("Đang triển khai (dữ liệu mẫu)")),
            (false, _) => continue,
        };
        let update = TaskUpdate {
            status,
            done_on,
            reason: reason.map(str::to_string),
            note: note.map(str::to_string),
            file_id: None,
            version: t.version,
        };
        store.update_plan_task(&ctx, t.id, update, today).await?;
    }
    Ok(())
}

/// The inspections register (issue #20): the sample checklists, this year's plan with a reform
/// inspection at most units and records-and-archives / internal-affairs inspections at 35 and
/// 30, in the states their month gives (concluded, being inspected, planned), with findings,
/// recommendations and their follow-up (remedied, reported, returned, overdue).
async fn seed_inspections(store: &Store) -> anyhow::Result<()> {
    use parindex_core::access::Actor;
    use parindex_core::inspections::{Severity, TeamRole, Verdict};
    use parindex_store::repo::inspections::{
        DecisionInput, FindingInput, InspectionPlanInput, IssueInput, MemberInput, NewInspection, RecommendationInput, ResultInput,
        VisitInput,
    };
    let today = parindex_core::assessment::today_vn();
    let year = today.year();
    let ctx = AuditCtx::system("demo-seed");
    for c in parindex_reports::inspection::samples() {
        store.save_checklist(&ctx, &c).await?;
    }
    let users = store.list_users().await?;
    let actor = |name: &str| -> anyhow::Result<(Actor, AuditCtx)> {
        let u = users.iter().find(|u| u.username == name).ok_or_else(|| anyhow::anyhow!("demo user {name}"))?;
        let role = Role::parse(&u.role).ok_or_else(|| anyhow::anyhow!("role of {name}"))?;
        Ok((
            Actor { user_id: u.id, username: u.username.clone(), role, unit_id: u.unit_id },
            AuditCtx { actor_id: Some(u.id), actor_name: u.username.clone(), ip: None },
        ))
    };
    let (office, office_ctx) = actor("thuky")?;
    let plan = InspectionPlanInput {
        number: "12/KH-SNV".into(),
        signed_on: date(year, 1, 10).unwrap_or(today).min(today),
        title: format!("Kế hoạch kiểm tra công tác cải cách hành chính, văn thư, lưu trữ và nội vụ năm {year} (dữ liệu mẫu)"),
    };
    store.set_inspection_plan(&office_ctx, &office, year, plan).await?;
    let units: Vec<_> = store
        .list_units(parindex_core::UnitScope::All, &UnitFilter::default())
        .await?
        .into_iter()
        .filter(|u| u.kind != "province" && u.active_to.is_none())
        .collect();
    let id_of = |name: &str| users.iter().find(|u| u.username == name).map(|u| u.id).unwrap_or_default();
    let member = |name: &str, role, dept: &str| MemberInput { user_id: id_of(name), role, department: Some(dept.to_string()) };
    // (checklist, how many units, the team: (username, department) of the leader and the member)
    type Team<'a> = [(&'a str, &'a str); 2];
    let teams: [(&str, usize, Team); 3] = [
        ("kiem_tra_cchc", 72, [("thamdinh.snv", "Sở Nội vụ"), ("thamdinh.stp", "Sở Tư pháp")]),
        ("kiem_tra_vtlt", 35, [("thamdinh.cchc", "Sở Nội vụ"), ("thamdinh.vp", "Văn phòng UBND tỉnh")]),
        ("kiem_tra_noi_vu", 30, [("thamdinh.cchc", "Sở Nội vụ"), ("thamdinh.stc", "Sở Tài chính")]),
    ];
    let mut planned = Vec::new();
    for (t, (checklist, count, team)) in teams.iter().enumerate() {
        for (k, u) in units.iter().take(*count).enumerate() {
            // reform inspections spread over the year; the combined records and internal-affairs
            // visit the same unit in the same month
            let month = if t == 0 { 2 + (k * 7 % 11) as u32 } else { 3 + (k * 7 % 9) as u32 };
            // the health department's reform inspection stays ahead, in December, whatever the
            // day: its team and its staff (demo logins) can walk through a visit
            let upcoming = t == 0 && u.code == "SYT";
            let month = if upcoming { 12 } else { month };
            let members = vec![member(team[0].0, TeamRole::Leader, team[0].1), member(team[1].0, TeamRole::Member, team[1].1)];
            let n = NewInspection { unit_id: u.id, checklist: checklist.to_string(), planned_month: month, members };
            let id = store.plan_inspection(&office_ctx, &office, year, n).await?;
            if !upcoming {
                planned.push((id, month, k, team[0].0, team[1].0));
            }
        }
    }
    const FINDINGS: [&str; 4] = [
        "Chưa thực hiện đầy đủ nội dung theo yêu cầu; hồ sơ lưu chưa đủ.",
        "Thực hiện chậm so với thời hạn quy định.",
        "Chưa công khai hoặc công khai chưa đầy đủ, chưa cập nhật.",
        "Chưa có văn bản hướng dẫn, kiểm tra nội bộ.",
    ];
    const REMEDIES: [&str; 4] = [
        "Bổ sung đầy đủ hồ sơ, tài liệu còn thiếu; báo cáo kèm danh mục hồ sơ đã bổ sung.",
        "Rà soát, chấn chỉnh việc thực hiện đúng thời hạn; báo cáo kèm văn bản chỉ đạo.",
        "Niêm yết, công khai đầy đủ và cập nhật trên Cổng thông tin; báo cáo kèm ảnh chụp, đường dẫn.",
        "Ban hành văn bản hướng dẫn và tổ chức tự kiểm tra; báo cáo kèm kế hoạch, kết quả tự kiểm tra.",
    ];
    for (n, (id, month, k, leader, member_name)) in planned.into_iter().enumerate() {
        // a month past: visited on the 10th, concluded on the 20th (one in eight still being
        // written); the month now: visited, not concluded; later: planned
        let visit_on = date(year, month, 10).unwrap_or(today);
        if visit_on > today {
            continue;
        }
        let (lead, lead_ctx) = actor(leader)?;
        let (mem, mem_ctx) = actor(member_name)?;
        let detail = store.inspection(&mem, id, today).await?;
        let keys: Vec<String> = detail.checklist.items().into_iter().map(|(k, _, _)| k).collect();
        let verdict = |i: usize| match (n * 7 + i * 13 + k) % 20 {
            0 | 1 => Verdict::NotCompliant,
            2..=4 => Verdict::Partly,
            5 => Verdict::NotApplicable,
            _ => Verdict::Compliant,
        };
        let results = keys
            .iter()
            .enumerate()
            .map(|(i, key)| ResultInput {
                item_key: key.clone(),
                verdict: verdict(i),
                note: verdict(i).fails().then(|| "Đã đối chiếu hồ sơ lưu tại đơn vị (dữ liệu mẫu).".to_string()),
            })
            .collect();
        store.record_visit(&mem_ctx, &mem, id, VisitInput { version: 0, visited_on: Some(visit_on), results }, today).await?;
        let concluded_on = date(year, month, 20).unwrap_or(today);
        let findings: Vec<FindingInput> = keys
            .iter()
            .enumerate()
            .filter(|(i, _)| verdict(*i).fails())
            .take(3)
            .enumerate()
            .map(|(j, (i, key))| FindingInput {
                item_key: Some(key.clone()),
                severity: if verdict(i) == Verdict::NotCompliant { Severity::Moderate } else { Severity::Minor },
                text: format!("{} (dữ liệu mẫu)", FINDINGS[(i + j) % FINDINGS.len()]),
                recommendations: vec![RecommendationInput {
                    owner_unit_id: None,
                    text: format!("{} (dữ liệu mẫu)", REMEDIES[(i + j) % REMEDIES.len()]),
                    deadline: concluded_on + chrono::Duration::days(45 + 15 * (j as i64)),
                }],
            })
            .collect();
        store.save_findings(&mem_ctx, &mem, id, 0, findings).await?;
        if concluded_on > today || n % 8 == 5 {
            continue;
        }
        let summary = "Đơn vị cơ bản thực hiện đầy đủ các nhiệm vụ được kiểm tra; còn một số tồn tại nêu tại phần phát hiện (dữ liệu mẫu).";
        let issue = IssueInput { version: 0, number: format!("{}/KL-SNV", 20 + n), concluded_on, summary: summary.into() };
        store.issue_conclusion(&lead_ctx, &lead, id, issue, today).await?;
        // the unit's follow-up: most remedied, some reported or returned, some overdue
        let detail = store.inspection(&lead, id, today).await?;
        for (j, r) in detail.findings.iter().flat_map(|f| f.recommendations.iter()).enumerate() {
            let step = (n + j) % 7;
            let past = r.deadline < today;
            if step == 6 || (!past && step > 2) {
                continue;
            }
            let owner = Actor { user_id: 0, username: "canbo.donvi".into(), role: Role::UnitOfficer, unit_id: Some(r.owner_unit_id) };
            let owner_ctx = AuditCtx { actor_id: None, actor_name: "canbo.donvi".into(), ip: None };
            let text = "Đã khắc phục, ban hành văn bản chấn chỉnh và bổ sung hồ sơ (dữ liệu mẫu).";
            let reported = store.report_remediation(&owner_ctx, &owner, r.id, r.version, text, vec![]).await?;
            let decision = match step {
                5 => continue,
                4 => DecisionInput {
                    version: reported.version,
                    accept: false,
                    reason: Some("Chưa có văn bản chứng minh (dữ liệu mẫu).".into()),
                },
                _ => DecisionInput { version: reported.version, accept: true, reason: None },
            };
            store.decide_remediation(&lead_ctx, &lead, r.id, decision).await?;
        }
    }
    Ok(())
}

/// The public-apology register (issue #18): last year's and this year's late files per unit
/// (more at the units that are late more often), most apologised for in time, a few late or
/// not at all, this year's most recent still waiting (some overdue).
async fn seed_apologies(store: &Store) -> anyhow::Result<()> {
    use parindex_core::apology::{Kind, SentHow};
    use parindex_store::repo::apology::{CaseUpload, Letter, NewCase};
    let ctx = AuditCtx { actor_id: None, actor_name: "thuky".into(), ip: None };
    let today = parindex_core::assessment::today_vn();
    let this_year = today.format("%Y").to_string().parse::<i32>().unwrap_or(2026);
    let units = store.list_units(parindex_core::UnitScope::All, &UnitFilter::default()).await?;
    let procedures = [
        "Đăng ký khai sinh",
        "Chứng thực bản sao từ bản chính",
        "Cấp giấy chứng nhận quyền sử dụng đất",
        "Cấp giấy phép xây dựng",
        "Đăng ký hộ kinh doanh",
    ];
    let hows = [SentHow::Post, SentHow::Email, SentHow::InPerson, SentHow::Portal];
    for year in this_year - 1..=this_year {
        let last_month = if year == this_year { today.format("%m").to_string().parse::<u32>().unwrap_or(12) } else { 12 };
        for (i, u) in units.iter().enumerate() {
            let mut rng = Rng::new(u.id as u64 * 7_331 + year as u64);
            let n = if i % 9 == 4 { 3 + rng.below(3) } else { rng.below(3) };
            for k in 0..n {
                let month = 1 + rng.below(u64::from(last_month)) as u32;
                let Some(received_on) = NaiveDate::from_ymd_opt(year, month, 1 + rng.below(10) as u32) else { continue };
                let due_on = received_on + chrono::Duration::days(10 + rng.below(6) as i64);
                let row = NewCase {
                    row: 0,
                    unit_code: u.code.clone(),
                    file_code: format!("H{}.{year}{month:02}.{:04}", u.id, 1 + k),
                    procedure: procedures[rng.below(procedures.len() as u64) as usize].into(),
                    applicant: Some(format!("Người nộp hồ sơ {} (dữ liệu mẫu)", 1 + k)),
                    contact: Some("0212 3xx xxx (dữ liệu mẫu)".into()),
                    kind: if rng.below(6) == 0 { Kind::ExtraPapers } else { Kind::Late },
                    received_on,
                    due_on,
                    returned_on: (due_on < today).then(|| due_on + chrono::Duration::days(2 + rng.below(5) as i64)),
                };
                // recorded when the desk saw it would be late: the apology is due on the due date
                let recorded = (due_on - chrono::Duration::days(4)).min(today);
                let upload =
                    CaseUpload { origin: "import", file_name: Some(format!("ho-so-tre-han-{year}.xlsx")), rows: vec![row], dry_run: false };
                store.record_apology_cases(&ctx, upload, recorded).await.map_err(|e| anyhow::anyhow!("demo apology case: {e:?}"))?;
            }
        }
    }
    // the letters: most in time, some late, this year's latest not yet
    let cases = store.apology_cases(&Default::default()).await?;
    for (j, c) in cases.iter().enumerate() {
        let mut rng = Rng::new(c.id as u64 * 31);
        let late = rng.below(7) == 0;
        let none = rng.below(9) == 0 || c.due_on > today - chrono::Duration::days(10);
        if none {
            continue;
        }
        let date = if late {
            c.apology_due + chrono::Duration::days(3 + rng.below(10) as i64)
        } else {
            c.due_on - chrono::Duration::days(1 + rng.below(3) as i64)
        };
        let date = date.max(c.received_on).min(today);
        let letter = Letter {
            number: format!("{}/CV-XL", 10 + j),
            date,
            how: hows[rng.below(4) as usize],
            file_id: None,
            new_due_on: Some(c.due_on + chrono::Duration::days(5 + rng.below(5) as i64)),
        };
        store.record_apology_letter(&ctx, c.id, letter, today).await?;
    }
    Ok(())
}

/// A period of an earlier year, done and approved (see `seed_last_year`).
async fn seed_closed_period(store: &Store, base: parindex_store::repo::periods::PeriodInput, year: i32) -> anyhow::Result<()> {
    use parindex_store::repo::appraisal::AppraiserScope;
    use parindex_store::repo::periods::{EntryInput, PeriodInput, self_leaves};
    let ctx = AuditCtx::system("demo-seed");
    let on = |m: u32, d: u32, next: bool| NaiveDate::from_ymd_opt(if next { year + 1 } else { year }, m, d).expect("date");
    let all = AppraiserScope::All;
    {
        let p = store
            .create_period(
                &ctx,
                PeriodInput {
                    self_due: Some(on(12, 15, false)),
                    appraisal_due: Some(on(1, 15, true)),
                    explanation_due: Some(on(1, 31, true)),
                    final_due: Some(on(2, 15, true)),
                    approval_due: Some(on(2, 28, true)),
                    ..base
                },
            )
            .await?;
        seed_fed_values(store, p.id, year, None).await?;
        // the plans and reports registers start this year: the council leaves last year's
        // leaves fed by them out of the total, as it would decide
        for (leaf, _) in store.undecided_missing_feeds(p.id).await? {
            let why = format!("Năm {year} chưa theo dõi trên hệ thống; tiêu chí không tính điểm (dữ liệu mẫu).");
            store.decide_missing_feed(&ctx, p.id, &leaf, parindex_store::repo::feeds::MissingRule::Exclude, &why).await?;
        }
        for (n, a) in store.list_assessments(p.id, parindex_core::UnitScope::All).await?.iter().enumerate() {
            let view = store.get_assessment(a.id).await?;
            let leaves: Vec<_> = self_leaves(&view.framework, &a.unit_kind).into_iter().cloned().collect();
            let mut rng = Rng::new(a.unit_id as u64 * 104_729 + 11);
            for leaf in &leaves {
                let (Some(rule), Some(max)) = (leaf.rule.as_ref(), leaf.max.as_ref()) else { continue };
                let explanation = leaf
                    .evidence
                    .as_ref()
                    .filter(|e| e.required)
                    .map(|_| "Tài liệu kiểm chứng đã gửi bản giấy về Sở Nội vụ (dữ liệu mẫu).".to_string());
                let input = EntryInput { input: Some(demo_input(&mut rng, rule, max)), explanation, ..Default::default() };
                store.save_entry(&ctx, a.id, &leaf.code, input, on(12, 10, false)).await?;
            }
            store.submit_assessment(&ctx, a.id, on(12, 12, false)).await?;
            let view = store.get_assessment(a.id).await?;
            // last year's sociological survey ran outside the system: its results per leaf
            for leaf in parindex_store::repo::periods::leaves_from(&view.framework, &a.unit_kind, parindex_core::framework::Source::Survey)
            {
                let share = Exact::ratio(70 + rng.below(28) as i128, 100);
                let source = format!("Điều tra xã hội học năm {year} (dữ liệu mẫu)");
                store.record_survey_result(&ctx, a.id, &leaf.code, share, &source).await?;
            }
            for (i, leaf) in leaves.iter().enumerate() {
                let own = view.entries[&leaf.code].input.clone().unwrap_or_default();
                if (i + n) % 7 == 3 && !own.not_applicable {
                    let lower = zero_input(leaf.rule.as_ref().expect("rule"), &own);
                    let why = "Tài liệu kiểm chứng chưa chứng minh được kết quả (dữ liệu mẫu).".to_string();
                    store.appraise_entry(&ctx, a.id, &leaf.code, &all, lower, Some(why), on(1, 5, true)).await?;
                }
            }
            store.accept_self_scores(&ctx, a.id, &all, on(1, 6, true)).await?;
            store.send_preliminary(&ctx, a.id).await?;
            if n % 5 == 0 {
                // this unit explains its first lowered leaf; the appraiser accepts half of them
                let view = store.get_assessment(a.id).await?;
                let lowered =
                    view.entries.values().find(|e| e.appraised_at.is_some() && e.appraised_points != e.points).map(|e| e.node_code.clone());
                if let Some(code) = lowered {
                    let text = "Đơn vị đã thực hiện; xin gửi bổ sung văn bản (dữ liệu mẫu).";
                    store.save_contest(&ctx, a.id, &code, text, on(1, 20, true)).await?;
                    store.submit_contests(&ctx, a.id, on(1, 20, true)).await?;
                    let (input, answer) = if n % 10 == 0 {
                        (view.entries[&code].input.clone().unwrap_or_default(), "Chấp nhận giải trình (dữ liệu mẫu).")
                    } else {
                        (
                            view.entries[&code].appraised_input.clone().unwrap_or_default(),
                            "Giữ kết quả thẩm định: văn bản gửi bổ sung ban hành sau kỳ đánh giá (dữ liệu mẫu).",
                        )
                    };
                    store.final_appraise(&ctx, a.id, &code, &all, input, answer, on(2, 5, true)).await?;
                }
            }
        }
        // the council's bonus for a recognised initiative, and a penalty after a reprimand
        let assessments = store.list_assessments(p.id, parindex_core::UnitScope::All).await?;
        if let (Some(first), Some(second)) = (assessments.first(), assessments.get(3)) {
            let bonus = Input { value: Some(Exact::ratio(3, 2)), ..Default::default() };
            let why = "Quyết định công nhận sáng kiến CCHC cấp tỉnh (dữ liệu mẫu)";
            store.set_adjustment(&ctx, first.id, "T1", Some(bonus), why).await?;
            let penalty = Input { option: Some("phe_binh".into()), ..Default::default() };
            let why = "Thông báo kết luận kiểm tra công vụ: bị phê bình (dữ liệu mẫu)";
            store.set_adjustment(&ctx, second.id, "P1", Some(penalty), why).await?;
        }
        // the council's decision, as it would be signed (sample data)
        let decision = parindex_store::repo::periods::Decision {
            number: format!("{}/QĐ-HĐTĐ", 18 + p.year % 7),
            date: on(2, 20, true),
            signer: "Nguyễn Văn Minh, Chủ tịch Hội đồng thẩm định (dữ liệu mẫu)".into(),
        };
        store.approve_period(&ctx, p.id, decision, on(2, 20, true)).await?;
        // and published on the portal
        store.publish_results(&ctx, p.id, None).await?;
    }
    Ok(())
}

/// The fed leaves' figures as the reform office uploads them (issue #18): one upload per leaf
/// with every unit of the period, or all but every `skip_every`-th one (this year's, still
/// waiting for some units' figures).
async fn seed_fed_values(store: &Store, period_id: i64, year: i32, skip_every: Option<usize>) -> anyhow::Result<()> {
    use parindex_store::repo::feeds::{FeedUpload, NewFeedValue};
    let ctx = AuditCtx { actor_id: None, actor_name: "thuky".into(), ip: None };
    let fw = store.period_framework(period_id).await?;
    for leaf in store.period_feeds(period_id).await? {
        let Some(node) = fw.find(&leaf.code) else { continue };
        let (Some(rule), Some(max)) = (node.rule.as_ref(), node.max.as_ref()) else { continue };
        if leaf.feed != parindex_core::framework::Feed::Imported.key() {
            continue;
        }
        let mut rng = Rng::new(period_id as u64 * 7_877 + leaf.code.bytes().map(u64::from).sum::<u64>());
        let source = format!("Báo cáo tổng hợp đến 31/12/{year} của cơ quan thẩm định (dữ liệu mẫu)");
        let rows: Vec<NewFeedValue> = leaf
            .units
            .iter()
            .enumerate()
            .filter(|(i, _)| skip_every.is_none_or(|k| i % k != k - 1))
            .map(|(_, u)| NewFeedValue {
                row: 0,
                unit_code: u.unit_code.clone(),
                input: Some(demo_input(&mut rng, rule, max)),
                source: Some(source.clone()),
            })
            .collect();
        let file = format!("so-lieu-{}-{year}.xlsx", leaf.code);
        store
            .import_feed_values(&ctx, period_id, &leaf.code, FeedUpload { origin: "xlsx", file_name: Some(file), rows, dry_run: false })
            .await
            .map_err(|e| anyhow::anyhow!("demo figures of {}: {e:?}", leaf.code))?;
    }
    Ok(())
}

/// A plausible self-assessment input: most units do well, some less so.
pub fn demo_input(rng: &mut Rng, rule: &Rule, max: &Exact) -> Input {
    let mut i = Input::default();
    match rule {
        Rule::Options { options } => {
            let best = options.iter().position(|o| &o.points == max).unwrap_or(0);
            let pick = if rng.below(10) < 7 { best } else { rng.below(options.len() as u64) as usize };
            i.option = Some(options[pick].key.clone());
        }
        Rule::YesNo => i.yes = Some(rng.below(100) < 85),
        Rule::Bands { .. } => i.percent = Some(Exact::ratio(65 + rng.below(36) as i128, 1)),
        Rule::Proportional => {
            let d = 40 + rng.below(400) as i128;
            i.numerator = Some(Exact::ratio(d * (80 + rng.below(21) as i128) / 100, 1));
            i.denominator = Some(Exact::ratio(d, 1));
        }
        Rule::Deduction { .. } => i.count = Some(Exact::ratio(rng.below(3) as i128, 1)),
        Rule::Manual { step } => {
            let steps = (max.clone() / step.clone()).to_f64().floor() as i128;
            let down = rng.below(3) as i128;
            i.value = Some(step.clone() * Exact::ratio((steps - down).max(0), 1));
        }
        Rule::Survey => i.result = Some(Exact::ratio(80, 100)),
    }
    i
}

/// This year's period for agencies and for communes and wards, with units in several states:
/// submitted, half-way, not started. The demo officers' units (STC, SYT, P-CHIENGSINH) are left
/// half-way for them to go on with. Deadlines are counted from today so that the demo stays
/// usable whenever it is started.
async fn seed_periods(store: &Store) -> anyhow::Result<()> {
    use parindex_store::repo::periods::{EntryInput, PeriodInput, self_leaves};
    let ctx = AuditCtx::system("demo-seed");
    let today = parindex_core::assessment::today_vn();
    let year = today.format("%Y").to_string().parse::<i32>().unwrap_or(2026);
    let plus = |days: i64| Some(today + chrono::Duration::days(days));
    for base in demo_periods(year) {
        let p = store
            .create_period(
                &ctx,
                PeriodInput {
                    self_due: plus(18),
                    appraisal_due: plus(49),
                    explanation_due: plus(65),
                    final_due: plus(80),
                    approval_due: plus(110),
                    ..base
                },
            )
            .await?;
        // this year's figures: a few units still wait for theirs
        seed_fed_values(store, p.id, year, Some(7)).await?;
        let assessments = store.list_assessments(p.id, parindex_core::UnitScope::All).await?;
        let mut submitted = Vec::new();
        for (n, a) in assessments.iter().enumerate() {
            let view = store.get_assessment(a.id).await?;
            let leaves: Vec<_> = self_leaves(&view.framework, &a.unit_kind).into_iter().cloned().collect();
            let mut rng = Rng::new(a.unit_id as u64 * 7919 + p.id as u64);
            let share = match (a.unit_code.as_str(), n % 4) {
                ("STC" | "SYT" | "P-CHIENGSINH", _) => 2,
                (_, 0) | (_, 1) => 4,
                (_, 2) => 2,
                _ => 0,
            };
            let filled = leaves.len() * share / 4;
            for leaf in leaves.iter().take(filled) {
                let (Some(rule), Some(max)) = (leaf.rule.as_ref(), leaf.max.as_ref()) else { continue };
                let input = demo_input(&mut rng, rule, max);
                // sample data has no files: where evidence is required, the unit explains
                let explanation = leaf
                    .evidence
                    .as_ref()
                    .filter(|e| e.required)
                    .map(|_| "Tài liệu kiểm chứng đã gửi bản giấy về Sở Nội vụ (dữ liệu mẫu).".to_string());
                store
                    .save_entry(&ctx, a.id, &leaf.code, EntryInput { input: Some(input), explanation, ..Default::default() }, today)
                    .await?;
            }
            if share == 4 && n % 4 == 0 {
                store.submit_assessment(&ctx, a.id, today).await?;
                submitted.push(a.id);
            }
        }
        // the appraisal goes on for the first submitted units, to show every state
        let all = parindex_store::repo::appraisal::AppraiserScope::All;
        for (k, id) in submitted.iter().enumerate().take(4) {
            let view = store.get_assessment(*id).await?;
            let codes: Vec<String> = self_leaves(&view.framework, &view.assessment.unit_kind).iter().map(|n| n.code.clone()).collect();
            if k == 3 {
                store
                    .appraise_entry(&ctx, *id, &codes[0], &all, view.entries[&codes[0]].input.clone().unwrap_or_default(), None, today)
                    .await?;
                store.return_entry(&ctx, *id, &codes[1], &all, "Bổ sung văn bản chứng minh (dữ liệu mẫu).", today).await?;
                continue;
            }
            let upto = if k == 2 { codes.len() / 2 } else { codes.len() };
            for (i, code) in codes.iter().enumerate().take(upto) {
                let own = view.entries[code].input.clone().unwrap_or_default();
                // the appraisal lowers one leaf in ten to zero, with its reason
                let (input, comment) = if i % 10 == 3 && !own.not_applicable {
                    let leaf = view.framework.find(code).expect("leaf");
                    (
                        zero_input(leaf.rule.as_ref().expect("rule"), &own),
                        Some("Tài liệu kiểm chứng chưa chứng minh được kết quả (dữ liệu mẫu).".to_string()),
                    )
                } else {
                    (own, None)
                };
                store.appraise_entry(&ctx, *id, code, &all, input, comment, today).await?;
            }
            if k <= 1 {
                store.send_preliminary(&ctx, *id).await?;
            }
            if k == 0 {
                store
                    .save_contest(&ctx, *id, &codes[3], "Đề nghị xem xét lại: kết quả đã được Sở Tư pháp xác nhận (dữ liệu mẫu).", today)
                    .await?;
                store.submit_contests(&ctx, *id, today).await?;
            }
        }
    }
    Ok(())
}

/// An input worth zero under `rule` (what an appraiser enters when nothing is proven).
fn zero_input(rule: &Rule, own: &Input) -> Input {
    let mut i = Input::default();
    match rule {
        Rule::Options { options } => i.option = options.iter().find(|o| o.points.is_zero()).or(options.last()).map(|o| o.key.clone()),
        Rule::YesNo => i.yes = Some(false),
        Rule::Bands { .. } => i.percent = Some(Exact::ZERO),
        Rule::Proportional => {
            i.numerator = Some(Exact::ZERO);
            i.denominator = own.denominator.clone().or(Some(Exact::ONE));
        }
        Rule::Deduction { .. } => i.count = Some(Exact::int(100)),
        Rule::Manual { .. } => i.value = Some(Exact::ZERO),
        Rule::Survey => i.result = Some(Exact::ZERO),
    }
    i
}

/// A one-page PDF standing for a unit's signed report in the demo (made here, not copied):
/// the demo's report rounds attach it, and `parindex demo` writes it under its hash
/// ([`files`]).
pub fn signed_report_pdf() -> Vec<u8> {
    let text = "BT /F1 14 Tf 72 760 Td (Bao cao cai cach hanh chinh - ban ky (du lieu mau)) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}

/// The files the demo's records cite, by SHA-256 (written into the files directory by
/// `parindex demo`; the tests' demo has the records without the files).
pub fn files() -> Vec<(String, Vec<u8>)> {
    use sha2::Digest;
    let pdf = signed_report_pdf();
    vec![(hex::encode(sha2::Sha256::digest(&pdf)), pdf)]
}

/// Periodic reports: the sample form, last quarter's round closed (every agency asked; most
/// accepted, one sent late, one never sent, one returned and sent again) and the year's round
/// open (some drafts, some sent), so the consolidation and the late list show.
async fn seed_reports(store: &Store) -> anyhow::Result<()> {
    use parindex_core::reporting::RoundKind;
    use parindex_store::repo::reporting::{ReportAction, RoundInput};
    let today = parindex_core::assessment::today_vn();
    let year = today.format("%Y").to_string().parse::<i32>().unwrap_or(2026);
    let office = AuditCtx { actor_id: None, actor_name: "thuky".into(), ip: None };
    let form = parindex_reports::report_form::sample_form();
    store.set_report_form(&office, form.clone()).await?;
    let q3 = store
        .open_report_round(
            &office,
            RoundInput {
                year,
                kind: RoundKind::Quarter,
                label: format!("Báo cáo CCHC quý III năm {year}"),
                form_code: form.code.clone(),
                targets: vec!["agency".into()],
                deadline: date(year, 9, 20).unwrap_or(today),
                months: Some([7, 9]),
            },
        )
        .await?;
    let yearly = store
        .open_report_round(
            &office,
            RoundInput {
                year,
                kind: RoundKind::Year,
                label: format!("Báo cáo CCHC năm {year}"),
                form_code: form.code.clone(),
                targets: vec!["agency".into()],
                deadline: date(year, 12, 15).unwrap_or(today).max(today + chrono::Duration::days(9)),
                months: Some([1, 12]),
            },
        )
        .await?;
    let (sha, pdf) = files().remove(0);
    let units = store.round_units(&q3).await?;
    for (i, u) in units.iter().enumerate() {
        let unit_ctx = AuditCtx { actor_id: None, actor_name: format!("canbo.{}", u.code.to_lowercase()), ip: None };
        let leader = AuditCtx { actor_id: None, actor_name: format!("lanhdao.{}", u.code.to_lowercase()), ip: None };
        let file = store
            .add_evidence(&unit_ctx, u.unit_id, &sha, pdf.len() as i64, parindex_core::evidence::Kind::Pdf, "bao-cao-co-chu-ky.pdf")
            .await?;
        // the one-stop cells as the register has them, where the rest of the table agrees
        let fill_q3 = store.report_register_fill(&q3, u.unit_id).await?.raw;
        let fill_year = store.report_register_fill(&yearly, u.unit_id).await?.raw;
        let content = |k: usize, fill: &std::collections::HashMap<String, String>| {
            let mut raw: std::collections::HashMap<String, String> = std::collections::HashMap::new();
            for s in &form.sections {
                match &s.table {
                    None => {
                        raw.insert(
                            format!("n.{}", s.key),
                            format!("{} (dữ liệu mẫu): {} đã triển khai đúng kế hoạch trong kỳ.", s.title, u.name),
                        );
                    }
                    Some(t) => {
                        for (ri, r) in t.rows.iter().filter(|r| r.formula.is_none()).enumerate() {
                            for c in t.columns.iter().filter(|c| c.formula.is_none()) {
                                let n =
                                    |base: usize| ((u.unit_id as usize * 7 + base * 3 + (k + ri) * 5 + c.key.len()) % 9 + base).to_string();
                                let v = match (s.key.as_str(), c.key.as_str()) {
                                    ("mot_cua", _) => match r.key.as_str() {
                                        "tiep_nhan" => n(60),
                                        "dung_han" => n(20),
                                        _ => "1".into(),
                                    },
                                    (_, c) => match c {
                                        "ghi_chu" => String::new(),
                                        "ke_hoach" => n(12),
                                        "thuc_hien" => n(2),
                                        "truc_tuyen" => n(40),
                                        "truc_tiep" => n(20),
                                        "buu_chinh" => n(1),
                                        _ => match r.key.as_str() {
                                            "ra_soat" | "phan_anh" | "tiep_nhan" => n(30),
                                            "dung_han" => n(10),
                                            "qua_han" => "1".into(),
                                            _ => n(3),
                                        },
                                    },
                                };
                                raw.insert(parindex_core::reporting::cell_field(&s.key, &r.key, &c.key), v);
                            }
                        }
                    }
                }
            }
            let typed = form.read(&raw).0;
            raw.extend(fill.clone());
            let filled = form.read(&raw).0;
            if form.problems(&filled, true).is_empty() { filled } else { typed }
        };
        let write = |ctx: AuditCtx, action: ReportAction, round: i64| {
            let store = store.clone();
            async move { store.write_report(&ctx, round, u.unit_id, action, 0).await }
        };
        // last quarter: every fifth never sent, every seventh sent late (see the times below)
        if i % 5 != 4 {
            write(unit_ctx.clone(), ReportAction::Save { content: content(i, &fill_q3), file_id: Some(file.id) }, q3.id).await?;
            write(leader.clone(), ReportAction::Submit, q3.id).await?;
            if i % 6 == 2 {
                write(
                    office.clone(),
                    ReportAction::Return {
                        reason:
                            "Bảng II: số văn bản được kiểm tra chưa khớp với báo cáo của Sở Tư pháp; đề nghị rà soát lại (dữ liệu mẫu)."
                                .into(),
                    },
                    q3.id,
                )
                .await?;
                write(leader.clone(), ReportAction::Submit, q3.id).await?;
            }
            write(office.clone(), ReportAction::Accept, q3.id).await?;
            let sent = if i % 7 == 3 { date(year, 9, 24) } else { date(year, 9, 12 + (i % 8) as u32) };
            if let Some(d) = sent {
                store.demo_backdate_report(q3.id, u.unit_id, d).await?;
            }
        }
        // this year's report: a third sent, a third drafting, the rest not started
        match i % 3 {
            0 => {
                write(unit_ctx.clone(), ReportAction::Save { content: content(i + 1, &fill_year), file_id: Some(file.id) }, yearly.id)
                    .await?;
                write(leader.clone(), ReportAction::Submit, yearly.id).await?;
            }
            1 => {
                write(unit_ctx.clone(), ReportAction::Save { content: content(i + 1, &fill_year), file_id: None }, yearly.id).await?;
            }
            _ => {}
        }
    }
    store.close_report_round(&office, q3.id, true).await?;
    Ok(())
}
