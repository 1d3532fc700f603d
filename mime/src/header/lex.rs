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

/// The end of the comment that opens at `start` (which holds `(`): the index just past its
/// matching `)`, and whether it was closed (if not, the end of the input).
pub(crate) fn comment_end(input: &[u8], start: usize) -> (usize, bool) {
    let mut depth = 0usize;
    let mut i = start;
    while i < input.len() {
        match input[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return (i + 1, true);
                }
            }
            _ => {}
        }
        i += 1;
    }
    (input.len(), false)
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

    #[test]
    fn find_pair_first_match_only() {
        assert_eq!(find_pair(b"a=b==?x=?", *b"=?"), Some(4));
        assert_eq!(find_pair(b"====", *b"=?"), None);
        assert_eq!(find_pair(b"x=", *b"=?"), None);
        assert_eq!(find_pair(b"", *b"?="), None);
        assert_eq!(find_pair(b"??=", *b"?="), Some(1));
    }
}
