//! A signer whose key never leaves a PKCS#11 token.
//!
//! Vietnamese signing certificates (VNPT-CA, Viettel-CA, BkavCA, ...) come on
//! USB tokens driven by a vendor PKCS#11 module; the key is used by opening a
//! session on the token and logging in with the user PIN. SoftHSM2 speaks the
//! same interface, which is how the tests run it.

use std::path::PathBuf;
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;

use crate::{SignError, Signer};

/// Where the key is and how to open it.
#[derive(Clone)]
pub struct Pkcs11Config {
    /// The vendor's module (`/usr/lib/softhsm/libsofthsm2.so`,
    /// `/usr/lib/libvnptca_p11.so`, ...).
    pub module: PathBuf,
    /// The token's label; `None` takes the first slot with a token.
    pub token_label: Option<String>,
    /// The user PIN.
    pub pin: String,
    /// The private key's label; `None` takes the first private key that has
    /// a certificate with the same `CKA_ID`.
    pub key_label: Option<String>,
    /// Issuer certificates (DER) to embed when the token holds only the
    /// signer's own certificate.
    pub extra_chain: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Pkcs11Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Config")
            .field("module", &self.module)
            .field("token_label", &self.token_label)
            .field("key_label", &self.key_label)
            .finish_non_exhaustive()
    }
}

/// A logged-in session on a token, holding the key and the chain read from it.
pub struct Pkcs11Signer {
    // One session, used by one signature at a time: a PKCS#11 session is not
    // safe to share between threads, and a USB token signs serially anyway.
    session: Mutex<Session>,
    key: ObjectHandle,
    chain: Vec<Vec<u8>>,
    // Kept last so the session closes before the library is finalised.
    _context: Pkcs11,
}

fn token_err(err: impl std::fmt::Display) -> SignError {
    SignError::Token(err.to_string())
}

impl Pkcs11Signer {
    /// Loads the module, finds the token, logs in and finds the key and its
    /// certificate.
    pub fn open(config: &Pkcs11Config) -> Result<Pkcs11Signer, SignError> {
        let context = Pkcs11::new(&config.module).map_err(|err| {
            SignError::Token(format!("cannot load {}: {err}", config.module.display()))
        })?;
        match context.initialize(CInitializeArgs::OsThreads) {
            Ok(()) => {}
            // Another signer of this process already initialised the module.
            Err(cryptoki::error::Error::Pkcs11(
                cryptoki::error::RvError::CryptokiAlreadyInitialized,
                _,
            )) => {}
            Err(err) => return Err(token_err(err)),
        }
        let mut chosen = None;
        for slot in context.get_slots_with_token().map_err(token_err)? {
            let info = context.get_token_info(slot).map_err(token_err)?;
            let wanted = match &config.token_label {
                Some(label) => info.label().trim_end() == label.as_str(),
                None => true,
            };
            if wanted {
                chosen = Some(slot);
                break;
            }
        }
        let slot = chosen.ok_or_else(|| {
            SignError::Token(match &config.token_label {
                Some(label) => format!("no token labelled {label:?}"),
                None => "no token present".into(),
            })
        })?;
        let session = context.open_ro_session(slot).map_err(token_err)?;
        session
            .login(UserType::User, Some(&AuthPin::from(config.pin.clone())))
            .map_err(|err| SignError::Token(format!("login refused: {err}")))?;

        let mut template = vec![Attribute::Class(ObjectClass::PRIVATE_KEY)];
        if let Some(label) = &config.key_label {
            template.push(Attribute::Label(label.as_bytes().to_vec()));
        }
        let keys = session.find_objects(&template).map_err(token_err)?;
        let certs = session
            .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
            .map_err(token_err)?;
        let mut cert_values: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for cert in certs {
            let mut id = Vec::new();
            let mut value = Vec::new();
            for attribute in session
                .get_attributes(cert, &[AttributeType::Id, AttributeType::Value])
                .map_err(token_err)?
            {
                match attribute {
                    Attribute::Id(bytes) => id = bytes,
                    Attribute::Value(bytes) => value = bytes,
                    _ => {}
                }
            }
            if !value.is_empty() {
                cert_values.push((id, value));
            }
        }
        let mut found = None;
        for key in keys {
            let id = session
                .get_attributes(key, &[AttributeType::Id])
                .map_err(token_err)?
                .into_iter()
                .find_map(|attribute| match attribute {
                    Attribute::Id(bytes) => Some(bytes),
                    _ => None,
                })
                .unwrap_or_default();
            if let Some(position) = cert_values.iter().position(|(cert_id, _)| *cert_id == id) {
                found = Some((key, position));
                break;
            }
        }
        let (key, leaf) = found.ok_or_else(|| {
            SignError::Token("no private key with a matching certificate on the token".into())
        })?;
        // The signer's certificate first, then the token's other
        // certificates (its CA chain, if the vendor put it there), then what
        // the configuration adds.
        let mut chain = vec![cert_values[leaf].1.clone()];
        for (i, (_, value)) in cert_values.iter().enumerate() {
            if i != leaf {
                chain.push(value.clone());
            }
        }
        for der in &config.extra_chain {
            if !chain.contains(der) {
                chain.push(der.clone());
            }
        }
        Ok(Pkcs11Signer {
            session: Mutex::new(session),
            key,
            chain,
            _context: context,
        })
    }
}

impl Signer for Pkcs11Signer {
    fn certificate_chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let session = self
            .session
            .lock()
            .map_err(|_| SignError::Token("the token session was poisoned".into()))?;
        // CKM_SHA256_RSA_PKCS: the token hashes and pads; every token sold in
        // Vietnam supports it.
        session
            .sign(&Mechanism::Sha256RsaPkcs, self.key, message)
            .map_err(token_err)
    }
}

impl std::fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("chain", &self.chain.len())
            .finish_non_exhaustive()
    }
}
