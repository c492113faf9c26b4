//! A user-facing message in both languages of the product (Vietnamese first, English second).
//! Domain code returns `Msg` so that the web layer can show it in the reader's language.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Msg {
    pub vi: String,
    pub en: String,
}

impl Msg {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Self {
        Msg { vi: vi.into(), en: en.into() }
    }

    /// The message in the given language code (`"en"` → English, anything else → Vietnamese).
    pub fn get(&self, lang: &str) -> &str {
        if lang == "en" { &self.en } else { &self.vi }
    }
}

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.vi, self.en)
    }
}
