//! Graph's clouds and API versions: each cloud's host, the base URL of a version on it, and
//! the scope tokens are asked for.

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
pub(crate) const CLOUDS: [Cloud; 4] = [
    Cloud::Global,
    Cloud::UsGovernment,
    Cloud::UsGovernmentDod,
    Cloud::China,
];

/// The `.default` scope of a base URL's origin (`https://graph.microsoft.us/.default`).
pub(crate) fn default_scope(base_url: &str) -> String {
    match base_url.parse::<http::Uri>() {
        Ok(uri) => match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => format!("{scheme}://{authority}/.default"),
            _ => Cloud::Global.scope(),
        },
        Err(_) => Cloud::Global.scope(),
    }
}
