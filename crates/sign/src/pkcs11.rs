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
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use sha2::{Digest, Sha256};

use crate::{SignError, Signer};

/// Where the key is and how to open it.
#[derive(Clone)]
pub struct Pkcs11Config {
    /// The vendor's module (`/usr/lib/softhsm/libsofthsm2.so`,
    /// `/usr/lib/libvnptca_p11.so`, ...).
    pub module: PathBuf,
    /// The token's label; `None` takes the first slot with a token (or the
    /// one `slot` names).
    pub token_label: Option<String>,
    /// The slot's id, as the vendor's tools print it (`softhsm2-util
    /// --show-slots`, `pkcs11-tool -L`): for two tokens with the same label.
    /// Not together with `token_label`.
    pub slot: Option<u64>,
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
            .field("slot", &self.slot)
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

/// The slot of the token `config` names: by slot id, by label, or the first
/// one with a token.
fn choose_slot(context: &Pkcs11, config: &Pkcs11Config) -> Result<Slot, SignError> {
    let present = context.get_slots_with_token().map_err(token_err)?;
    // What is there, for an error that lets the administrator correct the
    // configuration without another tool.
    let listing = || -> String {
        let tokens: Vec<String> = present
            .iter()
            .map(|slot| {
                let label = context
                    .get_token_info(*slot)
                    .map(|info| info.label().trim_end().to_owned())
                    .unwrap_or_default();
                format!("slot {} ({label:?})", slot.id())
            })
            .collect();
        if tokens.is_empty() {
            "no token is present".to_owned()
        } else {
            format!("tokens present: {}", tokens.join(", "))
        }
    };
    match (config.slot, &config.token_label) {
        (Some(_), Some(_)) => Err(SignError::Token(
            "name the token by its slot or by its label, not both".into(),
        )),
        (Some(id), None) => {
            if let Some(slot) = present.iter().find(|slot| slot.id() == id) {
                return Ok(*slot);
            }
            let exists = context
                .get_all_slots()
                .map_err(token_err)?
                .iter()
                .any(|slot| slot.id() == id);
            Err(SignError::Token(if exists {
                format!("slot {id} holds no token; {}", listing())
            } else {
                format!("no slot {id}; {}", listing())
            }))
        }
        (None, Some(label)) => {
            for slot in &present {
                let info = context.get_token_info(*slot).map_err(token_err)?;
                if info.label().trim_end() == label.as_str() {
                    return Ok(*slot);
                }
            }
            Err(SignError::Token(format!(
                "no token labelled {label:?}; {}",
                listing()
            )))
        }
        (None, None) => present
            .first()
            .copied()
            .ok_or_else(|| SignError::Token("no token present".into())),
    }
}

/// The PIN that logged this process in to each token (module and slot), as
/// a salted SHA-256.
///
/// A token's login is shared by all sessions of a process: once one signer
/// has logged in, `C_Login` answers any other PIN with
/// `CKR_USER_ALREADY_LOGGED_IN` without checking it. The digest of the PIN
/// that did log in is what a later signer's PIN is checked against, so a
/// wrong PIN is refused then too, without logging the first signer out.
struct Logins {
    /// Random per process: the digests of short numeric PINs are not a
    /// lookup table away from the PINs.
    salt: [u8; 32],
    by_token: HashMap<(PathBuf, u64), [u8; 32]>,
}

impl Logins {
    fn digest(&self, pin: &str) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(self.salt);
        hash.update(pin.as_bytes());
        hash.finalize().into()
    }
}

/// Whether two digests are equal, in a time that does not depend on where
/// they differ.
fn same_digest(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// Logs `session` in with the user PIN, or, when this process is already
/// logged in to the token, checks the PIN against the one that did.
fn log_in(module: &Path, slot: Slot, session: &Session, pin: &str) -> Result<(), SignError> {
    static LOGINS: OnceLock<Mutex<Logins>> = OnceLock::new();
    // Held across `C_Login`: a signer opening beside the one logging in
    // finds its digest recorded.
    let mut logins = LOGINS
        .get_or_init(|| {
            Mutex::new(Logins {
                salt: rand::random(),
                by_token: HashMap::new(),
            })
        })
        .lock()
        .map_err(|_| SignError::Token("the login registry was poisoned".into()))?;
    let digest = logins.digest(pin);
    let token = (module.to_owned(), slot.id());
    match session.login(UserType::User, Some(&AuthPin::from(pin.to_owned()))) {
        Ok(()) => {
            logins.by_token.insert(token, digest);
            Ok(())
        }
        Err(cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::UserAlreadyLoggedIn, _)) => {
            match logins.by_token.get(&token) {
                Some(known) if same_digest(known, &digest) => Ok(()),
                Some(_) => Err(SignError::Token(
                    "login refused: the PIN is not the one this token is logged in with".into(),
                )),
                // Logged in by something that did not go through here: its
                // PIN is unknown, so this one cannot be checked.
                None => Err(SignError::Token(
                    "login refused: the token is already logged in by another part of this process, so the PIN cannot be checked".into(),
                )),
            }
        }
        Err(err) => Err(SignError::Token(format!("login refused: {err}"))),
    }
}

impl Pkcs11Signer {
    /// Loads the module, finds the token, logs in and finds the key and its
    /// certificate.
    pub fn open(config: &Pkcs11Config) -> Result<Pkcs11Signer, SignError> {
        let context = module(&config.module)?;
        let slot = choose_slot(&context, config)?;
        let session = context.open_ro_session(slot).map_err(token_err)?;
        log_in(&config.module, slot, &session, &config.pin)?;

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

#[cfg(test)]
mod tests {
    //! Against SoftHSM2 (Debian package `softhsm2`), which must be installed:
    //! a skipped token test would let a broken token signer through CI. The
    //! only test of this binary that loads the module (SoftHSM reads its
    //! configuration once per process).

    use super::*;
    use crate::softhsm::{self, Token};
    use crate::DemoCa;

    const PIN_A: &str = "111111";
    const PIN_B: &str = "222222";

    fn open(
        slot: Option<u64>,
        token_label: Option<&str>,
        pin: &str,
    ) -> Result<Pkcs11Signer, SignError> {
        Pkcs11Signer::open(&Pkcs11Config {
            module: softhsm::MODULE.into(),
            token_label: token_label.map(str::to_owned),
            slot,
            pin: pin.to_owned(),
            key_label: None,
            extra_chain: Vec::new(),
        })
    }

    #[test]
    fn a_token_is_chosen_by_its_slot_and_a_wrong_pin_is_refused_when_logged_in() {
        let dir = tempfile::tempdir().expect("temp dir");
        let ca = DemoCa::open_or_create(&dir.path().join("ca"), "CA thử nghiệm").expect("CA");
        let (key_a, chain_a) = ca.issue("Nguyễn Văn An", "Chủ tịch").expect("identity A");
        let (key_b, chain_b) = ca
            .issue("Trần Thị Bình", "Phó Chủ tịch")
            .expect("identity B");
        let conf = softhsm::tokens_with(
            dir.path(),
            &[
                Token {
                    label: "motcua-a",
                    pin: PIN_A,
                    key: &key_a,
                    chain: &chain_a,
                },
                Token {
                    label: "motcua-b",
                    pin: PIN_B,
                    key: &key_b,
                    chain: &chain_b,
                },
            ],
        )
        .expect("two SoftHSM2 tokens (apt-get install -y softhsm2)");
        // The slot ids as the administrator reads them from the vendor's tool.
        let shown = softhsm::slots_shown(&conf).expect("softhsm2-util --show-slots");
        let slot_of = |label: &str| {
            shown
                .iter()
                .find(|(_, l)| l == label)
                .map(|(id, _)| *id)
                .unwrap_or_else(|| panic!("{label} in {shown:?}"))
        };
        let (slot_a, slot_b) = (slot_of("motcua-a"), slot_of("motcua-b"));
        assert_ne!(slot_a, slot_b);

        // By slot, each token's own identity, whichever slot comes first.
        let b = open(Some(slot_b), None, PIN_B).expect("token B by its slot");
        assert_eq!(b.certificate_chain()[0], chain_b[0]);
        let a = open(Some(slot_a), None, PIN_A).expect("token A by its slot");
        assert_eq!(a.certificate_chain()[0], chain_a[0]);
        let err = open(Some(slot_a ^ slot_b ^ 1), None, PIN_A)
            .expect_err("no such slot")
            .to_string();
        assert!(err.contains("no slot"), "{err}");
        assert!(
            err.contains(&format!("slot {slot_b} (\"motcua-b\")")),
            "the tokens present are listed: {err}"
        );
        let err = open(Some(slot_a), Some("motcua-a"), PIN_A)
            .expect_err("slot and label together")
            .to_string();
        assert!(err.contains("not both"), "{err}");

        // Token A is logged in (by `a`): PKCS#11 answers any PIN with "already
        // logged in", and the PIN is still checked.
        let err = open(Some(slot_a), None, "000000")
            .expect_err("a wrong PIN on a logged-in token")
            .to_string();
        assert!(err.contains("login refused"), "{err}");
        assert!(
            open(None, Some("motcua-a"), PIN_B).is_err(),
            "token B's PIN does not open token A"
        );
        let again = open(None, Some("motcua-a"), PIN_A).expect("the right PIN");
        assert_eq!(again.certificate_chain()[0], chain_a[0]);
        // The refusals logged no one out.
        for signer in [&a, &again, &b] {
            let signature = signer.sign(b"signed attributes").expect("still signs");
            assert_eq!(signature.len(), 256, "RSA-2048");
        }
    }

    #[test]
    fn digests_compare_whole() {
        let a = [7u8; 32];
        let mut b = a;
        assert!(same_digest(&a, &b));
        b[31] ^= 1;
        assert!(!same_digest(&a, &b));
    }
}
