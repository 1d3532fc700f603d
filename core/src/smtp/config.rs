//! Settings of the SMTP machine: TLS policy, client name, limits, timeouts.

use std::time::{Duration, SystemTime};

use super::address::ClientName;
use crate::sasl::SaslLimits;
use crate::tls::TlsPolicy;

/// Configuration of an [`SmtpClient`](super::SmtpClient).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SmtpConfig {
    /// The name sent with EHLO/HELO.
    pub client_name: ClientName,
    /// How the connection must be protected.
    pub tls: TlsPolicy,
    /// Use `BDAT` (RFC 3030) when the server offers CHUNKING, even for text messages.
    pub prefer_chunking: bool,
    /// Size of one `BDAT` chunk, and of one `Transmit` of `DATA` content.
    pub chunk_size: usize,
    /// Pipeline commands (RFC 2920) when the server offers PIPELINING.
    pub pipelining: bool,
    /// Most replies outstanding within one pipelined envelope: a message with more recipients
    /// writes the rest as replies come back, so neither side's socket buffer can fill up.
    pub max_pipelined_commands: usize,
    /// Limits on what the server may send.
    pub limits: SmtpLimits,
    /// How long to wait for each reply (RFC 5321 §4.5.3.2).
    pub timeouts: SmtpTimeouts,
    /// The wall-clock time the session started, for SASL mechanisms that need one (NTLMv2
    /// when the server sends no timestamp). The runtime clients set it; core reads no clock.
    pub wall_clock: Option<SystemTime>,
}

impl SmtpConfig {
    /// Defaults with the given client name and TLS policy.
    pub fn new(client_name: ClientName, tls: TlsPolicy) -> Self {
        SmtpConfig {
            client_name,
            tls,
            prefer_chunking: true,
            chunk_size: 64 * 1024,
            pipelining: true,
            max_pipelined_commands: 100,
            limits: SmtpLimits::default(),
            timeouts: SmtpTimeouts::default(),
            wall_clock: None,
        }
    }
}

/// Bounds on server input; exceeding one is a fatal error naming the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SmtpLimits {
    /// Longest reply line in bytes, CRLF included (RFC 5321 asks for 512; real servers send more).
    pub max_line_len: usize,
    /// Most lines in one multi-line reply.
    pub max_reply_lines: usize,
    /// Longest decoded SASL challenge in bytes.
    pub max_challenge_len: usize,
    /// Most SASL challenges in one `AUTH` exchange.
    pub max_sasl_rounds: usize,
    /// What a SASL mechanism may be asked to compute (SCRAM iterations).
    pub sasl: SaslLimits,
}

impl Default for SmtpLimits {
    fn default() -> Self {
        SmtpLimits {
            max_line_len: 4096,
            max_reply_lines: 1000,
            max_challenge_len: 16 * 1024,
            max_sasl_rounds: 10,
            sasl: SaslLimits::DEFAULT,
        }
    }
}

/// Reply timeouts, RFC 5321 §4.5.3.2 defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SmtpTimeouts {
    /// Waiting for the 220 greeting (5 minutes).
    pub greeting: Duration,
    /// Waiting for the reply to `MAIL` (5 minutes).
    pub mail: Duration,
    /// Waiting for the reply to each `RCPT` (5 minutes).
    pub rcpt: Duration,
    /// Waiting for the 354 after `DATA` (2 minutes).
    pub data_init: Duration,
    /// Waiting for each `BDAT` reply and between content writes (3 minutes).
    pub data_block: Duration,
    /// Waiting for the reply after the end of the content (10 minutes).
    pub data_termination: Duration,
    /// Any other command: EHLO, AUTH, STARTTLS, NOOP, RSET, VRFY, EXPN, QUIT (5 minutes).
    pub other: Duration,
}

impl Default for SmtpTimeouts {
    fn default() -> Self {
        let min = |m: u64| Duration::from_secs(60 * m);
        SmtpTimeouts {
            greeting: min(5),
            mail: min(5),
            rcpt: min(5),
            data_init: min(2),
            data_block: min(3),
            data_termination: min(10),
            other: min(5),
        }
    }
}

impl SmtpTimeouts {
    /// Every timeout set to `d` (what a `--timeout` option means).
    pub fn all(d: Duration) -> Self {
        SmtpTimeouts {
            greeting: d,
            mail: d,
            rcpt: d,
            data_init: d,
            data_block: d,
            data_termination: d,
            other: d,
        }
    }
}
