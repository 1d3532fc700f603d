//! Sending mail: the envelope written as the pipeline allows, the content in pieces, and the
//! replies that decide each transaction's fate.

use bytes::Bytes;

use super::{Expect, SmtpClient};
use crate::error::Error;
use crate::machine::Handle;
use crate::smtp::encode;
use crate::smtp::event::{Event, RecipientResult, Stage};
use crate::smtp::reply::Reply;
use crate::smtp::transaction::{ContentWriter, InFlight, Prepared, Transfer};

impl SmtpClient {
    pub(super) fn start_transaction(&mut self, prepared: Prepared) {
        // A refused BDAT leaves its transaction open (RFC 3030 §2), and its outcome is not known
        // yet: a pipelined RSET first makes the next MAIL FROM safe either way.
        if let Some(prev) = self.txs.back_mut() {
            if matches!(prev.prepared.transfer, Transfer::Bdat { .. }) {
                prev.followed_by_rset = true;
                self.outbox.send(&encode::simple("RSET"));
                self.expect(Expect::CleanupRset);
            }
        }
        self.txs.push_back(InFlight::new(prepared));
        self.advance_envelope();
    }

    /// Writes as much of the newest transaction's envelope as the server allows: everything up
    /// to `DATA` within the pipeline window with PIPELINING, one command per reply without.
    fn advance_envelope(&mut self) {
        let pipelining = self.pipelining();
        let window = if pipelining {
            self.config.max_pipelined_commands.max(1)
        } else {
            1
        };
        loop {
            let Some(tx) = self.txs.back_mut() else {
                return;
            };
            if tx.failed.is_some() || tx.data_started {
                return;
            }
            let total = tx.prepared.rcpt_lines.len();
            let (line, expect) = if !tx.mail_sent {
                tx.mail_sent = true;
                (tx.prepared.mail_line.clone(), Expect::Mail)
            } else if !pipelining && tx.mail.is_none() {
                return;
            } else if tx.rcpts_sent < total {
                if tx.pending >= window {
                    return;
                }
                let Some(line) = tx.prepared.rcpt_lines.get(tx.rcpts_sent).cloned() else {
                    return;
                };
                tx.rcpts_sent += 1;
                (line, Expect::Rcpt)
            } else if !pipelining && tx.rcpts.len() < total {
                return;
            } else if let (false, Some(stage)) = (pipelining, tx.envelope_failure()) {
                tx.failed = Some(stage);
                return;
            } else {
                tx.data_started = true;
                match tx.prepared.transfer {
                    Transfer::Data => (encode::simple("DATA"), Expect::Data),
                    Transfer::Bdat { .. } => {
                        let handle = tx.prepared.handle;
                        let body = tx.prepared.body.clone();
                        let transfer = tx.prepared.transfer;
                        self.begin_content(handle, body, transfer, !pipelining);
                        return;
                    }
                }
            };
            tx.pending += 1;
            self.outbox.send(&line);
            self.expect(expect);
        }
    }

    fn begin_content(&mut self, handle: Handle, body: Bytes, transfer: Transfer, lockstep: bool) {
        self.content = Some(ContentWriter::new(
            handle,
            body,
            transfer,
            self.config.chunk_size,
            lockstep,
        ));
        self.content_go = true;
    }

    /// Writes the next piece of content, if one may go out now.
    pub(super) fn pump_content(&mut self) {
        if !self.content_go {
            return;
        }
        let Some(writer) = self.content.as_mut() else {
            return;
        };
        let handle = writer.handle;
        let Some(tx) = self.txs.iter().find(|t| t.prepared.handle == handle) else {
            self.content = None;
            return;
        };
        if tx.failed.is_some() {
            // RFC 3030 §2: no more BDAT chunks once one was refused.
            self.content = None;
            self.content_go = false;
            return self.finish_transaction_if_done();
        }
        let piece = writer.next_piece(self.outbox.bytes_mut());
        let lockstep = writer.lockstep;
        if piece.last {
            self.content = None;
        }
        self.content_go = !lockstep && !piece.last;
        let Some(tx) = self.txs.iter_mut().find(|t| t.prepared.handle == handle) else {
            return;
        };
        let expect = match tx.prepared.transfer {
            Transfer::Data => Expect::DataEnd,
            Transfer::Bdat { .. } => Expect::Bdat { last: piece.last },
        };
        if piece.expects_reply {
            tx.pending += 1;
        }
        if piece.last {
            tx.content_done = true;
        }
        if piece.expects_reply {
            self.expect(expect);
            if self.expects.len() == 1 {
                // Its clock starts at the driver's next `handle_*` (it calls `handle_timeout`
                // once the bytes are written), not now: a large message may take long to leave.
                self.clock.stop();
            }
        }
        self.outbox.event(Event::Progress {
            handle,
            sent: piece.sent,
            total: piece.total,
        });
        if piece.last {
            self.start_commands();
        }
    }

    pub(super) fn on_transaction_reply(&mut self, expect: Expect, reply: Reply) {
        let Some(tx) = self.txs.front_mut() else {
            return self.outbox.fail(Error::UnexpectedReply(reply.to_string()));
        };
        tx.pending = tx.pending.saturating_sub(1);
        match expect {
            Expect::Mail => {
                if !reply.is_positive() {
                    tx.failed.get_or_insert(Stage::MailFrom);
                }
                tx.mail = Some(reply);
            }
            Expect::Rcpt => {
                let idx = tx.rcpts.len();
                let address = tx.prepared.rcpt_wire.get(idx).cloned().unwrap_or_default();
                tx.rcpts.push(RecipientResult { address, reply });
            }
            Expect::Data if reply.code == 354 => {
                if let Some(stage) = tx.envelope_failure() {
                    // The server wants content although no recipient is valid: end it at
                    // once, empty.
                    tx.failed.get_or_insert(stage);
                    tx.content_done = true;
                    tx.pending += 1;
                    self.outbox.send(b".\r\n");
                    self.expect(Expect::DataEnd);
                } else {
                    let (handle, body, transfer) = (
                        tx.prepared.handle,
                        tx.prepared.body.clone(),
                        tx.prepared.transfer,
                    );
                    // DATA content flows without replies, pipelining or not.
                    self.begin_content(handle, body, transfer, false);
                }
            }
            Expect::Data => {
                let stage = tx.envelope_failure().unwrap_or(Stage::Data);
                tx.failed.get_or_insert(stage);
                tx.last = Some(reply);
            }
            Expect::DataEnd | Expect::Bdat { .. } => {
                let last = matches!(expect, Expect::DataEnd | Expect::Bdat { last: true });
                if !reply.is_positive() {
                    if tx.failed.is_none() {
                        tx.failed = Some(match tx.envelope_failure() {
                            Some(stage) => stage,
                            None if last => Stage::Content,
                            None => Stage::Data,
                        });
                    }
                    let handle = tx.prepared.handle;
                    tx.last.get_or_insert(reply);
                    if self.content.as_ref().is_some_and(|c| c.handle == handle) {
                        self.content = None;
                        self.content_go = false;
                    }
                } else if last {
                    tx.last = Some(reply);
                } else if tx.failed.is_none() {
                    self.content_go = true;
                }
            }
            _ => {}
        }
        self.advance_envelope();
        self.finish_transaction_if_done();
    }

    /// Reports the front transaction once every reply it expects has arrived, or once it has
    /// failed and will not write content.
    fn finish_transaction_if_done(&mut self) {
        let Some(tx) = self.txs.front() else { return };
        let writing = self
            .content
            .as_ref()
            .is_some_and(|c| c.handle == tx.prepared.handle);
        if tx.pending > 0 || writing {
            return;
        }
        // After a refused BDAT the transaction stays open (RFC 3030); after the end of DATA
        // it is over whatever the reply.
        let needs_rset = tx.failed.is_some()
            && tx.mail_accepted()
            && !tx.followed_by_rset
            && (!tx.content_done || tx.prepared.transfer != Transfer::Data);
        let Some(tx) = self.txs.pop_front() else {
            return;
        };
        if self
            .content
            .as_ref()
            .is_some_and(|c| c.handle == tx.prepared.handle)
        {
            self.content = None;
        }
        let (handle, report) = tx.into_report();
        self.outbox.event(Event::Sent { handle, report });
        if needs_rset {
            self.outbox.send(&encode::simple("RSET"));
            self.expect(Expect::CleanupRset);
        }
        self.start_commands();
    }
}
