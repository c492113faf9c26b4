//! Official documents (issue #7 items 1–2), each as DOCX (editable in Word and LibreOffice) and
//! as PDF (typst), from one `parindex_reports::document::Document` built here from the store:
//!
//! | document | where | who |
//! |---|---|---|
//! | the period's results report (Báo cáo kết quả Chỉ số CCHC) | `/periods/{id}/bao-cao.{docx,pdf}` | `ViewResults` (office, council, leadership) |
//! | a unit's self-assessment report (Báo cáo tự đánh giá) | `/assessments/{id}/bao-cao-tu-danh-gia.{docx,pdf}` | the unit's staff, the office |
//! | the appraisal minutes of a unit (Biên bản thẩm định) | `/assessments/{id}/bien-ban-tham-dinh.{docx,pdf}` | the office and the council; the unit once its preliminary result is sent |
//!
//! Numbers are the same exact values the pages show, rounded to the framework's decimals, with a
//! decimal comma in Vietnamese. The documents are drafts for the office's clerk: the number is
//! left blank, the signer's name is written by hand (Decree 30 registers a document when it is
//! signed). Layout and fonts: `parindex_reports::docx`, `parindex_typeset`.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use parindex_core::framework::Stage;
use parindex_core::{Action, Exact, Resource};
use parindex_reports::document::{Align, Block, Document, Row, Run, Signature, Table, date_words, upper};
use parindex_store::repo::periods::{AssessmentView, all_leaves};
use parindex_store::repo::results::PeriodResults;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Vietnamese or English text, by the reader's language.
/// The words of a document in the reader's language (`core::Lang` formats the numbers).
struct Words(parindex_core::Lang);

impl Words {
    fn of(ctx: &Ctx) -> Words {
        Words(ctx.lang)
    }
    /// Vietnamese.
    fn vi(&self) -> bool {
        self.0 == parindex_core::Lang::Vi
    }
    fn t(&self, vi: &str, en: &str) -> String {
        self.0.pick(vi, en).to_string()
    }
    fn num(&self, x: &Exact, d: u32) -> String {
        self.0.num(x, d)
    }
    /// An index with `d` decimals, "—" when nothing applies.
    fn index(&self, x: Option<&Exact>, d: u32) -> String {
        x.map(|x| self.num(x, d)).unwrap_or_else(|| "—".into())
    }
    /// " (gồm điểm thưởng …, điểm trừ …)." after a total that includes bonuses or penalties; "." otherwise.
    fn adjusted(&self, s: &parindex_core::framework::ScoreSheet, d: u32) -> String {
        let mut parts = Vec::new();
        if !s.bonus.is_zero() {
            parts.push(format!("{} {}", self.t("điểm thưởng", "bonus"), self.num(&s.bonus, d)));
        }
        if !s.penalty.is_zero() {
            parts.push(format!("{} {}", self.t("điểm trừ", "penalty"), self.num(&s.penalty, d)));
        }
        if parts.is_empty() { ".".into() } else { format!(" ({} {}).", self.t("gồm", "including"), parts.join(", ")) }
    }
    /// `part ÷ whole × 100` with `d` decimals, "—" when nothing applies.
    fn share(&self, part: &Exact, whole: &Exact, d: u32) -> String {
        if whole.is_zero() { "—".into() } else { self.num(&(part.clone() * Exact::HUNDRED / whole.clone()), d) }
    }
}

/// The province's People's Committee (parent body) and the place written before the date,
/// from the unit of kind `province` ("Tỉnh Sơn La (dữ liệu mẫu)" → "UBND TỈNH SƠN LA", "Sơn La").
async fn province(state: &AppState) -> (String, String) {
    use parindex_store::repo::units::{StatusFilter, UnitFilter};
    let f = UnitFilter { q: None, kind: Some("province".into()), status: StatusFilter::Active };
    let name = state
        .store
        .list_units(parindex_core::UnitScope::All, &f)
        .await
        .ok()
        .and_then(|v| v.into_iter().next())
        .map(|u| u.name)
        .unwrap_or_default();
    let name = name.split(" (").next().unwrap_or("").trim().to_string();
    let place = ["Tỉnh ", "tỉnh ", "Thành phố ", "thành phố "].iter().find_map(|p| name.strip_prefix(p)).unwrap_or(&name).to_string();
    (if name.is_empty() { "UBND TỈNH".into() } else { format!("UBND {}", upper(&name)) }, place)
}

async fn skeleton(state: &AppState, l: &Words, issuer: &str, number: &str, kind: &str, title: String) -> Document {
    let (parent, place) = province(state).await;
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    let date = date_words(today, l.vi());
    Document {
        lang: if l.vi() { "vi" } else { "en" }.into(),
        parent,
        issuer: upper(issuer),
        number: format!("{}       /{number}", l.t("Số:", "No.:")),
        national: l.t("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIET NAM"),
        motto: l.t("Độc lập - Tự do - Hạnh phúc", "Independence - Freedom - Happiness"),
        place_date: if place.is_empty() { date } else { format!("{place}, {date}") },
        kind: kind.into(),
        title,
        blocks: Vec::new(),
        recipients_label: l.t("Nơi nhận:", "Recipients:"),
        recipients: Vec::new(),
        signatures: Vec::new(),
    }
}

/// A report of the office (Sở Nội vụ) with its number's suffix, kind and title, for other
/// pages' documents (the periodic reports' consolidation).
pub(crate) async fn skeleton_for(state: &AppState, ctx: &Ctx, number: &str, kind_vi: &str, kind_en: &str, title: String) -> Document {
    let l = Words::of(ctx);
    let kind = l.t(kind_vi, kind_en);
    let mut doc = skeleton(state, &l, "Sở Nội vụ", number, &kind, title).await;
    doc.recipients = vec![
        l.t("- Bộ Nội vụ;", "- Ministry of Home Affairs;"),
        l.t("- UBND tỉnh;", "- Provincial People's Committee;"),
        l.t("- Lưu: VT, CCHC.", "- Filed: office, reform."),
    ];
    doc.signatures = vec![parindex_reports::document::Signature {
        authority: l.t("KT. GIÁM ĐỐC", "FOR THE DIRECTOR"),
        position: l.t("PHÓ GIÁM ĐỐC", "DEPUTY DIRECTOR"),
        note: String::new(),
        name: String::new(),
    }];
    doc
}

/// Send a document of another page as DOCX or PDF.
pub(crate) async fn send_document(doc: Document, name: &str, format: &'static str) -> Result<Response, AppError> {
    send(doc, name, format).await
}

/// Send `doc` as `name.docx` or `name.pdf` (rendered on a blocking thread).
async fn send(doc: Document, name: &str, format: &'static str) -> Result<Response, AppError> {
    let pdf = match format {
        "docx" => false,
        "pdf" => true,
        _ => return Err(AppError::NotFound),
    };
    let bytes = tokio::task::spawn_blocking(move || {
        if pdf { parindex_typeset::pdf(&doc) } else { parindex_typeset::docx(&doc).map_err(|e| e.to_string()) }
    })
    .await
    .map_err(|e| AppError::Internal(format!("document: {e}")))?
    .map_err(|e| AppError::Internal(format!("document: {e}")))?;
    let file = format!("{name}.{format}");
    Ok(crate::chrome::download(bytes, if pdf { "application/pdf" } else { DOCX }, &file))
}

// ---------------------------------------------------------------------------------------------
// (a) The period's results report

fn results_report(l: &Words, r: &PeriodResults, mut doc: Document, framework_name: &str) -> Document {
    let d = r.decimals;
    let year = r.period.year;
    let ranked: Vec<&parindex_store::repo::results::UnitResult> = r.units.iter().filter(|u| u.index.is_some()).collect();
    let indices: Vec<Exact> = ranked.iter().filter_map(|u| u.index.clone()).collect();
    let summary = parindex_core::results::summary(&indices);
    let b = &mut doc.blocks;
    b.push(Block::heading(l.t("I. KHÁI QUÁT", "I. OVERVIEW")));
    b.push(Block::text(if l.vi() {
        format!(
            "Sở Nội vụ đã tổ chức xác định Chỉ số cải cách hành chính năm {year} ({}) đối với {} cơ quan, đơn vị theo Bộ chỉ số “{framework_name}”. \
             Điểm của mỗi tiêu chí thành phần là điểm thẩm định cuối cùng, nếu không có thì điểm thẩm định, nếu không có thì điểm tự đánh giá; \
             tiêu chí không áp dụng được loại khỏi điểm tối đa; Chỉ số = tổng điểm đạt được ÷ tổng điểm tối đa áp dụng × 100.",
            r.period.name,
            r.units.len()
        )
    } else {
        format!(
            "The Department of Home Affairs determined the {year} administrative-reform index ({}) of {} agencies and units under the framework “{framework_name}”. \
             Each leaf counts its final appraisal, else its appraisal, else the unit's own score; leaves that do not apply leave the maximum; \
             Index = points achieved ÷ applicable maximum × 100.",
            r.period.name,
            r.units.len()
        )
    }));
    // the council's decision, once approved; until then the results are said to be provisional
    b.push(Block::text(match &r.period.decision {
        Some(dc) => format!(
            "{} {}.",
            l.t("Kết quả đã được Hội đồng thẩm định phê duyệt theo", "The results were approved by the appraisal council by"),
            dc.text(if l.vi() { "vi" } else { "en" })
        ),
        None => l
            .t(
                "Kết quả chưa được Hội đồng thẩm định phê duyệt; số liệu có thể còn thay đổi.",
                "The results are not approved by the appraisal council yet; figures may still change.",
            )
            .to_string(),
    }));
    // fed leaves some units had no data for, and what the council decided (issue #18)
    for n in &r.data_notes {
        b.push(Block::text(if l.vi() { n.vi.clone() } else { n.en.clone() }));
    }
    b.push(Block::heading(l.t("II. KẾT QUẢ", "II. RESULTS")));
    if let Some(s) = &summary {
        let top = ranked.first().map(|u| u.unit_name.clone()).unwrap_or_default();
        let bottom = ranked.last().map(|u| u.unit_name.clone()).unwrap_or_default();
        b.push(Block::runs(vec![
            Run::plain(l.t("Chỉ số bình quân của tỉnh: ", "Province mean index: ")),
            Run::bold(l.num(&s.mean, d)),
            Run::plain(l.t("; trung vị: ", "; median: ")),
            Run::bold(l.num(&s.median, d)),
            Run::plain(l.t("; cao nhất: ", "; highest: ")),
            Run::bold(l.num(&s.max, d)),
            Run::plain(format!(" ({top})")),
            Run::plain(l.t("; thấp nhất: ", "; lowest: ")),
            Run::bold(l.num(&s.min, d)),
            Run::plain(format!(" ({bottom}).")),
        ]));
    }
    if !r.groups.is_empty() {
        let counts: Vec<String> = r
            .groups
            .iter()
            .map(|g| {
                let n = r.units.iter().filter(|u| u.group.as_deref() == Some(g.label.as_str())).count();
                format!("{} {}: {n}", l.t("nhóm", "group"), g.label)
            })
            .collect();
        b.push(Block::text(format!("{}: {}.", l.t("Phân nhóm", "Groups"), counts.join("; "))));
    }
    let with_prev = r.previous.as_ref().map(|(p, _)| p.year);
    let mut header = vec![
        l.t("Xếp hạng", "Rank"),
        l.t("Cơ quan, đơn vị", "Agency / unit"),
        l.t("Tổng điểm", "Points"),
        l.t("Tối đa áp dụng", "Applicable max"),
        l.t("Chỉ số", "Index"),
        l.t("Nhóm", "Group"),
    ];
    if let Some(y) = with_prev {
        header.push(format!("{} {y}", l.t("Chỉ số", "Index")));
    }
    let rows = r
        .units
        .iter()
        .map(|u| {
            let mut c = vec![
                u.rank.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
                u.unit_name.clone(),
                l.num(&u.total, d),
                l.num(&u.applicable_max, d),
                u.index.as_ref().map(|i| l.num(i, d)).unwrap_or_else(|| "—".into()),
                u.group.clone().unwrap_or_default(),
            ];
            if with_prev.is_some() {
                let p = u.previous.as_ref().and_then(|p| p.index.as_ref()).map(|i| l.num(i, d)).unwrap_or_else(|| "—".into());
                let star = if u.previous.as_ref().is_some_and(|p| !p.via.is_empty()) { " *" } else { "" };
                c.push(format!("{p}{star}"));
            }
            Row::new(c)
        })
        .collect();
    let mut widths = vec![1.1, 5.0, 1.5, 1.5, 1.4, 1.1];
    let mut align = vec![Align::Center, Align::Left, Align::Right, Align::Right, Align::Right, Align::Center];
    if with_prev.is_some() {
        widths.push(1.5);
        align.push(Align::Right);
    }
    b.push(Block::Table(Table {
        caption: l.t("Bảng 1. Kết quả Chỉ số cải cách hành chính", "Table 1. Administrative-reform index"),
        widths,
        align,
        header,
        rows,
    }));
    if r.units.iter().any(|u| u.previous.as_ref().is_some_and(|p| !p.via.is_empty())) {
        b.push(Block::runs(vec![Run::italic(l.t(
            "(*) Đơn vị hình thành sau sắp xếp: so sánh với bình quân chỉ số của các đơn vị trước sắp xếp.",
            "(*) A unit formed by a merger: compared with the mean index of the units it was formed from.",
        ))]));
    }
    // Distribution of the index and of each domain (share of the applicable maximum).
    let mut box_rows: Vec<(String, [f64; 6])> = Vec::new();
    let five = |s: &parindex_core::results::Summary| {
        [s.min.to_f64(), s.q1.to_f64(), s.median.to_f64(), s.q3.to_f64(), s.max.to_f64(), s.mean.to_f64()]
    };
    if let Some(s) = &summary {
        box_rows.push((l.t("Chỉ số", "Index"), five(s)));
    }
    let mut domain_means: Vec<(usize, Exact)> = Vec::new();
    for (i, dm) in r.domains.iter().enumerate() {
        let shares: Vec<Exact> = r
            .units
            .iter()
            .filter_map(|u| u.domains.get(i))
            .filter(|x| !x.applicable_max.is_zero())
            .map(|x| x.points.clone() * Exact::HUNDRED / x.applicable_max.clone())
            .collect();
        if let Some(s) = parindex_core::results::summary(&shares) {
            box_rows.push((format!("{} {}", dm.code, dm.title), five(&s)));
            domain_means.push((i, s.mean));
        }
    }
    if !box_rows.is_empty() {
        b.push(Block::Chart {
            caption: l.t(
                "Hình 1. Phân bố Chỉ số và tỷ lệ điểm đạt theo lĩnh vực (%; hộp: tứ phân vị, vạch: trung vị, chấm: bình quân)",
                "Figure 1. Distribution of the index and of each domain's share (%; box: quartiles, bar: median, dot: mean)",
            ),
            svg: parindex_reports::charts::boxplot_svg(&l.t("Phân bố", "Distribution"), &box_rows, l.vi()),
            width_cm: 16.0,
        });
    }
    b.push(Block::heading(l.t("III. KẾT QUẢ THEO LĨNH VỰC", "III. RESULTS BY DOMAIN")));
    for (i, dm) in r.domains.iter().enumerate() {
        b.push(Block::subheading(format!("{}. {} ({} {})", i + 1, dm.title, l.t("tối đa", "max"), l.num(&dm.max, d))));
        let mut units: Vec<&parindex_store::repo::results::UnitResult> =
            r.units.iter().filter(|u| u.domains.get(i).is_some_and(|x| !x.applicable_max.is_zero())).collect();
        units.sort_by_key(|u| (u.domains[i].rank.unwrap_or(usize::MAX), u.unit_code.clone()));
        let rows = units
            .iter()
            .map(|u| {
                let x = &u.domains[i];
                Row::new(vec![
                    x.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
                    u.unit_name.clone(),
                    l.num(&x.points, d),
                    l.num(&x.applicable_max, d),
                    l.share(&x.points, &x.applicable_max, 1),
                ])
            })
            .collect();
        b.push(Block::Table(Table {
            caption: format!("{} {}. {} “{}”", l.t("Bảng", "Table"), i + 2, l.t("Xếp hạng lĩnh vực", "Ranking in the domain"), dm.title),
            widths: vec![1.1, 5.4, 1.5, 1.6, 1.4],
            align: vec![Align::Center, Align::Left, Align::Right, Align::Right, Align::Right],
            header: vec![
                l.t("Xếp hạng", "Rank"),
                l.t("Cơ quan, đơn vị", "Agency / unit"),
                l.t("Điểm", "Points"),
                l.t("Tối đa áp dụng", "Applicable max"),
                l.t("Tỷ lệ (%)", "Share (%)"),
            ],
            rows,
        }));
    }
    b.push(Block::heading(l.t("IV. ĐÁNH GIÁ CHUNG", "IV. ASSESSMENT")));
    domain_means.sort_by(|a, b| b.1.cmp(&a.1));
    if let (Some(best), Some(worst)) = (domain_means.first(), domain_means.last()) {
        let name = |i: usize| format!("{} {}", r.domains[i].code, r.domains[i].title);
        b.push(Block::text(if l.vi() {
            format!(
                "Lĩnh vực có tỷ lệ điểm đạt bình quân cao nhất là {} ({} %); thấp nhất là {} ({} %). Đây là lĩnh vực các cơ quan, đơn vị cần tập trung cải thiện.",
                name(best.0),
                l.num(&best.1, 1),
                name(worst.0),
                l.num(&worst.1, 1)
            )
        } else {
            format!(
                "The domain with the highest mean share is {} ({} %); the lowest is {} ({} %), where agencies and units should focus.",
                name(best.0),
                l.num(&best.1, 1),
                name(worst.0),
                l.num(&worst.1, 1)
            )
        }));
    }
    b.push(Block::heading(l.t("V. ĐỀ XUẤT, KIẾN NGHỊ", "V. PROPOSALS")));
    b.push(Block::text(l.t(
        "Đề nghị các cơ quan, đơn vị căn cứ kết quả Chỉ số cải cách hành chính, rà soát những tiêu chí, tiêu chí thành phần đạt điểm thấp, xây dựng kế hoạch khắc phục (nội dung, người thực hiện, thời hạn) và cập nhật tiến độ trên hệ thống; kết quả khắc phục được xem xét khi tự đánh giá năm sau.",
        "Agencies and units are asked to review their low-scoring criteria, plan corrective actions (what, who, by when) and record progress in the system; what they achieve is considered in next year's self-assessment.",
    )));
    doc.recipients = vec![
        l.t("- UBND tỉnh (để báo cáo);", "- Provincial People's Committee (to report);"),
        l.t("- Các thành viên Hội đồng thẩm định;", "- Members of the appraisal council;"),
        l.t("- Các cơ quan, đơn vị;", "- Agencies and units;"),
        l.t("- Lưu: VT, CCHC.", "- Archive: records, reform office."),
    ];
    doc.signatures = vec![Signature {
        authority: l.t("KT. GIÁM ĐỐC", "P.P. DIRECTOR"),
        position: l.t("PHÓ GIÁM ĐỐC", "DEPUTY DIRECTOR"),
        note: String::new(),
        name: String::new(),
    }];
    doc
}

async fn period_report(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, format: &'static str) -> Result<Response, AppError> {
    ctx.require(Action::ViewResults, Resource::System)?;
    let (doc, name) = period_report_doc(&state, &ctx, id).await?;
    send(doc, &name, format).await
}

/// The period's results report (the caller checked the reader may read results) and its file
/// name without extension.
async fn period_report_doc(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Document, String), AppError> {
    let r = state.store.period_results(id).await?;
    let fw =
        state.store.get_framework(&r.period.framework_code).await.map(|f| f.1.name).unwrap_or_else(|_| r.period.framework_code.clone());
    let l = Words::of(ctx);
    let title = l.t(
        &format!("Kết quả xác định Chỉ số cải cách hành chính năm {} của các cơ quan, đơn vị", r.period.year),
        &format!("The {} administrative-reform index of agencies and units", r.period.year),
    );
    let doc = skeleton(state, &l, "Sở Nội vụ", "BC-SNV", &l.t("BÁO CÁO", "REPORT"), title).await;
    Ok((results_report(&l, &r, doc, &fw), format!("bao-cao-{}", r.period.code)))
}

/// Every document of a period in one ZIP (issue #17), written to `path`: the results report,
/// and per unit whose self-assessment was submitted its self-assessment report and, once
/// appraised, the appraisal minutes — as DOCX, in a folder per unit. `progress` counts units.
pub async fn write_period_zip(
    state: &AppState,
    ctx: &Ctx,
    period_id: i64,
    path: &std::path::Path,
    progress: crate::app::survey_data::Progress,
) -> Result<u64, parindex_store::StoreError> {
    let err = |e: String| {
        parindex_store::StoreError::Conflict(parindex_core::Msg::new(format!("Lỗi tạo tệp ZIP: {e}"), format!("ZIP error: {e}")))
    };
    let fail = |e: AppError| err(format!("{e:?}"));
    let docx = |doc: Document| parindex_typeset::docx(&doc).map_err(|e| err(e.to_string()));
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let (report, name) = period_report_doc(state, ctx, period_id).await.map_err(fail)?;
    files.push((format!("{name}.docx"), docx(report)?));
    for a in state.store.list_assessments(period_id, parindex_core::UnitScope::All).await? {
        if a.state != parindex_core::assessment::State::Draft && a.state != parindex_core::assessment::State::Returned {
            let view = state.store.get_assessment(a.id).await?;
            let folder = parindex_reports::evidence::folder_name(&a.unit_code, &a.unit_name);
            let (doc, name) = self_report_doc(state, ctx, &view).await.map_err(fail)?;
            files.push((format!("{folder}/{name}.docx"), docx(doc)?));
            if a.appraised > 0 {
                let (doc, name) = minutes_doc(state, ctx, &view).await.map_err(fail)?;
                files.push((format!("{folder}/{name}.docx"), docx(doc)?));
            }
        }
        progress.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    let path = path.to_path_buf();
    let n = files.len() as u64;
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        parindex_reports::evidence::zip_entries(std::fs::File::create(&path)?, files)?.sync_all()
    })
    .await
    .map_err(|e| err(e.to_string()))?
    .map_err(|e| err(e.to_string()))?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// (b) A unit's self-assessment report and (c) the appraisal minutes

/// The leaves meant for the unit's kind, grouped under their top-level domain.
fn domains_of(view: &AssessmentView) -> Vec<(&parindex_core::framework::Node, Vec<&parindex_core::framework::Node>)> {
    let kind = &view.assessment.unit_kind;
    let meant = |n: &parindex_core::framework::Node| n.applies_to.is_empty() || n.applies_to.contains(kind);
    view.framework
        .nodes
        .iter()
        .filter(|n| meant(n))
        .map(|top| {
            let leaves = if top.is_leaf() {
                vec![top]
            } else {
                let sub = parindex_core::framework::Framework { nodes: vec![top.clone()], ..view.framework.clone() };
                let codes: Vec<String> = all_leaves(&sub).into_iter().filter(|n| meant(n)).map(|n| n.code.clone()).collect();
                codes.iter().filter_map(|c| view.framework.find(c)).collect()
            };
            (top, leaves)
        })
        .filter(|(_, leaves)| !leaves.is_empty())
        .collect()
}

fn not_applicable(view: &AssessmentView, code: &str) -> bool {
    view.entries.get(code).and_then(|e| e.input.as_ref()).is_some_and(|i| i.not_applicable)
}

async fn self_report(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, format: &'static str) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    crate::app::appraisal::require_read_assessment(&ctx, &view)?;
    let (doc, name) = self_report_doc(&state, &ctx, &view).await?;
    send(doc, &name, format).await
}

/// The unit's self-assessment report (the caller checked the reader may read it) and its file
/// name without extension.
async fn self_report_doc(state: &AppState, ctx: &Ctx, view: &AssessmentView) -> Result<(Document, String), AppError> {
    let id = view.assessment.id;
    let notes = state.store.report_notes(id).await?;
    let l = Words::of(ctx);
    let d = view.framework.decimals;
    let a = &view.assessment;
    let title = l.t(
        &format!("Kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm {} của {}", view.period.year, a.unit_name),
        &format!("Self-assessment of the {} administrative-reform index of {}", view.period.year, a.unit_name),
    );
    let mut doc = skeleton(state, &l, &a.unit_name, &format!("BC-{}", a.unit_code), &l.t("BÁO CÁO", "REPORT"), title).await;
    let domains = domains_of(view);
    // totals from the one computation (`Store::assessment_score`), as on the unit's page
    let scored = state.store.assessment_score(view, false).await?;
    let own = &scored.own.sheet;
    let mut tables = Vec::new();
    let mut unexplained: Vec<(String, String, String)> = Vec::new();
    for (i, (top, leaves)) in domains.iter().enumerate() {
        let domain = scored.compiled.position(&top.code).map(|p| &own.nodes[p]);
        let (dt, dm) = domain.map(|x| (x.points.clone(), x.applicable_max.clone())).unwrap_or_default();
        let mut rows = Vec::new();
        for n in leaves {
            let e = view.entries.get(&n.code);
            let max = n.max.clone().unwrap_or(Exact::ZERO);
            let na = not_applicable(view, &n.code);
            let pts = scored.leaf(Stage::Own, &n.code).map(|x| x.points.clone());
            let files = view.evidence.get(&n.code).map(|v| v.len()).unwrap_or(0);
            if !na && files == 0 && pts.as_ref().is_some_and(|p| !p.is_zero()) {
                let why = e.and_then(|e| e.explanation.clone()).unwrap_or_else(|| l.t("(chưa giải trình)", "(no explanation given)"));
                unexplained.push((n.code.clone(), n.title.clone(), why));
            }
            rows.push(Row::new(vec![
                n.code.clone(),
                n.title.clone(),
                l.num(&max, d),
                if na {
                    l.t("Không áp dụng", "Not applicable")
                } else {
                    pts.as_ref().map(|p| l.num(p, d)).unwrap_or_else(|| "—".into())
                },
                if files == 0 { l.t("Không", "None") } else { files.to_string() },
            ]));
        }
        rows.push(Row::bold(vec![String::new(), l.t("Cộng", "Total"), l.num(&dm, d), l.num(&dt, d), String::new()]));
        tables.push((i, top, rows));
    }
    let b = &mut doc.blocks;
    b.push(Block::heading(l.t("I. KẾT QUẢ TỰ ĐÁNH GIÁ", "I. SELF-ASSESSMENT")));
    b.push(Block::runs(vec![
        Run::plain(l.t(
            &format!(
                "Thực hiện kỳ đánh giá “{}”, {} đã tự đánh giá, chấm điểm theo Bộ chỉ số “{}”. Tổng điểm tự đánh giá: ",
                view.period.name, a.unit_name, view.framework.name
            ),
            &format!(
                "For the period “{}”, {} scored itself under the framework “{}”. Own total: ",
                view.period.name, a.unit_name, view.framework.name
            ),
        )),
        Run::bold(l.num(&own.total, d)),
        Run::plain(format!(
            "/{} {}",
            l.num(&own.applicable_max, d),
            l.t("điểm tối đa áp dụng, tương ứng Chỉ số ", "applicable maximum, an index of ")
        )),
        Run::bold(l.index(own.index.as_ref(), d)),
        Run::plain(l.adjusted(own, d)),
    ]));
    for (i, top, rows) in tables {
        b.push(Block::subheading(format!("{}. {}", i + 1, top.title)));
        b.push(Block::Table(Table {
            caption: String::new(),
            widths: vec![1.1, 6.0, 1.2, 1.5, 1.3],
            align: vec![Align::Left, Align::Left, Align::Right, Align::Right, Align::Center],
            header: vec![
                l.t("Mã", "Code"),
                l.t("Tiêu chí, tiêu chí thành phần", "Criterion"),
                l.t("Điểm tối đa", "Max"),
                l.t("Điểm tự đánh giá", "Own points"),
                l.t("Tài liệu kiểm chứng", "Evidence files"),
            ],
            rows,
        }));
    }
    b.push(Block::heading(l.t("II. GIẢI TRÌNH CÁC TIÊU CHÍ KHÔNG CÓ TÀI LIỆU KIỂM CHỨNG", "II. LEAVES SCORED WITHOUT EVIDENCE")));
    if unexplained.is_empty() {
        b.push(Block::text(l.t("Mọi tiêu chí có điểm đều có tài liệu kiểm chứng kèm theo.", "Every scored leaf has evidence attached.")));
    }
    for (code, title, why) in unexplained {
        b.push(Block::runs(vec![Run::bold(format!("{code} {title}: ")), Run::plain(why)]));
    }
    let paragraphs = |b: &mut Vec<Block>, text: &Option<String>| match text {
        Some(t) => t.split('\n').filter(|p| !p.trim().is_empty()).for_each(|p| b.push(Block::text(p.trim()))),
        None => b.push(Block::runs(vec![Run::italic(l.t("(Đơn vị chưa ghi nội dung này.)", "(The unit has not written this part.)"))])),
    };
    b.push(Block::heading(l.t("III. KHÓ KHĂN, VƯỚNG MẮC", "III. DIFFICULTIES")));
    paragraphs(b, &notes.difficulties);
    b.push(Block::heading(l.t("IV. ĐỀ XUẤT, KIẾN NGHỊ", "IV. RECOMMENDATIONS")));
    paragraphs(b, &notes.recommendations);
    doc.recipients =
        vec![l.t("- Sở Nội vụ (để thẩm định);", "- Department of Home Affairs (for appraisal);"), l.t("- Lưu: VT.", "- Archive.")];
    doc.signatures = vec![Signature {
        authority: String::new(),
        position: l.t("THỦ TRƯỞNG ĐƠN VỊ", "HEAD OF UNIT"),
        note: l.t("(Ký, ghi rõ họ tên, đóng dấu)", "(Signature, full name, seal)"),
        name: String::new(),
    }];
    Ok((doc, format!("bao-cao-tu-danh-gia-{}-{}", view.period.code, a.unit_code)))
}

#[derive(serde::Deserialize)]
struct NotesForm {
    difficulties: String,
    recommendations: String,
}

/// Save the unit's difficulties and recommendations (the unit's staff, until approved).
async fn save_notes(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<NotesForm>,
) -> Result<Response, AppError> {
    use axum::response::{IntoResponse, Redirect};
    let view = state.store.get_assessment(id).await?;
    ctx.require(Action::EditUnitDrafts, Resource::Unit(view.assessment.unit_id))?;
    match state.store.set_report_notes(&ctx.audit(), id, &f.difficulties, &f.recommendations).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?done=report_saved#report")).into_response()),
        Err(e @ (parindex_store::StoreError::Invalid(_) | parindex_store::StoreError::Conflict(_))) => {
            let text = crate::chrome::store_error_text(&ctx, &e).unwrap_or_default();
            crate::pages::assessment::assessment_error(&state, &ctx, id, text).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn minutes(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, format: &'static str) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    if !crate::app::appraisal::may_read_minutes(&ctx, &view) {
        ctx.require(Action::ManagePeriods, Resource::System)?;
    }
    let (doc, name) = minutes_doc(&state, &ctx, &view).await?;
    send(doc, &name, format).await
}

/// The appraisal minutes of an assessment (the caller checked the reader may read them) and
/// the file name without extension.
async fn minutes_doc(state: &AppState, ctx: &Ctx, view: &AssessmentView) -> Result<(Document, String), AppError> {
    let a = &view.assessment;
    let l = Words::of(ctx);
    let d = view.framework.decimals;
    let title = l.t(
        &format!("Thẩm định kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm {} của {}", view.period.year, a.unit_name),
        &format!("Appraisal of the {} administrative-reform self-assessment of {}", view.period.year, a.unit_name),
    );
    let mut doc = skeleton(state, &l, "Sở Nội vụ", "BB-SNV", &l.t("BIÊN BẢN", "MINUTES"), title).await;
    let settled = a.state.result_out();
    // the people who appraised, by their full names (the entries hold login names)
    let mut logins: Vec<String> = view.entries.values().flat_map(|e| [e.appraised_by.clone(), e.final_by.clone()]).flatten().collect();
    logins.sort();
    logins.dedup();
    let users = state.store.list_users().await?;
    let mut appraisers: Vec<String> = logins
        .iter()
        .map(|login| users.iter().find(|u| &u.username == login).map(|u| u.full_name.clone()).unwrap_or_else(|| login.clone()))
        .collect();
    appraisers.sort_by_key(|a| parindex_core::text::sort_key(a));
    appraisers.dedup();
    // own and counted points from the one computation (`Store::assessment_score`)
    let scored = state.store.assessment_score(view, false).await?;
    let (own_sheet, res_sheet) = (&scored.own.sheet, &scored.counted.sheet);
    let (mut lowered, mut raised) = (0usize, 0usize);
    let mut sections = Vec::new();
    let mut comments: Vec<(String, String)> = Vec::new();
    for (i, (top, leaves)) in domains_of(view).into_iter().enumerate() {
        let pos = scored.compiled.position(&top.code);
        let (o, r, m) = pos
            .map(|p| (own_sheet.nodes[p].points.clone(), res_sheet.nodes[p].points.clone(), res_sheet.nodes[p].applicable_max.clone()))
            .unwrap_or_default();
        let mut rows = Vec::new();
        for n in leaves {
            let e = view.entries.get(&n.code);
            let max = n.max.clone().unwrap_or(Exact::ZERO);
            let na = not_applicable(view, &n.code);
            let own = scored.leaf(Stage::Own, &n.code).map(|x| x.points.clone());
            let res = scored.leaf(Stage::Counted, &n.code).map(|x| x.points.clone());
            let appraised = e.is_some_and(|e| e.appraised_at.is_some() || e.final_at.is_some());
            let diff = match (&own, &res) {
                (Some(x), Some(y)) if appraised && x != y => {
                    if y < x {
                        lowered += 1
                    } else {
                        raised += 1
                    }
                    let dd = y.clone() - x.clone();
                    if dd > Exact::ZERO { format!("+{}", l.num(&dd, d)) } else { l.num(&dd, d).replacen('-', "−", 1) }
                }
                _ => String::new(),
            };
            if let Some(e) = e {
                for c in [&e.appraisal_comment, &e.final_comment].into_iter().flatten() {
                    comments.push((n.code.clone(), c.clone()));
                }
            }
            let dash = || "—".to_string();
            rows.push(Row::new(vec![
                n.code.clone(),
                n.title.clone(),
                l.num(&max, d),
                if na { l.t("KAD", "N/A") } else { own.as_ref().map(|p| l.num(p, d)).unwrap_or_else(dash) },
                if na {
                    l.t("KAD", "N/A")
                } else if appraised || settled {
                    // once the result is out, a leaf nobody changed counts as the unit gave it
                    res.as_ref().map(|p| l.num(p, d)).unwrap_or_else(dash)
                } else {
                    l.t("chưa", "pending")
                },
                diff,
            ]));
        }
        rows.push(Row::bold(vec![String::new(), l.t("Cộng", "Total"), l.num(&m, d), l.num(&o, d), l.num(&r, d), String::new()]));
        sections.push((i, top.title.clone(), rows));
    }
    let b = &mut doc.blocks;
    b.push(Block::text(if l.vi() {
        format!(
            "Hôm nay, {}, Sở Nội vụ (cơ quan thường trực Hội đồng thẩm định) tổng hợp kết quả thẩm định kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm {} của {} theo Bộ chỉ số “{}”.",
            date_words((chrono::Utc::now() + chrono::Duration::hours(7)).date_naive(), true),
            view.period.year,
            a.unit_name,
            view.framework.name
        )
    } else {
        format!(
            "Today, the Department of Home Affairs (standing body of the appraisal council) records the appraisal of the {} self-assessment of {} under the framework “{}”.",
            view.period.year, a.unit_name, view.framework.name
        )
    }));
    if !appraisers.is_empty() {
        b.push(Block::runs(vec![Run::plain(l.t("Người thẩm định: ", "Appraised by: ")), Run::plain(appraisers.join(", ") + ".")]));
    }
    b.push(Block::heading(l.t("I. KẾT QUẢ THẨM ĐỊNH", "I. RESULT OF THE APPRAISAL")));
    b.push(Block::runs(vec![
        Run::plain(l.t("Điểm tự đánh giá: ", "Own points: ")),
        Run::bold(l.num(&own_sheet.total, d)),
        Run::plain(l.t("; điểm sau thẩm định: ", "; after appraisal: ")),
        Run::bold(l.num(&res_sheet.total, d)),
        Run::plain(format!("/{} {}", l.num(&res_sheet.applicable_max, d), l.t("điểm tối đa áp dụng", "applicable maximum"))),
        Run::plain(format!("{} {}", l.t(", Chỉ số", ", index"), l.index(res_sheet.index.as_ref(), d))),
        Run::plain(l.adjusted(res_sheet, d).trim_end_matches('.').to_string()),
        Run::plain(l.t(
            &format!("; số tiêu chí thành phần bị giảm điểm: {lowered}, được tăng điểm: {raised}."),
            &format!("; leaves lowered: {lowered}, raised: {raised}."),
        )),
    ]));
    for (i, t, rows) in sections {
        b.push(Block::subheading(format!("{}. {t}", i + 1)));
        b.push(Block::Table(Table {
            caption: String::new(),
            widths: vec![1.1, 5.6, 1.2, 1.3, 1.4, 1.2],
            align: vec![Align::Left, Align::Left, Align::Right, Align::Right, Align::Right, Align::Right],
            header: vec![
                l.t("Mã", "Code"),
                l.t("Tiêu chí, tiêu chí thành phần", "Criterion"),
                l.t("Điểm tối đa", "Max"),
                l.t("Tự đánh giá", "Own"),
                l.t("Thẩm định", "Appraised"),
                l.t("Chênh lệch", "Change"),
            ],
            rows,
        }));
    }
    b.push(Block::heading(l.t("II. Ý KIẾN THẨM ĐỊNH", "II. APPRAISERS' COMMENTS")));
    if comments.is_empty() {
        b.push(Block::text(l.t("Không có ý kiến.", "No comments.")));
    }
    for (code, c) in comments {
        b.push(Block::runs(vec![Run::bold(format!("{code}: ")), Run::plain(c)]));
    }
    b.push(Block::text(l.t(
        "Biên bản được lập thành 02 bản có giá trị như nhau, Sở Nội vụ giữ 01 bản, đơn vị được thẩm định giữ 01 bản.",
        "These minutes are made in two copies of equal value, one for the Department of Home Affairs and one for the unit.",
    )));
    doc.signatures = vec![
        Signature {
            authority: String::new(),
            position: l.t("ĐẠI DIỆN ĐƠN VỊ", "FOR THE UNIT"),
            note: l.t("(Ký, ghi rõ họ tên)", "(Signature, full name)"),
            name: String::new(),
        },
        Signature {
            authority: l.t("TM. HỘI ĐỒNG THẨM ĐỊNH", "FOR THE APPRAISAL COUNCIL"),
            position: l.t("ĐẠI DIỆN SỞ NỘI VỤ", "DEPARTMENT OF HOME AFFAIRS"),
            note: l.t("(Ký, ghi rõ họ tên)", "(Signature, full name)"),
            name: String::new(),
        },
    ];
    Ok((doc, format!("bien-ban-tham-dinh-{}-{}", view.period.code, a.unit_code)))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/periods/{id}/bao-cao.docx", get(|s: State<AppState>, c: Ctx, p: Path<i64>| period_report(s, c, p, "docx")))
        .route("/periods/{id}/bao-cao.pdf", get(|s: State<AppState>, c: Ctx, p: Path<i64>| period_report(s, c, p, "pdf")))
        .route("/assessments/{id}/bao-cao-tu-danh-gia", axum::routing::post(save_notes))
        .route("/assessments/{id}/bao-cao-tu-danh-gia.docx", get(|s: State<AppState>, c: Ctx, p: Path<i64>| self_report(s, c, p, "docx")))
        .route("/assessments/{id}/bao-cao-tu-danh-gia.pdf", get(|s: State<AppState>, c: Ctx, p: Path<i64>| self_report(s, c, p, "pdf")))
        .route("/assessments/{id}/bien-ban-tham-dinh.docx", get(|s: State<AppState>, c: Ctx, p: Path<i64>| minutes(s, c, p, "docx")))
        .route("/assessments/{id}/bien-ban-tham-dinh.pdf", get(|s: State<AppState>, c: Ctx, p: Path<i64>| minutes(s, c, p, "pdf")))
}
