//! PKCS#11 signing against SoftHSM2 (Debian packages `softhsm2`, and
//! `poppler-utils` for pdfsig). Missing packages fail the test: a skipped
//! token test would let a broken token signer through CI.

mod common;

use std::path::Path;
use std::process::Command;

use cryptoki::context::{CInitializeArgs, Pkcs11};
use cryptoki::object::{Attribute, CertificateType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use der::Decode;
use motcua_sign::{sign_pdf, DemoCa, Pkcs11Config, Pkcs11Signer, SignOptions, Signer};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const TOKEN: &str = "motcua-test";
const PIN: &str = "123456";
const SO_PIN: &str = "12345678";

fn softhsm2_util(conf: &Path, args: &[&str]) {
    let output = Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", conf)
        .args(args)
        .output()
        .unwrap_or_else(|err| {
            panic!("softhsm2-util could not run ({err}): install softhsm2 (apt-get install -y softhsm2)")
        });
    assert!(
        output.status.success(),
        "softhsm2-util {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_key_on_a_softhsm2_token_signs_a_pdf_that_pdfsig_accepts() {
    assert!(
        Path::new(MODULE).exists(),
        "{MODULE} is missing: install softhsm2 (apt-get install -y softhsm2)"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let tokens = dir.path().join("tokens");
    std::fs::create_dir_all(&tokens).expect("token dir");
    let conf = dir.path().join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .expect("conf");
    // The module reads SOFTHSM2_CONF when it is loaded; this test binary has
    // this one test, so no other thread reads the environment meanwhile.
    std::env::set_var("SOFTHSM2_CONF", &conf);

    softhsm2_util(
        &conf,
        &[
            "--init-token",
            "--free",
            "--label",
            TOKEN,
            "--pin",
            PIN,
            "--so-pin",
            SO_PIN,
        ],
    );

    // A key and certificate from the demo CA, the key imported the way an
    // officer's key sits on a USB token.
    let ca = DemoCa::open_or_create(&dir.path().join("ca"), "UBND xã Tân Phú").expect("demo CA");
    let (key, chain) = ca
        .issue("Phạm Thị Dung", "Phó Chủ tịch UBND xã")
        .expect("issued");
    let key_path = dir.path().join("key.pem");
    std::fs::write(
        &key_path,
        key.to_pkcs8_pem(LineEnding::LF).expect("pem").as_bytes(),
    )
    .expect("key");
    let key_arg = key_path.display().to_string();
    softhsm2_util(
        &conf,
        &[
            "--import", &key_arg, "--token", TOKEN, "--label", "signer", "--id", "01", "--pin", PIN,
        ],
    );
    std::fs::remove_file(&key_path).expect("key removed");

    // softhsm2-util imports keys only; the certificate goes in over PKCS#11.
    {
        let context = Pkcs11::new(MODULE).expect("module");
        context
            .initialize(CInitializeArgs::OsThreads)
            .expect("initialised");
        let slot = context
            .get_slots_with_token()
            .expect("slots")
            .into_iter()
            .find(|slot| {
                context
                    .get_token_info(*slot)
                    .map(|info| info.label().trim_end() == TOKEN)
                    .unwrap_or(false)
            })
            .expect("our token");
        let session = context.open_rw_session(slot).expect("session");
        session
            .login(UserType::User, Some(&AuthPin::from(PIN.to_owned())))
            .expect("login");
        let leaf = x509_cert::Certificate::from_der(&chain[0]).expect("certificate");
        let subject = der::Encode::to_der(&leaf.tbs_certificate.subject).expect("subject");
        session
            .create_object(&[
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::CertificateType(CertificateType::X_509),
                Attribute::Token(true),
                Attribute::Label(b"signer".to_vec()),
                Attribute::Id(vec![0x01]),
                Attribute::Subject(subject),
                Attribute::Value(chain[0].clone()),
            ])
            .expect("certificate stored");
        session.logout().expect("logout");
        // Dropping the context finalises the module before the signer loads it.
    }

    let wrong = Pkcs11Signer::open(&Pkcs11Config {
        module: MODULE.into(),
        token_label: Some(TOKEN.into()),
        slot: None,
        pin: "000000".into(),
        key_label: None,
        extra_chain: Vec::new(),
    });
    assert!(wrong.is_err(), "a wrong PIN is refused");

    let signer = Pkcs11Signer::open(&Pkcs11Config {
        module: MODULE.into(),
        token_label: Some(TOKEN.into()),
        slot: None,
        pin: PIN.into(),
        key_label: Some("signer".into()),
        extra_chain: vec![chain[1].clone()],
    })
    .expect("token signer");
    assert_eq!(signer.certificate_chain(), chain.as_slice());

    let signed = sign_pdf(
        &common::minimal_pdf(),
        &signer,
        &SignOptions {
            name: "Phạm Thị Dung".into(),
            reason: "Chứng thực bản sao từ bản chính".into(),
            location: "UBND xã Tân Phú".into(),
            time: jiff::Timestamp::now(),
        },
    )
    .expect("signed on the token");
    let path = dir.path().join("token-signed.pdf");
    std::fs::write(&path, &signed).expect("write");
    let nss = dir.path().join("nss");
    std::fs::create_dir_all(&nss).expect("nss dir");
    common::nss_db_trusting(&nss, &ca.certificate_path());
    let report = common::pdfsig(&path, Some(&nss));
    assert!(report.contains("Signature is Valid."), "{report}");
    assert!(report.contains("Total document signed"), "{report}");
    assert!(report.contains("Certificate is Trusted."), "{report}");

    // A second signer of the same module, dropped, leaves the module to the
    // first: the module is finalised with the process, not with a signer.
    let second = Pkcs11Signer::open(&Pkcs11Config {
        module: MODULE.into(),
        token_label: Some(TOKEN.into()),
        slot: None,
        pin: PIN.into(),
        key_label: Some("signer".into()),
        extra_chain: Vec::new(),
    })
    .expect("a second signer");
    drop(second);
    let again = sign_pdf(
        &common::minimal_pdf(),
        &signer,
        &SignOptions {
            name: "Phạm Thị Dung".into(),
            reason: "Chứng thực bản sao từ bản chính".into(),
            location: "UBND xã Tân Phú".into(),
            time: jiff::Timestamp::now(),
        },
    )
    .expect("still signs after another signer of the module was dropped");
    std::fs::write(&path, &again).expect("write");
    let report = common::pdfsig(&path, Some(&nss));
    assert!(report.contains("Signature is Valid."), "{report}");
}
