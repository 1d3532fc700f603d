//! Charsets: everything encoding_rs knows (WHATWG labels), UTF-7, and common aliases.
//!
//! [`lookup`] resolves a charset label as found in mail (`charset=` parameters, RFC 2047 encoded
//! words) to a [`Charset`]; [`decode`] turns bytes in a named charset into a `String`, never
//! failing: an unknown charset gives the bytes decoded as UTF-8 (or, when they are not UTF-8, as
//! windows-1252) together with a [`CharsetDefect`] naming the charset.

use std::borrow::Cow;

use encoding_rs::Encoding;

/// A charset this crate can decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// An encoding of the WHATWG Encoding Standard, decoded by `encoding_rs`.
    Whatwg(&'static Encoding),
    /// UTF-7 (RFC 2152), which `encoding_rs` does not provide.
    Utf7,
}

impl Charset {
    /// The canonical name of the charset (`UTF-8`, `windows-1252`, `UTF-7`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Charset::Whatwg(e) => e.name(),
            Charset::Utf7 => "UTF-7",
        }
    }

    /// Decodes `bytes` in this charset, removing a leading byte order mark (as for bodies);
    /// the flag is `true` when malformed input was replaced with U+FFFD.
    pub fn decode(&self, bytes: &[u8]) -> (String, bool) {
        let (text, malformed) = self.decode_bom(bytes, true);
        (text.into_owned(), malformed)
    }

    /// Borrows `bytes` when they decode to themselves (e.g. valid UTF-8 in UTF-8).
    fn decode_bom<'a>(&self, bytes: &'a [u8], remove_bom: bool) -> (Cow<'a, str>, bool) {
        match self {
            Charset::Whatwg(e) if remove_bom => e.decode_with_bom_removal(bytes),
            Charset::Whatwg(e) => e.decode_without_bom_handling(bytes),
            Charset::Utf7 => {
                let (text, malformed) = decode_utf7(bytes);
                (Cow::Owned(text), malformed)
            }
        }
    }
}

/// Something wrong found while decoding text in a charset. Decoding still produced text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CharsetDefect {
    /// The charset label is not known; the bytes were decoded as UTF-8 (lossy) when valid
    /// UTF-8, else as windows-1252.
    #[error("unknown charset {label:?}")]
    UnknownCharset {
        /// The label as it appeared (trimmed).
        label: String,
    },
    /// The bytes were not valid in the charset; bad sequences became U+FFFD.
    #[error("malformed {charset} input")]
    Malformed {
        /// The canonical name of the charset.
        charset: &'static str,
    },
}

/// Aliases seen in real mail that the WHATWG label list lacks, already lower-cased.
const ALIASES: &[(&str, &str)] = &[
    ("utf8", "utf-8"),
    ("utf_8", "utf-8"),
    ("x-utf8", "utf-8"),
    ("ascii", "windows-1252"),
    ("us_ascii", "windows-1252"),
    ("ansi_x3.4-1986", "windows-1252"),
    ("iso646-us", "windows-1252"),
    ("cp367", "windows-1252"),
    ("latin-1", "windows-1252"),
    ("latin_1", "windows-1252"),
    ("cp936", "gbk"),
    ("ms936", "gbk"),
    ("cp932", "shift_jis"),
    ("ms932", "shift_jis"),
    ("sjis", "shift_jis"),
    ("x-sjis-open", "shift_jis"),
    ("shift-jis", "shift_jis"),
    ("cp949", "euc-kr"),
    ("ms949", "euc-kr"),
    ("ks_c_5601", "euc-kr"),
    ("ks_c_5601-1989", "euc-kr"),
    ("ksc5601", "euc-kr"),
    ("cp950", "big5"),
    ("ms950", "big5"),
    ("big5hkscs", "big5"),
    ("euc_jp", "euc-jp"),
    ("euc_kr", "euc-kr"),
    ("euc-cn", "gb2312"),
    ("euc_cn", "gb2312"),
    ("cp20866", "koi8-r"),
    ("cp21866", "koi8-u"),
    ("koi8r", "koi8-r"),
    ("koi8u", "koi8-u"),
    ("tis620", "windows-874"),
    ("cp874", "windows-874"),
    ("macintosh", "macintosh"),
    ("mac-roman", "macintosh"),
    ("utf-16le-bom", "utf-16le"),
    ("utf-16", "utf-16le"),
    ("ucs-2", "utf-16le"),
];

/// Looks up a charset label, case-insensitively, ignoring surrounding whitespace and quotes.
///
/// Knows every WHATWG label (`encoding_rs::Encoding::for_label`), UTF-7 (`utf-7`, `utf7`,
/// `unicode-1-1-utf-7`, ...), `cpNNNN` / `windows-NNNN` / `iso8859-N` / `iso_8859-N` spellings
/// and a list of other aliases real mail uses. Labels that WHATWG maps to its "replacement"
/// encoding (e.g. `iso-2022-kr`, `hz-gb-2312`) are reported as unknown, so their bytes are kept
/// rather than replaced by a single U+FFFD.
pub fn lookup(label: &str) -> Option<Charset> {
    // A common label as it stands needs no trimming (and the rest finds it too).
    if let Some(e) = common(label) {
        return Some(Charset::Whatwg(e));
    }
    let label = label.trim().trim_matches('"').trim();
    if label.is_empty() || label.len() > MAX_LABEL {
        return None;
    }
    let mut buf = [0u8; MAX_LABEL];
    let lower = &mut buf[..label.len()];
    lower.copy_from_slice(label.as_bytes());
    lower.make_ascii_lowercase();
    // Lower-casing ASCII letters keeps UTF-8 valid.
    let lower = std::str::from_utf8(lower).unwrap_or_default();
    if matches!(
        lower,
        "utf-7"
            | "utf7"
            | "utf_7"
            | "unicode-1-1-utf-7"
            | "unicode-2-0-utf-7"
            | "x-unicode-2-0-utf-7"
            | "csunicode11utf7"
    ) {
        return Some(Charset::Utf7);
    }
    let found = Encoding::for_label_no_replacement(lower.as_bytes())
        .or_else(|| {
            ALIASES
                .iter()
                .find(|(alias, _)| *alias == lower)
                .and_then(|(_, target)| Encoding::for_label_no_replacement(target.as_bytes()))
        })
        .or_else(|| normalized_numbered(lower));
    found.map(Charset::Whatwg)
}

/// Longest label [`lookup`] considers.
const MAX_LABEL: usize = 64;

/// The labels most mail uses, with what `Encoding::for_label` gives for them: checked first,
/// as a short linear scan beats `for_label`'s search over every WHATWG label.
const COMMON: &[(&str, &Encoding)] = &[
    ("utf-8", encoding_rs::UTF_8),
    ("us-ascii", encoding_rs::WINDOWS_1252),
    ("iso-8859-1", encoding_rs::WINDOWS_1252),
    ("windows-1252", encoding_rs::WINDOWS_1252),
    ("iso-8859-15", encoding_rs::ISO_8859_15),
    ("shift_jis", encoding_rs::SHIFT_JIS),
    ("iso-2022-jp", encoding_rs::ISO_2022_JP),
    ("gb2312", encoding_rs::GBK),
    ("big5", encoding_rs::BIG5),
    ("euc-kr", encoding_rs::EUC_KR),
    ("koi8-r", encoding_rs::KOI8_R),
    ("windows-1251", encoding_rs::WINDOWS_1251),
];

/// [`COMMON`]'s encoding for a label, compared case-insensitively.
fn common(label: &str) -> Option<&'static Encoding> {
    COMMON
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(label))
        .map(|&(_, e)| e)
}

/// `cp1252`, `windows_1252`, `iso8859-1`, `iso_8859_15`, `iso8859_2` and similar spellings.
fn normalized_numbered(lower: &str) -> Option<&'static Encoding> {
    let candidate = if let Some(n) = lower
        .strip_prefix("cp")
        .or_else(|| lower.strip_prefix("windows_"))
    {
        format!("windows-{n}")
    } else if let Some(rest) = lower
        .strip_prefix("iso8859")
        .or_else(|| lower.strip_prefix("iso_8859"))
        .or_else(|| lower.strip_prefix("iso-8859"))
    {
        let n = rest.trim_start_matches(['-', '_']);
        let n = n.split(':').next().unwrap_or(n);
        format!("iso-8859-{n}")
    } else {
        return None;
    };
    Encoding::for_label_no_replacement(candidate.as_bytes())
}

/// Decodes `bytes` in the charset named `label`. Never fails.
///
/// An unknown label gives the bytes as UTF-8 (lossy) when they are valid UTF-8, otherwise as
/// windows-1252, plus [`CharsetDefect::UnknownCharset`]. Malformed input in a known charset gives
/// [`CharsetDefect::Malformed`].
pub fn decode(label: &str, bytes: &[u8]) -> (String, Option<CharsetDefect>) {
    let (text, defect) = decode_bom(label, bytes, true);
    (text.into_owned(), defect)
}

/// Like [`decode`], but a leading U+FEFF is kept as a character: in header text (RFC 2047
/// words, RFC 2231 values) it is content, not a byte order mark.
pub fn decode_keeping_bom(label: &str, bytes: &[u8]) -> (String, Option<CharsetDefect>) {
    let (text, defect) = keeping_bom_str(label, bytes);
    (text.into_owned(), defect)
}

/// [`decode_keeping_bom`] without a copy when `bytes` decode to themselves.
pub(crate) fn keeping_bom_str<'a>(
    label: &str,
    bytes: &'a [u8],
) -> (Cow<'a, str>, Option<CharsetDefect>) {
    decode_bom(label, bytes, false)
}

fn decode_bom<'a>(
    label: &str,
    bytes: &'a [u8],
    remove_bom: bool,
) -> (Cow<'a, str>, Option<CharsetDefect>) {
    match lookup(label) {
        Some(charset) => {
            let (text, malformed) = charset.decode_bom(bytes, remove_bom);
            let defect = malformed.then(|| CharsetDefect::Malformed {
                charset: charset.name(),
            });
            (text, defect)
        }
        None => (
            fallback_str(bytes),
            Some(CharsetDefect::UnknownCharset {
                label: label.trim().to_owned(),
            }),
        ),
    }
}

/// Decodes bytes of unknown charset: as UTF-8 when valid, else as windows-1252 (total: every
/// byte maps to a character).
pub fn decode_fallback(bytes: &[u8]) -> String {
    fallback_str(bytes).into_owned()
}

/// [`decode_fallback`] without a copy when `bytes` are valid UTF-8.
pub(crate) fn fallback_str(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// Encodes `text` for the charset named `label`. Returns `None` when the charset is unknown or
/// cannot represent every character of `text` (the encoder side only needs UTF-8, which always
/// works). UTF-7 is supported through [`encode_utf7`].
pub fn encode(label: &str, text: &str) -> Option<Vec<u8>> {
    match lookup(label)? {
        Charset::Utf7 => Some(encode_utf7(text).into_bytes()),
        Charset::Whatwg(e) => {
            let e = e.output_encoding();
            let (bytes, _, unmappable) = e.encode(text);
            (!unmappable).then(|| bytes.into_owned())
        }
    }
}

fn utf7_b64_value(b: u8) -> Option<u32> {
    Some(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    } as u32)
}

const UTF7_B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Decodes UTF-7 (RFC 2152). The flag is `true` when the input was malformed (non-ASCII
/// bytes, unpaired surrogates, non-zero or excess leftover bits); bad parts become U+FFFD.
pub fn decode_utf7(bytes: &[u8]) -> (String, bool) {
    let mut out = String::with_capacity(bytes.len());
    let mut malformed = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != b'+' {
            if b.is_ascii() {
                out.push(b as char);
            } else {
                out.push('\u{FFFD}');
                malformed = true;
            }
            i += 1;
            continue;
        }
        i += 1;
        if bytes.get(i) == Some(&b'-') {
            out.push('+');
            i += 1;
            continue;
        }
        // Shifted sequence: modified base64 of UTF-16BE.
        let mut bits: u32 = 0;
        let mut nbits = 0u32;
        let mut high: Option<u16> = None;
        while let Some(v) = bytes.get(i).and_then(|&c| utf7_b64_value(c)) {
            bits = (bits << 6) | v;
            nbits += 6;
            i += 1;
            if nbits >= 16 {
                nbits -= 16;
                let unit = ((bits >> nbits) & 0xFFFF) as u16;
                bits &= (1 << nbits) - 1;
                match (high.take(), unit) {
                    (None, 0xD800..=0xDBFF) => high = Some(unit),
                    (None, 0xDC00..=0xDFFF) => {
                        out.push('\u{FFFD}');
                        malformed = true;
                    }
                    (None, u) => out.push(char::from_u32(u as u32).unwrap_or('\u{FFFD}')),
                    (Some(h), 0xDC00..=0xDFFF) => {
                        let c = 0x10000 + (((h as u32) - 0xD800) << 10) + (unit as u32 - 0xDC00);
                        out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                    }
                    (Some(_), u) => {
                        out.push('\u{FFFD}');
                        malformed = true;
                        if (0xD800..=0xDBFF).contains(&u) {
                            high = Some(u);
                        } else {
                            out.push(char::from_u32(u as u32).unwrap_or('\u{FFFD}'));
                        }
                    }
                }
            }
        }
        if high.is_some() || nbits >= 6 || bits != 0 {
            out.push('\u{FFFD}');
            malformed = true;
        }
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
    }
    (out, malformed)
}

fn utf7_direct(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '\'' | '('
                | ')'
                | ','
                | '-'
                | '.'
                | '/'
                | ':'
                | '?'
                | ' '
                | '\t'
                | '\r'
                | '\n'
                | '!'
                | '"'
                | '#'
                | '$'
                | '%'
                | '&'
                | '*'
                | ';'
                | '<'
                | '='
                | '>'
                | '@'
                | '['
                | ']'
                | '^'
                | '_'
                | '`'
                | '{'
                | '|'
                | '}'
        )
}

/// Encodes `text` as UTF-7 (RFC 2152), writing RFC 2152's sets D and O directly.
pub fn encode_utf7(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '+' {
            out.push_str("+-");
            continue;
        }
        if utf7_direct(c) {
            out.push(c);
            continue;
        }
        out.push('+');
        let mut bits: u32 = 0;
        let mut nbits = 0u32;
        let mut push_unit = |unit: u16, out: &mut String| {
            bits = (bits << 16) | unit as u32;
            nbits += 16;
            while nbits >= 6 {
                nbits -= 6;
                out.push(UTF7_B64[((bits >> nbits) & 63) as usize] as char);
            }
            bits &= (1 << nbits) - 1;
        };
        let mut buf = [0u16; 2];
        for unit in c.encode_utf16(&mut buf) {
            push_unit(*unit, &mut out);
        }
        while let Some(&next) = chars.peek() {
            if next == '+' || utf7_direct(next) {
                break;
            }
            chars.next();
            for unit in next.encode_utf16(&mut buf) {
                push_unit(*unit, &mut out);
            }
        }
        if nbits > 0 {
            out.push(UTF7_B64[((bits << (6 - nbits)) & 63) as usize] as char);
        }
        match chars.peek() {
            Some(&n) if utf7_b64_value(u8::try_from(n).unwrap_or(0)).is_none() && n != '-' => {}
            _ => out.push('-'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::quickcheck;

    #[test]
    fn lookup_labels_and_aliases() {
        for (label, name) in [
            ("UTF-8", "UTF-8"),
            ("utf8", "UTF-8"),
            (" \"Utf-8\" ", "UTF-8"),
            ("latin1", "windows-1252"),
            ("cp1252", "windows-1252"),
            ("iso8859-1", "windows-1252"),
            ("ISO_8859_15", "ISO-8859-15"),
            ("iso8859_2", "ISO-8859-2"),
            ("ks_c_5601-1987", "EUC-KR"),
            ("us-ascii", "windows-1252"),
            ("cp936", "GBK"),
            ("windows-1251", "windows-1251"),
            ("iso-2022-jp", "ISO-2022-JP"),
            ("UTF-7", "UTF-7"),
            ("unicode-1-1-utf-7", "UTF-7"),
        ] {
            assert_eq!(lookup(label).map(|c| c.name()), Some(name), "{label}");
        }
        for label in [
            "x-evil",
            "x-unknown",
            "",
            "iso-2022-kr",
            "hz-gb-2312",
            "cp99999",
        ] {
            assert_eq!(lookup(label), None, "{label}");
        }
    }

    #[test]
    fn common_labels_agree_with_whatwg() {
        for &(label, encoding) in COMMON {
            assert_eq!(
                Encoding::for_label_no_replacement(label.as_bytes()),
                Some(encoding),
                "{label}"
            );
            let upper = label.to_ascii_uppercase();
            assert_eq!(lookup(&upper), Some(Charset::Whatwg(encoding)), "{upper}");
        }
    }

    #[test]
    fn decode_known_and_unknown() {
        assert_eq!(decode("iso-8859-1", b"caf\xe9"), ("café".to_owned(), None));
        assert_eq!(
            decode("UTF-8", "café".as_bytes()),
            ("café".to_owned(), None)
        );
        let (text, defect) = decode("x-evil", b"caf\xe9");
        assert_eq!(text, "café");
        assert_eq!(
            defect,
            Some(CharsetDefect::UnknownCharset {
                label: "x-evil".into()
            })
        );
        let (text, defect) = decode("x-evil", "naïve".as_bytes());
        assert_eq!(text, "naïve");
        assert!(defect.is_some());
        let (text, defect) = decode("utf-8", b"a\xffb");
        assert_eq!(text, "a\u{FFFD}b");
        assert_eq!(defect, Some(CharsetDefect::Malformed { charset: "UTF-8" }));
        // iso-2022-jp with an invalid escape: replaced, flagged, no panic.
        let (_, defect) = decode("iso-2022-jp", b"\x1b$Bxx\x1b(Q\x1b");
        assert!(defect.is_some());
    }

    #[test]
    fn utf7_rfc2152_examples() {
        let cases = [
            ("A+ImIDkQ.", "A\u{2262}\u{391}."),
            ("Hi Mom -+Jjo--!", "Hi Mom -\u{263A}-!"),
            ("+ZeVnLIqe-", "\u{65E5}\u{672C}\u{8A9E}"),
            ("Item 3 is +AKM-1.", "Item 3 is \u{A3}1."),
            ("1 +- 1 = 2", "1 + 1 = 2"),
        ];
        for (encoded, text) in cases {
            assert_eq!(
                decode_utf7(encoded.as_bytes()),
                (text.to_owned(), false),
                "{encoded}"
            );
            assert_eq!(encode_utf7(text), encoded, "{text:?}");
            assert_eq!(decode("utf-7", encoded.as_bytes()), (text.to_owned(), None));
        }
        // Surrogate pair: U+1F600.
        let enc = encode_utf7("\u{1F600}");
        assert_eq!(decode_utf7(enc.as_bytes()), ("\u{1F600}".to_owned(), false));
    }

    #[test]
    fn utf7_malformed() {
        assert!(decode_utf7(b"+2D3-").1); // lone high surrogate
        assert!(decode_utf7(b"+3gA-").1); // lone low surrogate
        assert!(decode_utf7(b"a\xffb").1);
        assert!(decode_utf7(b"+AK").1); // non-zero leftover bits
        assert_eq!(decode_utf7(b"+").0, "");
    }

    quickcheck! {
        fn utf7_round_trip(s: String) -> bool {
            decode_utf7(encode_utf7(&s).as_bytes()) == (s, false)
        }
        fn utf7_never_panics(b: Vec<u8>) -> bool {
            decode_utf7(&b);
            true
        }
        fn decode_never_panics(label: String, b: Vec<u8>) -> bool {
            decode(&label, &b);
            true
        }
    }
}
