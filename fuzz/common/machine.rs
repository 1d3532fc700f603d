//! The harness the machine fuzz targets share: the TLS policy picked by a selector byte, the
//! server bytes fed in chunks whose lengths come from the input, every output drained, and the
//! client output rules checked on everything the machine wrote.

use std::time::{Duration, Instant};

use mail_kit_core::{Machine, Output, TlsInfo, TlsPolicy};

/// The TLS policy `selector` picks (its two low bits).
pub fn policy(selector: u8) -> TlsPolicy {
    match selector % 4 {
        0 => TlsPolicy::Required,
        1 => TlsPolicy::Opportunistic,
        2 => TlsPolicy::None,
        _ => TlsPolicy::Implicit,
    }
}

/// Feeds `input` to `machine` as the server's bytes: each chunk is prefixed by its length byte
/// (a zero length also fires the timers an hour later), then the end of the stream. Every event
/// goes to `on_event`, which may enqueue commands; a fatal error ends the feeding. Checks the
/// client output rules on all the machine wrote, and returns how many bytes were fed.
pub fn drive<M: Machine>(
    machine: &mut M,
    input: &[u8],
    mut on_event: impl FnMut(&mut M, M::Event),
) -> u64 {
    let mut now = Instant::now();
    let mut wire = Vec::new();
    let mut fed = 0;
    let mut input = input;
    while let Some((&len, tail)) = input.split_first() {
        let n = (len as usize % 64 + 1).min(tail.len());
        let (chunk, tail) = tail.split_at(n);
        input = tail;
        now += Duration::from_millis(len as u64);
        fed += chunk.len() as u64;
        machine.handle_input(now, chunk);
        if drain(machine, &mut wire, now, &mut on_event).is_err() {
            break;
        }
        if len == 0 {
            machine.handle_timeout(now + Duration::from_secs(3600));
            if drain(machine, &mut wire, now, &mut on_event).is_err() {
                break;
            }
        }
    }
    machine.handle_eof(now);
    let _ = drain(machine, &mut wire, now, &mut on_event);
    check_wire(&wire);
    fed
}

fn drain<M: Machine>(
    machine: &mut M,
    wire: &mut Vec<u8>,
    now: Instant,
    on_event: &mut impl FnMut(&mut M, M::Event),
) -> Result<(), ()> {
    loop {
        match machine.poll_output() {
            Ok(Output::Transmit(b)) => wire.extend_from_slice(&b),
            Ok(Output::StartTls) => machine.handle_tls_established(now, TlsInfo::default()),
            Ok(Output::Event(event)) => on_event(machine, event),
            Ok(Output::Close) => {}
            Ok(Output::Idle { .. }) => return Ok(()),
            Err(_) => return Err(()),
        }
    }
}

/// Client output rules: every CR is followed by LF and every LF preceded by CR.
fn check_wire(wire: &[u8]) {
    for (i, &b) in wire.iter().enumerate() {
        if b == b'\r' {
            assert_eq!(wire.get(i + 1), Some(&b'\n'), "bare CR at {i}");
        }
        if b == b'\n' {
            assert!(i > 0 && wire[i - 1] == b'\r', "bare LF at {i}");
        }
    }
}
