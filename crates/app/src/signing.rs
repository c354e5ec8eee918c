//! The agency's signer: each leader's signing identity from the demo CA kept
//! under `Settings::signing_dir` (created on first use, so that a fresh
//! installation signs out of the box), or the real CA identity the settings
//! name (`Settings::signer`: a PKCS#12 file or a PKCS#11 token). docs/signing.md
//! says how to configure one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use motcua_sign::{DemoCa, Pkcs11Config, Pkcs11Signer, Pkcs12Signer, Signer};

use crate::error::{Error, Result};
use crate::App;

/// The PKCS#12 files of the demo CA are protected by their file mode (0600);
/// a password is required by the format, not relied upon.
const DEMO_P12_PASSWORD: &str = "motcua-demo";

/// The demo CA's organisation, printed in its certificate.
const DEMO_ORGANISATION: &str = "Motcua demo";

/// The CA opened once, and each signer once: creating a key takes a moment,
/// and two first uses at once must not both write the same files.
#[derive(Default)]
pub(crate) struct SignerCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    ca: Option<Arc<DemoCa>>,
    signers: HashMap<String, Arc<Pkcs12Signer>>,
    /// The configured identity, opened once (reading a PKCS#12 file or
    /// logging in to a token takes far longer than a signature).
    configured: Option<Arc<dyn Signer>>,
}

/// Whose key signs copies and results.
#[derive(Clone, Default)]
pub enum SignerConfig {
    /// Each leader's identity from the demo CA under `signing_dir`.
    #[default]
    DemoCa,
    /// One identity from a real CA in a PKCS#12 (`.p12`/`.pfx`) file.
    Pkcs12 {
        path: std::path::PathBuf,
        password: String,
    },
    /// One identity on a PKCS#11 token (a USB signing token).
    Pkcs11 {
        /// The vendor's module, e.g. `/usr/lib/softhsm/libsofthsm2.so`.
        module: std::path::PathBuf,
        /// The token's label; the first token present (or the one in `slot`)
        /// when `None`.
        token_label: Option<String>,
        /// The token's slot id as the vendor's tools print it; not together
        /// with `token_label`.
        slot: Option<u64>,
        /// The user PIN.
        pin: String,
        /// The private key's label; the first key with a certificate when `None`.
        key_label: Option<String>,
    },
    /// An identity the embedding program opened itself: never read from the
    /// configuration; the tests use it for a signer they can hold.
    Given(Arc<dyn Signer>),
}

impl std::fmt::Debug for SignerConfig {
    // Passwords and PINs stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignerConfig::DemoCa => f.write_str("DemoCa"),
            SignerConfig::Pkcs12 { path, .. } => f
                .debug_struct("Pkcs12")
                .field("path", path)
                .finish_non_exhaustive(),
            SignerConfig::Pkcs11 {
                module,
                token_label,
                slot,
                key_label,
                ..
            } => f
                .debug_struct("Pkcs11")
                .field("module", module)
                .field("token_label", token_label)
                .field("slot", slot)
                .field("key_label", key_label)
                .finish_non_exhaustive(),
            SignerConfig::Given(_) => f.write_str("Given"),
        }
    }
}

/// Who signs, as the certificate names them.
#[derive(Debug, Clone)]
pub struct SigningIdentity {
    pub user_id: String,
    pub full_name: String,
    pub title: String,
}

/// The identity a real-CA setting names, opened.
fn open_configured(
    config: &SignerConfig,
) -> std::result::Result<Arc<dyn Signer>, motcua_sign::SignError> {
    Ok(match config {
        SignerConfig::DemoCa => {
            return Err(motcua_sign::SignError::KeyStore(
                "the demo CA signs per leader".into(),
            ))
        }
        SignerConfig::Pkcs12 { path, password } => Arc::new(Pkcs12Signer::open(path, password)?),
        SignerConfig::Given(signer) => signer.clone(),
        SignerConfig::Pkcs11 {
            module,
            token_label,
            slot,
            pin,
            key_label,
        } => Arc::new(Pkcs11Signer::open(&Pkcs11Config {
            module: module.clone(),
            token_label: token_label.clone(),
            slot: *slot,
            pin: pin.clone(),
            key_label: key_label.clone(),
            extra_chain: Vec::new(),
        })?),
    })
}

impl App {
    /// The signer of a leader. Blocking (files, maybe a new RSA key): call it
    /// from the blocking pool.
    pub(crate) fn signer_of(&self, who: &SigningIdentity) -> Result<Arc<dyn Signer>> {
        let internal = |e: motcua_sign::SignError| Error::internal("signing identity", e);
        let mut inner = self
            .signers
            .inner
            .lock()
            .map_err(|_| Error::Internal("signer cache poisoned".into()))?;
        if !matches!(self.settings.signer, SignerConfig::DemoCa) {
            if let Some(s) = &inner.configured {
                return Ok(s.clone());
            }
            let signer = open_configured(&self.settings.signer).map_err(internal)?;
            inner.configured = Some(signer.clone());
            return Ok(signer);
        }
        if let Some(s) = inner.signers.get(&who.user_id) {
            return Ok(s.clone());
        }
        let ca = match &inner.ca {
            Some(ca) => ca.clone(),
            None => {
                let ca = Arc::new(
                    DemoCa::open_or_create(&self.settings.signing_dir, DEMO_ORGANISATION)
                        .map_err(internal)?,
                );
                inner.ca = Some(ca.clone());
                ca
            }
        };
        let signer = Arc::new(
            ca.identity(&who.user_id, &who.full_name, &who.title, DEMO_P12_PASSWORD)
                .map_err(internal)?,
        );
        inner.signers.insert(who.user_id.clone(), signer.clone());
        Ok(signer)
    }

    /// Opens the configured real-CA identity now (at start-up), so that a wrong
    /// path, password or PIN stops the server rather than the first signature.
    /// Nothing to do for the demo CA. Blocking: call it from the blocking pool.
    pub fn open_configured_signer(&self) -> Result<()> {
        if matches!(self.settings.signer, SignerConfig::DemoCa) {
            return Ok(());
        }
        self.signer_of(&SigningIdentity {
            user_id: String::new(),
            full_name: String::new(),
            title: String::new(),
        })
        .map(|_| ())
    }

    /// The demo CA's certificate (PEM file), what a verifier imports to trust
    /// the signatures.
    pub fn demo_ca_certificate_path(&self) -> std::path::PathBuf {
        self.settings.signing_dir.join("ca-cert.pem")
    }
}
