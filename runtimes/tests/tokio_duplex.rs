//! The tokio client over an in-memory duplex pipe with a script task (how writes are batched,
//! progress), and its futures being `Send`.
#![cfg(feature = "tokio")]

mod common;

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use common::*;
use mail_kit::runtime::Runtime;
use mail_kit::smtp::{Address, Envelope};
use mail_kit::tokio::{SmtpClient, Tokio, TokioStream};
use mail_kit::{SmtpOptions, TlsMode, TlsSettings};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf};

#[tokio::test]
async fn futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let options = SmtpOptions::new("127.0.0.1", 1).unwrap();
    let connect = SmtpClient::connect(&options);
    assert_send(&connect);
    drop(connect);
}

/// A tokio stream that records every `poll_write` call that wrote something.
struct WriteRecorder<S> {
    inner: S,
    writes: Arc<Mutex<Vec<String>>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteRecorder<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteRecorder<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &result {
            self.writes
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf[..*n]).into_owned());
        }
        result
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[tokio::test]
async fn duplex_session_writes_one_batch_per_pipeline() {
    let (client_end, server_end) = tokio::io::duplex(256 * 1024);
    let writes = Arc::new(Mutex::new(Vec::new()));
    let stream = TokioStream::new(WriteRecorder {
        inner: client_end,
        writes: writes.clone(),
    });

    let server = tokio::spawn(async move {
        let (read, mut write) = tokio::io::split(server_end);
        let mut lines = BufReader::new(read).lines();
        let mut expect =
            async |want: &str| assert_eq!(lines.next_line().await.unwrap().unwrap(), want);
        write.write_all(b"220 mx ESMTP\r\n").await.unwrap();
        expect("EHLO [127.0.0.1]").await;
        write
            .write_all(b"250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            .await
            .unwrap();
        expect("MAIL FROM:<alice@example.org>").await;
        expect("RCPT TO:<bob@example.org>").await;
        expect("RCPT TO:<nobody@example.org>").await;
        expect("DATA").await;
        write
            .write_all(b"250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n")
            .await
            .unwrap();
        expect("Subject: Hi").await;
        expect("").await;
        expect("Hello Bob").await;
        expect("..leading dot").await;
        expect(".").await;
        write.write_all(b"250 queued\r\n").await.unwrap();
        expect("QUIT").await;
        write.write_all(b"221 bye\r\n").await.unwrap();
    });

    let options = SmtpOptions::new("localhost", 25)
        .unwrap()
        .tls_mode(TlsMode::None);
    let runtime = Tokio::with_tls_settings(&TlsSettings::new());
    let mut client = SmtpClient::connect_stream(runtime, stream, &options)
        .await
        .unwrap();
    let total = Arc::new(Mutex::new(None));
    let seen = total.clone();
    client.on_progress(move |sent, total| *seen.lock().unwrap() = Some((sent, total)));
    let report = client.send_raw(&envelope(), MESSAGE).await.unwrap();
    assert!(report.is_accepted());
    let (sent, all) = total.lock().unwrap().expect("progress was reported");
    assert_eq!(sent, all);
    client.quit().await.unwrap();
    server.await.unwrap();

    let writes = writes.lock().unwrap();
    assert_eq!(
        *writes,
        [
            "EHLO [127.0.0.1]\r\n",
            "MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<nobody@example.org>\r\nDATA\r\n",
            "Subject: Hi\r\n\r\nHello Bob\r\n..leading dot\r\n.\r\n",
            "QUIT\r\n",
        ]
    );
}

#[tokio::test]
async fn large_message_goes_out_in_pieces_with_progress() {
    let (client_end, server_end) = tokio::io::duplex(64 * 1024);
    let line = "x".repeat(70);
    let message: String = (0..20_000).map(|i| format!("{i:06} {line}\r\n")).collect();
    let expected_lines = 20_000;

    let server = tokio::spawn(async move {
        let (read, mut write) = tokio::io::split(server_end);
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 mx ESMTP\r\n").await.unwrap();
        assert_eq!(
            lines.next_line().await.unwrap().unwrap(),
            "EHLO [127.0.0.1]"
        );
        write
            .write_all(b"250-mx\r\n250 PIPELINING\r\n")
            .await
            .unwrap();
        for want in [
            "MAIL FROM:<alice@example.org>",
            "RCPT TO:<bob@example.org>",
            "DATA",
        ] {
            assert_eq!(lines.next_line().await.unwrap().unwrap(), want);
        }
        write
            .write_all(b"250 ok\r\n250 ok\r\n354 go\r\n")
            .await
            .unwrap();
        let mut count = 0;
        while lines.next_line().await.unwrap().unwrap() != "." {
            count += 1;
        }
        assert_eq!(count, expected_lines);
        write.write_all(b"250 queued\r\n").await.unwrap();
    });

    let options = SmtpOptions::new("localhost", 25)
        .unwrap()
        .tls_mode(TlsMode::None);
    let runtime = Tokio::with_tls_settings(&TlsSettings::new());
    let mut client = SmtpClient::connect_stream(runtime, TokioStream::new(client_end), &options)
        .await
        .unwrap();
    let progress = Arc::new(Mutex::new(Vec::new()));
    let sink = progress.clone();
    client.on_progress(move |sent, total| sink.lock().unwrap().push((sent, total)));
    let envelope = Envelope::new(
        Some(Address::new("alice@example.org").unwrap()),
        [Address::new("bob@example.org").unwrap()],
    );
    client.send_raw(&envelope, message).await.unwrap();
    server.await.unwrap();
    let progress = progress.lock().unwrap();
    assert!(progress.len() > 4, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0].0 < w[1].0));
    let (sent, total) = *progress.last().unwrap();
    assert_eq!(sent, total);
}
