//! The bounds of what one request may carry, in one place.
//!
//! Each bound is far above what a real dossier reaches (the longest procedure
//! name of the national catalogue is under 400 characters; a commune's dossier
//! has a handful of papers and files), and far below what would let one request
//! cost the server seconds or gigabytes: rendering a receipt, storing a dossier and
//! listing it stay bounded because every text, list and number in them is.
//! The use cases check these (so pages, the API and the command line all get them,
//! each with a Vietnamese message naming the field); the web layer's body limits
//! follow from them.

/// A person's full name (applicant, someone acting for them, a collector).
pub const NAME_CHARS: usize = 100;
/// A postal address.
pub const ADDRESS_CHARS: usize = 300;
/// An e-mail address (RFC 5321's path limit).
pub const EMAIL_CHARS: usize = 254;
/// A code or a short value: procedure, agency, channel, return method, exemption,
/// date, phone, personal id, username, receipt and tracking numbers.
pub const SHORT_CHARS: usize = 64;
/// The name of a paper received or missing, or of a result.
pub const DOCUMENT_NAME_CHARS: usize = 500;
/// A note or a reason written in words (several lines allowed).
pub const FREE_TEXT_CHARS: usize = 2_000;
/// A file's name as sent.
pub const FILE_NAME_CHARS: usize = 255;
/// A file's declared content type.
pub const CONTENT_TYPE_CHARS: usize = 127;

/// Papers listed on one dossier.
pub const DOCUMENTS: usize = 100;
/// Originals, certified copies or photocopies of one paper.
pub const DOCUMENT_COPIES: u16 = 100;
/// Items listed as missing in one supplement request.
pub const MISSING_ITEMS: usize = 50;
/// Results attached to one dossier.
pub const RESULTS: u32 = 20;
/// Sets of the dossier received.
pub const SETS: u16 = 20;
/// Pages, for fees by page (a certified copy of a thick register extract).
pub const PAGES: u32 = 10_000;
/// Copies, for fees by copy.
pub const COPIES: u32 = 1_000;

/// What an administrator may write into one procedure of the catalogue: far
/// above the national catalogue's largest procedure (a dozen papers, three fees,
/// eight steps), far below what would make every intake form and poster heavy.
pub const PROCEDURE_DOCUMENTS: usize = 100;
/// Fees of one procedure.
pub const PROCEDURE_FEES: usize = 20;
/// Page tiers of one fee by page.
pub const FEE_TIERS: usize = 10;
/// One amount of a fee, in đồng (a fee × pages × copies stays far inside `i64`).
pub const FEE_AMOUNT: i64 = 100_000_000_000;
/// Results a procedure names.
pub const PROCEDURE_RESULTS: usize = 20;
/// Workflow steps of one procedure.
pub const PROCEDURE_STEPS: usize = 50;
/// Procedures linked to one procedure.
pub const LINKED_PROCEDURES: usize = 20;

/// One file (a scan, a result).
pub const FILE_BYTES: usize = 10 * 1024 * 1024;
/// Files sent with one counter intake.
pub const FILES: usize = 20;
/// All files of one counter intake together.
pub const FILES_TOTAL_BYTES: usize = 30 * 1024 * 1024;
/// Files sent with one online submission: no one is signed in, so far less.
pub const ONLINE_FILES: usize = 5;
/// All files of one online submission together.
pub const ONLINE_FILES_TOTAL_BYTES: usize = 5 * 1024 * 1024;

/// `n` bytes as people read it: whole megabytes.
pub fn megabytes(n: usize) -> usize {
    n / (1024 * 1024)
}

/// The scan of an original sent for an electronic certified copy: a 300 dpi
/// colour scan is about 1 MB a page, so this takes a fifty-page register
/// extract with room to spare.
pub const SCAN_BYTES: usize = 50 * 1024 * 1024;
/// Pages of the scan of an original.
pub const SCAN_PAGES: usize = 500;
