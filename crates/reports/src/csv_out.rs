//! The one CSV writer of every export (issue #15): a cell is quoted when it must be (RFC 4180),
//! and a text that a spreadsheet would run as a formula — starting with `=`, `+`, `@`, a tab, a
//! carriage return, or a `-` that is not a number — is prefixed with `'` (CSV injection). Files
//! for people start with a UTF-8 BOM so that Excel reads Vietnamese correctly. Nothing else in
//! the code base formats CSV for output; a new export calls [`cell`], [`line`] or [`document`].

use std::borrow::Cow;

/// One cell, ready to be joined with commas.
pub fn cell(s: &str) -> Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '@', '\t', '\r']) || (s.starts_with('-') && s.parse::<f64>().is_err());
    if !risky && !s.contains([',', '"', '\n', '\r']) {
        return Cow::Borrowed(s);
    }
    let s = if risky { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { Cow::Owned(format!("\"{}\"", s.replace('"', "\"\""))) } else { Cow::Owned(s) }
}

/// One line (without its end).
pub fn line<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> String {
    let mut out = String::new();
    for (i, c) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&cell(c.as_ref()));
    }
    out
}

/// A whole file for people: BOM, header, rows, each line ended by `\r\n`.
pub fn document<S: AsRef<str>, R: IntoIterator<Item = S>>(
    header: impl IntoIterator<Item = S>,
    rows: impl IntoIterator<Item = R>,
) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(&line(header));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&line(r));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quotes_doubled() {
        assert_eq!(cell("Tốt, nhưng \"chậm\""), "\"Tốt, nhưng \"\"chậm\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        assert_eq!(cell("+1+2"), "'+1+2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\t=1"), "'\t=1");
        assert_eq!(cell("-3,5"), "\"'-3,5\"");
        assert_eq!(cell("-3.5"), "-3.5");
        assert_eq!(cell("Sở Nội vụ"), "Sở Nội vụ");
        assert_eq!(line(["a", "=b", "c,d"]), "a,'=b,\"c,d\"");
        assert_eq!(document(["h"], [["=x"]]), "\u{feff}h\r\n'=x\r\n".as_bytes());
    }
}
