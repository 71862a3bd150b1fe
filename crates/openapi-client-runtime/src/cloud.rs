//! Graph's layer (the `graph` feature): Graph's clouds and API versions (each cloud's host,
//! the base URL of a version on it, and the scope tokens are asked for), the builder's
//! `cloud` and `version`, and the runtime's own `Client::new` for Graph beta.

use crate::auth::TokenProvider;
use crate::client::Client;
use crate::client_builder::{ClientBuilder, Fallback};

/// Graph's API versions. Beta is the default (the presence features documented first land
/// there); v1.0 is the stable surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    /// `beta`: the newest features, which may change.
    Beta,
    /// `v1.0`: the stable surface.
    V1,
}

impl ApiVersion {
    /// The base URL of this version on the global cloud.
    pub fn base_url(self) -> &'static str {
        match self {
            ApiVersion::Beta => "https://graph.microsoft.com/beta",
            ApiVersion::V1 => "https://graph.microsoft.com/v1.0",
        }
    }

    /// The path segment of this version (`beta`, `v1.0`).
    pub fn segment(self) -> &'static str {
        match self {
            ApiVersion::Beta => "beta",
            ApiVersion::V1 => "v1.0",
        }
    }
}

/// The clouds Graph runs in. Each has its own host, and tokens are issued for that host: a
/// client on a national cloud asks its [`TokenProvider`](crate::TokenProvider) for that cloud's
/// scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Cloud {
    /// `graph.microsoft.com`, the global service (the default).
    #[default]
    Global,
    /// `graph.microsoft.us`: Microsoft Graph for US Government L4 (GCC High).
    UsGovernment,
    /// `dod-graph.microsoft.us`: Microsoft Graph for US Government L5 (DoD).
    UsGovernmentDod,
    /// `microsoftgraph.chinacloudapi.cn`: Microsoft Graph China operated by 21Vianet.
    China,
}

impl Cloud {
    /// The cloud's Graph host.
    pub fn host(self) -> &'static str {
        match self {
            Cloud::Global => "graph.microsoft.com",
            Cloud::UsGovernment => "graph.microsoft.us",
            Cloud::UsGovernmentDod => "dod-graph.microsoft.us",
            Cloud::China => "microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The base URL of an API version on this cloud (`https://graph.microsoft.us/v1.0`).
    pub fn base_url(self, version: ApiVersion) -> String {
        format!("https://{}/{}", self.host(), version.segment())
    }

    /// The OAuth scope of this cloud's Graph for app-level consent
    /// (`https://graph.microsoft.us/.default`).
    pub fn scope(self) -> String {
        format!("https://{}/.default", self.host())
    }
}

/// Every cloud, to recognise a Graph base URL as its cloud and version.
const CLOUDS: [Cloud; 4] = [
    Cloud::Global,
    Cloud::UsGovernment,
    Cloud::UsGovernmentDod,
    Cloud::China,
];

/// A Graph base URL (`https://graph.microsoft.us/v1.0`, no trailing slash) as its cloud and
/// version; `None` for any other URL.
pub(crate) fn graph_fallback(url: &str) -> Option<Fallback> {
    CLOUDS.iter().find_map(|&cloud| {
        [ApiVersion::Beta, ApiVersion::V1]
            .into_iter()
            .find(|&v| cloud.base_url(v) == url)
            .map(|v| Fallback::Graph(cloud, v))
    })
}

impl Client {
    /// A client for Graph beta with these credentials and the default limits.
    ///
    /// # Panics
    ///
    /// If the TLS backend cannot be initialised, as `reqwest::Client::new` does;
    /// [`ClientBuilder::build`] returns that as an error instead.
    pub fn new(auth: impl TokenProvider + 'static) -> Self {
        ClientBuilder::<Client>::new(auth).build_unchecked()
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// Graph beta (the default) or v1.0, on the cloud set (default [`Cloud::Global`]).
    #[must_use]
    pub fn version(mut self, version: ApiVersion) -> Self {
        let fallback = self.fallback_mut();
        let cloud = match fallback {
            Fallback::Graph(cloud, _) => *cloud,
            _ => Cloud::Global,
        };
        *fallback = Fallback::Graph(cloud, version);
        self
    }

    /// The cloud (default [`Cloud::Global`]): its host, and tokens asked for its scope.
    #[must_use]
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        let fallback = self.fallback_mut();
        let version = match fallback {
            Fallback::Graph(_, version) => *version,
            _ => ApiVersion::Beta,
        };
        *fallback = Fallback::Graph(cloud, version);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::{ApiVersion, Cloud};
    use crate::{BearerToken, Client, ClientBuilder};

    fn builder() -> ClientBuilder<Client> {
        ClientBuilder::new(BearerToken::new("t"))
    }

    /// A Graph server is read as its cloud and version, so both settings still apply.
    #[test]
    fn a_graph_server_keeps_cloud_and_version() {
        let v1 = builder().default_base_url(Some("https://graph.microsoft.com/v1.0/"));
        let us = v1.cloud(Cloud::UsGovernment).build_unchecked();
        assert_eq!(us.base_url(), "https://graph.microsoft.us/v1.0");
        assert_eq!(us.scope(), "https://graph.microsoft.us/.default");
        let beta = builder()
            .default_base_url(Some("https://graph.microsoft.com/v1.0"))
            .version(ApiVersion::Beta);
        assert_eq!(
            beta.build_unchecked().base_url(),
            "https://graph.microsoft.com/beta"
        );
    }

    /// Another server is kept as it is until a cloud or version is asked for.
    #[test]
    fn a_cloud_replaces_another_server() {
        let other = builder().default_base_url(Some("https://api.example.com/v2"));
        assert_eq!(
            other.cloud(Cloud::China).build_unchecked().base_url(),
            "https://microsoftgraph.chinacloudapi.cn/beta"
        );
    }
}
