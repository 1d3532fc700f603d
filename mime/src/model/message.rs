//! A message: the root entity, with helpers to find its text, HTML and attachments.

use std::ops::{Deref, DerefMut};

use crate::model::{Body, Entity, Walk};

/// A message (RFC 5322 + MIME): the root [`Entity`] (headers and body tree).
///
/// `Message` derefs to its root entity, so `message.headers()`, `message.body()` and the
/// entity helpers work directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub(crate) root: Entity,
}

impl Message {
    /// A message whose root is `root`.
    pub fn new(root: Entity) -> Self {
        Message { root }
    }

    /// The root entity.
    pub fn root(&self) -> &Entity {
        &self.root
    }

    /// The root entity, to change.
    pub fn root_mut(&mut self) -> &mut Entity {
        &mut self.root
    }

    /// Takes the root entity out.
    pub fn into_root(self) -> Entity {
        self.root
    }

    /// The body parts of this message in document order: its leaves and its nested messages
    /// (as MimeKit's `BodyParts` gives them), descending into multiparts but not into nested
    /// messages. Iterative, so any depth is safe.
    pub fn body_parts(&self) -> impl Iterator<Item = &Entity> {
        Walk::new(&self.root)
            .map(|(_, e)| e)
            .filter(|e| !matches!(e.body, Body::Multipart(_)))
    }

    /// The body parts that are attachments (see [`Entity::is_attachment`]), in order; a
    /// nested message sent as an attachment is one, and is not entered.
    pub fn attachments(&self) -> impl Iterator<Item = &Entity> {
        self.body_parts().filter(|e| e.is_attachment())
    }

    /// The first `text/plain` leaf that is not an attachment, decoded to Unicode.
    pub fn text_body(&self) -> Option<String> {
        self.first_text("plain")
    }

    /// The first `text/html` leaf that is not an attachment, decoded to Unicode.
    pub fn html_body(&self) -> Option<String> {
        self.first_text("html")
    }

    fn first_text(&self, subtype: &str) -> Option<String> {
        self.body_parts()
            .find(|e| !e.is_attachment() && e.content_type().is("text", subtype))
            .and_then(|e| e.text())
            .map(|(text, _)| text)
    }
}

impl Deref for Message {
    type Target = Entity;
    fn deref(&self) -> &Entity {
        &self.root
    }
}

impl DerefMut for Message {
    fn deref_mut(&mut self) -> &mut Entity {
        &mut self.root
    }
}
