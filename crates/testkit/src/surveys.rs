//! Surveys for tests: the SIPAS sample opened over the fixture's communes, and answers that
//! its public form accepts.

use reqwest::multipart::{Form, Part};

use crate::TestApp;

/// The SIPAS sample imported and published by the reform office, and a survey of it opened
/// for the fixture's communes: (the survey page's path, its id). Opening is first refused
/// while the questionnaire is a draft, and refused to every other role.
pub async fn open_sipas_run(app: &TestApp, sec: &reqwest::Client) -> (String, i64) {
    let sample = std::fs::read(format!("{}/../../surveys/samples/sipas-2026.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let r = sec
        .post(app.url("/surveys/import"))
        .multipart(Form::new().part("file", Part::bytes(sample).file_name("sipas-2026.yaml")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // opening a survey needs a published questionnaire: refused, every problem shown
    let form = [
        ("code", "KS-2026"),
        ("name", "Khảo sát 2026"),
        ("questionnaire", "MAU-SIPAS-2026"),
        ("year", "2026"),
        ("quota", "150"),
        ("kind_commune", "1"),
    ];
    let r = sec.post(app.url("/surveys/runs")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Chỉ phiếu đã công bố"));
    sec.post(app.url("/surveys/MAU-SIPAS-2026/publish")).send().await.unwrap();
    for user in ["officer.a", "appraiser", "viewer"] {
        let c = app.login(user).await;
        assert_eq!(c.post(app.url("/surveys/runs")).form(&form).send().await.unwrap().status(), 403, "{user}");
    }
    let r = sec.post(app.url("/surveys/runs")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let run_url = r.headers()["location"].to_str().unwrap().to_string();
    let run_id: i64 = run_url.rsplit('/').next().unwrap().parse().unwrap();
    (run_url, run_id)
}

/// A complete answer set for the SIPAS sample's public form: every Likert question answered
/// `level` (1–5), every required single choice its first option.
pub async fn sipas_answers(app: &TestApp, level: u8) -> Vec<(String, String)> {
    use parindex_core::survey::QuestionType;
    let (_, q) = app.store.get_questionnaire("MAU-SIPAS-2026").await.expect("the sample questionnaire");
    let mut body: Vec<(String, String)> =
        q.questions().filter(|(_, x)| x.kind == QuestionType::Likert).map(|(_, x)| (x.name.clone(), level.to_string())).collect();
    body.extend(
        q.questions()
            .filter(|(_, x)| x.kind == QuestionType::SingleChoice && x.required)
            .map(|(_, x)| (x.name.clone(), q.list(x.list.as_deref().expect("a list")).expect("the list").choices[0].key.clone())),
    );
    body
}
