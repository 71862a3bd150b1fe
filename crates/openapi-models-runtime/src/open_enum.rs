//! The behaviour every generated open enum shares, written once: a value the schema does not
//! list is kept, as sent, in the enum's catch-all variant. Enums of strings ([`OpenEnum`]),
//! enums of integers ([`OpenIntEnum`]), and [`Flags`], a comma-separated set of a string
//! enum's members (`x-ms-enum-flags`).

use schemars::{JsonSchema, Schema, SchemaGenerator};
use std::borrow::Cow;
use std::marker::PhantomData;

/// What a generated enum says about itself.
pub struct EnumInfo {
    /// Where it comes from in the OpenAPI document.
    pub origin: &'static str,
    /// The schema's description, for the JSON Schema.
    pub description: Option<&'static str>,
    /// Every listed value, as written on the wire, in schema order.
    pub values: &'static [&'static str],
}

/// A generated open enum. Its inherent methods, conversions, serde and schemars impls come
/// from `open_enum!`.
pub trait OpenEnum: Sized {
    /// The enum's facts: its name, description and known wire values.
    const INFO: &'static EnumInfo;
    /// The value as written on the wire.
    fn wire(&self) -> &str;
    /// The listed value with exactly this spelling.
    fn listed(value: &str) -> Option<Self>;
}

/// The JSON Schema of an open enum: any string, with the listed ones named.
pub fn json_schema<E: OpenEnum>(_: &mut SchemaGenerator) -> Schema {
    enum_schema(E::INFO)
}

/// [`json_schema`]'s body, not generic: compiled once here, not once per enum.
fn enum_schema(info: &EnumInfo) -> Schema {
    let mut schema = schemars::json_schema!({
        "anyOf": [
            { "type": "string", "enum": info.values },
            { "type": "string", "description": "A value this version does not list, kept as sent." }
        ]
    });
    if let Some(description) = info.description {
        schema.insert("description".to_owned(), description.into());
    }
    schema
}

/// What a generated enum of integers says about itself.
pub struct IntEnumInfo {
    /// Where it comes from in the OpenAPI document.
    pub origin: &'static str,
    /// The schema's description, for the JSON Schema.
    pub description: Option<&'static str>,
    /// Every listed value, in schema order.
    pub values: &'static [i64],
}

/// A generated open enum of integers (any `i64` is a value; the listed ones are variants). Its
/// inherent methods, conversions, serde and schemars impls come from
/// [`crate::open_int_enum!`].
pub trait OpenIntEnum: Sized {
    /// The enum's facts: its name, description and known values.
    const INFO: &'static IntEnumInfo;
    /// The value as written on the wire.
    fn value(&self) -> i64;
    /// The listed variant for this value.
    fn listed(value: i64) -> Option<Self>;
}

/// The JSON Schema of an open enum of integers: any 64-bit integer, with the listed ones
/// named.
pub fn int_json_schema<E: OpenIntEnum>(_: &mut SchemaGenerator) -> Schema {
    int_enum_schema(E::INFO)
}

/// [`int_json_schema`]'s body, not generic.
fn int_enum_schema(info: &IntEnumInfo) -> Schema {
    let mut schema = schemars::json_schema!({
        "anyOf": [
            { "type": "integer", "enum": info.values },
            {
                "type": "integer",
                "minimum": i64::MIN,
                "maximum": i64::MAX,
                "description": "A value this version does not list, kept as sent."
            }
        ]
    });
    if let Some(description) = info.description {
        schema.insert("description".to_owned(), description.into());
    }
    schema
}

/// A set of an open enum's members, written on the wire as one string that separates them
/// with commas (`"email,site"`: AutoRest's `x-ms-enum-flags`). It keeps the text it was
/// decoded from, so it is written back exactly as received (order and spacing included), and
/// a member the enum does not list is kept like any other. Two sets are equal when their
/// texts are.
pub struct Flags<E> {
    text: String,
    member: PhantomData<fn() -> E>,
}

impl<E> Flags<E> {
    /// No members (the empty string).
    pub fn new() -> Self {
        Self::from_text(String::new())
    }

    /// The set a wire text stands for, kept as it is.
    pub fn from_text(text: impl Into<String>) -> Self {
        Flags {
            text: text.into(),
            member: PhantomData,
        }
    }

    /// The text as written on the wire.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The members' texts, in wire order, without the spaces around them.
    fn texts(&self) -> impl Iterator<Item = &str> {
        self.text
            .split(',')
            .map(str::trim)
            .filter(|member| !member.is_empty())
    }
}

impl<E: OpenEnum + for<'a> From<&'a str>> Flags<E> {
    /// The members, in wire order.
    pub fn iter(&self) -> impl Iterator<Item = E> + '_ {
        self.texts().map(E::from)
    }

    /// Whether `member` is in the set (spelled exactly as it is listed).
    pub fn contains(&self, member: &E) -> bool {
        self.texts().any(|text| text == member.wire())
    }

    /// Adds `member` at the end, unless it is in the set already.
    pub fn insert(&mut self, member: E) {
        if !self.contains(&member) {
            if !self.text.trim().is_empty() {
                self.text.push(',');
            }
            self.text.push_str(member.wire());
        }
    }
}

impl<E> Default for Flags<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Clone for Flags<E> {
    fn clone(&self) -> Self {
        Self::from_text(self.text.clone())
    }
}

impl<E> std::fmt::Debug for Flags<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Flags").field(&self.text).finish()
    }
}

impl<E> std::fmt::Display for Flags<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl<E> PartialEq for Flags<E> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl<E> Eq for Flags<E> {}

impl<E> std::hash::Hash for Flags<E> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl<E: OpenEnum + for<'a> From<&'a str>> FromIterator<E> for Flags<E> {
    fn from_iter<I: IntoIterator<Item = E>>(members: I) -> Self {
        let mut flags = Self::new();
        members.into_iter().for_each(|member| flags.insert(member));
        flags
    }
}

impl<E: OpenEnum + for<'a> From<&'a str>> From<E> for Flags<E> {
    fn from(member: E) -> Self {
        std::iter::once(member).collect()
    }
}

impl<E: OpenEnum + for<'a> From<&'a str>> From<Vec<E>> for Flags<E> {
    fn from(members: Vec<E>) -> Self {
        members.into_iter().collect()
    }
}

impl<E> std::str::FromStr for Flags<E> {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self::from_text(text))
    }
}

impl<E> serde::Serialize for Flags<E> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de, E> serde::Deserialize<'de> for Flags<E> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = crate::decode::Text::deserialize(deserializer)?;
        Ok(Self::from_text(text.0.into_owned()))
    }
}

impl<E: OpenEnum> JsonSchema for Flags<E> {
    fn schema_name() -> Cow<'static, str> {
        Cow::Owned(format!("Flags_{}", E::INFO.origin))
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let listed = E::INFO.values.join(", ");
        schemars::json_schema!({
            "type": "string",
            "description": format!(
                "A comma-separated set of {listed}; a member not listed here is kept as sent."
            ),
        })
    }

    fn inline_schema() -> bool {
        true
    }
}

/// The listed value `value` matches ignoring ASCII case.
pub fn known_ignoring_case<E: OpenEnum>(value: &str) -> Option<E> {
    E::listed(listed_ignoring_case(E::INFO.values, value)?)
}

/// The value of `values` that is `value` ignoring ASCII case; not generic, so compiled once.
fn listed_ignoring_case(values: &'static [&'static str], value: &str) -> Option<&'static str> {
    values
        .iter()
        .find(|known| known.eq_ignore_ascii_case(value))
        .copied()
}

/// The API and impls of a generated open enum `$type` whose catch-all variant is `$other`.
#[doc(hidden)]
#[macro_export]
macro_rules! open_enum {
    ($type:ident, $other:ident) => {
        impl $type {
            /// Every value the schema lists, as written on the wire.
            pub const KNOWN_VALUES: &'static [&'static str] =
                <Self as $crate::__private::OpenEnum>::INFO.values;

            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                $crate::__private::OpenEnum::wire(self)
            }

            /// The listed value with exactly this spelling, if any.
            pub fn known(value: &str) -> ::std::option::Option<Self> {
                <Self as $crate::__private::OpenEnum>::listed(value)
            }

            /// True unless this is a value the schema does not list.
            pub fn is_known(&self) -> bool {
                !::std::matches!(self, Self::$other(_))
            }

            /// The listed value this one matches ignoring ASCII case (newer Graph docs spell
            /// values in camelCase). Decoding never does this on its own, so that every value
            /// is written back exactly as it was received.
            pub fn known_ignoring_case(&self) -> ::std::option::Option<Self> {
                $crate::__private::open_enum::known_ignoring_case(self.as_str())
            }
        }

        impl ::std::convert::From<&str> for $type {
            fn from(value: &str) -> Self {
                Self::known(value)
                    .unwrap_or_else(|| Self::$other(::std::borrow::ToOwned::to_owned(value)))
            }
        }

        impl ::std::convert::From<::std::string::String> for $type {
            fn from(value: ::std::string::String) -> Self {
                Self::known(&value).unwrap_or(Self::$other(value))
            }
        }

        impl ::std::str::FromStr for $type {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $type {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $type {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let text =
                    <$crate::__private::decode::Text<'de> as $crate::__private::serde::Deserialize<'de>>::deserialize(
                        deserializer,
                    )?;
                ::std::result::Result::Ok(match text.0 {
                    ::std::borrow::Cow::Borrowed(value) => Self::from(value),
                    ::std::borrow::Cow::Owned(value) => Self::from(value),
                })
            }
        }


        $crate::json_schema_impl!($type, open_enum);
    };
}

/// The API and impls of a generated open enum of integers `$type` whose catch-all variant is
/// `$other`.
#[doc(hidden)]
#[macro_export]
macro_rules! open_int_enum {
    ($type:ident, $other:ident) => {
        impl $type {
            /// Every value the schema lists.
            pub const KNOWN_VALUES: &'static [i64] =
                <Self as $crate::__private::OpenIntEnum>::INFO.values;

            /// The value as written on the wire.
            pub fn value(&self) -> i64 {
                $crate::__private::OpenIntEnum::value(self)
            }

            /// The listed variant for this value, if any.
            pub fn known(value: i64) -> ::std::option::Option<Self> {
                <Self as $crate::__private::OpenIntEnum>::listed(value)
            }

            /// True unless this is a value the schema does not list.
            pub fn is_known(&self) -> bool {
                !::std::matches!(self, Self::$other(_))
            }
        }

        impl ::std::convert::From<i64> for $type {
            fn from(value: i64) -> Self {
                Self::known(value).unwrap_or(Self::$other(value))
            }
        }

        impl ::std::fmt::Display for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.value(), f)
            }
        }

        impl $crate::__private::serde::Serialize for $type {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $type {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value =
                    <i64 as $crate::__private::serde::Deserialize<'de>>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        $crate::json_schema_impl!($type, open_enum, int_json_schema);
    };
}

#[cfg(test)]
mod tests {
    use super::{Flags, OpenEnum};

    /// What the generator writes for `enum: [email, site]`, by hand.
    #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    enum Target {
        Email,
        Site,
        Other(String),
    }

    impl OpenEnum for Target {
        const INFO: &'static super::EnumInfo = &super::EnumInfo {
            origin: "target",
            description: None,
            values: &["email", "site"],
        };
        fn wire(&self) -> &str {
            match self {
                Self::Email => "email",
                Self::Site => "site",
                Self::Other(value) => value,
            }
        }
        fn listed(value: &str) -> Option<Self> {
            match value {
                "email" => Some(Self::Email),
                "site" => Some(Self::Site),
                _ => None,
            }
        }
    }
    crate::open_enum!(Target, Other);

    #[test]
    fn flags_keep_their_text_and_read_members_without_spaces() {
        let text = r#"" site, email ,,new""#;
        let flags: Flags<Target> = serde_json::from_str(text).expect("decodes");
        assert_eq!(serde_json::to_string(&flags).expect("encodes"), text);
        let members: Vec<Target> = flags.iter().collect();
        assert_eq!(
            members,
            [Target::Site, Target::Email, Target::Other("new".to_owned())]
        );
        assert!(flags.contains(&Target::Email));
        assert!(!members[2].is_known());
        assert_eq!(Target::KNOWN_VALUES, ["email", "site"]);
        assert_eq!(
            Target::from("SITE").known_ignoring_case(),
            Some(Target::Site)
        );
        assert!(serde_json::from_str::<Flags<Target>>("1").is_err());
    }

    #[test]
    fn flags_built_from_members_are_comma_separated_and_distinct() {
        let mut flags: Flags<Target> = [Target::Site, Target::Email, Target::Site]
            .into_iter()
            .collect();
        assert_eq!(flags.as_str(), "site,email");
        flags.insert(Target::from("later"));
        assert_eq!(flags.to_string(), "site,email,later");
        assert_eq!(Flags::from(Target::Email).as_str(), "email");
        assert_eq!(Flags::<Target>::new().iter().count(), 0);
        let schema = serde_json::to_value(schemars::schema_for!(Flags<Target>)).expect("json");
        assert_eq!(schema["type"], "string");
    }
}
