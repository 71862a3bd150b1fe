//! Status messages, work location, out of office, the Teams client, and how changes are
//! observed and numbered.

use super::*;

#[test]
fn the_status_message_shows_its_times_to_its_owner_only() {
    let mut user = UserPresence::default();
    let sent = status("Hey I'm currently in a meeting.")
        .expiry_date_time(DateTimeTimeZone::new("2026-12-01T17:05:33.2079781").time_zone("UTC"))
        .published_date_time(
            openapi_models_runtime::Timestamp::parse("2020-01-01T00:00:00Z").expect("valid"),
        );
    user.set_status_message(Some(&sent), t0()).expect("set");
    let own = json(&user.view(USER, at(1, 0), true));
    assert_eq!(
        own["statusMessage"],
        serde_json::json!({
            "message": { "content": "Hey I'm currently in a meeting.", "contentType": "text" },
            "expiryDateTime": { "dateTime": "2026-12-01T17:05:33.2079781", "timeZone": "UTC" },
            // The sent publishedDateTime is read-only: ignored.
            "publishedDateTime": "2026-12-01T09:00:00Z",
        })
    );
    let other = json(&user.view(USER, at(1, 0), false));
    assert_eq!(
        other["statusMessage"],
        serde_json::json!({
            "message": { "content": "Hey I'm currently in a meeting.", "contentType": "text" },
        })
    );
    // Until its expiry.
    let expiry: Timestamp = "2026-12-01T17:05:33.2079781Z".parse().expect("valid");
    assert_eq!(user.next_change(t0()), Some(expiry));
    assert!(user.view(USER, expiry, true).status_message.is_absent());
    let before = expiry
        .checked_sub(SignedDuration::from_nanos(1))
        .expect("in range");
    assert!(!user.view(USER, before, true).status_message.is_absent());
}

#[test]
fn a_status_message_without_expiry_or_time_zone() {
    let mut user = UserPresence::default();
    user.set_status_message(Some(&status("here")), t0())
        .expect("set");
    let own = json(&user.view(USER, at(100_000, 0), true));
    assert_eq!(
        own["statusMessage"],
        serde_json::json!({
            "message": { "content": "here", "contentType": "text" },
            "publishedDateTime": "2026-12-01T09:00:00Z",
        })
    );
    assert_eq!(user.next_change(t0()), None);
    // A zone-less expiry is read as UTC; an expiry already past is taken, and not shown.
    let past = status("gone").expiry_date_time(DateTimeTimeZone::new("2026-12-01T08:00:00"));
    user.set_status_message(Some(&past), t0()).expect("set");
    assert!(user.view(USER, t0(), true).status_message.is_absent());
    let soon = status("soon").expiry_date_time(DateTimeTimeZone::new("2026-12-01T09:30:00"));
    user.set_status_message(Some(&soon), t0()).expect("set");
    assert_eq!(user.next_change(t0()), Some(at(30, 0)));
}

#[test]
fn an_expiry_is_read_in_its_windows_or_iana_zone() {
    // Microsoft's setStatusMessage example names "Pacific Standard Time": 09:30 there in
    // December is 17:30 UTC, eight and a half hours after t0; in July (daylight time) the
    // same local time is 16:30 UTC.
    let mut user = UserPresence::default();
    for (date_time, zone, minutes) in [
        ("2026-12-01T09:30:00", "Pacific Standard Time", 8 * 60 + 30),
        ("2026-12-01T09:30:00", "America/Los_Angeles", 8 * 60 + 30),
        ("2026-12-01T09:30:00", "america/los_angeles", 8 * 60 + 30),
        (
            "2026-12-01T18:30:00",
            "W. Europe Standard Time",
            8 * 60 + 30,
        ),
        ("2026-12-01T09:30:00", "UTC", 30),
    ] {
        let sent = status("x").expiry_date_time(DateTimeTimeZone::new(date_time).time_zone(zone));
        user.set_status_message(Some(&sent), t0()).expect(zone);
        assert_eq!(user.next_change(t0()), Some(at(minutes, 0)), "{zone}");
    }
    let summer = status("x").expiry_date_time(
        DateTimeTimeZone::new("2027-07-01T09:30:00").time_zone("Pacific Standard Time"),
    );
    user.set_status_message(Some(&summer), t0()).expect("set");
    let expected: Timestamp = "2027-07-01T16:30:00Z".parse().expect("a timestamp");
    assert_eq!(user.next_change(t0()), Some(expected));
}

#[test]
fn a_null_or_empty_status_message_clears_it() {
    let mut user = UserPresence::default();
    for clear in [
        None,
        Some(status("")),
        Some(PresenceStatusMessage::new()),
        Some(PresenceStatusMessage::new().message(ItemBody::new())),
    ] {
        user.set_status_message(Some(&status("busy")), t0())
            .expect("set");
        assert!(!user.view(USER, t0(), true).status_message.is_absent());
        user.set_status_message(clear.as_ref(), t0())
            .expect("cleared");
        assert!(
            user.view(USER, t0(), true).status_message.is_absent(),
            "{clear:?}"
        );
    }
}

#[test]
fn a_status_message_is_refused_for_html_offsets_and_unknown_zones() {
    let mut user = UserPresence::default();
    let html = PresenceStatusMessage::new().message(
        ItemBody::new()
            .content("<b>hi</b>")
            .content_type(BodyType::Html),
    );
    assert!(bad_request(user.set_status_message(Some(&html), t0())).contains("html"));
    let unknown = status("x").expiry_date_time(
        DateTimeTimeZone::new("2022-10-18T17:05:33.2079781").time_zone("Atlantis Standard Time"),
    );
    assert!(
        bad_request(user.set_status_message(Some(&unknown), t0()))
            .contains("'Atlantis Standard Time' is neither a Windows nor an IANA")
    );
    for date_time in [
        "2026-12-01T17:00:00Z",
        "2026-12-01T17:00:00+01:00",
        "2026-12-01T17:00:00-05:00",
        "2026-12-01",
        "tomorrow",
    ] {
        let sent = status("x").expiry_date_time(DateTimeTimeZone::new(date_time).time_zone("UTC"));
        assert!(
            bad_request(user.set_status_message(Some(&sent), t0())).contains(date_time),
            "{date_time}"
        );
    }
    for zone in ["UTC", "utc", "Etc/UTC", "GMT"] {
        let sent = status("x")
            .expiry_date_time(DateTimeTimeZone::new("2026-12-01T17:00:00").time_zone(zone));
        user.set_status_message(Some(&sent), t0()).expect(zone);
    }
}

#[test]
fn the_work_location_is_manual_over_automatic_else_none() {
    let mut user = UserPresence::default();
    let location =
        |user: &UserPresence| json(&user.view(USER, t0(), false))["workLocation"].clone();
    user.set_automatic_location(&WorkLocationType::Remote, None, t0())
        .expect("set");
    assert_eq!(
        location(&user),
        serde_json::json!({ "workLocationType": "remote", "source": "automatic", "placeId": null })
    );
    user.set_manual_location(&WorkLocationType::Office, Some("building-1"), t0())
        .expect("set");
    assert_eq!(
        location(&user),
        serde_json::json!({ "workLocationType": "office", "source": "manual", "placeId": "building-1" })
    );
    user.clear_automatic_location();
    assert_eq!(location(&user)["source"], "manual");
    user.set_automatic_location(&WorkLocationType::from("TimeOff"), None, t0())
        .expect("case ignored");
    user.clear_location();
    assert_eq!(
        location(&user),
        serde_json::json!({ "workLocationType": "unspecified", "source": "none", "placeId": null })
    );
    // Automatic alone again, after a manual one was cleared.
    user.set_automatic_location(&WorkLocationType::TimeOff, None, t0())
        .expect("set");
    user.set_manual_location(&WorkLocationType::Office, None, t0())
        .expect("set");
    user.clear_location();
    assert_eq!(location(&user)["source"], "none");
    for refused in [
        WorkLocationType::UnknownFutureValue,
        WorkLocationType::from("moon"),
    ] {
        let message = bad_request(user.set_manual_location(&refused, None, t0()));
        assert!(message.contains(refused.as_str()), "{message}");
    }
    let view = user.view(USER, t0(), false);
    let work = view.work_location.as_option().expect("always set");
    assert_eq!(
        (&work.work_location_type, &work.source),
        (&WorkLocationType::Unspecified, &WorkLocationSource::None)
    );
}

#[test]
fn out_of_office_is_shown_as_set_by_the_hook() {
    let mut user = UserPresence::default();
    user.set_out_of_office(true, Some("Back on Monday"), t0());
    assert_eq!(
        json(&user.view(USER, t0(), false))["outOfOfficeSettings"],
        serde_json::json!({ "isOutOfOffice": true, "message": "Back on Monday" })
    );
    user.set_out_of_office(false, None, t0());
    assert_eq!(
        json(&user.view(USER, t0(), false))["outOfOfficeSettings"],
        serde_json::json!({ "isOutOfOffice": false, "message": null })
    );
}

#[test]
fn a_teams_client_stays_available_while_active_and_fades_when_idle() {
    let mut user = UserPresence::default();
    user.teams_sign_in(t0());
    assert_eq!(shown(&user, at(600, 0)), pair("Available", "Available"));
    assert_eq!(user.next_change(t0()), None);
    user.start_call(at(1, 0));
    assert_eq!(shown(&user, at(600, 0)), pair("Busy", "InACall"));
    // Idle in a call: the call still shows.
    user.go_idle(at(2, 0));
    assert_eq!(shown(&user, at(30, 0)), pair("Busy", "InACall"));
    user.end_call(at(30, 0));
    assert_eq!(shown(&user, at(600, 0)), pair("Available", "Available"));
    user.go_idle(at(40, 0));
    assert_eq!(user.next_change(at(40, 0)), Some(at(45, 0)));
    assert_eq!(
        shown(&user, at(45, 0)),
        pair("Available", "AvailableInactive")
    );
    assert_eq!(shown(&user, at(50, 0)), pair("Away", "Away"));
    assert_eq!(shown(&user, at(5000, 0)), pair("Away", "Away"));
    // Idle again does not restart the fade; coming back does.
    user.go_idle(at(48, 0));
    assert_eq!(shown(&user, at(50, 0)), pair("Away", "Away"));
    user.teams_sign_in(at(60, 0));
    assert_eq!(shown(&user, at(120, 0)), pair("Available", "Available"));
    user.sign_out(at(120, 0));
    assert_eq!(shown(&user, at(120, 0)), pair("Offline", "Offline"));
    // Hooks that need a client do nothing without one; a call signs one in.
    user.end_call(at(121, 0));
    user.go_idle(at(121, 0));
    assert_eq!(shown(&user, at(121, 0)), pair("Offline", "Offline"));
    user.start_call(at(122, 0));
    assert_eq!(shown(&user, at(122, 0)), pair("Busy", "InACall"));
}

#[test]
fn a_teams_client_aggregates_with_api_sessions_and_carries_the_preferred_presence() {
    let mut user = UserPresence::default();
    user.teams_sign_in(t0());
    set(&mut user, APP, "DoNotDisturb", "Presenting", None, t0()).expect("ok");
    assert_eq!(shown(&user, t0()), pair("DoNotDisturb", "Presenting"));
    assert_eq!(shown(&user, at(5, 0)), pair("Available", "Available"));
    prefer(&mut user, "BeRightBack", "BeRightBack", None, at(5, 0)).expect("ok");
    assert_eq!(shown(&user, at(6, 0)), pair("BeRightBack", "BeRightBack"));
    // clearPresence with the Teams session's id ends it, like any other.
    user.clear_presence(TEAMS_SESSION, at(6, 0))
        .expect("cleared");
    assert_eq!(shown(&user, at(6, 0)), pair("Offline", "Offline"));
}

#[test]
fn observe_gives_each_visible_change_the_next_sequence_number_once() {
    let mut user = UserPresence::default();
    let mut other = UserPresence::default();
    let mut sequence = 0;
    set(&mut user, APP, "Available", "Available", Some("PT1H"), t0()).expect("ok");
    let change = user.observe(USER, t0(), &mut sequence).expect("a change");
    assert_eq!(
        change.sequence_number,
        Nullable::Value("00000000000000000001".into())
    );
    assert_eq!(change.activity, Nullable::Value(Activity::Available));
    assert_eq!(user.observe(USER, at(1, 0), &mut sequence), None);
    // The reads show the observed sequence number.
    assert_eq!(
        user.view(USER, at(1, 0), true).sequence_number,
        Nullable::Value("00000000000000000001".into())
    );
    // Setting the same state again is no visible change.
    set(
        &mut user,
        APP,
        "Available",
        "Available",
        Some("PT1H"),
        at(2, 0),
    )
    .expect("ok");
    assert_eq!(user.observe(USER, at(2, 0), &mut sequence), None);
    // The counter is shared: another user's change takes the next number.
    other.teams_sign_in(t0());
    let change = other
        .observe("other", t0(), &mut sequence)
        .expect("a change");
    assert_eq!(
        change.sequence_number,
        Nullable::Value("00000000000000000002".into())
    );
    // A fade is a change.
    let change = user.observe(USER, at(7, 0), &mut sequence).expect("faded");
    assert_eq!(
        change.activity,
        Nullable::Value(Activity::AvailableInactive)
    );
    // So are a status message, a location, out of office, and the status message's expiry;
    // the notification's view is another user's (no status message times).
    user.set_status_message(
        Some(&status("hi").expiry_date_time(DateTimeTimeZone::new("2026-12-01T09:20:00"))),
        at(7, 0),
    )
    .expect("set");
    let change = user
        .observe(USER, at(7, 0), &mut sequence)
        .expect("a message");
    let message = change.status_message.as_option().expect("shown");
    assert!(message.published_date_time.is_absent() && message.expiry_date_time.is_absent());
    user.set_manual_location(&WorkLocationType::Office, None, at(7, 0))
        .expect("set");
    assert!(user.observe(USER, at(7, 0), &mut sequence).is_some());
    user.set_manual_location(&WorkLocationType::Office, None, at(7, 0))
        .expect("same again");
    assert_eq!(user.observe(USER, at(7, 0), &mut sequence), None);
    user.set_out_of_office(true, None, at(7, 0));
    assert!(user.observe(USER, at(7, 0), &mut sequence).is_some());
    user.set_out_of_office(true, None, at(7, 0));
    assert_eq!(user.observe(USER, at(7, 0), &mut sequence), None);
    let change = user
        .observe(USER, at(20, 0), &mut sequence)
        .expect("expired and faded");
    assert!(change.status_message.is_absent());
    assert_eq!(sequence, 7);
    assert_eq!(
        change.sequence_number,
        Nullable::Value("00000000000000000007".into())
    );
}

#[test]
fn sequence_numbers_sort_as_strings_in_numeric_order() {
    let numbers = [0, 9, 10, 99, 100, 12_345, u64::MAX];
    let texts: Vec<String> = numbers
        .iter()
        .map(|&n| crate::presence::sequence_number(n))
        .collect();
    let mut sorted = texts.clone();
    sorted.sort();
    assert_eq!(texts, sorted);
    assert!(texts.iter().all(|t| t.len() == 20));
}

#[test]
fn next_change_is_the_first_instant_the_view_changes_by_time_alone() {
    let mut user = UserPresence::default();
    set(&mut user, APP, "Available", "Available", Some("PT1H"), t0()).expect("ok");
    assert_eq!(user.next_change(t0()), Some(at(5, 0)));
    assert_eq!(user.next_change(at(5, 0)), Some(at(10, 0)));
    assert_eq!(user.next_change(at(10, 0)), Some(at(60, 0)));
    assert_eq!(user.next_change(at(60, 0)), None);

    // A fade under a higher session, or under a preference, changes nothing visible.
    let mut user = UserPresence::default();
    set(&mut user, APP, "Available", "Available", Some("PT1H"), t0()).expect("ok");
    set(&mut user, OTHER_APP, "Busy", "InACall", Some("PT30M"), t0()).expect("ok");
    assert_eq!(user.next_change(t0()), Some(at(30, 0)));
    prefer(&mut user, "Away", "Away", Some("PT2H"), t0()).expect("ok");
    // Under the preference, the view changes when the last session ends.
    assert_eq!(user.next_change(t0()), Some(at(60, 0)));
    // An expiry that changes nothing visible is skipped.
    let mut user = UserPresence::default();
    user.teams_sign_in(t0());
    set(&mut user, APP, "Available", "Available", None, t0()).expect("ok");
    assert_eq!(user.next_change(t0()), None);
}

#[test]
fn observe_drops_what_has_expired() {
    let mut user = UserPresence::default();
    let mut sequence = 0;
    set(&mut user, APP, "Busy", "InACall", None, t0()).expect("ok");
    prefer(&mut user, "Away", "Away", Some("PT1M"), t0()).expect("ok");
    user.set_status_message(
        Some(&status("x").expiry_date_time(DateTimeTimeZone::new("2026-12-01T09:01:00"))),
        t0(),
    )
    .expect("set");
    user.observe(USER, t0(), &mut sequence).expect("a change");
    user.observe(USER, at(10, 0), &mut sequence)
        .expect("a change");
    let data = user.data.as_deref().expect("allocated");
    assert!(data.sessions.is_empty() && data.preferred.is_none() && data.status.is_none());
}

#[test]
fn the_detail_shows_live_sessions_as_they_show_now_and_the_preferred_presence() {
    let mut user = UserPresence::default();
    assert_eq!(user.detail(t0()).sessions, []);
    user.teams_sign_in(t0());
    set(&mut user, APP, "Available", "Available", Some("PT1H"), t0()).expect("ok");
    set(&mut user, OTHER_APP, "Away", "Away", None, t0()).expect("ok");
    prefer(&mut user, "Busy", "Busy", Some("PT30M"), t0()).expect("ok");
    let detail = serde_json::to_value(user.detail(at(6, 0))).expect("json");
    assert_eq!(
        detail,
        serde_json::json!({
            "sessions": [
                {
                    "id": TEAMS_SESSION,
                    "availability": "Available",
                    "activity": "Available",
                    "fadesFrom": null,
                    "expiresAt": null,
                },
                {
                    "id": APP,
                    "availability": "Available",
                    "activity": "AvailableInactive",
                    "fadesFrom": "2026-12-01T09:00:00Z",
                    "expiresAt": "2026-12-01T10:00:00Z",
                },
            ],
            "preferred": {
                "availability": "Busy",
                "activity": "Busy",
                "expiresAt": "2026-12-01T09:30:00Z",
            },
        })
    );
    assert_eq!(user.detail(at(31, 0)).preferred, None);
}
