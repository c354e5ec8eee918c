//! Who holds the private key.

use std::path::Path;

use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer as _};
use rsa::RsaPrivateKey;
use sha2::Sha256;

use crate::SignError;

/// A signing identity: an RSA private key (wherever it lives) and its
/// certificate chain.
///
/// Only RSA with PKCS#1 v1.5 and SHA-256 (`sha256WithRSAEncryption`): what
/// the Vietnamese public CAs issue on USB tokens and what every PDF reader
/// verifies.
pub trait Signer: Send + Sync {
    /// DER certificates: the signer's first, then its issuers up to (and
    /// optionally including) the root.
    fn certificate_chain(&self) -> &[Vec<u8>];

    /// Signs `message` (the DER of the CMS signed attributes): SHA-256 over
    /// it, then RSA PKCS#1 v1.5. Returns the raw signature.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// A signer whose key and chain come from a PKCS#12 (`.p12`/`.pfx`) file.
pub struct Pkcs12Signer {
    key: SigningKey<Sha256>,
    chain: Vec<Vec<u8>>,
}

impl Pkcs12Signer {
    /// Reads the first private key and its chain from a PKCS#12 file.
    pub fn open(path: &Path, password: &str) -> Result<Pkcs12Signer, SignError> {
        let bytes = std::fs::read(path).map_err(|err| SignError::io(path, err))?;
        Pkcs12Signer::from_pkcs12(&bytes, password)
    }

    /// Reads the first private key and its chain from PKCS#12 bytes.
    pub fn from_pkcs12(bytes: &[u8], password: &str) -> Result<Pkcs12Signer, SignError> {
        let store = p12_keystore::KeyStore::from_pkcs12(bytes, password)
            .map_err(|err| SignError::KeyStore(err.to_string()))?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| SignError::KeyStore("no private key in the PKCS#12 file".into()))?;
        let key = RsaPrivateKey::from_pkcs8_der(chain.key())
            .map_err(|err| SignError::KeyStore(format!("not an RSA key: {err}")))?;
        let chain: Vec<Vec<u8>> = chain
            .chain()
            .iter()
            .map(|cert| cert.as_der().to_vec())
            .collect();
        if chain.is_empty() {
            return Err(SignError::KeyStore(
                "no certificate in the PKCS#12 file".into(),
            ));
        }
        Ok(Pkcs12Signer::from_key(key, chain))
    }

    /// A signer from a key in memory (the demo CA, tests).
    pub fn from_key(key: RsaPrivateKey, chain: Vec<Vec<u8>>) -> Pkcs12Signer {
        Pkcs12Signer {
            key: SigningKey::<Sha256>::new(key),
            chain,
        }
    }
}

impl Signer for Pkcs12Signer {
    fn certificate_chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let signature = self
            .key
            .try_sign(message)
            .map_err(|err| SignError::Signing(err.to_string()))?;
        Ok(signature.to_vec())
    }
}

impl std::fmt::Debug for Pkcs12Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs12Signer")
            .field("chain", &self.chain.len())
            .finish_non_exhaustive()
    }
}
