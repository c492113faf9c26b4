//! Issue #15, over a real socket on SQLite and PostgreSQL: the crafted workbooks sent to every
//! import route (pages and API) are refused with a 4xx and a message, nothing is written, and
//! the server still answers afterwards.

use parindex_testkit::{TestApp, backend_tests};
use reqwest::multipart::{Form, Part};

backend_tests!(crafted_workbooks_are_refused_by_every_import_route, |b| async move {
    let app = TestApp::spawn_demo(b).await;
    let admin = app.login("admin").await;
    let sec = app.login("thuky").await;
    let api = app.api("admin").await;
    let officer = app.login("canbo.chiengsinh").await;
    let year = parindex_core::assessment::today_vn().format("%Y").to_string();
    let period = app.store.list_periods().await.unwrap().into_iter().find(|p| p.code == format!("{year}-XA")).unwrap();
    let assessment = app
        .store
        .list_assessments(period.id, parindex_core::UnitScope::All)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.unit_code == "P-CHIENGSINH")
        .expect("the demo ward's assessment");
    let survey = app.store.list_surveys().await.unwrap().into_iter().next().expect("a demo survey");
    let units_before = app.store.list_units(parindex_core::UnitScope::All, &Default::default()).await.unwrap().len();
    let audit_before = app.store.list_audit(&Default::default()).await.unwrap().total;
    let form = |name: &str, bytes: &[u8]| {
        Form::new().text("channel", "paper").part("file", Part::bytes(bytes.to_vec()).file_name(name.to_string()))
    };
    for c in parindex_reports::crafted::all() {
        let xlsx = c.file_name.ends_with(".xlsx");
        let mut routes: Vec<(&reqwest::Client, String, bool)> =
            vec![(&sec, "/surveys/import".into(), true), (&api, "/api/v1/questionnaires".into(), false)];
        if xlsx {
            routes.extend([
                (&sec, "/units/import".to_string(), true),
                (&api, "/api/v1/units/import".into(), false),
                (&admin, "/frameworks/import".into(), true),
                (&api, "/api/v1/frameworks".into(), false),
                (&sec, format!("/surveys/runs/{}/import", survey.id), true),
                (&api, format!("/api/v1/surveys/{}/responses", survey.id), false),
                (&officer, format!("/assessments/{}/tu-cham", assessment.id), true),
            ]);
        }
        for (client, path, multipart) in routes {
            let r = if multipart {
                client.post(app.url(&path)).multipart(form(c.file_name, &c.bytes)).send().await.unwrap()
            } else {
                client.post(app.url(&format!("{path}?filename={}", c.file_name))).body(c.bytes.clone()).send().await.unwrap()
            };
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            assert!((400..500).contains(&status), "{} → {path}: {status} {}", c.name, &body[..body.len().min(400)]);
            assert!(
                body.contains(c.file_name) || body.contains("quá lớn") || body.contains("too large"),
                "{} → {path}: {}",
                c.name,
                &body[..body.len().min(600)]
            );
            // the server is alive and answers the next request
            assert_eq!(app.client().get(app.url("/healthz")).send().await.unwrap().status(), 200, "{} → {path}", c.name);
        }
    }
    assert_eq!(app.store.list_units(parindex_core::UnitScope::All, &Default::default()).await.unwrap().len(), units_before);
    assert_eq!(app.store.list_audit(&Default::default()).await.unwrap().total, audit_before, "nothing written, nothing audited");
});

async fn login_status(c: &reqwest::Client, app: &TestApp, user: &str, password: &str, forwarded: Option<&str>) -> (u16, String) {
    let mut r = c.post(app.url("/login")).form(&[("username", user), ("password", password), ("next", "/")]);
    if let Some(f) = forwarded {
        r = r.header("x-forwarded-for", f);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

backend_tests!(sign_in_cannot_be_turned_against_a_user_and_forged_addresses_do_not_help, |b| async move {
    use parindex_testkit::fixture::PASSWORD;
    let app = TestApp::spawn_with(b, |c| c.trust_proxy = true).await;
    let c = app.client();
    // an attacker behind the proxy (10.0.0.9 appended by it) forging the leftmost entry each time:
    // the address that counts is the proxy's, so the sixth wrong password waits
    let mut statuses = Vec::new();
    for i in 0..7 {
        statuses.push(login_status(&c, &app, "admin", "sai-mat-khau", Some(&format!("6.6.6.{i}, 10.0.0.9"))).await.0);
    }
    assert_eq!(&statuses[..5], &[401; 5]);
    assert_eq!(statuses[6], 429, "{statuses:?}");
    // the audit log has the proxy-appended address, never the forged one
    let audit = app
        .store
        .list_audit(&parindex_store::repo::audit::AuditFilter { action: Some("auth.login_failed".into()), ..Default::default() })
        .await
        .unwrap();
    assert!(
        audit.entries.iter().all(|e| e.ip.as_deref() == Some("10.0.0.9")),
        "{:?}",
        audit.entries.iter().map(|e| &e.ip).collect::<Vec<_>>()
    );
    // …and the real administrator, from another address, is not locked out
    let (status, _) = login_status(&app.client(), &app, "admin", PASSWORD, Some("10.0.0.20")).await;
    assert_eq!(status, 303, "the only administrator can still sign in");
    // an unknown account is answered exactly like a real one, throttled or not
    let (s1, b1) = login_status(&c, &app, "admin", "sai", Some("10.0.0.30")).await;
    let (s2, b2) = login_status(&c, &app, "khong-co-ai", "sai", Some("10.0.0.31")).await;
    assert_eq!((s1, s2), (401, 401));
    let msg = |b: &str| b.contains("Tên đăng nhập hoặc mật khẩu không đúng.");
    assert!(msg(&b1) && msg(&b2));
    for _ in 0..6 {
        login_status(&c, &app, "khong-co-ai", "sai", Some("10.0.0.31")).await;
        login_status(&c, &app, "admin", "sai", Some("10.0.0.30")).await;
    }
    let (s1, b1) = login_status(&c, &app, "admin", "sai", Some("10.0.0.30")).await;
    let (s2, b2) = login_status(&c, &app, "khong-co-ai", "sai", Some("10.0.0.31")).await;
    assert_eq!((s1, s2), (429, 429));
    assert!(!b1.contains("khoá") && !b2.contains("khoá"), "no word of a locked account");
});

backend_tests!(after_sign_in_only_this_site, |b| async move {
    use parindex_testkit::fixture::PASSWORD;
    let app = TestApp::spawn(b).await;
    let hostile = [
        "//evil.example",
        "/%09/evil.example",
        "/\t/evil.example",
        "/%0A",
        "/\n",
        "/\\evil.example",
        "/%5Cevil.example",
        "/%2F%2Fevil.example",
        "https://evil.example",
        "javascript:alert(1)",
        " /x",
        "/đơn-vị",
    ];
    for next in hostile {
        let r = app
            .client()
            .post(app.url("/login"))
            .form(&[("username", "admin"), ("password", PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next:?}");
        assert_eq!(r.headers()["location"], "/", "{next:?}");
        // signed in, the login page redirects at once: the same rule, and never a 500
        let c = app.login("viewer").await;
        let url = format!("{}?next={}", app.url("/login"), parindex_web::chrome::urlencode(next));
        let r = c.get(url).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/"), "{next:?}");
    }
    let r = app
        .client()
        .post(app.url("/login"))
        .form(&[("username", "admin"), ("password", PASSWORD), ("next", "/units?q=a&b=%2F")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/units?q=a&b=%2F", "a path of this site is kept");
});

backend_tests!(public_answers_limit_counts_stored_ones_and_duplicates_are_canonical, |b| async move {
    let app = TestApp::spawn(b).await;
    let sec = app.login("secretariat").await;
    let (_, run_id) = parindex_testkit::surveys::open_sipas_run(&app, &sec).await;
    let key = app.store.survey_units(run_id).await.unwrap()[0].public_key.clone();
    let url = app.url(&format!("/k/{key}"));
    let anon = app.client();
    // 130 refused forms (the limit is 120 stored answers per address and 10 minutes) cost nothing
    for _ in 0..130 {
        let r = anon.post(&url).form(&[("q01", "9")]).send().await.unwrap();
        assert_eq!(r.status(), 422);
    }
    let answers = parindex_testkit::surveys::sipas_answers(&app, 4).await;
    let r = anon.post(format!("{url}?kenh=qr")).form(&answers).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/k/{key}/cam-on"), "the valid answer after the refused ones is stored");
    // the same answers reordered, with an unknown field, or by another channel: told, not counted
    let mut reordered = answers.clone();
    reordered.reverse();
    let mut extra = answers.clone();
    extra.push(("khong_co".into(), "x".into()));
    for (query, body) in [("?kenh=qr", reordered.clone()), ("?kenh=qr", extra), ("?kenh=web", answers.clone()), ("", reordered)] {
        let r = anon.post(format!("{url}{query}")).form(&body).send().await.unwrap();
        assert_eq!(r.headers()["location"], format!("/k/{key}/cam-on?trung=1"), "{query}");
    }
    assert_eq!(app.store.get_survey(run_id).await.unwrap().responses, 1);
});

backend_tests!(tokens_listed_revoked_and_expiring_on_the_account_page_and_the_api, |b| async move {
    let app = TestApp::spawn(b).await;
    let officer = app.login("officer.a").await;
    // the account page: create (shown once), list, revoke
    let r = officer.post(app.url("/account/tokens")).form(&[("name", "Báo cáo tự động"), ("days", "30")]).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    let secret = page.split("<code class=\"secret\">").nth(1).and_then(|s| s.split('<').next()).expect("the secret, once").to_string();
    assert!(secret.starts_with("pxt_"));
    let bearer = |t: &str| {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::AUTHORIZATION, format!("Bearer {t}").parse().unwrap());
        reqwest::Client::builder().default_headers(h).build().unwrap()
    };
    let api = bearer(&secret);
    assert_eq!(api.get(app.url("/api/v1/me")).send().await.unwrap().status(), 200);
    let again = officer.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(again.contains("Báo cáo tự động") && !again.contains(&secret), "listed, never shown again");
    let r = officer.post(app.url("/account/tokens")).form(&[("name", "x"), ("days", "abc")]).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Số ngày hiệu lực"));
    // the API: list own, another user's token is not found, revoke own
    let list: serde_json::Value = api.get(app.url("/api/v1/tokens")).send().await.unwrap().json().await.unwrap();
    let arr = list.as_array().unwrap();
    assert_eq!(arr.len(), 1);
    assert!(arr[0]["expires_at"].is_string());
    let id = arr[0]["id"].as_i64().unwrap();
    let other = app.api("officer.b").await;
    assert_eq!(other.post(app.url(&format!("/api/v1/tokens/{id}/revoke"))).send().await.unwrap().status(), 404);
    assert_eq!(
        other.get(app.url("/api/v1/tokens")).send().await.unwrap().json::<serde_json::Value>().await.unwrap().as_array().unwrap().len(),
        1,
        "only their own"
    );
    let r = officer.post(app.url(&format!("/account/tokens/{id}/revoke"))).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(api.get(app.url("/api/v1/me")).send().await.unwrap().status(), 401, "revoked");
    // created through the API with an expiry in the past: refused
    let r = other
        .post(app.url("/api/v1/tokens"))
        .json(&serde_json::json!({"name": "cu", "expires_at": "2020-01-01T00:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = other.post(app.url("/api/v1/tokens")).json(&serde_json::json!({"name": "moi"})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let made: serde_json::Value = r.json().await.unwrap();
    assert!(made["secret"].as_str().unwrap().starts_with("pxt_"));
    // an administrator sees everyone's and revokes any; a reset by the administrator ends them
    let admin = app.api("admin").await;
    let all: serde_json::Value = admin.get(app.url("/api/v1/tokens")).send().await.unwrap().json().await.unwrap();
    assert!(all.as_array().unwrap().len() >= 4);
    let fresh = bearer(made["secret"].as_str().unwrap());
    assert_eq!(fresh.get(app.url("/api/v1/me")).send().await.unwrap().status(), 200);
    app.store.set_password(&parindex_store::AuditCtx::system("test"), "officer.b", "mat-khau-moi-dai-1").await.unwrap();
    assert_eq!(fresh.get(app.url("/api/v1/me")).send().await.unwrap().status(), 401);
});

backend_tests!(the_last_administrator_stays, |b| async move {
    let app = TestApp::spawn(b).await;
    let api = app.api("admin").await;
    let body = serde_json::json!({"full_name": "Quản trị", "role": "viewer"});
    let r = api.put(app.url("/api/v1/users/admin")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("quản trị viên duy nhất"));
    assert_eq!(app.store.get_user_by_name("admin").await.unwrap().role, "admin");
});

backend_tests!(signed_in_answers_are_not_cached_and_metrics_need_a_token, |b| async move {
    let app = TestApp::spawn_with(b, |c| {
        c.metrics_allow = vec![];
        c.metrics_token = Some("bi-mat-do-luong".into());
    })
    .await;
    let c = app.login("admin").await;
    for path in ["/units", "/units?format=csv", "/admin/audit", "/api/v1/me"] {
        let r = if path.starts_with("/api") {
            app.api("admin").await.get(app.url(path)).send().await.unwrap()
        } else {
            c.get(app.url(path)).send().await.unwrap()
        };
        assert_eq!(r.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{path}");
    }
    assert_eq!(app.client().get(app.url("/metrics")).send().await.unwrap().status(), 404);
    assert_eq!(c.get(app.url("/metrics")).send().await.unwrap().status(), 404, "not for a session either");
    let r = app.client().get(app.url("/metrics")).bearer_auth("bi-mat-do-luong").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("parindex_http_requests_total"));
    assert_eq!(app.client().get(app.url("/readyz")).send().await.unwrap().text().await.unwrap(), "ready");
});

backend_tests!(csv_exports_neutralise_formulas, |b| async move {
    let app = TestApp::spawn(b).await;
    let c = app.login("admin").await;
    let name = "=HYPERLINK(\"http://evil.example\",\"Bấm vào đây\")";
    let mut input = parindex_testkit::fixture::unit("CSV-1", name, "agency");
    input.area = Some("+84 212 000".into());
    app.store.create_unit(&parindex_store::AuditCtx::system("test"), input).await.unwrap();
    let csv = c.get(app.url("/units?format=csv&status=all")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("'=HYPERLINK(") && !csv.contains(",=HYPERLINK") && !csv.contains("\"=HYPERLINK"), "{csv}");
    assert!(csv.contains("'+84 212 000"), "{csv}");
});

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(parindex_testkit::Backend::Sqlite, |c| c.header_read_timeout = std::time::Duration::from_secs(1)).await;
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let start = std::time::Instant::now();
    let mut buf = Vec::new();
    // the server answers (408) or closes; either way the read ends well before 30 s
    let read = tokio::time::timeout(std::time::Duration::from_secs(30), s.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "still held after {:?}", start.elapsed());
    // a complete request on a new connection is served
    assert_eq!(app.client().get(app.url("/healthz")).send().await.unwrap().status(), 200);
}

/// A small filesystem (tmpfs, mounted by the test: needs root, as in CI) holding the SQLite
/// database; `None` (and a message) where mounting is not allowed, unless
/// `PARINDEX_REQUIRE_FAULTFS=1`.
fn small_filesystem(mb: u32) -> Option<(tempfile::TempDir, impl Drop)> {
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs"])
        .arg(dir.path())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("PARINDEX_REQUIRE_FAULTFS").as_deref() != Ok("1"),
            "PARINDEX_REQUIRE_FAULTFS=1 but a tmpfs cannot be mounted"
        );
        eprintln!("skipped: the disk-full test needs to mount a small tmpfs (root)");
        return None;
    }
    let guard = Unmount(dir.path().to_path_buf());
    Some((dir, guard))
}

/// Fill `dir`'s filesystem to the last byte with a file (returned: remove it to free space).
fn fill(dir: &std::path::Path) -> std::path::PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 4096];
    while f.write_all(&block).is_ok() {}
    let mut one = [0u8; 1];
    while f.write_all(&one).is_ok() {
        one[0] = 1;
    }
    let _ = f.sync_all();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_answers_survive_a_full_disk_and_the_server_recovers() {
    let _ = tracing_subscriber::fmt().with_env_filter("warn").with_test_writer().try_init();
    let Some((fs, _mounted)) = small_filesystem(24) else { return };
    let db_dir = fs.path().join("db");
    std::fs::create_dir_all(&db_dir).unwrap();
    let app = TestApp::spawn_on(parindex_testkit::TestDb::sqlite_in(&db_dir), |_| {}).await;
    let sec = app.login("secretariat").await;
    let (_, run_id) = parindex_testkit::surveys::open_sipas_run(&app, &sec).await;
    let key = app.store.survey_units(run_id).await.unwrap()[0].public_key.clone();
    let url = app.url(&format!("/k/{key}"));
    let answers = parindex_testkit::surveys::sipas_answers(&app, 3).await;
    let send = |i: usize| {
        // a different device each time: not a duplicate
        let (c, url, answers) = (app.client(), url.clone(), answers.clone());
        async move {
            let r = c.post(&url).header("user-agent", format!("dien-thoai-{i}")).form(&answers).send().await.unwrap();
            let thanked = r.status() == 303 && r.headers()["location"].to_str().unwrap().ends_with("/cam-on");
            let status = r.status().as_u16();
            if status == 503 {
                let page = r.text().await.unwrap();
                assert!(page.contains("Phiếu chưa được lưu") && page.contains("checked"), "{page}");
            }
            (thanked, status)
        }
    };
    let mut thanked = 0u64;
    for i in 0..10 {
        assert!(send(i).await.0, "before the disk fills");
        thanked += 1;
    }
    assert_eq!(app.client().get(app.url("/readyz")).send().await.unwrap().status(), 200);
    let filler = fill(fs.path());
    // while the disk is full: answers in parallel, some may still fit in pages SQLite holds
    let mut refused = 0;
    for round in 0..4 {
        let mut handles = Vec::new();
        for i in 0..15 {
            handles.push(tokio::spawn(send(1000 + round * 100 + i)));
        }
        for h in handles {
            let (ok, status) = h.await.unwrap();
            if ok {
                thanked += 1;
            } else {
                assert_eq!(status, 503, "not stored: said so, the form kept");
                refused += 1;
            }
        }
    }
    assert!(refused > 0, "the full disk refused some answers");
    tokio::time::sleep(parindex_web::metrics::PROBE_EVERY).await;
    assert_eq!(app.client().get(app.url("/readyz")).send().await.unwrap().status(), 503, "not ready while writes fail");
    // space comes back: the server recovers by itself, without a restart
    std::fs::remove_file(filler).unwrap();
    tokio::time::sleep(parindex_web::metrics::PROBE_EVERY).await;
    let mut recovered = false;
    for _ in 0..20 {
        if app.client().get(app.url("/readyz")).send().await.unwrap().status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert!(recovered, "ready again once space is back");
    for i in 0..10 {
        let (ok, status) = send(5000 + i).await;
        assert!(ok, "after recovery: {status}");
        thanked += 1;
    }
    // every acknowledged answer is there — also read by a fresh connection after the server
    let counted = app.store.get_survey(run_id).await.unwrap().responses as u64;
    assert_eq!(counted, thanked, "acknowledged = stored");
    let url = parindex_store::sqlite_url_for_dir(&db_dir);
    drop(app);
    let again = parindex_store::Store::connect(&url).await.unwrap();
    use sea_orm::ConnectionTrait;
    let row = again
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Sqlite,
            format!("SELECT COUNT(*) AS n FROM survey_responses WHERE survey_id = {run_id}"),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap() as u64, thanked, "rows in the file");
}

backend_tests!(appraisers_read_their_queue_through_the_api_and_other_leaves_are_forbidden, |b| async move {
    let app = TestApp::spawn_demo(b).await;
    let stp = app.api("thamdinh.stp").await;
    let queue: serde_json::Value = stp.get(app.url("/api/v1/appraisal")).send().await.unwrap().json().await.unwrap();
    let row = &queue.as_array().expect("a queue")[0];
    let id = row["assessment"]["id"].as_i64().unwrap();
    // what they appraise, they read: their leaves only, without the unit's running total
    let r = stp.get(app.url(&format!("/api/v1/assessments/{id}"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    let view = app.store.get_assessment(id).await.unwrap();
    let scope = parindex_store::repo::appraisal::AppraiserScope::Agency("STP".into());
    let mine = parindex_store::repo::appraisal::my_leaves(&view.framework, &view.assessment.unit_kind, &scope);
    let entries = body["entries"].as_array().unwrap();
    assert!(!entries.is_empty() && entries.iter().all(|e| mine.contains(&e["code"].as_str().unwrap().to_string())));
    assert!(body["result"].is_null());
    // a leaf appraised by another agency: a permission refusal (403), not a conflict
    let other = view
        .framework
        .appraisers()
        .into_iter()
        .find(|(n, a)| !scope.covers(*a) && view.entries.contains_key(&n.code))
        .map(|(n, _)| n.code.clone());
    if let Some(code) = other {
        let r = stp
            .put(app.url(&format!("/api/v1/assessments/{id}/appraisal/{code}")))
            .json(&serde_json::json!({"input": "na"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{}", r.text().await.unwrap());
    }
    // an assessment not in their queue (another unit's draft) stays closed
    let year = parindex_core::assessment::today_vn().format("%Y").to_string();
    let period = app.store.list_periods().await.unwrap().into_iter().find(|p| p.code == format!("{year}-XA")).unwrap();
    let drafts = app.store.list_assessments(period.id, parindex_core::UnitScope::All).await.unwrap();
    if let Some(d) = drafts.iter().find(|a| a.state.as_str() == "draft") {
        assert_eq!(stp.get(app.url(&format!("/api/v1/assessments/{}", d.id))).send().await.unwrap().status(), 403);
    }
});

backend_tests!(bad_query_strings_get_a_vietnamese_page_and_decimals_take_a_comma, |b| async move {
    let app = TestApp::spawn_demo(b).await;
    let admin = app.login("admin").await;
    let last = (parindex_core::assessment::today_vn().format("%Y").to_string().parse::<i32>().unwrap() - 1).to_string();
    let period = app.store.list_periods().await.unwrap().into_iter().find(|p| p.code.starts_with(&last)).unwrap();
    for (path, needle) in [
        (format!("/periods/{}/ket-qua?spread=abc", period.id), "không phải là một số"),
        ("/frameworks/compare".to_string(), "thiếu tham số"),
        ("/admin/audit?offset=-5".to_string(), "“offset”"),
    ] {
        let r = admin.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 400, "{path}");
        let page = r.text().await.unwrap();
        assert!(page.contains(needle) && page.contains("<html") && !page.contains("Failed to deserialize"), "{path}: {page}");
    }
    let r = admin.get(app.url(&format!("/periods/{}/ket-qua?spread=7,5", period.id))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("value=\"7,5\""));
    // the API answers a bad query as JSON, in the reader's language
    let r = app.api("admin").await.get(app.url("/api/v1/audit?offset=-5")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let j: serde_json::Value = r.json().await.unwrap();
    assert!(j["error"]["message_vi"].as_str().unwrap().contains("“offset”"), "{j}");
    // analysis tables: the same order on every request (ties broken by code)
    let url = app.url(&format!("/periods/{}/phan-tich/tu-cham-tieu-chi.csv", period.id));
    let first = admin.get(&url).send().await.unwrap().text().await.unwrap();
    for _ in 0..5 {
        assert_eq!(admin.get(&url).send().await.unwrap().text().await.unwrap(), first);
    }
});
