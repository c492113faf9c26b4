//! Charts as SVG text, drawn on the server (no script; the same SVG goes into pages and, later,
//! the official reports). Colours are a single-hue scale readable in grey print, with the value
//! written in every cell, so nothing depends on colour alone.

use std::fmt::Write;

/// Escape text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A fill for a share 0–100: light (low) to dark blue (high).
fn fill(share: f64) -> String {
    let t = (share / 100.0).clamp(0.0, 1.0);
    let (r, g, b) = (lerp(239, 8, t), lerp(243, 69, t), lerp(255, 148, t));
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn lerp(a: u8, b: u8, t: f64) -> u8 {
    (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8
}

/// A heat map: one row per unit, one column per domain, each cell the share of the domain's
/// applicable maximum achieved (0–100, `None`: nothing applies), written in the cell with the
/// given decimal separator. `title` is the accessible name.
pub fn heatmap_svg(title: &str, columns: &[String], rows: &[(String, Vec<Option<f64>>)], comma: bool) -> String {
    let (label_w, cell_w, cell_h, head_h) = (260.0, 56.0, 22.0, 28.0);
    let width = label_w + cell_w * columns.len() as f64 + 8.0;
    let height = head_h + cell_h * rows.len() as f64 + 4.0;
    let mut s = String::with_capacity(200 + rows.len() * columns.len() * 160);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{}" font-family="Noto Sans, Arial, sans-serif" font-size="12">"#,
        esc(title)
    );
    let _ = write!(s, "<title>{}</title>", esc(title));
    for (c, name) in columns.iter().enumerate() {
        let x = label_w + cell_w * c as f64 + cell_w / 2.0;
        let _ = write!(s, r#"<text x="{x}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#, head_h - 9.0, esc(name));
    }
    for (r, (label, cells)) in rows.iter().enumerate() {
        let y = head_h + cell_h * r as f64;
        let short: String = if label.chars().count() > 38 { label.chars().take(37).chain(['…']).collect() } else { label.clone() };
        let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, label_w - 8.0, y + cell_h * 0.7, esc(&short));
        for (c, v) in cells.iter().enumerate() {
            let x = label_w + cell_w * c as f64;
            match v {
                Some(v) => {
                    let text = format!("{v:.0}");
                    let ink = if *v >= 55.0 { "#ffffff" } else { "#1b1f24" };
                    let _ = write!(
                        s,
                        r#"<rect x="{x}" y="{y}" width="{}" height="{}" fill="{}"><title>{}: {} — {}%</title></rect><text x="{}" y="{}" text-anchor="middle" fill="{ink}">{}</text>"#,
                        cell_w - 2.0,
                        cell_h - 2.0,
                        fill(*v),
                        esc(label),
                        esc(&columns[c]),
                        if comma { format!("{v:.1}").replace('.', ",") } else { format!("{v:.1}") },
                        x + cell_w / 2.0 - 1.0,
                        y + cell_h * 0.68,
                        text
                    );
                }
                None => {
                    let _ = write!(
                        s,
                        r##"<rect x="{x}" y="{y}" width="{}" height="{}" fill="#f6f7f9" stroke="#d5dbe1"/><text x="{}" y="{}" text-anchor="middle" fill="#4d5966">–</text>"##,
                        cell_w - 2.0,
                        cell_h - 2.0,
                        x + cell_w / 2.0 - 1.0,
                        y + cell_h * 0.68
                    );
                }
            }
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_per_unit_and_domain_with_its_value_and_escaped_names() {
        let svg = heatmap_svg(
            "Bản đồ nhiệt",
            &["1".into(), "2".into()],
            &[("Sở A & B".into(), vec![Some(87.5), None]), ("UBND xã <C>".into(), vec![Some(12.0), Some(100.0)])],
            true,
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.contains("Sở A &amp; B") && svg.contains("UBND xã &lt;C&gt;") && svg.contains("87,5%") && svg.contains(">88<"));
        assert_eq!(fill(0.0), "#eff3ff");
        assert_eq!(fill(100.0), "#084594");
    }
}
