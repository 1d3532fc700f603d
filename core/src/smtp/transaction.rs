//! One mail transaction in flight: its prepared command lines, its body, and what the server
//! has said so far.

use bytes::{Bytes, BytesMut};

use super::capabilities::Capabilities;
use super::command::Transaction;
use super::data::{self, DataEncoder};
use super::encode::{self, MailFrom};
use super::event::{RecipientResult, SendReport, Stage};
use super::params::BodyType;
use super::reply::Reply;
use crate::error::UsageError;
use crate::machine::Handle;

/// How the content goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transfer {
    /// `DATA`, dot-stuffed, ended by `.`.
    Data,
    /// `BDAT` chunks (RFC 3030); `raw` sends bytes untouched (BINARYMIME).
    Bdat { raw: bool },
}

/// A transaction whose every command line has been built and checked: nothing the caller gave
/// can fail once bytes start going out.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) handle: Handle,
    pub(crate) mail_line: Bytes,
    pub(crate) rcpt_lines: Vec<Bytes>,
    pub(crate) rcpt_wire: Vec<String>,
    pub(crate) body: Bytes,
    pub(crate) transfer: Transfer,
}

impl Prepared {
    /// Checks `tx` against the server's capabilities and builds its command lines.
    pub(crate) fn new(
        handle: Handle,
        tx: Transaction,
        caps: &Capabilities,
        prefer_chunking: bool,
        secure: bool,
    ) -> Result<Prepared, UsageError> {
        let env = &tx.envelope;
        // RFC 8689 §4.2.1: REQUIRETLS only travels over TLS.
        if env.params.requiretls && caps.requiretls && !secure {
            return Err(UsageError::InvalidArgument {
                what: "REQUIRETLS",
                reason: "needs a TLS connection",
            });
        }
        if env.recipients.is_empty() {
            return Err(UsageError::InvalidArgument {
                what: "envelope",
                reason: "no recipients",
            });
        }
        let smtputf8 = env.params.smtputf8
            || env.from.as_ref().is_some_and(|a| a.needs_smtputf8())
            || env.recipients.iter().any(|r| r.address.needs_smtputf8());
        if smtputf8 && !caps.smtp_utf8 {
            return Err(UsageError::NotSupported("SMTPUTF8"));
        }
        let body_type = match tx.body_type {
            Some(t) => Some(t),
            None if data::has_nul(&tx.message) => Some(BodyType::BinaryMime),
            None if data::has_8bit(&tx.message) => Some(BodyType::EightBitMime),
            None => None,
        };
        // RFC 6152 §3: no 8-bit content to a server without 8BITMIME.
        if body_type == Some(BodyType::EightBitMime) && !caps.eight_bit_mime {
            return Err(UsageError::NotSupported("8BITMIME"));
        }
        let binary = body_type == Some(BodyType::BinaryMime);
        if binary && !(caps.binary_mime && caps.chunking) {
            return Err(UsageError::NotSupported("BINARYMIME"));
        }
        let transfer = if binary {
            Transfer::Bdat { raw: true }
        } else if caps.chunking && prefer_chunking {
            Transfer::Bdat { raw: false }
        } else {
            Transfer::Data
        };
        if !binary {
            if let Some((line, _)) = data::longest_line(&tx.message) {
                return Err(UsageError::LineTooLong { line });
            }
        }
        let size = if binary {
            tx.message.len() as u64
        } else {
            data::encoded_len(&tx.message)
        };
        if let Some(limit) = caps.size_limit {
            if size > limit {
                return Err(UsageError::MessageTooLarge { size, limit });
            }
        }
        let mail_line = encode::mail_from(
            &MailFrom {
                from: env.from.as_ref(),
                size: Some(size),
                body: body_type,
                smtputf8,
                params: &env.params,
            },
            caps,
        )?;
        let mut rcpt_lines = Vec::with_capacity(env.recipients.len());
        let mut rcpt_wire = Vec::with_capacity(env.recipients.len());
        for r in &env.recipients {
            rcpt_lines.push(encode::rcpt_to(&r.address, &r.params, smtputf8, caps)?);
            rcpt_wire.push(r.address.to_wire(smtputf8)?);
        }
        Ok(Prepared {
            handle,
            mail_line,
            rcpt_lines,
            rcpt_wire,
            body: tx.message,
            transfer,
        })
    }
}

/// A transaction on the wire.
#[derive(Debug)]
pub(crate) struct InFlight {
    pub(crate) prepared: Prepared,
    pub(crate) mail: Option<Reply>,
    pub(crate) rcpts: Vec<RecipientResult>,
    /// The first refused `DATA`/`BDAT`, or the final reply.
    pub(crate) last: Option<Reply>,
    /// Set once the transaction is known to have failed at this stage.
    pub(crate) failed: Option<Stage>,
    /// The content is fully written (terminator or `BDAT … LAST` included).
    pub(crate) content_done: bool,
    /// Replies still expected for this transaction.
    pub(crate) pending: usize,
    /// `MAIL FROM` is written.
    pub(crate) mail_sent: bool,
    /// How many `RCPT TO` are written.
    pub(crate) rcpts_sent: usize,
    /// `DATA` is written, or the `BDAT` content has begun.
    pub(crate) data_started: bool,
    /// The next transaction was pipelined behind this one with a leading `RSET`.
    pub(crate) followed_by_rset: bool,
}

impl InFlight {
    pub(crate) fn new(prepared: Prepared) -> Self {
        InFlight {
            prepared,
            mail: None,
            rcpts: Vec::new(),
            last: None,
            failed: None,
            content_done: false,
            pending: 0,
            mail_sent: false,
            rcpts_sent: 0,
            data_started: false,
            followed_by_rset: false,
        }
    }

    pub(crate) fn mail_accepted(&self) -> bool {
        self.mail.as_ref().is_some_and(Reply::is_positive)
    }

    pub(crate) fn any_recipient_accepted(&self) -> bool {
        self.rcpts.iter().any(RecipientResult::is_accepted)
    }

    /// The stage at which the transaction fails if the content cannot be sent now.
    pub(crate) fn envelope_failure(&self) -> Option<Stage> {
        if !self.mail_accepted() {
            Some(Stage::MailFrom)
        } else if self.rcpts.len() == self.prepared.rcpt_lines.len()
            && !self.any_recipient_accepted()
        {
            Some(Stage::Recipients)
        } else {
            None
        }
    }

    /// The report the application receives.
    pub(crate) fn into_report(self) -> (Handle, SendReport) {
        let stage = self.failed.unwrap_or(Stage::Accepted);
        let mail = self
            .mail
            .unwrap_or_else(|| Reply::new(0, "no reply to MAIL FROM"));
        (
            self.prepared.handle,
            SendReport {
                stage,
                mail,
                recipients: self.rcpts,
                last: self.last,
            },
        )
    }
}

/// Writes the content of one transaction, a piece at a time, so the machine never holds a
/// second full copy of a large message.
#[derive(Debug)]
pub(crate) struct ContentWriter {
    pub(crate) handle: Handle,
    body: Bytes,
    pos: usize,
    encoder: DataEncoder,
    transfer: Transfer,
    chunk_size: usize,
    /// Whether each piece must wait for the previous `BDAT` reply (no PIPELINING).
    pub(crate) lockstep: bool,
}

/// One piece of content produced by [`ContentWriter::next_piece`].
pub(crate) struct Piece {
    /// This piece completes the content.
    pub(crate) last: bool,
    /// The piece is a `BDAT` command that expects a reply.
    pub(crate) expects_reply: bool,
    /// Message bytes consumed so far.
    pub(crate) sent: u64,
    /// Message bytes in all.
    pub(crate) total: u64,
}

impl ContentWriter {
    pub(crate) fn new(
        handle: Handle,
        body: Bytes,
        transfer: Transfer,
        chunk_size: usize,
        lockstep: bool,
    ) -> Self {
        ContentWriter {
            handle,
            body,
            pos: 0,
            encoder: DataEncoder::new(transfer == Transfer::Data),
            transfer,
            chunk_size: chunk_size.max(512),
            lockstep,
        }
    }

    /// Appends the next piece of content to `out`.
    pub(crate) fn next_piece(&mut self, out: &mut BytesMut) -> Piece {
        let end = self
            .pos
            .saturating_add(self.chunk_size)
            .min(self.body.len());
        let slice = self.body.slice(self.pos..end);
        self.pos = end;
        let last = self.pos >= self.body.len();
        let total = self.body.len() as u64;
        let sent = self.pos as u64;
        match self.transfer {
            Transfer::Data => {
                self.encoder.encode(&slice, out);
                if last {
                    self.encoder.finish(out);
                }
                Piece {
                    last,
                    expects_reply: last,
                    sent,
                    total,
                }
            }
            Transfer::Bdat { raw } => {
                let mut chunk = BytesMut::with_capacity(slice.len() + 2);
                if raw {
                    chunk.extend_from_slice(&slice);
                } else {
                    self.encoder.encode(&slice, &mut chunk);
                    if last {
                        self.encoder.finish(&mut chunk);
                    }
                }
                out.extend_from_slice(&encode::bdat(chunk.len(), last));
                out.extend_from_slice(&chunk);
                Piece {
                    last,
                    expects_reply: true,
                    sent,
                    total,
                }
            }
        }
    }
}
