//! `parindex framework …` commands that work on files (no database): validate, score.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use parindex_core::framework::Problem;
use parindex_core::framework::score::{Compiled, score};
use parindex_reports::framework::{parse_framework_file, parse_inputs};

use crate::cli::FrameworkCmd;

fn read(path: &Path) -> anyhow::Result<(String, String)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    Ok((name, text))
}

/// A framework file, YAML or XLSX (decided by content).
fn read_framework(path: &Path) -> anyhow::Result<(String, Result<parindex_core::framework::Framework, Vec<Problem>>)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let fw = parse_framework_file(&name, &bytes);
    Ok((name, fw))
}

fn report(name: &str, problems: &[Problem], lang: &str) -> ExitCode {
    if lang == "en" {
        eprintln!("{name}: {} problem(s); nothing was used:", problems.len());
    } else {
        eprintln!("{name}: {} lỗi; chưa dùng được tệp:", problems.len());
    }
    for p in problems {
        let code = if p.code.is_empty() { "-".to_string() } else { p.code.clone() };
        eprintln!("  [{code}] {}", p.message.get(lang));
    }
    ExitCode::from(2)
}

/// The commands that work on the database.
pub async fn run_db(store: &parindex_store::Store, cmd: FrameworkCmd) -> anyhow::Result<ExitCode> {
    use parindex_core::framework::Status;
    use parindex_store::{AuditCtx, StoreError};
    let ctx = AuditCtx::system("cli");
    let fail = |e: StoreError| -> anyhow::Result<ExitCode> {
        match e {
            StoreError::InvalidFramework(p) => Ok(report("", &p, "vi")),
            StoreError::Conflict(m) | StoreError::Unsupported(m) => {
                eprintln!("{}\n{}", m.vi, m.en);
                Ok(ExitCode::from(2))
            }
            StoreError::NotFound => {
                eprintln!("Không tìm thấy bộ chỉ số. / No such framework (see `parindex framework list`).");
                Ok(ExitCode::from(2))
            }
            e => Err(anyhow::anyhow!(e)),
        }
    };
    match cmd {
        FrameworkCmd::Import { file } => {
            let (name, fw) = read_framework(&file)?;
            let fw = match fw {
                Ok(fw) => fw,
                Err(p) => return Ok(report(&name, &p, "vi")),
            };
            match store.import_framework(&ctx, fw, &name).await {
                Ok(r) => println!("imported {} ({}, {} leaves, total {}, {})", r.code, r.name, r.leaves, r.max_total, r.status),
                Err(e) => return fail(e),
            }
        }
        FrameworkCmd::Export { code, format, output } => {
            let fw = match store.get_framework(&code).await {
                Ok((_, fw)) => fw,
                Err(e) => return fail(e),
            };
            let bytes = match format.as_str() {
                "json" => (serde_json::to_string_pretty(&fw)? + "\n").into_bytes(),
                "xlsx" => parindex_reports::framework_xlsx::framework_xlsx(&fw)?,
                _ => parindex_reports::framework::framework_to_yaml(&fw).into_bytes(),
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("written {}", path.display());
                }
                None if format == "xlsx" && std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
                    eprintln!("Tệp XLSX là tệp nhị phân: hãy thêm --output TỆP.xlsx. / XLSX is binary: add --output FILE.xlsx.");
                    return Ok(ExitCode::from(2));
                }
                None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
            }
        }
        FrameworkCmd::List => {
            println!("{:<20} {:<10} {:>6} {:>8}  name", "code", "status", "leaves", "total");
            for r in store.list_frameworks().await? {
                let from = r.derived_from.map(|d| format!(" (from {d})")).unwrap_or_default();
                println!("{:<20} {:<10} {:>6} {:>8}  {}{from}", r.code, r.status, r.leaves, r.max_total, r.name);
            }
        }
        FrameworkCmd::Publish { code } => match store.set_framework_status(&ctx, &code, Status::Published).await {
            Ok(r) => println!("{} is now {}", r.code, r.status),
            Err(e) => return fail(e),
        },
        FrameworkCmd::Archive { code } => match store.set_framework_status(&ctx, &code, Status::Archived).await {
            Ok(r) => println!("{} is now {}", r.code, r.status),
            Err(e) => return fail(e),
        },
        FrameworkCmd::NewVersion { code, new_code, name } => match store.new_framework_version(&ctx, &code, &new_code, name).await {
            Ok(r) => println!("created draft {} from {code}", r.code),
            Err(e) => return fail(e),
        },
        FrameworkCmd::Validate { .. } | FrameworkCmd::Score { .. } => return run(cmd),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(cmd: FrameworkCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        FrameworkCmd::Validate { file } => {
            let (name, fw) = read_framework(&file)?;
            match fw {
                Ok(fw) => {
                    let leaves = fw.leaves().count();
                    println!(
                        "{name}: hợp lệ / valid — {} ({}), {} lĩnh vực / domains, {leaves} tiêu chí thành phần / leaves, tổng / total {}",
                        fw.code,
                        fw.name,
                        fw.nodes.len(),
                        fw.max_total()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(problems) => Ok(report(&name, &problems, "vi")),
            }
        }
        FrameworkCmd::Score { file, inputs, format, lang } => {
            let (name, fw) = read_framework(&file)?;
            let fw = match fw {
                Ok(fw) => fw,
                Err(p) => return Ok(report(&name, &p, &lang)),
            };
            let c = Compiled::new(&fw).map_err(|p| anyhow::anyhow!("{:?}", p))?;
            let (iname, itext) = read(&inputs)?;
            let placed = match parse_inputs(&iname, &itext).and_then(|i| c.place_file(&i)) {
                Ok(p) => p,
                Err(p) => return Ok(report(&iname, &p, &lang)),
            };
            let sheet = match score(&c, &placed, true) {
                Ok(s) => s,
                Err(p) => return Ok(report(&iname, &p, &lang)),
            };
            let r = sheet.report(&c);
            if format == "json" {
                println!("{}", serde_json::to_string_pretty(&r)?);
                return Ok(ExitCode::SUCCESS);
            }
            let vi = lang != "en";
            let num = |s: &str| if vi { s.replace('.', ",") } else { s.to_string() };
            println!("{} — {}", fw.code, fw.name);
            println!(
                "{:<12} {:>22}  {}",
                if vi { "Mã" } else { "Code" },
                if vi { "Điểm / tối đa" } else { "Points / max" },
                if vi { "Giải thích" } else { "Explanation" }
            );
            for n in &r.nodes {
                let pts = if !n.applicable {
                    format!("— / {}", num(&n.max.value))
                } else if n.applicable_max.value != n.max.value {
                    format!("{} / {} ({})", num(&n.points.value), num(&n.applicable_max.value), num(&n.max.value))
                } else {
                    format!("{} / {}", num(&n.points.value), num(&n.max.value))
                };
                let code = format!("{}{}", "  ".repeat(n.depth), n.code);
                let ex = n.explanation.as_ref().map(|m| m.get(&lang).to_string()).unwrap_or_default();
                println!("{code:<12} {pts:>22}  {ex}");
            }
            for a in &r.adjustments {
                let ex = a.explanation.as_ref().map(|m| m.get(&lang).to_string()).unwrap_or_default();
                let sign = if a.kind == parindex_core::framework::AdjustmentKind::Bonus { "+" } else { "−" };
                println!("{:<12} {:>22}  {ex}", a.code, format!("{sign}{} / {}", num(&a.points.value), num(&a.max.value)));
            }
            let index = r.index.as_ref().map(|i| num(&i.value)).unwrap_or_else(|| "—".into());
            if vi {
                println!(
                    "Đạt {} + thưởng {} − trừ {} = tổng {} / tối đa áp dụng {} (toàn bộ {}) → Chỉ số {}%",
                    num(&r.achieved.value),
                    num(&r.bonus.value),
                    num(&r.penalty.value),
                    num(&r.total.value),
                    num(&r.applicable_max.value),
                    num(&r.max_total.value),
                    index
                );
            } else {
                println!(
                    "Achieved {} + bonus {} − penalty {} = total {} / applicable maximum {} (of {}) → index {}%",
                    r.achieved.value, r.bonus.value, r.penalty.value, r.total.value, r.applicable_max.value, r.max_total.value, index
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        _ => anyhow::bail!("this framework command needs the database"),
    }
}
