//! A SoftHSM2 token (Debian package `softhsm2`) holding one signing identity,
//! for tests that sign through PKCS#11 as a USB token would.

use std::path::{Path, PathBuf};
use std::process::Command;

use cryptoki::object::{Attribute, CertificateType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use der::{Decode, Encode};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::RsaPrivateKey;

/// Debian's module.
pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// Creates, under `dir`, a token labelled `label` with user PIN `pin` that
/// holds `key` (label "signer", id 01) and the first certificate of `chain`.
///
/// Sets `SOFTHSM2_CONF` for this process (SoftHSM reads it when the module is
/// initialised, which happens once per process): call it once, before
/// anything else loads the module, and keep `dir`.
pub fn token_with(
    dir: &Path,
    label: &str,
    pin: &str,
    key: &RsaPrivateKey,
    chain: &[Vec<u8>],
) -> Result<PathBuf, String> {
    tokens_with(
        dir,
        &[Token {
            label,
            pin,
            key,
            chain,
        }],
    )
}

/// One token for [`tokens_with`].
pub struct Token<'a> {
    pub label: &'a str,
    pub pin: &'a str,
    pub key: &'a RsaPrivateKey,
    pub chain: &'a [Vec<u8>],
}

/// [`token_with`] for several tokens at once (each in a slot of its own),
/// all created before the module is loaded: SoftHSM lists the tokens it
/// found when it was initialised.
pub fn tokens_with(dir: &Path, tokens: &[Token<'_>]) -> Result<PathBuf, String> {
    if !Path::new(MODULE).exists() {
        return Err(format!("{MODULE} is missing: install softhsm2"));
    }
    let token_dir = dir.join("tokens");
    std::fs::create_dir_all(&token_dir).map_err(|e| e.to_string())?;
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            token_dir.display()
        ),
    )
    .map_err(|e| e.to_string())?;
    std::env::set_var("SOFTHSM2_CONF", &conf);
    for token in tokens {
        init_token(&conf, dir, token)?;
    }
    // softhsm2-util imports keys only; the certificates go in over PKCS#11,
    // through the process's one handle on the module.
    let context = crate::pkcs11::module(Path::new(MODULE)).map_err(|e| e.to_string())?;
    for token in tokens {
        let slot = context
            .get_slots_with_token()
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|slot| {
                context
                    .get_token_info(*slot)
                    .map(|info| info.label().trim_end() == token.label)
                    .unwrap_or(false)
            })
            .ok_or("the new token is not listed")?;
        let session = context.open_rw_session(slot).map_err(|e| e.to_string())?;
        session
            .login(UserType::User, Some(&AuthPin::from(token.pin.to_owned())))
            .map_err(|e| e.to_string())?;
        let leaf_der = token.chain.first().ok_or("no certificate")?;
        let leaf = x509_cert::Certificate::from_der(leaf_der).map_err(|e| e.to_string())?;
        let subject = leaf
            .tbs_certificate
            .subject
            .to_der()
            .map_err(|e| e.to_string())?;
        session
            .create_object(&[
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::CertificateType(CertificateType::X_509),
                Attribute::Token(true),
                Attribute::Label(b"signer".to_vec()),
                Attribute::Id(vec![0x01]),
                Attribute::Subject(subject),
                Attribute::Value(leaf_der.clone()),
            ])
            .map_err(|e| e.to_string())?;
        // Logged out, so that the signers under test log in themselves.
        session.logout().map_err(|e| e.to_string())?;
    }
    Ok(conf)
}

/// `softhsm2-util` with `conf`.
fn util(conf: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", conf)
        .args(args)
        .output()
        .map_err(|e| format!("softhsm2-util: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "softhsm2-util {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A new token in the next free slot, with the key imported.
fn init_token(conf: &Path, dir: &Path, token: &Token<'_>) -> Result<(), String> {
    util(
        conf,
        &[
            "--init-token",
            "--free",
            "--label",
            token.label,
            "--pin",
            token.pin,
            "--so-pin",
            "12345678",
        ],
    )?;
    let key_path = dir.join("key.pem");
    let pem = token
        .key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?;
    std::fs::write(&key_path, pem.as_bytes()).map_err(|e| e.to_string())?;
    let key_arg = key_path.display().to_string();
    let imported = util(
        conf,
        &[
            "--import",
            &key_arg,
            "--token",
            token.label,
            "--label",
            "signer",
            "--id",
            "01",
            "--pin",
            token.pin,
        ],
    );
    let _ = std::fs::remove_file(&key_path);
    imported.map(|_| ())
}

/// The slot ids of the tokens under `conf` by label, read from
/// `softhsm2-util --show-slots` as an administrator would: what
/// `MOTCUA_SIGNER_PKCS11_SLOT` is set to.
pub fn slots_shown(conf: &Path) -> Result<Vec<(u64, String)>, String> {
    let shown = util(conf, &["--show-slots"])?;
    let mut slots = Vec::new();
    let mut current: Option<u64> = None;
    for line in shown.lines() {
        let line = line.trim();
        // "Slot 134009557" opens a slot's block ("Slot info:" is inside it).
        if let Some(id) = line.strip_prefix("Slot ").and_then(|id| id.parse().ok()) {
            current = Some(id);
        } else if let (Some(id), Some(label)) = (current, line.strip_prefix("Label:")) {
            let label = label.trim();
            if !label.is_empty() {
                slots.push((id, label.to_owned()));
            }
        }
    }
    Ok(slots)
}
