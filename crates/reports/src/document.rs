//! An official document (văn bản hành chính) as data, laid out by Decree 30/2020/NĐ-CP: the
//! issuing body and the national title side by side, the number and the place and date, the
//! kind of document and its summary title, the body (headings, paragraphs, tables, charts),
//! then the recipients and the signature block(s).
//!
//! The same value is written as DOCX by [`crate::docx`] (editable in Word and LibreOffice) and as
//! PDF by the `parindex-typeset` crate (typst); both read only this model, so the two files say
//! the same thing. Text is plain (no markup): each writer escapes it for its format.

use serde::Serialize;

/// A document ready to be written.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// "vi" or "en" (hyphenation and the document's language).
    pub lang: String,
    /// The body above the issuer (cơ quan chủ quản), e.g. "UBND TỈNH SƠN LA"; may be empty.
    pub parent: String,
    /// The issuing body (cơ quan ban hành), e.g. "SỞ NỘI VỤ".
    pub issuer: String,
    /// "Số:      /BC-SNV" — the number is left for the clerk who registers the document.
    pub number: String,
    /// The national title and motto (Quốc hiệu, Tiêu ngữ).
    pub national: String,
    pub motto: String,
    /// "Sơn La, ngày 03 tháng 12 năm 2026".
    pub place_date: String,
    /// "BÁO CÁO", "BIÊN BẢN".
    pub kind: String,
    /// The summary (trích yếu), e.g. "Kết quả xác định Chỉ số cải cách hành chính năm 2025".
    pub title: String,
    pub blocks: Vec<Block>,
    /// "Nơi nhận:" and its lines; no recipients, no block.
    pub recipients_label: String,
    pub recipients: Vec<String>,
    /// One signature (a report) or several side by side (minutes: each party).
    pub signatures: Vec<Signature>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    /// "KT. GIÁM ĐỐC", "TM. HỘI ĐỒNG THẨM ĐỊNH" or empty.
    pub authority: String,
    /// "PHÓ GIÁM ĐỐC", "ĐẠI DIỆN ĐƠN VỊ".
    pub position: String,
    /// "(Ký, ghi rõ họ tên)" or empty.
    pub note: String,
    /// The signer's name, or empty to be written by hand.
    pub name: String,
}

/// A piece of the body.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A section heading ("I. KẾT QUẢ CHUNG"), bold.
    Heading { text: String },
    /// A sub-heading ("1. Lĩnh vực …"), bold italic.
    Subheading { text: String },
    /// A justified paragraph with a first-line indent.
    Paragraph { runs: Vec<Run> },
    /// A table with a header row repeated on every page.
    Table(Table),
    /// A chart (SVG from `crate::charts`), centred, `width_cm` wide, with a caption below.
    Chart { caption: String, svg: String, width_cm: f32 },
}

/// Text with one style.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// Caption above the table ("Bảng 1. …"); may be empty.
    pub caption: String,
    /// Relative column widths (any unit; they are scaled to the text width).
    pub widths: Vec<f32>,
    pub align: Vec<Align>,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub cells: Vec<String>,
    /// A total or a domain row: bold.
    pub bold: bool,
}

impl Run {
    pub fn plain(text: impl Into<String>) -> Run {
        Run { text: text.into(), bold: false, italic: false }
    }
    pub fn bold(text: impl Into<String>) -> Run {
        Run { text: text.into(), bold: true, italic: false }
    }
    pub fn italic(text: impl Into<String>) -> Run {
        Run { text: text.into(), bold: false, italic: true }
    }
}

impl Block {
    pub fn heading(text: impl Into<String>) -> Block {
        Block::Heading { text: text.into() }
    }
    pub fn subheading(text: impl Into<String>) -> Block {
        Block::Subheading { text: text.into() }
    }
    /// A paragraph of plain text.
    pub fn text(text: impl Into<String>) -> Block {
        Block::Paragraph { runs: vec![Run::plain(text)] }
    }
    pub fn runs(runs: Vec<Run>) -> Block {
        Block::Paragraph { runs }
    }
}

impl Row {
    pub fn new(cells: Vec<String>) -> Row {
        Row { cells, bold: false }
    }
    pub fn bold(cells: Vec<String>) -> Row {
        Row { cells, bold: true }
    }
}

/// "ngày 03 tháng 12 năm 2026" / "3 December 2026" as Decree 30 writes dates (day and month
/// below 10 with a leading zero in Vietnamese, as the decree's samples do).
pub fn date_words(date: chrono::NaiveDate, vi: bool) -> String {
    use chrono::Datelike;
    if vi {
        format!("ngày {:02} tháng {:02} năm {}", date.day(), date.month(), date.year())
    } else {
        const MONTHS: [&str; 12] =
            ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
        format!("{} {} {}", date.day(), MONTHS[date.month0() as usize], date.year())
    }
}

/// Upper-case Vietnamese text (titles of bodies and positions are written in capitals).
pub fn upper(s: &str) -> String {
    s.chars().flat_map(char::to_uppercase).collect()
}

/// An example document using every kind of block (the writers' tests).
pub fn sample() -> Document {
    Document {
        lang: "vi".into(),
        parent: "UBND TỈNH SƠN LA".into(),
        issuer: "SỞ NỘI VỤ".into(),
        number: "Số:      /BC-SNV".into(),
        national: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
        motto: "Độc lập - Tự do - Hạnh phúc".into(),
        place_date: "Sơn La, ngày 03 tháng 12 năm 2026".into(),
        kind: "BÁO CÁO".into(),
        title: "Kết quả xác định Chỉ số cải cách hành chính năm 2025 <&>".into(),
        blocks: vec![
            Block::heading("I. KẾT QUẢ CHUNG"),
            Block::runs(vec![Run::plain("Điểm trung bình "), Run::bold("78,25"), Run::italic(" (tăng)")]),
            Block::Table(Table {
                caption: "Bảng 1. Xếp hạng".into(),
                widths: vec![1.0, 4.0, 1.5],
                align: vec![Align::Center, Align::Left, Align::Right],
                header: vec!["TT".into(), "Đơn vị".into(), "Chỉ số".into()],
                rows: vec![
                    Row::new(vec!["1".into(), "Sở Tư pháp".into(), "91,50".into()]),
                    Row::bold(vec!["".into(), "Bình quân".into(), "80,00".into()]),
                ],
            }),
            Block::Chart {
                caption: "Hình 1. Chỉ số".into(),
                svg: crate::charts::bars_svg(
                    "Chỉ số",
                    &["Sở Tư pháp".into(), "Phường Chiềng Lề".into()],
                    &[("Năm 2025", vec![Some(91.5), Some(68.25)])],
                    true,
                ),
                width_cm: 15.0,
            },
        ],
        recipients_label: "Nơi nhận:".into(),
        recipients: vec!["- UBND tỉnh;".into(), "- Lưu: VT, CCHC.".into()],
        signatures: vec![Signature {
            authority: "KT. GIÁM ĐỐC".into(),
            position: "PHÓ GIÁM ĐỐC".into(),
            note: String::new(),
            name: String::new(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_capitals() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(date_words(d, true), "ngày 05 tháng 03 năm 2026");
        assert_eq!(date_words(d, false), "5 March 2026");
        assert_eq!(upper("Ủy ban nhân dân tỉnh Sơn La"), "ỦY BAN NHÂN DÂN TỈNH SƠN LA");
    }

    #[test]
    fn blocks_serialise_with_their_type() {
        let j = serde_json::to_value(Block::heading("I. Chung")).unwrap();
        assert_eq!(j["type"], "heading");
        let t = Block::Table(Table { caption: String::new(), widths: vec![1.0], align: vec![Align::Right], header: vec![], rows: vec![] });
        assert_eq!(serde_json::to_value(t).unwrap()["align"][0], "right");
    }
}
