//! A hook through which drivers show the bytes on the wire (protocol logs, recording).

/// Sees every byte a driver writes and reads, in order.
///
/// Drivers call it; the transcript logger (feature `transcript`) implements it and redacts
/// authentication payloads.
pub trait WireObserver: Send {
    /// Bytes written to the server.
    fn client_bytes(&mut self, bytes: &[u8]);
    /// Bytes read from the server.
    fn server_bytes(&mut self, bytes: &[u8]);
    /// The TLS handshake of a STARTTLS upgrade finished.
    fn tls_established(&mut self) {}
}
