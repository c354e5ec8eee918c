//! The Typst `World`: what a template can see while it compiles.

use std::collections::HashMap;
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

use crate::{DocsError, Document, LIB_PATH, LIB_TYP};

/// Virtual path of the main file. Always the same path so that Typst's
/// global file-id interner (which never frees and holds at most 65 535 ids)
/// does not grow with every render.
const MAIN_PATH: &str = "/main.typ";

/// What every render shares: parsed once in `PdfEngine::new`.
pub(crate) struct Shared {
    pub(crate) fonts: Vec<Font>,
    book: LazyHash<FontBook>,
    lib_id: FileId,
    lib_source: Source,
}

impl Shared {
    pub(crate) fn new(fonts: Vec<Font>, book: LazyHash<FontBook>) -> Shared {
        let lib_id = file_id(LIB_PATH).expect("LIB_PATH is a valid virtual path");
        Shared {
            fonts,
            book,
            lib_id,
            lib_source: Source::new(lib_id, LIB_TYP.to_owned()),
        }
    }
}

fn file_id(path: &str) -> Result<FileId, DocsError> {
    let vpath = VirtualPath::new(path).map_err(|err| DocsError::FilePath {
        path: path.to_owned(),
        reason: err.to_string(),
    })?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// An extra file; its Typst parse is made on first use, as most extra files
/// are images that are never parsed.
struct ExtraFile {
    bytes: Bytes,
    source: OnceLock<FileResult<Source>>,
}

/// One compilation: the shared fonts plus this document's files and inputs.
pub(crate) struct RenderWorld<'a> {
    shared: &'a Shared,
    // `sys.inputs` is part of the standard library in Typst, so each render
    // with its own inputs builds its own library (about a millisecond).
    library: LazyHash<Library>,
    main: Source,
    files: HashMap<FileId, ExtraFile>,
    today: Option<jiff::civil::Date>,
    pdf_a: bool,
}

impl<'a> RenderWorld<'a> {
    pub(crate) fn new(
        shared: &'a Shared,
        doc: &Document,
        inputs: Dict,
    ) -> Result<RenderWorld<'a>, DocsError> {
        let main_id = file_id(MAIN_PATH)?;
        let mut files = HashMap::new();
        for (path, bytes) in &doc.files {
            let absolute = if path.starts_with('/') {
                path.clone()
            } else {
                format!("/{path}")
            };
            let id = file_id(&absolute)?;
            if id == main_id {
                return Err(DocsError::FilePath {
                    path: path.clone(),
                    reason: "reserved for the main source".to_owned(),
                });
            }
            files.insert(
                id,
                ExtraFile {
                    bytes: Bytes::new(bytes.clone()),
                    source: OnceLock::new(),
                },
            );
        }
        Ok(RenderWorld {
            shared,
            library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
            main: Source::new(main_id, doc.source.clone()),
            files,
            today: doc.today,
            pdf_a: doc.pdf_a,
        })
    }

    pub(crate) fn compile_pdf(&self) -> Result<Vec<u8>, DocsError> {
        let warned = typst::compile::<PagedDocument>(self);
        let document = warned
            .output
            .map_err(|errors| DocsError::Template(self.describe(&errors)))?;
        let options = typst_pdf::PdfOptions {
            // A fixed identifier keeps the output byte-for-byte reproducible.
            ident: typst::foundations::Smart::Custom("motcua".to_owned()),
            standards: if self.pdf_a {
                typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_2b])
                    .map_err(|err| DocsError::Export(vec![format!("{err:?}")]))?
            } else {
                typst_pdf::PdfStandards::default()
            },
            ..typst_pdf::PdfOptions::default()
        };
        typst_pdf::pdf(&document, &options)
            .map_err(|errors| DocsError::Export(self.describe(&errors)))
    }

    /// Typst's errors as "path:line:col: message (hint: ...)" lines.
    fn describe(&self, diagnostics: &[SourceDiagnostic]) -> Vec<String> {
        diagnostics
            .iter()
            .filter(|diag| diag.severity == Severity::Error)
            .map(|diag| {
                let mut line = match self.locate(diag) {
                    Some(place) => format!("{place}: {}", diag.message),
                    None => diag.message.to_string(),
                };
                for hint in &diag.hints {
                    line.push_str(&format!(" (hint: {})", hint.v));
                }
                line
            })
            .collect()
    }

    fn locate(&self, diag: &SourceDiagnostic) -> Option<String> {
        let id = diag.span.id()?;
        let path = id.vpath().get_with_slash().to_owned();
        let Some(range) = self.range(diag.span) else {
            return Some(path);
        };
        let source = self.source(id).ok()?;
        match source.lines().byte_to_line_column(range.start) {
            Some((line, column)) => Some(format!("{path}:{}:{}", line + 1, column + 1)),
            None => Some(path),
        }
    }
}

impl World for RenderWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        if let Some(file) = self.files.get(&id) {
            return file
                .source
                .get_or_init(|| {
                    let text = std::str::from_utf8(file.bytes.as_slice())
                        .map_err(|_| FileError::InvalidUtf8)?;
                    Ok(Source::new(id, text.to_owned()))
                })
                .clone();
        }
        if id == self.shared.lib_id {
            return Ok(self.shared.lib_source.clone());
        }
        Err(not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        if let Some(file) = self.files.get(&id) {
            return Ok(file.bytes.clone());
        }
        if id == self.shared.lib_id {
            return Ok(Bytes::from_string(self.shared.lib_source.clone()));
        }
        Err(not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The caller already chose the date in the commune's time zone; an
        // offset asked by the template is not applied on top of it.
        let today = self.today?;
        Datetime::from_ymd(
            i32::from(today.year()),
            u8::try_from(today.month()).ok()?,
            u8::try_from(today.day()).ok()?,
        )
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}
