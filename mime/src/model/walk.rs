//! Walking an entity tree without recursion.

use crate::model::{Body, Entity};

/// A pre-order walk over an entity and the entities below it, with each one's depth relative
/// to the start (0 for the start itself).
///
/// Made with [`Entity::walk`] (enters nested messages) or used through
/// [`Message::body_parts`](crate::Message::body_parts) (does not). It keeps an explicit
/// stack, so a tree of any depth is walked without recursion.
#[derive(Debug, Clone)]
pub struct Walk<'a> {
    stack: Vec<(usize, &'a Entity)>,
    into_messages: bool,
}

impl<'a> Walk<'a> {
    /// A walk from `start` that does not descend into nested messages.
    pub(crate) fn new(start: &'a Entity) -> Self {
        Walk {
            stack: vec![(0, start)],
            into_messages: false,
        }
    }
}

impl<'a> Iterator for Walk<'a> {
    type Item = (usize, &'a Entity);

    fn next(&mut self) -> Option<Self::Item> {
        let (depth, entity) = self.stack.pop()?;
        match &entity.body {
            Body::Multipart(mp) => self
                .stack
                .extend(mp.parts.iter().rev().map(|p| (depth + 1, &p.entity))),
            Body::Message(m) if self.into_messages => self.stack.push((depth + 1, &m.root)),
            _ => {}
        }
        Some((depth, entity))
    }
}

impl Entity {
    /// Every entity from this one down, in document order with its depth, entering nested
    /// messages. Iterative: safe on trees of any depth.
    pub fn walk(&self) -> Walk<'_> {
        Walk {
            stack: vec![(0, self)],
            into_messages: true,
        }
    }
}
