//! The kind of an uploaded evidence file, decided by its content: the first bytes for PDF and
//! images, the package parts for Word and Excel (a ZIP holding `word/document.xml` or
//! `xl/workbook.xml`). A renamed program or an old `.doc` is refused whatever its name says.

use std::io::{Read, Seek};

use parindex_core::evidence::{Kind, Sniffed};

/// `Ok(kind)` or `Err(what it looks like)` for the refusal message.
pub fn detect<R: Read + Seek>(mut file: R) -> Result<Kind, &'static str> {
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
            let Ok(archive) = zip::ZipArchive::new(file) else { return Err("tệp ZIP hỏng / a damaged ZIP") };
            let names: Vec<String> = archive.file_names().filter_map(|n| n.ok().map(|n| n.to_string())).collect();
            Kind::from_zip_names(names.iter().map(String::as_str)).ok_or("tệp nén ZIP / a ZIP archive")
        }
    }
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
        assert!(detect(Cursor::new(b"MZ\x90\x00 this program".to_vec())).unwrap_err().contains(".exe"));
        assert!(detect(Cursor::new(b"PK\x03\x04 not really".to_vec())).is_err());
    }
}
