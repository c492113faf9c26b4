//! Home: a signed-in person's overview (what they can reach now); the public landing page.

use crate::extract::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use parindex_core::{Action, Resource, UnitScope};
use parindex_store::repo::units::{StatusFilter, UnitFilter};
use serde::Deserialize;

use crate::AppState;
use crate::chrome::{Page, render};
use crate::ctx::Ctx;
use crate::error::AppError;

pub struct Tile {
    pub href: &'static str,
    pub label: &'static str,
    pub value: String,
}

/// One of my unit's assessments, on its staff's home page.
pub struct MyAssessment {
    pub id: i64,
    pub period: String,
    pub state: &'static str,
    pub done: usize,
    pub to_do: usize,
    pub due_label: &'static str,
    pub due: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    page: Page,
    unit_name: Option<String>,
    tiles: Vec<Tile>,
    mine: Vec<MyAssessment>,
    /// My unit's surveys with comments: (survey id, name, received, unanswered).
    comments: Vec<(i64, String, u64, u64)>,
}

#[derive(Deserialize)]
struct HomeQuery {
    done: Option<String>,
}

async fn home(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HomeQuery>) -> Result<Response, AppError> {
    let mut page = Page::new(&ctx, &state, ctx.t("home.title"), "/").flash_from(q.done.as_deref());
    let mut tiles = Vec::new();
    let mut unit_name = None;
    let mut mine = Vec::new();
    let mut comments = Vec::new();
    if let Some(actor) = &ctx.actor {
        if let Some(unit_id) = actor.unit_id.filter(|u| ctx.allows(Action::ViewSurveyComments, Resource::Unit(*u))) {
            comments = state
                .store
                .unit_comment_summary(unit_id)
                .await?
                .into_iter()
                .filter(|(_, _, c)| c.received > 0)
                .map(|(id, name, c)| (id, name, c.received, c.received.saturating_sub(c.answered)))
                .collect();
        }
        if let Some(unit_id) = actor.unit_id.filter(|u| ctx.allows(Action::ViewUnitDrafts, Resource::Unit(*u))) {
            for (p, a) in state.store.assessments_of_unit(unit_id).await? {
                let (due_label, due) = crate::pages::assessment::unit_due(&ctx, &a, &p);
                mine.push(MyAssessment {
                    id: a.id,
                    due_label,
                    due,
                    period: p.name,
                    state: a.state.label(ctx.lang.code()),
                    done: a.done,
                    to_do: a.to_do,
                });
            }
        }
        let me = state.store.get_user(actor.user_id).await?;
        if let Some(chrome) = page.user.as_mut() {
            chrome.full_name = me.full_name;
        }
        unit_name = me.unit_name;
        let scope = parindex_core::access::unit_scope(actor);
        let units = state.store.list_units(scope, &UnitFilter { status: StatusFilter::Active, ..Default::default() }).await?;
        if scope == UnitScope::All {
            for (kind, label) in [("agency", "home.agencies"), ("commune", "home.communes"), ("ward", "home.wards")] {
                tiles.push(Tile { href: kind_href(kind), label, value: units.iter().filter(|u| u.kind == kind).count().to_string() });
            }
        } else if let Some(u) = units.first() {
            tiles.push(Tile { href: "/units", label: "home.my_unit", value: u.code.clone() });
        }
        if ctx.allows(Action::ManageUsers, Resource::System) {
            tiles.push(Tile { href: "/admin/users", label: "home.users", value: state.store.list_users().await?.len().to_string() });
        }
    }
    Ok(render(&Home { page, unit_name, tiles, mine, comments }))
}

fn kind_href(kind: &str) -> &'static str {
    match kind {
        "agency" => "/units?kind=agency",
        "commune" => "/units?kind=commune",
        _ => "/units?kind=ward",
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}
