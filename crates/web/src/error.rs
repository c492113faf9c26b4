//! One error type for pages and API. A handler returns `AppError`; the response carries the
//! error as an extension, and `render` (called by the context middleware, which knows the
//! reader's language) turns it into an HTML page or a JSON body. Internal errors are logged and
//! never shown.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use parindex_core::Msg;
use parindex_core::unit::{FieldError, RowError};
use parindex_store::StoreError;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use parindex_core::Lang;

#[derive(Debug, Clone)]
pub enum AppError {
    Unauthenticated,
    InvalidToken,
    Forbidden,
    /// A refusal that says why (e.g. a leaf another agency appraises).
    Denied(Msg),
    CrossSite,
    NotFound,
    BadRequest(Msg),
    Invalid(Vec<FieldError>),
    ImportRows(Vec<RowError>),
    /// A framework file with problems, each naming its node code.
    Framework(Vec<parindex_core::framework::Problem>),
    Conflict(Msg),
    TooManyRequests,
    PayloadTooLarge,
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::InvalidToken => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Denied(_) | AppError::CrossSite => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) | AppError::ImportRows(_) | AppError::Framework(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidToken => "invalid_token",
            AppError::Forbidden | AppError::Denied(_) => "forbidden",
            AppError::CrossSite => "cross_site_request",
            AppError::NotFound => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid(_) => "invalid_input",
            AppError::ImportRows(_) => "invalid_file",
            AppError::Framework(_) => "invalid_framework",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests => "too_many_requests",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Internal(_) => "internal",
        }
    }

    /// The headline message, in both languages.
    pub fn message(&self) -> Msg {
        match self {
            AppError::Unauthenticated => Msg::new("Bạn cần đăng nhập.", "You need to sign in."),
            AppError::InvalidToken => Msg::new("Mã truy cập API không hợp lệ hoặc đã bị thu hồi.", "The API token is invalid or revoked."),
            AppError::Forbidden => Msg::new(
                "Bạn không có quyền xem hoặc thực hiện thao tác này. Nếu cần, hãy liên hệ Phòng CCHC.",
                "You are not allowed to see or do this. Ask the reform office if you need access.",
            ),
            AppError::CrossSite => Msg::new(
                "Yêu cầu bị từ chối vì không xuất phát từ trang của hệ thống. Hãy tải lại trang và thử lại.",
                "The request was refused because it did not come from this site. Reload the page and try again.",
            ),
            AppError::NotFound => Msg::new("Không tìm thấy trang hoặc dữ liệu yêu cầu.", "The page or record was not found."),
            AppError::BadRequest(m) | AppError::Conflict(m) | AppError::Denied(m) => m.clone(),
            AppError::Invalid(_) => {
                Msg::new("Dữ liệu nhập chưa hợp lệ; xem chi tiết từng trường.", "Some fields are not valid; see each field.")
            }
            AppError::ImportRows(rows) => Msg::new(
                format!("Tệp có {} lỗi; chưa có dữ liệu nào được ghi. Sửa các dòng được nêu rồi tải lên lại.", rows.len()),
                format!("The file has {} problem(s); nothing was written. Fix the rows listed and upload again.", rows.len()),
            ),
            AppError::Framework(p) => Msg::new(
                format!("Bộ chỉ số có {} lỗi; chưa có gì được ghi. Sửa các tiêu chí được nêu rồi gửi lại.", p.len()),
                format!("The framework has {} problem(s); nothing was written. Fix the nodes listed and try again.", p.len()),
            ),
            AppError::TooManyRequests => {
                Msg::new("Quá nhiều yêu cầu; hãy chờ vài phút rồi thử lại.", "Too many requests; wait a few minutes and try again.")
            }
            AppError::PayloadTooLarge => Msg::new("Tệp tải lên quá lớn.", "The upload is too large."),
            AppError::Internal(_) => Msg::new(
                "Đã có lỗi trong hệ thống; dữ liệu của bạn không bị thay đổi. Hãy thử lại hoặc báo quản trị viên.",
                "Something went wrong on our side; nothing was changed. Try again or tell the administrator.",
            ),
        }
    }

    /// JSON body of the API: `{"error": {code, message, message_vi, message_en, details}}`.
    pub fn json(&self, lang: Lang) -> serde_json::Value {
        let m = self.message();
        let details: Vec<serde_json::Value> = match self {
            AppError::Invalid(fields) => fields.iter().map(|f| json!({"field": f.field, "message": f.message.get(lang.code())})).collect(),
            AppError::ImportRows(rows) => {
                rows.iter().map(|r| json!({"row": r.row, "field": r.field, "message": r.message.get(lang.code())})).collect()
            }
            AppError::Framework(problems) => {
                problems.iter().map(|p| json!({"code": p.code, "message": p.message.get(lang.code())})).collect()
            }
            _ => vec![],
        };
        json!({"error": {"code": self.code(), "message": m.get(lang.code()), "message_vi": m.vi, "message_en": m.en, "details": details}})
    }

    /// A response for places that run before the context exists (middleware).
    pub fn into_response_for(self, path: &str) -> Response {
        if path.starts_with("/api/") {
            (self.status(), axum::Json(self.json(Lang::Vi))).into_response()
        } else {
            let m = self.message();
            let body = format!(
                "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>parindex</title><body><h1>{}</h1><p>{}</p><p lang=\"en\">{}</p><p><a href=\"/\">Trang chủ / Home</a></p></body></html>",
                self.status().as_u16(),
                escape(&m.vi),
                escape(&m.en),
            );
            (self.status(), Html(body)).into_response()
        }
    }
}

/// Minimal HTML escaping for text placed outside templates.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!("internal error: {e}");
        }
        let mut r = self.status().into_response();
        r.extensions_mut().insert(self);
        r
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Forbidden(m) => AppError::Denied(m),
            StoreError::Invalid(f) => AppError::Invalid(f),
            StoreError::InvalidFramework(p) => AppError::Framework(p),
            StoreError::Unsupported(m) => AppError::BadRequest(m),
            StoreError::Db(e) => AppError::Internal(e.to_string()),
        }
    }
}

/// Error body of every API error.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    pub error: ApiErrorBody,
}

#[derive(Serialize, ToSchema)]
pub struct ApiErrorBody {
    /// Machine-readable code, e.g. `forbidden`, `invalid_input`, `invalid_file`.
    pub code: String,
    /// The message in the request's language.
    pub message: String,
    pub message_vi: String,
    pub message_en: String,
    /// Per field (`field`) or per row (`row`, `field`) problems.
    pub details: Vec<serde_json::Value>,
}
