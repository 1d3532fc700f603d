//! The tokio client against a scripted server: over loopback TCP, and over an in-memory
//! duplex pipe with a script task.
#![cfg(feature = "tokio")]

mod common;

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use common::*;
use mail_kit::runtime::Runtime;
use mail_kit::smtp::{Address, Auth, Envelope, Stage};
use mail_kit::tokio::{SmtpClient, Tokio, TokioStream};
use mail_kit::{
    CertificateProblem, Credentials, Error, Roots, SmtpOptions, TlsError, TlsMode, TlsSettings,
};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf};

fn envelope() -> Envelope {
    Envelope::new(
        Some(Address::new("alice@example.org").unwrap()),
        [
            Address::new("bob@example.org").unwrap(),
            Address::new("nobody@example.org").unwrap(),
        ],
    )
}

fn alice() -> Auth {
    let mut auth = Auth::new(Credentials::password("alice", "secret"));
    auth.allow_plaintext = true;
    auth
}

fn test_ca() -> TlsSettings {
    TlsSettings::new()
        .roots(Roots::None)
        .add_ca_file(fixture("ca.pem"))
}

#[tokio::test]
async fn plaintext_session() {
    let (port, server) = serve(|peer| {
        plain_greeting(peer);
        auth_send_quit(peer);
    });
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::None);
    let mut client = SmtpClient::connect(&options).await.unwrap();
    assert!(!client.is_secure());
    assert_eq!(client.authenticate_with(alice()).await.unwrap(), "PLAIN");
    let report = client.send_raw(&envelope(), MESSAGE).await.unwrap();
    assert_eq!(report.stage, Stage::Accepted);
    assert_eq!(report.rejected().count(), 1);
    assert_eq!(client.quit().await.unwrap().map(|r| r.code), Some(221));
    server.join().unwrap();
}

#[tokio::test]
async fn starttls_with_a_private_ca() {
    let (port, server) = serve(|peer| {
        starttls_greeting(peer, server_tls("server.pem"));
        auth_send_quit(peer);
    });
    let options = SmtpOptions::new("localhost", port)
        .unwrap()
        .tls_settings(test_ca());
    let mut client = SmtpClient::connect(&options).await.unwrap();
    assert!(client.is_secure());
    let mechanism = client
        .authenticate(Credentials::password("alice", "secret"))
        .await
        .unwrap();
    assert_eq!(mechanism, "PLAIN");
    client.send_raw(&envelope(), MESSAGE).await.unwrap();
    client.quit().await.unwrap();
    server.join().unwrap();
}

#[tokio::test]
async fn starttls_rejects_an_unknown_issuer() {
    let (port, server) = serve(|peer| starttls_rejected(peer, server_tls("server.pem")));
    let options = SmtpOptions::new("localhost", port).unwrap();
    let err = SmtpClient::connect(&options).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Tls(TlsError::Certificate {
                problem: CertificateProblem::UnknownIssuer,
                ..
            })
        ),
        "{err:?}"
    );
    server.join().unwrap();
}

#[tokio::test]
async fn implicit_tls_checks_the_host_name() {
    let (port, server) = serve(|peer| {
        let _ = peer.start_tls(server_tls("server.pem"));
    });
    let options = SmtpOptions::from_url(&format!("smtps://127.0.0.1:{port}"))
        .unwrap()
        .tls_settings(test_ca());
    let err = SmtpClient::connect(&options).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Tls(TlsError::Certificate {
                problem: CertificateProblem::NotValidForName,
                ..
            })
        ),
        "{err:?}"
    );
    server.join().unwrap();
}

#[tokio::test]
async fn implicit_tls_session() {
    let (port, server) = serve(|peer| {
        peer.start_tls(server_tls("server.pem")).unwrap();
        plain_greeting(peer);
        peer.expect("NOOP");
        peer.send("250 ok\r\n");
        peer.expect("QUIT");
        peer.send("221 bye\r\n");
    });
    let options = SmtpOptions::from_url(&format!("smtps://localhost:{port}"))
        .unwrap()
        .tls_settings(test_ca());
    let mut client = SmtpClient::connect(&options).await.unwrap();
    assert!(client.is_secure());
    assert_eq!(client.noop().await.unwrap().code, 250);
    client.quit().await.unwrap();
    server.join().unwrap();
}

#[tokio::test]
async fn implicit_tls_against_plaintext_is_a_handshake_error() {
    let (port, server) = serve(|peer| {
        peer.send("220 mx.example.org ESMTP plaintext\r\n");
        peer.expect_eof();
    });
    let options = SmtpOptions::from_url(&format!("smtps://localhost:{port}"))
        .unwrap()
        .tls_settings(test_ca());
    let err = SmtpClient::connect(&options).await.unwrap_err();
    assert!(
        matches!(err, Error::Tls(TlsError::Handshake { .. })),
        "{err:?}"
    );
    server.join().unwrap();
}

#[tokio::test]
async fn silent_server_times_out() {
    let (port, server) = serve(|peer| {
        peer.send("220 mx.example.org ESMTP\r\n");
        peer.expect("EHLO [127.0.0.1]");
        peer.expect_eof();
    });
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::None)
        .command_timeout(Duration::from_millis(300));
    let err = SmtpClient::connect(&options).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    server.join().unwrap();
}

#[tokio::test]
async fn closed_connection_is_a_protocol_error() {
    let (port, server) = serve(|peer| {
        plain_greeting(peer);
        peer.expect("NOOP");
    });
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::None);
    let mut client = SmtpClient::connect(&options).await.unwrap();
    let err = client.noop().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol(mail_kit::core::Error::UnexpectedEof { .. })
        ),
        "{err:?}"
    );
    assert!(matches!(client.noop().await.unwrap_err(), Error::Closed));
    server.join().unwrap();
}

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
