//! parindex-typeset: the official documents as PDF, laid out by typst used as a library, and
//! the charts rasterised to PNG for the DOCX writer (`parindex_reports::docx`). Kept in a crate
//! of its own because typst is by far the heaviest dependency: nothing else waits on it.
//!
//! - [`pdf`]: a `parindex_reports::document::Document` → PDF. The model goes in as JSON
//!   (`/doc.json`) read by `document.typ`, so text is never parsed as typst markup.
//! - Fonts come from the `typst-assets` crate (crates.io): Libertinus Serif (regular, bold,
//!   italic, bold italic), which covers Vietnamese. Times New Roman, which Decree 30 asks for,
//!   cannot be redistributed; the DOCX names it and Word/LibreOffice use it (or its metric twin,
//!   Liberation Serif), while the PDF carries Libertinus embedded, so it reads the same on any
//!   machine. No system font is read: output is the same everywhere.
//! - [`svg_to_png`]: a chart of `parindex_reports::charts` as PNG (resvg, same fonts).

use std::sync::LazyLock;

use parindex_reports::document::Document;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

const TEMPLATE: &str = include_str!("document.typ");

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
    Fonts { book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

fn file_id(path: &str) -> FileId {
    FileId::new(RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).expect("a valid virtual path")))
}

/// The world of one document: the template as main source and the document's JSON.
struct DocWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
    today: chrono::NaiveDate,
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::NotSource) }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id { Ok(self.data.clone()) } else { Err(FileError::AccessDenied) }
    }
    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        use chrono::Datelike;
        Datetime::from_ymd(self.today.year(), self.today.month() as u8, self.today.day() as u8)
    }
}

/// Lay out `doc` and write it as PDF. An error is the typst diagnostics as text (a bug of the
/// template, never of the user's data: text is passed as strings).
pub fn pdf(doc: &Document) -> Result<Vec<u8>, String> {
    let data = serde_json::to_vec(doc).map_err(|e| e.to_string())?;
    let world = DocWorld {
        main: Source::new(file_id("/main.typ"), TEMPLATE.to_string()),
        data_id: file_id("/doc.json"),
        data: Bytes::new(data),
        today: chrono::Utc::now().date_naive(),
    };
    let compiled = typst::compile::<PagedDocument>(&world);
    let paged = compiled.output.map_err(|errs| errs.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))?;
    let pdf = typst_pdf::pdf(&paged, &typst_pdf::PdfOptions::default())
        .map_err(|errs| errs.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "));
    // every document differs: keep only what the last few compilations used, so a long-running
    // server does not accumulate typst's memoised layouts
    comemo::evict(4);
    pdf
}

static SVG_OPTIONS: LazyLock<resvg::usvg::Options<'static>> = LazyLock::new(|| {
    let mut opt = resvg::usvg::Options::default();
    let db = opt.fontdb_mut();
    for data in typst_assets::fonts() {
        db.load_font_data(data.to_vec());
    }
    db.set_sans_serif_family("Libertinus Serif");
    db.set_serif_family("Libertinus Serif");
    opt.font_family = "Libertinus Serif".to_string();
    opt
});

/// Rasterise an SVG at `scale` pixels per SVG unit (2.5 prints sharply at the widths the
/// reports use): PNG bytes and the size in pixels; none if the SVG cannot be read.
pub fn svg_to_png(svg: &str, scale: f32) -> Option<(Vec<u8>, u32, u32)> {
    use resvg::tiny_skia::{Color, Pixmap, Transform};
    let tree = resvg::usvg::Tree::from_str(svg, &SVG_OPTIONS).ok()?;
    let size = tree.size();
    let (w, h) = ((size.width() * scale).ceil() as u32, (size.height() * scale).ceil() as u32);
    let mut pixmap = Pixmap::new(w.max(1), h.max(1))?;
    pixmap.fill(Color::WHITE);
    resvg::render(&tree, Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    Some((pixmap.encode_png().ok()?, w.max(1), h.max(1)))
}

/// The DOCX of `doc` with its charts rasterised here.
pub fn docx(doc: &Document) -> std::io::Result<Vec<u8>> {
    parindex_reports::docx::docx(doc, &|svg: &str| svg_to_png(svg, 2.5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_document_lays_out_with_its_chart() {
        let doc = parindex_reports::document::sample();
        let bytes = pdf(&doc).expect("compiles");
        assert!(bytes.starts_with(b"%PDF-"));
        let png = svg_to_png(&parindex_reports::charts::bars_svg("x", &["a".into()], &[("s", vec![Some(50.0)])], true), 2.0).unwrap();
        assert!(png.0.starts_with(&[0x89, b'P', b'N', b'G']));
        assert!(png.1 > 10 && png.2 > 10);
        let d = docx(&doc).unwrap();
        assert!(d.len() > png.0.len());
        // To look at them: PARINDEX_DOC_OUT=/tmp/docs cargo test -p parindex-typeset
        if let Ok(dir) = std::env::var("PARINDEX_DOC_OUT") {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(format!("{dir}/sample.pdf"), &bytes).unwrap();
            std::fs::write(format!("{dir}/sample.docx"), &d).unwrap();
        }
    }

    #[test]
    fn every_style_the_template_uses_covers_vietnamese() {
        // Regular, bold, italic and — for bold italic — semibold italic: Libertinus Serif's
        // bold italic lacks ơ ư Ơ Ư (typst would then build them from o + combining horn, and a
        // PDF reader copies "ơ" twice), so the template sets bold italic text in semibold.
        const VI: &str = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ\
                          AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬEÈÉẺẼẸÊỀẾỂỄỆIÌÍỈĨỊOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢUÙÚỦŨỤƯỪỨỬỮỰYỲÝỶỸỴĐ";
        for (weight, italic) in [(400, false), (700, false), (400, true), (600, true)] {
            let font = FONTS
                .fonts
                .iter()
                .find(|f| {
                    let i = f.info();
                    i.family == "Libertinus Serif"
                        && i.variant.weight.to_number() == weight
                        && (i.variant.style != typst::text::FontStyle::Normal) == italic
                })
                .unwrap_or_else(|| panic!("Libertinus Serif {weight} italic={italic}"));
            let missing: String = VI.chars().filter(|c| !c.is_whitespace() && !font.info().coverage.contains(*c as u32)).collect();
            assert!(missing.is_empty(), "weight {weight} italic={italic} lacks {missing}");
        }
        assert!(TEMPLATE.contains("\"semibold\""), "the template sets bold italic in semibold");
    }
}
