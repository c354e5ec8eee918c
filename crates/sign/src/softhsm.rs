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
    if !Path::new(MODULE).exists() {
        return Err(format!("{MODULE} is missing: install softhsm2"));
    }
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).map_err(|e| e.to_string())?;
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .map_err(|e| e.to_string())?;
    std::env::set_var("SOFTHSM2_CONF", &conf);
    let util = |args: &[&str]| -> Result<(), String> {
        let out = Command::new("softhsm2-util")
            .env("SOFTHSM2_CONF", &conf)
            .args(args)
            .output()
            .map_err(|e| format!("softhsm2-util: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "softhsm2-util {args:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    util(&[
        "--init-token",
        "--free",
        "--label",
        label,
        "--pin",
        pin,
        "--so-pin",
        "12345678",
    ])?;
    let key_path = dir.join("key.pem");
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?;
    std::fs::write(&key_path, pem.as_bytes()).map_err(|e| e.to_string())?;
    let key_arg = key_path.display().to_string();
    let imported = util(&[
        "--import", &key_arg, "--token", label, "--label", "signer", "--id", "01", "--pin", pin,
    ]);
    let _ = std::fs::remove_file(&key_path);
    imported?;
    // softhsm2-util imports keys only; the certificate goes in over PKCS#11,
    // through the process's one handle on the module.
    let context = crate::pkcs11::module(Path::new(MODULE)).map_err(|e| e.to_string())?;
    let slot = context
        .get_slots_with_token()
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|slot| {
            context
                .get_token_info(*slot)
                .map(|info| info.label().trim_end() == label)
                .unwrap_or(false)
        })
        .ok_or("the new token is not listed")?;
    let session = context.open_rw_session(slot).map_err(|e| e.to_string())?;
    session
        .login(UserType::User, Some(&AuthPin::from(pin.to_owned())))
        .map_err(|e| e.to_string())?;
    let leaf_der = chain.first().ok_or("no certificate")?;
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
    Ok(conf)
}
