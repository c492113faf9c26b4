//! A [`Document`] as a DOCX file (WordprocessingML written directly, no template), laid out by
//! Decree 30/2020/NĐ-CP: A4, margins top/bottom 2 cm, left 3 cm, right 1.5 cm; Times New Roman;
//! body 14 pt justified with a 1 cm first-line indent; the header as a borderless two-column
//! table (issuer | national title), short rules under the issuer and the motto; page numbers at
//! the top centre from the second page; recipients (12/11 pt) beside the signature.
//!
//! Tables are real Word tables (header row repeated on each page, 12 pt); charts are PNG
//! pictures rasterised by the caller (`raster`: SVG → PNG bytes with their pixel size), so this
//! crate stays free of a renderer. Styles are named ("Heading1", "TableText"…) so the office
//! can restyle the whole document in Word.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::document::{Align, Block, Document, Row, Run, Signature, Table};

/// Rasterise an SVG chart: PNG bytes and the size in pixels, or none (the chart is then left
/// out and its caption says so).
pub type Raster<'a> = &'a dyn Fn(&str) -> Option<(Vec<u8>, u32, u32)>;

/// Text width in twips: A4 11906 − left 1701 − right 850.
const TEXT_W: u32 = 9355;

/// Escape text for XML, dropping the control characters XML 1.0 forbids.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\t' | '\n' | '\r' => o.push(' '),
            c if (c as u32) < 0x20 => {}
            c => o.push(c),
        }
    }
    o
}

/// A run; `size` in half-points (0: the style's).
fn run(o: &mut String, text: &str, bold: bool, italic: bool, size: u32) {
    o.push_str("<w:r>");
    if bold || italic || size > 0 {
        o.push_str("<w:rPr>");
        if bold {
            o.push_str("<w:b/>");
        }
        if italic {
            o.push_str("<w:i/>");
        }
        if size > 0 {
            let _ = write!(o, r#"<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>"#);
        }
        o.push_str("</w:rPr>");
    }
    let _ = write!(o, r#"<w:t xml:space="preserve">{}</w:t></w:r>"#, esc(text));
}

/// A paragraph of the given style and alignment holding one run.
fn para(o: &mut String, style: &str, jc: &str, text: &str, bold: bool, italic: bool, size: u32) {
    let _ = write!(o, r#"<w:p><w:pPr><w:pStyle w:val="{style}"/>"#);
    if !jc.is_empty() {
        let _ = write!(o, r#"<w:jc w:val="{jc}"/>"#);
    }
    o.push_str("</w:pPr>");
    if !text.is_empty() {
        run(o, text, bold, italic, size);
    }
    o.push_str("</w:p>");
}

/// A short horizontal rule: an empty paragraph with a top border, indented from both sides.
fn rule(o: &mut String, indent: u32) {
    let _ = write!(
        o,
        r#"<w:p><w:pPr><w:pStyle w:val="Plain"/><w:pBdr><w:top w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr><w:spacing w:before="0" w:after="0" w:line="120" w:lineRule="exact"/><w:ind w:left="{indent}" w:right="{indent}"/></w:pPr></w:p>"#
    );
}

/// A borderless layout table with the given column widths; each cell's content is XML.
fn layout_table(o: &mut String, widths: &[u32], cells: &[String]) {
    o.push_str(r#"<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblLayout w:type="fixed"/><w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders><w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>"#);
    for w in widths {
        let _ = write!(o, r#"<w:gridCol w:w="{w}"/>"#);
    }
    o.push_str("</w:tblGrid><w:tr>");
    for (w, c) in widths.iter().zip(cells) {
        let _ = write!(o, r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>{c}</w:tc>"#);
    }
    o.push_str("</w:tr></w:tbl>");
}

fn header_block(o: &mut String, d: &Document) {
    let (lw, rw) = (3700u32, TEXT_W - 3700);
    let mut left = String::new();
    if !d.parent.is_empty() {
        para(&mut left, "Plain", "center", &d.parent, false, false, 26);
    }
    para(&mut left, "Plain", "center", &d.issuer, true, false, 26);
    rule(&mut left, 1250);
    para(&mut left, "Plain", "center", &d.number, false, false, 26);
    let mut right = String::new();
    para(&mut right, "Plain", "center", &d.national, true, false, 24);
    para(&mut right, "Plain", "center", &d.motto, true, false, 26);
    rule(&mut right, 1150);
    para(&mut right, "Plain", "center", &d.place_date, false, true, 28);
    layout_table(o, &[lw, rw], &[left, right]);
}

fn runs_para(o: &mut String, runs: &[Run]) {
    o.push_str(r#"<w:p><w:pPr><w:pStyle w:val="BodyText"/></w:pPr>"#);
    for r in runs {
        run(o, &r.text, r.bold, r.italic, 0);
    }
    o.push_str("</w:p>");
}

fn jc(a: Align) -> &'static str {
    match a {
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
    }
}

fn table(o: &mut String, t: &Table) {
    if !t.caption.is_empty() {
        para(o, "Caption", "center", &t.caption, true, false, 0);
    }
    let sum: f32 = t.widths.iter().sum::<f32>().max(f32::EPSILON);
    let widths: Vec<u32> = t.widths.iter().map(|w| (w / sum * TEXT_W as f32).round() as u32).collect();
    o.push_str(
        r#"<w:tbl><w:tblPr><w:tblStyle w:val="Grid"/><w:tblW w:w="0" w:type="auto"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#,
    );
    for w in &widths {
        let _ = write!(o, r#"<w:gridCol w:w="{w}"/>"#);
    }
    o.push_str("</w:tblGrid>");
    let mut row = |cells: &[String], header: bool, bold: bool| {
        o.push_str("<w:tr>");
        if header {
            o.push_str(r#"<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"#);
        } else {
            o.push_str(r#"<w:trPr><w:cantSplit/></w:trPr>"#);
        }
        for (i, w) in widths.iter().enumerate() {
            let text = cells.get(i).map(String::as_str).unwrap_or("");
            let _ = write!(o, r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>"#);
            if header {
                o.push_str(r#"<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/><w:vAlign w:val="center"/>"#);
            }
            o.push_str("</w:tcPr>");
            let a = if header { "center" } else { jc(t.align.get(i).copied().unwrap_or(Align::Left)) };
            para(o, "TableText", a, text, header || bold, false, 0);
            o.push_str("</w:tc>");
        }
        o.push_str("</w:tr>");
    };
    row(&t.header, true, true);
    for Row { cells, bold } in &t.rows {
        row(cells, false, *bold);
    }
    o.push_str("</w:tbl>");
    // Space after the table.
    para(o, "Plain", "", "", false, false, 0);
}

/// An inline picture of `cx` × `cy` EMU referring to relationship `rid`.
fn picture(o: &mut String, rid: &str, n: usize, cx: u64, cy: u64, name: &str) {
    let _ = write!(
        o,
        r#"<w:p><w:pPr><w:pStyle w:val="Plain"/><w:jc w:val="center"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{n}" name="{name}" descr="{name}"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="chart{n}.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#,
        name = esc(name)
    );
}

fn signature_cell(s: &Signature) -> String {
    let mut c = String::new();
    if !s.authority.is_empty() {
        para(&mut c, "Plain", "center", &s.authority, true, false, 28);
    }
    para(&mut c, "Plain", "center", &s.position, true, false, 28);
    if !s.note.is_empty() {
        para(&mut c, "Plain", "center", &s.note, false, true, 26);
    }
    for _ in 0..4 {
        para(&mut c, "Plain", "center", "", false, false, 28);
    }
    para(&mut c, "Plain", "center", &s.name, true, false, 28);
    c
}

fn closing(o: &mut String, d: &Document) {
    para(o, "Plain", "", "", false, false, 0);
    let mut cells = Vec::new();
    let mut widths = Vec::new();
    if !d.recipients.is_empty() {
        let mut c = String::new();
        para(&mut c, "Plain", "left", &d.recipients_label, true, true, 24);
        for r in &d.recipients {
            para(&mut c, "Plain", "left", r, false, false, 22);
        }
        cells.push(c);
        widths.push(TEXT_W * 9 / 20);
    }
    let n = d.signatures.len().max(1) as u32;
    let each = (TEXT_W - widths.iter().sum::<u32>()) / n;
    for s in &d.signatures {
        cells.push(signature_cell(s));
        widths.push(each);
    }
    if !cells.is_empty() {
        layout_table(o, &widths, &cells);
    }
}

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="vi-VN" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="paragraph" w:styleId="Plain"><w:name w:val="Plain"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="BodyText"><w:name w:val="Body Text"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:before="60" w:after="60" w:line="288" w:lineRule="auto"/><w:ind w:firstLine="567"/><w:jc w:val="both"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="BodyText"/><w:next w:val="BodyText"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="180" w:after="60"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:bCs/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="BodyText"/><w:next w:val="BodyText"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:bCs/><w:i/><w:iCs/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="DocKind"><w:name w:val="Document kind"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="360" w:after="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:bCs/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="DocTitle"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:after="240"/><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:bCs/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="ChartCaption"><w:name w:val="Chart caption"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="60" w:after="180"/><w:jc w:val="center"/></w:pPr><w:rPr><w:i/><w:iCs/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="20" w:after="20"/></w:pPr><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="table" w:styleId="Grid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders></w:tblPr></w:style>
</w:styles>"#;

const HEADER_PART: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>2</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:hdr>"#;

const EMPTY_HEADER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr></w:p></w:hdr>"#;

/// Write `d` as DOCX bytes.
pub fn docx(d: &Document, raster: Raster) -> std::io::Result<Vec<u8>> {
    let mut body = String::with_capacity(64 * 1024);
    header_block(&mut body, d);
    para(&mut body, "DocKind", "", &d.kind, false, false, 28);
    para(&mut body, "DocTitle", "", &d.title, false, false, 28);
    let mut images: Vec<Vec<u8>> = Vec::new();
    for b in &d.blocks {
        match b {
            Block::Heading { text } => para(&mut body, "Heading1", "", text, false, false, 0),
            Block::Subheading { text } => para(&mut body, "Heading2", "", text, false, false, 0),
            Block::Paragraph { runs } => runs_para(&mut body, runs),
            Block::Table(t) => table(&mut body, t),
            Block::Chart { caption, svg, width_cm } => {
                if let Some((png, w, h)) = raster(svg).filter(|(_, w, h)| *w > 0 && *h > 0) {
                    images.push(png);
                    let n = images.len();
                    let cx = (f64::from(*width_cm) * 360_000.0) as u64;
                    let cy = cx * u64::from(h) / u64::from(w);
                    picture(&mut body, &format!("rIdImg{n}"), n, cx, cy, caption);
                }
                para(&mut body, "ChartCaption", "", caption, false, false, 0);
            }
        }
    }
    closing(&mut body, d);
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>{body}<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader"/><w:headerReference w:type="first" r:id="rIdHeaderFirst"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701" w:header="567" w:footer="567" w:gutter="0"/><w:titlePg/></w:sectPr></w:body></w:document>"#
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdHeader" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/><Relationship Id="rIdHeaderFirst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml"/>"#,
    );
    for n in 1..=images.len() {
        let _ = write!(
            rels,
            r#"<Relationship Id="rIdImg{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/chart{n}.png"/>"#
        );
    }
    rels.push_str("</Relationships>");
    let core = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{} {}</dc:title><dc:creator>{}</dc:creator><dc:language>{}</dc:language></cp:coreProperties>"#,
        esc(&d.kind),
        esc(&d.title),
        esc(&d.issuer),
        if d.lang == "en" { "en-GB" } else { "vi-VN" }
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let parts: [(&str, &str); 8] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/word/header2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#,
        ),
        ("word/document.xml", &document),
        ("word/_rels/document.xml.rels", &rels),
        ("word/styles.xml", STYLES),
        (
            "word/settings.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:defaultTabStop w:val="720"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>"#,
        ),
        ("word/header1.xml", HEADER_PART),
        ("word/header2.xml", EMPTY_HEADER),
    ];
    for (name, text) in parts {
        zip.start_file(name, opts).map_err(std::io::Error::other)?;
        zip.write_all(text.as_bytes())?;
    }
    zip.start_file("docProps/core.xml", opts).map_err(std::io::Error::other)?;
    zip.write_all(core.as_bytes())?;
    for (i, png) in images.iter().enumerate() {
        zip.start_file(format!("word/media/chart{}.png", i + 1), stored).map_err(std::io::Error::other)?;
        zip.write_all(png)?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::sample;
    use std::io::Read;

    #[test]
    fn writes_a_valid_package_with_escaped_text_and_pictures() {
        let png = vec![0x89, b'P', b'N', b'G'];
        let bytes = docx(&sample(), &|_svg: &str| Some((png.clone(), 200, 100))).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut doc = String::new();
        z.by_name("word/document.xml").unwrap().read_to_string(&mut doc).unwrap();
        assert!(doc.contains("năm 2025 &lt;&amp;&gt;"));
        assert!(doc.contains("Độc lập - Tự do - Hạnh phúc"));
        assert!(doc.contains(r#"r:embed="rIdImg1""#));
        // 15 cm wide, aspect kept
        assert!(doc.contains(r#"cx="5400000" cy="2700000""#));
        assert!(z.by_name("word/media/chart1.png").is_ok());
        assert!(doc.contains("<w:tblHeader/>"));
        // Well-formed: every opened paragraph is closed.
        assert_eq!(doc.matches("<w:p>").count(), doc.matches("</w:p>").count());
    }

    #[test]
    fn a_chart_that_cannot_be_drawn_keeps_its_caption() {
        let bytes = docx(&sample(), &|_svg: &str| None).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut doc = String::new();
        z.by_name("word/document.xml").unwrap().read_to_string(&mut doc).unwrap();
        assert!(!doc.contains("w:drawing"));
        assert!(doc.contains("Hình 1. Chỉ số"));
        assert!(z.by_name("word/media/chart1.png").is_err());
    }
}
