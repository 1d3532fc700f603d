//! Making untrusted text (server replies, error messages, file names) safe to print as a
//! single line on a terminal.

/// `text` as one printable line: every run of line breaks (CR, LF) becomes one space, a tab
/// becomes a space, and every other control character, as well as the Unicode bidirectional
/// controls that can reorder what a terminal shows, becomes U+FFFD.
///
/// An escape sequence from a hostile server (`ESC [ 2 J`) is thereby disarmed: the `ESC` is
/// replaced and the rest is plain text.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut line_break = false;
    for c in text.chars() {
        if matches!(c, '\r' | '\n') {
            line_break = true;
            continue;
        }
        if line_break {
            line_break = false;
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        }
        out.push(match c {
            '\t' => ' ',
            c if c.is_control() || is_bidi_control(c) => '\u{FFFD}',
            c => c,
        });
    }
    out
}

/// The Unicode characters that change the display order of text (embeddings, overrides,
/// isolates and marks).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn line_breaks_collapse_to_one_space() {
        assert_eq!(one_line("550-first\r\n550 second"), "550-first 550 second");
        assert_eq!(one_line("a\n\n\r\nb"), "a b");
        assert_eq!(one_line("a \r\nb"), "a b");
        assert_eq!(
            one_line("\r\nleading and trailing\n"),
            "leading and trailing"
        );
        assert_eq!(one_line("tab\there"), "tab here");
    }

    #[test]
    fn controls_are_neutralized() {
        assert_eq!(one_line("red \x1b[31m!"), "red \u{FFFD}[31m!");
        assert_eq!(one_line("nul\0 del\x7f"), "nul\u{FFFD} del\u{FFFD}");
        assert_eq!(one_line("evil\u{202E}txt.exe"), "evil\u{FFFD}txt.exe");
        assert_eq!(one_line("café ✓"), "café ✓");
    }
}
