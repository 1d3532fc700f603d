//! Guessing a part's content type from a file name's extension, for attachments.

/// Extensions (lower case, sorted) and their media types: the common ones mail carries.
const TABLE: &[(&str, &str)] = &[
    ("7z", "application/x-7z-compressed"),
    ("aac", "audio/aac"),
    ("ai", "application/postscript"),
    ("avi", "video/x-msvideo"),
    ("avif", "image/avif"),
    ("bmp", "image/bmp"),
    ("bz2", "application/x-bzip2"),
    ("c", "text/x-c"),
    ("cer", "application/pkix-cert"),
    ("crt", "application/x-x509-ca-cert"),
    ("css", "text/css"),
    ("csv", "text/csv"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("eml", "message/rfc822"),
    ("eps", "application/postscript"),
    ("epub", "application/epub+zip"),
    ("flac", "audio/flac"),
    ("gif", "image/gif"),
    ("gz", "application/gzip"),
    ("heic", "image/heic"),
    ("htm", "text/html"),
    ("html", "text/html"),
    ("ico", "image/vnd.microsoft.icon"),
    ("ics", "text/calendar"),
    ("jar", "application/java-archive"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("js", "text/javascript"),
    ("json", "application/json"),
    ("m4a", "audio/mp4"),
    ("md", "text/markdown"),
    ("mid", "audio/midi"),
    ("midi", "audio/midi"),
    ("mov", "video/quicktime"),
    ("mp3", "audio/mpeg"),
    ("mp4", "video/mp4"),
    ("mpeg", "video/mpeg"),
    ("mpg", "video/mpeg"),
    ("msg", "application/vnd.ms-outlook"),
    ("odp", "application/vnd.oasis.opendocument.presentation"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("oga", "audio/ogg"),
    ("ogg", "audio/ogg"),
    ("ogv", "video/ogg"),
    ("otf", "font/otf"),
    ("p7m", "application/pkcs7-mime"),
    ("p7s", "application/pkcs7-signature"),
    ("pdf", "application/pdf"),
    ("pem", "application/x-pem-file"),
    ("png", "image/png"),
    ("ppt", "application/vnd.ms-powerpoint"),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("ps", "application/postscript"),
    ("py", "text/x-python"),
    ("rar", "application/vnd.rar"),
    ("rs", "text/x-rust"),
    ("rtf", "application/rtf"),
    ("sh", "application/x-sh"),
    ("svg", "image/svg+xml"),
    ("tar", "application/x-tar"),
    ("tgz", "application/gzip"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("ttf", "font/ttf"),
    ("txt", "text/plain"),
    ("vcf", "text/vcard"),
    ("wav", "audio/wav"),
    ("weba", "audio/webm"),
    ("webm", "video/webm"),
    ("webp", "image/webp"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("xhtml", "application/xhtml+xml"),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("xml", "application/xml"),
    ("xz", "application/x-xz"),
    ("yaml", "application/yaml"),
    ("yml", "application/yaml"),
    ("zip", "application/zip"),
];

/// The content type to use when nothing better is known.
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// Guesses the media type (`type/subtype`) of a file from its name's extension, case
/// insensitively (`Report.PDF` gives `application/pdf`); [`DEFAULT_CONTENT_TYPE`] when the
/// extension is unknown or missing. Only the last path component counts.
///
/// ```
/// use mail_kit_mime::guess::content_type_for_file_name;
/// assert_eq!(content_type_for_file_name("photo.JPG"), "image/jpeg");
/// assert_eq!(content_type_for_file_name("archive.tar.gz"), "application/gzip");
/// assert_eq!(content_type_for_file_name("README"), "application/octet-stream");
/// ```
pub fn content_type_for_file_name(name: &str) -> &'static str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let Some((stem, ext)) = base.rsplit_once('.') else {
        return DEFAULT_CONTENT_TYPE;
    };
    if stem.is_empty() || ext.len() > 8 {
        return DEFAULT_CONTENT_TYPE;
    }
    let ext = ext.to_ascii_lowercase();
    TABLE
        .binary_search_by(|(e, _)| (*e).cmp(ext.as_str()))
        .map_or(DEFAULT_CONTENT_TYPE, |i| TABLE[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_lower_case() {
        assert!(TABLE.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            TABLE
                .iter()
                .all(|(e, t)| *e == e.to_ascii_lowercase() && t.contains('/'))
        );
    }

    #[test]
    fn guesses() {
        assert_eq!(content_type_for_file_name("a.pdf"), "application/pdf");
        assert_eq!(content_type_for_file_name("C:\\dir\\Sheet.XLSX").len(), 65);
        assert_eq!(
            content_type_for_file_name("dir.d/noext"),
            DEFAULT_CONTENT_TYPE
        );
        assert_eq!(content_type_for_file_name(".png"), DEFAULT_CONTENT_TYPE);
        assert_eq!(
            content_type_for_file_name("x.unknown"),
            DEFAULT_CONTENT_TYPE
        );
        assert_eq!(content_type_for_file_name("übersicht.html"), "text/html");
    }
}
