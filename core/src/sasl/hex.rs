//! Lowercase hexadecimal, as CRAM-MD5 and DIGEST-MD5 write digests.

/// `bytes` as lowercase hex digits.
pub(super) fn lower(bytes: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(2 * bytes.len());
    for byte in bytes {
        out.push(HEX[usize::from(byte >> 4)]);
        out.push(HEX[usize::from(byte & 0x0f)]);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn lowercase_pairs() {
        assert_eq!(super::lower(&[0x00, 0x0f, 0xa0, 0xff]), b"000fa0ff");
        assert_eq!(super::lower(&[]), b"");
    }
}
