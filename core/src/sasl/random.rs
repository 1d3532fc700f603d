//! Client nonces from the operating system's random source.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use super::SaslError;

/// `N` random bytes.
pub(super) fn bytes<const N: usize>() -> Result<[u8; N], SaslError> {
    let mut out = [0u8; N];
    getrandom::getrandom(&mut out).map_err(|_| SaslError::NoRandomness)?;
    Ok(out)
}

/// A printable nonce of 24 random bytes (32 base64 characters, never `,` or `"`).
pub(super) fn nonce() -> Result<String, SaslError> {
    Ok(STANDARD_NO_PAD.encode(bytes::<24>()?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn nonces_are_printable_and_differ() {
        let a = super::nonce().unwrap();
        let b = super::nonce().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_graphic() && c != b',' && c != b'"')
        );
    }
}
