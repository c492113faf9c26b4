//! Helpers for tests on the demo province (`TestApp::spawn_demo`): the demo's periods hold
//! dozens of units without accounts; a test that follows a few units through the whole cycle in
//! the browser or the API carries the others to the final stage directly in the store, so that
//! the council can approve the period.

use parindex_core::assessment::{State, today_vn};
use parindex_core::framework::synthetic::Rng;
use parindex_store::repo::appraisal::AppraiserScope;
use parindex_store::repo::periods::{EntryInput, self_leaves};
use parindex_store::{AuditCtx, Store};

/// The demo's assessment of unit `code` (in whichever period holds it): (period id, assessment id).
pub async fn assessment_of(store: &Store, code: &str) -> (i64, i64) {
    for p in store.list_periods().await.expect("periods") {
        let rows = store.list_assessments(p.id, parindex_core::UnitScope::All).await.expect("assessments");
        if let Some(a) = rows.iter().find(|a| a.unit_code == code) {
            return (p.id, a.id);
        }
    }
    panic!("no assessment for {code}");
}

/// Carry every assessment of `period` except `keep` to final appraisal with no open
/// explanation: fill what is missing, submit, accept the self-scores, send the preliminary
/// result, accept it, and answer any explanation with the appraised (or fed) input.
pub async fn finish_others(store: &Store, period: i64, keep: &[i64]) {
    let ctx = AuditCtx::system("test-demo");
    let today = today_vn();
    let all = AppraiserScope::All;
    for a in store.list_assessments(period, parindex_core::UnitScope::All).await.expect("assessments") {
        if keep.contains(&a.id) {
            continue;
        }
        to_preliminary(store, a.id).await;
        if store.get_assessment(a.id).await.expect("view").assessment.state == State::PreliminarySent {
            store.submit_contests(&ctx, a.id, today).await.expect("accept the preliminary result");
        }
        let view = store.get_assessment(a.id).await.expect("view");
        for e in view.entries.values().filter(|e| e.contest.is_some() && e.final_at.is_none()) {
            let input = e.appraised_input.clone().or(e.input.clone()).unwrap_or_default();
            store.final_appraise(&ctx, a.id, &e.node_code, &all, input, "Giữ kết quả thẩm định", today).await.expect("final");
        }
    }
}

/// Carry one assessment to its preliminary result (no further): fill what is missing, submit,
/// accept the self-scores, send the preliminary result.
pub async fn to_preliminary(store: &Store, assessment: i64) {
    let ctx = AuditCtx::system("test-demo");
    let today = today_vn();
    let view = store.get_assessment(assessment).await.expect("view");
    let state = view.assessment.state;
    if matches!(state, State::Draft | State::Returned) {
        let mut rng = Rng::new(assessment as u64);
        for leaf in self_leaves(&view.framework, &view.assessment.unit_kind) {
            let e = view.entries.get(&leaf.code);
            if e.is_some_and(|e| e.input.is_some()) && state == State::Draft {
                continue;
            }
            let (Some(rule), Some(max)) = (leaf.rule.as_ref(), leaf.max.as_ref()) else { continue };
            let input = parindex_demo::demo_input(&mut rng, rule, max);
            let entry = EntryInput {
                input: Some(e.and_then(|e| e.input.clone()).unwrap_or(input)),
                explanation: Some("Bản giấy (dữ liệu thử)".into()),
                version: e.map(|e| e.version).unwrap_or(0),
                ..Default::default()
            };
            store.save_entry(&ctx, assessment, &leaf.code, entry, today).await.expect("self-score");
        }
        store.submit_assessment(&ctx, assessment, today).await.expect("submit");
    }
    let state = store.get_assessment(assessment).await.expect("view").assessment.state;
    if matches!(state, State::Submitted | State::UnderAppraisal) {
        // accepting fails only when nothing is left to accept
        let _ = store.accept_self_scores(&ctx, assessment, &AppraiserScope::All, today).await;
        store.send_preliminary(&ctx, assessment).await.expect("preliminary");
    }
}

/// Record the council's "scored 0" decision for every fed leaf of `period` that still has units
/// without data (issue #18), so that the period can be approved with the totals unchanged.
pub async fn decide_missing_feeds(store: &Store, period: i64) {
    let ctx = AuditCtx::system("test-demo");
    for (leaf, _) in store.undecided_missing_feeds(period).await.expect("fed leaves") {
        let zero = parindex_store::repo::feeds::MissingRule::Zero;
        store.decide_missing_feed(&ctx, period, &leaf, zero, "Công văn của Hội đồng (dữ liệu thử)").await.expect("decision");
    }
}
