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

/// Ink for the series of a chart (dark to light blue, then grey-orange): distinguishable in
/// grey print too, and every value is also written.
const SERIES: [&str; 4] = ["#084594", "#6baed6", "#b15928", "#969696"];

fn num(v: f64, comma: bool) -> String {
    let t = format!("{v:.1}");
    if comma { t.replace('.', ",") } else { t }
}

fn short(label: &str, max: usize) -> String {
    if label.chars().count() > max { label.chars().take(max - 1).chain(['…']).collect() } else { label.to_string() }
}

/// Legend at the top: a swatch and the series' name each.
fn legend(s: &mut String, x0: f64, names: &[&str]) {
    let mut x = x0;
    for (i, name) in names.iter().enumerate() {
        let _ = write!(
            s,
            r#"<rect x="{x}" y="6" width="12" height="12" fill="{}"/><text x="{}" y="16">{}</text>"#,
            SERIES[i % SERIES.len()],
            x + 16.0,
            esc(name)
        );
        x += 28.0 + 7.0 * name.chars().count() as f64;
    }
}

/// Horizontal grouped bars on a 0–100 scale: one group per category (e.g. a domain), one bar
/// per series (e.g. the unit, the average, last year), the value written after each bar.
pub fn bars_svg(title: &str, categories: &[String], series: &[(&str, Vec<Option<f64>>)], comma: bool) -> String {
    let (label_w, plot_w, bar_h, gap, head_h) = (240.0, 420.0, 14.0, 10.0, 30.0);
    let group_h = bar_h * series.len() as f64 + gap;
    let width = label_w + plot_w + 60.0;
    let height = head_h + group_h * categories.len() as f64 + 24.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{}" font-family="Noto Sans, Arial, sans-serif" font-size="12"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    legend(&mut s, label_w, &series.iter().map(|(n, _)| *n).collect::<Vec<_>>());
    // grid at 0, 25, 50, 75, 100
    for k in 0..=4 {
        let x = label_w + plot_w * f64::from(k) / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{x}" y1="{head_h}" x2="{x}" y2="{}" stroke="#d5dbe1"/><text x="{x}" y="{}" text-anchor="middle" fill="#4d5966">{}</text>"##,
            height - 20.0,
            height - 6.0,
            25 * k
        );
    }
    for (c, cat) in categories.iter().enumerate() {
        let y0 = head_h + group_h * c as f64;
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            label_w - 8.0,
            y0 + bar_h * series.len() as f64 / 2.0 + 4.0,
            esc(&short(cat, 36))
        );
        for (k, (name, values)) in series.iter().enumerate() {
            let y = y0 + bar_h * k as f64;
            match values.get(c).copied().flatten() {
                Some(v) => {
                    let w = plot_w * v.clamp(0.0, 100.0) / 100.0;
                    let _ = write!(
                        s,
                        r#"<rect x="{label_w}" y="{y}" width="{w:.1}" height="{}" fill="{}"><title>{}: {} — {}</title></rect><text x="{:.1}" y="{}" font-size="11">{}</text>"#,
                        bar_h - 2.0,
                        SERIES[k % SERIES.len()],
                        esc(cat),
                        esc(name),
                        num(v, comma),
                        label_w + w + 4.0,
                        y + bar_h - 4.0,
                        num(v, comma)
                    );
                }
                None => {
                    let _ = write!(s, r##"<text x="{}" y="{}" font-size="11" fill="#4d5966">–</text>"##, label_w + 4.0, y + bar_h - 4.0);
                }
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// One box per row on a 0–100 scale: whiskers from min to max, the box from Q1 to Q3, the
/// median as a thick line and the mean as a dot; `rows` are (label, [min, q1, median, q3,
/// max, mean]).
pub fn boxplot_svg(title: &str, rows: &[(String, [f64; 6])], comma: bool) -> String {
    let (label_w, plot_w, row_h, head_h) = (240.0, 420.0, 26.0, 12.0);
    let width = label_w + plot_w + 80.0;
    let height = head_h + row_h * rows.len() as f64 + 24.0;
    let x = |v: f64| label_w + plot_w * v.clamp(0.0, 100.0) / 100.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{}" font-family="Noto Sans, Arial, sans-serif" font-size="12"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    for k in 0..=4 {
        let gx = x(25.0 * f64::from(k));
        let _ = write!(
            s,
            r##"<line x1="{gx}" y1="{head_h}" x2="{gx}" y2="{}" stroke="#d5dbe1"/><text x="{gx}" y="{}" text-anchor="middle" fill="#4d5966">{}</text>"##,
            height - 20.0,
            height - 6.0,
            25 * k
        );
    }
    for (r, (label, [min, q1, median, q3, max, mean])) in rows.iter().enumerate() {
        let cy = head_h + row_h * r as f64 + row_h / 2.0;
        let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, label_w - 8.0, cy + 4.0, esc(&short(label, 36)));
        let _ = write!(
            s,
            r##"<g><title>{}: min {} · Q1 {} · {} · Q3 {} · max {} · TB {}</title><line x1="{:.1}" y1="{cy}" x2="{:.1}" y2="{cy}" stroke="#4d5966"/><rect x="{:.1}" y="{}" width="{:.1}" height="{}" fill="#c6dbef" stroke="#084594"/><line x1="{:.1}" y1="{}" x2="{:.1}" y2="{}" stroke="#084594" stroke-width="3"/><circle cx="{:.1}" cy="{cy}" r="3" fill="#b15928"/></g><text x="{}" y="{}" font-size="11">{}</text>"##,
            esc(label),
            num(*min, comma),
            num(*q1, comma),
            num(*median, comma),
            num(*q3, comma),
            num(*max, comma),
            num(*mean, comma),
            x(*min),
            x(*max),
            x(*q1),
            cy - 8.0,
            (x(*q3) - x(*q1)).max(1.0),
            16.0,
            x(*median),
            cy - 9.0,
            x(*median),
            cy + 9.0,
            x(*mean),
            label_w + plot_w + 8.0,
            cy + 4.0,
            num(*median, comma)
        );
    }
    s.push_str("</svg>");
    s
}

/// Lines over years: one x position per label (a year), one line per series; the values
/// (0–100) are written at each point; a missing value breaks the line.
pub fn lines_svg(title: &str, xs: &[String], series: &[(&str, Vec<Option<f64>>)], comma: bool) -> String {
    let (left, plot_w, plot_h, top) = (48.0, 560.0, 220.0, 34.0);
    let width = left + plot_w + 40.0;
    let height = top + plot_h + 30.0;
    let all: Vec<f64> = series.iter().flat_map(|(_, v)| v.iter().flatten().copied()).collect();
    // the scale: from a round number below the lowest value (never below 0) to 100
    let lo = all.iter().copied().fold(100.0_f64, f64::min);
    let lo = ((lo - 5.0) / 10.0).floor().clamp(0.0, 9.0) * 10.0;
    let y = |v: f64| top + plot_h * (1.0 - (v.clamp(lo, 100.0) - lo) / (100.0 - lo));
    let step = if xs.len() > 1 { plot_w / (xs.len() - 1) as f64 } else { 0.0 };
    let px = |i: usize| left + if xs.len() > 1 { step * i as f64 } else { plot_w / 2.0 };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{}" font-family="Noto Sans, Arial, sans-serif" font-size="12"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    legend(&mut s, left, &series.iter().map(|(n, _)| *n).collect::<Vec<_>>());
    let ticks = ((100.0 - lo) / 10.0) as i32;
    for k in 0..=ticks {
        let v = lo + 10.0 * f64::from(k);
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{:.1}" x2="{}" y2="{:.1}" stroke="#e6eaee"/><text x="{}" y="{:.1}" text-anchor="end" fill="#4d5966">{}</text>"##,
            y(v),
            left + plot_w,
            y(v),
            left - 6.0,
            y(v) + 4.0,
            v
        );
    }
    for (i, label) in xs.iter().enumerate() {
        let _ = write!(s, r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#, px(i), height - 8.0, esc(label));
    }
    for (k, (name, values)) in series.iter().enumerate() {
        let ink = SERIES[k % SERIES.len()];
        let mut path = String::new();
        let mut pen_down = false;
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(path, "{}{:.1},{:.1} ", if pen_down { "L" } else { "M" }, px(i), y(*v));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(s, r#"<path d="{}" fill="none" stroke="{ink}" stroke-width="2"/>"#, path.trim_end());
        }
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v {
                let _ = write!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{ink}"><title>{} {}: {}</title></circle><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="{ink}">{}</text>"#,
                    px(i),
                    y(*v),
                    esc(name),
                    esc(&xs[i]),
                    num(*v, comma),
                    px(i),
                    y(*v) - 7.0 - 12.0 * k as f64,
                    num(*v, comma)
                );
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

    #[test]
    fn bars_boxes_and_lines_draw_every_value() {
        let cats = vec!["1. Chỉ đạo".to_string(), "2. Thể chế & <pháp luật>".to_string()];
        let bars = bars_svg("So sánh", &cats, &[("Đơn vị", vec![Some(87.5), None]), ("Bình quân", vec![Some(80.0), Some(60.25)])], true);
        assert_eq!(bars.matches("</title></rect>").count(), 3, "one bar per value present");
        assert!(bars.contains("87,5") && bars.contains("60,2") && bars.contains("&lt;pháp luật&gt;"));
        let boxes = boxplot_svg("Phân bố", &[("1".into(), [10.0, 20.0, 50.0, 70.0, 90.0, 48.0])], false);
        assert!(boxes.contains("<circle") && boxes.contains("Q1 20.0") && boxes.contains(">50.0<"));
        let lines =
            lines_svg("Xu hướng", &["2024".into(), "2025".into(), "2026".into()], &[("Tỉnh", vec![Some(81.0), None, Some(84.5)])], true);
        assert_eq!(lines.matches("<circle").count(), 2);
        assert!(lines.contains("84,5") && lines.contains("M48.0,") && !lines.contains(" L"), "a missing year breaks the line");
    }
}
