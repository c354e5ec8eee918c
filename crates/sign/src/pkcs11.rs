//! A signer whose key never leaves a PKCS#11 token.
//!
//! Vietnamese signing certificates (VNPT-CA, Viettel-CA, BkavCA, ...) come on
//! USB tokens driven by a vendor PKCS#11 module; the key is used by opening a
//! session on the token and logging in with the user PIN. SoftHSM2 speaks the
//! same interface, which is how the tests run it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

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
}

/// The module of `path`, loaded and initialised once for the whole process.
///
/// `C_Finalize` is process-wide: a signer owning its own handle would
/// finalise the module when dropped and pull it from under every other
/// signer (their next signature failing with "not initialised"). The
/// handles here are kept until the process ends, so the module is never
/// finalised while a signer may use it.
pub(crate) fn module(path: &Path) -> Result<Pkcs11, SignError> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut modules = MODULES
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| SignError::Token("the module registry was poisoned".into()))?;
    if let Some(context) = modules.get(path) {
        return Ok(context.clone());
    }
    let context = Pkcs11::new(path)
        .map_err(|err| SignError::Token(format!("cannot load {}: {err}", path.display())))?;
    match context.initialize(CInitializeArgs::OsThreads) {
        Ok(()) => {}
        // Initialised by another library of this process (not through here).
        Err(cryptoki::error::Error::Pkcs11(
            cryptoki::error::RvError::CryptokiAlreadyInitialized,
            _,
        )) => {}
        Err(err) => return Err(token_err(err)),
    }
    modules.insert(path.to_owned(), context.clone());
    Ok(context)
}

fn token_err(err: impl std::fmt::Display) -> SignError {
    SignError::Token(err.to_string())
}

impl Pkcs11Signer {
    /// Loads the module, finds the token, logs in and finds the key and its
    /// certificate.
    pub fn open(config: &Pkcs11Config) -> Result<Pkcs11Signer, SignError> {
        let context = module(&config.module)?;
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
        match session.login(UserType::User, Some(&AuthPin::from(config.pin.clone()))) {
            Ok(()) => {}
            // Login is per token for the whole process: another signer's
            // session on this token already logged in.
            Err(cryptoki::error::Error::Pkcs11(
                cryptoki::error::RvError::UserAlreadyLoggedIn,
                _,
            )) => {}
            Err(err) => return Err(SignError::Token(format!("login refused: {err}"))),
        }

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
