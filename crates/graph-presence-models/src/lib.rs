//! Types for Microsoft Graph's presence API, generated from `schema/presence.yaml`.
//!
//! Every type decodes and re-encodes losslessly: unknown properties (including `@odata.*`
//! annotations) are kept, `null` stays `null` and an absent property stays absent, and enums
//! are open, so a value Graph adds later is kept byte for byte.
//!
//! ```
//! use graph_presence_models::{Availability, Presence};
//!
//! let json = r#"{"id": "fa8bf3dc-eca7-46b7-bad1-db199b62afc3", "availability": "Busy", "activity": "InAMeeting"}"#;
//! let presence: Presence = graph_presence_models::from_str(json)?;
//! assert_eq!(presence.availability.as_option(), Some(&Availability::Busy));
//! # Ok::<(), graph_presence_models::DecodeError>(())
//! ```

#![deny(missing_docs)]
// docs.rs shows which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client_state;
#[rustfmt::skip]
mod generated;

pub use generated::*;
