//! Reading printed PDFs back, for tests here and in other crates.
//!
//! These shell out to poppler-utils (`pdftoppm`, `pdftotext`, `pdffonts`;
//! Debian package `poppler-utils`). Each function returns `Ok(None)` when its
//! tool is not installed so that a test can print why it skipped instead of
//! failing on a machine without poppler.

use std::io::Write;
use std::path::Path;
use std::process::Command;

/// Resolution for rasterising: at 150 dpi a 2.5 cm QR code of a tracking
/// URL gets about 4 pixels per module, enough for the decoder.
const RASTER_DPI: &str = "150";

/// Whether a command-line tool can be run.
pub fn tool_available(tool: &str) -> bool {
    Command::new(tool)
        .arg("-v")
        .output()
        .map(|out| out.status.success() || !out.stderr.is_empty())
        .unwrap_or(false)
}

fn write_temp_pdf(dir: &Path, pdf: &[u8]) -> Result<std::path::PathBuf, String> {
    let path = dir.join("doc.pdf");
    let mut file = std::fs::File::create(&path).map_err(|e| e.to_string())?;
    file.write_all(pdf).map_err(|e| e.to_string())?;
    Ok(path)
}

fn run(cmd: &mut Command) -> Result<Vec<u8>, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

/// Text of the PDF as `pdftotext` reads it (UTF-8, pages separated by a
/// form feed).
pub fn pdf_text(pdf: &[u8]) -> Result<Option<String>, String> {
    if !tool_available("pdftotext") {
        return Ok(None);
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = write_temp_pdf(dir.path(), pdf)?;
    let out = run(Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-"))?;
    String::from_utf8(out).map(Some).map_err(|e| e.to_string())
}

/// The `pdffonts` table of the PDF (one line per embedded font).
pub fn pdf_fonts(pdf: &[u8]) -> Result<Option<String>, String> {
    if !tool_available("pdffonts") {
        return Ok(None);
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = write_temp_pdf(dir.path(), pdf)?;
    let out = run(Command::new("pdffonts").arg(&path))?;
    String::from_utf8(out).map(Some).map_err(|e| e.to_string())
}

/// Texts of all QR codes found on all pages, page by page.
pub fn pdf_qr_texts(pdf: &[u8]) -> Result<Option<Vec<String>>, String> {
    if !tool_available("pdftoppm") {
        return Ok(None);
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = write_temp_pdf(dir.path(), pdf)?;
    run(Command::new("pdftoppm")
        .args(["-png", "-r", RASTER_DPI])
        .arg(&path)
        .arg(dir.path().join("page")))?;
    let mut pages: Vec<_> = std::fs::read_dir(dir.path())
        .map_err(|e| e.to_string())?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "png"))
        .collect();
    // pdftoppm numbers pages with zero padding, so names sort in page order.
    pages.sort();
    let mut texts = Vec::new();
    for page in pages {
        let image = image::open(&page).map_err(|e| format!("{}: {e}", page.display()))?;
        texts.extend(decode_qr_codes(&image.to_luma8())?);
    }
    Ok(Some(texts))
}

/// Texts of all QR codes in a greyscale image.
pub fn decode_qr_codes(image: &image::GrayImage) -> Result<Vec<String>, String> {
    let mut prepared = rqrr::PreparedImage::prepare(image.clone());
    prepared
        .detect_grids()
        .into_iter()
        .map(|grid| {
            grid.decode()
                .map(|(_meta, text)| text)
                .map_err(|e| format!("QR found but not decodable: {e}"))
        })
        .collect()
}

/// A PNG "scan" of `width` × `height` pixels (a grey pattern), for tests that
/// upload an image.
pub fn sample_png(width: u32, height: u32) -> Vec<u8> {
    let img =
        image::GrayImage::from_fn(width, height, |x, y| image::Luma([((x ^ y) & 0xff) as u8]));
    let mut out = std::io::Cursor::new(Vec::new());
    // Encoding an in-memory image into a Vec cannot fail for a valid size.
    let _ = img.write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

/// A PDF "scan" of `pages` pages, each saying "Trang bản chính số N".
pub fn sample_scan_pdf(engine: &crate::PdfEngine, pages: usize) -> Result<Vec<u8>, String> {
    let source = (1..=pages)
        .map(|i| format!("Trang bản chính số {i}"))
        .collect::<Vec<_>>()
        .join("\n#pagebreak()\n");
    engine
        .render(&crate::Document::new(source))
        .map_err(|e| e.to_string())
}
