//! `mailkit parse`: the structure of a message (or of every message of an mbox file), read in
//! bounded memory through the streaming parser.
//!
//! The input is read in 64 KiB chunks and fed to [`StreamParser`] (through [`MboxSplitter`]
//! with `--mbox`); bodies are never kept: they are decoded chunk by chunk only to count their
//! decoded size. What is kept per message is its header fields and one record per entity.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};

use mail_kit::mime::encoding::base64::Base64Decoder;
use mail_kit::mime::encoding::quoted_printable::QuotedPrintableDecoder;
use mail_kit::mime::encoding::{ContentTransferEncoding, StreamDecoder};
use mail_kit::mime::header::{ContentDisposition, ContentType, encoded_word};
use mail_kit::mime::mbox::{MboxEvent, MboxOptions, MboxSplitter};
use mail_kit::mime::model::DefaultType;
use mail_kit::mime::parser::{EntityKind, Event, Region, StreamParser};
use serde_json::{Value, json};

use crate::args::ParseArgs;
use crate::failure::Failure;

/// How much input is read at a time.
const CHUNK: usize = 64 * 1024;

/// Runs `mailkit parse`.
pub fn run(args: ParseArgs) -> Result<(), Failure> {
    let mut input: Box<dyn Read> = match args.file.as_deref() {
        None => Box::new(io::stdin().lock()),
        Some(path) if path.as_os_str() == "-" => Box::new(io::stdin().lock()),
        Some(path) => Box::new(
            File::open(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?,
        ),
    };
    let stdout = io::stdout().lock();
    let mut out = Output {
        json: args.json,
        out: BufWriter::new(stdout),
        error: None,
    };
    let mut buf = vec![0u8; CHUNK];
    let mut read = |buf: &mut [u8]| loop {
        match input.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other.map_err(|e| Failure::usage(format!("cannot read input: {e}"))),
        }
    };
    if args.mbox {
        let mut splitter = MboxSplitter::new(MboxOptions::default());
        let mut current: Option<MessageReport> = None;
        let mut on_event = |event: MboxEvent<'_>| match event {
            MboxEvent::Start { offset, from_line } => {
                let from = String::from_utf8_lossy(from_line).into_owned();
                current = Some(MessageReport::new(Some((offset, from))));
            }
            MboxEvent::Data(data) => {
                if let Some(report) = current.as_mut() {
                    report.feed(data);
                }
            }
            MboxEvent::End => {
                if let Some(report) = current.take() {
                    out.message(report.finish());
                }
            }
        };
        loop {
            let n = read(&mut buf)?;
            if n == 0 {
                break;
            }
            splitter.push(&buf[..n], &mut on_event);
        }
        splitter.finish(&mut on_event);
    } else {
        let mut report = MessageReport::new(None);
        loop {
            let n = read(&mut buf)?;
            if n == 0 {
                break;
            }
            report.feed(&buf[..n]);
        }
        out.message(report.finish());
    }
    out.finish()
}

/// Where the reports go.
struct Output<W: Write> {
    json: bool,
    out: W,
    error: Option<io::Error>,
}

impl<W: Write> Output<W> {
    fn message(&mut self, message: Finished) {
        if self.error.is_some() {
            return;
        }
        let result = if self.json {
            serde_json::to_writer(&mut self.out, &message.json)
                .map_err(io::Error::from)
                .and_then(|()| self.out.write_all(b"\n"))
        } else {
            self.out.write_all(message.summary.as_bytes())
        };
        self.error = result.err();
    }

    fn finish(mut self) -> Result<(), Failure> {
        let result = match self.error.take() {
            Some(e) => Err(e),
            None => self.out.flush(),
        };
        match result {
            // A closed pipe (`| head`) is not a failure.
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                Err(Failure::usage(format!("cannot write output: {e}")))
            }
            _ => Ok(()),
        }
    }
}

/// One message's report, both forms.
struct Finished {
    summary: String,
    json: Value,
}

/// An entity being read.
struct Frame {
    default_type: DefaultType,
    headers: Vec<(String, String)>,
    content_type: Option<ContentType>,
    disposition: Option<ContentDisposition>,
    decoder: Option<Box<dyn StreamDecoder>>,
    encoded_size: u64,
    decoded_size: u64,
    defects: Vec<String>,
    children: Vec<Value>,
}

/// Builds the report of one message from the streaming parser's events.
struct MessageReport {
    parser: StreamParser,
    mbox: Option<(u64, String)>,
    stack: Vec<Frame>,
    summary: String,
    root: Option<Value>,
    scratch: Vec<u8>,
}

impl MessageReport {
    fn new(mbox: Option<(u64, String)>) -> Self {
        let mut summary = String::new();
        if let Some((_, from)) = &mbox {
            summary.push_str(from);
            summary.push('\n');
        }
        MessageReport {
            parser: StreamParser::new(),
            mbox,
            stack: Vec::new(),
            summary,
            root: None,
            scratch: Vec::new(),
        }
    }

    fn feed(&mut self, data: &[u8]) {
        self.parser.feed(data);
        self.drain();
    }

    fn finish(mut self) -> Finished {
        self.parser.finish();
        self.drain();
        let mut json = self.root.take().unwrap_or(Value::Null);
        if let (Some((offset, from)), Value::Object(map)) = (&self.mbox, &mut json) {
            map.insert("mbox_offset".into(), json!(offset));
            map.insert("mbox_from".into(), json!(from));
        }
        Finished {
            summary: self.summary,
            json,
        }
    }

    fn drain(&mut self) {
        while let Some(event) = self.parser.next_event() {
            self.event(event);
        }
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::EntityStart { default_type } => self.stack.push(Frame {
                default_type,
                headers: Vec::new(),
                content_type: None,
                disposition: None,
                decoder: None,
                encoded_size: 0,
                decoded_size: 0,
                defects: Vec::new(),
                children: Vec::new(),
            }),
            Event::Header(header) => self.header(header.name_str(), header.value()),
            Event::HeadersEnd { kind, .. } => self.headers_end(&kind),
            Event::Body {
                region: Region::Leaf,
                data,
            } => {
                if let Some(frame) = self.stack.last_mut() {
                    frame.encoded_size += data.len() as u64;
                    match frame.decoder.as_mut() {
                        Some(decoder) => {
                            self.scratch.clear();
                            decoder.decode_chunk(&data, &mut self.scratch);
                            frame.decoded_size += self.scratch.len() as u64;
                        }
                        None => frame.decoded_size += data.len() as u64,
                    }
                }
            }
            Event::Body { .. } | Event::Delimiter { .. } => {}
            Event::Defect(defect) => {
                if let Some(frame) = self.stack.last_mut() {
                    frame.defects.push(defect.to_string());
                }
            }
            Event::EntityEnd => self.entity_end(),
        }
    }

    fn header(&mut self, name: &str, value: &[u8]) {
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        if name.eq_ignore_ascii_case("content-type") {
            frame.content_type = ContentType::parse(value);
            if frame.content_type.is_none() {
                frame.defects.push("malformed Content-Type".into());
            }
        } else if name.eq_ignore_ascii_case("content-disposition") {
            frame.disposition = ContentDisposition::parse(value);
        } else if name.eq_ignore_ascii_case("content-transfer-encoding") {
            let encoding = ContentTransferEncoding::parse(&String::from_utf8_lossy(value));
            frame.decoder = match encoding {
                ContentTransferEncoding::Base64 => Some(Box::new(Base64Decoder::new())),
                ContentTransferEncoding::QuotedPrintable => {
                    Some(Box::new(QuotedPrintableDecoder::new()))
                }
                _ => None,
            };
        }
        let unfolded: Vec<u8> = value
            .iter()
            .copied()
            .filter(|&b| b != b'\r' && b != b'\n')
            .collect();
        let decoded = encoded_word::decode(unfolded.trim_ascii())
            .text
            .into_owned();
        frame.headers.push((name.to_owned(), decoded));
    }

    fn headers_end(&mut self, kind: &EntityKind) {
        let depth = self.stack.len().saturating_sub(1);
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        if !matches!(kind, EntityKind::Leaf) {
            frame.decoder = None;
        }
        let ct = effective_type(frame);
        self.summary.push_str(&" ".repeat(3 * depth));
        self.summary
            .push_str(&format!("Content-Type: {}/{}\n", ct.media_type, ct.subtype));
    }

    fn entity_end(&mut self) {
        let Some(mut frame) = self.stack.pop() else {
            return;
        };
        if let Some(decoder) = frame.decoder.as_mut() {
            self.scratch.clear();
            decoder.finish(&mut self.scratch);
            frame.decoded_size += self.scratch.len() as u64;
            if decoder.has_defect() {
                frame.defects.push("malformed transfer encoding".into());
            }
        }
        let value = entity_json(frame);
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(value),
            None => self.root = Some(value),
        }
    }
}

/// The content type in force: the header's, else the default for where the entity is.
fn effective_type(frame: &Frame) -> ContentType {
    frame
        .content_type
        .clone()
        .unwrap_or_else(|| match frame.default_type {
            DefaultType::TextPlain => ContentType::text_plain_default(),
            DefaultType::MessageRfc822 => ContentType::message_rfc822(),
        })
}

fn entity_json(frame: Frame) -> Value {
    let ct = effective_type(&frame);
    let filename = frame
        .disposition
        .as_ref()
        .and_then(|d| d.filename().map(str::to_owned))
        .or_else(|| ct.parameter("name").map(str::to_owned));
    let headers: Vec<Value> = frame
        .headers
        .iter()
        .map(|(name, value)| json!({ "name": name, "value": value }))
        .collect();
    let mut entity = json!({
        "content_type": format!("{}/{}", ct.media_type, ct.subtype),
        "headers": headers,
        "defects": frame.defects,
    });
    let map = entity.as_object_mut().expect("an object");
    if frame.children.is_empty() && !ct.is_multipart() && !ct.is_message() {
        map.insert("size".into(), json!(frame.encoded_size));
        map.insert("decoded_size".into(), json!(frame.decoded_size));
        map.insert("filename".into(), json!(filename));
    } else {
        map.insert("parts".into(), Value::Array(frame.children));
    }
    entity
}
