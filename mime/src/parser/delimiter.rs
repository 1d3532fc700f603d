//! Recognising delimiter lines (RFC 2046 §5.1.1): `--` boundary, optionally `--` (the close
//! delimiter), optional spaces or tabs, then the line end.
//!
//! The rule is exact, so a boundary that is a prefix of another never matches it: with
//! boundary `B1`, the line `--B10` is content. Trailing whitespace is bounded (by
//! [`Limits::max_line_length`](crate::Limits::max_line_length)) so that the streaming parser
//! never holds back more than one bounded line while it decides.

/// What a (possibly partial) line is with respect to one boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineMatch {
    /// A delimiter: `close` for `--boundary--`.
    Delimiter {
        /// Whether this is the close delimiter.
        close: bool,
    },
    /// Not a delimiter, whatever follows.
    No,
    /// A partial line that could still become a delimiter.
    Maybe,
}

fn all_ws(s: &[u8]) -> bool {
    s.iter().all(|&b| b == b' ' || b == b'\t')
}

/// Matches `line` (without its `\n`) against `boundary`. `complete` says the line ended (with
/// `\n` or the end of input); otherwise more bytes may follow and the answer may be
/// [`LineMatch::Maybe`]. `max_ws` bounds the trailing whitespace.
pub(crate) fn match_line(line: &[u8], boundary: &[u8], complete: bool, max_ws: usize) -> LineMatch {
    let Some(rest) = line.strip_prefix(b"--") else {
        return if !complete && b"--".starts_with(line) {
            LineMatch::Maybe
        } else {
            LineMatch::No
        };
    };
    if complete {
        let rest = rest.strip_suffix(b"\r").unwrap_or(rest);
        let Some(tail) = rest.strip_prefix(boundary) else {
            return LineMatch::No;
        };
        let (close, ws) = match tail.strip_prefix(b"--") {
            Some(ws) => (true, ws),
            None => (false, tail),
        };
        if ws.len() <= max_ws && all_ws(ws) {
            LineMatch::Delimiter { close }
        } else {
            LineMatch::No
        }
    } else {
        if boundary.starts_with(rest) {
            return LineMatch::Maybe;
        }
        let Some(tail) = rest.strip_prefix(boundary) else {
            return LineMatch::No;
        };
        let tail = tail.strip_suffix(b"\r").unwrap_or(tail);
        let ws = match tail.strip_prefix(b"--") {
            Some(ws) => ws,
            None if tail == b"-" => b"",
            None => tail,
        };
        if ws.len() <= max_ws && all_ws(ws) {
            LineMatch::Maybe
        } else {
            LineMatch::No
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{LineMatch, match_line};

    const OPEN: LineMatch = LineMatch::Delimiter { close: false };
    const CLOSE: LineMatch = LineMatch::Delimiter { close: true };

    #[test]
    fn exact_rule() {
        assert_eq!(match_line(b"--B1", b"B1", true, 10), OPEN);
        assert_eq!(match_line(b"--B1\r", b"B1", true, 10), OPEN);
        assert_eq!(match_line(b"--B1 \t", b"B1", true, 10), OPEN);
        assert_eq!(match_line(b"--B1--", b"B1", true, 10), CLOSE);
        assert_eq!(match_line(b"--B1-- \r", b"B1", true, 10), CLOSE);
        assert_eq!(match_line(b"--B10", b"B1", true, 10), LineMatch::No);
        assert_eq!(match_line(b"--B1-", b"B1", true, 10), LineMatch::No);
        assert_eq!(match_line(b"--B1--x", b"B1", true, 10), LineMatch::No);
        assert_eq!(match_line(b"-B1", b"B1", true, 10), LineMatch::No);
        assert_eq!(
            match_line(b"--B1           ", b"B1", true, 3),
            LineMatch::No
        );
    }

    #[test]
    fn partial_lines() {
        for p in [
            &b""[..],
            b"-",
            b"--",
            b"--B",
            b"--B1",
            b"--B1-",
            b"--B1--",
            b"--B1 ",
            b"--B1\r",
        ] {
            assert_eq!(match_line(p, b"B1", false, 10), LineMatch::Maybe, "{p:?}");
        }
        for p in [&b"x"[..], b"-x", b"--C", b"--B10", b"--B1-x", b"--B1\rx"] {
            assert_eq!(match_line(p, b"B1", false, 10), LineMatch::No, "{p:?}");
        }
    }
}
