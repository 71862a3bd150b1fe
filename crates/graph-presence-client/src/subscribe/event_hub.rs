//! Delivery to Azure Event Hubs instead of a webhook: a `notificationUrl` (or lifecycle URL)
//! of the form `EventHub:https://<namespace>.servicebus.windows.net/eventhubname/<hub>?tenantId=<tenant>`,
//! or the older one naming a Key Vault secret that holds the connection string,
//! `EventHub:https://<vault>.vault.azure.net/secrets/<secret>?tenantId=<tenant>`.
//!
//! Graph sends no validation request to an Event Hub, so a mistyped one would only show as
//! notifications that never come: the helper checks every `EventHub:` URL before it sends a
//! create. Any other URL is sent as given, for Graph to validate as it always does.

use openapi_models_runtime::excerpt;
use std::fmt;
use std::str::FromStr;

const PREFIX: &str = "EventHub:";
const SERVICE_BUS: &str = ".servicebus.windows.net";
const KEY_VAULT: &str = ".vault.azure.net";

/// An Event Hub that Graph delivers notifications to, checked when made: render it with
/// `to_string()` (or pass it where a notification URL goes, which takes `impl Into<String>`)
/// to get `EventHub:https://<namespace>.servicebus.windows.net/eventhubname/<hub>?tenantId=<tenant>`.
///
/// Graph's service principal ("Microsoft Graph Change Tracking") needs the "Azure Event Hubs
/// Data Sender" role on the hub; nothing here can check that.
///
/// ```
/// # use graph_presence_client::EventHubDestination;
/// let hub = EventHubDestination::new("contoso-presence", "presence", "contoso.onmicrosoft.com")?;
/// assert_eq!(
///     hub.to_string(),
///     "EventHub:https://contoso-presence.servicebus.windows.net/eventhubname/presence?tenantId=contoso.onmicrosoft.com"
/// );
/// # Ok::<(), graph_presence_client::EventHubUrlError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventHubDestination {
    namespace: String,
    hub: String,
    tenant: String,
}

impl EventHubDestination {
    /// The Event Hub `hub` in the namespace `namespace` (a DNS label: the part before
    /// `.servicebus.windows.net`), for the tenant `tenant` (its id, a GUID, or one of its
    /// domain names). Event Hub names are 1 to 256 letters, digits, `.`, `-` and `_`, starting
    /// and ending with a letter or digit.
    pub fn new(
        namespace: impl Into<String>,
        hub: impl Into<String>,
        tenant: impl Into<String>,
    ) -> Result<Self, EventHubUrlError> {
        let (namespace, hub, tenant) = (namespace.into(), hub.into(), tenant.into());
        let refuse = |input: &str, reason| Err(EventHubUrlError::new(input, reason));
        if !is_dns_label(&namespace) {
            return refuse(&namespace, "the namespace is not a DNS label");
        }
        if !is_hub_name(&hub) {
            return refuse(&hub, "the hub is not an Event Hub name");
        }
        if !is_tenant(&tenant) {
            return refuse(&tenant, "the tenant is neither a GUID nor a domain name");
        }
        Ok(EventHubDestination {
            namespace,
            hub,
            tenant,
        })
    }

    /// The Event Hubs namespace, as given.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The Event Hub, as given.
    pub fn hub(&self) -> &str {
        &self.hub
    }

    /// The tenant, as given.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }
}

impl fmt::Display for EventHubDestination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{PREFIX}https://{}{SERVICE_BUS}/eventhubname/{}?tenantId={}",
            self.namespace, self.hub, self.tenant
        )
    }
}

impl From<EventHubDestination> for String {
    fn from(destination: EventHubDestination) -> String {
        destination.to_string()
    }
}

impl FromStr for EventHubDestination {
    type Err = EventHubUrlError;

    /// Reads the namespace form (`EventHub:https://<namespace>.servicebus.windows.net/…`);
    /// the Key Vault form names no namespace and is refused here (but not by
    /// [`check_notification_url`]).
    fn from_str(url: &str) -> Result<Self, Self::Err> {
        match parse(url)? {
            Parsed::Namespace(destination) => Ok(destination),
            Parsed::KeyVault => Err(EventHubUrlError::new(
                url,
                "it names a Key Vault secret, not an Event Hubs namespace",
            )),
        }
    }
}

/// Checks a notification URL as [`Client::presence_subscriptions`](crate::Client::presence_subscriptions)
/// does before it sends anything: one that starts with `EventHub:` (in any letter case) must be
/// one of the two forms Graph documents for Event Hubs; any other is left for Graph to
/// validate, as before.
pub fn check_notification_url(url: &str) -> Result<(), EventHubUrlError> {
    let is_event_hub = url
        .get(..PREFIX.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(PREFIX));
    if is_event_hub {
        parse(url)?;
    }
    Ok(())
}

/// An Event Hubs notification URL, or a part of one, that is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventHubUrlError {
    /// The text refused: the whole URL, or the part given to [`EventHubDestination::new`].
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl EventHubUrlError {
    fn new(input: &str, reason: &'static str) -> Self {
        EventHubUrlError {
            input: input.to_owned(),
            reason,
        }
    }
}

impl fmt::Display for EventHubUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The caller's text, possibly from configuration: escaped and cut.
        write!(
            f,
            "`{}` is not an Event Hubs destination: {}",
            excerpt(&self.input, 120),
            self.reason
        )
    }
}

impl std::error::Error for EventHubUrlError {}

/// What an `EventHub:` URL names.
enum Parsed {
    Namespace(EventHubDestination),
    KeyVault,
}

/// Reads an `EventHub:` URL: `EventHub:https://<host>/<path>?tenantId=<tenant>`, nothing more.
fn parse(url: &str) -> Result<Parsed, EventHubUrlError> {
    let refuse = |reason| Err(EventHubUrlError::new(url, reason));
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return refuse("it holds a space or a control character");
    }
    if !url.is_ascii() {
        return refuse("it holds a character that is not ASCII");
    }
    let Some(rest) = url.strip_prefix(PREFIX) else {
        return refuse("it does not start with `EventHub:`, spelt so");
    };
    let Some(rest) = rest.strip_prefix("https://") else {
        return refuse("`EventHub:` is not followed by `https://`");
    };
    let Some((location, query)) = rest.split_once('?') else {
        return refuse("it has no `?tenantId=<tenant>`");
    };
    let Some(tenant) = query.strip_prefix("tenantId=") else {
        return refuse("its query is not `tenantId=<tenant>`");
    };
    if !is_tenant(tenant) {
        return refuse("its tenantId is neither a GUID nor a domain name");
    }
    let (host, path) = location.split_once('/').unwrap_or((location, ""));
    let host_lower = host.to_ascii_lowercase();
    if let Some(namespace) = strip_suffix_len(host, &host_lower, SERVICE_BUS) {
        if !is_dns_label(namespace) {
            return refuse("its Event Hubs namespace is not a DNS label");
        }
        let Some(hub) = path.strip_prefix("eventhubname/") else {
            return refuse("its path is not `/eventhubname/<hub>`");
        };
        if hub.is_empty() {
            return refuse("its Event Hub name is empty");
        }
        if !is_hub_name(hub) {
            return refuse("its Event Hub name is not one Event Hubs allows");
        }
        return Ok(Parsed::Namespace(EventHubDestination {
            namespace: namespace.to_owned(),
            hub: hub.to_owned(),
            tenant: tenant.to_owned(),
        }));
    }
    if let Some(vault) = strip_suffix_len(host, &host_lower, KEY_VAULT) {
        if !is_dns_label(vault) {
            return refuse("its Key Vault name is not a DNS label");
        }
        let Some(secret) = path.strip_prefix("secrets/") else {
            return refuse("its Key Vault path is not `/secrets/<secret>`");
        };
        if !is_secret_name(secret) {
            return refuse("its Key Vault secret name is not 1 to 127 letters, digits and `-`");
        }
        return Ok(Parsed::KeyVault);
    }
    refuse("its host is neither `<namespace>.servicebus.windows.net` nor `<vault>.vault.azure.net`")
}

/// `host` without `suffix` (compared in any letter case), when it ends with it.
fn strip_suffix_len<'a>(host: &'a str, host_lower: &str, suffix: &str) -> Option<&'a str> {
    host_lower
        .ends_with(suffix)
        .then(|| host.get(..host.len() - suffix.len()))
        .flatten()
}

/// 1 to 63 ASCII letters, digits and `-`, not starting or ending with `-`.
fn is_dns_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// 1 to 256 ASCII letters, digits, `.`, `-` and `_`, starting and ending with a letter or digit.
fn is_hub_name(hub: &str) -> bool {
    let ends = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
    (1..=256).contains(&hub.len())
        && hub
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        && ends(hub.as_bytes().first())
        && ends(hub.as_bytes().last())
}

/// 1 to 127 ASCII letters, digits and `-` (Key Vault's rule for secret names).
fn is_secret_name(secret: &str) -> bool {
    (1..=127).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A GUID (`8-4-4-4-12` hex digits) or a domain name (at least two DNS labels, at most 253
/// characters, the last not all digits).
fn is_tenant(tenant: &str) -> bool {
    is_guid(tenant) || is_domain(tenant)
}

fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_domain(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    text.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| is_dns_label(label))
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUID: &str = "84bd8158-6d4d-4958-8b9f-9d6445542f95";

    #[test]
    fn a_destination_renders_the_documented_url_and_reads_back() {
        let hub = EventHubDestination::new("contoso-ns", "presence.events_1", GUID)
            .expect("a valid destination");
        let url = hub.to_string();
        assert_eq!(
            url,
            format!(
                "EventHub:https://contoso-ns.servicebus.windows.net/eventhubname/presence.events_1?tenantId={GUID}"
            )
        );
        assert_eq!(url.parse::<EventHubDestination>(), Ok(hub.clone()));
        assert_eq!(String::from(hub), url);
    }

    #[test]
    fn valid_forms_pass() {
        for url in [
            "EventHub:https://ns1.servicebus.windows.net/eventhubname/hub?tenantId=contoso.com",
            "EventHub:https://NS1.ServiceBus.Windows.NET/eventhubname/h?tenantId=contoso.onmicrosoft.com",
            &format!(
                "EventHub:https://ns.servicebus.windows.net/eventhubname/{}?tenantId={GUID}",
                "a".repeat(256)
            ),
            "EventHub:https://contoso-vault.vault.azure.net/secrets/presence-hub?tenantId=contoso.com",
            // Not Event Hubs: left to Graph, as before.
            "https://webhook.contoso.com/api/presence",
            "http://anything at all\n",
        ] {
            assert_eq!(check_notification_url(url), Ok(()), "{url:?}");
        }
    }

    #[test]
    fn malformed_forms_are_refused_with_a_reason() {
        let hub = "EventHub:https://ns.servicebus.windows.net/eventhubname";
        let cases = [
            (
                "EventHub:http://ns.servicebus.windows.net/eventhubname/h?tenantId=contoso.com",
                "https://",
            ),
            (
                "EventHub:ftp://ns.servicebus.windows.net/eventhubname/h?tenantId=contoso.com",
                "https://",
            ),
            (
                "eventhub:https://ns.servicebus.windows.net/eventhubname/h?tenantId=contoso.com",
                "spelt",
            ),
            (&format!("{hub}/h"), "tenantId"),
            (&format!("{hub}/h?tenant=contoso.com"), "tenantId"),
            (&format!("{hub}/h?tenantId="), "GUID"),
            (&format!("{hub}/h?tenantId=contoso"), "GUID"),
            (&format!("{hub}/h?tenantId=contoso.com&x=1"), "GUID"),
            (&format!("{hub}/?tenantId={GUID}"), "empty"),
            (&format!("{hub}?tenantId={GUID}"), "/eventhubname/<hub>"),
            (&format!("{hub}/-h?tenantId={GUID}"), "Event Hub name"),
            (&format!("{hub}/h/more?tenantId={GUID}"), "Event Hub name"),
            (
                &format!("{hub}/{}?tenantId={GUID}", "a".repeat(257)),
                "Event Hub name",
            ),
            (&format!("{hub}/h\n?tenantId={GUID}"), "control"),
            (&format!("{hub}/h ?tenantId={GUID}"), "space"),
            (&format!("{hub}/hé?tenantId={GUID}"), "ASCII"),
            (
                &format!("EventHub:https://contoso.com/eventhubname/h?tenantId={GUID}"),
                "host",
            ),
            (
                &format!("EventHub:https://servicebus.windows.net/eventhubname/h?tenantId={GUID}"),
                "host",
            ),
            (
                &format!(
                    "EventHub:https://a.b.servicebus.windows.net/eventhubname/h?tenantId={GUID}"
                ),
                "DNS label",
            ),
            (
                &format!(
                    "EventHub:https://ns.servicebus.windows.net:443/eventhubname/h?tenantId={GUID}"
                ),
                "host",
            ),
            (
                &format!(
                    "EventHub:https://u@ns.servicebus.windows.net/eventhubname/h?tenantId={GUID}"
                ),
                "DNS label",
            ),
            (
                &format!("EventHub:https://v.vault.azure.net/keys/k?tenantId={GUID}"),
                "/secrets/",
            ),
            (
                &format!("EventHub:https://v.vault.azure.net/secrets/?tenantId={GUID}"),
                "secret name",
            ),
            (
                &format!("EventHub:https://v.vault.azure.net/secrets/a_b?tenantId={GUID}"),
                "secret name",
            ),
        ];
        for (url, reason) in cases {
            let error = check_notification_url(url).expect_err(url);
            assert!(error.reason.contains(reason), "{url:?}: {}", error.reason);
            assert_eq!(error.input, url);
        }
    }

    #[test]
    fn parts_are_checked_when_a_destination_is_made() {
        assert!(EventHubDestination::new("", "h", GUID).is_err());
        assert!(EventHubDestination::new("ns.x", "h", GUID).is_err());
        assert!(EventHubDestination::new("ns", "", GUID).is_err());
        assert!(EventHubDestination::new("ns", "h?x=1", GUID).is_err());
        assert!(EventHubDestination::new("ns", "h_", GUID).is_err());
        assert!(EventHubDestination::new("ns", "h", "not a tenant").is_err());
        assert!(EventHubDestination::new("ns", "h", "84bd8158-6d4d-4958-8b9f-9d644554").is_err());
        assert!(EventHubDestination::new("ns", "h", "10.0.0.1").is_err());
        let key_vault = "EventHub:https://v.vault.azure.net/secrets/s?tenantId=contoso.com";
        assert!(key_vault.parse::<EventHubDestination>().is_err());
    }

    #[test]
    fn error_text_is_one_short_line() {
        let url = format!("EventHub:https://ns\u{1b}[31m\n{}", "x".repeat(10_000));
        let text = check_notification_url(&url)
            .expect_err("refused")
            .to_string();
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert!(text.len() < 300, "{} bytes", text.len());
    }
}
