//! What an application asks the POP3 machine to do.

pub use crate::smtp::Auth;

/// A command for [`Pop3Client::enqueue`](super::Pop3Client::enqueue).
///
/// Authentication commands are valid in the AUTHORIZATION state (after [`Event::Ready`]),
/// mailbox commands in the TRANSACTION state (after [`Event::Authenticated`]); `CAPA`, `LANG`,
/// `NOOP` and `QUIT` in both. Message numbers start at 1.
///
/// [`Event::Ready`]: super::Event::Ready
/// [`Event::Authenticated`]: super::Event::Authenticated
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Command {
    /// Log in with the best method available: `AUTH` with the strongest SASL mechanism both
    /// sides support (or the one [`Auth::mechanism`] forces), else `APOP` when the greeting has
    /// a timestamp, else `USER`/`PASS` (on a connection without TLS only when
    /// [`Auth::allow_plaintext`]).
    Login(Auth),
    /// `USER` then `PASS` (RFC 1939 §7): reveals the password, so without TLS only when
    /// [`Auth::allow_plaintext`].
    UserPass(Auth),
    /// `APOP` (RFC 1939 §7): needs the greeting's timestamp and a password.
    Apop(Auth),
    /// `AUTH` with SASL (RFC 5034), with an initial response when the mechanism has one.
    Authenticate(Auth),
    /// `CAPA` (RFC 2449): ask for the capabilities again (they may change after login).
    Capa,
    /// `STAT`: number of messages and mailbox size.
    Stat,
    /// `LIST` (every message) or `LIST n`.
    List(Option<u32>),
    /// `UIDL` (every message) or `UIDL n`.
    Uidl(Option<u32>),
    /// `RETR n`: the message streams out as [`Event::MessageData`](super::Event::MessageData).
    Retr(u32),
    /// `TOP n lines`: the header and the first `lines` lines of the body, streamed like `RETR`.
    Top {
        /// The message number.
        message: u32,
        /// How many body lines.
        lines: u32,
    },
    /// `DELE n`: mark a message deleted (removed at `QUIT`).
    Dele(u32),
    /// `RSET`: unmark every deleted message.
    Rset,
    /// `NOOP`.
    Noop,
    /// `UTF8` (RFC 6856): switch to UTF-8 mode (before login; needs the `UTF8` capability).
    Utf8,
    /// `LANG` (list the languages) or `LANG tag` (choose one, `*` for the server's default);
    /// needs the `LANG` capability (RFC 6856).
    Lang(Option<String>),
    /// `QUIT`: after login, the server deletes the marked messages (the UPDATE state) and
    /// reports in [`Event::Closed`](super::Event::Closed) whether that worked.
    Quit,
}
