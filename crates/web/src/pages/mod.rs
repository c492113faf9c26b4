//! Server-rendered pages: one module per screen group, a typed askama template per view.
//! `Page` is the chrome every template shares (language, user, navigation, breadcrumbs).

pub mod admin;
pub mod analysis;
pub mod apology;
pub mod appraisal;
pub mod assessment;
pub mod assessment_cards;
pub mod assessment_save;
pub mod auth;
pub mod documents;
pub mod evidence;
pub mod exports;
pub mod feeds;
pub mod framework_edit;
pub mod frameworks;
pub mod guides;
pub mod home;
pub mod improvements;
pub mod inbox;
pub mod inspections;
pub mod jobs;
pub mod leaf_view;
pub mod onestop;
pub mod periods;
pub mod plans;
pub mod portal;
pub mod public_survey;
pub mod reports;
pub mod results;
pub mod self_sheet;
pub mod survey_entry;
pub mod survey_feedback;
pub mod surveys;
pub mod units;

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::error::AppError;

const APP_CSS: &str = include_str!("../../assets/app.css");
const PUBLIC_CSS: &str = include_str!("../../assets/public.css");

async fn public_css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")], PUBLIC_CSS).into_response()
}

async fn app_css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], APP_CSS).into_response()
}

const FAVICON: &str = include_str!("../../assets/favicon.svg");

/// The site's icon (an SVG; also answered at `/favicon.ico`, which browsers ask for by name).
async fn favicon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=604800")], FAVICON).into_response()
}

async fn not_found() -> AppError {
    AppError::NotFound
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(app_css))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .route("/static/public.css", get(public_css))
        .merge(home::router())
        .merge(guides::router())
        .merge(auth::router())
        .merge(units::router())
        .merge(frameworks::router())
        .merge(framework_edit::router())
        .merge(periods::router())
        .merge(assessment::router())
        .merge(assessment_save::router())
        .merge(evidence::router())
        .merge(results::router())
        .merge(analysis::router())
        .merge(improvements::router())
        .merge(exports::router())
        .merge(feeds::router())
        .merge(onestop::router())
        .merge(apology::router())
        .merge(plans::router())
        .merge(inspections::router())
        .merge(reports::router())
        .merge(documents::router())
        .merge(self_sheet::router())
        .merge(jobs::router())
        .merge(portal::router())
        .merge(appraisal::router())
        .merge(inbox::router())
        .merge(surveys::router())
        .merge(survey_entry::router())
        .merge(survey_feedback::router())
        .merge(public_survey::router())
        .merge(admin::router())
        .fallback(not_found)
}
