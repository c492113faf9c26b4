//! Evidence files (tài liệu kiểm chứng): the kinds accepted — decided by content, never by the
//! file's name — and safe names for what people upload.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Pdf,
    Docx,
    Xlsx,
    Png,
    Jpeg,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Pdf, Kind::Docx, Kind::Xlsx, Kind::Png, Kind::Jpeg];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Docx => "docx",
            Kind::Xlsx => "xlsx",
            Kind::Png => "png",
            Kind::Jpeg => "jpeg",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn mime(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
        }
    }

    /// Shown in the browser (PDF and images); the others are always downloaded.
    pub fn previewable(self) -> bool {
        matches!(self, Kind::Pdf | Kind::Png | Kind::Jpeg)
    }

    /// The kind from the first bytes; `Zip` needs a look inside (`from_zip_names`).
    pub fn sniff(head: &[u8]) -> Sniffed {
        if head.starts_with(b"%PDF-") {
            Sniffed::Kind(Kind::Pdf)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Sniffed::Kind(Kind::Png)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Sniffed::Kind(Kind::Jpeg)
        } else if head.starts_with(b"PK\x03\x04") {
            Sniffed::Zip
        } else {
            Sniffed::Unknown
        }
    }

    /// An Office Open XML package: Word or Excel by its parts.
    pub fn from_zip_names<'a>(names: impl Iterator<Item = &'a str>) -> Option<Kind> {
        let names: Vec<&str> = names.collect();
        if !names.contains(&"[Content_Types].xml") {
            return None;
        }
        if names.contains(&"word/document.xml") {
            Some(Kind::Docx)
        } else if names.contains(&"xl/workbook.xml") {
            Some(Kind::Xlsx)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Kind(Kind),
    Zip,
    Unknown,
}

/// What a refused file looks like, in Vietnamese and in English, for the message (issue #17:
/// each language on its own page, in words a reader knows).
pub type LooksLike = (&'static str, &'static str);

/// What the first bytes of a refused file look like ("a program that runs on a computer").
pub fn looks_like(head: &[u8]) -> LooksLike {
    if head.starts_with(b"MZ") || head.starts_with(b"\x7fELF") {
        ("một chương trình máy tính, không phải tài liệu", "a computer program, not a document")
    } else if head.starts_with(b"PK\x03\x04") {
        ("tệp nén ZIP", "a ZIP archive")
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        (
            "tệp Office đời cũ (.doc, .xls): hãy lưu lại thành .docx hoặc .xlsx",
            "an old Office file (.doc, .xls): save it again as .docx or .xlsx",
        )
    } else {
        ("không nhận ra loại tệp", "a kind of file not recognised")
    }
}

/// The name to keep for an uploaded file: its last path component, without control characters,
/// at most 180 characters; "tai-lieu" when nothing is left. Never used as a path on disk.
pub fn safe_name(original: &str) -> String {
    let last = original.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let name: String = trimmed.chars().take(180).collect();
    if name.is_empty() { "tai-lieu".into() } else { name }
}

/// `Content-Disposition` for a download under its original (Vietnamese) name: an ASCII fallback
/// and the exact name in RFC 5987 form.
pub fn content_disposition(name: &str, inline: bool) -> String {
    use unicode_normalization::UnicodeNormalization;
    let ascii: String = name
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c => c,
        })
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let encoded = crate::text::percent_encode(name);
    format!("{}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}", if inline { "inline" } else { "attachment" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_content() {
        assert_eq!(Kind::sniff(b"%PDF-1.7\n"), Sniffed::Kind(Kind::Pdf));
        assert_eq!(Kind::sniff(b"MZ\x90\x00"), Sniffed::Unknown);
        assert_eq!(Kind::sniff(b"PK\x03\x04...."), Sniffed::Zip);
        assert_eq!(Kind::from_zip_names(["[Content_Types].xml", "word/document.xml"].into_iter()), Some(Kind::Docx));
        assert_eq!(Kind::from_zip_names(["a.txt"].into_iter()), None);
        assert!(looks_like(b"MZ").0.contains("chương trình") && looks_like(b"MZ").1.contains("program"));
    }

    #[test]
    fn names_are_safe() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("C:\\Users\\a\\Báo cáo CCHC.pdf"), "Báo cáo CCHC.pdf");
        assert_eq!(safe_name(".."), "tai-lieu");
        assert_eq!(safe_name("a\u{0}b\n.pdf"), "ab.pdf");
        let cd = content_disposition("Quyết định số 1.pdf", false);
        assert_eq!(
            cd,
            "attachment; filename=\"Quyet dinh so 1.pdf\"; filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1%BB%91%201.pdf"
        );
    }
}
