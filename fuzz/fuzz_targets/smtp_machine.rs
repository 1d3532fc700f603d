//! The SMTP machine fed random server bytes in random chunks, with commands enqueued whenever it
//! is ready: no panic, and it never writes a bare CR or LF.
#![no_main]

#[path = "../common/machine.rs"]
mod machine;

use libfuzzer_sys::fuzz_target;
use mail_kit_core::sasl::Credentials;
use mail_kit_core::smtp::{
    Address, Auth, ClientName, Command, Envelope, Event, SmtpClient, SmtpConfig, Transaction,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let mut config = SmtpConfig::new(
        ClientName::new("fuzz.example").unwrap(),
        machine::policy(selector),
    );
    config.chunk_size = 1024;
    let mut smtp = SmtpClient::new(config);
    machine::drive(&mut smtp, rest, |smtp, event| {
        if let Event::Ready { .. } = event {
            enqueue_work(smtp);
        }
    });
});

fn enqueue_work(smtp: &mut SmtpClient) {
    let auth = Auth {
        allow_plaintext: true,
        ..Auth::new(Credentials::password("user", "secret"))
    };
    let _ = smtp.enqueue(Command::Authenticate(auth));
    let env = Envelope::new(
        Some(Address::new("a@example.org").unwrap()),
        [
            Address::new("b@example.org").unwrap(),
            Address::new("c@example.org").unwrap(),
        ],
    );
    let body = b".dot\r\nline\n.\nbare\rcr\r\n\r\n.\r\nend".to_vec();
    let _ = smtp.enqueue(Command::Send(Transaction::new(env.clone(), body.clone())));
    let _ = smtp.enqueue(Command::Send(Transaction::new(env, body)));
    let _ = smtp.enqueue(Command::Noop);
    let _ = smtp.enqueue(Command::Quit);
}
