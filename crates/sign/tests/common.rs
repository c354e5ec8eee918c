//! Helpers of the sign crate's tests.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// A small one-page PDF 1.7 with a classic cross-reference table.
pub fn minimal_pdf() -> Vec<u8> {
    let content = b"BT /F1 24 Tf 72 720 Td (Ban sao dien tu) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{}\nendstream", content.len(), String::from_utf8_lossy(content)),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Runs poppler's `pdfsig` on `pdf` (with the NSS database `nss_dir` when
/// given) and returns its standard output. Fails the test clearly when
/// poppler-utils is missing.
pub fn pdfsig(pdf: &Path, nss_dir: Option<&Path>) -> String {
    let mut command = Command::new("pdfsig");
    if let Some(dir) = nss_dir {
        command.arg("-nssdir").arg(format!("sql:{}", dir.display()));
    }
    let output = command
        .arg(pdf)
        .output()
        .unwrap_or_else(|err| panic!("pdfsig could not run ({err}): install poppler-utils"));
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// An NSS database in `dir` that trusts `ca_pem` for e-mail and document
/// signing: what pdfsig reads to say "Certificate is Trusted".
pub fn nss_db_trusting(dir: &Path, ca_pem: &Path) {
    let run = |args: &[&str]| {
        let output = Command::new("certutil")
            .args(args)
            .output()
            .unwrap_or_else(|err| panic!("certutil could not run ({err}): install libnss3-tools"));
        assert!(
            output.status.success(),
            "certutil {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let db = format!("sql:{}", dir.display());
    run(&["-N", "-d", &db, "--empty-password"]);
    let ca = ca_pem.display().to_string();
    run(&[
        "-A",
        "-d",
        &db,
        "-n",
        "motcua-demo-ca",
        "-t",
        "CT,C,C",
        "-a",
        "-i",
        &ca,
    ]);
}
