//! Hostile workbooks, made on the fly (issue #15): the files an outside probe used to take the
//! server down, for the tests of every import route, `parindex bench hostile-files` and the
//! fuzz targets' seed corpus. Each is small on the wire and enormous once parsed naively.

use std::io::{Cursor, Read, Write};

/// A named crafted file.
pub struct Crafted {
    pub name: &'static str,
    pub file_name: &'static str,
    pub bytes: Vec<u8>,
}

fn xlsx_with(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, c, v) in cells {
        ws.write_string(*r, *c, *v).expect("cell in range");
    }
    wb.save_to_buffer().expect("workbook")
}

/// Rewrite parts of a ZIP archive: `f(name, bytes)` gives the new bytes (or keeps them), and
/// `extra` parts are appended.
pub fn rezip(zip_bytes: &[u8], f: impl Fn(&str, Vec<u8>) -> Vec<u8>, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(zip_bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    for i in 0..z.len() {
        let mut part = z.by_index(i).expect("part");
        let name = part.name().map(|n| n.to_string()).expect("name");
        let mut data = Vec::new();
        part.read_to_end(&mut data).expect("read");
        out.start_file(name.clone(), opts).expect("start");
        out.write_all(&f(&name, data)).expect("write");
    }
    for (name, data) in extra {
        out.start_file(name.to_string(), opts).expect("start");
        out.write_all(data).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

/// A worksheet part of `rows` rows written as a stream into the archive (never held whole).
fn xlsx_sheet_stream(row_xml: &str, rows: usize, head: &str, tail: &str) -> Vec<u8> {
    let base = xlsx_with(&[(0, 0, "a")]);
    let mut z = zip::ZipArchive::new(Cursor::new(&base[..])).expect("zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    for i in 0..z.len() {
        let mut part = z.by_index(i).expect("part");
        let name = part.name().map(|n| n.to_string()).expect("name");
        out.start_file(name.clone(), opts).expect("start");
        if name == "xl/worksheets/sheet1.xml" {
            out.write_all(head.as_bytes()).expect("w");
            let block = row_xml.repeat(1024);
            for _ in 0..rows / 1024 {
                out.write_all(block.as_bytes()).expect("w");
            }
            out.write_all(tail.as_bytes()).expect("w");
        } else {
            let mut data = Vec::new();
            part.read_to_end(&mut data).expect("read");
            out.write_all(&data).expect("w");
        }
    }
    out.finish().expect("finish").into_inner()
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// Every crafted workbook: the probe's findings and their neighbours.
pub fn all() -> Vec<Crafted> {
    let mut out = vec![
        // one cell in A1, one in XFD1048576: a dense range of 17 billion cells
        Crafted { name: "sparse-corners", file_name: "goc.xlsx", bytes: xlsx_with(&[(0, 0, "ma"), (1_048_575, 16_383, "x")]) },
        // a header and a value far right: 16,384 columns on every row
        Crafted { name: "far-right-column", file_name: "cot.xlsx", bytes: xlsx_with(&[(0, 0, "ma"), (1, 16_000, "x")]) },
        // the shared-string table declares 100 billion strings (calamine reserves by it)
        Crafted {
            name: "shared-strings-count",
            file_name: "chuoi.xlsx",
            bytes: rezip(
                &xlsx_with(&[(0, 0, "ma"), (1, 0, "a")]),
                |name, data| {
                    if name == "xl/sharedStrings.xml" {
                        let s = String::from_utf8(data).expect("utf-8");
                        let s = regex_free_replace(&s, "uniqueCount=\"", "100000000000");
                        regex_free_replace(&s, " count=\"", "100000000000").into_bytes()
                    } else {
                        data
                    }
                },
                &[],
            ),
        },
        // 2,000,000 rows of one cell each: small on the wire, a large table once read
        Crafted {
            name: "deflate-bomb-rows",
            file_name: "bom-dong.xlsx",
            bytes: xlsx_sheet_stream(r#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#, 2_000_000, SHEET_HEAD, SHEET_TAIL),
        },
        // one cell whose text is 48 MB of digits: the XML reader would buffer it whole
        Crafted {
            name: "deflate-bomb-token",
            file_name: "bom-o.xlsx",
            bytes: xlsx_sheet_stream(
                "1111111111111111111111111111111111111111111111111111111111111111",
                (48 << 20) >> 6,
                &format!("{SHEET_HEAD}<row><c><v>"),
                &format!("</v></c></row>{SHEET_TAIL}"),
            ),
        },
        // a part of 256 MiB of zeros beside a valid workbook
        Crafted {
            name: "deflate-bomb-part",
            file_name: "bom-phan.xlsx",
            bytes: {
                let base = xlsx_with(&[(0, 0, "ma"), (1, 0, "a")]);
                let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
                let mut src = zip::ZipArchive::new(Cursor::new(&base[..])).expect("zip");
                for i in 0..src.len() {
                    z.raw_copy_file(src.by_index_raw(i).expect("raw")).expect("copy");
                }
                let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
                z.start_file("xl/media/zeros.bin", opts).expect("start");
                let zeros = vec![0u8; 1 << 20];
                for _ in 0..256 {
                    z.write_all(&zeros).expect("w");
                }
                z.finish().expect("finish").into_inner()
            },
        },
    ];
    if let Some(xls) = xls_far_cell() {
        out.push(Crafted { name: "xls-far-cell", file_name: "o-xa.xls", bytes: xls });
    }
    out
}

fn regex_free_replace(s: &str, attr: &str, value: &str) -> String {
    match s.find(attr) {
        Some(at) => {
            let start = at + attr.len();
            let end = start + s[start..].find('"').unwrap_or(0);
            format!("{}{}{}", &s[..start], value, &s[end..])
        }
        None => s.to_string(),
    }
}

/// An `.xls` of the XLSForm corpus with one string cell moved to `IV65536` (the last cell of
/// BIFF8) and its `DIMENSIONS` widened to match, as a hostile file would: ~1 GB once calamine
/// builds the sheet.
pub fn xls_far_cell() -> Option<Vec<u8>> {
    let mut b = XLS_SEED.to_vec();
    // LABELSST records: type 0x00FD, length 10; row and column follow
    let at = b.windows(4).position(|w| w == [0xFD, 0x00, 0x0A, 0x00])?;
    b[at + 4..at + 6].copy_from_slice(&0xFFFFu16.to_le_bytes());
    b[at + 6..at + 8].copy_from_slice(&0x00FFu16.to_le_bytes());
    // DIMENSIONS (BIFF8): type 0x0200, length 14: first row, last row + 1, first col, last col + 1
    for at in b.windows(4).enumerate().filter(|(_, w)| *w == [0x00, 0x02, 0x0E, 0x00]).map(|(i, _)| i).collect::<Vec<_>>() {
        b[at + 4..at + 8].copy_from_slice(&0u32.to_le_bytes());
        b[at + 8..at + 12].copy_from_slice(&0x10000u32.to_le_bytes());
        b[at + 12..at + 14].copy_from_slice(&0u16.to_le_bytes());
        b[at + 14..at + 16].copy_from_slice(&0x100u16.to_le_bytes());
    }
    Some(b)
}

/// A small real `.xls` (pyxform's `table-list.xls`, BSD 2-Clause, from the XLSForm corpus the
/// importer's tests use) to derive the hostile one from.
const XLS_SEED: &[u8] = include_bytes!("../tests/xlsform-corpus/pyxform/tests/example_xls/table-list.xls");
