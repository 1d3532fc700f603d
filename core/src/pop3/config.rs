//! Settings of the POP3 machine: TLS policy, pipelining, limits, timeouts.

use std::time::{Duration, SystemTime};

use crate::sasl::SaslLimits;
use crate::tls::TlsPolicy;

/// Configuration of a [`Pop3Client`](super::Pop3Client).
///
/// ```
/// use std::time::Duration;
/// use mail_kit_core::pop3::{Pop3Config, Pop3Timeouts};
/// use mail_kit_core::TlsPolicy;
///
/// let mut config = Pop3Config::new(TlsPolicy::Required);
/// config.timeouts = Pop3Timeouts::all(Duration::from_secs(30));
/// config.limits.max_line_len = 8192;
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Pop3Config {
    /// How the connection must be protected (`STLS`, RFC 2595, or implicit TLS on port 995).
    pub tls: TlsPolicy,
    /// Pipeline commands (RFC 2449 §6.6) when the server advertises `PIPELINING`.
    pub pipelining: bool,
    /// Most commands written ahead of their replies when pipelining: the rest are written as
    /// replies come back, so neither side's socket buffer can fill up.
    pub max_pipelined_commands: usize,
    /// Limits on what the server may send.
    pub limits: Pop3Limits,
    /// How long to wait for the server.
    pub timeouts: Pop3Timeouts,
    /// The server's host name as the user gave it (what the connection and the certificate
    /// check use): the host of DIGEST-MD5's `digest-uri` (`pop/<host>`). `None` falls back to
    /// the realm the server names. The runtime clients set it from their endpoint.
    pub server_host: Option<String>,
    /// The wall-clock time the session started, for SASL mechanisms that need one (NTLMv2
    /// when the server sends no timestamp). The runtime clients set it; core reads no clock.
    pub wall_clock: Option<SystemTime>,
}

impl Pop3Config {
    /// Defaults with the given TLS policy.
    pub fn new(tls: TlsPolicy) -> Self {
        Pop3Config {
            tls,
            pipelining: true,
            max_pipelined_commands: 64,
            limits: Pop3Limits::default(),
            timeouts: Pop3Timeouts::default(),
            server_host: None,
            wall_clock: None,
        }
    }
}

/// Bounds on server input; exceeding one is a fatal error naming the limit.
///
/// Message bodies (`RETR`, `TOP`) have no size limit: they stream out as chunk events and
/// never accumulate in the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pop3Limits {
    /// Longest status line or listing line in bytes, CRLF included (RFC 2449 allows 512).
    pub max_line_len: usize,
    /// Most lines in a collected multi-line reply (`LIST`, `UIDL`, `CAPA`, `LANG`).
    pub max_reply_lines: usize,
    /// Most bytes in a collected multi-line reply (line ends included).
    pub max_reply_size: usize,
    /// Longest decoded SASL challenge in bytes.
    pub max_challenge_len: usize,
    /// Most SASL challenges in one `AUTH` exchange.
    pub max_sasl_rounds: usize,
    /// What a SASL mechanism may be asked to compute (SCRAM iterations).
    pub sasl: SaslLimits,
}

impl Default for Pop3Limits {
    fn default() -> Self {
        Pop3Limits {
            max_line_len: 4096,
            max_reply_lines: 1_000_000,
            max_reply_size: 32 << 20,
            max_challenge_len: 16 * 1024,
            max_sasl_rounds: 10,
            sasl: SaslLimits::DEFAULT,
        }
    }
}

/// How long the machine waits; each becomes an `Idle { deadline }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pop3Timeouts {
    /// Waiting for the greeting (2 minutes).
    pub greeting: Duration,
    /// Waiting for the status line of a reply (RFC 1939's inactivity autologout is at least
    /// 10 minutes; 5 minutes by default).
    pub command: Duration,
    /// Waiting for the next bytes of a multi-line reply (a message body or a listing) once it
    /// has started: the clock restarts whenever bytes arrive (5 minutes).
    pub data: Duration,
}

impl Default for Pop3Timeouts {
    fn default() -> Self {
        let min = |m: u64| Duration::from_secs(60 * m);
        Pop3Timeouts {
            greeting: min(2),
            command: min(5),
            data: min(5),
        }
    }
}

impl Pop3Timeouts {
    /// Every timeout set to `d` (what a `--timeout` option means).
    pub fn all(d: Duration) -> Self {
        Pop3Timeouts {
            greeting: d,
            command: d,
            data: d,
        }
    }
}
