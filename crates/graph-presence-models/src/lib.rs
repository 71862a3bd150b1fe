//! Types for Microsoft Graph's presence API, generated from `schema/presence.yaml`: serde types
//! and JSON Schemas (schemars 1.x) for every presence type and request body, subscriptions,
//! and the change notifications Graph sends.
//!
//! # Lossless on the wire
//!
//! Every type decodes and re-encodes losslessly: unknown properties (including `@odata.*`
//! annotations) are kept, `null` stays `null` and an absent property stays absent, and enums
//! are open, so a value Graph adds next year (an activity such as `"InAHuddle"`, a new
//! `workLocationType`) is kept byte for byte. Re-encoding gives JSON equal to what was
//! decoded: known properties in schema order, unknown ones after them.
//!
//! ```
//! use graph_presence_models::{Activity, Availability, Presence};
//!
//! // A presence as Graph sends it, with a spelling this crate does not list and a property
//! // the schema does not name.
//! let json = r##"{"id":"fa8bf3dc-eca7-46b7-bad1-db199b62afc3","availability":"Busy","activity":"inAMeeting","@odata.type":"#microsoft.graph.presence","outOfOfficeSettings":{"message":null,"isOutOfOffice":false}}"##;
//! let presence: Presence = graph_presence_models::from_str(json)?;
//!
//! assert_eq!(presence.availability.as_option(), Some(&Availability::Busy));
//! let activity = presence.activity.as_option().unwrap();
//! assert!(!activity.is_known()); // kept as sent …
//! assert_eq!(activity.as_str(), "inAMeeting");
//! assert_eq!(activity.known_ignoring_case(), Some(Activity::InAMeeting)); // … and comparable
//!
//! // Unknown properties keep their exact JSON text.
//! let odata_type = presence.additional_properties.get("@odata.type").map(|raw| raw.get());
//! assert_eq!(odata_type, Some(r##""#microsoft.graph.presence""##));
//!
//! // `null` is not absent.
//! let settings = presence.out_of_office_settings.as_option().unwrap();
//! assert!(settings.message.is_null());
//! assert!(presence.status_message.is_absent());
//!
//! // Bad input names the bad field.
//! let error = graph_presence_models::from_str::<Presence>(r#"{"availability":"Busy"}"#).unwrap_err();
//! assert_eq!(error.to_string(), "missing field `id` at line 1 column 23");
//! # Ok::<(), graph_presence_models::DecodeError>(())
//! ```
//!
//! # Request bodies
//!
//! Required properties are arguments of `new`, optional ones named setters with the field's
//! name (the client's builders take them the same way). A property named like a method the
//! value already has (`clone`, `new`, `default`, `eq`, `hash`, `fmt`, `into`, `serialize`,
//! `json_schema`…) gets a setter with a trailing `_` (`clone_`, as the keyword `type` is
//! `type_`), so `value.clone()` still clones.
//!
//! ```
//! use graph_presence_models::{Activity, Availability, IsoDuration, SetPresenceRequestBody};
//!
//! let body = SetPresenceRequestBody::new(Availability::Busy, Activity::InACall)
//!     .session_id("22553876-f5ab-4529-bffb-cfe50aa89f87")
//!     .expiration_duration("PT1H".parse::<IsoDuration>()?);
//! assert_eq!(body.expiration_duration.as_option().map(IsoDuration::as_str), Some("PT1H"));
//! // Serialized: {"sessionId":"22553876-…","availability":"Busy","activity":"InACall","expirationDuration":"PT1H"}
//! # Ok::<(), graph_presence_models::TimeParseError>(())
//! ```
//!
//! # Nulls, instants and durations
//!
//! Nullable properties are [`Nullable<T>`](Nullable): `Absent`, `Null` or `Value(T)`. Graph
//! tells them apart (absent leaves a setting alone, `null` clears it), and each is written back
//! as it was read.
//!
//! `publishedDateTime` is a [`Timestamp`] and `expirationDuration` an [`IsoDuration`]: both
//! keep their exact text, accept exactly RFC 3339's `date-time` and `duration`, and convert to
//! `jiff` on request ([`Timestamp::instant`], [`IsoDuration::span`]). No exported name repeats
//! one of std's, so both can be imported in one module: an `IsoDuration` is ISO 8601 text that
//! may have calendar units (`P1M`), while the `std::time::Duration` the client's `timeout` and
//! `RetryPolicy` take is a number of seconds.
//!
//! # Properties the schema does not name
//!
//! Properties the schema does not name (`@odata.type`, anything newer than the schema) are
//! kept in `additional_properties` ([`Extensions`]), in the order sent, each as its exact JSON
//! text ([`RawJson`]), so numbers of any size or precision come back unchanged. Keeping that
//! text needs serde_json's deserializer: [`from_str`], [`from_slice`] or `serde_json::from_*`.
//! [`from_str`] and [`from_slice`] also name the path of a bad value in their errors.
//!
//! # JSON Schemas
//!
//! Every type implements `schemars::JsonSchema`. The schema, with formats validated, accepts
//! exactly what decoding accepts, except duplicate keys, which decoding refuses and JSON
//! Schema cannot see.
//!
//! # Change notifications
//!
//! What Graph POSTs to a subscription's URLs decodes as a [`ChangeNotificationCollection`]:
//! each [`ChangeNotification`] has its `client_state`, `resource_data` (the user's id),
//! `lifecycle_event` for lifecycle notifications and, in a rich notification, a typed
//! [`ChangeNotificationEncryptedContent`] whose decrypted `data` is a [`Presence`]. The
//! `graph-presence-notifications` crate checks and decrypts them.
//!
//! ```
//! use graph_presence_models::{ChangeNotificationCollection, LifecycleEventType};
//!
//! let body = r#"{"value":[{"subscriptionId":"7f105c7d-2dc5-4530-97cd-4e7ae6534c07","subscriptionExpirationDateTime":"2026-03-20T11:00:00Z","tenantId":"84bd8158-6d4d-4958-8b9f-9d6445542f95","clientState":"9c1e7d55-8a43-4bd4-9a6d-f6a1c0c20b3e","lifecycleEvent":"reauthorizationRequired"}]}"#;
//! let notifications: ChangeNotificationCollection = graph_presence_models::from_str(body)?;
//! let event = notifications.value[0].lifecycle_event.as_option();
//! assert_eq!(event, Some(&LifecycleEventType::ReauthorizationRequired));
//! assert!(notifications.value[0].has_client_state("9c1e7d55-8a43-4bd4-9a6d-f6a1c0c20b3e"));
//! # Ok::<(), graph_presence_models::DecodeError>(())
//! ```
//!
//! The generated code re-exports the models runtime's user API by name
//! (`openapi-models-runtime`: [`Nullable`], [`Timestamp`], [`IsoDuration`], [`Extensions`],
//! [`from_str`]…): the decoding loop, open enums and the format checks are compiled and
//! tested there.

#![deny(missing_docs)]
// docs.rs shows which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client_state;
#[rustfmt::skip]
mod generated;

pub use generated::*;
