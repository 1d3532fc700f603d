//! NTLM messages (MS-NLMP §2.2): NEGOTIATE out, CHALLENGE in, AUTHENTICATE out, and the
//! AV pairs of the target information.

use super::SaslError;

const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";

pub(super) const NEGOTIATE_UNICODE: u32 = 0x0000_0001;
const NEGOTIATE_OEM: u32 = 0x0000_0002;
const REQUEST_TARGET: u32 = 0x0000_0004;
const NEGOTIATE_NTLM: u32 = 0x0000_0200;
const NEGOTIATE_ALWAYS_SIGN: u32 = 0x0000_8000;
const NEGOTIATE_EXTENDED_SESSIONSECURITY: u32 = 0x0008_0000;
const NEGOTIATE_TARGET_INFO: u32 = 0x0080_0000;
const NEGOTIATE_VERSION: u32 = 0x0200_0000;
const NEGOTIATE_128: u32 = 0x2000_0000;
const NEGOTIATE_56: u32 = 0x8000_0000;

/// What the client asks for: Unicode, NTLM with extended session security (NTLMv2), target
/// information, version. No signing, sealing or key exchange: SASL NTLM only authenticates.
pub(super) const CLIENT_FLAGS: u32 = NEGOTIATE_UNICODE
    | NEGOTIATE_OEM
    | REQUEST_TARGET
    | NEGOTIATE_NTLM
    | NEGOTIATE_ALWAYS_SIGN
    | NEGOTIATE_EXTENDED_SESSIONSECURITY
    | NEGOTIATE_TARGET_INFO
    | NEGOTIATE_VERSION
    | NEGOTIATE_128
    | NEGOTIATE_56;

/// The VERSION structure: Windows 10.0 build 19041, NTLM revision 15.
const VERSION: [u8; 8] = [10, 0, 0x61, 0x4a, 0, 0, 0, 15];

pub(super) const AV_EOL: u16 = 0;
pub(super) const AV_FLAGS: u16 = 6;
pub(super) const AV_TIMESTAMP: u16 = 7;
/// MsvAvFlags bit: the AUTHENTICATE message carries a MIC.
pub(super) const AV_FLAG_MIC: u32 = 0x2;

/// Offset of the MIC inside our AUTHENTICATE message.
pub(super) const MIC_OFFSET: usize = 72;
const AUTHENTICATE_HEADER: usize = MIC_OFFSET + 16;

/// The NEGOTIATE message: flags and version, no domain or workstation.
pub(super) fn negotiate() -> Vec<u8> {
    let mut out = Vec::with_capacity(40);
    out.extend_from_slice(SIGNATURE);
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&CLIENT_FLAGS.to_le_bytes());
    for _ in 0..2 {
        // Empty domain and workstation fields, pointing at the end.
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&40u32.to_le_bytes());
    }
    out.extend_from_slice(&VERSION);
    out
}

/// What the CHALLENGE message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Challenge {
    pub(super) flags: u32,
    pub(super) server_challenge: [u8; 8],
    /// The target information AV pairs, without MsvAvEOL.
    pub(super) av_pairs: Vec<(u16, Vec<u8>)>,
}

impl Challenge {
    /// Reads a CHALLENGE message; every offset is checked against the message.
    pub(super) fn parse(message: &[u8]) -> Result<Self, SaslError> {
        let invalid = SaslError::InvalidChallenge;
        if message.len() < 32 || &message[..8] != SIGNATURE {
            return Err(invalid("not an NTLM message"));
        }
        if u32_at(message, 8) != Some(2) {
            return Err(invalid("not an NTLM CHALLENGE message"));
        }
        let flags = u32_at(message, 20).ok_or(invalid("NTLM CHALLENGE too short"))?;
        if flags & NEGOTIATE_UNICODE == 0 {
            return Err(invalid("NTLM server does not offer Unicode"));
        }
        let mut server_challenge = [0u8; 8];
        server_challenge.copy_from_slice(&message[24..32]);
        let target_info = if flags & NEGOTIATE_TARGET_INFO != 0 {
            field(message, 40).ok_or(invalid("NTLM target information out of bounds"))?
        } else {
            &[]
        };
        Ok(Challenge {
            flags,
            server_challenge,
            av_pairs: parse_av_pairs(target_info)?,
        })
    }

    /// The server's MsvAvTimestamp, if it sent one.
    pub(super) fn timestamp(&self) -> Option<[u8; 8]> {
        self.av_pairs
            .iter()
            .find(|(id, _)| *id == AV_TIMESTAMP)
            .and_then(|(_, v)| v.as_slice().try_into().ok())
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The payload a security buffer (length, max length, offset) at `at` points to.
fn field(message: &[u8], at: usize) -> Option<&[u8]> {
    let len = usize::from(u16_at(message, at)?);
    let offset = usize::try_from(u32_at(message, at + 4)?).ok()?;
    message.get(offset..offset.checked_add(len)?)
}

/// AV pairs up to MsvAvEOL (or the end of the data).
fn parse_av_pairs(mut data: &[u8]) -> Result<Vec<(u16, Vec<u8>)>, SaslError> {
    let mut pairs = Vec::new();
    while data.len() >= 4 {
        let id = u16_at(data, 0).unwrap_or(AV_EOL);
        let len = usize::from(u16_at(data, 2).unwrap_or(0));
        if id == AV_EOL {
            break;
        }
        let value = data
            .get(4..4 + len)
            .ok_or(SaslError::InvalidChallenge("NTLM AV pair out of bounds"))?;
        pairs.push((id, value.to_vec()));
        data = &data[4 + len..];
    }
    Ok(pairs)
}

/// AV pairs as bytes, MsvAvEOL appended.
pub(super) fn encode_av_pairs(pairs: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (id, value) in pairs {
        out.extend_from_slice(&id.to_le_bytes());
        // Values come from a message whose lengths were u16, or are our own few bytes.
        out.extend_from_slice(&u16::try_from(value.len()).unwrap_or(u16::MAX).to_le_bytes());
        out.extend_from_slice(value);
    }
    out.extend_from_slice(&[0, 0, 0, 0]);
    out
}

/// The AUTHENTICATE message's variable parts.
pub(super) struct Authenticate<'a> {
    pub(super) flags: u32,
    pub(super) lm_response: &'a [u8],
    pub(super) nt_response: &'a [u8],
    pub(super) domain: &'a [u8],
    pub(super) user: &'a [u8],
    pub(super) workstation: &'a [u8],
}

impl Authenticate<'_> {
    /// The message with a zero MIC (filled in by the caller at [`MIC_OFFSET`]).
    ///
    /// # Errors
    ///
    /// [`SaslError::InvalidChallenge`] when a part does not fit a 16-bit length (a target
    /// information too large to echo).
    pub(super) fn encode(&self) -> Result<Vec<u8>, SaslError> {
        let parts = [
            self.lm_response,
            self.nt_response,
            self.domain,
            self.user,
            self.workstation,
            &[],
        ];
        let total: usize = AUTHENTICATE_HEADER + parts.iter().map(|p| p.len()).sum::<usize>();
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(SIGNATURE);
        out.extend_from_slice(&3u32.to_le_bytes());
        let mut offset = AUTHENTICATE_HEADER;
        for part in parts {
            let len = u16::try_from(part.len())
                .map_err(|_| SaslError::InvalidChallenge("NTLM message too large"))?;
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&u32::try_from(offset).unwrap_or(u32::MAX).to_le_bytes());
            offset += part.len();
        }
        out.extend_from_slice(&self.flags.to_le_bytes());
        out.extend_from_slice(&VERSION);
        out.extend_from_slice(&[0u8; 16]);
        for part in parts {
            out.extend_from_slice(part);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiate_layout() {
        let m = negotiate();
        assert_eq!(m.len(), 40);
        assert_eq!(&m[..12], b"NTLMSSP\0\x01\0\0\0");
        assert_eq!(u32_at(&m, 12), Some(0xa288_8207));
    }

    #[test]
    fn hostile_challenges_are_refused_without_panic() {
        let mut good = Vec::from(&b"NTLMSSP\0\x02\0\0\0"[..]);
        good.extend_from_slice(&[0; 8]); // target name
        good.extend_from_slice(&(NEGOTIATE_UNICODE | NEGOTIATE_TARGET_INFO).to_le_bytes());
        good.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        good.extend_from_slice(&[0; 8]);
        good.extend_from_slice(&[8, 0, 8, 0, 48, 0, 0, 0]);
        good.extend_from_slice(&[7, 0, 4, 0, 9, 9, 9, 9]);
        let c = Challenge::parse(&good).unwrap();
        assert_eq!(c.server_challenge, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(c.av_pairs, vec![(7, vec![9, 9, 9, 9])]);
        assert_eq!(c.timestamp(), None); // 4 bytes: not a FILETIME
        for cut in 0..good.len() {
            let _ = Challenge::parse(&good[..cut]);
        }
        let mut bad = good.clone();
        bad[44] = 200; // offset past the end
        assert!(Challenge::parse(&bad).is_err());
        let mut bad = good.clone();
        bad[50] = 60; // AV pair length past the end
        assert!(Challenge::parse(&bad).is_err());
        let mut bad = good.clone();
        bad[44] = 0xff;
        bad[45] = 0xff;
        bad[46] = 0xff;
        bad[47] = 0xff; // offset overflow
        assert!(Challenge::parse(&bad).is_err());
        let mut oem = good.clone();
        oem[20] = 0x02;
        assert!(Challenge::parse(&oem).is_err());
        assert!(Challenge::parse(b"NTLMSSP\0\x01\0\0\0").is_err());
    }
}
