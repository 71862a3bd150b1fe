//! Deterministic fixtures for the benchmarks: a realistic 650-presence getPresencesByUserId
//! response, synthetic Graph-flavoured OpenAPI documents of any size, and the minimal closed
//! structs that serve as the cheapest-possible baseline.

use std::fmt::Write as _;

/// A small deterministic generator (xorshift), so every run measures the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// A getPresencesByUserId response with `count` presences (650 is the API's maximum per call):
/// every property appears (status messages with expiry, out-of-office settings, work location,
/// sequence numbers), with some explicit nulls, unknown properties and `@odata` annotations,
/// and some availability/activity values the enums do not know.
pub fn presences_response(count: usize) -> String {
    const AVAILABILITY: &[&str] = &[
        "Available",
        "Busy",
        "Away",
        "BeRightBack",
        "DoNotDisturb",
        "Offline",
        "AvailableIdle",
        "BusyIdle",
        "PresenceUnknown",
        "Focusing",
        "inAMeeting",
        "SomethingNew",
    ];
    const ACTIVITY: &[&str] = &[
        "Available",
        "InACall",
        "InAConferenceCall",
        "InAMeeting",
        "Presenting",
        "Away",
        "OffWork",
        "OutOfOffice",
        "UrgentInterruptionsOnly",
        "Inactive",
        "busy",
        "Commuting",
    ];
    const LOCATION: &[&str] = &[
        "office",
        "remote",
        "timeOff",
        "unspecified",
        "unknownFutureValue",
        "hybridDesk",
    ];
    const SOURCE: &[&str] = &["manual", "scheduled", "automatic", "none"];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = String::from(
        r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#Collection(microsoft.graph.presence)","value":["#,
    );
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        let id = format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            rng.next() as u32,
            rng.below(0xffff),
            rng.below(0xfff),
            rng.below(0xfff),
            rng.next() & 0xffff_ffff_ffff
        );
        write!(out, r##"{{"@odata.type":"#microsoft.graph.presence","id":"{id}","availability":"{}","activity":"{}""##, rng.pick(AVAILABILITY), rng.pick(ACTIVITY)).expect("string");
        write!(out, r#","sequenceNumber":"C{:016X}""#, rng.next()).expect("string");
        match rng.below(3) {
            0 => out.push_str(r#","outOfOfficeSettings":{"message":null,"isOutOfOffice":false}"#),
            1 => out.push_str(r#","outOfOfficeSettings":{"message":"I am out of the office until Monday. For urgent matters contact the service desk.","isOutOfOffice":true}"#),
            _ => out.push_str(r#","outOfOfficeSettings":null"#),
        }
        if rng.below(2) == 0 {
            write!(out, r#","statusMessage":{{"message":{{"content":"Working on the quarterly report, ping me if urgent #{i}","contentType":"text"}},"expiryDateTime":{{"dateTime":"2026-11-2{}T17:05:33.2079781","timeZone":"Pacific Standard Time"}},"publishedDateTime":"2026-11-22T0{}:15:00.1234567Z"}}"#, rng.below(9), rng.below(9)).expect("string");
        } else {
            out.push_str(r#","statusMessage":null"#);
        }
        write!(
            out,
            r#","workLocation":{{"workLocationType":"{}","source":"{}","placeId":{}}}"#,
            rng.pick(LOCATION),
            rng.pick(SOURCE),
            if rng.below(2) == 0 {
                "null".to_owned()
            } else {
                format!("\"{:032x}\"", rng.next())
            }
        )
        .expect("string");
        if rng.below(4) == 0 {
            write!(
                out,
                r#","futureProperty":{{"level":{},"tags":["a","b"]}}"#,
                rng.below(100)
            )
            .expect("string");
        }
        out.push('}');
    }
    out.push_str("]}");
    out
}

/// The cheapest thing serde_json can do: closed structs, plain strings, no unknown-field
/// preservation, no open enums, `null` and absent merged into `None`.
pub mod minimal {
    use serde::{Deserialize, Serialize};

    #[derive(Deserialize, Serialize)]
    pub struct Response {
        pub value: Vec<Presence>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Presence {
        pub id: String,
        pub availability: Option<String>,
        pub activity: Option<String>,
        pub sequence_number: Option<String>,
        pub out_of_office_settings: Option<OutOfOfficeSettings>,
        pub status_message: Option<StatusMessage>,
        pub work_location: Option<WorkLocation>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct OutOfOfficeSettings {
        pub message: Option<String>,
        pub is_out_of_office: Option<bool>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct StatusMessage {
        pub message: Option<ItemBody>,
        pub expiry_date_time: Option<DateTimeTimeZone>,
        pub published_date_time: Option<String>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ItemBody {
        pub content: Option<String>,
        pub content_type: Option<String>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct DateTimeTimeZone {
        pub date_time: String,
        pub time_zone: Option<String>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct WorkLocation {
        pub work_location_type: String,
        pub source: String,
        pub place_id: Option<String>,
    }
}

/// A Graph-flavoured OpenAPI document with `objects` object schemas (entities inheriting from
/// `microsoft.graph.entity` through `allOf`, complex types, evolvable enums, nullable wrappers,
/// collection responses) and a GET, a list and an action per ten objects.
pub fn synthetic_document(objects: usize) -> String {
    let mut out =
        String::from("openapi: 3.0.1\ninfo:\n  title: synthetic\n  version: '1'\npaths:\n");
    for i in (0..objects).step_by(10) {
        write!(
            out,
            "  /things{i}/{{thing-id}}:\n    get:\n      operationId: things{i}_Get\n      parameters:\n        - {{name: thing-id, in: path, required: true, schema: {{type: string}}}}\n        - {{name: $select, in: query, style: form, explode: false, schema: {{type: array, items: {{type: string}}}}}}\n      responses:\n        2XX:\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/microsoft.graph.thing{i}'}}\n        default: {{$ref: '#/components/responses/error'}}\n  /things{i}:\n    get:\n      operationId: things{i}_List\n      responses:\n        2XX:\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  value: {{type: array, items: {{$ref: '#/components/schemas/microsoft.graph.thing{i}'}}}}\n                  '@odata.nextLink': {{type: string, nullable: true}}\n        default: {{$ref: '#/components/responses/error'}}\n  /things{i}/{{thing-id}}/doThing:\n    post:\n      operationId: things{i}_doThing\n      x-graph-idempotent: true\n      parameters:\n        - {{name: thing-id, in: path, required: true, schema: {{type: string}}}}\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              type: object\n              required: [level]\n              properties:\n                level: {{type: integer, format: int32}}\n                note: {{type: string, nullable: true}}\n      responses:\n        2XX: {{description: ok}}\n        default: {{$ref: '#/components/responses/error'}}\n"
        )
        .expect("string");
    }
    out.push_str("components:\n  responses:\n    error:\n      description: error\n      content:\n        application/json:\n          schema: {$ref: '#/components/schemas/microsoft.graph.ODataErrors.ODataError'}\n  schemas:\n");
    out.push_str("    microsoft.graph.ODataErrors.ODataError:\n      type: object\n      required: [error]\n      properties:\n        error: {type: object}\n");
    out.push_str("    microsoft.graph.entity:\n      type: object\n      required: [id]\n      properties:\n        id: {type: string}\n      additionalProperties: {type: object}\n");
    out.push_str("    microsoft.graph.kind:\n      type: string\n      enum: [first, second, third, unknownFutureValue]\n");
    for i in 0..objects {
        if i % 2 == 0 {
            write!(
                out,
                "    microsoft.graph.thing{i}:\n      allOf:\n        - $ref: '#/components/schemas/microsoft.graph.entity'\n        - title: thing{i}\n          type: object\n          properties:\n            displayName: {{type: string, nullable: true, description: The name of thing {i}.}}\n            createdDateTime: {{type: string, format: date-time, nullable: true}}\n            count: {{type: integer, format: int64}}\n            kind:\n              anyOf:\n                - $ref: '#/components/schemas/microsoft.graph.kind'\n                - {{type: object, nullable: true}}\n            detail:\n              anyOf:\n                - $ref: '#/components/schemas/microsoft.graph.thing{}'\n                - {{type: object, nullable: true}}\n            tags: {{type: array, items: {{type: string}}}}\n          additionalProperties: {{type: object}}\n",
                i + 1
            )
            .expect("string");
        } else {
            write!(out, "    microsoft.graph.thing{i}:\n      title: thing{i}\n      type: object\n      properties:\n        label: {{type: string, nullable: true}}\n        ratio: {{type: number, format: double}}\n        enabled: {{type: boolean, nullable: true}}\n        timeout: {{type: string, format: duration}}\n      additionalProperties: {{type: object}}\n").expect("string");
        }
    }
    out
}

/// Side-by-side timing in one process: the candidates run in turns (round-robin, so machine
/// noise hits all of them alike), and each one's median round is compared with the first.
pub fn compare(
    title: &str,
    rounds: usize,
    iterations: usize,
    candidates: &mut [(&str, &mut dyn FnMut())],
) -> Vec<std::time::Duration> {
    let mut samples: Vec<Vec<std::time::Duration>> =
        vec![Vec::with_capacity(rounds); candidates.len()];
    for _ in 0..rounds {
        for (i, (_, run)) in candidates.iter_mut().enumerate() {
            let start = std::time::Instant::now();
            for _ in 0..iterations {
                run();
            }
            samples[i].push(start.elapsed() / iterations as u32);
        }
    }
    let medians: Vec<std::time::Duration> = samples
        .iter_mut()
        .map(|s| {
            s.sort();
            s[s.len() / 2]
        })
        .collect();
    println!("\n{title} (median of {rounds} interleaved rounds of {iterations})");
    for ((name, _), median) in candidates.iter().zip(&medians) {
        println!(
            "  {name:<40} {median:>12.3?}  {:>6.2}x the first",
            median.as_secs_f64() / medians[0].as_secs_f64()
        );
    }
    medians
}

/// Prints a target's verdict.
pub fn verdict(target: &str, met: bool, detail: &str) {
    println!(
        "  target: {target}: {} ({detail})",
        if met { "met" } else { "NOT MET" }
    );
}

/// Whether the bench binary runs as a benchmark (`cargo bench`) rather than in cargo test's
/// quick mode, where each benchmark runs once and nothing is compared.
pub fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_presence_fixture_decodes_and_round_trips() {
        let text = presences_response(650);
        let decoded: graph_presence_models::PresenceCollectionResponse =
            graph_presence_models::from_str(&text).expect("decodes");
        assert_eq!(decoded.value.as_ref().map(Vec::len), Some(650));
        let original: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(serde_json::to_value(&decoded).expect("encodes"), original);
        assert!(
            decoded
                .value
                .iter()
                .flatten()
                .any(|p| p.availability.as_option().is_some_and(|a| !a.is_known()))
        );
        assert_eq!(presences_response(650), text, "deterministic");
    }

    #[test]
    fn synthetic_documents_are_valid() {
        for n in [10, 100] {
            let model = xtask::model_from_text(&synthetic_document(n), None)
                .unwrap_or_else(|p| panic!("{p:?}"));
            assert!(model.types.len() >= n);
        }
    }
}
