//! The guides per role (`docs/huong-dan/*.md`, issue #17), compiled into the binary and shown as
//! pages at `/huong-dan/{slug}`; every page's header links to the guide of the signed-in
//! person's role (`guide_for`). Public: they say how to work, nothing about anyone's data.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use parindex_core::Role;

use crate::AppState;
use crate::chrome::{Page, render};
use crate::ctx::Ctx;
use crate::error::AppError;

/// (slug, markdown) of every guide; the index first.
const GUIDES: [(&str, &str); 6] = [
    ("", include_str!("../../../../docs/huong-dan/README.md")),
    ("don-vi", include_str!("../../../../docs/huong-dan/don-vi.md")),
    ("tham-dinh", include_str!("../../../../docs/huong-dan/tham-dinh.md")),
    ("hoi-dong", include_str!("../../../../docs/huong-dan/hoi-dong.md")),
    ("phong-cchc", include_str!("../../../../docs/huong-dan/phong-cchc.md")),
    ("lanh-dao", include_str!("../../../../docs/huong-dan/lanh-dao.md")),
];

/// The guide a role reads (its address).
pub fn guide_for(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::UnitOfficer | Role::UnitLeader) => "/huong-dan/don-vi",
        Some(Role::Appraiser) => "/huong-dan/tham-dinh",
        Some(Role::Council) => "/huong-dan/hoi-dong",
        Some(Role::Admin | Role::Secretariat) => "/huong-dan/phong-cchc",
        Some(Role::Viewer) => "/huong-dan/lanh-dao",
        None => "/huong-dan",
    }
}

#[derive(Template)]
#[template(path = "guide.html")]
struct GuidePage {
    page: Page,
    /// The guide as HTML, from the repository's own Markdown (trusted: compiled in).
    html: String,
}

/// Markdown to HTML, the guides' links to each other (`don-vi.md`) turned into their pages.
fn to_html(md: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, html};
    let events = Parser::new(md).map(|e| match e {
        Event::Start(Tag::Link { link_type, dest_url, title, id }) if dest_url.ends_with(".md") => {
            let slug = dest_url.trim_end_matches(".md").trim_start_matches("./");
            let to = if slug == "README" { "/huong-dan".to_string() } else { format!("/huong-dan/{slug}") };
            Event::Start(Tag::Link { link_type, dest_url: to.into(), title, id })
        }
        // the guides hold no HTML of their own; any that slips in is shown as text
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        e => e,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

async fn show(state: &AppState, ctx: &Ctx, slug: &str) -> Result<Response, AppError> {
    let (_, md) = GUIDES.iter().find(|(s, _)| *s == slug).ok_or(AppError::NotFound)?;
    let title = md.lines().next().unwrap_or_default().trim_start_matches('#').trim().to_string();
    let mut page = Page::new(ctx, state, title.clone(), "/huong-dan");
    if !slug.is_empty() {
        page = page.crumb(ctx.t("nav.help"), "/huong-dan");
    }
    Ok(render(&GuidePage { page: page.crumb(title, ""), html: to_html(md) }))
}

async fn index(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    show(&state, &ctx, "").await
}

async fn guide(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Result<Response, AppError> {
    show(&state, &ctx, &slug).await
}

pub fn router() -> Router<AppState> {
    Router::new().route("/huong-dan", get(index)).route("/huong-dan/{slug}", get(guide))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_guide_renders_and_links_stay_inside() {
        for (slug, md) in super::GUIDES {
            let html = super::to_html(md);
            assert!(html.contains("<h1>"), "{slug}");
            assert!(!html.contains(".md\""), "{slug}: a link left to a file");
        }
    }
}
