//! Scanning helpers shared by the structured header parsers: comments and quoted strings.
//!
//! Both run in time linear in what they scan, without recursion (comment nesting is counted).

/// Whether `b` is white space inside a header value (folds included).
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Whether `b` ends a token or an attribute (RFC 2045 §5.1, RFC 2231): a tspecial, white
/// space, a control character or DEL.
pub(crate) fn is_tspecial_or_ws(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')'
            | b'<'
            | b'>'
            | b'@'
            | b','
            | b';'
            | b':'
            | b'\\'
            | b'"'
            | b'/'
            | b'['
            | b']'
            | b'?'
            | b'='
    ) || b <= b' '
        || b == 0x7f
}

/// The first index of the two-byte sequence `pair` (such as `=?`) in `hay`, in one linear scan
/// (`memchr` for the first byte). Cheaper than `memmem::find` on short header values, which
/// builds a searcher on each call.
pub(crate) fn find_pair(hay: &[u8], pair: [u8; 2]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = memchr::memchr(pair[0], &hay[from..]) {
        let at = from + p;
        if hay.get(at + 1) == Some(&pair[1]) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The first index from `i` on of a byte whose class in `class` is not 0 (or the end of
/// `input`): the scanner of runs of bytes that play no role, for byte-class tables.
pub(crate) fn run_end(class: &[u8; 256], input: &[u8], mut i: usize) -> usize {
    // Four bytes a step: or-ing their classes costs less than a branch each.
    while let Some(chunk) = input.get(i..i + 4) {
        if chunk.iter().fold(0, |any, &b| any | class[usize::from(b)]) != 0 {
            break;
        }
        i += 4;
    }
    while input.get(i).is_some_and(|&b| class[usize::from(b)] == 0) {
        i += 1;
    }
    i
}

/// A comment found by [`comment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Comment {
    /// Just past its matching `)`, or the end of the input when unclosed.
    pub(crate) end: usize,
    /// Whether it was closed.
    pub(crate) closed: bool,
    /// Whether the text inside is printable ASCII with no two spaces in a row (escapes
    /// included): text that reads as written, which callers can borrow.
    pub(crate) plain: bool,
}

/// Byte classes inside a comment; 0 is a printable byte with no role there.
const IN_COMMENT: u8 = 0;
const COMMENT_SPACE: u8 = 1;
const COMMENT_OPEN: u8 = 2;
const COMMENT_CLOSE: u8 = 3;
const COMMENT_ESCAPE: u8 = 4;
const NOT_PRINTABLE: u8 = 5;

/// The class of each byte inside a comment.
const COMMENT_CLASS: [u8; 256] = {
    let mut class = [NOT_PRINTABLE; 256];
    let mut b = b'!';
    while b <= b'~' {
        class[b as usize] = IN_COMMENT;
        b += 1;
    }
    class[b' ' as usize] = COMMENT_SPACE;
    class[b'(' as usize] = COMMENT_OPEN;
    class[b')' as usize] = COMMENT_CLOSE;
    class[b'\\' as usize] = COMMENT_ESCAPE;
    class
};

/// The comment that opens at `start` (which holds `(`): nesting counted, `\\` escapes the next
/// byte, and whether its text is plain found in the same pass.
pub(crate) fn comment(input: &[u8], start: usize) -> Comment {
    let mut depth = 1usize;
    let mut plain = true;
    let mut i = start + 1;
    loop {
        i = run_end(&COMMENT_CLASS, input, i);
        let Some(&b) = input.get(i) else {
            return Comment {
                end: input.len(),
                closed: false,
                plain,
            };
        };
        match COMMENT_CLASS[usize::from(b)] {
            // The byte before is inside the comment, or its `(`.
            COMMENT_SPACE => plain &= input[i - 1] != b' ',
            COMMENT_OPEN => depth += 1,
            COMMENT_CLOSE => {
                depth -= 1;
                if depth == 0 {
                    return Comment {
                        end: i + 1,
                        closed: true,
                        plain,
                    };
                }
            }
            COMMENT_ESCAPE => {
                i += 1;
                plain &= input.get(i).is_none_or(|&b| (b' '..=b'~').contains(&b));
            }
            _ => plain = false,
        }
        i += 1;
    }
}

/// The end of the comment that opens at `start` (which holds `(`): the index just past its
/// matching `)`, and whether it was closed (if not, the end of the input).
pub(crate) fn comment_end(input: &[u8], start: usize) -> (usize, bool) {
    let c = comment(input, start);
    (c.end, c.closed)
}

/// The end of the quoted string that opens at `start` (which holds `"`): the index just past
/// its closing `"`, and whether it was closed (if not, the end of the input).
pub(crate) fn quoted_end(input: &[u8], start: usize) -> (usize, bool) {
    let mut i = start + 1;
    while i < input.len() {
        match input[i] {
            b'\\' => i += 1,
            b'"' => return (i + 1, true),
            _ => {}
        }
        i += 1;
    }
    (input.len(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_nest_and_escape() {
        assert_eq!(comment_end(b"(a (b) \\) c) d", 0), (12, true));
        assert_eq!(comment_end(b"(a (b) c", 0), (8, false));
        assert_eq!(quoted_end(b"\"a \\\" b\" c", 0), (8, true));
        assert_eq!(quoted_end(b"\"abc", 0), (4, false));
        let deep = "(".repeat(100_000);
        assert_eq!(comment_end(deep.as_bytes(), 0), (100_000, false));
    }

    /// The scan [`comment`] replaced: byte by byte, then a second pass for `plain`.
    fn reference(input: &[u8]) -> Comment {
        let mut depth = 0usize;
        let mut i = 0;
        let (end, closed) = loop {
            match input.get(i) {
                None => break (input.len(), false),
                Some(b'\\') => i += 1,
                Some(b'(') => depth += 1,
                Some(b')') => {
                    depth -= 1;
                    if depth == 0 {
                        break (i + 1, true);
                    }
                }
                Some(_) => {}
            }
            i += 1;
        };
        let inner = &input[1..if closed { end - 1 } else { end }];
        let plain = inner.iter().all(|b| (b' '..=b'~').contains(b))
            && !inner.windows(2).any(|w| w == b"  ");
        Comment { end, closed, plain }
    }

    quickcheck::quickcheck! {
        fn comment_is_the_byte_by_byte_scan(b: Vec<u8>) -> bool {
            // Mostly the bytes that matter there.
            let alphabet = b"() \\a\t\xff";
            let mapped = b.iter().map(|&b| alphabet.get(usize::from(b % 12)).copied().unwrap_or(b));
            let input: Vec<u8> = std::iter::once(b'(').chain(mapped).collect();
            comment(&input, 0) == reference(&input)
        }
    }

    #[test]
    fn find_pair_first_match_only() {
        assert_eq!(find_pair(b"a=b==?x=?", *b"=?"), Some(4));
        assert_eq!(find_pair(b"====", *b"=?"), None);
        assert_eq!(find_pair(b"x=", *b"=?"), None);
        assert_eq!(find_pair(b"", *b"?="), None);
        assert_eq!(find_pair(b"??=", *b"?="), Some(1));
    }
}
