//! The schema's prose agrees with its facts: an operation whose `x-graph-permissions` allows
//! no application permission does not name one in its description (the /me paths once said
//! "application Presence.ReadWrite.All" beside "application: not supported").

use serde_norway::Value;

#[test]
fn descriptions_do_not_offer_permissions_the_operation_refuses() {
    let text = std::fs::read_to_string(tests::root().join("schema/presence.yaml")).expect("schema");
    let schema: Value = serde_norway::from_str(&text).expect("parses");
    let mut checked = 0;
    let paths = schema["paths"].as_mapping().expect("paths");
    for (path, item) in paths {
        for (method, operation) in item.as_mapping().into_iter().flatten() {
            let Some(permissions) = operation.get("x-graph-permissions") else {
                continue;
            };
            let application = permissions["application"].as_sequence().map_or(0, Vec::len);
            let description = operation["description"].as_str().unwrap_or_default();
            checked += 1;
            if application == 0 {
                for granted in [
                    "application Presence.Read.All",
                    "application Presence.ReadWrite.All",
                ] {
                    let offered = description.match_indices(granted).any(|(at, _)| {
                        // Allowed only when the text says it is for another path.
                        !description[..at]
                            .ends_with("on /users/{user-id} the newest docs also give ")
                    });
                    assert!(
                        !offered,
                        "{} {}: allows no application permission but its description offers `{granted}`",
                        method.as_str().unwrap_or_default(),
                        path.as_str().unwrap_or_default()
                    );
                }
            }
        }
    }
    assert!(checked >= 33, "every operation has permissions ({checked})");
}
