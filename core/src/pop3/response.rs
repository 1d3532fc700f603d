//! POP3 status lines (`+OK`, `-ERR`, the SASL continuation `+`), response codes (RFC 2449 §8,
//! RFC 3206, RFC 6856) and the greeting with its APOP timestamp (RFC 1939 §7).
//!
//! Server text is untrusted: it is kept as raw bytes (terminal escapes included) and only the
//! `Display` implementations replace control characters.

use std::fmt;

use bytes::Bytes;

use crate::error::{Error, excerpt};

/// A response code in brackets at the start of a `-ERR` text (RFC 2449 §8).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RespCode {
    /// `[IN-USE]`: the mailbox is locked by another session (RFC 2449 §8.1.2).
    InUse,
    /// `[LOGIN-DELAY]`: logged in too recently (RFC 2449 §8.1.1).
    LoginDelay,
    /// `[SYS/TEMP]`: a transient system problem; try again later (RFC 3206 §4).
    SysTemp,
    /// `[SYS/PERM]`: a permanent system problem (RFC 3206 §4).
    SysPerm,
    /// `[AUTH]`: the credentials are wrong (RFC 3206 §5).
    Auth,
    /// `[UTF8]`: the mailbox or user name needs UTF-8 mode (RFC 6856 §2.1).
    Utf8,
    /// Any other code, in upper case as written (hierarchy kept: `A/B`).
    Other(String),
}

impl RespCode {
    fn parse(code: &str) -> RespCode {
        let upper = code.to_ascii_uppercase();
        match upper.as_str() {
            "IN-USE" => RespCode::InUse,
            "LOGIN-DELAY" => RespCode::LoginDelay,
            "SYS/TEMP" => RespCode::SysTemp,
            "SYS/PERM" => RespCode::SysPerm,
            "AUTH" => RespCode::Auth,
            "UTF8" => RespCode::Utf8,
            _ => RespCode::Other(upper),
        }
    }

    /// The code as written on the wire, without brackets.
    pub fn as_str(&self) -> &str {
        match self {
            RespCode::InUse => "IN-USE",
            RespCode::LoginDelay => "LOGIN-DELAY",
            RespCode::SysTemp => "SYS/TEMP",
            RespCode::SysPerm => "SYS/PERM",
            RespCode::Auth => "AUTH",
            RespCode::Utf8 => "UTF8",
            RespCode::Other(s) => s,
        }
    }

    /// Whether retrying later may succeed: `[IN-USE]`, `[LOGIN-DELAY]` and `[SYS/TEMP]`.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            RespCode::InUse | RespCode::LoginDelay | RespCode::SysTemp
        )
    }
}

impl fmt::Display for RespCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.as_str())
    }
}

/// A `-ERR` reply: the server refused a command.
///
/// ```
/// use mail_kit_core::pop3::{Refusal, RespCode};
///
/// let r = Refusal::parse(b"[IN-USE] Mailbox locked by \x1b[31manother session");
/// assert_eq!(r.code, Some(RespCode::InUse));
/// assert_eq!(&r.text[..], b"Mailbox locked by \x1b[31manother session"); // raw, untrusted
/// assert_eq!(r.to_string(), "-ERR [IN-USE] Mailbox locked by \u{FFFD}[31manother session");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The response code, when the text starts with one.
    pub code: Option<RespCode>,
    /// The text after `-ERR ` and the code: raw, untrusted bytes (may hold terminal escapes).
    pub text: Bytes,
}

impl Refusal {
    /// Reads the text after `-ERR `: a leading `[CODE]` becomes [`Refusal::code`]. A bracket
    /// that is not a well-formed code stays in the text.
    pub fn parse(text: &[u8]) -> Refusal {
        let (code, text) = split_code(text);
        Refusal {
            code,
            text: Bytes::copy_from_slice(text),
        }
    }
}

impl fmt::Display for Refusal {
    /// `-ERR [CODE] text`, control characters replaced by U+FFFD.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("-ERR")?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if !self.text.is_empty() {
            f.write_str(" ")?;
            printable(f, &self.text)?;
        }
        Ok(())
    }
}

/// Writes untrusted text with control characters replaced by U+FFFD.
pub(crate) fn printable(f: &mut fmt::Formatter<'_>, text: &[u8]) -> fmt::Result {
    for c in String::from_utf8_lossy(text).chars() {
        let c = if c.is_control() { '\u{FFFD}' } else { c };
        write!(f, "{c}")?;
    }
    Ok(())
}

/// Splits `[CODE] rest` (RFC 2449: `"[" resp-code "]"`, the code being atoms separated by `/`).
fn split_code(text: &[u8]) -> (Option<RespCode>, &[u8]) {
    let Some(inner) = text.strip_prefix(b"[") else {
        return (None, text);
    };
    let Some(end) = inner.iter().position(|&b| b == b']') else {
        return (None, text);
    };
    let code = &inner[..end];
    let atom_byte = |b: &u8| b.is_ascii_graphic() && !matches!(b, b'[' | b']' | b'/');
    let well_formed = code
        .split(|&b| b == b'/')
        .all(|atom| !atom.is_empty() && atom.iter().all(atom_byte));
    if !well_formed || code.len() > 64 {
        return (None, text);
    }
    let rest = &inner[end + 1..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    // The atoms are ASCII, checked above.
    let code = RespCode::parse(&String::from_utf8_lossy(code));
    (Some(code), rest)
}

/// One POP3 status line, classified.
///
/// ```
/// use mail_kit_core::pop3::{RespCode, StatusLine};
///
/// assert_eq!(StatusLine::parse(b"+OK 2 320").unwrap(), StatusLine::Ok("2 320".into()));
/// let StatusLine::Err(refusal) = StatusLine::parse(b"-ERR [IN-USE] locked").unwrap() else {
///     panic!()
/// };
/// assert_eq!(refusal.code, Some(RespCode::InUse));
/// assert!(StatusLine::parse(b"250 OK").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusLine {
    /// `+OK text`.
    Ok(Bytes),
    /// `-ERR text`.
    Err(Refusal),
    /// `+ base64` (a SASL challenge, RFC 5034) or a bare `+`.
    Continue(Bytes),
}

impl StatusLine {
    /// Classifies a status line (`line` without its line end).
    ///
    /// # Errors
    ///
    /// [`Error::MalformedReply`] when the line starts with neither `+OK`, `-ERR` nor `+`
    /// (each followed by a space or the end of the line).
    pub fn parse(line: &[u8]) -> Result<StatusLine, Error> {
        parse_status(line)
    }
}

/// Classifies a status line (`line` without its line end).
pub(crate) fn parse_status(line: &[u8]) -> Result<StatusLine, Error> {
    let after = |prefix: &[u8]| -> Option<&[u8]> {
        let head = line.get(..prefix.len())?;
        if !head.eq_ignore_ascii_case(prefix) {
            return None;
        }
        let rest = &line[prefix.len()..];
        match rest.first() {
            None => Some(rest),
            Some(b' ') => Some(&rest[1..]),
            Some(_) => None,
        }
    };
    if let Some(text) = after(b"+OK") {
        return Ok(StatusLine::Ok(Bytes::copy_from_slice(text)));
    }
    if let Some(text) = after(b"-ERR") {
        return Ok(StatusLine::Err(Refusal::parse(text)));
    }
    if let Some(text) = after(b"+") {
        return Ok(StatusLine::Continue(Bytes::copy_from_slice(text)));
    }
    Err(Error::MalformedReply(format!(
        "not a POP3 status line: \"{}\"",
        excerpt(line)
    )))
}

/// Finds the first complete line in `buf`: returns the length of its content (without `CRLF`
/// or a bare `LF`) and the number of bytes it takes with its line end.
///
/// # Errors
///
/// [`Error::LineTooLong`] when a line (or the incomplete line so far) exceeds `max`.
pub(crate) fn find_line(buf: &[u8], max: usize) -> Result<Option<(usize, usize)>, Error> {
    let window = &buf[..buf.len().min(max)];
    match memchr::memchr(b'\n', window) {
        Some(lf) => {
            let content = if lf > 0 && buf[lf - 1] == b'\r' {
                lf - 1
            } else {
                lf
            };
            Ok(Some((content, lf + 1)))
        }
        None if buf.len() >= max => Err(Error::LineTooLong { limit: max }),
        None => Ok(None),
    }
}

/// The server greeting: `+OK text`, maybe with an APOP timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting {
    /// The text after `+OK ` (raw, untrusted bytes).
    pub text: Bytes,
    /// The APOP timestamp `<…@…>` in the text (RFC 1939 §7), brackets included, when there is
    /// a well-formed one: printable ASCII without spaces or further brackets, with an `@`.
    pub apop_timestamp: Option<String>,
}

impl Greeting {
    /// Reads a greeting's text (after `+OK `).
    ///
    /// ```
    /// use mail_kit_core::pop3::Greeting;
    ///
    /// let g = Greeting::parse(b"POP3 server ready <1896.697170952@dbc.mtview.ca.us>");
    /// assert_eq!(g.apop_timestamp.as_deref(), Some("<1896.697170952@dbc.mtview.ca.us>"));
    /// assert_eq!(Greeting::parse(b"ready <no-at-sign>").apop_timestamp, None);
    /// assert_eq!(Greeting::parse(b"ready <a b@c>").apop_timestamp, None);
    /// ```
    pub fn parse(text: &[u8]) -> Greeting {
        Greeting {
            text: Bytes::copy_from_slice(text),
            apop_timestamp: apop_timestamp(text),
        }
    }
}

/// Longest APOP timestamp accepted (RFC 1939 bounds the whole line to 512 octets).
const MAX_TIMESTAMP: usize = 256;

fn apop_timestamp(text: &[u8]) -> Option<String> {
    let start = memchr::memchr(b'<', text)?;
    let len = memchr::memchr(b'>', &text[start..])? + 1;
    let stamp = &text[start..start + len];
    let inner = &stamp[1..len - 1];
    let valid = len <= MAX_TIMESTAMP
        && inner.contains(&b'@')
        && inner
            .iter()
            .all(|&b| b.is_ascii_graphic() && b != b'<' && b != b'>');
    valid.then(|| String::from_utf8_lossy(stamp).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(
            parse_status(b"+OK 2 320").unwrap(),
            StatusLine::Ok(Bytes::from_static(b"2 320"))
        );
        assert_eq!(parse_status(b"+ok").unwrap(), StatusLine::Ok(Bytes::new()));
        assert_eq!(
            parse_status(b"+ dGVzdA==").unwrap(),
            StatusLine::Continue(Bytes::from_static(b"dGVzdA=="))
        );
        assert_eq!(
            parse_status(b"+").unwrap(),
            StatusLine::Continue(Bytes::new())
        );
        assert_eq!(
            parse_status(b"-ERR [SYS/TEMP] try later").unwrap(),
            StatusLine::Err(Refusal {
                code: Some(RespCode::SysTemp),
                text: Bytes::from_static(b"try later")
            })
        );
        for bad in [&b"+OKAY"[..], b"-ERROR", b"OK", b"", b"250 ok", b"+OK\0"] {
            assert!(
                matches!(parse_status(bad), Err(Error::MalformedReply(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn response_codes() {
        let code = |t: &[u8]| Refusal::parse(t).code;
        assert_eq!(code(b"[IN-USE] locked"), Some(RespCode::InUse));
        assert_eq!(code(b"[LOGIN-DELAY] wait"), Some(RespCode::LoginDelay));
        assert_eq!(code(b"[SYS/PERM] gone"), Some(RespCode::SysPerm));
        assert_eq!(code(b"[AUTH] bad password"), Some(RespCode::Auth));
        assert_eq!(code(b"[utf8]"), Some(RespCode::Utf8));
        assert_eq!(
            code(b"[X-VENDOR/SUB] hm"),
            Some(RespCode::Other("X-VENDOR/SUB".into()))
        );
        for none in [
            &b"no code"[..],
            b"[] empty",
            b"[A B] space",
            b"[open",
            b"[A//B] x",
        ] {
            let r = Refusal::parse(none);
            assert_eq!(r.code, None, "{none:?}");
            assert_eq!(&r.text[..], none);
        }
        assert!(RespCode::InUse.is_transient());
        assert!(!RespCode::Auth.is_transient());
        assert_eq!(RespCode::SysTemp.to_string(), "[SYS/TEMP]");
    }

    #[test]
    fn lines_are_bounded() {
        assert_eq!(find_line(b"+OK\r\nrest", 10).unwrap(), Some((3, 5)));
        assert_eq!(find_line(b"+OK\nrest", 10).unwrap(), Some((3, 4)));
        assert_eq!(find_line(b"+OK", 10).unwrap(), None);
        assert_eq!(
            find_line(b"0123456789", 10),
            Err(Error::LineTooLong { limit: 10 })
        );
        assert_eq!(
            find_line(b"0123456789\r\n", 10),
            Err(Error::LineTooLong { limit: 10 })
        );
        assert_eq!(find_line(b"01234567\r\n", 10).unwrap(), Some((8, 10)));
    }

    #[test]
    fn apop_timestamps() {
        let t = |s: &[u8]| Greeting::parse(s).apop_timestamp;
        assert_eq!(t(b"<a@b>").as_deref(), Some("<a@b>"));
        assert_eq!(t(b"x <1.2@h> y <3@h>").as_deref(), Some("<1.2@h>"));
        assert_eq!(t(b"no stamp"), None);
        assert_eq!(t(b"<unterminated@h"), None);
        assert_eq!(t(b"<a\x1b@b>"), None);
        let long = [b"<".as_slice(), &[b'a'; 300], b"@b>"].concat();
        assert_eq!(t(&long), None);
    }
}
