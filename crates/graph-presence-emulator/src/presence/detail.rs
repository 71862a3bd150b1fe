//! What lies behind a user's aggregated presence, for the admin API.

use super::*;

/// What lies behind a user's aggregated presence, for the admin API: the live sessions (as
/// each shows now) and the preferred presence over them.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Detail {
    /// The live sessions, in the order they started.
    pub sessions: Vec<SessionDetail>,
    /// The user-preferred presence, while it lasts.
    pub preferred: Option<PreferredDetail>,
}

/// One live session.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionDetail {
    /// The app's client id (or `sessionId`), or `teams` for the Teams client.
    pub id: String,
    pub availability: Availability,
    /// As it shows now: an `Available` session fades to `AvailableInactive`, then `Away`.
    pub activity: Activity,
    /// When an `Available` state started fading (`None`: it does not fade).
    pub fades_from: Option<Timestamp>,
    /// `None`: the Teams client's session, which lasts until it signs out.
    pub expires_at: Option<Timestamp>,
}

/// The user-preferred presence.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PreferredDetail {
    pub availability: Availability,
    pub activity: Activity,
    pub expires_at: Timestamp,
}

impl UserPresence {
    /// The sessions and preferred presence live at `now`.
    pub(crate) fn detail(&self, now: Timestamp) -> Detail {
        let Some(data) = self.data.as_deref() else {
            return Detail {
                sessions: Vec::new(),
                preferred: None,
            };
        };
        let sessions = (data.sessions.iter())
            .filter(|s| s.live(now))
            .map(|s| {
                let shown = s.shown(now);
                SessionDetail {
                    id: s.id.to_string(),
                    availability: shown.availability(),
                    activity: shown.activity(),
                    fades_from: s.fade_from,
                    expires_at: s.expires_at,
                }
            })
            .collect();
        let preferred = (data.preferred)
            .filter(|p| now < p.expires_at)
            .map(|p| PreferredDetail {
                availability: p.state.availability(),
                activity: p.state.activity(),
                expires_at: p.expires_at,
            });
        Detail {
            sessions,
            preferred,
        }
    }
}
