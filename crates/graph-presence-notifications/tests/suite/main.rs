//! The receiver's integration tests, one program: `support` encrypts and signs as Graph and
//! the identity platform do, and each module is one area.

mod support;

mod axum_hostile;
mod axum_webhook;
mod bounded_text;
mod concurrent;
mod crypto;
mod no_panic;
mod receiver;
mod validation_token;
