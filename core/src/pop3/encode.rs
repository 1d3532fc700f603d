//! The one place where POP3 command lines are built.
//!
//! Every function validates its arguments before it produces a byte: CR, LF, NUL, every other
//! control character and DEL are refused ([`UsageError::ForbiddenCharacter`]), so are spaces
//! where the grammar separates arguments by spaces (only `PASS` takes a space, RFC 1939 §7),
//! and a command line may not exceed 255 octets (RFC 2449 §4).

use md5::{Digest, Md5};
use zeroize::Zeroizing;

use bytes::Bytes;

use crate::UsageError;

/// Longest command line, CRLF included (RFC 2449 §4).
const MAX_COMMAND_LINE: usize = 255;

/// Checks one argument: not empty, no control character, a space only when `spaces`.
fn check(what: &'static str, arg: &[u8], spaces: bool) -> Result<(), UsageError> {
    if arg.is_empty() {
        return Err(UsageError::InvalidArgument {
            what,
            reason: "empty",
        });
    }
    if arg
        .iter()
        .any(|&b| b < 0x20 || b == 0x7f || (b == b' ' && !spaces))
    {
        return Err(UsageError::ForbiddenCharacter { what });
    }
    Ok(())
}

/// `VERB arg…CRLF` from checked parts.
fn line(verb: &'static str, args: &[&[u8]]) -> Result<Bytes, UsageError> {
    let len = verb.len() + args.iter().map(|a| a.len() + 1).sum::<usize>() + 2;
    if len > MAX_COMMAND_LINE {
        return Err(UsageError::InvalidArgument {
            what: "command",
            reason: "longer than 255 octets",
        });
    }
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(verb.as_bytes());
    for arg in args {
        out.push(b' ');
        out.extend_from_slice(arg);
    }
    out.extend_from_slice(b"\r\n");
    Ok(Bytes::from(out))
}

/// A command without arguments: `STAT`, `NOOP`, `RSET`, `QUIT`, `CAPA`, `STLS`, `UTF8`, `LANG`,
/// `LIST`, `UIDL`.
pub(crate) fn simple(verb: &'static str) -> Bytes {
    Bytes::from(format!("{verb}\r\n"))
}

/// A command with message numbers: `RETR n`, `DELE n`, `LIST n`, `UIDL n`, `TOP n lines`.
/// Message numbers start at 1.
pub(crate) fn numbers(
    verb: &'static str,
    message: u32,
    more: Option<u32>,
) -> Result<Bytes, UsageError> {
    if message == 0 {
        return Err(UsageError::InvalidArgument {
            what: "message number",
            reason: "message numbers start at 1",
        });
    }
    let message = message.to_string();
    let more = more.map(|n| n.to_string());
    let mut args = vec![message.as_bytes()];
    args.extend(more.as_ref().map(|m| m.as_bytes()));
    line(verb, &args)
}

/// `LANG tag` (RFC 6856 §3): a language tag or `*`.
pub(crate) fn lang(tag: &str) -> Result<Bytes, UsageError> {
    check("language tag", tag.as_bytes(), false)?;
    if !tag
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'*')
    {
        return Err(UsageError::InvalidArgument {
            what: "language tag",
            reason: "only letters, digits, '-' and '*'",
        });
    }
    line("LANG", &[tag.as_bytes()])
}

/// `USER name`.
pub(crate) fn user(name: &str) -> Result<Bytes, UsageError> {
    check("user name", name.as_bytes(), false)?;
    line("USER", &[name.as_bytes()])
}

/// `PASS secret` (a password may hold spaces). The line is a secret: the caller keeps it out
/// of logs and `Debug`.
pub(crate) fn pass(password: &str) -> Result<Zeroizing<Vec<u8>>, UsageError> {
    check("password", password.as_bytes(), true)?;
    let built = line("PASS", &[password.as_bytes()])?;
    Ok(Zeroizing::new(built.to_vec()))
}

/// `APOP name digest` where digest is the lower-case hex MD5 of `timestamp` and `secret`
/// (RFC 1939 §7).
pub(crate) fn apop(name: &str, timestamp: &str, secret: &str) -> Result<Bytes, UsageError> {
    check("user name", name.as_bytes(), false)?;
    check("password", secret.as_bytes(), true)?;
    let mut md5 = Md5::new();
    md5.update(timestamp.as_bytes());
    md5.update(secret.as_bytes());
    let digest: String = md5.finalize().iter().map(|b| format!("{b:02x}")).collect();
    line("APOP", &[name.as_bytes(), digest.as_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forbidden(what: &'static str) -> UsageError {
        UsageError::ForbiddenCharacter { what }
    }

    #[test]
    fn lines() {
        assert_eq!(simple("STAT"), "STAT\r\n");
        assert_eq!(numbers("RETR", 7, None).unwrap(), "RETR 7\r\n");
        assert_eq!(numbers("TOP", 1, Some(0)).unwrap(), "TOP 1 0\r\n");
        assert!(numbers("DELE", 0, None).is_err());
        assert_eq!(lang("de-CH").unwrap(), "LANG de-CH\r\n");
        assert_eq!(lang("*").unwrap(), "LANG *\r\n");
        assert_eq!(user("mrose").unwrap(), "USER mrose\r\n");
        assert_eq!(&pass("my secret").unwrap()[..], b"PASS my secret\r\n");
        assert_eq!(user("j\u{f6}rg").unwrap(), "USER j\u{f6}rg\r\n");
    }

    #[test]
    fn apop_rfc1939_example() {
        // RFC 1939 §7.
        assert_eq!(
            apop("mrose", "<1896.697170952@dbc.mtview.ca.us>", "tanstaaf").unwrap(),
            "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"
        );
    }

    #[test]
    fn injections_yield_no_bytes() {
        assert_eq!(user("a\r\nDELE 1").unwrap_err(), forbidden("user name"));
        assert_eq!(user("a b").unwrap_err(), forbidden("user name"));
        assert_eq!(user("a\0").unwrap_err(), forbidden("user name"));
        assert_eq!(pass("p\r\nDELE 1").unwrap_err(), forbidden("password"));
        assert_eq!(pass("p\n").unwrap_err(), forbidden("password"));
        assert_eq!(
            apop("a\rb", "<a@b>", "s").unwrap_err(),
            forbidden("user name")
        );
        assert_eq!(
            apop("a", "<a@b>", "s\0").unwrap_err(),
            forbidden("password")
        );
        assert_eq!(lang("en\r\nDELE 1").unwrap_err(), forbidden("language tag"));
        assert!(lang("en_US").is_err());
        assert!(user("").is_err());
        assert!(user(&"x".repeat(300)).is_err());
    }
}
