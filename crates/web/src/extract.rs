//! Extractors that answer bad input in the reader's language (issue #15): a query string that
//! does not parse (`?spread=abc`, `?offset=-5`, a missing parameter) is a 400 with a message
//! naming the parameter, rendered as the site's error page (or the API's JSON error), never
//! axum's plain English text.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use parindex_core::Msg;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// `axum::extract::Query` with our refusal.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        match axum::extract::Query::<T>::try_from_uri(&parts.uri) {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(e) => Err(AppError::BadRequest(query_message(&e.body_text()))),
        }
    }
}

/// The parameter a serde_urlencoded error is about, and what is wrong, in both languages.
fn query_message(detail: &str) -> Msg {
    let detail = detail.strip_prefix("Failed to deserialize query string: ").unwrap_or(detail);
    if let Some(rest) = detail.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        return Msg::new(
            format!("Địa chỉ trang thiếu tham số “{field}”. Hãy mở trang này từ liên kết hoặc nút trên hệ thống."),
            format!("The page address lacks the parameter “{field}”. Open this page from a link or button of the system."),
        );
    }
    let (field, _) = detail.split_once(": ").unwrap_or(("", detail));
    let field = if field.is_empty() || field.contains(' ') { "?" } else { field };
    Msg::new(
        format!(
            "Tham số “{field}” trong địa chỉ trang không hợp lệ (cần một số hoặc một giá trị có trong danh sách). Hãy quay lại và chọn lại trên trang."
        ),
        format!(
            "The parameter “{field}” in the page address is not valid (a number or one of the listed values is expected). Go back and choose again on the page."
        ),
    )
}

/// `axum::extract::Path` with our refusal (a path segment of the wrong type: 400 with a message).
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(e) => Err(AppError::BadRequest(Msg::new(
                format!("Địa chỉ không hợp lệ: {} Hãy mở trang từ liên kết của hệ thống.", vi_path_detail(&e.body_text())),
                format!("The address is not valid: {}. Open the page from a link of the system.", e.body_text()),
            ))),
        }
    }
}

fn vi_path_detail(detail: &str) -> String {
    if detail.contains("Cannot parse") || detail.contains("invalid digit") {
        "một phần của địa chỉ phải là số.".into()
    } else {
        "một phần của địa chỉ không đọc được.".into()
    }
}

/// `axum::Json` as a request body with our refusal (400, the API's JSON error with a message in
/// both languages), and as a response.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(e) => Err(AppError::BadRequest(Msg::new(
                format!("Nội dung JSON gửi lên không hợp lệ ({}). Xem tài liệu OpenAPI tại /api/v1/openapi.json.", e.body_text()),
                format!("The JSON body is not valid ({}). See the OpenAPI document at /api/v1/openapi.json.", e.body_text()),
            ))),
        }
    }
}

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn messages_name_the_parameter() {
        let m = super::query_message("Failed to deserialize query string: spread: invalid digit found in string");
        assert!(m.vi.contains("“spread”") && m.en.contains("“spread”"));
        let m = super::query_message("Failed to deserialize query string: missing field `a`");
        assert!(m.vi.contains("thiếu tham số “a”"));
    }
}
