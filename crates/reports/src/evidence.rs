//! The kind of an uploaded evidence file, decided by its content: the first bytes for PDF and
//! images, the package parts for Word and Excel (a ZIP holding `word/document.xml` or
//! `xl/workbook.xml`). A renamed program or an old `.doc` is refused whatever its name says.

use std::io::{Read, Seek};

use parindex_core::evidence::{Kind, Sniffed};

/// `Ok(kind)` or `Err(what it looks like)` for the refusal message.
pub fn detect<R: Read + Seek>(mut file: R) -> Result<Kind, parindex_core::evidence::LooksLike> {
    let mut head = [0u8; 16];
    let n = file.read(&mut head).unwrap_or(0);
    let head = &head[..n];
    match Kind::sniff(head) {
        Sniffed::Kind(k) => Ok(k),
        Sniffed::Unknown => Err(parindex_core::evidence::looks_like(head)),
        Sniffed::Zip => {
            if file.rewind().is_err() {
                return Err(parindex_core::evidence::looks_like(head));
            }
            let Ok(archive) = zip::ZipArchive::new(file) else { return Err(("tệp ZIP bị hỏng", "a damaged ZIP archive")) };
            let names: Vec<String> = archive.file_names().filter_map(|n| n.ok().map(|n| n.to_string())).collect();
            Kind::from_zip_names(names.iter().map(String::as_str)).ok_or(("tệp nén ZIP", "a ZIP archive"))
        }
    }
}

/// Write a ZIP of evidence files (`folder/name` ← file on disk), stored without recompression
/// (PDFs, images and Office files are compressed already), reading each file as a stream.
/// Names repeated in one folder get " (2)", " (3)"… before the extension.
pub fn write_zip<W: std::io::Write + Seek>(out: W, files: &[(String, String, std::path::PathBuf)]) -> std::io::Result<W> {
    use std::collections::HashSet;
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true);
    let mut used = HashSet::new();
    for (folder, name, path) in files {
        let mut candidate = format!("{folder}/{name}");
        let mut n = 2;
        while !used.insert(candidate.clone()) {
            let (stem, ext) = name.rsplit_once('.').map(|(s, e)| (s.to_string(), format!(".{e}"))).unwrap_or((name.clone(), String::new()));
            candidate = format!("{folder}/{stem} ({n}){ext}");
            n += 1;
        }
        zip.start_file(candidate, options).map_err(std::io::Error::other)?;
        let mut f = std::fs::File::open(path)?;
        std::io::copy(&mut f, &mut zip)?;
    }
    zip.finish().map_err(std::io::Error::other)
}

/// Write a ZIP of documents made in memory (`path in the archive` ← bytes), stored without
/// recompression (DOCX and PDF are compressed already).
pub fn zip_entries<W: std::io::Write + Seek>(out: W, entries: Vec<(String, Vec<u8>)>) -> std::io::Result<W> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true);
    for (name, bytes) in entries {
        zip.start_file(name, options).map_err(std::io::Error::other)?;
        zip.write_all(&bytes)?;
    }
    zip.finish().map_err(std::io::Error::other)
}

/// A folder name for a criterion: its code and the start of its title, without characters that
/// file systems refuse.
pub fn folder_name(code: &str, title: &str) -> String {
    let short: String = title.chars().take(60).collect();
    format!("{code} {short}")
        .chars()
        .map(|c| if "/\\:*?\"<>|".contains(c) || c.is_control() { '_' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    #[test]
    fn office_files_by_their_parts() {
        let xlsx = crate::framework_xlsx::framework_template_xlsx().unwrap();
        assert_eq!(detect(Cursor::new(xlsx)), Ok(Kind::Xlsx));
        assert_eq!(detect(Cursor::new(b"%PDF-1.4 ...".to_vec())), Ok(Kind::Pdf));
        assert!(detect(Cursor::new(b"MZ\x90\x00 this program".to_vec())).unwrap_err().0.contains("chương trình"));
        assert!(detect(Cursor::new(b"PK\x03\x04 not really".to_vec())).is_err());
    }

    #[test]
    fn zip_with_a_folder_per_criterion() {
        let dir = std::env::temp_dir().join(format!("pz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = dir.join("a");
        std::fs::write(&a, b"%PDF-1.4 a").unwrap();
        let files = vec![
            (folder_name("1.1", "Ban hành kế hoạch: CCHC/năm"), "Quyết định.pdf".to_string(), a.clone()),
            (folder_name("1.1", "Ban hành kế hoạch: CCHC/năm"), "Quyết định.pdf".to_string(), a.clone()),
            (folder_name("1.3", "Tỷ lệ"), "Quyết định.pdf".to_string(), a),
        ];
        let out = write_zip(Cursor::new(Vec::new()), &files).unwrap().into_inner();
        let z = zip::ZipArchive::new(Cursor::new(out)).unwrap();
        let names: Vec<String> = z.file_names().filter_map(|n| n.ok().map(|n| n.to_string())).collect();
        assert!(names.contains(&"1.1 Ban hành kế hoạch_ CCHC_năm/Quyết định.pdf".to_string()), "{names:?}");
        assert!(names.contains(&"1.1 Ban hành kế hoạch_ CCHC_năm/Quyết định (2).pdf".to_string()), "{names:?}");
        assert!(names.contains(&"1.3 Tỷ lệ/Quyết định.pdf".to_string()), "{names:?}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
