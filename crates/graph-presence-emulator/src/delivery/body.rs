//! What is POSTed: change notifications and lifecycle notifications, each as JSON text made
//! once (a retry sends the same notification), and the batch body around them,
//! `{"value":[…],"validationTokens":[…]}`, in the shape and property order of Microsoft's
//! documented presence examples (`changenotifications-presence-basic-notification.json`,
//! `…-rich-notification.json`) and lifecycle example.

use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;

use super::encryption::{EncryptError, EncryptedContent, EncryptionCertificate};

/// `@odata.type` of a presence.
const PRESENCE_TYPE: &str = "#microsoft.graph.presence";

/// One user's presence changed, for one subscription covering that user: what the
/// subscription module hands the deliverer.
#[derive(Debug, Clone)]
pub struct Change {
    /// The subscription's `notificationUrl`, where the notification is POSTed.
    pub notification_url: String,
    /// The subscription's id.
    pub subscription_id: String,
    /// When the subscription expires (`subscriptionExpirationDateTime`).
    pub subscription_expires: Timestamp,
    /// The tenant (`tenantId`, and `organizationId` again, as presence notifications carry).
    pub tenant_id: String,
    /// The application that owns the subscription: the audience of the batch's validation
    /// token.
    pub app_id: String,
    /// The subscription's `clientState` (`null` in the notification when it has none).
    pub client_state: Option<String>,
    /// The user whose presence changed.
    pub user_id: String,
    /// For a subscription with `includeResourceData`: the certificate and the presence JSON
    /// to encrypt for it.
    pub rich: Option<RichContent>,
}

/// The resource data of a rich notification, before encryption.
#[derive(Debug, Clone)]
pub struct RichContent {
    /// The subscription's certificate, read when it was created.
    pub certificate: Arc<EncryptionCertificate>,
    /// The presence as JSON (`@odata.type`, `@odata.id`, `id`, `availability`, `activity`…,
    /// as `changenotifications-presence-decrypted-resource-data.json` shows).
    pub resource: String,
}

/// What a lifecycle notification tells the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LifecycleEvent {
    /// The subscription's access token expires soon: reauthorize it. The one lifecycle event
    /// presence subscriptions receive (RULES.md §1).
    ReauthorizationRequired,
    /// The subscription was removed (Graph sends it for other resources; the emulator when
    /// the admin API removes one and asks for it).
    SubscriptionRemoved,
    /// Notifications were not delivered (Graph sends it for other resources, not presence:
    /// RULES.md §1; the emulator only when the admin API asks, so an app's handling of it can
    /// be tried through its webhook).
    Missed,
}

impl LifecycleEvent {
    /// The `lifecycleEvent` value.
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleEvent::ReauthorizationRequired => "reauthorizationRequired",
            LifecycleEvent::SubscriptionRemoved => "subscriptionRemoved",
            LifecycleEvent::Missed => "missed",
        }
    }
}

/// A lifecycle notification for one subscription, sent to its `lifecycleNotificationUrl`.
#[derive(Debug, Clone)]
pub struct LifecycleNotification {
    /// The subscription's `lifecycleNotificationUrl`.
    pub lifecycle_url: String,
    /// The subscription's id.
    pub subscription_id: String,
    /// When the subscription expires.
    pub subscription_expires: Timestamp,
    /// The tenant.
    pub tenant_id: String,
    /// The subscription's `clientState`.
    pub client_state: Option<String>,
    /// What happened.
    pub event: LifecycleEvent,
}

/// A notification made ready to send: its JSON text, and what the batch around it needs.
#[derive(Debug, Clone)]
pub(super) struct Prepared {
    pub(super) json: String,
    pub(super) subscription_id: String,
    pub(super) tenant_id: String,
    pub(super) app_id: String,
    /// It carries `encryptedContent`, so its batch carries a validation token for its app and
    /// tenant.
    pub(super) rich: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangeJson<'a> {
    subscription_id: &'a str,
    client_state: Option<&'a str>,
    change_type: &'static str,
    tenant_id: &'a str,
    resource: String,
    subscription_expiration_date_time: String,
    resource_data: ResourceDataJson<'a>,
    organization_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    encrypted_content: Option<&'a EncryptedContent>,
}

#[derive(Serialize)]
struct ResourceDataJson<'a> {
    #[serde(rename = "@odata.id")]
    odata_id: String,
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LifecycleJson<'a> {
    subscription_id: &'a str,
    subscription_expiration_date_time: String,
    tenant_id: &'a str,
    client_state: Option<&'a str>,
    lifecycle_event: &'static str,
}

impl Change {
    /// The notification's JSON, its resource data encrypted when the subscription is rich.
    pub(super) fn prepare(&self) -> Result<Prepared, EncryptError> {
        let encrypted = match &self.rich {
            Some(rich) => Some(rich.certificate.encrypt(rich.resource.as_bytes())?),
            None => None,
        };
        let json = ChangeJson {
            subscription_id: &self.subscription_id,
            client_state: self.client_state.as_deref(),
            change_type: "updated",
            tenant_id: &self.tenant_id,
            resource: format!("communications/presences/{}", self.user_id),
            subscription_expiration_date_time: graph_time(self.subscription_expires),
            resource_data: ResourceDataJson {
                odata_id: format!("users/{}/presence", self.user_id),
                odata_type: PRESENCE_TYPE,
                id: &self.user_id,
            },
            organization_id: &self.tenant_id,
            encrypted_content: encrypted.as_ref(),
        };
        Ok(Prepared {
            json: to_json(&json),
            subscription_id: self.subscription_id.clone(),
            tenant_id: self.tenant_id.clone(),
            app_id: self.app_id.clone(),
            rich: encrypted.is_some(),
        })
    }
}

impl LifecycleNotification {
    /// The notification's JSON.
    pub(super) fn prepare(&self) -> Prepared {
        let json = LifecycleJson {
            subscription_id: &self.subscription_id,
            subscription_expiration_date_time: graph_time(self.subscription_expires),
            tenant_id: &self.tenant_id,
            client_state: self.client_state.as_deref(),
            lifecycle_event: self.event.as_str(),
        };
        Prepared {
            json: to_json(&json),
            subscription_id: self.subscription_id.clone(),
            tenant_id: self.tenant_id.clone(),
            app_id: String::new(),
            rich: false,
        }
    }
}

/// The body of one POST: the notifications in order, and `validationTokens` when there are
/// any (Graph sends them with rich notifications only).
pub(super) fn batch_body<'a>(
    notifications: impl IntoIterator<Item = &'a Prepared>,
    validation_tokens: &[String],
) -> Vec<u8> {
    let mut body = String::from(r#"{"value":["#);
    for (i, notification) in notifications.into_iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&notification.json);
    }
    body.push(']');
    if !validation_tokens.is_empty() {
        body.push_str(r#","validationTokens":"#);
        body.push_str(&to_json(&validation_tokens));
    }
    body.push('}');
    body.into_bytes()
}

/// A time as Graph writes it in notifications: UTC, seven fractional digits
/// (`2023-09-14T10:00:00.0000000Z`).
pub(super) fn graph_time(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.7fZ").to_string()
}

/// Serializing these types cannot fail: strings, numbers and derived structs only.
fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
