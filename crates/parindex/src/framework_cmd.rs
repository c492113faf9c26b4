//! `parindex framework …` commands that work on files (no database): validate, score.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use parindex_core::framework::Problem;
use parindex_core::framework::score::{Compiled, score};
use parindex_reports::framework::{parse_framework, parse_inputs};

use crate::cli::FrameworkCmd;

fn read(path: &Path) -> anyhow::Result<(String, String)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    Ok((name, text))
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

pub fn run(cmd: FrameworkCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        FrameworkCmd::Validate { file } => {
            let (name, text) = read(&file)?;
            match parse_framework(&name, &text) {
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
            let (name, text) = read(&file)?;
            let fw = match parse_framework(&name, &text) {
                Ok(fw) => fw,
                Err(p) => return Ok(report(&name, &p, &lang)),
            };
            let c = Compiled::new(&fw).map_err(|p| anyhow::anyhow!("{:?}", p))?;
            let (iname, itext) = read(&inputs)?;
            let placed = match parse_inputs(&iname, &itext).and_then(|i| c.place(&i)) {
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
    }
}
