//! TLS channel binding for the SCRAM `-PLUS` mechanisms.

use std::fmt;

use crate::tls::TlsInfo;

/// The channel binding a `-PLUS` mechanism sends: the data that ties the SASL exchange to this
/// TLS connection, so a man in the middle who terminates TLS cannot relay it.
///
/// [`ChannelBinding::from_tls`] prefers `tls-exporter` (RFC 9266, TLS 1.3) and falls back to
/// `tls-server-end-point` (RFC 5929). `Debug` shows the type and length, not the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct ChannelBinding {
    kind: &'static str,
    data: Vec<u8>,
}

impl ChannelBinding {
    /// The binding for this TLS handshake; `None` when it produced no binding data.
    pub fn from_tls(info: &TlsInfo) -> Option<Self> {
        if let Some(data) = info.tls_exporter.as_ref().filter(|d| !d.is_empty()) {
            return Some(ChannelBinding::tls_exporter(data.clone()));
        }
        info.tls_server_end_point
            .as_ref()
            .filter(|d| !d.is_empty())
            .map(|data| ChannelBinding::tls_server_end_point(data.clone()))
    }

    /// `tls-exporter` (RFC 9266) data.
    pub fn tls_exporter(data: Vec<u8>) -> Self {
        ChannelBinding {
            kind: "tls-exporter",
            data,
        }
    }

    /// `tls-server-end-point` (RFC 5929) data: the hash of the server's certificate.
    pub fn tls_server_end_point(data: Vec<u8>) -> Self {
        ChannelBinding {
            kind: "tls-server-end-point",
            data,
        }
    }

    /// The channel-binding type name sent in the GS2 header (`p=NAME`).
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The binding data.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

impl fmt::Debug for ChannelBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChannelBinding")
            .field("kind", &self.kind)
            .field("len", &self.data.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exporter_preferred_then_end_point() {
        let mut info = TlsInfo {
            tls_exporter: Some(vec![1; 32]),
            tls_server_end_point: Some(vec![2; 32]),
            protocol: Some("TLSv1.3".into()),
        };
        let cb = ChannelBinding::from_tls(&info).unwrap();
        assert_eq!((cb.kind(), cb.data()), ("tls-exporter", &[1u8; 32][..]));
        info.tls_exporter = None;
        let cb = ChannelBinding::from_tls(&info).unwrap();
        assert_eq!(
            (cb.kind(), cb.data()),
            ("tls-server-end-point", &[2u8; 32][..])
        );
        info.tls_server_end_point = Some(Vec::new());
        assert_eq!(ChannelBinding::from_tls(&info), None);
        assert_eq!(ChannelBinding::from_tls(&TlsInfo::default()), None);
        assert!(!format!("{cb:?}").contains("2, 2"));
    }
}
