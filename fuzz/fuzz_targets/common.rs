//! Shared by the targets that reach calamine.
//!
//! libFuzzer's panic hook aborts at the first panic, even one the product catches on purpose:
//! `parindex_reports::workbook::guarded` turns a panic inside calamine into "the file is
//! damaged" (a backstop behind the checks that run first). This hook prints the panic and lets
//! it unwind, so a caught panic is what production sees — and a panic nobody catches still
//! reaches libfuzzer-sys's `catch_unwind`, which aborts: a crash, as it should be.
pub fn unwind_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|info| eprintln!("{info}"))));
}
