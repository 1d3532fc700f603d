//! Channel-binding data and the protocol version of a finished rustls handshake.

use mail_kit_core::TlsInfo;
use rustls::{ClientConnection, ProtocolVersion};
use sha2::{Digest, Sha256, Sha384, Sha512};

/// The label of the RFC 9266 `tls-exporter` channel binding.
const EXPORTER_LABEL: &[u8] = b"EXPORTER-Channel-Binding";

/// What the machine needs to know about a finished handshake: the protocol version, the
/// RFC 9266 `tls-exporter` binding (TLS 1.3 only) and the RFC 5929 `tls-server-end-point`
/// binding (hash of the server's certificate).
///
/// Custom [`TlsConnector`](crate::blocking::TlsConnector)s built on rustls can reuse it.
pub fn tls_info(conn: &ClientConnection) -> TlsInfo {
    let version = conn.protocol_version();
    let protocol = version.map(|v| match v {
        ProtocolVersion::TLSv1_3 => "TLSv1.3".to_owned(),
        ProtocolVersion::TLSv1_2 => "TLSv1.2".to_owned(),
        other => format!("{other:?}"),
    });
    let tls_exporter = (version == Some(ProtocolVersion::TLSv1_3))
        .then(|| {
            conn.export_keying_material([0u8; 32], EXPORTER_LABEL, None)
                .ok()
                .map(|key| key.to_vec())
        })
        .flatten();
    let tls_server_end_point = conn
        .peer_certificates()
        .and_then(|certs| certs.first())
        .map(|cert| server_end_point(cert.as_ref()));
    TlsInfo {
        tls_exporter,
        tls_server_end_point,
        protocol,
    }
}

/// RFC 5929 §4.1: the certificate hashed with its signature's hash function, where MD5 and
/// SHA-1 (and anything unknown) are replaced by SHA-256.
pub(crate) fn server_end_point(cert_der: &[u8]) -> Vec<u8> {
    match signature_hash(cert_der) {
        SignatureHash::Sha384 => Sha384::digest(cert_der).to_vec(),
        SignatureHash::Sha512 => Sha512::digest(cert_der).to_vec(),
        SignatureHash::Sha256 => Sha256::digest(cert_der).to_vec(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignatureHash {
    Sha256,
    Sha384,
    Sha512,
}

// DER of the signature algorithm OIDs whose hash is not SHA-256.
const SHA384_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
const SHA512_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
const ECDSA_WITH_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
const ECDSA_WITH_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];

/// Reads `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }` far
/// enough to find the signature algorithm's OID.
fn signature_hash(cert_der: &[u8]) -> SignatureHash {
    let oid = (|| {
        let (0x30, certificate, _) = der_element(cert_der)? else {
            return None;
        };
        let (_, _tbs, rest) = der_element(certificate)?;
        let (0x30, algorithm, _) = der_element(rest)? else {
            return None;
        };
        let (0x06, oid, _) = der_element(algorithm)? else {
            return None;
        };
        Some(oid)
    })();
    match oid {
        Some(SHA384_WITH_RSA | ECDSA_WITH_SHA384) => SignatureHash::Sha384,
        Some(SHA512_WITH_RSA | ECDSA_WITH_SHA512) => SignatureHash::Sha512,
        _ => SignatureHash::Sha256,
    }
}

/// One DER element: (tag, content, rest).
fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn der(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        if content.len() < 0x80 {
            out.push(content.len() as u8);
        } else {
            out.push(0x82);
            out.extend_from_slice(&(content.len() as u16).to_be_bytes());
        }
        out.extend_from_slice(content);
        out
    }

    fn fake_cert(oid: &[u8]) -> Vec<u8> {
        let tbs = der(0x30, &[0x55; 300]);
        let alg = der(0x30, &der(0x06, oid));
        let sig = der(0x03, &[0, 1, 2, 3]);
        der(0x30, &[tbs, alg, sig].concat())
    }

    #[test]
    fn end_point_hash_follows_the_signature_algorithm() {
        let sha256_rsa = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
        assert_eq!(server_end_point(&fake_cert(&sha256_rsa)).len(), 32);
        assert_eq!(server_end_point(&fake_cert(ECDSA_WITH_SHA384)).len(), 48);
        assert_eq!(server_end_point(&fake_cert(SHA512_WITH_RSA)).len(), 64);
        let cert = fake_cert(ECDSA_WITH_SHA384);
        assert_eq!(server_end_point(&cert), Sha384::digest(&cert).to_vec());
    }

    #[test]
    fn garbage_falls_back_to_sha256() {
        assert_eq!(server_end_point(b"").len(), 32);
        assert_eq!(server_end_point(&[0x30, 0x84, 0xff]).len(), 32);
    }
}
