//! What a presence shows as: the availability and activity of each state, and their order
//! when sessions are aggregated.

use super::*;

impl Shown {
    pub(super) fn availability(self) -> Availability {
        match self {
            Shown::Offline | Shown::OffWork => Availability::Offline,
            Shown::Away => Availability::Away,
            Shown::BeRightBack => Availability::BeRightBack,
            Shown::AvailableInactive | Shown::Available => Availability::Available,
            Shown::Busy | Shown::InACall | Shown::InAConferenceCall => Availability::Busy,
            Shown::DoNotDisturb | Shown::Presenting => Availability::DoNotDisturb,
        }
    }

    pub(super) fn activity(self) -> Activity {
        match self {
            Shown::Offline => Activity::Offline,
            Shown::OffWork => Activity::OffWork,
            Shown::Away => Activity::Away,
            Shown::BeRightBack => Activity::BeRightBack,
            Shown::AvailableInactive => Activity::AvailableInactive,
            Shown::Available => Activity::Available,
            Shown::Busy => Activity::Busy,
            Shown::InACall => Activity::InACall,
            Shown::InAConferenceCall => Activity::InAConferenceCall,
            Shown::DoNotDisturb => Activity::DoNotDisturb,
            Shown::Presenting => Activity::Presenting,
        }
    }

    /// Which session shows when several are live: `DoNotDisturb > Busy > Available > Away` by
    /// availability, then the readings in the module's documentation within one availability.
    pub(super) fn rank(self) -> u8 {
        match self {
            Shown::Offline | Shown::OffWork => 0,
            Shown::Away | Shown::BeRightBack => 1,
            Shown::AvailableInactive => 2,
            Shown::Available => 3,
            Shown::InACall | Shown::Busy => 4,
            Shown::InAConferenceCall => 5,
            Shown::DoNotDisturb | Shown::Presenting => 6,
        }
    }

    /// The state `availability`/`activity` name among `accepted`, ignoring ASCII case.
    pub(super) fn parse(
        operation: &str,
        accepted: &[(&str, &str, Shown)],
        availability: &Availability,
        activity: &Activity,
    ) -> Result<Shown, PresenceError> {
        accepted
            .iter()
            .find(|(a, b, _)| {
                availability.as_str().eq_ignore_ascii_case(a)
                    && activity.as_str().eq_ignore_ascii_case(b)
            })
            .map(|&(_, _, shown)| shown)
            .ok_or_else(|| {
                let pairs: Vec<String> = accepted.iter().map(|(a, b, _)| format!("{a}/{b}")).collect();
                PresenceError::BadRequest(format!(
                    "availability '{availability}' with activity '{activity}' is not a combination {operation} accepts (it accepts {})",
                    pairs.join(", ")
                ))
            })
    }
}
