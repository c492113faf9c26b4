//! The self-assessment page saved as a whole (issue #17, "Lưu tất cả"): one multipart form holds
//! every leaf the unit scores, each leaf's files and library choice, and the buttons that take a
//! file off a leaf. Any of its buttons sends everything: what the officer changed (told from what
//! the page was drawn with by `leaf_view::digest`), the files to attach, the file to take off —
//! so attaching a file never loses the score typed beside it, and saving one leaf never loses
//! another. All or nothing (`app::leaves::save_sheet`): a refusal draws the page again (422) with
//! every message at its leaf and listed at the top, everything typed kept, and an uploaded file
//! offered again from the library. The leaf's own button carries `#leaf-…` in its action, so the
//! page comes back at that leaf.
//!
//! Field names are `{code}|{field}` (`version`, `orig`, the `LeafForm` fields, `note`,
//! `explanation`, `file`, `library`), plus `unlink` = `{code}|{file id}` and `at` = the leaf
//! whose button was pressed. With script enabled (`assets/editor.js`) the same request is sent
//! by `fetch` and the page's content replaced in place, without a reload.

use std::collections::{BTreeMap, HashMap};

use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use parindex_core::assessment::LeafForm;
use parindex_core::{Action, Msg, Resource};
use parindex_store::repo::periods::{SheetOutcome, self_leaves};

use crate::AppState;
use crate::app::leaves::{self, SheetLeaf};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::assessment::{Kept, Refusal, assessment_page};
use crate::pages::evidence::{Upload, library_id, multipart_error, take_upload};
use crate::pages::leaf_view::digest;

/// Longest text field accepted (a note or an explanation): 20,000 characters is pages of text.
const MAX_TEXT: usize = 20_000;

/// One leaf's fields as they arrived.
#[derive(Default)]
struct Fields {
    values: HashMap<String, String>,
    uploads: Vec<(i64, String)>,
}

async fn save_sheet(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    headers: HeaderMap,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    let view = state.store.get_assessment(id).await?;
    let unit_id = view.assessment.unit_id;
    ctx.require(Action::EditUnitDrafts, Resource::Unit(unit_id))?;
    let limit = state.config.max_upload_bytes;
    let declared = headers.get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(AppError::PayloadTooLarge);
    }
    let lang = ctx.lang.code();
    let codes: Vec<String> = self_leaves(&view.framework, &view.assessment.unit_kind).iter().map(|n| n.code.clone()).collect();
    // a form has at most a dozen fields per leaf; more is not this page
    let max_fields = codes.len() * 16 + 16;
    let mut leaves: BTreeMap<String, Fields> = BTreeMap::new();
    let mut unlinks = Vec::new();
    let mut at = String::new();
    let mut problems: Vec<(String, String)> = Vec::new();
    let mut seen = 0usize;
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        seen += 1;
        if seen > max_fields {
            return Err(AppError::BadRequest(Msg::new(
                "Biểu mẫu có quá nhiều trường; hãy tải lại trang tự đánh giá.",
                "The form has too many fields; reload the self-assessment page.",
            )));
        }
        let name = field.name().unwrap_or_default().to_string();
        if name == "unlink" || name == "at" {
            let v = text(&mut field).await?;
            if name == "at" {
                at = v;
            } else if let Some((code, fid)) = v.rsplit_once('|')
                && let Ok(fid) = fid.parse::<i64>()
            {
                unlinks.push((code.to_string(), fid));
            }
            continue;
        }
        let Some((code, key)) = name.rsplit_once('|') else { continue };
        if !codes.iter().any(|c| c == code) {
            continue;
        }
        let code = code.to_string();
        if key == "file" {
            match take_upload(&state, &ctx, unit_id, &mut field).await? {
                Upload::None => {}
                Upload::Kept(f) => leaves.entry(code).or_default().uploads.push((f.id, f.name)),
                Upload::Refused(m) => problems.push((code, m)),
                Upload::TooLarge(m) => {
                    // the rest of the request is not read: its size is not known to be safe
                    problems.push((code, m));
                    break;
                }
            }
            continue;
        }
        let v = text(&mut field).await?;
        leaves.entry(code).or_default().values.insert(key.to_string(), v);
    }
    // what changed, what to attach
    let mut changed = Vec::new();
    let mut links = Vec::new();
    let mut kept = HashMap::new();
    for (code, f) in &leaves {
        let get = |k: &str| f.values.get(k).cloned().unwrap_or_default();
        let form = LeafForm {
            option: get("option"),
            yes: get("yes"),
            percent: get("percent"),
            numerator: get("numerator"),
            denominator: get("denominator"),
            count: get("count"),
            value: get("value"),
            not_applicable: f.values.get("not_applicable").cloned(),
        };
        let (note, explanation) = (get("note"), get("explanation"));
        let mut library: Vec<String> = f.uploads.iter().map(|(id, name)| format!("#{id} {name}")).collect();
        for (id, _) in &f.uploads {
            links.push((code.clone(), *id));
        }
        let lib = get("library");
        if let Some(eid) = library_id(&lib) {
            links.push((code.clone(), eid));
            library.push(lib.trim().to_string());
        }
        if f.values.contains_key("version") && digest(&form, &note, &explanation) != get("orig") {
            changed.push(SheetLeaf {
                code: code.clone(),
                form: form.clone(),
                note: note.clone(),
                explanation: explanation.clone(),
                version: get("version").trim().parse().unwrap_or(0),
            });
        }
        kept.insert(code.clone(), Kept { form, note, explanation, library: library.join(" ") });
    }
    if at.is_empty()
        && let Some((code, _)) = unlinks.first()
    {
        at = code.clone();
    }
    let anchor = |code: &str| if code.is_empty() { "sheet-bar".to_string() } else { format!("leaf-{}", crate::chrome::urlencode(code)) };
    let refused = if problems.is_empty() {
        match leaves::save_sheet(&state, &ctx, &view, changed, links, unlinks).await {
            Ok(SheetOutcome::Saved { entries, links, unlinks }) => {
                let done = if entries + links + unlinks == 0 {
                    "unchanged".to_string()
                } else {
                    format!("saved&n={entries}&f={}", links + unlinks)
                };
                return Ok(Redirect::to(&format!("/assessments/{id}?done={done}#{}", anchor(&at))).into_response());
            }
            Ok(SheetOutcome::Refused(list)) => {
                // a leaf somebody saved meanwhile shows the newer value, not what was typed
                for r in list.iter().filter(|r| r.stale) {
                    if let Some(k) = kept.get_mut(&r.code) {
                        *k = Kept { library: std::mem::take(&mut k.library), ..Kept::stored(&view, &r.code, ctx.lang) };
                    }
                }
                list.into_iter().map(|r| (r.code, r.message.get(lang).to_string())).collect()
            }
            Err(AppError::Conflict(m)) => {
                return assessment_page(&state, &ctx, id, Refusal::default(), Some(m.get(lang).to_string()), StatusCode::CONFLICT, None)
                    .await;
            }
            Err(e) => return Err(e),
        }
    } else {
        problems
    };
    let status =
        if refused.iter().any(|(_, m)| m.contains("MB")) { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::UNPROCESSABLE_ENTITY };
    assessment_page(&state, &ctx, id, Refusal { errors: refused, kept }, None, status, None).await
}

/// A text field, refused past [`MAX_TEXT`] characters while reading.
async fn text(field: &mut axum::extract::multipart::Field<'_>) -> Result<String, AppError> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        buf.extend_from_slice(&chunk);
        if buf.len() > MAX_TEXT * 4 {
            return Err(AppError::BadRequest(Msg::new(
                format!("Một ô chữ dài quá {MAX_TEXT} ký tự; hãy rút gọn hoặc đính kèm thành tệp."),
                format!("A text box is longer than {MAX_TEXT} characters; shorten it or attach it as a file."),
            )));
        }
    }
    String::from_utf8(buf)
        .map_err(|_| AppError::BadRequest(Msg::new("Biểu mẫu gửi chữ không đúng mã UTF-8.", "The form sent text that is not UTF-8.")))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/assessments/{id}/sheet", post(save_sheet))
}
