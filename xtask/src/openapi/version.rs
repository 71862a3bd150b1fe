//! The `openapi` version a document declares, and what each minor version changes for the
//! reader. Every patch release of 3.0, 3.1 and 3.2 is read: patch releases only clarify the
//! specification, so refusing one the reader has not seen yet would refuse a valid document.

use std::fmt;

/// An OpenAPI minor version, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    V3_0,
    /// Schemas are JSON Schema 2020-12; `paths` and `responses` became optional.
    V3_1,
    /// Adds `query` operations, `additionalOperations`, streamed media types (`itemSchema`),
    /// the `querystring` parameter location and tags' `parent` (read as 3.1, with warnings
    /// for what the generator does not implement).
    V3_2,
}

impl Version {
    /// `3.MINOR.PATCH` with a minor version the reader implements and any patch number.
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.split('.');
        let (major, minor, patch) = (parts.next()?, parts.next()?, parts.next()?);
        let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if parts.next().is_some() || major != "3" || !number(patch) {
            return None;
        }
        match minor {
            "0" => Some(Version::V3_0),
            "1" => Some(Version::V3_1),
            "2" => Some(Version::V3_2),
            _ => None,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Version::V3_0 => "3.0",
            Version::V3_1 => "3.1",
            Version::V3_2 => "3.2",
        })
    }
}

/// What a problem with the `openapi` field says is expected.
pub const SUPPORTED: &str = "3.0.x, 3.1.x or 3.2.x";

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn every_patch_of_3_0_to_3_2_is_read_and_nothing_else() {
        for (text, version) in [
            ("3.0.0", Version::V3_0),
            ("3.0.4", Version::V3_0),
            ("3.1.2", Version::V3_1),
            ("3.1.10", Version::V3_1),
            ("3.2.0", Version::V3_2),
        ] {
            assert_eq!(Version::parse(text), Some(version), "{text}");
        }
        for text in [
            "2.0", "3.0", "3.3.0", "4.0.0", "3.1.x", "3.1.0.1", "3.1.", " 3.1.0",
        ] {
            assert_eq!(Version::parse(text), None, "{text}");
        }
    }
}
