//! The signed electronic certified copy: the docs crate renders it, the sign
//! crate signs it. A plain function for now; the certification use case
//! calls it inside its handle and records the number, hash and signer.

use motcua_docs::certified_copy::{
    prepare_scan, render_copy, CopyError, CopyMetadata, PreparedScan,
};
use motcua_docs::PdfEngine;
use motcua_sign::{sign_pdf, SignError, SignOptions, Signer};
use sha2::{Digest, Sha256};

/// A signed copy, ready to store and hand out.
#[derive(Debug, Clone)]
pub struct SignedCopy {
    pub pdf: Vec<u8>,
    /// SHA-256 of `pdf`: what the verification page shows.
    pub sha256: [u8; 32],
    /// Pages of the scan (the certification page not counted).
    pub pages: usize,
    /// Whether the copy is PDF/A-2b (always, since PDF scans are converted).
    pub pdf_a: bool,
}

/// Why no signed copy came out.
#[derive(Debug, thiserror::Error)]
pub enum SignedCopyError {
    /// The upload is refused (message in Vietnamese, for the officer).
    #[error(transparent)]
    Scan(#[from] CopyError),
    /// The key or token failed.
    #[error(transparent)]
    Sign(#[from] SignError),
}

impl From<SignedCopyError> for crate::Error {
    fn from(err: SignedCopyError) -> crate::Error {
        match err {
            SignedCopyError::Scan(CopyError::Render(inner)) => {
                crate::Error::internal("rendering the certified copy", inner)
            }
            SignedCopyError::Scan(refused) => crate::Error::field("scan", refused.to_string()),
            SignedCopyError::Sign(inner) => {
                crate::Error::internal("signing the certified copy", inner)
            }
        }
    }
}

/// Renders the copy of `scan` with its certification page and signs it as
/// `signer` at `time`.
pub fn produce_signed_copy(
    engine: &PdfEngine,
    scan: &[u8],
    content_type: &str,
    meta: &CopyMetadata,
    signer: &dyn Signer,
    time: jiff::Timestamp,
) -> Result<SignedCopy, SignedCopyError> {
    let scan = prepare_scan(scan, content_type)?;
    sign_prepared_copy(engine, &scan, meta, signer, time)
}

/// [`produce_signed_copy`] of a scan whose pages were prepared earlier.
pub fn sign_prepared_copy(
    engine: &PdfEngine,
    scan: &PreparedScan,
    meta: &CopyMetadata,
    signer: &dyn Signer,
    time: jiff::Timestamp,
) -> Result<SignedCopy, SignedCopyError> {
    let copy = render_copy(engine, scan, meta)?;
    let pdf = sign_pdf(
        &copy.pdf,
        signer,
        &SignOptions {
            name: meta.signer_name.clone(),
            reason: format!("Chứng thực bản sao từ bản chính, số {}", meta.number),
            location: meta.agency.clone(),
            time,
        },
    )?;
    let sha256 = Sha256::digest(&pdf).into();
    Ok(SignedCopy {
        pdf,
        sha256,
        pages: copy.scan_pages,
        pdf_a: copy.pdf_a,
    })
}
