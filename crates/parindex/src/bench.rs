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

/// Robustness of ranks on a synthetic province: `units` units scored on a synthetic framework of
/// `leaves` leaves (exact), then `replications` Monte Carlo replications over the domain weights
/// (±`spread`) with a bootstrap of 20–80 answers per unit on every survey-sourced leaf.
pub fn robustness(units: usize, leaves: usize, replications: usize, spread: f64, reps: usize) {
    use parindex_core::framework::Rule;
    use parindex_core::results::robust::{SurveyLeaf, Unit, simulate};
    let fw = synthetic::framework(leaves, 2026);
    let c = Compiled::new(&fw).expect("synthetic framework is valid");
    let mut rng = Rng::new(11);
    let tops: Vec<usize> = c.nodes.iter().enumerate().filter(|(_, n)| n.parent.is_none()).map(|(i, _)| i).collect();
    let domain_of = |mut i: usize| {
        while let Some(p) = c.nodes[i].parent {
            i = p;
        }
        tops.iter().position(|t| *t == i).unwrap_or(0)
    };
    let t = Instant::now();
    let mut input = Vec::with_capacity(units);
    let mut survey_leaves = 0;
    for _ in 0..units {
        let placed = synthetic::inputs(&c, &mut rng, 30);
        let sheet = score(&c, &placed, false).expect("valid inputs");
        let survey: Vec<SurveyLeaf> = c
            .leaf_positions()
            .filter(|i| matches!(c.nodes[*i].rule, Some(Rule::Survey)) && sheet.nodes[*i].applicable)
            .map(|i| {
                let answers = [0.0, 0.25, 0.5, 0.75, 1.0].iter().map(|w| (*w, 4 + rng.below(13))).collect();
                SurveyLeaf { domain: domain_of(i), max: c.nodes[i].max.to_f64(), answers }
            })
            .collect();
        survey_leaves += survey.len();
        input.push(Unit {
            domains: tops.iter().map(|i| (sheet.nodes[*i].points.to_f64(), sheet.nodes[*i].applicable_max.to_f64())).collect(),
            survey,
        });
    }
    let base_values: Vec<Option<f64>> = input
        .iter()
        .map(|u| Some(100.0 * u.domains.iter().map(|d| d.0).sum::<f64>() / u.domains.iter().map(|d| d.1).sum::<f64>()))
        .collect();
    let mut base: Vec<usize> = (0..units).collect();
    base.sort_by(|a, b| base_values[*b].unwrap_or(0.0).total_cmp(&base_values[*a].unwrap_or(0.0)));
    println!(
        "parindex bench robustness — {units} units × {leaves} leaves ({} domains, {survey_leaves} survey leaves with 20–80 answers each), {replications} replications, weights ±{:.0} %",
        tops.len(),
        spread * 100.0
    );
    println!("machine: {}", machine());
    println!("scoring the units (exact) and preparing: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let mut times = Vec::with_capacity(reps);
    let mut out = None;
    for _ in 0..reps {
        let t = Instant::now();
        out = Some(simulate(&input, &base, spread, replications, 2026));
        times.push(t.elapsed());
    }
    let (min, median) = stats(times);
    println!(
        "{replications} replications: min {:.3} s, median {:.3} s over {reps} runs (target: under 2 s)",
        min.as_secs_f64(),
        median.as_secs_f64()
    );
    if let Some(o) = out {
        let fragile = o.beats_next.iter().flatten().filter(|p| **p < 0.95).count();
        let widest = (0..units).map(|i| o.p95[i] - o.p5[i]).max().unwrap_or(0);
        println!(
            "rank differences not robust (< 95 %): {fragile} of {}; widest 5–95 % rank interval: {widest} places",
            units.saturating_sub(1)
        );
    }
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
    use parindex_store::AuditCtx;
    use parindex_store::repo::periods::{EntryInput, PeriodInput, self_leaves};
    use tower::ServiceExt;
    let (dir, store) = temp_sqlite("bench").await?;
    let ctx = AuditCtx::system("bench");
    let code = seed_framework_and_units(&store, leaves, units).await?;
    let unit_id = store.unit_id_by_code("U000").await?.ok_or_else(|| anyhow::anyhow!("unit U000 was not created"))?;
    let password = bench_user(&store, "bench.officer", "Cán bộ đo kiểm", parindex_core::Role::UnitOfficer, Some(unit_id)).await?;
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

/// A minimal HTTP/1.1 keep-alive client for the ingestion bench: the citizen's path without a
/// browser (GET the form, POST the answers), so that the client costs little next to the server.
struct Http {
    stream: tokio::io::BufReader<tokio::net::TcpStream>,
}

impl Http {
    async fn connect(addr: std::net::SocketAddr) -> anyhow::Result<Http> {
        let s = tokio::net::TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Http { stream: tokio::io::BufReader::new(s) })
    }

    /// Send a request and read the whole response; returns (status, body length).
    async fn request(&mut self, method: &str, path: &str, body: Option<&str>) -> anyhow::Result<(u16, usize)> {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\nUser-Agent: parindex-bench\r\n");
        if let Some(b) = body {
            req.push_str(&format!("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n", b.len()));
        }
        req.push_str("\r\n");
        if let Some(b) = body {
            req.push_str(b);
        }
        self.stream.get_mut().write_all(req.as_bytes()).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 =
            line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| anyhow::anyhow!("bad status line {line:?}"))?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse()?;
            }
        }
        let mut buf = vec![0u8; length];
        self.stream.read_exact(&mut buf).await?;
        Ok((status, length))
    }
}

/// A fresh database (SQLite in `dir`, or the empty PostgreSQL database at `database_url`)
/// with 150 communes XA001…XA150 (the codes of `shared/bench`), the SIPAS sample published,
/// and a survey of it for every commune.
async fn survey_setup(
    dir: &std::path::Path,
    database_url: Option<&str>,
) -> anyhow::Result<(parindex_store::Store, parindex_store::repo::surveys::SurveyRow, parindex_core::survey::Questionnaire)> {
    use parindex_store::AuditCtx;
    use parindex_store::repo::surveys::SurveyInput;
    std::fs::create_dir_all(dir)?;
    let url = database_url.map(str::to_string).unwrap_or_else(|| parindex_store::sqlite_url_for_dir(dir));
    let store = parindex_store::Store::connect(&url).await?;
    store.migrate().await?;
    let ctx = AuditCtx::system("bench");
    for i in 0..150 {
        let input = parindex_core::unit::UnitInput {
            code: format!("XA{:03}", i + 1),
            name: format!("UBND xã số {i}"),
            kind: "commune".into(),
            ..Default::default()
        };
        store.create_unit(&ctx, input).await?;
    }
    let (name, text) = parindex_reports::survey::SAMPLES[0];
    let q = parindex_reports::survey::parse_questionnaire(name, text).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    store.save_questionnaire(&ctx, q.clone(), name).await?;
    store.publish_questionnaire(&ctx, &q.code).await?;
    let input = SurveyInput {
        code: "BENCH".into(),
        name: "Đo kiểm".into(),
        questionnaire: q.code.clone(),
        year: 2026,
        unit_kinds: vec!["commune".into()],
        quota: 1000,
        ..Default::default()
    };
    let run = store.create_survey(&ctx, input).await?;
    Ok((store, run, q))
}

/// Responses over HTTP along the citizen's path — GET the public form, POST 30 Likert answers
/// (and the other required ones) — by `concurrency` clients on keep-alive connections, against
/// the server on a fresh SQLite database (or the PostgreSQL database at `database_url`, which
/// must be empty). Each response is acknowledged only after its transaction (response, unit
/// counter, counts) commits. The per-address limit is lifted for the bench (all clients share
/// 127.0.0.1). Prints responses per second and checks the stored counts.
pub async fn survey_ingest(responses: usize, concurrency: usize, database_url: Option<String>) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("parindex-bench-ingest-{}", std::process::id()));
    let (store, run, q) = survey_setup(&dir, database_url.as_deref()).await?;
    let keys: Vec<String> = store.survey_units(run.id).await?.into_iter().map(|u| u.public_key).collect();
    let mut state =
        parindex_web::AppState::new(store.clone(), parindex_web::WebConfig { files_dir: dir.join("files"), ..Default::default() });
    state.survey_limiter = std::sync::Arc::new(parindex_web::ratelimit::Limiter::new(u32::MAX, std::time::Duration::from_secs(3600)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = parindex_web::serve(listener, state).await;
    });
    let likert: Vec<String> = q.questions().filter(|(_, x)| x.element.is_some()).map(|(_, x)| x.name.clone()).collect();
    println!(
        "parindex bench survey-ingest — {responses} responses by {concurrency} clients (GET form + POST {} answers), {}",
        likert.len(),
        if database_url.is_some() { "PostgreSQL" } else { "SQLite (WAL, synchronous=FULL)" }
    );
    println!("machine: {}", machine());
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let keys = std::sync::Arc::new(keys);
    let likert = std::sync::Arc::new(likert);
    let started = Instant::now();
    let mut workers = Vec::new();
    let mut form_bytes = 0usize;
    for w in 0..concurrency {
        let (next, keys, likert) = (next.clone(), keys.clone(), likert.clone());
        workers.push(tokio::spawn(async move {
            let mut http = Http::connect(addr).await?;
            let mut rng = Rng::new(w as u64 + 1);
            let mut bytes = 0;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= responses {
                    return anyhow::Ok(bytes);
                }
                let key = &keys[i % keys.len()];
                let (status, len) = http.request("GET", &format!("/k/{key}?kenh=qr"), None).await?;
                anyhow::ensure!(status == 200, "GET {status}");
                bytes = len;
                let mut body = String::from("kenh=qr");
                for name in likert.iter() {
                    body.push_str(&format!("&{name}={}", 1 + rng.below(5)));
                }
                let (status, _) = http.request("POST", &format!("/k/{key}"), Some(&body)).await?;
                anyhow::ensure!(status == 303, "POST {status}");
            }
        }));
    }
    for w in workers {
        form_bytes = w.await??;
    }
    let elapsed = started.elapsed();
    server.abort();
    let stored = store.get_survey(run.id).await?.responses;
    let counted: u64 = store.survey_tallies(run.id).await?.units.values().map(|u| u.iter().map(|t| t.n).sum::<u64>()).sum();
    println!(
        "{responses} responses in {:.2} s: {:.0} responses/s (target ≥ 2,000/s); form page {} KB",
        elapsed.as_secs_f64(),
        responses as f64 / elapsed.as_secs_f64(),
        form_bytes / 1024
    );
    println!("stored: {stored} responses, {counted} Likert answers counted (expected {})", responses * 30);
    anyhow::ensure!(stored as usize == responses, "every acknowledged response is stored");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Survey data at scale on one responses file in the layout of `shared/bench` (150 units):
/// import into the database (one transaction), the indices from the maintained counts, the
/// full recount from the raw responses, the survey's results page (through the whole router,
/// signed in as the reform office), the raw-response export — and a check that the indices
/// computed from that export (`sipas compute`'s code) are byte-identical to the ones shown.
pub async fn surveys(path: &std::path::Path, database_url: Option<String>, reps: usize) -> anyhow::Result<()> {
    use parindex_store::AuditCtx;
    use tower::ServiceExt;
    let dir = std::env::temp_dir().join(format!("parindex-bench-surveys-{}", std::process::id()));
    let (store, run, _q) = survey_setup(&dir, database_url.as_deref()).await?;
    let bytes = std::sync::Arc::new(std::fs::read(path)?);
    println!(
        "parindex bench surveys — {} ({:.1} MB), 150 units, {}",
        path.display(),
        bytes.len() as f64 / 1e6,
        if database_url.is_some() { "PostgreSQL" } else { "SQLite (WAL, synchronous=FULL)" }
    );
    println!("machine: {}", machine());
    let ctx = AuditCtx::system("bench");
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let t = Instant::now();
    let done = parindex_web::app::survey_data::import_responses(&store, &ctx, run.id, &name, bytes.clone(), "import")
        .await
        .map_err(|e| anyhow::anyhow!("import refused: {e:?}"))?;
    let import = t.elapsed();
    println!(
        "import: {} responses in {:.2} s ({:.0}/s; target: 1,000,000 in under 10 s), read + check + write in one transaction",
        done.responses,
        import.as_secs_f64(),
        done.responses as f64 / import.as_secs_f64()
    );
    let mut times = Vec::new();
    let mut shown = String::new();
    for _ in 0..reps {
        let t = Instant::now();
        shown = parindex_core::sipas::to_csv(&parindex_core::sipas::indices(&store.survey_tallies(run.id).await?));
        times.push(t.elapsed());
    }
    let (min, median) = stats(times);
    println!(
        "indices from the maintained counts: min {:.1} ms, median {:.1} ms over {reps} (target: under 1 s)",
        min.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3
    );
    // the breakdown by respondent group (age group, gender: the file's own columns), also
    // from the counts; checked again after the recount
    let mut times = Vec::new();
    let mut groups = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        groups = store.survey_breakdown(run.id, None).await?;
        times.push(t.elapsed());
    }
    let (min, median) = stats(times);
    println!(
        "breakdown by respondent group from the counts: {} groups, min {:.1} ms, median {:.1} ms over {reps}",
        groups.len(),
        min.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let read = parindex_web::app::survey_data::recount(&store, &ctx, run.id).await?;
    println!("full recount from the raw responses: {read} responses in {:.2} s (one pass, one transaction)", t.elapsed().as_secs_f64());
    let again = parindex_core::sipas::to_csv(&parindex_core::sipas::indices(&store.survey_tallies(run.id).await?));
    anyhow::ensure!(again == shown, "the recount gives the same indices");
    anyhow::ensure!(store.survey_breakdown(run.id, None).await? == groups, "the recount gives the same breakdown");
    let t = Instant::now();
    let mut export = Vec::with_capacity(bytes.len());
    let n = parindex_web::app::survey_data::write_responses_csv(&store, run.id, &mut export).await?;
    println!("export of the raw responses: {n} rows, {:.1} MB in {:.2} s", export.len() as f64 / 1e6, t.elapsed().as_secs_f64());
    let recomputed = parindex_core::sipas::to_csv(&parindex_core::sipas::indices(
        &parindex_core::sipas::tally_csv(&export, 2).map_err(|e| anyhow::anyhow!("export unreadable: {e:?}"))?,
    ));
    anyhow::ensure!(recomputed == shown, "indices from the export equal the indices shown");
    println!("check: the indices computed from the export are byte-identical to the ones shown ({} lines)", shown.lines().count());
    // the results page, as the reform office opens it
    let password = "mat-khau-do-kiem-2026";
    store
        .create_user(
            &ctx,
            parindex_store::repo::users::NewUser {
                username: "bench.admin".into(),
                full_name: "Văn phòng CCHC".into(),
                email: None,
                phone: None,
                role: parindex_core::Role::Secretariat,
                unit_id: None,
                password: password.into(),
            },
        )
        .await?;
    let (secret, _) = store.login("bench.admin", password, None, None).await?.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let state = parindex_web::AppState::new(store.clone(), parindex_web::WebConfig { files_dir: dir.join("files"), ..Default::default() });
    let app = parindex_web::app(state);
    let key = store.survey_units(run.id).await?.remove(0).public_key;
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..reps.max(5) {
        let req = axum::http::Request::get(format!("/surveys/runs/{}", run.id))
            .header("cookie", format!("{}={secret}", parindex_web::ctx::SESSION_COOKIE))
            .body(axum::body::Body::empty())?;
        let t = Instant::now();
        let resp = app.clone().oneshot(req).await?;
        anyhow::ensure!(resp.status() == 200, "status {}", resp.status());
        size = axum::body::to_bytes(resp.into_body(), usize::MAX).await?.len();
        times.push(t.elapsed());
    }
    let (min, median) = stats(times);
    println!(
        "survey results page (150 units): min {:.1} ms, median {:.1} ms server time (target: under 50 ms); {} KB of HTML",
        min.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        size / 1024
    );
    let req = axum::http::Request::get(format!("/k/{key}")).body(axum::body::Body::empty())?;
    let resp = app.clone().oneshot(req).await?;
    let page = axum::body::to_bytes(resp.into_body(), usize::MAX).await?.len();
    let css = axum::body::to_bytes(
        app.clone().oneshot(axum::http::Request::get("/static/public.css").body(axum::body::Body::empty())?).await?.into_body(),
        usize::MAX,
    )
    .await?
    .len();
    println!(
        "public survey page: {:.1} KB HTML + {:.1} KB CSS, no script, no image (target: under 100 KB)",
        page as f64 / 1024.0,
        css as f64 / 1024.0
    );
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Every importer over every crafted hostile workbook (`parindex_reports::crafted`): the
/// outcome (it must be a refusal), the time and this process's peak memory during the import.
pub fn hostile_files(write: Option<&std::path::Path>) -> anyhow::Result<()> {
    use parindex_reports::{framework_xlsx, self_scores, table, units, xlsform};
    let files = parindex_reports::crafted::all();
    if let Some(dir) = write {
        std::fs::create_dir_all(dir)?;
        for f in &files {
            std::fs::write(dir.join(format!("{}-{}", f.name, f.file_name)), &f.bytes)?;
        }
    }
    type Importer = (&'static str, fn(&str, &[u8]) -> Result<(), String>);
    fn first(e: Vec<parindex_core::unit::RowError>) -> String {
        e.first().map(|r| r.message.en.clone()).unwrap_or_default()
    }
    let importers: [Importer; 6] = [
        ("units", |n, b| units::parse_units(n, b).map(|_| ()).map_err(first)),
        ("self-scores", |n, b| self_scores::read_sheet(n, b, &[]).map(|_| ()).map_err(first)),
        ("frameworks", |n, b| {
            framework_xlsx::parse_framework_xlsx(n, b).map(|_| ()).map_err(|e| e.first().map(|p| p.message.en.clone()).unwrap_or_default())
        }),
        ("questionnaires", |n, b| {
            let i = xlsform::import_file(n, b);
            match i.errors().next() {
                Some(d) => Err(d.en.clone()),
                None if i.questionnaire.is_none() => Err("refused".into()),
                None => Ok(()),
            }
        }),
        ("responses (streamed)", |n, b| {
            let mut rows = 0u64;
            table::visit_rows(n, b, |_, _| {
                rows += 1;
                true
            })
            .map_err(first)
        }),
        ("table", |n, b| table::read_table(n, b).map(|_| ()).map_err(first)),
    ];
    println!("{:<22} {:<20} {:>9} {:>9} {:>12}  outcome", "file", "importer", "KB", "ms", "peak MB");
    let mut worst = 0.0f64;
    for f in &files {
        for (name, import) in &importers {
            if f.file_name.ends_with(".xls") && *name != "questionnaires" {
                continue;
            }
            reset_peak();
            let (before, _) = memory_mb();
            let t = std::time::Instant::now();
            let r = import(f.file_name, &f.bytes);
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            let (_, peak) = memory_mb();
            worst = worst.max(peak - before);
            let outcome = match &r {
                Ok(()) => "ACCEPTED".to_string(),
                Err(e) => format!("refused: {}", e.chars().take(90).collect::<String>()),
            };
            println!("{:<22} {:<20} {:>9} {:>9.1} {:>12.1}  {outcome}", f.name, name, f.bytes.len() / 1024, ms, peak - before);
        }
    }
    println!("worst peak above the starting memory: {worst:.1} MB (target: under 256 MB)");
    Ok(())
}

/// This process's resident memory now and its peak since the last [`reset_peak`], in MB
/// (`/proc/self/status`: VmRSS, VmHWM).
fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kb("VmRSS:") / 1024.0, kb("VmHWM:") / 1024.0)
}

/// Reset the peak resident memory to the current one (Linux: `clear_refs` 5), after handing
/// the memory that earlier steps freed back to the system (glibc keeps freed memory of its
/// threads' arenas resident; the import before an export leaves tens of MB so).
fn reset_peak() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap memory; it is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Streaming exports at scale: the responses of one `shared/bench` file imported, then written
/// as CSV and as XLSX to files, each timed with the process's peak memory while it ran.
pub async fn exports(path: &std::path::Path, database_url: Option<String>, reps: usize, csv_only: bool) -> anyhow::Result<()> {
    use parindex_store::AuditCtx;
    let dir = std::env::temp_dir().join(format!("parindex-bench-exports-{}", std::process::id()));
    let (store, run, _q) = survey_setup(&dir, database_url.as_deref()).await?;
    println!(
        "parindex bench exports — {}, 150 units, {}",
        path.display(),
        if database_url.is_some() { "PostgreSQL" } else { "SQLite (WAL, synchronous=FULL)" }
    );
    println!("machine: {}", machine());
    {
        let bytes = std::sync::Arc::new(std::fs::read(path)?);
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let t = Instant::now();
        let done = parindex_web::app::survey_data::import_responses(&store, &AuditCtx::system("bench"), run.id, &name, bytes, "import")
            .await
            .map_err(|e| anyhow::anyhow!("import refused: {e:?}"))?;
        println!("setup: {} responses imported in {:.1} s", done.responses, t.elapsed().as_secs_f64());
    }
    let t = Instant::now();
    let read = parindex_web::app::survey_data::read_all_responses(&store, run.id).await?;
    println!("reading alone (blocks of 5,000 read ahead, three at a time): {read} responses in {:.2} s", t.elapsed().as_secs_f64());
    for _ in 0..reps {
        let csv_path = dir.join("responses.csv");
        reset_peak();
        let (rss, _) = memory_mb();
        let t = Instant::now();
        let file = tokio::fs::File::create(&csv_path).await?;
        let mut w = tokio::io::BufWriter::with_capacity(1 << 20, file);
        let n = parindex_web::app::survey_data::write_responses_csv(&store, run.id, &mut w).await?;
        let took = t.elapsed();
        let (_, peak) = memory_mb();
        let size = std::fs::metadata(&csv_path)?.len();
        println!(
            "CSV: {n} responses, {:.1} MB in {:.2} s (target: under 3 s); peak memory {peak:.0} MB (before: {rss:.0} MB; target: under 200 MB)",
            size as f64 / 1e6,
            took.as_secs_f64()
        );
        let lines = std::io::BufRead::lines(std::io::BufReader::new(std::fs::File::open(&csv_path)?)).count();
        anyhow::ensure!(lines as u64 == n + 1, "the CSV has a header and one line per response");
        let _ = std::fs::remove_file(&csv_path);
    }
    for _ in 0..if csv_only { 0 } else { reps } {
        let xlsx_path = dir.join("responses.xlsx");
        reset_peak();
        let (rss, _) = memory_mb();
        let t = Instant::now();
        let rows = parindex_web::app::survey_data::write_responses_xlsx(&store, run.id, &xlsx_path).await?;
        let took = t.elapsed();
        let (_, peak) = memory_mb();
        let size = std::fs::metadata(&xlsx_path)?.len();
        println!(
            "XLSX: {rows} responses, {:.1} MB in {:.2} s (target: under 30 s); peak memory {peak:.0} MB (before: {rss:.0} MB; target: under 200 MB)",
            size as f64 / 1e6,
            took.as_secs_f64()
        );
        anyhow::ensure!(rows == read, "the workbook has every response");
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// `parindex bench results` (issue #16): the server time of the results page and the analysis
/// page of the largest period, on the demo province and on a synthetic province of `units`
/// units × `leaves` leaves with an earlier year to compare with (targets: results page under
/// 50 ms, analysis page under 100 ms). Requests go through the whole router (session, render),
/// not over a socket.
pub async fn results(units: usize, leaves: usize, reps: usize) -> anyhow::Result<()> {
    println!("parindex bench results — SQLite; machine: {}", machine());
    // the demo province, seeded as `parindex demo` does
    let dir = std::env::temp_dir().join(format!("parindex-bench-results-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = parindex_store::sqlite_url_for_dir(&dir.join("demo"));
    std::fs::create_dir_all(dir.join("demo"))?;
    let bulk = parindex_store::Store::connect_bulk(&url).await?;
    bulk.migrate().await?;
    parindex_demo::seed(&bulk).await?;
    bulk.db.close().await.ok();
    let store = parindex_store::Store::connect(&url).await?;
    let (secret, _) =
        store.login("admin", parindex_demo::DEMO_PASSWORD, None, None).await?.map_err(|e| anyhow::anyhow!("demo admin: {e:?}"))?;
    time_result_pages("demo province", &store, &secret, &dir.join("demo"), reps).await?;
    store.db.close().await.ok();

    // a synthetic province: two years of `units` units on a framework of `leaves` leaves
    let t = Instant::now();
    let sdir = dir.join("synthetic");
    std::fs::create_dir_all(&sdir)?;
    let url = parindex_store::sqlite_url_for_dir(&sdir);
    let bulk = parindex_store::Store::connect_bulk(&url).await?;
    bulk.migrate().await?;
    let password = seed_synthetic_province(&bulk, units, leaves).await?;
    bulk.db.close().await.ok();
    let store = parindex_store::Store::connect(&url).await?;
    println!("(synthetic province seeded in {:.1} s)", t.elapsed().as_secs_f64());
    let (secret, _) = store.login("bench.office", password, None, None).await?.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    time_result_pages(&format!("{units} units × {leaves} leaves, two years"), &store, &secret, &sdir, reps).await?;
    store.db.close().await.ok();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Time the results page and the analysis page of the period with the most units (latest year
/// first among equals).
async fn time_result_pages(
    label: &str,
    store: &parindex_store::Store,
    secret: &str,
    dir: &std::path::Path,
    reps: usize,
) -> anyhow::Result<()> {
    use tower::ServiceExt;
    let periods = store.list_periods().await?;
    let p = periods.iter().max_by_key(|p| (p.units, p.year)).ok_or_else(|| anyhow::anyhow!("no period"))?;
    let state = parindex_web::AppState::new(store.clone(), parindex_web::WebConfig { files_dir: dir.join("files"), ..Default::default() });
    let app = parindex_web::app(state);
    println!("{label}: period {} ({} units, {} periods in all)", p.code, p.units, periods.len());
    for (name, path, target) in
        [("results page", format!("/periods/{}/ket-qua", p.id), 50), ("analysis page", format!("/periods/{}/phan-tich", p.id), 100)]
    {
        let mut times = Vec::with_capacity(reps);
        let mut size = 0;
        let mut first = None;
        for _ in 0..reps + 1 {
            let req = axum::http::Request::get(&path)
                .header("cookie", format!("{}={secret}", parindex_web::ctx::SESSION_COOKIE))
                .body(axum::body::Body::empty())?;
            let t = Instant::now();
            let resp = app.clone().oneshot(req).await?;
            anyhow::ensure!(resp.status() == 200, "{path}: status {}", resp.status());
            let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
            // the first request after a write computes the results; the others read them
            if first.is_none() {
                first = Some(t.elapsed());
            } else {
                times.push(t.elapsed());
            }
            size = body.len();
        }
        let (min, median) = stats(times);
        println!(
            "  {name}: min {:.1} ms, median {:.1} ms over {reps} requests (target: under {target} ms); first request {:.1} ms; {} KB",
            min.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e3,
            first.unwrap_or_default().as_secs_f64() * 1e3,
            size / 1024
        );
    }
    Ok(())
}

/// Units, a reform-office account, a synthetic framework and two periods (2025, 2026) in which
/// every unit has scored every leaf. Returns the account's password.
async fn seed_synthetic_province(store: &parindex_store::Store, units: usize, leaves: usize) -> anyhow::Result<&'static str> {
    use parindex_store::AuditCtx;
    use parindex_store::repo::periods::{EntryInput, PeriodInput, self_leaves};
    let ctx = AuditCtx::system("bench");
    let code = seed_framework_and_units(store, leaves, units).await?;
    let password = bench_user(store, "bench.office", "Phòng CCHC đo kiểm", parindex_core::Role::Admin, None).await?;
    let today = parindex_core::assessment::today_vn();
    let mut rng = Rng::new(16);
    for year in [2025, 2026] {
        let p = store
            .create_period(
                &ctx,
                PeriodInput {
                    code: format!("BENCH-{year}"),
                    name: format!("Đo kiểm {year}"),
                    year,
                    framework_code: code.clone(),
                    self_due: Some(today + chrono::Duration::days(30)),
                    ..Default::default()
                },
            )
            .await?;
        for a in store.list_assessments(p.id, parindex_core::UnitScope::All).await? {
            let view = store.get_assessment(a.id).await?;
            let rows: Vec<(usize, String, EntryInput)> = self_leaves(&view.framework, "agency")
                .iter()
                .enumerate()
                .filter_map(|(i, n)| {
                    let (rule, max) = (n.rule.as_ref()?, n.max.as_ref()?);
                    let input = synthetic::random_input(&mut rng, rule, max, 20);
                    Some((i + 2, n.code.clone(), EntryInput { input: Some(input), ..Default::default() }))
                })
                .collect();
            store.save_entries(&ctx, a.id, rows, today).await?;
        }
    }
    Ok(password)
}

/// A published synthetic framework of `leaves` leaves and `units` agencies `U000`…; its code.
async fn seed_framework_and_units(store: &parindex_store::Store, leaves: usize, units: usize) -> anyhow::Result<String> {
    seed_this_framework_and_units(store, synthetic::framework(leaves, 2026), units).await
}

/// `fw` published and `units` agencies `U000`…; the framework's code.
async fn seed_this_framework_and_units(
    store: &parindex_store::Store,
    fw: parindex_core::framework::Framework,
    units: usize,
) -> anyhow::Result<String> {
    let ctx = parindex_store::AuditCtx::system("bench");
    let code = fw.code.clone();
    store.import_framework(&ctx, fw, "synthetic").await?;
    store.set_framework_status(&ctx, &code, parindex_core::framework::Status::Published).await?;
    for i in 0..units {
        let input = parindex_core::unit::UnitInput {
            code: format!("U{i:03}"),
            name: format!("Đơn vị số {i}"),
            kind: "agency".into(),
            ..Default::default()
        };
        store.create_unit(&ctx, input).await?;
    }
    Ok(code)
}

/// The account a benchmark signs in with; its password.
async fn bench_user(
    store: &parindex_store::Store,
    username: &str,
    full_name: &str,
    role: parindex_core::Role,
    unit_id: Option<i64>,
) -> anyhow::Result<&'static str> {
    let password = "mat-khau-do-kiem-2026";
    let user = parindex_store::repo::users::NewUser {
        username: username.into(),
        full_name: full_name.into(),
        email: None,
        phone: None,
        role,
        unit_id,
        password: password.into(),
    };
    store.create_user(&parindex_store::AuditCtx::system("bench"), user).await?;
    Ok(password)
}

/// Fed leaves (issue #18): a synthetic framework of `leaves` leaves of which `fed` take their
/// input from an imported value table, a period of `units` units, on a fresh SQLite database.
/// Times: each leaf's upload of every unit's figure (checked whole, written with the leaves it
/// feeds, in one transaction), a recompute of every fed leaf with nothing to change, and a
/// recompute rewriting every fed leaf of every unit (after their entries were wiped).
pub async fn feeds(units: usize, leaves: usize, fed: usize, reps: usize, fields: usize) -> anyhow::Result<()> {
    use parindex_core::framework::{Feed, Source};
    use parindex_store::AuditCtx;
    use parindex_store::repo::feeds::{FeedUpload, NewFeedValue};
    use parindex_store::repo::periods::PeriodInput;
    use sea_orm::ConnectionTrait;
    let (dir, store) = temp_sqlite("bench-feeds").await?;
    let ctx = AuditCtx::system("bench");
    let mut fw = synthetic::framework(leaves, 2026);
    // (a survey-rule leaf cannot be fed: the first `fed` leaves of other rules)
    let codes: Vec<String> = parindex_store::repo::periods::all_leaves(&fw)
        .iter()
        .filter(|n| !matches!(n.rule, Some(parindex_core::framework::Rule::Survey)))
        .take(fed)
        .map(|n| n.code.clone())
        .collect();
    for c in &codes {
        if let Some(n) = parindex_core::framework::edit::node_mut(&mut fw, c) {
            n.source = Source::Feed(Feed::Imported);
        }
    }
    // and the one-stop register's measures feed the next leaves whose rule reads them
    let mut measures = parindex_core::onestop::Measure::ALL.to_vec();
    let picked: Vec<(String, parindex_core::onestop::Measure)> = parindex_store::repo::periods::all_leaves(&fw)
        .iter()
        .filter(|n| !codes.contains(&n.code))
        .filter_map(|n| {
            let rule = n.rule.as_ref()?;
            let i = measures.iter().position(|m| m.fits(rule))?;
            Some((n.code.clone(), measures.remove(i)))
        })
        .collect();
    for (c, m) in &picked {
        if let Some(n) = parindex_core::framework::edit::node_mut(&mut fw, c) {
            n.source = Source::Feed(Feed::Onestop(*m));
        }
    }
    let onestop: Vec<String> = picked.into_iter().map(|(c, _)| c).collect();
    let code = seed_this_framework_and_units(&store, fw, units).await?;
    let input = PeriodInput { code: "BENCH".into(), name: "Đo kiểm".into(), year: 2026, framework_code: code, ..Default::default() };
    let p = store.create_period(&ctx, input).await?;
    let fw = store.period_framework(p.id).await?;
    println!("parindex bench feeds — {units} units, {leaves} leaves of which {fed} fed by imported tables, SQLite");
    println!("machine: {}", machine());
    let mut rng = Rng::new(7);
    let mut uploads = Vec::new();
    for rep in 0..reps {
        let t = std::time::Instant::now();
        for c in &codes {
            let n = fw.find(c).ok_or_else(|| anyhow::anyhow!("leaf {c}"))?;
            let (Some(rule), Some(max)) = (n.rule.as_ref(), n.max.as_ref()) else { continue };
            let rows = (0..units)
                .map(|i| NewFeedValue {
                    row: i + 2,
                    unit_code: format!("U{i:03}"),
                    input: Some(synthetic::random_input(&mut rng, rule, max, 0)).filter(|x| !x.not_applicable),
                    source: Some(format!("đo kiểm lần {rep}")),
                })
                .collect();
            let upload = FeedUpload { origin: "cli", file_name: Some(format!("{c}.xlsx")), rows, dry_run: false };
            store.import_feed_values(&ctx, p.id, c, upload).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
        uploads.push(t.elapsed().as_secs_f64() * 1e3);
    }
    uploads.sort_by(f64::total_cmp);
    println!(
        "upload {fed} tables × {units} units (each checked whole, its leaves written): median {:.0} ms, best {:.0} ms ({} runs; {:.1} ms per table)",
        uploads[uploads.len() / 2],
        uploads[0],
        uploads.len(),
        uploads[uploads.len() / 2] / fed.max(1) as f64
    );
    let t = std::time::Instant::now();
    let n = store.recompute_feeds(&ctx, p.id).await?;
    println!("recompute every fed leaf, nothing to change: {:.0} ms ({n} written)", t.elapsed().as_secs_f64() * 1e3);
    let list = codes.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(",");
    store
        .db
        .execute_unprepared(&format!("UPDATE assessment_entries SET self_input = NULL, note = NULL WHERE node_code IN ({list})"))
        .await?;
    let t = std::time::Instant::now();
    let n = store.recompute_feeds(&ctx, p.id).await?;
    println!("recompute every fed leaf, all rewritten: {:.0} ms ({n} leaves written)", t.elapsed().as_secs_f64() * 1e3);

    // the one-stop register at the scale: a year of every unit's figures per field,
    // imported at once (checked whole, written, every fed leaf of the period recomputed in the
    // same transaction), then one month re-imported with every figure changed
    use parindex_store::repo::onestop::{OnestopRow, OnestopUpload};
    let year_rows = |seed: u64, months: std::ops::RangeInclusive<u32>| -> Vec<OnestopRow> {
        let mut rng = Rng::new(seed);
        let mut rows = Vec::new();
        for m in months {
            for u in 0..units {
                for f in 0..fields {
                    rows.push(OnestopRow {
                        row: rows.len() + 2,
                        unit_code: format!("U{u:03}"),
                        month: format!("2026-{m:02}"),
                        field: format!("Lĩnh vực {f:02}"),
                        counts: parindex_demo::demo_onestop_counts(&mut rng, u % 9 == 4),
                    });
                }
            }
        }
        rows
    };
    let upload = |rows: Vec<OnestopRow>| OnestopUpload {
        origin: "cli",
        file_name: Some("mot-cua.csv".into()),
        source_name: None,
        rows,
        replace_months: true,
        dry_run: false,
    };
    println!("one-stop register: {} fed leaves ({}), {units} units × {fields} fields", onestop.len(), onestop.join(", "));
    let mut years = Vec::new();
    let mut written = 0;
    for rep in 0..reps {
        let rows = year_rows(rep as u64 + 1, 1..=12);
        let n_rows = rows.len();
        let t = std::time::Instant::now();
        let out = store.import_onestop(&ctx, upload(rows)).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        years.push(t.elapsed().as_secs_f64() * 1e3);
        written = out.leaves_written;
        if rep == 0 {
            println!("  (rows per year: {n_rows})");
        }
    }
    years.sort_by(f64::total_cmp);
    println!(
        "import 12 months × {units} units × {fields} fields (checked, replaced, every fed leaf recomputed): median {:.0} ms, best {:.0} ms ({} runs; last wrote {written} leaves)",
        years[years.len() / 2],
        years[0],
        years.len()
    );
    let t = std::time::Instant::now();
    let out = store.import_onestop(&ctx, upload(year_rows(99, 3..=3))).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    println!(
        "re-import one month ({} rows changed, {} unchanged): {:.0} ms ({} leaves written)",
        out.changed,
        out.unchanged,
        t.elapsed().as_secs_f64() * 1e3,
        out.leaves_written
    );
    let t = std::time::Instant::now();
    let sums = store.onestop_sums(2026, None, true).await?;
    println!("a year's sums per unit and month (the dashboard's query): {:.0} ms ({} rows)", t.elapsed().as_secs_f64() * 1e3, sums.len());
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A fresh SQLite database in a temporary directory of its own (removed by the caller).
async fn temp_sqlite(name: &str) -> anyhow::Result<(std::path::PathBuf, parindex_store::Store)> {
    let dir = std::env::temp_dir().join(format!("parindex-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = parindex_store::Store::connect(&parindex_store::sqlite_url_for_dir(&dir)).await?;
    store.migrate().await?;
    Ok((dir, store))
}
