//! Re-encoding leaf bodies so a message fits what a transport accepts.

use crate::encoding::{
    ContentTransferEncoding, TransportConstraint, base64, choose_encoding, quoted_printable,
    required_constraint,
};
use crate::header::write::HeaderError;
use crate::model::{Body, BodyData, Entity};

impl Entity {
    /// Re-encodes every leaf whose body does not fit `constraint` (8-bit bytes under
    /// [`TransportConstraint::SevenBit`], NUL or bare CR, or lines over 998 octets outside
    /// [`TransportConstraint::Binary`]), as SMTP needs without 8BITMIME or BINARYMIME: text
    /// becomes quoted-printable or base64 (whichever [`choose_encoding`] picks), anything else
    /// base64, and `Content-Transfer-Encoding` is set to match. Leaves already in base64,
    /// quoted-printable or uuencode are left alone, as is everything else: unchanged parts
    /// are still written byte for byte. Nested messages are entered (their own
    /// `Content-Transfer-Encoding` line is left as it is). Returns how many leaves were
    /// re-encoded; bodies not held in memory are skipped.
    pub fn prepare(&mut self, constraint: TransportConstraint) -> Result<usize, HeaderError> {
        let mut changed = 0;
        let mut stack: Vec<&mut Entity> = vec![self];
        while let Some(entity) = stack.pop() {
            let is_text = entity.content_type().media_type == "text";
            let cte = entity.transfer_encoding();
            let Entity { headers, body, .. } = entity;
            match body {
                Body::Multipart(mp) => stack.extend(mp.parts.iter_mut().map(|p| &mut p.entity)),
                Body::Message(m) => stack.push(m.root_mut()),
                Body::Leaf(BodyData::Bytes(data)) => {
                    if !matches!(
                        cte,
                        ContentTransferEncoding::SevenBit
                            | ContentTransferEncoding::EightBit
                            | ContentTransferEncoding::Binary
                    ) {
                        continue;
                    }
                    let fits = required_constraint(data) <= constraint;
                    if fits {
                        continue;
                    }
                    let new_cte = match choose_encoding(data, TransportConstraint::SevenBit) {
                        ContentTransferEncoding::QuotedPrintable if is_text => {
                            ContentTransferEncoding::QuotedPrintable
                        }
                        _ => ContentTransferEncoding::Base64,
                    };
                    let encoded = if new_cte == ContentTransferEncoding::Base64 {
                        base64::encode(data)
                    } else {
                        quoted_printable::encode(data)
                    };
                    headers.set_structured("Content-Transfer-Encoding", new_cte.as_str())?;
                    *data = encoded.into();
                    changed += 1;
                }
                Body::Leaf(BodyData::Sunk { .. }) => {}
            }
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use crate::encoding::TransportConstraint;

    #[test]
    fn eight_bit_parts_are_re_encoded_only_when_needed() {
        let input = "Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
            Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
            Grüße\r\n--b\r\nContent-Type: application/octet-stream\r\n\
            Content-Transfer-Encoding: binary\r\n\r\n\x00\x01\x02\r\n--b\r\n\
            Content-Type: text/plain\r\n\r\nplain ascii\r\n--b--\r\n";
        let original = crate::parse(input.as_bytes().to_vec());
        let mut message = original.clone();
        assert_eq!(message.prepare(TransportConstraint::Binary), Ok(0));
        assert_eq!(message.to_bytes().unwrap(), input.as_bytes());
        assert_eq!(message.prepare(TransportConstraint::EightBit), Ok(1));
        assert_eq!(message.prepare(TransportConstraint::SevenBit), Ok(1));
        let bytes = message.to_bytes().unwrap();
        assert!(bytes.iter().all(|&b| b != 0 && b < 0x80), "{bytes:?}");
        let reparsed = crate::parse(bytes);
        let before: Vec<_> = original.body_parts().map(|e| e.decoded_body()).collect();
        let after: Vec<_> = reparsed.body_parts().map(|e| e.decoded_body()).collect();
        assert_eq!(before, after);
        assert_eq!(reparsed.text_body().as_deref(), Some("Grüße"));
    }
}
