//! A definition file (a report form, an inspection checklist) read from YAML or JSON: its size
//! bounded before parsing, UTF-8 required, a syntax error named with the file, line and column.
//! What the definition means is checked by its own model afterwards.

use parindex_core::Msg;
use serde::de::DeserializeOwned;

/// Read `bytes` as `T`; `what` names the kind of file for people ("mẫu biểu", "form"), `doc`
/// the page describing the format.
pub(crate) fn read_yaml<T: DeserializeOwned>(
    file: &str,
    bytes: &[u8],
    max_bytes: usize,
    what: (&str, &str),
    doc: &str,
) -> Result<T, Vec<Msg>> {
    let (vi, en) = what;
    if bytes.len() > max_bytes {
        return Err(vec![Msg::new(
            format!("{file}: tệp {vi} lớn quá {} KB.", max_bytes / 1024),
            format!("{file}: the {en} file is larger than {} KB.", max_bytes / 1024),
        )]);
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![Msg::new(
            format!("{file}: không phải tệp văn bản UTF-8 (YAML)."),
            format!("{file}: not a UTF-8 text (YAML) file."),
        )]);
    };
    yaml_serde::from_str(text).map_err(|e| {
        let at = e.location().map(|l| format!("{file}:{}:{}", l.line(), l.column())).unwrap_or_else(|| file.to_string());
        vec![Msg::new(
            format!("{at}: tệp không đúng định dạng {vi}: {e}. Xem {doc}."),
            format!("{at}: the file does not follow the {en} format: {e}. See {doc}."),
        )]
    })
}
