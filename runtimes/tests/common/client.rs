//! One face for the four SMTP clients, so that a session scenario is written once and run on
//! the blocking client and on the async client under tokio, smol and async-std
//! ([`every_runtime!`](crate::every_runtime)).

use mail_kit::smtp::{Auth, Capabilities, Envelope, Reply, SendReport, Transaction};
use mail_kit::{Credentials, Error, SmtpOptions};

/// What the scenarios call, in async form; the blocking client's futures are ready at once.
pub(crate) trait Client: Sized + std::fmt::Debug {
    async fn connect(options: &SmtpOptions) -> Result<Self, Error>;
    fn capabilities(&self) -> &Capabilities;
    fn is_secure(&self) -> bool;
    fn on_progress(&mut self, progress: impl FnMut(u64, u64) + Send + 'static);
    async fn authenticate(&mut self, credentials: Credentials) -> Result<&'static str, Error>;
    async fn authenticate_with(&mut self, auth: Auth) -> Result<&'static str, Error>;
    async fn send_raw(&mut self, envelope: &Envelope, message: &str) -> Result<SendReport, Error>;
    async fn send_many(
        &mut self,
        transactions: Vec<Transaction>,
    ) -> Result<Vec<Result<SendReport, Error>>, Error>;
    async fn noop(&mut self) -> Result<Reply, Error>;
    async fn vrfy(&mut self, who: &str) -> Result<Reply, Error>;
    async fn expn(&mut self, list: &str) -> Result<Reply, Error>;
    async fn quit(self) -> Result<Option<Reply>, Error>;
}

/// Implements [`Client`] for `$client`, forwarding every method (`$($wait)*` is `.await` for
/// the async clients and nothing for the blocking one).
macro_rules! forward_client {
    ([$($generics:tt)*] $client:ty $(, $wait:tt)?) => {
        impl<$($generics)*> Client for $client {
            async fn connect(options: &SmtpOptions) -> Result<Self, Error> {
                <$client>::connect(options)$(.$wait)?
            }
            fn capabilities(&self) -> &Capabilities {
                <$client>::capabilities(self)
            }
            fn is_secure(&self) -> bool {
                <$client>::is_secure(self)
            }
            fn on_progress(&mut self, progress: impl FnMut(u64, u64) + Send + 'static) {
                <$client>::on_progress(self, progress)
            }
            async fn authenticate(&mut self, credentials: Credentials) -> Result<&'static str, Error> {
                <$client>::authenticate(self, credentials)$(.$wait)?
            }
            async fn authenticate_with(&mut self, auth: Auth) -> Result<&'static str, Error> {
                <$client>::authenticate_with(self, auth)$(.$wait)?
            }
            async fn send_raw(&mut self, envelope: &Envelope, message: &str) -> Result<SendReport, Error> {
                <$client>::send_raw(self, envelope, message.to_owned())$(.$wait)?
            }
            async fn send_many(
                &mut self,
                transactions: Vec<Transaction>,
            ) -> Result<Vec<Result<SendReport, Error>>, Error> {
                <$client>::send_many(self, transactions)$(.$wait)?
            }
            async fn noop(&mut self) -> Result<Reply, Error> {
                <$client>::noop(self)$(.$wait)?
            }
            async fn vrfy(&mut self, who: &str) -> Result<Reply, Error> {
                <$client>::vrfy(self, who)$(.$wait)?
            }
            async fn expn(&mut self, list: &str) -> Result<Reply, Error> {
                <$client>::expn(self, list)$(.$wait)?
            }
            async fn quit(self) -> Result<Option<Reply>, Error> {
                <$client>::quit(self)$(.$wait)?
            }
        }
    };
}

#[cfg(feature = "blocking")]
forward_client!([] mail_kit::blocking::SmtpClient);
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
forward_client!([R: mail_kit::runtime::Runtime] mail_kit::smtp::AsyncSmtpClient<R>, await);

/// Runs a future on a current-thread tokio runtime with time and I/O (what `#[tokio::test]`
/// does); the blocking scenarios run on it too, their futures being ready at once.
pub fn block_on_tokio<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// Defines, for each scenario `name` (an `async fn name<C: Client>()`), a module `name` with
/// one test per runtime that is built: `blocking`, `tokio`, `smol`, `async_std`.
#[macro_export]
macro_rules! every_runtime {
    ($($name:ident;)*) => {
        $(
            mod $name {
                #[cfg(feature = "blocking")]
                #[test]
                fn blocking() {
                    $crate::common::client::block_on_tokio(
                        super::$name::<::mail_kit::blocking::SmtpClient>(),
                    );
                }

                #[cfg(feature = "tokio")]
                #[test]
                fn tokio() {
                    $crate::common::client::block_on_tokio(super::$name::<::mail_kit::tokio::SmtpClient>());
                }

                #[cfg(feature = "smol")]
                #[test]
                fn smol() {
                    ::smol::block_on(super::$name::<::mail_kit::smol::SmtpClient>());
                }

                #[cfg(feature = "async-std")]
                #[test]
                fn async_std() {
                    ::async_std::task::block_on(super::$name::<::mail_kit::async_std::SmtpClient>());
                }
            }
        )*
    };
}
