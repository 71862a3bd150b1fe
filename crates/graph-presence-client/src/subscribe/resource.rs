//! Which ids a presence subscription can carry, and the `resource` that names them: an OData
//! `$filter=id in (…)` whose string literals are quoted as OData says (a `'` is doubled).

use std::collections::HashSet;

/// An id refused before anything is sent, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedId {
    /// The id as given.
    pub id: String,
    /// Why no filter can carry it.
    pub reason: &'static str,
}

/// Why an id cannot be in a presence filter, if it cannot. Graph reads `resource` as a URL
/// path and query written out literally, so an id holding what ends or splits a query (`#`,
/// `&`), starts or stands for an escape (`%`, `+`), a space, a control or a non-ASCII
/// character would reach Graph as some other filter; no object id (a GUID) holds one. A `'`
/// is doubled, as OData string literals need, and is accepted.
pub(crate) fn refusal(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        return Some("an empty id");
    }
    for c in id.chars() {
        let reason = match c {
            '#' | '&' | '%' | '+' => "holds a character with a meaning in a URL query (#, &, %, +)",
            ' ' => "holds a space",
            c if c.is_ascii_control() => "holds a control character",
            c if !c.is_ascii() => "holds a character that is not ASCII",
            _ => continue,
        };
        return Some(reason);
    }
    None
}

/// Splits ids into those a filter can carry (de-duplicated in any ASCII letter case, in first-
/// seen order, without those `known` already holds) and those it cannot.
pub(crate) fn sort_ids<I: AsRef<str>>(
    ids: impl IntoIterator<Item = I>,
    known: &mut HashSet<String>,
) -> (Vec<String>, Vec<RejectedId>) {
    let (mut valid, mut rejected) = (Vec::new(), Vec::new());
    for id in ids {
        let id = id.as_ref();
        if !known.insert(id.to_ascii_lowercase()) {
            continue;
        }
        match refusal(id) {
            None => valid.push(id.to_owned()),
            Some(reason) => rejected.push(RejectedId {
                id: id.to_owned(),
                reason,
            }),
        }
    }
    (valid, rejected)
}

/// The subscription resource for these ids:
/// `/communications/presences?$filter=id in ('a','b')`.
pub(crate) fn presences_filter(ids: &[String]) -> String {
    let mut resource = String::from("/communications/presences?$filter=id in (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            resource.push(',');
        }
        resource.push('\'');
        resource.push_str(&id.replace('\'', "''"));
        resource.push('\'');
    }
    resource.push(')');
    resource
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_quoted_as_odata_string_literals() {
        let ids = ["a".to_owned(), "o'brien".to_owned(), "''".to_owned()];
        assert_eq!(
            presences_filter(&ids),
            "/communications/presences?$filter=id in ('a','o''brien','''''')"
        );
    }

    #[test]
    fn ids_no_filter_can_carry_are_refused() {
        for id in [
            "",
            "a#b",
            "a&b",
            "a%20",
            "a+b",
            "a b",
            "a\nb",
            "é",
            "a\u{202e}",
        ] {
            assert!(refusal(id).is_some(), "{id:?}");
        }
        for id in ["fa8bf3dc-eca7-46b7-bad1-db199b62afc3", "o'brien", "a(b)c,d"] {
            assert_eq!(refusal(id), None, "{id:?}");
        }
    }

    #[test]
    fn duplicates_in_any_case_and_known_ids_are_dropped() {
        let mut known = HashSet::from(["c".to_owned()]);
        let (valid, rejected) = sort_ids(["a", "A", "b", "C", "x y", "X Y"], &mut known);
        assert_eq!(valid, ["a", "b"]);
        assert_eq!(rejected.len(), 1, "a refused id is reported once");
        assert_eq!(rejected[0].id, "x y");
    }
}
