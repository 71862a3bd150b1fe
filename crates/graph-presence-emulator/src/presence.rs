//! One user's presence as Graph keeps it: the apps' sessions and how they fade and expire, the
//! user-preferred presence over them, the status message, the work location's layers and the
//! out-of-office state, aggregated into the `presence` object a read returns (API.md §1–3,
//! RULES.md §4).
//!
//! A pure state machine: nothing here reads a clock or does I/O. Every method that depends on
//! time takes `now`, and [`UserPresence::next_change`] says when the view will next change by
//! time alone, so that the emulator can wake up then and [`UserPresence::observe`] the change.
//!
//! Readings where the docs are silent:
//! - Among sessions of the same availability, `Available` outranks `AvailableInactive` (a
//!   session faded to inactive is still availability `Available`, so it ranks with Available,
//!   above Away, but an active one shows first) and `InAConferenceCall` outranks `InACall`.
//! - A preferred presence is kept while no session exists, and shows again if a session
//!   starts before it expires. Its `expirationDuration` has no documented maximum: any
//!   positive one is taken.
//! - `setStatusMessage` with `statusMessage` absent or `null`, or with a message whose content
//!   is absent or empty, clears the status message. An expiry already past is accepted: the
//!   message is simply not shown. `expiryDateTime` is shown to its owner as it was sent.
//! - The scheduled work-location layer (work hours and locations) is not modelled: the
//!   aggregated location is manual, else automatic, else `unspecified` from `none`.
//! - Out of office shows in `outOfOfficeSettings` only; it does not change availability or
//!   activity (Teams shows `Available/OutOfOffice`, which is not modelled).
//! - The Teams client's session neither fades nor expires while the client is active; idle,
//!   it fades like an `Available` API session.
//! - A change is anything another read would see differ (the status message's re-publication
//!   included). A location or out-of-office state set and set back between two looks
//!   ([`UserPresence::observe`]) counts as a change: the emulator looks after every request.

use graph_presence_models::{
    Activity, Availability, BodyType, DateTimeTimeZone, ItemBody, OutOfOfficeSettings, Presence,
    PresenceStatusMessage, UserWorkLocation, WorkLocationSource, WorkLocationType,
};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use openapi_models_runtime::{IsoDuration, Nullable};

mod detail;
mod input;
mod shown;
#[cfg(test)]
mod tests;

use input::{duration_of, later, location, status_message};

/// The session id of the Teams client the emulator's hooks model ([`UserPresence::teams_sign_in`]).
/// Apps' session ids are their client ids (GUIDs), so they never meet it.
pub(crate) const TEAMS_SESSION: &str = "teams";

/// An `Available` session shows `Available/AvailableInactive` this long after it was last set,
/// and `Away/Away` twice this long after.
const FADE_STEP: SignedDuration = SignedDuration::from_mins(5);
/// `setPresence`'s `expirationDuration`: its default and least value.
const SESSION_MIN: SignedDuration = SignedDuration::from_mins(5);
/// `setPresence`'s longest `expirationDuration`.
const SESSION_MAX: SignedDuration = SignedDuration::from_hours(4);
/// `setUserPreferredPresence`'s default `expirationDuration` for `DoNotDisturb` and `Busy`.
const PREFERRED_BUSY_DEFAULT: SignedDuration = SignedDuration::from_hours(24);
/// `setUserPreferredPresence`'s default `expirationDuration` for the other states.
const PREFERRED_DEFAULT: SignedDuration = SignedDuration::from_hours(7 * 24);

/// A request the API layer answers with a Graph error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PresenceError {
    /// `400 BadRequest`: the message names what is wrong with the request.
    #[error("{0}")]
    BadRequest(String),
    /// `404 NotFound`: the message names what is missing.
    #[error("{0}")]
    NotFound(String),
}

/// One user's presence. A user who never had anything set costs one pointer and no allocation.
#[derive(Clone, Debug, Default)]
pub(crate) struct UserPresence {
    data: Option<Box<Data>>,
}

/// Everything set for a user, allocated on the first set.
#[derive(Clone, Debug, Default)]
struct Data {
    /// The live sessions (and expired ones not pruned yet), in the order they started.
    sessions: Vec<Session>,
    preferred: Option<Preferred>,
    status: Option<Box<StatusMessage>>,
    manual: Option<Location>,
    automatic: Option<Location>,
    out_of_office: bool,
    out_of_office_message: Option<Box<str>>,
    /// The sequence number of the last observed change (0: none yet).
    sequence: u64,
    /// What the last observed view looked like.
    seen: Seen,
    /// Bumped whenever the status message, work location or out-of-office state changes.
    edits: u32,
}

/// An availability/activity pair the emulator can show. Every state it holds comes from one of
/// the documented combinations, so a byte holds it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Shown {
    #[default]
    Offline,
    OffWork,
    Away,
    BeRightBack,
    AvailableInactive,
    Available,
    Busy,
    InACall,
    InAConferenceCall,
    DoNotDisturb,
    Presenting,
}

/// `setPresence`'s accepted combinations (API.md §2).
const SESSION_STATES: &[(&str, &str, Shown)] = &[
    ("Available", "Available", Shown::Available),
    ("Busy", "InACall", Shown::InACall),
    ("Busy", "InAConferenceCall", Shown::InAConferenceCall),
    ("Away", "Away", Shown::Away),
    ("DoNotDisturb", "Presenting", Shown::Presenting),
];

/// `setUserPreferredPresence`'s accepted combinations (API.md §2).
const PREFERRED_STATES: &[(&str, &str, Shown)] = &[
    ("Available", "Available", Shown::Available),
    ("Busy", "Busy", Shown::Busy),
    ("DoNotDisturb", "DoNotDisturb", Shown::DoNotDisturb),
    ("BeRightBack", "BeRightBack", Shown::BeRightBack),
    ("Away", "Away", Shown::Away),
    ("Offline", "OffWork", Shown::OffWork),
];

/// One app's session (or the Teams client's).
#[derive(Clone, Debug)]
struct Session {
    id: Box<str>,
    /// The state as set.
    state: Shown,
    /// An `Available` state fades from this instant; `None`: it does not fade (an active Teams
    /// client).
    fade_from: Option<Timestamp>,
    /// `None`: the Teams client's session, which lasts until it signs out.
    expires_at: Option<Timestamp>,
}

impl Session {
    fn live(&self, at: Timestamp) -> bool {
        self.expires_at.is_none_or(|end| at < end)
    }

    fn shown(&self, at: Timestamp) -> Shown {
        match (self.state, self.fade_from) {
            (Shown::Available, Some(from)) => {
                let idle = from.duration_until(at);
                if idle >= FADE_STEP * 2 {
                    Shown::Away
                } else if idle >= FADE_STEP {
                    Shown::AvailableInactive
                } else {
                    Shown::Available
                }
            }
            (state, _) => state,
        }
    }

    /// The instants at which this session's contribution changes by time alone.
    fn steps(&self) -> impl Iterator<Item = Timestamp> {
        let fade = match (self.state, self.fade_from) {
            (Shown::Available, Some(from)) => [
                from.checked_add(FADE_STEP).ok(),
                from.checked_add(FADE_STEP * 2).ok(),
            ],
            _ => [None, None],
        };
        fade.into_iter().chain([self.expires_at]).flatten()
    }
}

/// The user-preferred presence.
#[derive(Clone, Copy, Debug)]
struct Preferred {
    state: Shown,
    expires_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct StatusMessage {
    content: Box<str>,
    expiry: Option<Expiry>,
    published: Timestamp,
}

/// A status message's `expiryDateTime` as sent, and the instant it names.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Expiry {
    date_time: Box<str>,
    time_zone: Option<Box<str>>,
    at: Timestamp,
}

impl StatusMessage {
    fn shown(&self, at: Timestamp) -> bool {
        self.expiry.as_ref().is_none_or(|expiry| at < expiry.at)
    }
}

/// One layer of the work location.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Location {
    kind: WorkLocationType,
    place_id: Option<Box<str>>,
}

/// What the last observed view looked like: enough to tell whether anything visible changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Seen {
    shown: Shown,
    status_shown: bool,
    edits: u32,
}

impl Data {
    /// Drops what has expired (which no view shows any more).
    fn prune(&mut self, now: Timestamp) {
        self.sessions.retain(|session| session.live(now));
        if self.preferred.is_some_and(|p| now >= p.expires_at) {
            self.preferred = None;
        }
        if self.status.as_ref().is_some_and(|s| !s.shown(now)) {
            self.status = None;
        }
    }

    fn shown(&self, at: Timestamp) -> Shown {
        let mut live = self.sessions.iter().filter(|s| s.live(at)).peekable();
        if live.peek().is_none() {
            return Shown::Offline;
        }
        if let Some(preferred) = self.preferred.filter(|p| at < p.expires_at) {
            return preferred.state;
        }
        live.map(|s| s.shown(at))
            .max_by_key(|shown| shown.rank())
            .unwrap_or(Shown::Offline)
    }

    fn status_shown(&self, at: Timestamp) -> bool {
        self.status.as_ref().is_some_and(|s| s.shown(at))
    }

    fn location(&self) -> Option<(&Location, WorkLocationSource)> {
        (self
            .manual
            .as_ref()
            .map(|l| (l, WorkLocationSource::Manual)))
        .or_else(|| (self.automatic.as_ref()).map(|l| (l, WorkLocationSource::Automatic)))
    }

    fn seen(&self, at: Timestamp) -> Seen {
        Seen {
            shown: self.shown(at),
            status_shown: self.status_shown(at),
            edits: self.edits,
        }
    }

    /// Sets one location layer (or clears it, with `None`), noting an edit when the
    /// aggregated location changes.
    fn set_location(&mut self, manual: bool, location: Option<Location>) {
        let before = self.location().map(|(l, source)| (l.clone(), source));
        *(if manual {
            &mut self.manual
        } else {
            &mut self.automatic
        }) = location;
        let after = self.location().map(|(l, source)| (l.clone(), source));
        if before != after {
            self.edits = self.edits.wrapping_add(1);
        }
    }

    fn teams(&mut self) -> Option<&mut Session> {
        self.sessions.iter_mut().find(|s| &*s.id == TEAMS_SESSION)
    }
}

impl UserPresence {
    fn data(&mut self, now: Timestamp) -> &mut Data {
        let data = self.data.get_or_insert_with(Box::default);
        data.prune(now);
        data
    }

    /// `setPresence`: sets (or refreshes) the session `session_id` (the request's `sessionId`,
    /// else the caller's app id) to one of the accepted combinations, for `expiration`
    /// (default PT5M, at least PT5M, at most PT4H).
    pub(crate) fn set_presence(
        &mut self,
        session_id: &str,
        availability: &Availability,
        activity: &Activity,
        expiration: Option<&IsoDuration>,
        now: Timestamp,
    ) -> Result<(), PresenceError> {
        let state = Shown::parse("setPresence", SESSION_STATES, availability, activity)?;
        let duration = match expiration {
            None => SESSION_MIN,
            Some(text) => {
                let duration = duration_of(text, now)?;
                if !(SESSION_MIN..=SESSION_MAX).contains(&duration) {
                    return Err(PresenceError::BadRequest(format!(
                        "expirationDuration '{text}' is out of range: it must be from PT5M to PT4H"
                    )));
                }
                duration
            }
        };
        let expires_at = later(now, duration)?;
        let session = Session {
            id: session_id.into(),
            state,
            fade_from: Some(now),
            expires_at: Some(expires_at),
        };
        let data = self.data(now);
        match data.sessions.iter_mut().find(|s| *s.id == *session_id) {
            Some(existing) => *existing = session,
            None => data.sessions.push(session),
        }
        Ok(())
    }

    /// `clearPresence`: ends the session `session_id`; `NotFound` when there is none.
    pub(crate) fn clear_presence(
        &mut self,
        session_id: &str,
        now: Timestamp,
    ) -> Result<(), PresenceError> {
        let not_found = || {
            PresenceError::NotFound(format!(
                "the user has no presence session with sessionId '{session_id}'"
            ))
        };
        let data = self.data.as_deref_mut().ok_or_else(not_found)?;
        data.prune(now);
        let index = (data.sessions.iter())
            .position(|s| *s.id == *session_id)
            .ok_or_else(not_found)?;
        data.sessions.remove(index);
        Ok(())
    }

    /// `setUserPreferredPresence`: the state shown over every session while at least one
    /// exists, for `expiration` (default one day for `DoNotDisturb` and `Busy`, seven days
    /// otherwise; no documented maximum, so any positive duration jiff can add is taken).
    pub(crate) fn set_user_preferred_presence(
        &mut self,
        availability: &Availability,
        activity: &Activity,
        expiration: Option<&IsoDuration>,
        now: Timestamp,
    ) -> Result<(), PresenceError> {
        let state = Shown::parse(
            "setUserPreferredPresence",
            PREFERRED_STATES,
            availability,
            activity,
        )?;
        let duration = match expiration {
            None if matches!(state, Shown::DoNotDisturb | Shown::Busy) => PREFERRED_BUSY_DEFAULT,
            None => PREFERRED_DEFAULT,
            Some(text) => {
                let duration = duration_of(text, now)?;
                if !duration.is_positive() {
                    return Err(PresenceError::BadRequest(format!(
                        "expirationDuration '{text}' must be longer than zero"
                    )));
                }
                duration
            }
        };
        let expires_at = later(now, duration)?;
        self.data(now).preferred = Some(Preferred { state, expires_at });
        Ok(())
    }

    /// `clearUserPreferredPresence`: removes the preferred presence (nothing to do when there
    /// is none).
    pub(crate) fn clear_user_preferred_presence(&mut self, now: Timestamp) {
        if let Some(data) = self.data.as_deref_mut() {
            data.prune(now);
            data.preferred = None;
        }
    }

    /// `setStatusMessage`: `None` (the parameter absent or `null`), or a message without
    /// content, clears the status message; otherwise it is published now (a sent
    /// `publishedDateTime` is ignored: it is read-only) and shown until its `expiryDateTime`.
    ///
    /// `expiryDateTime.timeZone` is a Windows zone name (as Graph writes them) or an IANA
    /// one, or absent for UTC; any other name is refused with `BadRequest`, rather than read
    /// wrongly.
    pub(crate) fn set_status_message(
        &mut self,
        message: Option<&PresenceStatusMessage>,
        now: Timestamp,
    ) -> Result<(), PresenceError> {
        let new = match message {
            Some(message) => status_message(message, now)?,
            None => None,
        };
        if new.is_none() && self.data.is_none() {
            return Ok(());
        }
        let data = self.data(now);
        if new.is_some() || data.status.is_some() {
            data.edits = data.edits.wrapping_add(1);
        }
        data.status = new.map(Box::new);
        Ok(())
    }

    /// `setAutomaticLocation`: sets the automatic layer (a manual location still wins).
    pub(crate) fn set_automatic_location(
        &mut self,
        work_location_type: &WorkLocationType,
        place_id: Option<&str>,
        now: Timestamp,
    ) -> Result<(), PresenceError> {
        let location = location("setAutomaticLocation", work_location_type, place_id)?;
        self.data(now).set_location(false, Some(location));
        Ok(())
    }

    /// `setManualLocation`: sets the manual layer, which wins over the automatic one.
    pub(crate) fn set_manual_location(
        &mut self,
        work_location_type: &WorkLocationType,
        place_id: Option<&str>,
        now: Timestamp,
    ) -> Result<(), PresenceError> {
        let location = location("setManualLocation", work_location_type, place_id)?;
        self.data(now).set_location(true, Some(location));
        Ok(())
    }

    /// `clearAutomaticLocation`: clears the automatic layer (a manual location stays).
    pub(crate) fn clear_automatic_location(&mut self) {
        if let Some(data) = self.data.as_deref_mut() {
            data.set_location(false, None);
        }
    }

    /// `clearLocation`: clears the manual and the automatic layers.
    pub(crate) fn clear_location(&mut self) {
        if let Some(data) = self.data.as_deref_mut() {
            data.set_location(true, None);
            data.set_location(false, None);
        }
    }

    /// The emulator's hook for Outlook's or Teams' automatic replies (no Graph operation sets
    /// them): shown as `outOfOfficeSettings`.
    pub(crate) fn set_out_of_office(
        &mut self,
        is_out_of_office: bool,
        message: Option<&str>,
        now: Timestamp,
    ) {
        if !is_out_of_office && message.is_none() && self.data.is_none() {
            return;
        }
        let data = self.data(now);
        let message = message.map(Box::from);
        if data.out_of_office != is_out_of_office || data.out_of_office_message != message {
            data.out_of_office = is_out_of_office;
            data.out_of_office_message = message;
            data.edits = data.edits.wrapping_add(1);
        }
    }

    /// Teams hook: a Teams client signs in, or its user comes back from idle. Its session
    /// ([`TEAMS_SESSION`]) is `Available` and stays so (a running client keeps its session
    /// alive: no fade, no expiry) until [`UserPresence::go_idle`] or
    /// [`UserPresence::sign_out`]. Ends a call, if one was going on.
    pub(crate) fn teams_sign_in(&mut self, now: Timestamp) {
        self.teams_set(Shown::Available, now);
    }

    /// Teams hook: the user starts a call in Teams: `Busy/InACall` until
    /// [`UserPresence::end_call`]. Signs the client in if it was not.
    pub(crate) fn start_call(&mut self, now: Timestamp) {
        self.teams_set(Shown::InACall, now);
    }

    /// Teams hook: the call ends, and the client is `Available` and active again. Nothing
    /// happens when no Teams client is signed in.
    pub(crate) fn end_call(&mut self, now: Timestamp) {
        if self.data.as_deref_mut().and_then(Data::teams).is_some() {
            self.teams_set(Shown::Available, now);
        }
    }

    /// Teams hook: the user leaves the keyboard. The Teams session fades from now as an
    /// `Available` API session does (`AvailableInactive` after 5 minutes, `Away` after 10),
    /// but does not expire; a call going on keeps showing until it ends. Nothing happens when
    /// no Teams client is signed in.
    pub(crate) fn go_idle(&mut self, now: Timestamp) {
        if let Some(teams) = self.data.as_deref_mut().and_then(Data::teams) {
            teams.fade_from.get_or_insert(now);
        }
    }

    /// Teams hook: the Teams client signs out, ending its session.
    pub(crate) fn sign_out(&mut self, now: Timestamp) {
        if let Some(data) = self.data.as_deref_mut() {
            data.prune(now);
            data.sessions.retain(|s| &*s.id != TEAMS_SESSION);
        }
    }

    fn teams_set(&mut self, state: Shown, now: Timestamp) {
        let data = self.data(now);
        let session = Session {
            id: TEAMS_SESSION.into(),
            state,
            fade_from: None,
            expires_at: None,
        };
        match data.teams() {
            Some(teams) => *teams = session,
            None => data.sessions.push(session),
        }
    }

    /// The `presence` object a read returns at `now`. `own`: the user reads their own
    /// presence, and sees the status message's `expiryDateTime` and `publishedDateTime`,
    /// which another user's read leaves out (API.md §1.3). `sequenceNumber` is that of the
    /// last observed change ([`UserPresence::observe`]).
    pub(crate) fn view(&self, user_id: &str, now: Timestamp, own: bool) -> Presence {
        let data = self.data.as_deref();
        let shown = data.map_or(Shown::Offline, |d| d.shown(now));
        let mut presence = Presence::new(user_id)
            .availability(shown.availability())
            .activity(shown.activity())
            .sequence_number(sequence_number(data.map_or(0, |d| d.sequence)));

        let mut out_of_office =
            OutOfOfficeSettings::new().is_out_of_office(data.is_some_and(|d| d.out_of_office));
        out_of_office.message = Nullable::from_option(
            data.and_then(|d| d.out_of_office_message.as_deref())
                .map(str::to_owned),
        );
        presence.out_of_office_settings = Nullable::Value(out_of_office);

        if let Some(status) = data
            .and_then(|d| d.status.as_deref())
            .filter(|s| s.shown(now))
        {
            let body = ItemBody::new()
                .content(&*status.content)
                .content_type(BodyType::Text);
            let mut message = PresenceStatusMessage::new().message(body);
            if own {
                if let Some(expiry) = &status.expiry {
                    let mut expiry_date_time = DateTimeTimeZone::new(&*expiry.date_time);
                    expiry_date_time.time_zone = expiry
                        .time_zone
                        .as_deref()
                        .map_or(Nullable::Absent, |zone| Nullable::Value(zone.to_owned()));
                    message = message.expiry_date_time(expiry_date_time);
                }
                message = message.published_date_time(status.published);
            }
            presence.status_message = Nullable::Value(message);
        }

        let work_location = match data.and_then(Data::location) {
            Some((location, source)) => {
                let mut work_location = UserWorkLocation::new(location.kind.clone(), source);
                work_location.place_id =
                    Nullable::from_option(location.place_id.as_deref().map(str::to_owned));
                work_location
            }
            None => {
                let mut work_location =
                    UserWorkLocation::new(WorkLocationType::Unspecified, WorkLocationSource::None);
                work_location.place_id = Nullable::Null;
                work_location
            }
        };
        presence.work_location = Nullable::Value(work_location);
        presence
    }

    /// Looks at the presence at `now`: when anything visible (availability, activity, status
    /// message, work location, out of office) changed since the last look, takes the next
    /// sequence number from the emulator's shared counter (`next_sequence`, the last number
    /// given) and returns the new view as another user reads it (what a change notification
    /// carries; the user's own read adds the status message's times: [`UserPresence::view`]).
    /// Otherwise `None`. Also drops what has expired.
    pub(crate) fn observe(
        &mut self,
        user_id: &str,
        now: Timestamp,
        next_sequence: &mut u64,
    ) -> Option<Presence> {
        let data = self.data.as_deref_mut()?;
        data.prune(now);
        let seen = data.seen(now);
        if seen == data.seen {
            return None;
        }
        *next_sequence += 1;
        data.sequence = *next_sequence;
        data.seen = seen;
        Some(self.view(user_id, now, false))
    }

    /// The first instant after `now` at which the view changes by time alone (a session fading
    /// or expiring, the preferred presence or the status message expiring), if any.
    pub(crate) fn next_change(&self, now: Timestamp) -> Option<Timestamp> {
        let data = self.data.as_deref()?;
        let mut instants: Vec<Timestamp> = (data.sessions.iter())
            .flat_map(Session::steps)
            .chain(data.preferred.map(|p| p.expires_at))
            .chain(
                (data.status.as_ref())
                    .and_then(|s| s.expiry.as_ref())
                    .map(|e| e.at),
            )
            .filter(|&at| at > now)
            .collect();
        instants.sort_unstable();
        // Between two of these instants the view is constant: the first one at which it
        // differs from now is the change.
        let before = data.seen(now);
        instants.into_iter().find(|&at| data.seen(at) != before)
    }
}

/// A sequence number as the API writes it: zero-padded to u64's 20 digits, so that string order
/// is numeric order.
fn sequence_number(sequence: u64) -> String {
    format!("{sequence:020}")
}
