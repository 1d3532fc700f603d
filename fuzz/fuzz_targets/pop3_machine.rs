//! The POP3 machine fed random server bytes in random chunks after a scripted command sequence
//! (login on `Ready`, a batch of every mailbox command once logged in): no panic, the client
//! never writes a bare CR or LF, and message bytes delivered never exceed the bytes fed.
#![no_main]

#[path = "../common/machine.rs"]
mod machine;

use libfuzzer_sys::fuzz_target;
use mail_kit_core::pop3::{Auth, Command, Event, Pop3Client, Pop3Config};
use mail_kit_core::sasl::Credentials;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let mut config = Pop3Config::new(machine::policy(selector));
    config.max_pipelined_commands = usize::from(selector / 4 % 8) + 1;
    config.limits.max_reply_lines = 64;
    let mut pop = Pop3Client::new(config);
    let mut delivered = 0;
    let fed = machine::drive(&mut pop, rest, |pop, event| match event {
        Event::Ready { .. } => {
            let auth = Auth {
                allow_plaintext: true,
                ..Auth::new(Credentials::password("user", "secret"))
            };
            let _ = pop.enqueue(Command::Capa);
            let _ = pop.enqueue(Command::Login(auth));
        }
        Event::AuthenticationFailed { .. } => {
            let _ = pop.enqueue(Command::UserPass(Auth {
                allow_plaintext: true,
                ..Auth::new(Credentials::password("user", "pass word"))
            }));
        }
        Event::Authenticated { .. } => enqueue_mailbox_commands(pop),
        Event::MessageData { data, .. } => delivered += data.len() as u64,
        _ => {}
    });
    assert!(delivered <= fed);
});

fn enqueue_mailbox_commands(pop: &mut Pop3Client) {
    for command in [
        Command::Stat,
        Command::List(None),
        Command::List(Some(1)),
        Command::Uidl(None),
        Command::Uidl(Some(2)),
        Command::Retr(1),
        Command::Top {
            message: 2,
            lines: 3,
        },
        Command::Dele(1),
        Command::Rset,
        Command::Noop,
        Command::Capa,
        Command::Lang(None),
        Command::Quit,
    ] {
        let _ = pop.enqueue(command);
    }
}
