//! Reading what the presence operations are sent: durations, status messages and their
//! expiry in a time zone, work locations.

use super::*;

/// An `expirationDuration` as an exact duration, its calendar units (days, months) counted
/// from `now` in UTC.
pub(super) fn duration_of(
    text: &IsoDuration,
    now: Timestamp,
) -> Result<SignedDuration, PresenceError> {
    let bad = |e: &dyn std::fmt::Display| {
        PresenceError::BadRequest(format!("expirationDuration '{text}' is not usable: {e}"))
    };
    let span = text.span().map_err(|e| bad(&e))?;
    span.to_duration(&now.to_zoned(TimeZone::UTC))
        .map_err(|e| bad(&e))
}

pub(super) fn later(now: Timestamp, duration: SignedDuration) -> Result<Timestamp, PresenceError> {
    now.checked_add(duration).map_err(|_| {
        PresenceError::BadRequest(format!(
            "expirationDuration of {duration:#} ends beyond the last representable time"
        ))
    })
}

/// The status message a `setStatusMessage` sets, or `None` when it clears it.
pub(super) fn status_message(
    message: &PresenceStatusMessage,
    now: Timestamp,
) -> Result<Option<StatusMessage>, PresenceError> {
    let body = message.message.as_option();
    if let Some(content_type) = body.and_then(|b| b.content_type.as_option())
        && content_type.known_ignoring_case() != Some(BodyType::Text)
    {
        return Err(PresenceError::BadRequest(format!(
            "statusMessage.message.contentType '{content_type}' is not supported: only text is"
        )));
    }
    let content = body
        .and_then(|b| b.content.as_option())
        .map_or("", String::as_str);
    if content.is_empty() {
        return Ok(None);
    }
    let expiry = match message.expiry_date_time.as_option() {
        Some(expiry) => Some(Expiry {
            at: expiry_instant(&expiry.date_time, expiry.time_zone.as_option())?,
            date_time: expiry.date_time.as_str().into(),
            time_zone: expiry.time_zone.as_option().map(|z| z.as_str().into()),
        }),
        None => None,
    };
    Ok(Some(StatusMessage {
        content: content.into(),
        expiry,
        published: now,
    }))
}

/// The instant a `dateTimeTimeZone` names. The zone is a Windows name (Graph's own, as in
/// "Pacific Standard Time"), read through CLDR's world-wide mapping, or an IANA name; absent,
/// it is UTC.
pub(super) fn expiry_instant(
    date_time: &str,
    time_zone: Option<&String>,
) -> Result<Timestamp, PresenceError> {
    let zone = match time_zone {
        Some(name) => named_zone(name)?,
        None => TimeZone::UTC,
    };
    let bad = |why: &str| {
        PresenceError::BadRequest(format!(
            "statusMessage.expiryDateTime.dateTime '{date_time}' {why}"
        ))
    };
    let Some((_, time)) = date_time.split_once(['T', 't']) else {
        return Err(bad("is not a local date and time ({date}T{time})"));
    };
    if time.contains(['Z', 'z', '+', '-', '[']) {
        return Err(bad("must not carry an offset: the offset is timeZone's"));
    }
    let civil: jiff::civil::DateTime = date_time
        .parse()
        .map_err(|e| bad(&format!("is not a local date and time: {e}")))?;
    civil
        .to_zoned(zone)
        .map(|zoned| zoned.timestamp())
        .map_err(|e| bad(&format!("is out of range: {e}")))
}

/// A time zone by its Windows name, spelled as CLDR spells it, or its IANA name (in any
/// letter case).
pub(super) fn named_zone(name: &str) -> Result<TimeZone, PresenceError> {
    let iana = localzone::win_zone_to_iana(name, Some("001"));
    jiff::tz::db().get(iana.unwrap_or(name)).map_err(|_| {
        PresenceError::BadRequest(format!(
            "statusMessage.expiryDateTime.timeZone '{name}' is neither a Windows nor an IANA time zone name"
        ))
    })
}

/// A location layer from `setAutomaticLocation`/`setManualLocation`. The newest v1.0 docs
/// accept `office`, `remote` and `timeOff`, the 12/2025 revision also `unspecified`; any
/// other value (`unknownFutureValue` included) is refused. Case is ignored.
pub(super) fn location(
    operation: &str,
    kind: &WorkLocationType,
    place_id: Option<&str>,
) -> Result<Location, PresenceError> {
    match kind.known_ignoring_case() {
        Some(
            kind @ (WorkLocationType::Office
            | WorkLocationType::Remote
            | WorkLocationType::TimeOff
            | WorkLocationType::Unspecified),
        ) => Ok(Location {
            kind,
            place_id: place_id.map(Box::from),
        }),
        _ => Err(PresenceError::BadRequest(format!(
            "workLocationType '{kind}' is not one {operation} accepts (office, remote, timeOff or unspecified)"
        ))),
    }
}
