//! The binary as an operator uses it: help, users, tokens, backup, imports (including a
//! `kill -9` in the middle of one), the demo province, and serving on PostgreSQL.

use std::path::Path;
use std::process::Stdio;

use parindex_core::UnitScope;
use parindex_store::Store;
use parindex_store::repo::units::{StatusFilter, UnitFilter};
use parindex_testkit::{Backend, TestDb, backend_available};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_parindex");

fn cmd(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_remove("PARINDEX_DATABASE_URL").env("PARINDEX_DATA_DIR", dir).env("RUST_LOG", "warn").kill_on_drop(true);
    c
}

async fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut c = cmd(dir);
    c.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn parindex");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).await.unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().await.unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

async fn store_of(dir: &Path) -> Store {
    Store::connect(&parindex_store::sqlite_url_for_dir(dir)).await.unwrap()
}

async fn units_in(dir: &Path) -> usize {
    store_of(dir).await.list_units(UnitScope::All, &UnitFilter { status: StatusFilter::All, ..Default::default() }).await.unwrap().len()
}

/// Start a server; returns the child and the URL it printed.
async fn start(mut c: Command) -> (Child, String, String) {
    c.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = c.spawn().expect("spawn server");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    let url = loop {
        // a debug build seeds the demo province in about a minute here; a slower or busier
        // machine (CI running other suites beside it) has taken over two
        let line = tokio::time::timeout(std::time::Duration::from_secs(900), lines.next_line())
            .await
            .expect("server start")
            .unwrap()
            .expect("server output");
        printed.push_str(&line);
        printed.push('\n');
        if let Some(u) = line.split("running at: ").nth(1) {
            break u.trim().to_string();
        }
    };
    // read the rest of the banner without blocking the server
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, url, printed)
}

#[tokio::test]
async fn help_lists_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(dir.path(), &["--help"], None).await;
    assert_eq!(code, 0);
    for c in ["serve", "demo", "migrate", "remind", "user", "token", "backup", "unit", "framework", "bench", "sipas", "survey"] {
        assert!(out.contains(c), "--help lists {c}");
    }
    for sub in [
        &["serve", "--help"][..],
        &["user", "create", "--help"],
        &["user", "reset-password", "--help"],
        &["token", "create", "--help"],
        &["unit", "import", "--help"],
        &["backup", "--help"],
    ] {
        let (code, out, _) = run(dir.path(), sub, None).await;
        assert_eq!(code, 0, "{sub:?}");
        assert!(out.contains("Usage"), "{sub:?}");
    }
}

#[tokio::test]
async fn users_tokens_backup_and_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(dir.path(), &["migrate"], None).await;
    assert_eq!(code, 0);
    assert!(out.contains("m0001_foundation"));
    let (code, out, err) = run(
        dir.path(),
        &["user", "create", "--username", "quantri", "--full-name", "Quản Trị", "--role", "admin"],
        Some("mat-khau-dai-du\n"),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created user quantri") && !out.contains("password:"), "a piped password is not echoed");
    let (code, _, err) =
        run(dir.path(), &["user", "create", "--username", "cb", "--full-name", "X", "--role", "unit_officer"], Some("mat-khau-dai-du\n"))
            .await;
    assert_ne!(code, 0);
    assert!(err.contains("cần thuộc một đơn vị") || err.contains("needs a unit") || err.contains("username"), "{err}");
    let (code, _, err) = run(dir.path(), &["user", "create", "--username", "x1x", "--full-name", "X", "--role", "king"], Some("")).await;
    assert_ne!(code, 0);
    assert!(err.contains("unknown role"));
    let (code, out, _) = run(dir.path(), &["user", "reset-password", "--username", "quantri"], Some("")).await;
    assert_eq!(code, 0);
    let generated = out.lines().find_map(|l| l.strip_prefix("password: ")).expect("generated password printed").to_string();
    let (_, out, _) = run(dir.path(), &["user", "list"], None).await;
    assert!(out.contains("quantri") && out.contains("admin"));
    let (code, token, _) = run(dir.path(), &["token", "create", "--username", "quantri"], None).await;
    assert_eq!(code, 0);
    let token = token.trim().to_string();
    assert!(token.starts_with("pxt_"));

    // the server accepts both the token and the new password
    let (mut server, url, _) = start({
        let mut c = cmd(dir.path());
        c.args(["serve", "--bind", "127.0.0.1:0"]);
        c
    })
    .await;
    let http = reqwest::Client::new();
    let me: serde_json::Value = http.get(format!("{url}/api/v1/me")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["username"], "quantri");
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{url}/login"))
        .header("origin", &url)
        .form(&[("username", "quantri"), ("password", generated.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // an online backup while the server runs
    let copy = dir.path().join("sao-luu.db");
    let (code, out, err) = run(dir.path(), &["backup", copy.to_str().unwrap()], None).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("backup written"));
    let (code, _, err) = run(dir.path(), &["backup", copy.to_str().unwrap()], None).await;
    assert_ne!(code, 0);
    assert!(err.contains("already exists"));
    server.kill().await.ok();
    let restored = Store::connect(&format!("sqlite://{}", copy.display())).await.unwrap();
    assert_eq!(restored.list_users().await.unwrap().len(), 1);

    // the only administrator cannot be disabled (issue #15); with a second one, it can, and its
    // tokens stop working
    let (code, _, err) = run(dir.path(), &["user", "disable", "--username", "quantri"], None).await;
    assert_ne!(code, 0);
    assert!(err.contains("only active administrator"), "{err}");
    let (code, _, err) = run(
        dir.path(),
        &["user", "create", "--username", "quantri2", "--full-name", "Quản trị Hai", "--role", "admin"],
        Some("mat-khau-rat-dai-2\n"),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = run(dir.path(), &["user", "disable", "--username", "quantri"], None).await;
    assert_eq!(code, 0);
    assert!(store_of(dir.path()).await.token_actor(&token).await.unwrap().is_none());
    // tokens listed and revoked by id
    let (code, out, err) = run(dir.path(), &["token", "create", "--username", "quantri2", "--name", "may-chu", "--days", "30"], None).await;
    assert_eq!(code, 0, "{err}");
    let t2 = out.trim().to_string();
    assert!(store_of(dir.path()).await.token_actor(&t2).await.unwrap().is_some());
    let (code, out, _) = run(dir.path(), &["token", "list", "--username", "quantri2"], None).await;
    assert_eq!(code, 0);
    let line = out.lines().find(|l| l.contains("may-chu")).expect("listed");
    assert!(line.ends_with("active") && !out.contains(&t2), "{out}");
    let id = line.split('\t').next().unwrap();
    let (code, out, _) = run(dir.path(), &["token", "revoke", id], None).await;
    assert_eq!(code, 0);
    assert!(out.contains("revoked token"));
    assert!(store_of(dir.path()).await.token_actor(&t2).await.unwrap().is_none());
}

#[tokio::test]
async fn config_file_and_secret_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("parindex.toml"), "bindd = \"x\"\n").unwrap();
    let (code, _, err) = run(dir.path(), &["migrate"], None).await;
    assert_ne!(code, 0);
    assert!(err.contains("parindex.toml") && err.contains("not valid"), "{err}");
    std::fs::remove_file(dir.path().join("parindex.toml")).unwrap();
    let other = tempfile::tempdir().unwrap();
    let url_file = dir.path().join("db-url");
    std::fs::write(&url_file, format!("{}\n", parindex_store::sqlite_url_for_dir(other.path()))).unwrap();
    let mut c = cmd(dir.path());
    c.args(["migrate"]).env("PARINDEX_DATABASE_URL_FILE", &url_file).stdout(Stdio::null()).stderr(Stdio::null());
    assert!(c.status().await.unwrap().success());
    assert!(other.path().join("parindex.db").exists(), "the URL came from the file");
}

fn units_csv(n: usize) -> String {
    let mut s = String::from("ma_don_vi,ten_don_vi,loai,khu_vuc\n");
    for i in 0..n {
        s.push_str(&format!("X{i:05},UBND xã Thử Nghiệm {i},commune,Vùng {}\n", i % 7));
    }
    s
}

#[tokio::test]
async fn unit_import_reports_rows_and_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["migrate"], None).await;
    let bad = dir.path().join("loi.csv");
    std::fs::write(&bad, "ma_don_vi,ten_don_vi,loai\nA,Sở A,agency\nA,Sở A lặp,agency\nB,,agency\n").unwrap();
    let (code, _, err) = run(dir.path(), &["unit", "import", bad.to_str().unwrap()], None).await;
    assert_eq!(code, 2);
    assert!(err.contains("loi.csv:3 [code]") && err.contains("loi.csv:4 [name]") && err.contains("nothing written"), "{err}");
    assert_eq!(units_in(dir.path()).await, 0);

    // kill -9 in the middle of a long import: the transaction leaves nothing half-written
    let file = dir.path().join("lon.csv");
    std::fs::write(&file, units_csv(400)).unwrap();
    let mut c = cmd(dir.path());
    c.args(["unit", "import", file.to_str().unwrap()])
        .env("PARINDEX_IMPORT_THROTTLE_MS", "20")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    loop {
        let line = lines.next_line().await.unwrap().expect("progress lines");
        if line == "imported 150/400" {
            break;
        }
    }
    child.start_kill().unwrap(); // SIGKILL
    child.wait().await.unwrap();
    let store = store_of(dir.path()).await;
    assert_eq!(units_in(dir.path()).await, 0, "no half import after kill -9");
    assert_eq!(store.list_audit(&Default::default()).await.unwrap().total, 0);
    drop(store);
    let (code, out, err) = run(dir.path(), &["unit", "import", file.to_str().unwrap()], None).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("400 created"));
    assert_eq!(units_in(dir.path()).await, 400);
}

#[tokio::test]
async fn demo_prints_logins_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let demo = |d: &Path| {
        let mut c = cmd(d);
        c.env_remove("PARINDEX_DATA_DIR").args(["demo", "--bind", "127.0.0.1:0", "--data-dir", d.to_str().unwrap()]);
        c
    };
    let (mut server, url, banner) = start(demo(dir.path())).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).cookie_store(true).build().unwrap();
    let r = http
        .post(format!("{url}/login"))
        .header("origin", &url)
        .form(&[("username", "admin"), ("password", "parindex-demo")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let units = http.get(format!("{url}/units")).send().await.unwrap().text().await.unwrap();
    assert!(units.contains("Sở Tư pháp") && units.contains("UBND phường Chiềng Sinh") && units.contains("Dữ liệu mẫu"));
    server.kill().await.ok();
    let n = units_in(dir.path()).await;
    assert!(n >= 50, "a realistic province: {n} units");
    let fws = store_of(dir.path()).await.list_frameworks().await.unwrap();
    assert_eq!(fws.len(), 5, "the sample frameworks, the communes' of two years ago and next year's draft");
    assert!(fws.iter().all(|f| f.sample));
    assert_eq!(fws.iter().filter(|f| f.status == "published").count(), 4);
    assert!(fws.iter().any(|f| f.code.starts_with("MAU-XA-20") && f.code != "MAU-XA-2026" && f.status == "published"));
    assert!(fws.iter().any(|f| f.code == "MAU-SO-2027" && f.status == "draft" && f.derived_from.as_deref() == Some("MAU-SO-2026")));
    let (mut server, _, banner2) = start(demo(dir.path())).await;
    server.kill().await.ok();
    assert_eq!(units_in(dir.path()).await, n, "a restart keeps the data and seeds nothing twice");
    for b in [banner, banner2] {
        assert!(b.contains("admin") && b.contains("canbo.chiengsinh") && b.contains("parindex-demo"));
    }
    // the demo's survey responses export from the command line, with a progress bar
    let store = store_of(dir.path()).await;
    let mut survey = None;
    for s in store.list_surveys().await.unwrap() {
        if let Some((_, _, n)) = store.response_id_range(s.id).await.unwrap().filter(|r| r.2 > 0) {
            survey = Some((s.code, n));
            break;
        }
    }
    let (code, n) = survey.expect("the demo has responses");
    for ext in ["csv", "xlsx"] {
        let out = dir.path().join(format!("responses.{ext}"));
        let (status, stdout, stderr) =
            run(dir.path(), &["responses", "export", "--survey", &code, "--out", out.to_str().unwrap()], None).await;
        assert_eq!(status, 0, "{stderr}");
        assert!(stderr.contains("[####################] 100 %") && stderr.contains(&format!("{n}/{n}")), "{stderr}");
        assert!(stdout.contains(&format!("{n} responses written")));
        assert!(std::fs::metadata(&out).unwrap().len() > 0);
    }
}

#[tokio::test]
async fn serves_on_postgresql() {
    if !backend_available(Backend::Postgres) {
        return;
    }
    let db = TestDb::fresh(Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let mut c = cmd(dir.path());
    c.args(["user", "create", "--username", "pgadmin", "--full-name", "PG", "--role", "admin", "--database-url", &db.url])
        .stdin(Stdio::piped())
        .stdout(Stdio::null());
    let mut child = c.spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"mat-khau-postgres\n").await.unwrap();
    assert!(child.wait().await.unwrap().success());
    let (mut server, url, _) = start({
        let mut c = cmd(dir.path());
        c.args(["serve", "--bind", "127.0.0.1:0", "--database-url", &db.url]);
        c
    })
    .await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).cookie_store(true).build().unwrap();
    let r = http
        .post(format!("{url}/login"))
        .header("origin", &url)
        .form(&[("username", "pgadmin"), ("password", "mat-khau-postgres")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(http.get(format!("{url}/units")).send().await.unwrap().status(), 200);
    assert_eq!(http.get(format!("{url}/readyz")).send().await.unwrap().status(), 200);
    server.kill().await.ok();
    assert!(!dir.path().join("parindex.db").exists(), "no SQLite file when serving PostgreSQL");
}

#[tokio::test]
async fn framework_validate_and_score() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frameworks");
    let fw = root.join("examples/hand-computed.yaml");
    let inputs = root.join("examples/hand-computed-inputs.yaml");
    let (code, out, _) = run(dir.path(), &["framework", "validate", fw.to_str().unwrap()], None).await;
    assert_eq!(code, 0);
    assert!(out.contains("VD-TINH-TAY") && out.contains("valid"));
    let (code, out, err) =
        run(dir.path(), &["framework", "score", fw.to_str().unwrap(), "--inputs", inputs.to_str().unwrap(), "--format", "json"], None)
            .await;
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["index"]["value"], "67.58");
    assert_eq!(j["index"]["exact"], "589931/8730");
    assert_eq!(j["total"]["exact"], "589931/97000");
    assert_eq!(j["applicable_max"]["value"], "9.00");
    let leaf = j["nodes"].as_array().unwrap().iter().find(|n| n["code"] == "2.1").unwrap();
    assert_eq!(leaf["points"]["exact"], "190/97");
    let (code, out, _) = run(dir.path(), &["framework", "score", fw.to_str().unwrap(), "--inputs", inputs.to_str().unwrap()], None).await;
    assert_eq!(code, 0);
    assert!(out.contains("Chỉ số 67,58%"), "{out}");
    // a broken framework: every problem, exit code 2
    let broken = dir.path().join("hong.yaml");
    std::fs::write(
        &broken,
        std::fs::read_to_string(&fw)
            .unwrap()
            .replace("total: 10", "total: 12")
            .replace("max: 2\n        rule: { kind: proportional }", "rule: { kind: proportional }"),
    )
    .unwrap();
    let (code, _, err) = run(dir.path(), &["framework", "validate", broken.to_str().unwrap()], None).await;
    assert_eq!(code, 2);
    assert!(err.contains("[2.1]") && err.contains("[-]"), "{err}");
    // bad inputs name the leaf
    let bad = dir.path().join("dau-vao.yaml");
    std::fs::write(&bad, "inputs:\n  \"1.3\": 120\n").unwrap();
    let (code, _, err) =
        run(dir.path(), &["framework", "score", fw.to_str().unwrap(), "--inputs", bad.to_str().unwrap(), "--lang", "en"], None).await;
    assert_eq!(code, 2);
    assert!(err.contains("[1.3]") && err.contains("within 0–100"), "{err}");
}

#[tokio::test]
async fn framework_import_export_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frameworks/samples/agency-2026.yaml");
    let (code, out, err) = run(dir.path(), &["framework", "import", sample.to_str().unwrap()], None).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("imported MAU-SO-2026") && out.contains("44 leaves"));
    let exported = dir.path().join("out.yaml");
    let (code, _, err) = run(dir.path(), &["framework", "export", "MAU-SO-2026", "--output", exported.to_str().unwrap()], None).await;
    assert_eq!(code, 0, "{err}");
    let a = parindex_reports::framework::parse_framework("a", &std::fs::read_to_string(&sample).unwrap()).unwrap();
    let b = parindex_reports::framework::parse_framework("b", &std::fs::read_to_string(&exported).unwrap()).unwrap();
    assert_eq!(a, b, "text → database → text");
    let (code, _, _) = run(dir.path(), &["framework", "publish", "MAU-SO-2026"], None).await;
    assert_eq!(code, 0);
    let (code, _, err) = run(dir.path(), &["framework", "import", sample.to_str().unwrap()], None).await;
    assert_eq!(code, 2);
    assert!(err.contains("cannot change"), "{err}");
    let (code, _, _) = run(dir.path(), &["framework", "new-version", "MAU-SO-2026", "--new-code", "MAU-SO-2027"], None).await;
    assert_eq!(code, 0);
    let (_, out, _) = run(dir.path(), &["framework", "list"], None).await;
    assert!(out.contains("MAU-SO-2026") && out.contains("published") && out.contains("(from MAU-SO-2026)"), "{out}");
}

#[tokio::test]
async fn framework_xlsx_database_xlsx_is_lossless() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frameworks/samples/commune-2026.yaml");
    let (code, _, err) = run(one.path(), &["framework", "import", sample.to_str().unwrap()], None).await;
    assert_eq!(code, 0, "{err}");
    let first = one.path().join("bo-chi-so.xlsx");
    let (code, _, err) =
        run(one.path(), &["framework", "export", "MAU-XA-2026", "--format", "xlsx", "--output", first.to_str().unwrap()], None).await;
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(one.path(), &["framework", "validate", first.to_str().unwrap()], None).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("hợp lệ / valid"), "{out}");
    // xlsx → another database → xlsx: the same cells
    let (code, out, err) = run(two.path(), &["framework", "import", first.to_str().unwrap()], None).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("imported MAU-XA-2026"), "{out}");
    let second = two.path().join("lai.xlsx");
    let (code, _, err) =
        run(two.path(), &["framework", "export", "MAU-XA-2026", "--format", "xlsx", "--output", second.to_str().unwrap()], None).await;
    assert_eq!(code, 0, "{err}");
    let read = |p: &Path| parindex_reports::table::read_workbook("x", &std::fs::read(p).unwrap()).unwrap();
    assert_eq!(read(&first), read(&second));
    let yaml = parindex_reports::framework::parse_framework("s", &std::fs::read_to_string(&sample).unwrap()).unwrap();
    let back = parindex_reports::framework::parse_framework_file("x.xlsx", &std::fs::read(&second).unwrap()).unwrap();
    assert_eq!(yaml, back, "text → database → xlsx → database → xlsx keeps every field");
}

#[tokio::test]
async fn sipas_compute_from_a_responses_file() {
    let dir = tempfile::tempdir().unwrap();
    let qs: Vec<String> = (1..=30).map(|q| format!("q{q:02}")).collect();
    let mut csv = format!("response_id,unit_code,channel,submitted_at,age_group,gender,{}\n", qs.join(","));
    // XA002 answers 5 to everything but q30; XA001 answers 3 then 4 (two forms)
    let mut five = vec!["5"; 30];
    five[29] = "";
    csv += &format!("1,XA002,web,2026-03-14T09:21:05+07:00,18-29,F,{}\n", five.join(","));
    csv += &format!("2,XA001,qr,2026-03-14T09:22:05+07:00,,M,{}\n", ["3"; 30].join(","));
    csv += &format!("3,XA001,paper,2026-03-15T10:00:00+07:00,60+,,{}\n", ["4"; 30].join(","));
    let file = dir.path().join("phieu.csv");
    std::fs::write(&file, &csv).unwrap();
    let out = dir.path().join("ket-qua.csv");
    let (code, _, err) = run(dir.path(), &["sipas", "compute", file.to_str().unwrap(), "--out", out.to_str().unwrap()], None).await;
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "unit_code,element,n,share_top2,mean");
    assert_eq!(lines[1], "XA001,1,12,50.000000,3.500000");
    assert_eq!(lines[6], "XA001,sipas,60,50.000000,3.500000");
    assert_eq!(lines[11], "XA002,5,5,100.000000,5.000000");
    assert_eq!(lines[12], "XA002,sipas,29,100.000000,5.000000");
    assert_eq!(lines[13], "PROVINCE,sipas,89,75.000000,4.250000");
    // pooled: 30 + 29 answers ≥ 4 of 89; sum 90 + 120 + 145 = 355
    assert_eq!(lines[14], format!("PROVINCE,pooled,89,{:.6},{:.6}", 5900.0 / 89.0, 355.0 / 89.0));
    assert!(text.ends_with("\n") && !text.contains('\r'));
    // standard output when no --out; the same bytes
    let (code, stdout, _) = run(dir.path(), &["sipas", "compute", file.to_str().unwrap(), "--threads", "1"], None).await;
    assert_eq!((code, stdout.as_str()), (0, text.as_str()));
    // a bad answer: the file, the line and the column, exit status 2, nothing written
    std::fs::write(
        &file,
        csv.replace("3,XA001,paper,2026-03-15T10:00:00+07:00,60+,,4,", "3,XA001,paper,2026-03-15T10:00:00+07:00,60+,,9,"),
    )
    .unwrap();
    let out2 = dir.path().join("khong-ghi.csv");
    let (code, _, err) = run(dir.path(), &["sipas", "compute", file.to_str().unwrap(), "--out", out2.to_str().unwrap()], None).await;
    assert_eq!(code, 2);
    assert!(err.contains("phieu.csv") && err.contains("dòng 4, cột q01") && err.contains("từ 1 đến 5"), "{err}");
    assert!(!out2.exists());
}

#[tokio::test]
async fn survey_files_yaml_xlsform_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../surveys/samples/sipas-2026.yaml");
    let (code, out, err) = run(dir.path(), &["survey", "validate", sample], None).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("hợp lệ") && out.contains("37 câu hỏi"), "{out}");
    let xlsx = dir.path().join("sipas.xlsx");
    let (code, _, err) = run(dir.path(), &["survey", "export-xlsform", sample, "--output", xlsx.to_str().unwrap()], None).await;
    assert_eq!(code, 0, "{err}");
    let (code, yaml, err) = run(dir.path(), &["survey", "import-xlsform", xlsx.to_str().unwrap()], None).await;
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "our own export imports without a diagnostic: {err}");
    assert!(yaml.contains("code: MAU-SIPAS-2026") && yaml.contains("element: 5"), "{yaml}");
    // a refused workbook: every error on stderr with the file and row, exit 2
    let broken = concat!(env!("CARGO_MANIFEST_DIR"), "/../reports/tests/xlsform-corpus/own/broken.xlsx");
    let (code, out, err) = run(dir.path(), &["survey", "import-xlsform", broken], None).await;
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(err.lines().filter(|l| l.contains("ERROR")).count(), 7, "{err}");
    assert!(err.contains("dòng 5") && err.contains("integr"), "{err}");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(sample)
            .unwrap()
            .replace("list: muc_do, required: true, element: 2", "list: khong_co, required: true, element: 2"),
    )
    .unwrap();
    let (code, _, err) = run(dir.path(), &["survey", "validate", bad.to_str().unwrap()], None).await;
    assert_eq!(code, 2);
    assert!(err.contains("khong_co"), "{err}");
}

/// Issue #15: the demo says at once that its port is taken, before seeding anything.
#[tokio::test]
async fn demo_checks_its_port_before_seeding() {
    let dir = tempfile::tempdir().unwrap();
    let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = taken.local_addr().unwrap().port();
    let started = std::time::Instant::now();
    let (code, _, err) =
        run(dir.path(), &["demo", "--bind", &format!("127.0.0.1:{port}"), "--data-dir", dir.path().to_str().unwrap()], None).await;
    assert_ne!(code, 0);
    assert!(err.contains("cannot listen on") && err.contains("--bind"), "{err}");
    assert_eq!(units_in(dir.path()).await, 0, "nothing seeded");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}
