//! What users of the models rely on beyond the documented examples: open values round-trip
//! exactly, `null` and absence stay distinct, unknown properties survive, request bodies are
//! built from constructors, bad input names the bad field, and the JSON Schemas say exactly
//! what decoding accepts.

use graph_presence_models::{
    self as models, Activity, Availability, ClearPresenceRequestBody, DateTimeTimeZone,
    GetPresencesByUserIdResponse, IsoDuration, ItemBody, Nullable, ODataError, Presence,
    PresenceStatusMessage, SetPresenceRequestBody, SetStatusMessageRequestBody, Timestamp,
    UserWorkLocation, WorkLocationSource, WorkLocationType,
};
use serde_json::{Value, json};

/// Decodes, re-encodes, and asserts the JSON text comes back byte for byte (which holds when
/// the known properties come in schema order, as Graph sends them).
fn round_trip_exact<T: serde::de::DeserializeOwned + serde::Serialize>(text: &str) -> T {
    let value: T = models::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(serde_json::to_string(&value).expect("encodes"), text);
    value
}

#[test]
fn unseen_availability_and_activity_values_round_trip_byte_for_byte() {
    let text = r#"{"id":"u1","availability":"Focusing","activity":"inAMeeting"}"#;
    let presence: Presence = round_trip_exact(text);
    assert_eq!(
        presence.availability.as_option(),
        Some(&Availability::Focusing)
    );
    assert_eq!(
        presence.activity.as_option(),
        Some(&Activity::Other("inAMeeting".to_owned()))
    );
    let text = r#"{"id":"u1","availability":"SomethingNew2030","activity":"InAMeeting"}"#;
    let presence: Presence = round_trip_exact(text);
    let availability = presence.availability.as_option().expect("present");
    assert!(!availability.is_known());
    assert_eq!(availability.as_str(), "SomethingNew2030");
    assert_eq!(presence.activity.as_option(), Some(&Activity::InAMeeting));
}

#[test]
fn camel_case_values_from_newer_docs_are_kept_and_can_be_compared() {
    let activity = Activity::from("inAMeeting");
    assert_eq!(
        activity.as_str(),
        "inAMeeting",
        "decoding never rewrites a value"
    );
    assert_eq!(activity.known_ignoring_case(), Some(Activity::InAMeeting));
    assert_eq!(
        Availability::from("doNotDisturb").known_ignoring_case(),
        Some(Availability::DoNotDisturb)
    );
    assert_eq!(Availability::from("Nonsense").known_ignoring_case(), None);
}

#[test]
fn unseen_work_location_values_round_trip_and_unknown_future_value_is_a_value() {
    let text = r#"{"id":"u1","workLocation":{"workLocationType":"hybridDesk","source":"calendarAI","placeId":null}}"#;
    let presence: Presence = round_trip_exact(text);
    let location = presence.work_location.as_option().expect("present");
    assert_eq!(
        location.work_location_type,
        WorkLocationType::Other("hybridDesk".to_owned())
    );
    assert_eq!(
        location.source,
        WorkLocationSource::Other("calendarAI".to_owned())
    );
    assert!(location.place_id.is_null());
    let known: UserWorkLocation =
        round_trip_exact(r#"{"workLocationType":"unknownFutureValue","source":"manual"}"#);
    assert_eq!(
        known.work_location_type,
        WorkLocationType::UnknownFutureValue
    );
    assert_eq!(known.source, WorkLocationSource::Manual);
}

#[test]
fn null_absent_and_value_stay_distinct() {
    let null: Presence = round_trip_exact(
        r#"{"id":"a","outOfOfficeSettings":{"isOutOfOffice":false,"message":null}}"#,
    );
    let settings = null.out_of_office_settings.as_option().expect("present");
    assert!(settings.message.is_null());
    let absent: Presence =
        round_trip_exact(r#"{"id":"a","outOfOfficeSettings":{"isOutOfOffice":false}}"#);
    assert!(
        absent
            .out_of_office_settings
            .as_option()
            .expect("present")
            .message
            .is_absent()
    );
    let value: Presence =
        round_trip_exact(r#"{"id":"a","outOfOfficeSettings":{"message":"Away until Monday"}}"#);
    assert_eq!(
        value
            .out_of_office_settings
            .as_option()
            .and_then(|s| s.message.as_option())
            .map(String::as_str),
        Some("Away until Monday")
    );
    let whole_null: Presence = round_trip_exact(r#"{"id":"a","statusMessage":null}"#);
    assert!(whole_null.status_message.is_null());
}

#[test]
fn unknown_properties_and_annotations_survive_in_order_of_the_map() {
    let text = r##"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#users('a')/presence","@odata.type":"#microsoft.graph.presence","id":"a","futureProperty":{"nested":[1,2.5,true,null]}}"##;
    let presence: Presence = models::from_str(text).expect("decodes");
    let kept: Vec<(&str, &str)> = presence
        .additional_properties
        .iter()
        .map(|(k, v)| (k, v.get()))
        .collect();
    assert_eq!(
        kept,
        [
            (
                "@odata.context",
                r#""https://graph.microsoft.com/beta/$metadata#users('a')/presence""#
            ),
            ("@odata.type", r##""#microsoft.graph.presence""##),
            ("futureProperty", r#"{"nested":[1,2.5,true,null]}"#),
        ],
        "in the order sent, each as its exact text"
    );
    assert_eq!(
        serde_json::to_value(&presence).expect("encodes"),
        serde_json::from_str::<Value>(text).expect("json")
    );
}

#[test]
fn timestamps_and_durations_are_typed_and_keep_their_text() {
    let text = r#"{"message":{"content":"hi","contentType":"text"},"expiryDateTime":{"dateTime":"2022-10-18T17:05:33.2079781","timeZone":"Pacific Standard Time"},"publishedDateTime":"2023-09-14T10:00:00.0000000Z"}"#;
    let status: PresenceStatusMessage = round_trip_exact(text);
    let published = status.published_date_time.as_option().expect("present");
    assert_eq!(
        published.instant().expect("in jiff's range"),
        "2023-09-14T10:00:00Z"
            .parse::<jiff::Timestamp>()
            .expect("valid")
    );
    assert_eq!(published.as_str(), "2023-09-14T10:00:00.0000000Z");
    assert_eq!(
        status
            .expiry_date_time
            .as_option()
            .map(|e| e.date_time.as_str()),
        Some("2022-10-18T17:05:33.2079781")
    );
    let offset: Timestamp = models::from_str(r#""2023-09-14T12:00:00+02:00""#).expect("offset");
    assert_eq!(
        offset.instant().ok(),
        published.instant().ok(),
        "the same instant"
    );
    assert_ne!(&offset, published, "equality compares the text sent");
    let body: SetPresenceRequestBody = round_trip_exact(
        r#"{"availability":"Busy","activity":"InACall","expirationDuration":"PT60M"}"#,
    );
    let duration = body.expiration_duration.as_option().expect("present");
    assert_eq!(duration.span().expect("fits").get_minutes(), 60);
}

#[test]
fn request_bodies_are_built_from_required_fields_and_named_setters() {
    let body = SetPresenceRequestBody::new(Availability::Busy, Activity::InACall)
        .session_id("22553876-f5ab-4529-bffb-cfe50aa89f87")
        .expiration_duration(IsoDuration::try_from(jiff::Span::new().hours(1)).expect("ISO 8601"));
    assert_eq!(
        serde_json::to_value(&body).expect("encodes"),
        json!({"availability": "Busy", "activity": "InACall", "sessionId": "22553876-f5ab-4529-bffb-cfe50aa89f87", "expirationDuration": "PT1H"})
    );
    let status = SetStatusMessageRequestBody::new().status_message(
        PresenceStatusMessage::new()
            .message(
                ItemBody::new()
                    .content("In a meeting")
                    .content_type(models::BodyType::Text),
            )
            .expiry_date_time(
                DateTimeTimeZone::new("2022-10-18T17:05:33.2079781")
                    .time_zone("Pacific Standard Time"),
            ),
    );
    assert_eq!(
        serde_json::to_value(&status).expect("encodes"),
        json!({"statusMessage": {"message": {"content": "In a meeting", "contentType": "text"}, "expiryDateTime": {"dateTime": "2022-10-18T17:05:33.2079781", "timeZone": "Pacific Standard Time"}}})
    );
    let mut clear = ClearPresenceRequestBody::new();
    assert_eq!(serde_json::to_string(&clear).expect("encodes"), "{}");
    clear.session_id = Nullable::Null;
    assert_eq!(
        serde_json::to_string(&clear).expect("encodes"),
        r#"{"sessionId":null}"#
    );
}

#[test]
fn graph_error_bodies_decode_with_every_field() {
    let text = r#"{"error":{"code":"UnsupportedActionType","message":"Action type is not supported.","innerError":{"date":"2023-09-04T05:47:56","request-id":"43067534-c43a-4df8-a4d1-30660b99ac76","client-request-id":"b041e97f-24d2-bf6a-1731-7e0de686464c"}}}"#;
    let error: ODataError = models::from_str(text).expect("decodes");
    // Known properties are written in schema order, so compare as JSON.
    assert_eq!(
        serde_json::to_value(&error).expect("encodes"),
        serde_json::from_str::<Value>(text).expect("json")
    );
    let inner = error.error.inner_error.as_option().expect("innerError");
    assert_eq!(
        inner.request_id.as_option().map(String::as_str),
        Some("43067534-c43a-4df8-a4d1-30660b99ac76")
    );
    assert_eq!(
        inner.client_request_id.as_option().map(String::as_str),
        Some("b041e97f-24d2-bf6a-1731-7e0de686464c")
    );
    assert_eq!(
        inner.date.as_option().map(String::as_str),
        Some("2023-09-04T05:47:56")
    );
}

/// Bad input gets an error that names the path of the bad value; the messages are pinned.
#[test]
fn bad_input_errors_name_the_bad_field() {
    let cases: Vec<(&str, Result<(), models::DecodeError>)> = vec![
        (
            "wrong_type_id",
            models::from_str::<Presence>(r#"{"id": 5}"#).map(drop),
        ),
        (
            "wrong_type_availability",
            models::from_str::<Presence>(r#"{"id": "a", "availability": ["Busy"]}"#).map(drop),
        ),
        (
            "wrong_type_nested",
            models::from_str::<Presence>(
                r#"{"id": "a", "outOfOfficeSettings": {"isOutOfOffice": "yes"}}"#,
            )
            .map(drop),
        ),
        (
            "missing_id",
            models::from_str::<Presence>(r#"{"availability": "Busy"}"#).map(drop),
        ),
        (
            "missing_date_time",
            models::from_str::<SetStatusMessageRequestBody>(
                r#"{"statusMessage": {"expiryDateTime": {"timeZone": "UTC"}}}"#,
            )
            .map(drop),
        ),
        (
            "missing_required_enum",
            models::from_str::<UserWorkLocation>(r#"{"source": "manual"}"#).map(drop),
        ),
        (
            "null_for_non_nullable",
            models::from_str::<UserWorkLocation>(
                r#"{"workLocationType": null, "source": "manual"}"#,
            )
            .map(drop),
        ),
        (
            "not_json",
            models::from_str::<Presence>("<html><body>502 Bad Gateway</body></html>").map(drop),
        ),
        ("empty_input", models::from_str::<Presence>("").map(drop)),
        (
            "truncated",
            models::from_str::<Presence>(r#"{"id": "a", "availability": "Bu"#).map(drop),
        ),
        (
            "trailing_garbage",
            models::from_str::<Presence>(r#"{"id": "a"} x"#).map(drop),
        ),
        (
            "huge_number",
            models::from_str::<Presence>(
                r#"{"id": "a", "outOfOfficeSettings": {"isOutOfOffice": 1e999}}"#,
            )
            .map(drop),
        ),
        (
            "huge_integer_for_string",
            models::from_str::<Presence>(r#"{"id": 123456789012345678901234567890}"#).map(drop),
        ),
        (
            "duplicate_property",
            models::from_str::<Presence>(r#"{"id": "a", "id": "b"}"#).map(drop),
        ),
        (
            "duplicate_unknown_property",
            models::from_str::<Presence>(r#"{"id": "a", "x": 1, "x": 2}"#).map(drop),
        ),
        (
            "bad_timestamp",
            models::from_str::<PresenceStatusMessage>(r#"{"publishedDateTime": "yesterday"}"#)
                .map(drop),
        ),
        (
            "timestamp_not_rfc3339",
            models::from_str::<PresenceStatusMessage>(
                r#"{"publishedDateTime": "2024-01-01T00:00Z"}"#,
            )
            .map(drop),
        ),
        (
            "timestamp_with_annotation",
            models::from_str::<PresenceStatusMessage>(
                r#"{"publishedDateTime": "2024-01-01T00:00:00Z[Europe/Paris]"}"#,
            )
            .map(drop),
        ),
        (
            "timestamp_without_offset",
            models::from_str::<PresenceStatusMessage>(
                r#"{"publishedDateTime": "2023-09-14T10:00:00"}"#,
            )
            .map(drop),
        ),
        (
            "bad_duration",
            models::from_str::<SetPresenceRequestBody>(
                r#"{"availability": "Busy", "activity": "Busy", "expirationDuration": "1 hour"}"#,
            )
            .map(drop),
        ),
        (
            "ids_not_an_array",
            models::from_str::<models::GetPresencesByUserIdRequestBody>(r#"{"ids": "a,b"}"#)
                .map(drop),
        ),
        (
            "collection_item",
            models::from_str::<GetPresencesByUserIdResponse>(
                r#"{"value": [{"id": "a"}, {"availability": "Busy"}]}"#,
            )
            .map(drop),
        ),
    ];
    for (name, result) in cases {
        let error = result.expect_err(name);
        insta::assert_snapshot!(format!("bad_input_{name}"), error.to_string());
    }
}

/// An unknown value nested as deeply as anyone likes is kept as text: it is skipped without
/// recursion (no stack overflow, no recursion limit) and written back unchanged.
#[test]
fn deeply_nested_unknown_values_are_kept() {
    let deep = format!(
        "{{\"id\":\"a\",\"x\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let presence: Presence = models::from_str(&deep).expect("decodes");
    assert_eq!(serde_json::to_string(&presence).expect("encodes"), deep);
}

/// A snapshot of the JSON Schema of each top-level type.
#[test]
fn json_schemas_of_top_level_types() {
    macro_rules! schemas {
        ($($ty:ident),* $(,)?) => {
            $(insta::assert_json_snapshot!(concat!("schema_", stringify!($ty)), schemars::schema_for!(models::$ty));)*
        };
    }
    schemas!(
        Presence,
        PresenceCollectionResponse,
        GetPresencesByUserIdRequestBody,
        GetPresencesByUserIdResponse,
        ODataError,
        SetPresenceRequestBody,
        ClearPresenceRequestBody,
        SetUserPreferredPresenceRequestBody,
        SetStatusMessageRequestBody,
        SetAutomaticLocationRequestBody,
        SetManualLocationRequestBody,
    );
}

/// The schema accepts what decoding accepts and rejects what it rejects.
#[test]
fn json_schema_agrees_with_decoding() {
    let schema = serde_json::to_value(schemars::schema_for!(Presence)).expect("json");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let cases = [
        json!({"id": "a"}),
        json!({"id": "a", "availability": "NeverSeenBefore", "activity": null}),
        json!({"id": "a", "workLocation": {"workLocationType": "newKind", "source": "manual"}}),
        json!({"id": "a", "@odata.type": "#microsoft.graph.presence", "anything": [1, {}]}),
        json!({"id": "a", "statusMessage": {"publishedDateTime": null, "expiryDateTime": {"dateTime": "2022-10-18T17:05:33.2079781"}}}),
        json!({"availability": "Busy"}),
        json!({"id": null}),
        json!({"id": "a", "availability": 5}),
        json!({"id": "a", "workLocation": {"workLocationType": null, "source": "manual"}}),
        json!({"id": "a", "workLocation": {"source": "manual"}}),
        json!({"id": "a", "statusMessage": {"expiryDateTime": {"timeZone": "UTC"}}}),
        json!({"id": "a", "outOfOfficeSettings": {"isOutOfOffice": "no"}}),
    ];
    for case in cases {
        let decodes = serde_json::from_value::<Presence>(case.clone()).is_ok();
        assert_eq!(
            validator.is_valid(&case),
            decodes,
            "schema and decoding disagree on {case}"
        );
    }
}

#[test]
fn required_properties_are_named_when_they_cannot_be_ordered_safely() {
    use tests::fixtures::required_arguments::{Address, Mixed, Range, Span, required};
    // Two of one type: by name, so `low` and `high` cannot be swapped by a schema change.
    let range = Range::new(required::Range { low: 1, high: 9 }).label("one to nine");
    assert_eq!((range.low, range.high), (1, 9));
    // Three of three types: positional, a swap would not compile.
    let mixed = Mixed::new("n", 3_i64, true);
    assert_eq!(
        (mixed.name.as_str(), mixed.count, mixed.active),
        ("n", 3, true)
    );
    // A struct of required properties holds the models' types, not its own module's.
    let span = Span::new(required::Span {
        first: range.clone(),
        second: Range::new(required::Range { low: 10, high: 20 }),
    });
    assert_eq!((span.first.low, span.second.high), (1, 20));
    // Four: by name.
    let address = Address::new(required::Address {
        street: "Main".into(),
        number: 1,
        verified: false,
        geo: 0.5,
    });
    assert_eq!(
        serde_json::to_value(&address).expect("JSON"),
        serde_json::json!({"street": "Main", "number": 1, "verified": false, "geo": 0.5})
    );
}

#[tokio::test]
async fn a_request_builder_takes_the_required_struct_the_model_takes() {
    use tests::fixtures::required_arguments::client::{BearerToken, Client};
    use tests::fixtures::required_arguments::required;
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::body_json(
        serde_json::json!({"low": 1, "high": 2, "label": "x"}),
    ))
    .respond_with(wiremock::ResponseTemplate::new(204))
    .expect(1)
    .mount(&server)
    .await;
    let client = Client::builder(BearerToken::new("t"))
        .base_url(server.uri())
        .build()
        .expect("a client");
    client
        .ranges(required::Range { low: 1, high: 2 })
        .label("x")
        .send()
        .await
        .expect("204");
}
