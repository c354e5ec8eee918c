//! Signatures checked by poppler's `pdfsig`, as a reader would.

mod common;

use motcua_sign::{sign_pdf, DemoCa, SignOptions, Signer};

fn options() -> SignOptions {
    SignOptions {
        name: "Nguyễn Văn An".into(),
        reason: "Chứng thực bản sao từ bản chính".into(),
        location: "UBND xã Tân Phú".into(),
        time: jiff::Timestamp::now(),
    }
}

#[test]
fn signed_pdf_is_valid_trusted_and_a_flipped_byte_breaks_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = DemoCa::open_or_create(&dir.path().join("ca"), "UBND xã Tân Phú").expect("demo CA");
    let signer = ca
        .identity("leader-1", "Nguyễn Văn An", "Chủ tịch UBND xã", "mật khẩu")
        .expect("identity");
    assert_eq!(signer.certificate_chain().len(), 2);

    let original = common::minimal_pdf();
    let signed = sign_pdf(&original, &signer, &options()).expect("signed");
    assert!(
        signed.starts_with(&original),
        "an incremental update keeps the original bytes"
    );
    let path = dir.path().join("signed.pdf");
    std::fs::write(&path, &signed).expect("write");

    let nss = dir.path().join("nss");
    std::fs::create_dir_all(&nss).expect("nss dir");
    common::nss_db_trusting(&nss, &ca.certificate_path());
    let report = common::pdfsig(&path, Some(&nss));
    assert!(report.contains("Signature is Valid."), "{report}");
    assert!(report.contains("Total document signed"), "{report}");
    assert!(report.contains("Certificate is Trusted."), "{report}");
    assert!(report.contains("Nguyễn Văn An"), "{report}");

    // One byte of the original content, inside the first signed range.
    let mut tampered = signed.clone();
    let at = original
        .windows(3)
        .position(|w| w == b"Ban")
        .expect("text in the content stream");
    tampered[at] = b'C';
    let path = dir.path().join("tampered.pdf");
    std::fs::write(&path, &tampered).expect("write");
    let report = common::pdfsig(&path, Some(&nss));
    assert!(!report.contains("Signature is Valid."), "{report}");
    assert!(report.contains("Digest Mismatch"), "{report}");

    // One byte after the signature, inside the second signed range.
    let mut tampered = signed.clone();
    let last = tampered.len() - 3;
    tampered[last] ^= 0x01;
    std::fs::write(&path, &tampered).expect("write");
    let report = common::pdfsig(&path, Some(&nss));
    assert!(!report.contains("Signature is Valid."), "{report}");
}

#[test]
fn a_signed_pdf_can_be_signed_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = DemoCa::open_or_create(dir.path(), "UBND xã Tân Phú").expect("demo CA");
    let first = ca
        .identity(
            "officer",
            "Trần Thị Bình",
            "Công chức Tư pháp - Hộ tịch",
            "pw",
        )
        .expect("identity");
    let second = ca
        .identity("leader", "Lê Văn Cường", "Chủ tịch", "pw")
        .expect("identity");
    let once = sign_pdf(&common::minimal_pdf(), &first, &options()).expect("signed once");
    let twice = sign_pdf(&once, &second, &options()).expect("signed twice");
    let path = dir.path().join("twice.pdf");
    std::fs::write(&path, &twice).expect("write");
    let report = common::pdfsig(&path, None);
    assert!(report.contains("Signature #2"), "{report}");
    assert_eq!(report.matches("Signature is Valid.").count(), 2, "{report}");
    // The first signature covers only the first revision now.
    assert!(report.contains("Total document signed"), "{report}");
}

#[test]
fn the_demo_ca_is_kept_and_reused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = DemoCa::open_or_create(dir.path(), "UBND xã A").expect("created");
    let again = DemoCa::open_or_create(dir.path(), "UBND xã A").expect("opened");
    assert_eq!(first.certificate_der().ok(), again.certificate_der().ok());
    assert!(first.identity_path("../etc").is_err());
    let signer = first.identity("u1", "Tên", "", "pw").expect("identity");
    let same = again.identity("u1", "Tên", "", "pw").expect("same file");
    assert_eq!(signer.certificate_chain(), same.certificate_chain());
    assert!(
        again.identity("u1", "Tên", "", "wrong").is_err(),
        "wrong password refused"
    );
}

#[test]
fn not_a_pdf_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = DemoCa::open_or_create(dir.path(), "UBND").expect("demo CA");
    let signer = ca.identity("u", "Tên", "", "pw").expect("identity");
    assert!(sign_pdf(b"GIF89a not a pdf", &signer, &options()).is_err());
}
