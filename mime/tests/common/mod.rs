//! What the corpus tests share: where `$MAILKIT_CORPUS` is.

use std::path::PathBuf;

/// `$MAILKIT_CORPUS/<sub>` (`sub` empty for the corpus itself), or `None` after saying that
/// `what` is skipped when the variable is unset. Under `CI` or `MAILKIT_REQUIRE_SERVERS` a
/// missing corpus panics instead, so CI never passes by skipping.
pub fn corpus(sub: &str, what: &str) -> Option<PathBuf> {
    match std::env::var_os("MAILKIT_CORPUS") {
        Some(dir) => Some(PathBuf::from(dir).join(sub)),
        None => {
            if std::env::var_os("CI").is_some()
                || std::env::var_os("MAILKIT_REQUIRE_SERVERS").is_some()
            {
                panic!("MAILKIT_CORPUS not set, but CI / MAILKIT_REQUIRE_SERVERS requires it");
            }
            println!("MAILKIT_CORPUS not set: skipping {what}");
            None
        }
    }
}
