//! Transfer-encoding goldens from MimeKit's test suite (`$MAILKIT_CORPUS/mimekit/encoders/` and
//! `$MAILKIT_CORPUS/mimekit/yenc/`).
//!
//! Without `MAILKIT_CORPUS` these tests say so and pass, unless `CI` or `MAILKIT_REQUIRE_SERVERS`
//! is set: then a missing corpus is a failure, so CI never passes by skipping.
//!
//! Line ends: the `.b64`, `.uu` and `.qp` goldens are stored with LF line ends, while our
//! encoders write CRLF (the canonical form on the wire). Decoding needs no normalization (the
//! decoders accept both, and QP keeps hard line breaks as they are, so `wikipedia.qp` decodes to
//! the LF text of `wikipedia.txt` byte for byte); for the encode direction our CRLF output is
//! turned into LF before comparing.

mod common;

use std::path::{Path, PathBuf};

use mail_kit_mime::encoding::{base64, quoted_printable, uuencode, yenc};

fn corpus() -> Option<PathBuf> {
    common::corpus("mimekit", "golden tests")
}

fn read(dir: &Path, rel: &str) -> Vec<u8> {
    let path = dir.join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn crlf_to_lf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for (i, &b) in data.iter().enumerate() {
        if !(b == b'\r' && data.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

fn lf_to_crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 32);
    for &b in data {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

#[test]
fn base64_photo() {
    let Some(dir) = corpus() else { return };
    let photo = read(&dir, "encoders/photo.jpg");
    let golden = read(&dir, "encoders/photo.b64");
    let decoded = base64::decode(&golden);
    assert!(!decoded.defect);
    assert!(
        decoded.bytes == photo,
        "photo.b64 does not decode to photo.jpg"
    );
    // Also with CRLF line ends, and through the streaming decoder in odd-sized chunks.
    assert!(base64::decode(&lf_to_crlf(&golden)).bytes == photo);
    let mut decoder = base64::Base64Decoder::new();
    let mut out = Vec::new();
    for chunk in golden.chunks(1021) {
        mail_kit_mime::encoding::StreamDecoder::decode_chunk(&mut decoder, chunk, &mut out);
    }
    mail_kit_mime::encoding::StreamDecoder::finish(&mut decoder, &mut out);
    assert!(out == photo);
    assert!(
        crlf_to_lf(&base64::encode(&photo)) == golden,
        "encode differs from photo.b64"
    );
}

#[test]
fn uuencode_photo() {
    let Some(dir) = corpus() else { return };
    let photo = read(&dir, "encoders/photo.jpg");
    for name in ["encoders/photo.uu", "encoders/photo.uu-states"] {
        let decoded = uuencode::decode(&read(&dir, name));
        assert!(!decoded.defect, "{name}");
        assert_eq!(decoded.file_name.as_deref(), Some("photo.jpg"), "{name}");
        assert_eq!(decoded.mode, Some(0o644), "{name}");
        assert!(
            decoded.bytes == photo,
            "{name} does not decode to photo.jpg"
        );
    }
    let golden = read(&dir, "encoders/photo.uu");
    assert!(crlf_to_lf(&uuencode::encode("photo.jpg", 0o644, &photo)) == golden);
}

#[test]
fn quoted_printable_wikipedia() {
    let Some(dir) = corpus() else { return };
    let text = read(&dir, "encoders/wikipedia.txt");
    let golden = read(&dir, "encoders/wikipedia.qp");
    let decoded = quoted_printable::decode(&golden);
    assert!(!decoded.defect);
    assert_eq!(
        String::from_utf8_lossy(&decoded.bytes),
        String::from_utf8_lossy(&text)
    );
    // Round trip of the text as it would travel (CRLF line ends).
    let crlf = lf_to_crlf(&text);
    assert!(quoted_printable::decode(&quoted_printable::encode(&crlf)).bytes == crlf);
    let ours = crlf_to_lf(&quoted_printable::encode(&crlf));
    assert_eq!(
        String::from_utf8_lossy(&ours),
        String::from_utf8_lossy(&golden)
    );
}

#[test]
fn yenc_single_part() {
    let Some(dir) = corpus() else { return };
    let simple = yenc::decode(&read(&dir, "yenc/simple.msg"));
    assert!(simple.defects.is_empty(), "{:?}", simple.defects);
    assert_eq!(simple.file_name.as_deref(), Some("testfile.txt"));
    assert_eq!(simple.bytes.len(), 584);
    assert_eq!(yenc::crc32(&simple.bytes), 0xded2_9f4f);
    // The same block after near-miss keyword lines (`=ybeginx`, ...) and with LF line ends.
    let states = yenc::decode(&read(&dir, "yenc/state-changes.ntx"));
    assert!(states.defects.is_empty(), "{:?}", states.defects);
    assert!(states.bytes == simple.bytes);
}

#[test]
fn yenc_two_parts_join_to_the_file() {
    let Some(dir) = corpus() else { return };
    let file = read(&dir, "yenc/joystick.jpg");
    let mut joined = vec![0u8; file.len()];
    for (name, part) in [("yenc/00000020.ntx", 1), ("yenc/00000021.ntx", 2)] {
        let d = yenc::decode(&read(&dir, name));
        assert!(d.defects.is_empty(), "{name}: {:?}", d.defects);
        assert_eq!(d.part, Some(part));
        assert_eq!(d.file_name.as_deref(), Some("joystick.jpg"));
        assert_eq!(d.file_size, Some(file.len() as u64));
        let (begin, end) = d.part_range.expect("=ypart line");
        let (begin, end) = (begin as usize, end as usize);
        joined[begin - 1..end].copy_from_slice(&d.bytes);
    }
    assert!(joined == file, "the two parts do not join to joystick.jpg");
}
