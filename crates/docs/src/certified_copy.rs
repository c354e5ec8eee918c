//! The electronic certified copy: the pages of the scan of an original,
//! followed by the certification page (statement, number, book, date,
//! signer, QR code to the public verification page), as one PDF ready to be
//! signed.
//!
//! The copy is PDF/A-2b. Images (JPEG, PNG) are placed as they are. PDF/A
//! forbids embedding another PDF's pages, so each page of a PDF scan is
//! converted to SVG first (hayro-svg: vector paths and glyph outlines stay
//! vector, embedded images stay images) and placed as an SVG image.

use motcua_domain::limits::{SCAN_BYTES, SCAN_PAGES};
use serde_json::json;

use crate::{qr_svg, DocsError, Document, PdfEngine};

/// The template of the copy.
pub const CERTIFIED_COPY_TYP: &str = include_str!("../templates/certified_copy.typ");

/// What the certification page says.
#[derive(Debug, Clone)]
pub struct CopyMetadata {
    /// The certification statement (lời chứng), as the book records it.
    pub statement: String,
    /// Certification number (số chứng thực).
    pub number: String,
    /// Book (quyển số).
    pub book: String,
    /// Date of certification.
    pub date: jiff::civil::Date,
    /// Where, for the "…, ngày … tháng … năm …" line (e.g. "Xã Tân Phú").
    pub place: String,
    /// Superior agency, or empty.
    pub parent_agency: String,
    /// Certifying agency.
    pub agency: String,
    /// Who signs, and as what.
    pub signer_name: String,
    pub signer_title: String,
    /// Full URL of the public verification page (`…/xac-minh/{token}`).
    pub verify_url: String,
}

/// What kind of file the scan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanKind {
    Pdf,
    Jpeg,
    Png,
}

/// Why a scan is refused or the copy could not be made. The messages are
/// Vietnamese: they are shown to the officer who uploaded the scan.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("Tệp bản chụp phải là PDF, JPEG hoặc PNG.")]
    NotPdfOrImage,
    #[error("Tệp bản chụp trống hoặc không có trang nào.")]
    NoPages,
    #[error("Tệp bản chụp vượt quá {} MB.", SCAN_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("Bản chụp có quá {} trang.", SCAN_PAGES)]
    TooManyPages,
    #[error("Không đọc được tệp PDF của bản chụp.")]
    UnreadablePdf,
    #[error("Không tạo được bản sao điện tử: {0}")]
    Render(#[from] DocsError),
}

/// The copy before signing.
#[derive(Debug, Clone)]
pub struct RenderedCopy {
    pub pdf: Vec<u8>,
    /// Pages of the scan (the certification page is not counted).
    pub scan_pages: usize,
    /// Whether the PDF is PDF/A-2b (see the module comment).
    pub pdf_a: bool,
}

/// Tells the scan's kind from its first bytes; the declared content type
/// must agree (a `.pdf` that is a JPEG is refused, not guessed).
pub fn scan_kind(bytes: &[u8], content_type: &str) -> Result<ScanKind, CopyError> {
    if bytes.is_empty() {
        return Err(CopyError::NoPages);
    }
    if bytes.len() > SCAN_BYTES {
        return Err(CopyError::TooLarge);
    }
    let sniffed = if bytes.starts_with(b"%PDF-") {
        ScanKind::Pdf
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ScanKind::Jpeg
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        ScanKind::Png
    } else {
        return Err(CopyError::NotPdfOrImage);
    };
    let declared = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let agrees = match declared.as_str() {
        "application/pdf" => sniffed == ScanKind::Pdf,
        "image/jpeg" | "image/jpg" => sniffed == ScanKind::Jpeg,
        "image/png" => sniffed == ScanKind::Png,
        // Browsers send this when they do not know; the bytes decide.
        "" | "application/octet-stream" => true,
        _ => false,
    };
    if agrees {
        Ok(sniffed)
    } else {
        Err(CopyError::NotPdfOrImage)
    }
}

/// The pages of a scan (an image is one page), refused as the copy would be:
/// what the fee is charged on, known before the copy is numbered.
pub fn scan_pages(scan: &[u8], content_type: &str) -> Result<usize, CopyError> {
    match scan_kind(scan, content_type)? {
        ScanKind::Pdf => {
            let doc = lopdf::Document::load_mem(scan).map_err(|_| CopyError::UnreadablePdf)?;
            let count = doc.get_pages().len();
            if count == 0 {
                return Err(CopyError::NoPages);
            }
            if count > SCAN_PAGES {
                return Err(CopyError::TooManyPages);
            }
            Ok(count)
        }
        ScanKind::Jpeg | ScanKind::Png => Ok(1),
    }
}

/// The JPEG of each page that is nothing but one full-page JPEG image (what
/// a scanner writes), `None` for the others. Such a page is placed as its
/// JPEG, byte for byte: no conversion, no re-encoding, and the copy keeps the
/// scan's own image.
fn jpeg_pages(doc: &lopdf::Document) -> Vec<Option<Vec<u8>>> {
    doc.get_pages()
        .values()
        .map(|id| page_jpeg(doc, *id))
        .collect()
}

fn page_jpeg(doc: &lopdf::Document, page_id: lopdf::ObjectId) -> Option<Vec<u8>> {
    use lopdf::Object;
    let inherited = |key: &[u8]| -> Option<&Object> {
        let mut node = doc.get_dictionary(page_id).ok()?;
        for _ in 0..32 {
            if let Ok(value) = node.get(key) {
                return doc.dereference(value).ok().map(|(_, v)| v);
            }
            node = doc
                .get_dictionary(node.get(b"Parent").ok()?.as_reference().ok()?)
                .ok()?;
        }
        None
    };
    let number = |o: &Object| {
        o.as_float()
            .ok()
            .or_else(|| o.as_i64().ok().map(|i| i as f32))
    };
    if inherited(b"Rotate")
        .and_then(number)
        .is_some_and(|r| r != 0.0)
    {
        return None;
    }
    let media: Vec<f32> = inherited(b"MediaBox")?
        .as_array()
        .ok()?
        .iter()
        .map(|o| doc.dereference(o).ok().and_then(|(_, v)| number(v)))
        .collect::<Option<_>>()?;
    let (page_w, page_h) = match media.as_slice() {
        [x0, y0, x1, y1] => ((x1 - x0).abs(), (y1 - y0).abs()),
        _ => return None,
    };
    // Only `q`, `Q`, `cm` and one `Do`: anything else drawn (text, lines, a
    // second image) would be lost by placing the image alone.
    let content = doc.get_and_decode_page_content(page_id).ok()?;
    let (mut scale, mut name) = ((1.0f32, 1.0f32), None);
    let mut stack = Vec::new();
    for op in &content.operations {
        match op.operator.as_str() {
            "q" => stack.push(scale),
            "Q" => scale = stack.pop()?,
            "cm" => {
                let m: Vec<f32> = op.operands.iter().map(number).collect::<Option<_>>()?;
                match m.as_slice() {
                    [a, b, c, d, _, _] if *b == 0.0 && *c == 0.0 => {
                        scale = (scale.0 * a, scale.1 * d);
                    }
                    _ => return None,
                }
            }
            "Do" if name.is_none() => {
                name = Some((op.operands.first()?.as_name().ok()?.to_vec(), scale));
            }
            _ => return None,
        }
    }
    let (name, (w, h)) = name?;
    if w.abs() < page_w * 0.9 || h.abs() < page_h * 0.9 {
        return None;
    }
    let page = doc.get_dictionary(page_id).ok()?;
    let resources = match page.get(b"Resources").ok()? {
        Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        Object::Dictionary(d) => d,
        _ => return None,
    };
    let xobjects = doc.get_dict_in_dict(resources, b"XObject").ok()?;
    let (_, image) = doc.dereference(xobjects.get(&name).ok()?).ok()?;
    let image = image.as_stream().ok()?;
    let dict = &image.dict;
    let name_of = |key: &[u8]| -> Option<Vec<u8>> {
        let (_, v) = doc.dereference(dict.get(key).ok()?).ok()?;
        match v {
            Object::Name(n) => Some(n.clone()),
            Object::Array(a) if a.len() == 1 => a[0].as_name().ok().map(<[u8]>::to_vec),
            _ => None,
        }
    };
    let plain = name_of(b"Subtype").as_deref() == Some(b"Image".as_slice())
        && name_of(b"Filter").as_deref() == Some(b"DCTDecode".as_slice())
        && matches!(
            name_of(b"ColorSpace").as_deref(),
            Some(b"DeviceRGB" | b"DeviceGray")
        )
        && dict
            .get(b"BitsPerComponent")
            .ok()
            .and_then(|o| o.as_i64().ok())
            == Some(8)
        && ![
            b"SMask".as_slice(),
            b"Mask",
            b"Decode",
            b"ImageMask",
            b"DecodeParms",
        ]
        .iter()
        .any(|key| dict.has(key));
    (plain && image.content.starts_with(&[0xFF, 0xD8, 0xFF])).then(|| image.content.clone())
}

/// The pages numbered `wanted` (0-based) of a PDF as SVG documents (white
/// background: a scan's page is paper), converted on as many threads as
/// there are cores: each thread parses the PDF for itself, as the converter's
/// document and cache are not shared between threads.
fn pdf_pages_as_svg(scan: &[u8], wanted: &[usize]) -> Result<Vec<String>, CopyError> {
    use hayro_svg::hayro_interpret::InterpreterSettings;
    use hayro_svg::hayro_syntax::Pdf;
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let data = std::sync::Arc::new(scan.to_vec());
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(wanted.len())
        .max(1);
    let chunk = wanted.len().div_ceil(threads);
    let convert = |indices: &[usize]| -> Result<Vec<String>, CopyError> {
        let pdf = Pdf::new(data.clone()).map_err(|_| CopyError::UnreadablePdf)?;
        let cache = hayro_svg::RenderCache::new();
        let settings = InterpreterSettings::default();
        let render = hayro_svg::SvgRenderSettings {
            bg_color: [255, 255, 255, 255],
        };
        let pages = pdf.pages();
        indices
            .iter()
            .map(|i| {
                pages
                    .get(*i)
                    .map(|page| hayro_svg::convert(page, &cache, &settings, &render))
                    .ok_or(CopyError::NoPages)
            })
            .collect()
    };
    let parts: Vec<Result<Vec<String>, CopyError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = wanted
            .chunks(chunk)
            .map(|indices| scope.spawn(|| convert(indices)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(CopyError::UnreadablePdf)))
            .collect()
    });
    let mut out = Vec::with_capacity(wanted.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

/// The pages of a scan, made ready to be placed in a copy: what does not
/// depend on the copy's number (the conversion of a PDF's pages is most of
/// the work of a copy), so it is done once, before the number is known.
#[derive(Debug, Clone)]
pub struct PreparedScan {
    /// The template's files of the scan's pages, in order.
    files: Vec<(String, Vec<u8>)>,
}

impl PreparedScan {
    /// Pages of the scan (an image is one page).
    pub fn pages(&self) -> usize {
        self.files.len()
    }
}

/// Checks a scan (as [`scan_pages`] does) and converts its pages for the copy.
pub fn prepare_scan(scan: &[u8], content_type: &str) -> Result<PreparedScan, CopyError> {
    let kind = scan_kind(scan, content_type)?;
    let files: Vec<(String, Vec<u8>)> = match kind {
        ScanKind::Pdf => {
            let doc = lopdf::Document::load_mem(scan).map_err(|_| CopyError::UnreadablePdf)?;
            let count = doc.get_pages().len();
            if count == 0 {
                return Err(CopyError::NoPages);
            }
            if count > SCAN_PAGES {
                return Err(CopyError::TooManyPages);
            }
            let jpegs = jpeg_pages(&doc);
            drop(doc);
            let vector: Vec<usize> = (0..jpegs.len()).filter(|i| jpegs[*i].is_none()).collect();
            let mut svgs = pdf_pages_as_svg(scan, &vector)?.into_iter();
            let mut files = Vec::with_capacity(jpegs.len());
            for (i, jpeg) in jpegs.into_iter().enumerate() {
                files.push(match jpeg {
                    Some(bytes) => (format!("/scan-{}.jpg", i + 1), bytes),
                    None => (
                        format!("/scan-{}.svg", i + 1),
                        svgs.next().ok_or(CopyError::NoPages)?.into_bytes(),
                    ),
                });
            }
            files
        }
        ScanKind::Jpeg => vec![("/scan.jpg".to_owned(), scan.to_vec())],
        ScanKind::Png => vec![("/scan.png".to_owned(), scan.to_vec())],
    };
    Ok(PreparedScan { files })
}

/// Renders the copy of one scan (a PDF of any number of pages, or one image).
pub fn electronic_copy_pdf(
    engine: &PdfEngine,
    scan: &[u8],
    content_type: &str,
    meta: &CopyMetadata,
) -> Result<RenderedCopy, CopyError> {
    render_copy(engine, &prepare_scan(scan, content_type)?, meta)
}

/// Renders the copy of a prepared scan with its certification page.
pub fn render_copy(
    engine: &PdfEngine,
    scan: &PreparedScan,
    meta: &CopyMetadata,
) -> Result<RenderedCopy, CopyError> {
    let pages: Vec<serde_json::Value> = scan
        .files
        .iter()
        .map(|(file, _)| json!({ "file": file, "page": null }))
        .collect();
    let scan_pages = pages.len();
    let pdf_a = true;
    let inputs = json!({
        "pages": pages,
        "date": { "year": meta.date.year(), "month": meta.date.month(), "day": meta.date.day() },
        "parent": meta.parent_agency,
        "agency": meta.agency,
        "number": meta.number,
        "book": meta.book,
        "place_date": crate::format::place_date(&meta.place, meta.date),
        "statement": meta.statement,
        "signer_name": meta.signer_name,
        "signer_title": meta.signer_title,
    });
    let mut doc = Document::new(CERTIFIED_COPY_TYP);
    for (file, bytes) in &scan.files {
        doc = doc.with_file(file.as_str(), bytes.as_slice());
    }
    let mut doc = doc
        .with_file("/qr.svg", qr_svg(&meta.verify_url)?)
        .with_inputs(inputs)
        .with_today(meta.date);
    if pdf_a {
        doc = doc.with_pdf_a();
    }
    let pdf = engine.render(&doc)?;
    Ok(RenderedCopy {
        pdf,
        scan_pages,
        pdf_a,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{pdf_qr_texts, pdf_text};

    fn meta() -> CopyMetadata {
        CopyMetadata {
            statement: "Chứng thực bản sao này đúng với bản chính.".into(),
            number: "15".into(),
            book: "01/2026-SCBS".into(),
            date: jiff::civil::date(2026, 3, 5),
            place: "Xã Tân Phú".into(),
            parent_agency: "UBND tỉnh Đồng Nai".into(),
            agency: "Ủy ban nhân dân xã Tân Phú".into(),
            signer_name: "Nguyễn Văn An".into(),
            signer_title: "Phó Chủ tịch".into(),
            verify_url: "https://motcua.example/xac-minh/abc123".into(),
        }
    }

    /// A scan as a PDF of `pages` pages (rendered by the engine itself).
    pub(crate) fn scan_pdf(engine: &PdfEngine, pages: usize) -> Vec<u8> {
        let source = (1..=pages)
            .map(|i| format!("Trang bản chính số {i}"))
            .collect::<Vec<_>>()
            .join("\n#pagebreak()\n");
        engine.render(&Document::new(source)).expect("scan renders")
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img =
            image::GrayImage::from_fn(width, height, |x, y| image::Luma([((x ^ y) & 0xff) as u8]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("png");
        out.into_inner()
    }

    #[test]
    fn a_pdf_scan_gives_its_pages_then_the_certification_page() {
        let engine = PdfEngine::new();
        let copy = electronic_copy_pdf(&engine, &scan_pdf(&engine, 3), "application/pdf", &meta())
            .expect("copy");
        assert_eq!(copy.scan_pages, 3);
        assert!(copy.pdf_a);
        assert!(
            String::from_utf8_lossy(&copy.pdf).contains("pdfaid:part"),
            "PDF/A identification in the XMP metadata"
        );
        let doc = lopdf::Document::load_mem(&copy.pdf).expect("pdf");
        assert_eq!(doc.get_pages().len(), 4);
        if let Some(text) = pdf_text(&copy.pdf).expect("pdftotext") {
            // The scan's pages are drawn (glyph outlines, not text), then
            // the certification page.
            assert_eq!(text.matches('\u{c}').count(), 4, "{text}");
            for needle in [
                "LỜI CHỨNG",
                "Số chứng thực: 15",
                "Quyển số: 01/2026-SCBS",
                "Nguyễn Văn An",
                "ngày 05 tháng 3 năm 2026",
            ] {
                assert!(text.contains(needle), "{needle} missing in {text}");
            }
        }
        if let Some(codes) = pdf_qr_texts(&copy.pdf).expect("qr") {
            assert!(
                codes
                    .iter()
                    .any(|c| c == "https://motcua.example/xac-minh/abc123"),
                "{codes:?}"
            );
        }
    }

    #[test]
    fn a_scanners_pdf_keeps_its_jpeg_pages_byte_for_byte() {
        let engine = PdfEngine::new();
        let scan = crate::sample_scan::scanned_pdf(3, 50);
        let copy = electronic_copy_pdf(&engine, &scan, "application/pdf", &meta()).expect("copy");
        assert_eq!(copy.scan_pages, 3);
        assert!(String::from_utf8_lossy(&copy.pdf).contains("pdfaid:part"));
        assert_eq!(
            lopdf::Document::load_mem(&copy.pdf)
                .expect("pdf")
                .get_pages()
                .len(),
            4
        );
        // Each page's JPEG is in the copy as it was scanned (not converted,
        // not re-encoded).
        for page in 0..3 {
            let jpeg = crate::sample_scan::page_jpeg(page, 50);
            assert!(
                copy.pdf.windows(jpeg.len()).any(|w| w == jpeg.as_slice()),
                "page {page}'s JPEG re-encoded"
            );
        }
        // A page with anything besides its image is converted, not cut down
        // to the image.
        let doc = lopdf::Document::load_mem(&scan_pdf(&engine, 1)).expect("pdf");
        assert_eq!(jpeg_pages(&doc), vec![None]);
    }

    #[test]
    fn an_image_scan_gives_pdf_a() {
        let engine = PdfEngine::new();
        let copy =
            electronic_copy_pdf(&engine, &png(200, 280), "image/png", &meta()).expect("copy");
        assert!(copy.pdf_a);
        assert_eq!(copy.scan_pages, 1);
        let text = String::from_utf8_lossy(&copy.pdf);
        assert!(
            text.contains("pdfaid:part"),
            "PDF/A identification in the XMP metadata"
        );
    }

    #[test]
    fn bad_uploads_are_refused_with_vietnamese_messages() {
        let engine = PdfEngine::new();
        let err =
            electronic_copy_pdf(&engine, b"GIF89a...", "image/gif", &meta()).expect_err("gif");
        assert!(matches!(err, CopyError::NotPdfOrImage));
        assert_eq!(err.to_string(), "Tệp bản chụp phải là PDF, JPEG hoặc PNG.");
        // A PNG sent as a PDF.
        assert!(matches!(
            scan_kind(&png(2, 2), "application/pdf"),
            Err(CopyError::NotPdfOrImage)
        ));
        assert!(matches!(
            scan_kind(b"", "application/pdf"),
            Err(CopyError::NoPages)
        ));
        let huge = vec![b'%'; SCAN_BYTES + 1];
        let err = scan_kind(&huge, "application/pdf").expect_err("too large");
        assert_eq!(err.to_string(), "Tệp bản chụp vượt quá 50 MB.");
        // A PDF whose page tree is empty.
        let empty = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\nxref\n0 3\n0000000000 65535 f\r\n0000000009 00000 n\r\n0000000058 00000 n\r\ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n109\n%%EOF\n";
        let err =
            electronic_copy_pdf(&engine, empty, "application/pdf", &meta()).expect_err("no page");
        assert!(
            matches!(err, CopyError::NoPages | CopyError::UnreadablePdf),
            "{err:?}"
        );
        let err = electronic_copy_pdf(&engine, b"%PDF-1.7 garbage", "application/pdf", &meta())
            .expect_err("garbage");
        assert!(
            matches!(err, CopyError::UnreadablePdf | CopyError::NoPages),
            "{err:?}"
        );
    }
}
