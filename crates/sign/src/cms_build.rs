//! The detached CMS `SignedData` that goes into a PDF's `/Contents`.
//!
//! Assembled from the RustCrypto `cms` types rather than with
//! `cms::builder::SignedDataBuilder`: the builder wants the private key as a
//! `signature::Keypair` in memory, and a PKCS#11 token never hands it out.
//! Here the signed attributes are encoded, given to the [`Signer`] (file or
//! token alike), and the result is put in place.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec, UtcTime};
use der::oid::ObjectIdentifier;
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::Certificate;

use crate::{SignError, Signer};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const ID_SHA_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

fn der_err(err: der::Error) -> SignError {
    SignError::Signing(format!("DER encoding: {err}"))
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, SignError> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(der_err)?;
    Ok(Attribute { oid, values })
}

/// Builds the DER `ContentInfo` of a detached signature over content whose
/// SHA-256 is `digest`, signed at `time`.
pub(crate) fn signed_data(
    digest: &[u8; 32],
    time: jiff::Timestamp,
    signer: &dyn Signer,
) -> Result<Vec<u8>, SignError> {
    let chain = signer.certificate_chain();
    let certs: Vec<Certificate> = chain
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect::<Result<_, _>>()
        .map_err(|err| SignError::Certificate(err.to_string()))?;
    let leaf = certs
        .first()
        .ok_or_else(|| SignError::Certificate("the signer has no certificate".into()))?;

    let seconds = u64::try_from(time.as_second())
        .map_err(|_| SignError::Signing("signing time before 1970".into()))?;
    let signing_time =
        UtcTime::from_unix_duration(std::time::Duration::from_secs(seconds)).map_err(der_err)?;
    let mut signed_attrs = SetOfVec::new();
    signed_attrs
        .insert(attribute(
            ID_CONTENT_TYPE,
            Any::encode_from(&ID_DATA).map_err(der_err)?,
        )?)
        .map_err(der_err)?;
    signed_attrs
        .insert(attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.to_vec()).map_err(der_err)?)
                .map_err(der_err)?,
        )?)
        .map_err(der_err)?;
    signed_attrs
        .insert(attribute(
            ID_SIGNING_TIME,
            Any::encode_from(&signing_time).map_err(der_err)?,
        )?)
        .map_err(der_err)?;
    // RFC 5652 §5.4: the signature covers the attributes encoded as a SET
    // (tag 0x31), not as the [0] IMPLICIT field they travel in.
    let message = signed_attrs.to_der().map_err(der_err)?;
    let signature = signer.sign(&message)?;

    let sha256 = AlgorithmIdentifierOwned {
        oid: ID_SHA_256,
        parameters: None,
    };
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: leaf.tbs_certificate.issuer.clone(),
            serial_number: leaf.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        },
        signature: OctetString::new(signature).map_err(der_err)?,
        unsigned_attrs: None,
    };
    let mut cert_set = SetOfVec::new();
    for cert in certs {
        cert_set
            .insert(CertificateChoices::Certificate(cert))
            .map_err(der_err)?;
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(sha256).map_err(der_err)?;
    let mut signer_infos = SetOfVec::new();
    signer_infos.insert(signer_info).map_err(der_err)?;
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(cert_set)),
        crls: None,
        signer_infos: SignerInfos(signer_infos),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed).map_err(der_err)?,
    }
    .to_der()
    .map_err(der_err)
}
