//! A demo certificate authority, so that a fresh installation signs out of
//! the box.
//!
//! Certificates are built with `x509-cert`'s builder rather than `rcgen`:
//! the keys are RSA (what Vietnamese CAs issue and tokens hold), `rcgen` can
//! generate RSA keys only through aws-lc-rs, and the RustCrypto `rsa` key
//! that signs here also signs the certificates, so one crypto stack does
//! both.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use der::oid::ObjectIdentifier;
use der::pem::LineEnding;
use der::{Decode, DecodePem, Encode, EncodePem};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::RsaPrivateKey;
use sha2::Sha256;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;
use x509_cert::Certificate;

use crate::{Pkcs12Signer, SignError};

const CA_KEY_FILE: &str = "ca-key.pem";
const CA_CERT_FILE: &str = "ca-cert.pem";
const USERS_DIR: &str = "users";
const RSA_BITS: usize = 2048;
const CA_YEARS: u64 = 10;
const USER_YEARS: u64 = 3;
const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
/// E-mail protection: NSS (hence pdfsig) checks a document signer's
/// certificate for the e-mail signer usage.
const ID_KP_EMAIL_PROTECTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");

fn cert_err(err: impl std::fmt::Display) -> SignError {
    SignError::Certificate(err.to_string())
}

/// The demo CA: its key and certificate as PEM in a directory, one PKCS#12
/// file per signing user under `users/`.
pub struct DemoCa {
    dir: PathBuf,
    key: RsaPrivateKey,
    cert: Certificate,
}

impl DemoCa {
    /// Opens the CA kept in `dir`, creating it (key, self-signed
    /// certificate named after `organisation`) on first use.
    pub fn open_or_create(dir: &Path, organisation: &str) -> Result<DemoCa, SignError> {
        let key_path = dir.join(CA_KEY_FILE);
        let cert_path = dir.join(CA_CERT_FILE);
        if key_path.exists() && cert_path.exists() {
            let key_pem =
                std::fs::read_to_string(&key_path).map_err(|e| SignError::io(&key_path, e))?;
            let cert_pem =
                std::fs::read_to_string(&cert_path).map_err(|e| SignError::io(&cert_path, e))?;
            let key = RsaPrivateKey::from_pkcs8_pem(&key_pem).map_err(cert_err)?;
            let cert = Certificate::from_pem(cert_pem.as_bytes()).map_err(cert_err)?;
            return Ok(DemoCa {
                dir: dir.to_owned(),
                key,
                cert,
            });
        }
        std::fs::create_dir_all(dir.join(USERS_DIR)).map_err(|e| SignError::io(dir, e))?;
        let key = new_key()?;
        let subject = name(&format!(
            "CN={} (demo CA),O={},C=VN",
            escape(organisation),
            escape(organisation)
        ))?;
        let signer = SigningKey::<Sha256>::new(key.clone());
        let builder = CertificateBuilder::new(
            Profile::Root,
            serial()?,
            Validity::from_now(YEAR * CA_YEARS as u32).map_err(cert_err)?,
            subject,
            spki(&key)?,
            &signer,
        )
        .map_err(cert_err)?;
        let cert = builder
            .build::<rsa::pkcs1v15::Signature>()
            .map_err(cert_err)?;
        let key_pem = key.to_pkcs8_pem(LineEnding::LF).map_err(cert_err)?;
        write_private(&key_path, key_pem.as_bytes())?;
        let cert_pem = cert.to_pem(LineEnding::LF).map_err(cert_err)?;
        std::fs::write(&cert_path, cert_pem).map_err(|e| SignError::io(&cert_path, e))?;
        Ok(DemoCa {
            dir: dir.to_owned(),
            key,
            cert,
        })
    }

    /// Where the CA certificate is (PEM): what a verifier imports to trust
    /// the signatures (see docs/signing.md).
    pub fn certificate_path(&self) -> PathBuf {
        self.dir.join(CA_CERT_FILE)
    }

    /// The CA certificate, DER.
    pub fn certificate_der(&self) -> Result<Vec<u8>, SignError> {
        self.cert.to_der().map_err(cert_err)
    }

    /// Where the PKCS#12 file of `user_id` is (whether or not it exists yet).
    pub fn identity_path(&self, user_id: &str) -> Result<PathBuf, SignError> {
        if user_id.is_empty()
            || user_id.len() > 64
            || !user_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(SignError::Certificate(format!(
                "user id {user_id:?} is not a file-safe identifier"
            )));
        }
        Ok(self.dir.join(USERS_DIR).join(format!("{user_id}.p12")))
    }

    /// The signer of `user_id`: its PKCS#12 file, created on first use with a
    /// certificate for `full_name` (and `title`, e.g. "Chủ tịch UBND xã")
    /// issued by this CA and protected by `password`.
    pub fn identity(
        &self,
        user_id: &str,
        full_name: &str,
        title: &str,
        password: &str,
    ) -> Result<Pkcs12Signer, SignError> {
        let path = self.identity_path(user_id)?;
        if !path.exists() {
            let p12 = self.issue_pkcs12(full_name, title, password)?;
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| SignError::io(parent, e))?;
            }
            write_private(&path, &p12)?;
        }
        Pkcs12Signer::open(&path, password)
    }

    /// A new key and certificate for a person, as PKCS#12 bytes.
    pub fn issue_pkcs12(
        &self,
        full_name: &str,
        title: &str,
        password: &str,
    ) -> Result<Vec<u8>, SignError> {
        let (key, chain) = self.issue(full_name, title)?;
        let key_der = key.to_pkcs8_der().map_err(cert_err)?;
        let certs = chain
            .iter()
            .map(|der| p12_keystore::Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SignError::KeyStore(e.to_string()))?;
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry(
            "signing",
            p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(
                key_der.as_bytes(),
                b"motcua-signing",
                certs,
            )),
        );
        store
            .writer(password)
            .write()
            .map_err(|e| SignError::KeyStore(e.to_string()))
    }

    /// A new key and its chain (DER: the person's certificate, then the CA's).
    pub fn issue(
        &self,
        full_name: &str,
        title: &str,
    ) -> Result<(RsaPrivateKey, Vec<Vec<u8>>), SignError> {
        let key = new_key()?;
        let mut subject = format!("CN={}", escape(full_name));
        if !title.is_empty() {
            subject.push_str(&format!(",2.5.4.12={}", escape(title)));
        }
        subject.push_str(",C=VN");
        let signer = SigningKey::<Sha256>::new(self.key.clone());
        let mut builder = CertificateBuilder::new(
            Profile::Leaf {
                issuer: self.cert.tbs_certificate.subject.clone(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
            },
            serial()?,
            Validity::from_now(YEAR * USER_YEARS as u32).map_err(cert_err)?,
            name(&subject)?,
            spki(&key)?,
            &signer,
        )
        .map_err(cert_err)?;
        builder
            .add_extension(&ExtendedKeyUsage(vec![ID_KP_EMAIL_PROTECTION]))
            .map_err(cert_err)?;
        let cert = builder
            .build::<rsa::pkcs1v15::Signature>()
            .map_err(cert_err)?;
        let chain = vec![
            cert.to_der().map_err(cert_err)?,
            self.cert.to_der().map_err(cert_err)?,
        ];
        Ok((key, chain))
    }
}

impl std::fmt::Debug for DemoCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoCa")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn new_key() -> Result<RsaPrivateKey, SignError> {
    RsaPrivateKey::new(&mut rand::rngs::OsRng, RSA_BITS).map_err(cert_err)
}

fn spki(key: &RsaPrivateKey) -> Result<SubjectPublicKeyInfoOwned, SignError> {
    let der = key.to_public_key().to_public_key_der().map_err(cert_err)?;
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).map_err(cert_err)
}

fn serial() -> Result<SerialNumber, SignError> {
    let mut bytes: [u8; 16] = rand::random();
    // Positive and of full length (RFC 5280 §4.1.2.2).
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    SerialNumber::new(&bytes).map_err(cert_err)
}

fn name(rfc4514: &str) -> Result<Name, SignError> {
    Name::from_str(rfc4514).map_err(cert_err)
}

/// Escapes an attribute value for an RFC 4514 string.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out.trim().to_owned()
}

/// Writes a file only its owner can read: it holds a private key.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SignError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| SignError::io(path, e))?;
    file.write_all(bytes).map_err(|e| SignError::io(path, e))
}
