//! The whole-buffer MIME parser: never panics, writes every input back byte for byte, agrees
//! with the header-only parse, and every entity's helpers run.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::{Limits, parse_headers_with, parse_with};

fuzz_target!(|data: &[u8]| {
    // Small limits so that short inputs reach them too.
    let small = Limits {
        max_depth: 5,
        max_parts: 20,
        max_header_bytes: 256,
        max_headers: 8,
        max_parameters: 4,
        max_line_length: 40,
        max_boundary_length: 16,
    };
    for limits in [Limits::default(), small] {
        let message = parse_with(data.to_vec(), &limits);
        assert_eq!(message.to_bytes().unwrap(), data);
        assert_eq!(
            &parse_headers_with(data.to_vec(), &limits),
            message.headers()
        );
        for (_, entity) in message.walk() {
            let _ = entity.content_type();
            let _ = entity.content_disposition();
            let _ = entity.filename();
            let _ = entity.text();
            let _ = entity.decoded_body();
            let ranges = entity.ranges().unwrap();
            assert!(ranges.header_start <= ranges.body_start && ranges.body_start <= ranges.end);
            assert!(ranges.end as usize <= data.len());
        }
        let _ = message.text_body();
        let _ = message.html_body();
        let _ = message.attachments().count();
    }
});
