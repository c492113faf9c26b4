//! `parindex bench …`: measured figures for the targets the issues name. Each prints the machine
//! facts it can see and the timings (min and median over repetitions); no assertion, no timing
//! in tests.

use std::time::{Duration, Instant};

use parindex_core::framework::score::{Compiled, score, score_many};
use parindex_core::framework::synthetic::{self, Rng};

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} cores, {model}")
}

fn stats(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[0], v[v.len() / 2])
}

/// Results for `units` units × `leaves` leaves, repeated `reps` times.
pub fn scoring(units: usize, leaves: usize, reps: usize) {
    let fw = synthetic::framework(leaves, 2026);
    let c = Compiled::new(&fw).expect("synthetic framework is valid");
    let mut rng = Rng::new(7);
    let inputs: Vec<_> = (0..units).map(|_| synthetic::inputs(&c, &mut rng, 30)).collect();
    println!("parindex bench scoring — {units} units × {leaves} leaves ({} nodes), exact arithmetic", c.nodes.len());
    println!("machine: {}", machine());
    let mut times = Vec::with_capacity(reps);
    let mut check = 0.0;
    for _ in 0..reps {
        let t = Instant::now();
        let sheets: Vec<_> = inputs.iter().map(|p| score(&c, p, false).expect("valid inputs")).collect();
        times.push(t.elapsed());
        check = sheets.iter().map(|s| s.total.to_f64()).sum::<f64>();
    }
    let (min, median) = stats(times);
    println!("one core:        min {:.3} ms, median {:.3} ms over {reps} runs", min.as_secs_f64() * 1e3, median.as_secs_f64() * 1e3);
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        let sheets = score_many(&c, &inputs, false);
        times.push(t.elapsed());
        assert_eq!(sheets.len(), units);
    }
    let (min, median) = stats(times);
    println!(
        "all cores:       min {:.3} ms, median {:.3} ms over {reps} runs (target: under 10 ms)",
        min.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3
    );
    println!("(sum of the {units} totals ≈ {check:.4}, to show the work is done)");
    // with explanations, as the pages compute them
    let t = Instant::now();
    for p in &inputs {
        let _ = score(&c, p, true).expect("valid inputs");
    }
    println!("with explanations in both languages: {:.3} ms", t.elapsed().as_secs_f64() * 1e3);
}

/// Server time of a unit's self-assessment page: a synthetic framework of `leaves` leaves, a
/// period of `units` units, one unit with every leaf scored and `files` evidence files linked.
/// The request goes through the whole router (session, authorization, queries, scoring,
/// template) on a fresh SQLite database in a temporary directory; the body is read to the end.
pub async fn assessment_page(leaves: usize, units: usize, files: usize, reps: usize) -> anyhow::Result<()> {
    use parindex_core::framework::Status;
    use parindex_store::AuditCtx;
    use parindex_store::repo::periods::{EntryInput, PeriodInput, self_leaves};
    use tower::ServiceExt;
    let dir = std::env::temp_dir().join(format!("parindex-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = parindex_store::Store::connect(&parindex_store::sqlite_url_for_dir(&dir)).await?;
    store.migrate().await?;
    let ctx = AuditCtx::system("bench");
    let fw = synthetic::framework(leaves, 2026);
    let code = fw.code.clone();
    store.import_framework(&ctx, fw, "synthetic").await?;
    store.set_framework_status(&ctx, &code, Status::Published).await?;
    for i in 0..units {
        let input = parindex_core::unit::UnitInput {
            code: format!("U{i:03}"),
            name: format!("Đơn vị số {i}"),
            kind: "agency".into(),
            ..Default::default()
        };
        store.create_unit(&ctx, input).await?;
    }
    let unit_id = store.unit_id_by_code("U000").await?.expect("created above");
    let password = "mat-khau-do-kiem-2026";
    store
        .create_user(
            &ctx,
            parindex_store::repo::users::NewUser {
                username: "bench.officer".into(),
                full_name: "Cán bộ đo kiểm".into(),
                email: None,
                role: parindex_core::Role::UnitOfficer,
                unit_id: Some(unit_id),
                password: password.into(),
            },
        )
        .await?;
    let today = parindex_core::assessment::today_vn();
    let p = store
        .create_period(
            &ctx,
            PeriodInput {
                code: "BENCH".into(),
                name: "Đo kiểm".into(),
                year: 2026,
                framework_code: code,
                self_due: Some(today + chrono::Duration::days(30)),
                ..Default::default()
            },
        )
        .await?;
    let a = store.list_assessments(p.id, parindex_core::UnitScope::Only(unit_id)).await?.remove(0);
    let view = store.get_assessment(a.id).await?;
    let mut rng = Rng::new(11);
    let codes: Vec<String> = self_leaves(&view.framework, "agency").iter().map(|n| n.code.clone()).collect();
    for n in self_leaves(&view.framework, "agency") {
        let (Some(rule), Some(max)) = (n.rule.as_ref(), n.max.as_ref()) else { continue };
        let input = synthetic::random_input(&mut rng, rule, max, 0);
        store
            .save_entry(
                &ctx,
                a.id,
                &n.code,
                EntryInput { input: Some(input), explanation: Some("đo kiểm".into()), ..Default::default() },
                today,
            )
            .await?;
    }
    for j in 0..files {
        let f = store
            .add_evidence(
                &ctx,
                unit_id,
                &format!("{j:064x}"),
                250_000,
                parindex_core::evidence::Kind::Pdf,
                &format!("Tài liệu kiểm chứng {j}.pdf"),
            )
            .await?;
        store.link_evidence(&ctx, a.id, &codes[j % codes.len()], f.id, today).await?;
    }
    let (secret, _) = store.login("bench.officer", password, None, None).await?.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let state = parindex_web::AppState::new(store.clone(), parindex_web::WebConfig { files_dir: dir.join("files"), ..Default::default() });
    let app = parindex_web::app(state);
    println!("parindex bench assessment-page — {leaves} leaves, {units} units in the period, {files} evidence files, SQLite");
    println!("machine: {}", machine());
    let mut times = Vec::with_capacity(reps);
    let mut size = 0;
    for _ in 0..reps {
        let req = axum::http::Request::get(format!("/assessments/{}", a.id))
            .header("cookie", format!("{}={secret}", parindex_web::ctx::SESSION_COOKIE))
            .body(axum::body::Body::empty())?;
        let t = Instant::now();
        let resp = app.clone().oneshot(req).await?;
        anyhow::ensure!(resp.status() == 200, "status {}", resp.status());
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
        times.push(t.elapsed());
        size = body.len();
    }
    let (min, median) = stats(times);
    println!(
        "page: min {:.1} ms, median {:.1} ms over {reps} requests (target: under 100 ms); {} KB of HTML",
        min.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        size / 1024
    );
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// `sipas compute` on `path`, end to end as the command runs it (read the file, tally on every
/// core, compute, format the CSV), `reps` times; the file stays in the page cache after the
/// first read, as it would for DuckDB or polars reading it.
pub fn sipas_compute(path: &std::path::Path, reps: usize) -> anyhow::Result<()> {
    use parindex_core::sipas::{indices, tally_csv, to_csv};
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("parindex bench sipas-compute — {}", path.display());
    println!("machine: {}", machine());
    let (mut total, mut tally_only) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    let mut rows = 0usize;
    let mut bytes = 0usize;
    for _ in 0..reps {
        let t = Instant::now();
        let data = std::fs::read(path)?;
        let t1 = Instant::now();
        let tallies = tally_csv(&data, threads).map_err(|p| anyhow::anyhow!("{p}"))?;
        tally_only.push(t1.elapsed());
        let csv = to_csv(&indices(&tallies));
        total.push(t.elapsed());
        bytes = data.len();
        rows = tallies.units.values().map(|u| u[0].n as usize).sum::<usize>();
        assert!(!csv.is_empty());
    }
    let (min, median) = stats(total);
    let (tmin, tmedian) = stats(tally_only);
    println!("file: {:.1} MB; answers to q01–q06: {rows}", bytes as f64 / 1e6);
    println!(
        "read + compute + format: min {:.3} s, median {:.3} s over {reps} runs on {threads} threads (target: ≤ 0.5 s for 1,000,000 responses)",
        min.as_secs_f64(),
        median.as_secs_f64()
    );
    println!("of which the tally pass: min {:.3} s, median {:.3} s", tmin.as_secs_f64(), tmedian.as_secs_f64());
    Ok(())
}
