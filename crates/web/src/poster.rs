//! A printable QR poster for a unit's survey link (issue #5, channel "qr"): an A4 page as SVG —
//! the survey's name, the unit's name (and a desk, if given), the QR code of the unit's public
//! link with `?kenh=qr` (so responses are counted as coming from the poster), the address
//! written out for those who type it, and the promise of anonymity. SVG prints sharply at any
//! size from any browser; the modules are drawn as one path (a few KB).

use qrcode::{Color, EcLevel, QrCode};

/// What goes on the poster.
pub struct Poster<'a> {
    pub survey: &'a str,
    pub unit: &'a str,
    /// A desk or counter ("Quầy số 3"), printed under the unit's name.
    pub desk: Option<&'a str>,
    /// The absolute link the QR code opens.
    pub link: &'a str,
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Break `text` into lines of at most `width` characters, at spaces.
fn lines(text: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match out.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => out.push(word.to_string()),
        }
    }
    out
}

/// The QR code's dark modules as one SVG path in module units (quiet zone not included).
fn modules(code: &QrCode) -> String {
    let w = code.width();
    let mut d = String::with_capacity(w * w * 4);
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == Color::Dark {
            d.push_str(&format!("M{} {}h1v1h-1z", i % w, i / w));
        }
    }
    d
}

/// The poster as an SVG document (A4 portrait, millimetres).
pub fn svg(p: &Poster) -> Result<String, qrcode::types::QrError> {
    // M: a poster gets scuffed; 15 % of the code may be lost and it still reads
    let code = QrCode::with_error_correction_level(p.link.as_bytes(), EcLevel::M)?;
    let w = code.width() as f64;
    let size = 120.0;
    let scale = size / w;
    let x = (210.0 - size) / 2.0;
    let mut out = String::new();
    out.push_str(r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297" font-family="Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif">
<rect width="210" height="297" fill="#fff"/>
<rect width="210" height="34" fill="#8b1a1a"/>
<text x="105" y="15" font-size="9" font-weight="bold" fill="#fff" text-anchor="middle">XIN Ý KIẾN NGƯỜI DÂN, TỔ CHỨC</text>
<text x="105" y="26" font-size="5.2" fill="#fff" text-anchor="middle">về sự phục vụ của cơ quan hành chính nhà nước</text>
"##);
    let mut y: f64 = 46.0;
    for l in lines(p.survey, 60) {
        out.push_str(&format!("<text x=\"105\" y=\"{y}\" font-size=\"5\" fill=\"#333\" text-anchor=\"middle\">{}</text>\n", xml(&l)));
        y += 7.0;
    }
    let unit_lines = lines(p.unit, 30);
    let unit_size = if unit_lines.len() > 2 { 8.0 } else { 10.0 };
    y += 6.0;
    for l in unit_lines.iter().take(3) {
        out.push_str(&format!(
            "<text x=\"105\" y=\"{y}\" font-size=\"{unit_size}\" font-weight=\"bold\" fill=\"#111\" text-anchor=\"middle\">{}</text>\n",
            xml(l)
        ));
        y += unit_size * 1.3;
    }
    if let Some(desk) = p.desk.filter(|d| !d.trim().is_empty()) {
        out.push_str(&format!(
            "<text x=\"105\" y=\"{y}\" font-size=\"7\" fill=\"#8b1a1a\" text-anchor=\"middle\">{}</text>\n",
            xml(desk.trim())
        ));
        y += 9.0;
    }
    // the code right under the names (long names push it down, never off the page)
    let top = y.max(84.0);
    out.push_str(&format!(
        "<g transform=\"translate({x} {top}) scale({scale})\"><path d=\"{}\" fill=\"#000\" shape-rendering=\"crispEdges\"/></g>\n",
        modules(&code)
    ));
    let mut y = top + size + 14.0;
    for l in ["Quét mã bằng camera điện thoại để trả lời phiếu khảo sát.", "Không cần đăng nhập · khoảng 5 phút · phiếu không ghi tên."]
    {
        out.push_str(&format!("<text x=\"105\" y=\"{y}\" font-size=\"5.5\" fill=\"#111\" text-anchor=\"middle\">{l}</text>\n"));
        y += 8.0;
    }
    out.push_str(&format!(
        "<text x=\"105\" y=\"{}\" font-size=\"4.2\" fill=\"#333\" text-anchor=\"middle\" font-family=\"'DejaVu Sans Mono', monospace\">{}</text>\n",
        y + 2.0,
        xml(p.link)
    ));
    out.push_str(
        "<text x=\"105\" y=\"285\" font-size=\"4.5\" fill=\"#555\" text-anchor=\"middle\">Hệ thống không lưu tên, địa chỉ mạng hay thiết bị của người trả lời cùng câu trả lời. Cảm ơn Ông/Bà!</text>\n</svg>\n",
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poster_carries_the_names_escaped_and_a_code_of_the_link() {
        let p = Poster {
            survey: "Khảo sát sự hài lòng của người dân năm 2026 — xã, phường",
            unit: "UBND phường Chiềng An & <Tô Hiệu>",
            desk: Some("Quầy số 3"),
            link: "https://cchc.example.gov.vn/k/abcd2345ef?kenh=qr",
        };
        let s = svg(&p).unwrap();
        assert!(s.starts_with("<?xml") && s.ends_with("</svg>\n"));
        assert!(s.contains("UBND phường Chiềng An &amp; &lt;Tô") && s.contains("Quầy số 3"));
        assert!(s.contains("https://cchc.example.gov.vn/k/abcd2345ef?kenh=qr"));
        // version 4-ish code at level M: 33 modules or more, each dark module one path step
        let code = QrCode::with_error_correction_level(p.link.as_bytes(), EcLevel::M).unwrap();
        let dark = code.to_colors().iter().filter(|c| **c == Color::Dark).count();
        assert_eq!(s.matches("h1v1h-1z").count(), dark);
        assert!(s.len() < 40_000, "{} bytes", s.len());
    }

    #[test]
    fn long_names_wrap_at_spaces() {
        let l = lines("Ban Quản lý Khu du lịch quốc gia Mộc Châu tỉnh Sơn La", 30);
        assert!(l.len() == 2 && l.iter().all(|x| x.chars().count() <= 30), "{l:?}");
    }
}
