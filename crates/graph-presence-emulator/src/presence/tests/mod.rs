use super::{PresenceError, TEAMS_SESSION, UserPresence};
use graph_presence_models::{
    Activity, Availability, BodyType, DateTimeTimeZone, ItemBody, Presence, PresenceStatusMessage,
    WorkLocationSource, WorkLocationType,
};
use jiff::{SignedDuration, Timestamp};
use openapi_models_runtime::{IsoDuration, Nullable};

mod messages_and_changes;

const USER: &str = "fa8bf3dc-eca7-46b7-bad1-db199b62afc3";
const APP: &str = "22553876-f5ab-4529-bffb-cfe50aa89f87";
const OTHER_APP: &str = "0bf30f3b-4a52-48df-9a82-234910c4a086";

fn t0() -> Timestamp {
    "2026-12-01T09:00:00Z".parse().expect("a timestamp")
}

/// `t0` plus `minutes` (and `seconds`).
fn at(minutes: i64, seconds: i64) -> Timestamp {
    t0().checked_add(SignedDuration::from_mins(minutes) + SignedDuration::from_secs(seconds))
        .expect("in range")
}

fn duration(text: &str) -> IsoDuration {
    IsoDuration::parse(text).expect("a duration")
}

fn set(
    user: &mut UserPresence,
    session: &str,
    availability: &str,
    activity: &str,
    expiration: Option<&str>,
    now: Timestamp,
) -> Result<(), PresenceError> {
    user.set_presence(
        session,
        &Availability::from(availability),
        &Activity::from(activity),
        expiration.map(duration).as_ref(),
        now,
    )
}

fn prefer(
    user: &mut UserPresence,
    availability: &str,
    activity: &str,
    expiration: Option<&str>,
    now: Timestamp,
) -> Result<(), PresenceError> {
    user.set_user_preferred_presence(
        &Availability::from(availability),
        &Activity::from(activity),
        expiration.map(duration).as_ref(),
        now,
    )
}

/// The availability/activity pair shown at `now`.
fn shown(user: &UserPresence, now: Timestamp) -> (String, String) {
    let view = user.view(USER, now, true);
    let pair = |a: Option<String>| a.expect("always set");
    (
        pair(view.availability.as_option().map(ToString::to_string)),
        pair(view.activity.as_option().map(ToString::to_string)),
    )
}

fn pair(availability: &str, activity: &str) -> (String, String) {
    (availability.to_owned(), activity.to_owned())
}

fn bad_request(result: Result<(), PresenceError>) -> String {
    match result {
        Err(PresenceError::BadRequest(message)) => message,
        other => panic!("expected BadRequest, got {other:?}"),
    }
}

fn status(content: &str) -> PresenceStatusMessage {
    PresenceStatusMessage::new().message(
        ItemBody::new()
            .content(content)
            .content_type(BodyType::Text),
    )
}

fn json(presence: &Presence) -> serde_json::Value {
    serde_json::to_value(presence).expect("encodes")
}

#[test]
fn a_user_never_set_is_offline_with_the_documented_defaults_and_allocates_nothing() {
    let mut user = UserPresence::default();
    assert_eq!(
        json(&user.view(USER, t0(), true)),
        serde_json::json!({
            "id": USER,
            "availability": "Offline",
            "activity": "Offline",
            "outOfOfficeSettings": { "isOutOfOffice": false, "message": null },
            "sequenceNumber": "00000000000000000000",
            "workLocation": { "workLocationType": "unspecified", "source": "none", "placeId": null },
        })
    );
    let mut sequence = 0;
    assert_eq!(user.observe(USER, t0(), &mut sequence), None);
    assert_eq!(user.next_change(t0()), None);
    // Clearing what was never set allocates nothing either.
    user.clear_user_preferred_presence(t0());
    user.clear_location();
    user.clear_automatic_location();
    user.set_status_message(None, t0()).expect("clears");
    user.set_out_of_office(false, None, t0());
    user.end_call(t0());
    user.go_idle(t0());
    user.sign_out(t0());
    assert!(user.data.is_none());
    assert_eq!(std::mem::size_of::<UserPresence>(), 8);
}

#[test]
fn set_presence_accepts_the_documented_combinations_ignoring_case() {
    for (availability, activity) in [
        ("Available", "Available"),
        ("Busy", "InACall"),
        ("Busy", "InAConferenceCall"),
        ("Away", "Away"),
        ("DoNotDisturb", "Presenting"),
    ] {
        let mut user = UserPresence::default();
        set(&mut user, APP, availability, activity, None, t0()).expect("accepted");
        assert_eq!(shown(&user, t0()), pair(availability, activity));
        // camelCase, as newer docs spell them, names the same state, shown in PascalCase.
        let mut user = UserPresence::default();
        let lower = |s: &str| s[..1].to_lowercase() + &s[1..];
        set(
            &mut user,
            APP,
            &lower(availability),
            &lower(activity),
            None,
            t0(),
        )
        .expect("accepted");
        assert_eq!(shown(&user, t0()), pair(availability, activity));
    }
}

#[test]
fn set_presence_refuses_other_combinations_naming_them() {
    let mut user = UserPresence::default();
    for (availability, activity) in [
        ("Busy", "Busy"),
        ("Available", "Away"),
        ("DoNotDisturb", "DoNotDisturb"),
        ("Offline", "OffWork"),
        ("Busy", "InAMeeting"),
        ("Sleeping", "Dreaming"),
    ] {
        let message = bad_request(set(&mut user, APP, availability, activity, None, t0()));
        assert!(
            message.contains(&format!("'{availability}'"))
                && message.contains(&format!("'{activity}'")),
            "{message}"
        );
        assert!(message.contains("setPresence"), "{message}");
    }
    assert!(user.data.is_none(), "a refused request allocates nothing");
}

#[test]
fn expiration_duration_defaults_to_five_minutes_and_must_be_from_pt5m_to_pt4h() {
    let mut user = UserPresence::default();
    set(&mut user, APP, "Busy", "InACall", None, t0()).expect("accepted");
    assert_eq!(shown(&user, at(4, 59)), pair("Busy", "InACall"));
    assert_eq!(shown(&user, at(5, 0)), pair("Offline", "Offline"));

    for ok in ["PT5M", "PT300S", "PT1H", "PT4H", "PT240M"] {
        set(&mut user, APP, "Busy", "InACall", Some(ok), t0()).expect(ok);
    }
    for refused in ["PT4M59S", "PT0S", "PT4H0M1S", "P1D", "PT5H"] {
        let message = bad_request(set(&mut user, APP, "Busy", "InACall", Some(refused), t0()));
        assert!(
            message.contains(refused) && message.contains("PT5M") && message.contains("PT4H"),
            "{message}"
        );
    }
}

#[test]
fn a_session_ends_at_its_expiry_and_setting_again_refreshes_it() {
    let mut user = UserPresence::default();
    set(
        &mut user,
        APP,
        "Busy",
        "InAConferenceCall",
        Some("PT10M"),
        t0(),
    )
    .expect("accepted");
    set(&mut user, APP, "Busy", "InACall", Some("PT10M"), at(8, 0)).expect("refreshed");
    assert_eq!(shown(&user, at(12, 0)), pair("Busy", "InACall"));
    assert_eq!(shown(&user, at(17, 59)), pair("Busy", "InACall"));
    assert_eq!(shown(&user, at(18, 0)), pair("Offline", "Offline"));
}

#[test]
fn an_available_session_fades_to_inactive_then_away_unless_set_again() {
    let mut user = UserPresence::default();
    set(&mut user, APP, "Available", "Available", Some("PT1H"), t0()).expect("accepted");
    assert_eq!(shown(&user, at(4, 59)), pair("Available", "Available"));
    assert_eq!(
        shown(&user, at(5, 0)),
        pair("Available", "AvailableInactive")
    );
    assert_eq!(
        shown(&user, at(9, 59)),
        pair("Available", "AvailableInactive")
    );
    assert_eq!(shown(&user, at(10, 0)), pair("Away", "Away"));
    assert_eq!(shown(&user, at(59, 59)), pair("Away", "Away"));
    assert_eq!(shown(&user, at(60, 0)), pair("Offline", "Offline"));

    set(
        &mut user,
        APP,
        "Available",
        "Available",
        Some("PT1H"),
        at(7, 0),
    )
    .expect("set again");
    assert_eq!(shown(&user, at(11, 59)), pair("Available", "Available"));
    assert_eq!(
        shown(&user, at(12, 0)),
        pair("Available", "AvailableInactive")
    );

    // Only Available fades.
    let mut busy = UserPresence::default();
    set(&mut busy, APP, "Busy", "InACall", Some("PT1H"), t0()).expect("accepted");
    set(
        &mut busy,
        OTHER_APP,
        "DoNotDisturb",
        "Presenting",
        Some("PT1H"),
        t0(),
    )
    .expect("ok");
    assert_eq!(shown(&busy, at(30, 0)), pair("DoNotDisturb", "Presenting"));
    busy.clear_presence(OTHER_APP, at(30, 0)).expect("cleared");
    assert_eq!(shown(&busy, at(30, 0)), pair("Busy", "InACall"));
}

#[test]
fn sessions_aggregate_do_not_disturb_over_busy_over_available_over_away() {
    let mut user = UserPresence::default();
    let hour = Some("PT1H");
    set(&mut user, "away", "Away", "Away", hour, t0()).expect("ok");
    assert_eq!(shown(&user, t0()), pair("Away", "Away"));
    set(&mut user, "available", "Available", "Available", hour, t0()).expect("ok");
    assert_eq!(shown(&user, t0()), pair("Available", "Available"));
    set(&mut user, "call", "Busy", "InACall", hour, t0()).expect("ok");
    assert_eq!(shown(&user, t0()), pair("Busy", "InACall"));
    set(
        &mut user,
        "conference",
        "Busy",
        "InAConferenceCall",
        hour,
        t0(),
    )
    .expect("ok");
    assert_eq!(shown(&user, t0()), pair("Busy", "InAConferenceCall"));
    set(
        &mut user,
        "presenting",
        "DoNotDisturb",
        "Presenting",
        hour,
        t0(),
    )
    .expect("ok");
    assert_eq!(shown(&user, t0()), pair("DoNotDisturb", "Presenting"));
    // Set in the other order, the same state wins.
    let mut reversed = UserPresence::default();
    for (session, availability, activity) in [
        ("presenting", "DoNotDisturb", "Presenting"),
        ("conference", "Busy", "InAConferenceCall"),
        ("call", "Busy", "InACall"),
        ("available", "Available", "Available"),
        ("away", "Away", "Away"),
    ] {
        set(&mut reversed, session, availability, activity, hour, t0()).expect("ok");
    }
    assert_eq!(shown(&reversed, t0()), pair("DoNotDisturb", "Presenting"));
}

#[test]
fn available_inactive_ranks_with_available_below_an_active_available_above_away() {
    let mut user = UserPresence::default();
    set(&mut user, APP, "Available", "Available", Some("PT1H"), t0()).expect("ok");
    set(&mut user, OTHER_APP, "Away", "Away", Some("PT1H"), t0()).expect("ok");
    assert_eq!(
        shown(&user, at(6, 0)),
        pair("Available", "AvailableInactive")
    );
    set(
        &mut user,
        "third",
        "Available",
        "Available",
        Some("PT1H"),
        at(6, 0),
    )
    .expect("ok");
    assert_eq!(shown(&user, at(6, 0)), pair("Available", "Available"));
}

#[test]
fn the_preferred_presence_wins_over_sessions_only_while_one_exists() {
    let mut user = UserPresence::default();
    prefer(&mut user, "DoNotDisturb", "DoNotDisturb", None, t0()).expect("accepted");
    assert_eq!(shown(&user, t0()), pair("Offline", "Offline"));
    set(&mut user, APP, "Busy", "InACall", Some("PT1H"), t0()).expect("ok");
    assert_eq!(shown(&user, t0()), pair("DoNotDisturb", "DoNotDisturb"));
    prefer(&mut user, "Offline", "OffWork", None, t0()).expect("appear offline");
    assert_eq!(shown(&user, t0()), pair("Offline", "OffWork"));
    prefer(&mut user, "available", "available", None, t0()).expect("case ignored");
    assert_eq!(shown(&user, t0()), pair("Available", "Available"));
    // It does not fade, though the sessions under it do.
    set(&mut user, APP, "Available", "Available", Some("PT1H"), t0()).expect("ok");
    prefer(&mut user, "Busy", "Busy", None, t0()).expect("accepted");
    assert_eq!(shown(&user, at(30, 0)), pair("Busy", "Busy"));
    // The session ends: Offline, though the preference is still set...
    assert_eq!(shown(&user, at(60, 0)), pair("Offline", "Offline"));
    // ...and shows again with a new session.
    set(&mut user, APP, "Away", "Away", None, at(61, 0)).expect("ok");
    assert_eq!(shown(&user, at(61, 0)), pair("Busy", "Busy"));
    user.clear_user_preferred_presence(at(61, 0));
    assert_eq!(shown(&user, at(61, 0)), pair("Away", "Away"));
}

#[test]
fn the_preferred_presence_expires_after_its_default_or_given_duration() {
    let day = SignedDuration::from_hours(24);
    for (availability, activity, lasts) in [
        ("DoNotDisturb", "DoNotDisturb", day),
        ("Busy", "Busy", day),
        ("Available", "Available", day * 7),
        ("BeRightBack", "BeRightBack", day * 7),
        ("Away", "Away", day * 7),
        ("Offline", "OffWork", day * 7),
    ] {
        let mut user = UserPresence::default();
        prefer(&mut user, availability, activity, None, t0()).expect("accepted");
        user.start_call(t0());
        let end = t0().checked_add(lasts).expect("in range");
        let just_before = end
            .checked_sub(SignedDuration::from_secs(1))
            .expect("in range");
        assert_eq!(shown(&user, just_before), pair(availability, activity));
        assert_eq!(shown(&user, end), pair("Busy", "InACall"), "{availability}");
        assert_eq!(user.next_change(t0()), Some(end));
    }
    let mut user = UserPresence::default();
    user.teams_sign_in(t0());
    prefer(&mut user, "BeRightBack", "BeRightBack", Some("PT8H"), t0()).expect("accepted");
    assert_eq!(shown(&user, at(479, 0)), pair("BeRightBack", "BeRightBack"));
    assert_eq!(shown(&user, at(480, 0)), pair("Available", "Available"));
    assert!(bad_request(prefer(&mut user, "Busy", "Busy", Some("PT0S"), t0())).contains("PT0S"));
}

#[test]
fn the_preferred_presence_refuses_other_combinations() {
    let mut user = UserPresence::default();
    for (availability, activity) in [
        ("Busy", "InACall"),
        ("DoNotDisturb", "Presenting"),
        ("Offline", "Offline"),
        ("Available", "AvailableInactive"),
    ] {
        let message = bad_request(prefer(&mut user, availability, activity, None, t0()));
        assert!(
            message.contains("setUserPreferredPresence") && message.contains(activity),
            "{message}"
        );
    }
}

#[test]
fn clear_presence_ends_the_session_and_answers_not_found_without_one() {
    let mut user = UserPresence::default();
    assert!(matches!(
        user.clear_presence(APP, t0()),
        Err(PresenceError::NotFound(m)) if m.contains(APP)
    ));
    set(&mut user, APP, "Busy", "InACall", Some("PT1H"), t0()).expect("ok");
    set(&mut user, OTHER_APP, "Away", "Away", Some("PT1H"), t0()).expect("ok");
    user.clear_presence(APP, at(1, 0)).expect("cleared");
    assert_eq!(shown(&user, at(1, 0)), pair("Away", "Away"));
    assert!(matches!(
        user.clear_presence(APP, at(1, 0)),
        Err(PresenceError::NotFound(_))
    ));
    user.clear_presence(OTHER_APP, at(1, 0)).expect("cleared");
    assert_eq!(shown(&user, at(1, 0)), pair("Offline", "Offline"));
    // An expired session is no session.
    set(&mut user, APP, "Busy", "InACall", None, t0()).expect("ok");
    assert!(matches!(
        user.clear_presence(APP, at(5, 0)),
        Err(PresenceError::NotFound(_))
    ));
}
