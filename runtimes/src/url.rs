//! Server URLs: `smtp://host[:port]`, `smtps://host[:port]`, IPv6 literals in brackets.

use std::net::Ipv6Addr;

use crate::error::Error;

/// The parts of a server URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerUrl {
    /// The scheme, lower-cased.
    pub scheme: String,
    /// The host without brackets.
    pub host: String,
    /// The port, when the URL has one.
    pub port: Option<u16>,
}

fn invalid(reason: &'static str) -> Error {
    Error::InvalidUrl { reason }
}

/// Splits `scheme://host[:port][/]`. Anything else (user info, path, query) is refused.
pub(crate) fn parse_server_url(url: &str) -> Result<ServerUrl, Error> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| invalid("expected scheme://host[:port]"))?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+')
    {
        return Err(invalid("bad scheme"));
    }
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains('@') {
        return Err(invalid(
            "user names and passwords in the URL are not supported",
        ));
    }
    if authority.contains(['/', '?', '#']) {
        return Err(invalid("a path, query or fragment is not supported"));
    }
    let (host, port) = split_host_port(authority)?;
    Ok(ServerUrl {
        scheme: scheme.to_ascii_lowercase(),
        host,
        port,
    })
}

/// Splits `host`, `host:port`, `[v6]`, `[v6]:port`.
fn split_host_port(authority: &str) -> Result<(String, Option<u16>), Error> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (v6, after) = rest
            .split_once(']')
            .ok_or_else(|| invalid("unclosed '[' in the host"))?;
        v6.parse::<Ipv6Addr>()
            .map_err(|_| invalid("invalid IPv6 address in brackets"))?;
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| invalid("unexpected text after ']'"))?,
            ),
        };
        (v6, port)
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    validate_host(host)?;
    let port = port.map(parse_port).transpose()?;
    Ok((host.to_owned(), port))
}

fn parse_port(port: &str) -> Result<u16, Error> {
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("the port must be a number"));
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err(invalid("the port must be between 1 and 65535")),
        Ok(port) => Ok(port),
    }
}

/// Refuses empty hosts and hosts with control characters (CR, LF...), spaces or URL
/// delimiters. `host` comes without IPv6 brackets.
pub(crate) fn validate_host(host: &str) -> Result<(), Error> {
    if host.is_empty() {
        return Err(invalid("the host is empty"));
    }
    if host.len() > 253 && host.parse::<std::net::IpAddr>().is_err() {
        return Err(invalid("the host name is too long"));
    }
    let forbidden = |c: char| {
        c.is_control()
            || c.is_whitespace()
            || matches!(
                c,
                '/' | '?' | '#' | '@' | '[' | ']' | '\\' | '<' | '>' | '"'
            )
    };
    if host.chars().any(forbidden) {
        return Err(invalid("the host contains a forbidden character"));
    }
    if host.contains(':') && host.parse::<Ipv6Addr>().is_err() {
        return Err(invalid("':' in a host that is not an IPv6 address"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> (String, String, Option<u16>) {
        let u = parse_server_url(url).unwrap();
        (u.scheme, u.host, u.port)
    }

    #[test]
    fn hosts_and_ports() {
        assert_eq!(
            parse("smtp://mail.example.org"),
            ("smtp".into(), "mail.example.org".into(), None)
        );
        assert_eq!(
            parse("SMTPS://mail.example.org:2465/"),
            ("smtps".into(), "mail.example.org".into(), Some(2465))
        );
        assert_eq!(
            parse("smtp://127.0.0.1:25"),
            ("smtp".into(), "127.0.0.1".into(), Some(25))
        );
        assert_eq!(
            parse("smtp://[::1]:25"),
            ("smtp".into(), "::1".into(), Some(25))
        );
        assert_eq!(
            parse("smtp://[2001:db8::1]"),
            ("smtp".into(), "2001:db8::1".into(), None)
        );
    }

    #[test]
    fn refusals() {
        for url in [
            "mail.example.org",
            "smtp://",
            "smtp://:25",
            "smtp://host:",
            "smtp://host:0",
            "smtp://host:65536",
            "smtp://host:2a",
            "smtp://host:25:26",
            "smtp://::1",
            "smtp://[::1",
            "smtp://[not-v6]:25",
            "smtp://[::1]x",
            "smtp://user:secret@host",
            "smtp://host/path",
            "smtp://host?x=1",
            "smtp://ho st",
            "smtp://host\r\nRCPT TO:<x>",
            "smtp://host\n",
        ] {
            let err = parse_server_url(url).unwrap_err();
            assert!(matches!(err, Error::InvalidUrl { .. }), "{url:?}: {err:?}");
        }
    }

    #[test]
    fn errors_never_repeat_the_url() {
        let err = parse_server_url("smtp://user:hunter2@host").unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
        assert!(!format!("{err:?}").contains("hunter2"));
    }
}
