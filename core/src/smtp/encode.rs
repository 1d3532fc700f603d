//! The one place where SMTP command lines are built.
//!
//! Every function validates all of its arguments before it produces a byte: CR, LF, NUL and
//! every other control character are refused ([`UsageError::ForbiddenCharacter`]), and a
//! command line may not exceed 512 octets (RFC 5321 §4.5.3.1.4), plus the allowance the
//! extensions in use add for their parameters. The building blocks ([`Address`],
//! [`ClientName`]) are validated at construction; a final check of the whole line backs that up.

use std::fmt::Write as _;

use bytes::Bytes;

use super::address::{Address, ClientName};
use super::capabilities::Capabilities;
use super::params::{self, BodyType, MailParameters, RcptParameters};
use crate::UsageError;

/// Longest command line, CRLF included (RFC 5321 §4.5.3.1.4).
const MAX_COMMAND_LINE: usize = 512;
/// What `SIZE=` may add to `MAIL FROM` (RFC 1870).
const ALLOW_SIZE: usize = 26;
/// What `BODY=` may add (` BODY=BINARYMIME`).
const ALLOW_BODY: usize = 16;
/// What `SMTPUTF8` may add (RFC 6531 §3.4).
const ALLOW_SMTPUTF8: usize = 10;
/// What `RET=` and `ENVID=` may add to `MAIL FROM` (RFC 3461: 100 for ENVID, plus ` RET=HDRS`).
const ALLOW_DSN_MAIL: usize = 110;
/// What `REQUIRETLS` may add (` REQUIRETLS`).
const ALLOW_REQUIRETLS: usize = 11;
/// What `NOTIFY=` and `ORCPT=` may add to `RCPT TO` (RFC 3461).
const ALLOW_DSN_RCPT: usize = 500;
/// Longest `ENVID` before encoding (RFC 3461 §4.4).
const MAX_ENVID: usize = 100;
/// Longest `ORCPT` value, `addr-type;` and encoding included (RFC 3461 §4.2).
const MAX_ORCPT: usize = 500;

/// Rejects CR, LF, NUL, tab, every other C0 control and DEL in a command argument.
pub(crate) fn validate_line(what: &'static str, s: &[u8]) -> Result<(), UsageError> {
    if s.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Err(UsageError::ForbiddenCharacter { what });
    }
    Ok(())
}

/// Checks a built command line (without its CRLF) against `limit` and appends the CRLF.
fn finish(mut line: String, limit: usize) -> Result<Bytes, UsageError> {
    if line.len() + 2 > limit {
        return Err(UsageError::InvalidArgument {
            what: "command",
            reason: "longer than 512 octets",
        });
    }
    validate_line("command", line.as_bytes())?;
    line.push_str("\r\n");
    Ok(Bytes::from(line))
}

/// `EHLO name`.
pub(crate) fn ehlo(name: &ClientName) -> Bytes {
    Bytes::from(format!("EHLO {}\r\n", name.as_str()))
}

/// `HELO name`.
pub(crate) fn helo(name: &ClientName) -> Bytes {
    Bytes::from(format!("HELO {}\r\n", name.as_str()))
}

/// A command without arguments: `NOOP`, `RSET`, `QUIT`, `STARTTLS`, `DATA`.
pub(crate) fn simple(verb: &'static str) -> Bytes {
    Bytes::from(format!("{verb}\r\n"))
}

/// A command with one argument, e.g. `VRFY arg`, `EXPN arg`; `what` names the argument in
/// errors.
pub(crate) fn with_arg(
    verb: &'static str,
    what: &'static str,
    arg: &str,
) -> Result<Bytes, UsageError> {
    validate_line(what, arg.as_bytes())?;
    if arg.is_empty() {
        return Err(UsageError::InvalidArgument {
            what,
            reason: "empty",
        });
    }
    finish(format!("{verb} {arg}"), MAX_COMMAND_LINE)
}

/// Everything `MAIL FROM` carries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MailFrom<'a> {
    /// The reverse path; `None` is the null path `<>`.
    pub from: Option<&'a Address>,
    /// The message size for `SIZE=` (sent only when the server offers SIZE).
    pub size: Option<u64>,
    /// The body type for `BODY=`.
    pub body: Option<BodyType>,
    /// Whether the transaction uses SMTPUTF8 (also implied by `params.smtputf8`).
    pub smtputf8: bool,
    /// RET, ENVID, REQUIRETLS.
    pub params: &'a MailParameters,
}

/// `MAIL FROM:<path>[ SIZE=n][ BODY=…][ SMTPUTF8][ RET=…][ ENVID=…][ REQUIRETLS]`.
///
/// `SIZE` goes only to servers offering it (and a size above their limit is
/// [`UsageError::MessageTooLarge`]); `BODY=8BITMIME` and `BODY=7BIT` only to servers offering
/// 8BITMIME; the other parameters fail with [`UsageError::NotSupported`] when the server
/// lacks the extension.
pub(crate) fn mail_from(m: &MailFrom<'_>, caps: &Capabilities) -> Result<Bytes, UsageError> {
    let smtputf8 = m.smtputf8 || m.params.smtputf8;
    if smtputf8 && !caps.smtp_utf8 {
        return Err(UsageError::NotSupported("SMTPUTF8"));
    }
    let path = match m.from {
        Some(address) => address.to_wire(smtputf8)?,
        None => String::new(),
    };
    let mut line = format!("MAIL FROM:<{path}>");
    let mut limit = MAX_COMMAND_LINE;
    if let (Some(size), true) = (m.size, caps.size) {
        if let Some(max) = caps.size_limit.filter(|&max| size > max) {
            return Err(UsageError::MessageTooLarge { size, limit: max });
        }
        let _ = write!(line, " SIZE={size}");
        limit += ALLOW_SIZE;
    }
    let send_body = match m.body {
        None => false,
        Some(BodyType::BinaryMime) if !caps.binary_mime => {
            return Err(UsageError::NotSupported("BINARYMIME"));
        }
        Some(BodyType::BinaryMime) => true,
        Some(BodyType::EightBitMime | BodyType::SevenBit) => caps.eight_bit_mime,
    };
    if let Some(body) = m.body.filter(|_| send_body) {
        let _ = write!(line, " BODY={}", body.keyword());
        limit += ALLOW_BODY;
    }
    if smtputf8 {
        line.push_str(" SMTPUTF8");
        limit += ALLOW_SMTPUTF8;
    }
    let p = m.params;
    if p.ret.is_some() || p.envid.is_some() {
        if !caps.dsn {
            return Err(UsageError::NotSupported("DSN"));
        }
        limit += ALLOW_DSN_MAIL;
    }
    if let Some(ret) = p.ret {
        let _ = write!(line, " RET={}", ret.keyword());
    }
    if let Some(envid) = &p.envid {
        check_envid(envid)?;
        let _ = write!(line, " ENVID={}", params::xtext(envid));
    }
    if p.requiretls {
        if !caps.requiretls {
            return Err(UsageError::NotSupported("REQUIRETLS"));
        }
        line.push_str(" REQUIRETLS");
        limit += ALLOW_REQUIRETLS;
    }
    finish(line, limit)
}

/// RFC 3461 §4.4: ENVID is printable ASCII, at most 100 characters.
fn check_envid(envid: &str) -> Result<(), UsageError> {
    const WHAT: &str = "ENVID";
    validate_line(WHAT, envid.as_bytes())?;
    let invalid = |reason| UsageError::InvalidArgument { what: WHAT, reason };
    if envid.is_empty() {
        return Err(invalid("empty"));
    }
    if !envid.is_ascii() {
        return Err(invalid("not printable ASCII"));
    }
    if envid.len() > MAX_ENVID {
        return Err(invalid("longer than 100 characters"));
    }
    Ok(())
}

/// `RCPT TO:<path>[ NOTIFY=…][ ORCPT=…]`; NOTIFY and ORCPT need the server's DSN.
pub(crate) fn rcpt_to(
    to: &Address,
    params: &RcptParameters,
    smtputf8: bool,
    caps: &Capabilities,
) -> Result<Bytes, UsageError> {
    if smtputf8 && !caps.smtp_utf8 {
        return Err(UsageError::NotSupported("SMTPUTF8"));
    }
    let path = to.to_wire(smtputf8)?;
    let mut line = format!("RCPT TO:<{path}>");
    let mut limit = MAX_COMMAND_LINE;
    if params.notify.is_some() || params.orcpt.is_some() {
        if !caps.dsn {
            return Err(UsageError::NotSupported("DSN"));
        }
        limit += ALLOW_DSN_RCPT;
    }
    if let Some(notify) = params.notify {
        let _ = write!(line, " NOTIFY={}", notify.value());
    }
    if let Some(orcpt) = &params.orcpt {
        const WHAT: &str = "ORCPT";
        validate_line(WHAT, orcpt.as_bytes())?;
        if orcpt.is_empty() {
            return Err(UsageError::InvalidArgument {
                what: WHAT,
                reason: "empty",
            });
        }
        let value = params::orcpt_value(orcpt, smtputf8);
        if value.len() > MAX_ORCPT {
            return Err(UsageError::InvalidArgument {
                what: WHAT,
                reason: "longer than 500 characters",
            });
        }
        let _ = write!(line, " ORCPT={value}");
    }
    finish(line, limit)
}

/// `BDAT len` or `BDAT len LAST` (RFC 3030).
pub(crate) fn bdat(len: usize, last: bool) -> Bytes {
    let last = if last { " LAST" } else { "" };
    Bytes::from(format!("BDAT {len}{last}\r\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::params::{DsnReturn, Notify};

    fn addr(s: &str) -> Address {
        Address::new(s).unwrap()
    }

    fn all_caps() -> Capabilities {
        Capabilities {
            size: true,
            eight_bit_mime: true,
            binary_mime: true,
            chunking: true,
            smtp_utf8: true,
            dsn: true,
            requiretls: true,
            ..Capabilities::default()
        }
    }

    fn mail(m: &MailFrom<'_>, caps: &Capabilities) -> Result<String, UsageError> {
        mail_from(m, caps).map(|b| String::from_utf8(b.to_vec()).unwrap())
    }

    const NO_PARAMS: MailParameters = MailParameters {
        ret: None,
        envid: None,
        requiretls: false,
        smtputf8: false,
    };

    fn plain<'a>(from: Option<&'a Address>) -> MailFrom<'a> {
        MailFrom {
            from,
            size: None,
            body: None,
            smtputf8: false,
            params: &NO_PARAMS,
        }
    }

    #[test]
    fn simple_commands() {
        let name = ClientName::new("client.example").unwrap();
        assert_eq!(ehlo(&name), "EHLO client.example\r\n");
        assert_eq!(helo(&name), "HELO client.example\r\n");
        for verb in ["NOOP", "RSET", "QUIT", "STARTTLS", "DATA"] {
            assert_eq!(simple(verb), format!("{verb}\r\n"));
        }
        assert_eq!(
            with_arg("VRFY", "user", "postmaster").unwrap(),
            "VRFY postmaster\r\n"
        );
        assert_eq!(
            with_arg("EXPN", "list", "staff list").unwrap(),
            "EXPN staff list\r\n"
        );
        assert_eq!(bdat(1234, false), "BDAT 1234\r\n");
        assert_eq!(bdat(0, true), "BDAT 0 LAST\r\n");
    }

    #[test]
    fn mail_from_plain_and_null_path() {
        let a = addr("alice@example.org");
        let caps = Capabilities::default();
        assert_eq!(
            mail(&plain(Some(&a)), &caps).unwrap(),
            "MAIL FROM:<alice@example.org>\r\n"
        );
        assert_eq!(mail(&plain(None), &caps).unwrap(), "MAIL FROM:<>\r\n");
    }

    #[test]
    fn mail_from_all_parameters() {
        let a = addr("alice@example.org");
        let params = MailParameters {
            ret: Some(DsnReturn::Headers),
            envid: Some("QQ314159+x=y z".into()),
            requiretls: true,
            smtputf8: false,
        };
        let m = MailFrom {
            from: Some(&a),
            size: Some(1000),
            body: Some(BodyType::EightBitMime),
            smtputf8: true,
            params: &params,
        };
        assert_eq!(
            mail(&m, &all_caps()).unwrap(),
            "MAIL FROM:<alice@example.org> SIZE=1000 BODY=8BITMIME SMTPUTF8 RET=HDRS \
             ENVID=QQ314159+2Bx+3Dy+20z REQUIRETLS\r\n"
        );
    }

    #[test]
    fn mail_from_follows_capabilities() {
        let a = addr("alice@example.org");
        let none = Capabilities::default();
        let mut m = plain(Some(&a));
        m.size = Some(10);
        m.body = Some(BodyType::EightBitMime);
        // No SIZE, no 8BITMIME: both silently left out.
        assert_eq!(
            mail(&m, &none).unwrap(),
            "MAIL FROM:<alice@example.org>\r\n"
        );
        m.body = Some(BodyType::SevenBit);
        assert_eq!(
            mail(&m, &none).unwrap(),
            "MAIL FROM:<alice@example.org>\r\n"
        );
        assert_eq!(
            mail(&m, &all_caps()).unwrap(),
            "MAIL FROM:<alice@example.org> SIZE=10 BODY=7BIT\r\n"
        );
        m.body = Some(BodyType::BinaryMime);
        assert_eq!(mail(&m, &none), Err(UsageError::NotSupported("BINARYMIME")));
        assert_eq!(
            mail(&m, &all_caps()).unwrap(),
            "MAIL FROM:<alice@example.org> SIZE=10 BODY=BINARYMIME\r\n"
        );
        let limited = Capabilities {
            size: true,
            size_limit: Some(9),
            ..Capabilities::default()
        };
        m.body = None;
        assert_eq!(
            mail(&m, &limited),
            Err(UsageError::MessageTooLarge { size: 10, limit: 9 })
        );

        let mut m = plain(Some(&a));
        m.smtputf8 = true;
        assert_eq!(mail(&m, &none), Err(UsageError::NotSupported("SMTPUTF8")));
        for (params, missing) in [
            (
                MailParameters {
                    ret: Some(DsnReturn::Full),
                    ..NO_PARAMS
                },
                "DSN",
            ),
            (
                MailParameters {
                    envid: Some("x".into()),
                    ..NO_PARAMS
                },
                "DSN",
            ),
            (
                MailParameters {
                    requiretls: true,
                    ..NO_PARAMS
                },
                "REQUIRETLS",
            ),
            (
                MailParameters {
                    smtputf8: true,
                    ..NO_PARAMS
                },
                "SMTPUTF8",
            ),
        ] {
            let m = MailFrom {
                params: &params,
                ..plain(Some(&a))
            };
            assert_eq!(mail(&m, &none), Err(UsageError::NotSupported(missing)));
        }
        let forced = MailParameters {
            smtputf8: true,
            ..NO_PARAMS
        };
        let m = MailFrom {
            params: &forced,
            ..plain(Some(&a))
        };
        assert_eq!(
            mail(&m, &all_caps()).unwrap(),
            "MAIL FROM:<alice@example.org> SMTPUTF8\r\n"
        );
    }

    #[test]
    fn mail_from_international() {
        let ascii_local = addr("alice@bücher.example");
        let m = plain(Some(&ascii_local));
        assert_eq!(
            mail(&m, &Capabilities::default()).unwrap(),
            "MAIL FROM:<alice@xn--bcher-kva.example>\r\n"
        );
        let utf8_local = addr("ålice@bücher.example");
        let mut m = plain(Some(&utf8_local));
        assert_eq!(
            mail(&m, &all_caps()),
            Err(UsageError::NotSupported("SMTPUTF8"))
        );
        m.smtputf8 = true;
        assert_eq!(
            mail(&m, &all_caps()).unwrap(),
            "MAIL FROM:<ålice@bücher.example> SMTPUTF8\r\n"
        );
    }

    #[test]
    fn envid_validation() {
        let a = addr("alice@example.org");
        for (envid, err) in [
            (
                "a\r\nRSET",
                UsageError::ForbiddenCharacter { what: "ENVID" },
            ),
            (
                "",
                UsageError::InvalidArgument {
                    what: "ENVID",
                    reason: "empty",
                },
            ),
            (
                "é",
                UsageError::InvalidArgument {
                    what: "ENVID",
                    reason: "not printable ASCII",
                },
            ),
        ] {
            let params = MailParameters {
                envid: Some(envid.into()),
                ..NO_PARAMS
            };
            let m = MailFrom {
                params: &params,
                ..plain(Some(&a))
            };
            assert_eq!(mail(&m, &all_caps()), Err(err), "{envid:?}");
        }
        let params = MailParameters {
            envid: Some("x".repeat(101)),
            ..NO_PARAMS
        };
        let m = MailFrom {
            params: &params,
            ..plain(Some(&a))
        };
        assert!(mail(&m, &all_caps()).is_err());
        // The longest legal ENVID, fully escaped, still fits next to every other parameter.
        let params = MailParameters {
            ret: Some(DsnReturn::Headers),
            envid: Some(" ".repeat(100)),
            requiretls: true,
            smtputf8: true,
        };
        let long = addr(&format!("{}@{}.example", "a".repeat(64), "b".repeat(63)));
        let m = MailFrom {
            from: Some(&long),
            size: Some(u64::MAX),
            body: Some(BodyType::BinaryMime),
            smtputf8: true,
            params: &params,
        };
        assert!(mail(&m, &all_caps()).is_ok());
    }

    #[test]
    fn rcpt_to_lines() {
        let b = addr("bob@example.org");
        let none = RcptParameters::default();
        let caps = Capabilities::default();
        let line = |p: &RcptParameters, u: bool, c: &Capabilities| {
            rcpt_to(&b, p, u, c).map(|b| String::from_utf8(b.to_vec()).unwrap())
        };
        assert_eq!(
            line(&none, false, &caps).unwrap(),
            "RCPT TO:<bob@example.org>\r\n"
        );
        let dsn = RcptParameters {
            notify: Some(Notify {
                success: true,
                failure: true,
                delay: false,
            }),
            orcpt: Some("bob+x@example.org".into()),
        };
        assert_eq!(
            line(&dsn, false, &all_caps()).unwrap(),
            "RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+2Bx@example.org\r\n"
        );
        assert_eq!(
            line(&dsn, false, &caps),
            Err(UsageError::NotSupported("DSN"))
        );
        let never = RcptParameters {
            notify: Some(Notify::default()),
            orcpt: None,
        };
        assert_eq!(
            line(&never, false, &all_caps()).unwrap(),
            "RCPT TO:<bob@example.org> NOTIFY=NEVER\r\n"
        );
        let utf8 = RcptParameters {
            notify: None,
            orcpt: Some("bøb@example.org".into()),
        };
        assert_eq!(
            line(&utf8, true, &all_caps()).unwrap(),
            "RCPT TO:<bob@example.org> ORCPT=utf-8;bøb@example.org\r\n"
        );
        assert_eq!(
            line(&utf8, false, &all_caps()).unwrap(),
            "RCPT TO:<bob@example.org> ORCPT=utf-8;b\\x{F8}b@example.org\r\n"
        );
        assert_eq!(
            line(&none, true, &caps),
            Err(UsageError::NotSupported("SMTPUTF8"))
        );
        let u = addr("bøb@example.org");
        assert_eq!(
            rcpt_to(&u, &none, false, &all_caps()),
            Err(UsageError::NotSupported("SMTPUTF8"))
        );
        assert_eq!(
            rcpt_to(&u, &none, true, &all_caps()).unwrap(),
            "RCPT TO:<bøb@example.org>\r\n"
        );
        let huge = RcptParameters {
            notify: None,
            orcpt: Some("+".repeat(200)),
        };
        assert!(line(&huge, false, &all_caps()).is_err());
    }

    #[test]
    fn validate_line_rejects_controls() {
        assert!(validate_line("x", b"plain text \xc3\xa9").is_ok());
        for bad in [
            &b"a\rb"[..],
            b"a\nb",
            b"a\0b",
            b"a\tb",
            b"\x1b[31m",
            b"\x7f",
        ] {
            assert_eq!(
                validate_line("x", bad),
                Err(UsageError::ForbiddenCharacter { what: "x" }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn command_line_limit() {
        let ok = "a".repeat(512 - "VRFY \r\n".len());
        assert_eq!(with_arg("VRFY", "user", &ok).unwrap().len(), 512);
        let long = format!("{ok}a");
        assert_eq!(
            with_arg("VRFY", "user", &long),
            Err(UsageError::InvalidArgument {
                what: "command",
                reason: "longer than 512 octets"
            })
        );
        assert_eq!(
            with_arg("VRFY", "user", ""),
            Err(UsageError::InvalidArgument {
                what: "user",
                reason: "empty"
            })
        );
    }

    /// Security cases 31–33: every injection attempt fails before a command exists.
    #[test]
    fn security_cases_31_to_33_injections_yield_no_bytes() {
        let forbidden = |what| UsageError::ForbiddenCharacter { what };
        // 31: CRLF in envelope addresses cannot even become an Address.
        assert_eq!(
            (Address::new("a@b.example>\r\nDATA\r\nInjected\r\n.\r\nQUIT\r\n")).unwrap_err(),
            forbidden("address")
        );
        assert_eq!(
            (Address::new("x@y\rinvalid")).unwrap_err(),
            forbidden("address")
        );
        // 32: nor inside a quoted local part.
        assert_eq!(
            (Address::new("\"a\r\nRCPT TO:<victim@evil.example>\"@b.example")).unwrap_err(),
            forbidden("address")
        );
        // 33: nor in the client name, VRFY/EXPN arguments, ENVID or ORCPT.
        assert_eq!(
            (ClientName::new("x\r\nMAIL FROM:<x@evil>")).unwrap_err(),
            forbidden("client name")
        );
        assert_eq!(
            (with_arg("VRFY", "user", "x\r\nMAIL FROM:<x@evil>")).unwrap_err(),
            forbidden("user")
        );
        assert_eq!(
            (with_arg("EXPN", "list", "x\nRSET")).unwrap_err(),
            forbidden("list")
        );
        assert_eq!(
            (with_arg("VRFY", "user", "x\0y")).unwrap_err(),
            forbidden("user")
        );
        let a = addr("alice@example.org");
        let params = MailParameters {
            envid: Some("x\r\nRSET".into()),
            ..NO_PARAMS
        };
        let m = MailFrom {
            params: &params,
            ..plain(Some(&a))
        };
        assert_eq!((mail(&m, &all_caps())).unwrap_err(), forbidden("ENVID"));
        let rcpt = RcptParameters {
            notify: None,
            orcpt: Some("x\r\nDATA".into()),
        };
        assert_eq!(
            (rcpt_to(&a, &rcpt, false, &all_caps())).unwrap_err(),
            forbidden("ORCPT")
        );
        // The AUTH initial response is base64: no CR or LF can appear.
        let line = crate::sasl::exchange::auth_line("PLAIN", Some(b"\0x\r\nMAIL FROM:<x@evil>\0p"));
        assert!(
            !line[..line.len() - 2]
                .iter()
                .any(|&b| b == b'\r' || b == b'\n')
        );
    }
}
