//! Printed documents of motcua: receipts, procedure posters, certified
//! extracts and reports as PDF, QR codes, and the formatting conventions of
//! Vietnamese official papers.
//!
//! # Rendering
//!
//! Documents are [Typst](https://typst.app) templates compiled in-process by
//! [`PdfEngine`]. Build the engine once (it parses the embedded fonts) and
//! share it behind an [`std::sync::Arc`]; [`PdfEngine::render`] takes `&self`
//! and may run on many threads at once.
//!
//! # Data goes in through `sys.inputs`, never into the markup
//!
//! A template is trusted markup written by us. Everything that comes from a
//! citizen or an officer (names, addresses, reasons) goes into
//! [`Document::inputs`], a JSON object whose keys become the Typst dictionary
//! `sys.inputs`. JSON values map to Typst values as: object → dictionary,
//! array → array, string → string, integer → int, other number → float,
//! bool → bool, null → none. In the template write `#sys.inputs.citizen.name`
//! (a string is always printed literally, so a name such as `Nguyễn #Văn
//! [Đức]*` cannot inject markup). Building the markup with `format!` would be
//! an injection hole; don't.
//!
//! # Files
//!
//! The template can read the extra files of [`Document::files`] by absolute
//! path (`image("/qr.svg")`, `#import "/x.typ"`) and the built-in library
//! [`LIB_PATH`] (`#import "/motcua/lib.typ": *`), which holds the official
//! header block and page set-up shared by every paper. Nothing on disk is
//! reachable and there are no Typst packages.

pub mod catalogue;
pub mod certification;
pub mod certified_copy;
pub mod charts;
pub mod civil_extract;
pub mod format;
pub mod forms;
mod inputs;
pub mod poster;
mod qr;
pub mod registers;
pub mod reports;
#[cfg(feature = "sample-scan")]
pub mod sample_scan;
#[cfg(feature = "testing")]
pub mod testing;
mod world;

use std::sync::Arc;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

pub use poster::poster_pdf;
pub use qr::qr_svg;

/// Virtual path of the shared template library (official header block, page
/// set-up), importable by every document as `#import "/motcua/lib.typ": *`.
pub const LIB_PATH: &str = "/motcua/lib.typ";

/// Source of [`LIB_PATH`].
pub const LIB_TYP: &str = include_str!("../templates/lib.typ");

/// A sample paper that shows the header block; also what the tests and the
/// speed measurement render. Expects `sys.inputs` as in its comment header.
pub const SAMPLE_TYP: &str = include_str!("../templates/sample.typ");

/// The embedded fonts: SIL OFL 1.1 (fonts/OFL.txt), so that a fresh machine
/// without any installed fonts prints the same Vietnamese text.
const FONT_FILES: &[&[u8]] = &[
    include_bytes!("../fonts/NotoSerif-Regular.ttf"),
    include_bytes!("../fonts/NotoSerif-Bold.ttf"),
    include_bytes!("../fonts/NotoSerif-Italic.ttf"),
    include_bytes!("../fonts/NotoSerif-BoldItalic.ttf"),
    include_bytes!("../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../fonts/NotoSans-Bold.ttf"),
];

/// Font families available to templates.
pub const FONT_SERIF: &str = "Noto Serif";
/// Font families available to templates.
pub const FONT_SANS: &str = "Noto Sans";

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    /// The template did not compile or lay out; one line per Typst error,
    /// with file, line and column where known.
    #[error("template error: {}", .0.join("; "))]
    Template(Vec<String>),
    /// The finished document could not be written as PDF.
    #[error("PDF export failed: {}", .0.join("; "))]
    Export(Vec<String>),
    /// `Document::inputs` must be a JSON object (or null).
    #[error("document inputs must be a JSON object, got {0}")]
    Inputs(&'static str),
    /// A path in `Document::files` is not a valid virtual path.
    #[error("invalid file path {path:?}: {reason}")]
    FilePath { path: String, reason: String },
    /// Typst panicked (a bug in Typst, or more than 65 535 distinct file
    /// paths in one process).
    #[error("internal error while rendering: {0}")]
    Internal(String),
    /// The text does not fit in a QR code.
    #[error("cannot encode QR code: {0}")]
    Qr(String),
    /// A layout or other data given to a document is not usable.
    #[error("invalid document input: {0}")]
    Input(String),
}

/// One document to render.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Typst markup of the main file (trusted: written by us, not by users).
    pub source: String,
    /// Extra files the template may read, by absolute virtual path
    /// (`"/qr.svg"`; a path without a leading slash is taken from the root
    /// too). A path equal to [`LIB_PATH`] replaces the built-in library.
    ///
    /// Use fixed names (`/qr.svg`, `/photo.png`), not per-document ones:
    /// Typst interns every path for the life of the process and panics
    /// after 65 535 distinct ones.
    pub files: Vec<(String, Vec<u8>)>,
    /// Untrusted data, visible to the template as `sys.inputs` (a JSON
    /// object, or null for none).
    pub inputs: serde_json::Value,
    /// What `datetime.today()` returns in the template: the caller decides
    /// "today" (in Asia/Ho_Chi_Minh) so that rendering never reads a clock.
    /// With `None`, `datetime.today()` is a template error.
    pub today: Option<jiff::civil::Date>,
    /// Write PDF/A-2b (archival: fonts embedded, XMP metadata, no embedded
    /// PDF pages; the template must set `document(date: ..)`).
    pub pdf_a: bool,
}

impl Document {
    /// A document with the given main markup and nothing else.
    pub fn new(source: impl Into<String>) -> Self {
        Document {
            source: source.into(),
            ..Document::default()
        }
    }

    /// Adds an extra file at a virtual path.
    pub fn with_file(mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.push((path.into(), bytes.into()));
        self
    }

    /// Sets the untrusted data seen as `sys.inputs`.
    pub fn with_inputs(mut self, inputs: serde_json::Value) -> Self {
        self.inputs = inputs;
        self
    }

    /// Asks for PDF/A-2b output.
    pub fn with_pdf_a(mut self) -> Self {
        self.pdf_a = true;
        self
    }

    /// Sets what `datetime.today()` returns.
    pub fn with_today(mut self, today: jiff::civil::Date) -> Self {
        self.today = Some(today);
        self
    }
}

/// Compiles Typst documents to PDF with the embedded fonts.
///
/// Cheap to share: wrap it in an `Arc` and call [`PdfEngine::render`] from
/// any thread.
pub struct PdfEngine {
    shared: Arc<world::Shared>,
}

impl PdfEngine {
    /// Parses the embedded fonts and the built-in library; do it once per
    /// process.
    pub fn new() -> PdfEngine {
        let fonts: Vec<Font> = FONT_FILES
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .collect();
        let book = LazyHash::new(FontBook::from_fonts(&fonts));
        PdfEngine {
            shared: Arc::new(world::Shared::new(fonts, book)),
        }
    }

    /// Family names of the fonts the engine can print with.
    pub fn font_families(&self) -> Vec<String> {
        let mut families: Vec<String> = self
            .shared
            .fonts
            .iter()
            .map(|font| font.info().family.clone())
            .collect();
        families.dedup();
        families
    }

    /// Renders one document to PDF bytes.
    ///
    /// The output is deterministic: the same document gives the same bytes
    /// (no creation time is written unless the template sets
    /// `document(date: ..)`).
    pub fn render(&self, doc: &Document) -> Result<Vec<u8>, DocsError> {
        let inputs = inputs::to_dict(&doc.inputs)?;
        let world = world::RenderWorld::new(&self.shared, doc, inputs)?;
        // A bug inside Typst must cost one document, not a server thread.
        let result = catch_panic(|| world.compile_pdf());
        // Typst memoises across compilations in a process-wide cache; without
        // eviction a long-running server would keep every past document's
        // layout. Entries unused for a few renders are dropped; the fonts and
        // the parsed library stay in `Shared`, so warm renders stay fast.
        typst::comemo::evict(EVICT_AFTER_RENDERS);
        result
    }
}

fn catch_panic(render: impl FnOnce() -> Result<Vec<u8>, DocsError>) -> Result<Vec<u8>, DocsError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(render)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(DocsError::Internal(message))
    })
}

/// How many renders an unused cache entry survives (see `render`). Two, not more:
/// twenty hundred-paper receipts at once kept about 100 MB more with ten, and
/// rendered no faster (docs/benchmarks.md, "Memory after maximum-size anonymous
/// submissions").
const EVICT_AFTER_RENDERS: usize = 2;

impl Default for PdfEngine {
    fn default() -> Self {
        PdfEngine::new()
    }
}

impl std::fmt::Debug for PdfEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfEngine")
            .field("fonts", &self.shared.fonts.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<PdfEngine>();
    }

    #[test]
    fn engine_knows_the_embedded_families() {
        let engine = PdfEngine::new();
        let families = engine.font_families();
        assert!(families.iter().any(|f| f == FONT_SERIF), "{families:?}");
        assert!(families.iter().any(|f| f == FONT_SANS), "{families:?}");
    }
}
