//! A value derived from an entity's headers, computed on first use.

use std::fmt;
use std::sync::OnceLock;

/// A value computed from other fields on first read and kept until [`Cached::clear`]. It is
/// derived data, not content: any two compare equal, and `Debug` shows `..`.
#[derive(Clone, Default)]
pub(crate) struct Cached<T>(OnceLock<T>);

impl<T> Cached<T> {
    /// The value, computed by `init` on the first call.
    pub(crate) fn get_or_init(&self, init: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(init)
    }

    /// Sets the value, computed elsewhere.
    pub(crate) fn set(&mut self, value: T) {
        self.0 = OnceLock::from(value);
    }

    /// Forgets the value (what it was derived from is about to change).
    pub(crate) fn clear(&mut self) {
        self.0.take();
    }
}

impl<T> PartialEq for Cached<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Cached<T> {}

impl<T> fmt::Debug for Cached<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("..")
    }
}

#[cfg(test)]
mod tests {
    use super::Cached;

    #[test]
    fn computed_once_until_cleared() {
        let mut cached = Cached::default();
        assert_eq!(*cached.get_or_init(|| 1), 1);
        assert_eq!(*cached.get_or_init(|| 2), 1);
        cached.clear();
        assert_eq!(*cached.get_or_init(|| 3), 3);
        assert_eq!(cached, Cached::default());
    }
}
