//! QR codes as SVG, for web pages and (as a virtual file) for PDFs.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::DocsError;

/// Smallest side of the SVG in user units (pixels on a web page). A
/// tracking URL fits in about 33 modules plus the quiet zone, so each module
/// gets at least 5 px: readable by a phone from a screen.
const MIN_SIDE: u32 = 200;

/// Encodes `text` as a QR code and draws it as a standalone SVG.
///
/// The SVG has the four-module quiet zone that scanners need, whole-unit
/// modules and `shape-rendering="crispEdges"`, so it stays sharp at any
/// scale. Error correction is level M (15 %): a printed receipt that gets
/// a fold or a stamp over a corner still scans.
///
/// To print it, pass the SVG as a file of the [`crate::Document`] and
/// place it with `#image("/qr.svg", width: 3cm)`.
pub fn qr_svg(text: &str) -> Result<String, DocsError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|err| DocsError::Qr(err.to_string()))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .min_dimensions(MIN_SIDE, MIN_SIDE)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_is_crisp_and_sized() {
        let svg =
            qr_svg("https://motcua.example/tra-cuu/H01-260305-0001").expect("short text fits");
        assert!(svg.contains("<svg"), "{svg}");
        assert!(svg.contains(r#"shape-rendering="crispEdges""#), "{svg}");
        let width: u32 = svg
            .split(r#"width=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|w| w.parse().ok())
            .expect("svg has a numeric width");
        assert!(width >= MIN_SIDE, "{width}");
    }

    #[test]
    fn too_long_text_is_an_error_not_a_panic() {
        let text = "x".repeat(10_000);
        assert!(matches!(qr_svg(&text), Err(DocsError::Qr(_))));
    }
}
