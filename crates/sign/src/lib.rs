//! PDF signatures of motcua.
//!
//! [`sign_pdf`] appends an incremental update to a finished PDF (a signature
//! field with an invisible widget on the first page and a `/Sig` dictionary)
//! and fills its `/Contents` with a detached CMS `SignedData` (SHA-256, signed
//! attributes content-type, message-digest and signing-time, the signer's
//! certificate and chain embedded) over the `/ByteRange`: what Adobe Reader,
//! poppler's `pdfsig` and the Vietnamese verification tools check
//! (`/SubFilter /adbe.pkcs7.detached`).
//!
//! The private key stays behind a [`Signer`]: a PKCS#12 file
//! ([`Pkcs12Signer`]) or a PKCS#11 token ([`Pkcs11Signer`], how Vietnamese USB
//! signing tokens work). [`DemoCa`] creates a certificate authority and one
//! signing identity per user on first use, so that a fresh installation signs
//! out of the box; docs/signing.md says how to use a real CA's certificate.

mod ca;
mod cms_build;
mod pdf;
mod pkcs11;
mod signer;
#[cfg(any(test, feature = "softhsm-testing"))]
pub mod softhsm;

pub use ca::DemoCa;
pub use pdf::{sign_pdf, SignOptions};
pub use pkcs11::{Pkcs11Config, Pkcs11Signer};
pub use signer::{Pkcs12Signer, Signer};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The input is not a PDF this crate can update (unreadable structure,
    /// no catalog, no page).
    #[error("cannot read the PDF to sign: {0}")]
    Pdf(String),
    /// The key store (PKCS#12 file, its password) could not be used.
    #[error("cannot use the key store: {0}")]
    KeyStore(String),
    /// The PKCS#11 module, slot, PIN or key could not be used.
    #[error("PKCS#11 token error: {0}")]
    Token(String),
    /// A certificate could not be read or built.
    #[error("certificate error: {0}")]
    Certificate(String),
    /// The private key operation failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// Reading or writing the demo CA's files failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl SignError {
    fn io(path: &std::path::Path, source: std::io::Error) -> SignError {
        SignError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
