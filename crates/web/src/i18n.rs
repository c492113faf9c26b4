//! Translations: `locales/vi.txt` and `locales/en.txt`, one `key = text` per line, compiled
//! in. Vietnamese is the reference; a test checks that both files have the same keys and that
//! every key a template or handler uses exists.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::ctx::Lang;

const VI: &str = include_str!("../locales/vi.txt");
const EN: &str = include_str!("../locales/en.txt");

fn parse(src: &'static str) -> HashMap<&'static str, &'static str> {
    src.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn table(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static VI_T: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static EN_T: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    match lang {
        Lang::Vi => VI_T.get_or_init(|| parse(VI)),
        Lang::En => EN_T.get_or_init(|| parse(EN)),
    }
}

/// The text for `key`; a missing key shows itself so that it is noticed, never a blank.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match table(lang).get(key) {
        Some(v) => v,
        None => table(Lang::Vi).get(key).copied().unwrap_or("⟦missing text⟧"),
    }
}

/// Confirmation messages that a redirect may ask for with `?done=…`.
pub fn flash_key(done: &str) -> Option<&'static str> {
    const KEYS: &[(&str, &str)] = &[
        ("unit_saved", "flash.unit_saved"),
        ("unit_deactivated", "flash.unit_deactivated"),
        ("unit_reactivated", "flash.unit_reactivated"),
        ("signed_out", "flash.signed_out"),
        ("user_created", "flash.user_created"),
        ("user_saved", "flash.user_saved"),
        ("password_changed", "flash.password_changed"),
        ("reply_saved", "flash.reply_saved"),
        ("groups_saved", "flash.groups_saved"),
        ("token_revoked", "flash.token_revoked"),
        ("contact_saved", "contact.saved"),
        ("period_contact_saved", "contact.saved"),
    ];
    KEYS.iter().find(|(d, _)| *d == done).map(|(_, k)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_defined_twice() {
        for src in [VI, EN] {
            let mut seen = std::collections::HashSet::new();
            for l in src.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')) {
                if let Some((k, _)) = l.split_once(" = ") {
                    assert!(seen.insert(k.trim()), "“{}” is defined twice: the later one silently wins", k.trim());
                }
            }
        }
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let vi = parse(VI);
        let en = parse(EN);
        let mut missing: Vec<_> = vi.keys().filter(|k| !en.contains_key(*k)).collect();
        missing.extend(en.keys().filter(|k| !vi.contains_key(*k)));
        assert!(missing.is_empty(), "keys in one language only: {missing:?}");
    }

    /// Every quoted `namespace.key` in the templates and handlers has a translation.
    #[test]
    fn every_used_key_exists() {
        const NAMESPACES: &[&str] = &[
            "app.", "nav.", "home.", "fw.", "per.", "as.", "ap.", "tl.", "inbox.", "login.", "account.", "units.", "lineage.", "form.",
            "import.", "users.", "audit.", "flash.", "lang.", "sv.", "pub.", "contact.",
        ];
        let vi = parse(VI);
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.join("templates"), root.join("src")];
        let mut used = Vec::new();
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if p.ends_with("i18n.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for (i, piece) in text.split('"').enumerate() {
                let is_key = i % 2 == 1
                    && NAMESPACES.iter().any(|n| piece.starts_with(n))
                    && piece.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
                    && !piece.ends_with(".html")
                    && !piece.ends_with('.');
                if is_key {
                    used.push((p.display().to_string(), piece.to_string()));
                }
            }
        }
        used.extend(["unit_saved", "signed_out", "user_created"].iter().map(|d| ("flash".to_string(), flash_key(d).unwrap().to_string())));
        let missing: Vec<_> = used.iter().filter(|(_, k)| !vi.contains_key(k.as_str())).collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
        assert!(used.len() > 100, "the scan found the keys ({})", used.len());
    }
}
