use super::*;

fn original(body_lines: usize) -> Message {
    let body = "A line of text to be split across parts, 7-bit.\r\n".repeat(body_lines);
    parse(format!(
        "From: a@example.org\r\nTo: b@example.org\r\nBcc: hidden@example.org\r\n\
         Subject: big\r\nMessage-ID: <orig@example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         Gr\u{fc}\u{df}e\r\n{body}"
    ))
}

fn params(m: &Message) -> (String, u32, Option<u32>) {
    partial_params(m.root()).expect("message/partial")
}

#[test]
fn split_parts_are_small_7bit_numbered_and_join_back_in_any_order() {
    let m = original(100);
    let parts = split(&m, 1_000, "big-1@example.org").unwrap();
    assert!(parts.len() >= 5, "{}", parts.len());
    let total = parts.len() as u32;
    for (i, part) in parts.iter().enumerate() {
        assert_eq!(
            params(part),
            ("big-1@example.org".into(), i as u32 + 1, Some(total))
        );
        let Body::Leaf(data) = part.body() else {
            panic!("leaf")
        };
        assert!(data.len() <= 1_000);
        let bytes = part.to_bytes().unwrap();
        assert!(bytes.is_ascii(), "message/partial bodies are 7-bit");
        assert!(part.headers().get("bcc").is_none());
        assert_eq!(part.headers().value("subject"), Some(&b" big"[..]));
        assert_ne!(
            part.headers().value("message-id"),
            Some(&b" <orig@example.org>"[..])
        );
    }
    // Written and parsed again, reversed: the original comes back.
    let mut reread: Vec<Message> = parts.iter().map(|p| parse(p.to_bytes().unwrap())).collect();
    reread.reverse();
    let joined = join(&reread).unwrap();
    assert_eq!(joined.text_body(), m.text_body());
    assert_eq!(
        joined.headers().value("message-id"),
        Some(&b" <orig@example.org>"[..])
    );
    assert!(joined.headers().get("bcc").is_none());
}

#[test]
fn a_small_message_is_one_part() {
    let parts = split(&original(1), 100_000, "small@example.org").unwrap();
    assert_eq!(parts.len(), 1);
    assert_eq!(params(&parts[0]).2, Some(1));
}

#[test]
fn bad_arguments_are_refused() {
    assert_eq!(
        split(&original(1), 10, "x@y").unwrap_err(),
        PartialError::SizeTooSmall(10)
    );
    assert_eq!(
        split(&original(1), 1_000, "a\"b").unwrap_err(),
        PartialError::InvalidId
    );
    assert_eq!(
        split(&original(1), 1_000, "").unwrap_err(),
        PartialError::InvalidId
    );
}

#[test]
fn join_checks_completeness_and_ids() {
    let parts = split(&original(60), 1_000, "p@example.org").unwrap();
    assert!(parts.len() >= 3);
    assert_eq!(join(&[]).unwrap_err(), PartialError::NoParts);
    assert_eq!(join(&parts[1..]).unwrap_err(), PartialError::Missing(1));
    let mut gap = parts.clone();
    gap.remove(1);
    assert_eq!(join(&gap).unwrap_err(), PartialError::Missing(2));
    let mut short = parts.clone();
    short.pop();
    // The total is still known from the other parts.
    assert_eq!(
        join(&short).unwrap_err(),
        PartialError::Missing(parts.len() as u32)
    );
    let mut twice = parts.clone();
    twice.push(parts[0].clone());
    assert_eq!(join(&twice).unwrap_err(), PartialError::Unexpected(1));
    let other = split(&original(60), 1_000, "q@example.org").unwrap();
    let mixed = vec![parts[0].clone(), other[1].clone()];
    assert_eq!(join(&mixed).unwrap_err(), PartialError::MixedIds);
    let plain = original(1);
    assert_eq!(
        join(&[plain]).unwrap_err(),
        PartialError::NotPartial { index: 0 }
    );
    let no_total = parse(
        "Content-Type: message/partial; id=\"z\"; number=1\r\n\r\nSubject: x\r\n\r\nbody\r\n",
    );
    assert_eq!(join(&[no_total]).unwrap_err(), PartialError::UnknownTotal);
}
