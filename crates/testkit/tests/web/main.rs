//! The HTTP layer end to end over a real socket, on SQLite and PostgreSQL, one test binary with
//! a module per area (as the code: access, units, users, frameworks, assessments, workflow,
//! surveys, results, documents, and `one_model`: one result read every way). The helpers the
//! areas share live here.

use parindex_core::{Action, Actor, Resource, can};
use parindex_testkit::fixture::{PASSWORD, USERS};
use parindex_testkit::surveys::open_sipas_run;
use parindex_testkit::{TestApp, backend_tests};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

mod access;
mod apology;
mod assessments;
mod contacts;
mod documents;
mod feeds;
mod frameworks;
mod inspections;
mod one_model;
mod onestop;
mod plans;
mod reports;
mod results;
mod surveys;
mod units;
mod users;
mod workflow;

async fn id_of(app: &TestApp, code: &str) -> i64 {
    app.store.unit_id_by_code(code).await.unwrap().unwrap()
}

async fn unit_count(app: &TestApp) -> usize {
    use parindex_store::repo::units::{StatusFilter, UnitFilter};
    app.store
        .list_units(parindex_core::UnitScope::All, &UnitFilter { status: StatusFilter::All, ..Default::default() })
        .await
        .unwrap()
        .len()
}

fn xlsx_with_rows(rows: &[[&str; 3]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["ma_don_vi", "ten_don_vi", "loai"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn upload(c: &reqwest::Client, app: &TestApp, name: &str, bytes: Vec<u8>) -> (u16, String) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let r = c.post(app.url("/units/import")).multipart(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A published hand-computed framework and an open period for UA, UB and XC; returns the
/// assessment ids of UA and UB.
async fn open_period(app: &TestApp, self_due: chrono::NaiveDate) -> (i64, i64) {
    use parindex_store::repo::periods::PeriodInput;
    let sys = parindex_store::AuditCtx::system("test");
    let hand = include_str!("../../../../frameworks/examples/hand-computed.yaml");
    let fw = parindex_reports::framework::parse_framework("vd.yaml", hand).unwrap();
    app.store.import_framework(&sys, fw, "vd.yaml").await.unwrap();
    app.store.set_framework_status(&sys, "VD-TINH-TAY", parindex_core::framework::Status::Published).await.unwrap();
    let p = app
        .store
        .create_period(
            &sys,
            PeriodInput {
                code: "2026".into(),
                name: "Năm 2026".into(),
                year: 2026,
                framework_code: "VD-TINH-TAY".into(),
                self_due: Some(self_due),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let rows = app.store.list_assessments(p.id, parindex_core::UnitScope::All).await.unwrap();
    let id = |c: &str| rows.iter().find(|a| a.unit_code == c).unwrap().id;
    (id("UA"), id("UB"))
}

fn files_under(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() { out.extend(files_under(&p)) } else { out.push(p) }
        }
    }
    out
}

/// The value of a hidden field as the page escaped it.
fn hidden(body: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let start = body.find(&key).unwrap_or_else(|| panic!("no hidden field {name}")) + key.len();
    let end = start + body[start..].find('"').unwrap();
    body[start..end]
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#9;", "\t")
        .replace("&#10;", "\n")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn upload_form(parts: Vec<(&str, Vec<u8>)>) -> Form {
    let mut f = Form::new();
    for (name, bytes) in parts {
        f = f.part("file", Part::bytes(bytes).file_name(name.to_string()));
    }
    f
}

/// A fake SMTP server on a real socket: records each message; refuses recipients when asked.
async fn fake_smtp(refuse: bool) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (r, mut w) = sock.into_split();
            let mut r = BufReader::new(r);
            w.write_all(b"220 fake ESMTP\r\n").await.unwrap();
            let mut data = None::<String>;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                    break;
                }
                if let Some(d) = data.as_mut() {
                    if line == ".\r\n" {
                        let msg = data.take().unwrap();
                        store.lock().unwrap().push(msg);
                        w.write_all(b"250 queued\r\n").await.unwrap();
                    } else {
                        d.push_str(&line);
                    }
                    continue;
                }
                let reply: &[u8] = match &line[..4.min(line.len())] {
                    "EHLO" => b"250-fake\r\n250 8BITMIME\r\n",
                    "RCPT" if refuse => b"550 no such user\r\n",
                    "DATA" => {
                        data = Some(String::new());
                        b"354 go on\r\n"
                    }
                    "QUIT" => b"221 bye\r\n",
                    _ => b"250 ok\r\n",
                };
                w.write_all(reply).await.unwrap();
            }
        }
    });
    (port, got)
}

fn corpus_file(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../reports/tests/xlsform-corpus/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A CSV of responses for the fixture's commune XC: `rows` of (q01..q30 cell, extra).
fn responses_csv(header: &str, rows: &[String]) -> Vec<u8> {
    let mut out = format!("{header}\n");
    for r in rows {
        out.push_str(r);
        out.push('\n');
    }
    out.into_bytes()
}

/// Import a sample questionnaire, publish it and open a survey of it over the agencies (UA, UB):
/// the run's page address and id.
async fn open_agency_run(
    app: &TestApp,
    sec: &reqwest::Client,
    file: &str,
    questionnaire: &str,
    code: &str,
    name: &str,
    quota: &str,
) -> (String, i64) {
    let sample = std::fs::read(format!("{}/../../surveys/samples/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let r = sec
        .post(app.url("/surveys/import"))
        .multipart(Form::new().part("file", Part::bytes(sample).file_name(file.to_string())))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sec.post(app.url(&format!("/surveys/{questionnaire}/publish"))).send().await.unwrap();
    let form = [("code", code), ("name", name), ("questionnaire", questionnaire), ("year", "2026"), ("quota", quota), ("kind_agency", "1")];
    let r = sec.post(app.url("/surveys/runs")).form(&form).send().await.unwrap();
    let run_url = r.headers()["location"].to_str().unwrap().to_string();
    let run_id: i64 = run_url.rsplit('/').next().unwrap().parse().unwrap();
    (run_url, run_id)
}

/// The demo's communes periods of this year and last year, and Chiềng Sinh's assessment in each.
async fn chiengsinh(
    app: &TestApp,
) -> (
    parindex_store::repo::periods::PeriodRow,
    parindex_store::repo::periods::PeriodRow,
    parindex_store::repo::periods::AssessmentRow,
    parindex_store::repo::periods::AssessmentRow,
) {
    let year = parindex_core::assessment::today_vn().format("%Y").to_string().parse::<i32>().unwrap();
    let periods = app.store.list_periods().await.unwrap();
    let now = periods.iter().find(|p| p.code == format!("{year}-XA")).unwrap().clone();
    let last = periods.iter().find(|p| p.code == format!("{}-XA", year - 1)).unwrap().clone();
    let mut found = Vec::new();
    for p in [now.id, last.id] {
        let all = app.store.list_assessments(p, parindex_core::UnitScope::All).await.unwrap();
        found.push(all.into_iter().find(|a| a.unit_code == "P-CHIENGSINH").unwrap());
    }
    let a_last = found.pop().unwrap();
    (now, last, found.pop().unwrap(), a_last)
}

/// The text of a DOCX's body (the words between the tags), for checks on its content.
fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a zip");
    let mut xml = String::new();
    z.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ").replace("&amp;", "&")
}

/// Same words, whitespace normalised (pdftotext breaks lines where the layout does).
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A workbook of one sheet with these cells (as a person would save it from Excel).
fn xlsx_of(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(x) => ws.write_number(r as u32 + 1, c as u16, x).unwrap(),
                Err(_) => ws.write_string(r as u32 + 1, c as u16, v).unwrap(),
            };
        }
    }
    wb.save_to_buffer().unwrap()
}

/// An independent oracle for the tests: the points cached with the entry that counts (final,
/// else appraised, else own), read without the engine (`core::framework::result` is the one
/// computation the product uses; these tests check that it agrees with the cache).
fn counted_cached(e: &parindex_store::repo::periods::EntryRow) -> Option<parindex_core::Exact> {
    if e.final_at.is_some() {
        e.final_points.clone()
    } else if e.appraised_at.is_some() {
        e.appraised_points.clone()
    } else {
        e.points.clone()
    }
}
