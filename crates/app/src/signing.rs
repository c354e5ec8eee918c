//! The agency's signer: each leader's signing identity from the demo CA kept
//! under `Settings::signing_dir` (created on first use, so that a fresh
//! installation signs out of the box). docs/signing.md says how to use a real
//! CA's certificate or a USB token instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use motcua_sign::{DemoCa, Pkcs12Signer, Signer};

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
}

/// Who signs, as the certificate names them.
#[derive(Debug, Clone)]
pub struct SigningIdentity {
    pub user_id: String,
    pub full_name: String,
    pub title: String,
}

impl App {
    /// The signer of a leader. Blocking (files, maybe a new RSA key): call it
    /// from the blocking pool.
    pub(crate) fn signer_of(&self, who: &SigningIdentity) -> Result<Arc<dyn Signer>> {
        let internal =
            |e: motcua_sign::SignError| Error::Internal(format!("signing identity: {e}"));
        let mut inner = self
            .signers
            .inner
            .lock()
            .map_err(|_| Error::Internal("signer cache poisoned".into()))?;
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

    /// The demo CA's certificate (PEM file), what a verifier imports to trust
    /// the signatures.
    pub fn demo_ca_certificate_path(&self) -> std::path::PathBuf {
        self.settings.signing_dir.join("ca-cert.pem")
    }
}
