//! A scan as a scanner writes it: a PDF whose every page is one JPEG image
//! drawn over the whole A4 page (`q W 0 0 H 0 0 cm /Im0 Do Q`), for the
//! signing benchmark and tests of the copy's JPEG path.

use lopdf::{dictionary, Document, Object, Stream};

/// A4 in points.
const A4: (f32, f32) = (595.276, 841.89);

/// A grey A4 page at `dpi`, with printed-looking bands and a page-dependent
/// pattern, as a baseline JPEG of quality 75.
pub fn page_jpeg(page: usize, dpi: u32) -> Vec<u8> {
    let w = (A4.0 / 72.0 * dpi as f32) as u32;
    let h = (A4.1 / 72.0 * dpi as f32) as u32;
    let img = image::GrayImage::from_fn(w, h, |x, y| {
        let line = (y / (dpi / 6).max(1)).is_multiple_of(2) && x % 97 > 10 + (page as u32 * 7) % 40;
        let speck = (x.wrapping_mul(31) ^ y.wrapping_mul(17) ^ page as u32).is_multiple_of(23);
        image::Luma([if line {
            40
        } else if speck {
            200
        } else {
            245
        }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75);
    img.write_with_encoder(encoder)
        .expect("encoding an in-memory image cannot fail");
    out.into_inner()
}

/// A PDF of `pages` scanned pages at `dpi` (grey JPEGs).
pub fn scanned_pdf(pages: usize, dpi: u32) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for p in 0..pages.max(1) {
        let jpeg = page_jpeg(p, dpi);
        let w = (A4.0 / 72.0 * dpi as f32) as i64;
        let h = (A4.1 / 72.0 * dpi as f32) as i64;
        let image = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => w,
                "Height" => h,
                "ColorSpace" => "DeviceGray",
                "BitsPerComponent" => 8,
                "Filter" => "DCTDecode",
            },
            jpeg,
        ));
        let content = format!("q {} 0 0 {} 0 0 cm /Im0 Do Q", A4.0, A4.1);
        let content = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(A4.0), Object::Real(A4.1)],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image } },
            "Contents" => content,
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .expect("writing a PDF to memory cannot fail");
    out
}
