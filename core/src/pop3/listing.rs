//! The data of POP3 replies: `STAT`'s drop listing, `LIST`'s scan listings, `UIDL`'s unique-id
//! listings (RFC 1939 §5, §7) and `LANG`'s language listing (RFC 6856 §3).

use bytes::Bytes;

use crate::error::{Error, excerpt};

/// Longest unique-id (RFC 1939 §7: 1 to 70 characters `0x21`–`0x7E`).
const MAX_UID: usize = 70;

/// One message in a `LIST` reply: its number and size in octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListEntry {
    /// The message number (1-based, stable for the session).
    pub message: u32,
    /// The size in octets as the server counts it (with CRLF line ends, before byte-stuffing).
    pub size: u64,
}

/// One message in a `UIDL` reply: its number and unique-id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UidEntry {
    /// The message number (1-based, stable for the session).
    pub message: u32,
    /// The unique-id, stable across sessions: 1 to 70 printable ASCII characters.
    pub uid: String,
}

/// One language in a `LANG` listing (RFC 6856 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    /// The language tag (e.g. `en`, `de-CH`).
    pub tag: String,
    /// The server's description of it (raw, untrusted UTF-8 bytes).
    pub description: Bytes,
}

fn malformed(what: &str, line: &[u8]) -> Error {
    Error::MalformedReply(format!("{what}: \"{}\"", excerpt(line)))
}

/// Splits at single spaces and reads the first two words; the rest is ignored (RFC 1939
/// allows servers to add information after a scan listing).
fn two_words(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
    Some((words.next()?, words.next()?))
}

fn number<T: std::str::FromStr>(word: &[u8]) -> Option<T> {
    if word.is_empty() || !word.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(word).ok()?.parse().ok()
}

fn message_number(word: &[u8]) -> Option<u32> {
    number::<u32>(word).filter(|&n| n > 0)
}

/// `+OK nn mm` of `STAT`: message count and mailbox size.
pub(crate) fn stat(text: &[u8]) -> Result<(u32, u64), Error> {
    two_words(text)
        .and_then(|(count, size)| Some((number(count)?, number(size)?)))
        .ok_or_else(|| malformed("malformed STAT reply", text))
}

/// A scan listing `msg size` (a `LIST` line or the text of `+OK` after `LIST n`).
pub(crate) fn list_entry(line: &[u8]) -> Result<ListEntry, Error> {
    two_words(line)
        .and_then(|(message, size)| {
            Some(ListEntry {
                message: message_number(message)?,
                size: number(size)?,
            })
        })
        .ok_or_else(|| malformed("malformed scan listing", line))
}

/// A unique-id listing `msg uid` (a `UIDL` line or the text of `+OK` after `UIDL n`).
pub(crate) fn uid_entry(line: &[u8]) -> Result<UidEntry, Error> {
    two_words(line)
        .and_then(|(message, uid)| {
            let valid = uid.len() <= MAX_UID && uid.iter().all(|&b| (0x21..=0x7e).contains(&b));
            Some(UidEntry {
                message: message_number(message)?,
                uid: valid.then(|| String::from_utf8_lossy(uid).into_owned())?,
            })
        })
        .ok_or_else(|| malformed("malformed unique-id listing", line))
}

/// A language listing line `tag SP description`.
pub(crate) fn language(line: &[u8]) -> Result<Language, Error> {
    let (tag, description) = match line.iter().position(|&b| b == b' ') {
        Some(i) => (&line[..i], &line[i + 1..]),
        None => (line, &b""[..]),
    };
    let valid = !tag.is_empty()
        && tag.len() <= 64
        && tag
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'*');
    if !valid {
        return Err(malformed("malformed language listing", line));
    }
    Ok(Language {
        tag: String::from_utf8_lossy(tag).into_owned(),
        description: Bytes::copy_from_slice(description),
    })
}

/// The octet count in `RETR`/`TOP`'s `+OK` text, when it starts with one (`+OK 120 octets`).
pub(crate) fn octets(text: &[u8]) -> Option<u64> {
    let word = text.split(|&b| b == b' ').next()?;
    number(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_and_listings() {
        assert_eq!(stat(b"2 320").unwrap(), (2, 320));
        assert_eq!(stat(b"0 0 extra").unwrap(), (0, 0));
        assert!(stat(b"2").is_err());
        assert!(stat(b"-2 320").is_err());
        assert_eq!(
            list_entry(b"1 120").unwrap(),
            ListEntry {
                message: 1,
                size: 120
            }
        );
        assert!(list_entry(b"0 120").is_err());
        assert!(list_entry(b"1 12x").is_err());
        assert!(list_entry(b"99999999999 1").is_err());
        assert_eq!(
            uid_entry(b"2 QhdPYR:00WBw1Ph7x7").unwrap(),
            UidEntry {
                message: 2,
                uid: "QhdPYR:00WBw1Ph7x7".into()
            }
        );
        assert!(uid_entry(&[b"1 ".as_slice(), &[b'a'; 71]].concat()).is_err());
        assert!(uid_entry(b"1 caf\xc3\xa9").is_err());
        assert!(uid_entry(b"1").is_err());
    }

    #[test]
    fn languages_and_octets() {
        let l = language(b"de Deutsch").unwrap();
        assert_eq!(l.tag, "de");
        assert_eq!(&l.description[..], b"Deutsch");
        assert_eq!(language(b"i-default").unwrap().description, "");
        assert!(language(b"e\x1bn x").is_err());
        assert_eq!(octets(b"120 octets"), Some(120));
        assert_eq!(octets(b"message follows"), None);
    }
}
