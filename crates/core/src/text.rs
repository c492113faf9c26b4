//! Vietnamese text helpers: a collation key that sorts names as Vietnamese readers expect
//! (a < ă < â < b … d < đ …, tones after letters), NFC normalisation, and dd/MM/yyyy dates.

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

const ALPHABET: &str = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz";

/// Normalise user text: NFC (Windows tools often send decomposed Vietnamese), trimmed,
/// inner runs of whitespace collapsed to one space.
pub fn clean(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn tone_of(mark: char) -> Option<u8> {
    match mark {
        '\u{0300}' => Some(1), // huyền
        '\u{0309}' => Some(2), // hỏi
        '\u{0303}' => Some(3), // ngã
        '\u{0301}' => Some(4), // sắc
        '\u{0323}' => Some(5), // nặng
        _ => None,
    }
}

/// A key whose byte order is Vietnamese dictionary order: letters first (with ă, â, đ, ê, ô,
/// ơ, ư as letters of their own), then tones, then case.
pub fn sort_key(s: &str) -> Vec<u8> {
    let mut letters = Vec::new();
    let mut tones = Vec::new();
    let mut cases = Vec::new();
    let lower_nfd: Vec<char> = s.nfd().collect();
    let mut i = 0;
    while i < lower_nfd.len() {
        let c = lower_nfd[i];
        let lc = c.to_lowercase().next().unwrap_or(c);
        cases.push(u8::from(c != lc));
        // gather following combining marks
        let mut j = i + 1;
        let mut modifier = None;
        let mut tone = 0u8;
        while j < lower_nfd.len() && unicode_normalization::char::is_combining_mark(lower_nfd[j]) {
            let m = lower_nfd[j];
            if let Some(t) = tone_of(m) {
                tone = t;
            } else {
                modifier = Some(m);
            }
            j += 1;
        }
        let letter: char = match (lc, modifier) {
            ('a', Some('\u{0306}')) => 'ă',
            ('a', Some('\u{0302}')) => 'â',
            ('e', Some('\u{0302}')) => 'ê',
            ('o', Some('\u{0302}')) => 'ô',
            ('o', Some('\u{031B}')) => 'ơ',
            ('u', Some('\u{031B}')) => 'ư',
            (x, _) => x,
        };
        match ALPHABET.chars().position(|a| a == letter) {
            Some(p) => letters.push(b'a' + p as u8),
            None if letter.is_ascii_digit() => letters.push(b'0' + (letter as u8 - b'0')),
            None if letter.is_whitespace() => letters.push(b' '),
            None => {
                // other characters sort after letters, by code point
                letters.push(0xF0);
                letters.extend_from_slice(&(letter as u32).to_be_bytes());
            }
        }
        tones.push(tone);
        i = j;
    }
    let mut key = letters;
    key.push(0);
    key.extend(tones);
    key.push(0);
    key.extend(cases);
    key
}

/// Fold text for searching: lower case, no diacritics, đ → d ("Hà Nội" → "ha noi").
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

/// Sort items by a Vietnamese name.
pub fn sort_by_name<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by_cached_key(|t| sort_key(name(t)));
}

/// `dd/MM/yyyy`, the Vietnamese date format.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// `dd/MM/yyyy HH:mm` in Vietnam's time (UTC+7, no daylight saving), how every page shows a moment.
/// Vietnam's time zone (UTC+7, no daylight saving).
pub fn vn_offset() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

pub fn format_time_vn(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(7)).format("%d/%m/%Y %H:%M").to_string()
}

/// Parse a date as a person types it: `dd/MM/yyyy`, `d/M/yyyy`, or ISO `yyyy-MM-dd`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%d-%m-%Y"))
        .ok()
}

/// Percent-encode for a URL path segment or query value (RFC 3986: only the unreserved
/// characters `A–Z a–z 0–9 - . _ ~` stay as they are; UTF-8 bytes are encoded). The one
/// encoder of links and `Content-Disposition` names.
pub fn percent_encode(s: &str) -> String {
    percent_encode_keeping(s, b"")
}

/// [`percent_encode`], also keeping the given ASCII bytes (e.g. `/` for a whole path).
pub fn percent_encode_keeping(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// "ghi chú" → "Ghi chú": a phrase starting a sentence.
pub fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// "Quyết định số …" → "quyết định số …": a sentence's start written inside another sentence.
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_order() {
        let mut names = vec!["Đông", "Dương", "Ân", "Anh", "Ăn", "Bình", "ơn", "Ông", "Ốc", "Ô", "An", "Ấn"];
        sort_by_name(&mut names, |s| s);
        assert_eq!(names, vec!["An", "Anh", "Ăn", "Ân", "Ấn", "Bình", "Dương", "Đông", "Ô", "Ốc", "Ông", "ơn"]);
    }

    #[test]
    fn tones_after_letters() {
        // "ma" < "má" < "mai": letters decide before tones.
        let mut v = vec!["mai", "má", "ma", "mà"];
        sort_by_name(&mut v, |s| s);
        assert_eq!(v, vec!["ma", "mà", "má", "mai"]);
    }

    #[test]
    fn clean_composes_and_trims() {
        let decomposed = "Phu\u{031B}o\u{031B}\u{0300}ng  Tô   Hiệu ";
        assert_eq!(clean(decomposed), "Phường Tô Hiệu");
    }

    #[test]
    fn folding_for_search() {
        assert_eq!(fold("Phường Đống Đa"), "phuong dong da");
        assert!(fold("UBND xã Chiềng Sinh").contains(&fold("chieng sinh")));
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert_eq!(format_date(d), "01/07/2025");
        assert_eq!(parse_date("1/7/2025"), Some(d));
        assert_eq!(parse_date("2025-07-01"), Some(d));
        assert_eq!(parse_date("31/02/2025"), None);
    }
}
