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
    ];
    KEYS.iter().find(|(d, _)| *d == done).map(|(_, k)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let vi = parse(VI);
        let en = parse(EN);
        let mut missing: Vec<_> = vi.keys().filter(|k| !en.contains_key(*k)).collect();
        missing.extend(en.keys().filter(|k| !vi.contains_key(*k)));
        assert!(missing.is_empty(), "keys in one language only: {missing:?}");
    }

    #[test]
    fn every_used_key_exists() {
        let vi = parse(VI);
        let dirs = [concat!(env!("CARGO_MANIFEST_DIR"), "/templates"), concat!(env!("CARGO_MANIFEST_DIR"), "/src")];
        let mut used = Vec::new();
        let mut stack: Vec<std::path::PathBuf> = dirs.iter().map(std::path::PathBuf::from).collect();
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for pat in ["t(\"", "label: \"", "\"home.", "\"lineage."] {
                for (i, _) in text.match_indices(pat) {
                    let start = i + pat.len() - 1;
                    let rest = &text[start + 1..];
                    if let Some(end) = rest.find('"') {
                        let mut key = rest[..end].to_string();
                        if pat.starts_with("\"home") || pat.starts_with("\"lineage") {
                            key = format!("{}{}", &pat[1..], key);
                        }
                        if key.contains('.') && !key.contains(' ') {
                            used.push((p.display().to_string(), key));
                        }
                    }
                }
            }
        }
        for (_, k) in KEYS_FROM_FLASH {
            used.push(("flash".into(), k.to_string()));
        }
        let missing: Vec<_> = used.iter().filter(|(_, k)| !vi.contains_key(k.as_str())).collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
        assert!(used.len() > 50);
    }

    const KEYS_FROM_FLASH: &[(&str, &str)] = &[("", "flash.unit_saved"), ("", "flash.signed_out"), ("", "flash.user_created")];
}
