//! Writing one message to an mbox file, quoted for the chosen format.

use std::io::{self, Write};

use super::MboxFormat;

/// Appends `message` to an mbox stream: the `from_line` separator (which must start with
/// `From ` and hold no CR, LF or NUL), the message with its `From ` lines quoted for `format`,
/// a line end if the message lacks a final one, and the blank line that precedes the next
/// separator. Read back with the same format, a message that ends with a line end comes out
/// byte-identical (for [`MboxFormat::Mboxo`], unless it has lines starting with `>From `).
///
/// ```
/// use mail_kit_mime::mbox::{write_message, MboxFormat};
///
/// let mut file = Vec::new();
/// write_message(&mut file, b"From a@example.org Thu Jan  1 00:00:00 2026", b"Subject: x\n\nFrom me\n", MboxFormat::Mboxrd)?;
/// assert_eq!(file, b"From a@example.org Thu Jan  1 00:00:00 2026\nSubject: x\n\n>From me\n\n");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_message(
    out: &mut impl Write,
    from_line: &[u8],
    message: &[u8],
    format: MboxFormat,
) -> io::Result<()> {
    if !from_line.starts_with(b"From ") || from_line.iter().any(|b| matches!(b, b'\r' | b'\n' | 0))
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "an mbox separator must start with \"From \" and hold no CR, LF or NUL",
        ));
    }
    out.write_all(from_line)?;
    out.write_all(b"\n")?;
    for line in message.split_inclusive(|&b| b == b'\n') {
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        let quote = match format {
            MboxFormat::Mboxrd => line[quotes..].starts_with(b"From "),
            MboxFormat::Mboxo => quotes == 0 && line.starts_with(b"From "),
        };
        if quote {
            out.write_all(b">")?;
        }
        out.write_all(line)?;
    }
    if !message.is_empty() && !message.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    out.write_all(b"\n")
}
