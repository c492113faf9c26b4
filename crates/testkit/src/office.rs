//! The office tools the document tests check against: LibreOffice (DOCX → PDF, as a user's
//! Word or LibreOffice would open it) and poppler's `pdftotext` (what a reader copies out of a
//! PDF). They are Debian packages (`libreoffice-writer-nogui`, `poppler-utils`) that `.ci/run`
//! installs; a plain `cargo test` on a machine without them skips those checks and says so,
//! unless `PARINDEX_REQUIRE_OFFICE=1` (CI) makes their absence a failure.

use std::process::Command;

fn runs(cmd: &str, arg: &str) -> bool {
    Command::new(cmd).arg(arg).output().map(|o| o.status.success()).unwrap_or(false)
}

/// Both tools are here (panics when they are required and missing).
pub fn available() -> bool {
    let ok = runs("pdftotext", "-v") && runs("libreoffice", "--version");
    if !ok {
        assert!(
            std::env::var("PARINDEX_REQUIRE_OFFICE").ok().as_deref() != Some("1"),
            "PARINDEX_REQUIRE_OFFICE=1 but libreoffice or pdftotext is missing (apt-get install libreoffice-writer-nogui poppler-utils)"
        );
        eprintln!("libreoffice/pdftotext not installed: document conversion checks skipped");
    }
    ok
}

/// The text of a PDF as `pdftotext` reads it (reading order, UTF-8).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext").arg("-enc").arg("UTF-8").arg(&path).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("pdftotext gives UTF-8")
}

/// Convert a DOCX with `libreoffice --headless --convert-to pdf` (its own profile, so tests may
/// run side by side); the PDF, or a panic with what LibreOffice said.
pub fn docx_to_pdf(docx: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("document.docx");
    std::fs::write(&input, docx).unwrap();
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.path().display());
    let out = Command::new("libreoffice")
        .args([profile.as_str(), "--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&input)
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "libreoffice failed: {said}");
    assert!(!said.to_lowercase().contains("error"), "libreoffice reported an error: {said}");
    std::fs::read(dir.path().join("document.pdf")).unwrap_or_else(|e| panic!("no PDF from libreoffice ({e}): {said}"))
}

/// Keep a copy of a produced file under `PARINDEX_DOC_OUT` (to look at them), if set.
pub fn keep(name: &str, bytes: &[u8]) {
    if let Ok(dir) = std::env::var("PARINDEX_DOC_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(name), bytes).unwrap();
    }
}
