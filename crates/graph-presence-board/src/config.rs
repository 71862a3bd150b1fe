//! Following real users on Microsoft Graph: the configuration file.
//!
//! Each identity signs in one of two ways:
//! - `"azureCli": {"tenantId": …, "subscription": …}` (both optional): `azure_identity`'s
//!   `AzureCliCredential`, the account `az login` signed in (the subscription picks one of
//!   several), tokens refreshed as they expire. It is the one delegated credential
//!   `azure_identity` 1.0 has; it has no device-code or username-and-password sign-in.
//! - `"tokenEnv": "VAR"`: a delegated access token read once, at start, from that environment
//!   variable; Graph's tokens last about an hour, so the board follows users for that long
//!   unless restarted with fresh tokens.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The configuration file (JSON; unknown fields are refused, so a typo is not ignored).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GraphConfig {
    /// The public `https:` URL Graph delivers notifications to, forwarded to the board's
    /// `/notifications` (Graph does not deliver to `http:` nor to a private address).
    pub notification_url: String,
    /// The secret every subscription carries and every notification must show (at most 128
    /// characters).
    pub client_state: String,
    /// Where the mirror keeps its registry of subscriptions across restarts.
    #[serde(default = "default_state_directory")]
    pub state_directory: PathBuf,
    /// The signed-in accounts the subscriptions are made as: 650 followed users each.
    pub identities: Vec<IdentityConfig>,
    /// Whom the board follows.
    pub users: Vec<UserConfig>,
}

/// One signed-in account.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentityConfig {
    /// The identity's name in the mirror's registry.
    pub name: String,
    /// The environment variable that holds its delegated access token (never the token
    /// itself: the file may be shared, the token is a secret).
    #[serde(default)]
    pub token_env: Option<String>,
    /// Sign in as the Azure CLI's account instead.
    #[serde(default)]
    pub azure_cli: Option<AzureCliConfig>,
}

/// An identity signed in through the Azure CLI (`az login`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AzureCliConfig {
    /// The tenant to sign in to (default: the CLI's).
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The subscription whose account signs in (default: the CLI's current account).
    #[serde(default)]
    pub subscription: Option<String>,
}

/// How an identity gets its tokens.
#[derive(Debug, Clone)]
pub enum SignIn {
    /// A token read from the environment.
    Token(String),
    /// The Azure CLI's account.
    AzureCli(AzureCliConfig),
}

/// One followed user.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserConfig {
    /// The user's Entra object id (a GUID).
    pub id: String,
    /// The name on the board's tile (default: the id).
    #[serde(default)]
    pub display_name: Option<String>,
}

fn default_state_directory() -> PathBuf {
    PathBuf::from("graph-presence-board-state")
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not the JSON described in the README.
    #[error("{path} is not a board configuration: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, cut short.
        reason: String,
    },
    /// An identity names no way to sign in, or two.
    #[error("identity {identity}: give exactly one of tokenEnv and azureCli")]
    SignInUnclear {
        /// The identity's name.
        identity: String,
    },
    /// An identity's token is not in the environment.
    #[error("identity {identity}: environment variable {variable} holds no token")]
    MissingToken {
        /// The identity's name.
        identity: String,
        /// The variable the file names.
        variable: String,
    },
}

impl GraphConfig {
    /// Reads and checks the file.
    pub fn load(path: &Path) -> Result<GraphConfig, ConfigError> {
        let shown = openapi_models_runtime::excerpt(&path.display().to_string(), 200);
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let invalid = |reason: &str| ConfigError::Invalid {
            path: shown.clone(),
            reason: openapi_models_runtime::excerpt(reason, 300),
        };
        let config: GraphConfig =
            serde_json::from_str(&text).map_err(|e| invalid(&e.to_string()))?;
        if config.identities.is_empty() {
            return Err(invalid("no identities"));
        }
        if config.users.is_empty() {
            return Err(invalid("no users"));
        }
        if !config.notification_url.starts_with("https://") {
            return Err(invalid(
                "notificationUrl must be https: (Graph delivers nothing else)",
            ));
        }
        Ok(config)
    }

    /// Each identity's name and how it signs in (tokens read from the environment now).
    pub fn sign_ins(&self) -> Result<Vec<(String, SignIn)>, ConfigError> {
        self.identities
            .iter()
            .map(|identity| {
                let shown = || openapi_models_runtime::excerpt(&identity.name, 60);
                let sign_in = match (&identity.token_env, &identity.azure_cli) {
                    (Some(variable), None) => {
                        let token = std::env::var(variable)
                            .ok()
                            .filter(|t| !t.trim().is_empty())
                            .ok_or_else(|| ConfigError::MissingToken {
                                identity: shown(),
                                variable: openapi_models_runtime::excerpt(variable, 60),
                            })?;
                        SignIn::Token(token.trim().to_owned())
                    }
                    (None, Some(cli)) => SignIn::AzureCli(cli.clone()),
                    _ => return Err(ConfigError::SignInUnclear { identity: shown() }),
                };
                Ok((identity.name.clone(), sign_in))
            })
            .collect()
    }
}
