//! The behaviour every generated open enum shares, written once: a value the schema does not
//! list is kept, as sent, in the enum's catch-all variant.

use schemars::{Schema, SchemaGenerator};

/// What a generated enum says about itself.
pub struct EnumInfo {
    /// Where it comes from in the OpenAPI document.
    pub origin: &'static str,
    pub description: Option<&'static str>,
    /// Every listed value, as written on the wire, in schema order.
    pub values: &'static [&'static str],
}

/// A generated open enum. Its inherent methods, conversions, serde and schemars impls come
/// from [`crate::open_enum!`].
pub trait OpenEnum: Sized {
    const INFO: &'static EnumInfo;
    /// The value as written on the wire.
    fn wire(&self) -> &str;
    /// The listed value with exactly this spelling.
    fn listed(value: &str) -> Option<Self>;
}

/// The JSON Schema of an open enum: any string, with the listed ones named.
pub fn json_schema<E: OpenEnum>(_: &mut SchemaGenerator) -> Schema {
    let info = E::INFO;
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

/// The listed value `value` matches ignoring ASCII case.
pub fn known_ignoring_case<E: OpenEnum>(value: &str) -> Option<E> {
    E::INFO
        .values
        .iter()
        .find(|known| known.eq_ignore_ascii_case(value))
        .and_then(|known| E::listed(known))
}

/// The API and impls of a generated open enum `$type` whose catch-all variant is `$other`.
#[macro_export]
macro_rules! open_enum {
    ($type:ident, $other:ident) => {
        impl $type {
            /// Every value the schema lists, as written on the wire.
            pub const KNOWN_VALUES: &'static [&'static str] =
                <Self as $crate::OpenEnum>::INFO.values;

            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                $crate::OpenEnum::wire(self)
            }

            /// The listed value with exactly this spelling, if any.
            pub fn known(value: &str) -> ::std::option::Option<Self> {
                <Self as $crate::OpenEnum>::listed(value)
            }

            /// True unless this is a value the schema does not list.
            pub fn is_known(&self) -> bool {
                !::std::matches!(self, Self::$other(_))
            }

            /// The listed value this one matches ignoring ASCII case (newer Graph docs spell
            /// values in camelCase). Decoding never does this on its own, so that every value
            /// is written back exactly as it was received.
            pub fn known_ignoring_case(&self) -> ::std::option::Option<Self> {
                $crate::open_enum::known_ignoring_case(self.as_str())
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

        impl $crate::serde::Serialize for $type {
            fn serialize<S: $crate::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $type {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let text =
                    <$crate::decode::Text<'de> as $crate::serde::Deserialize<'de>>::deserialize(
                        deserializer,
                    )?;
                ::std::result::Result::Ok(match text.0 {
                    ::std::borrow::Cow::Borrowed(value) => Self::from(value),
                    ::std::borrow::Cow::Owned(value) => Self::from(value),
                })
            }
        }

        impl $crate::union::Alternative for $type {
            fn attempt(
                json: &$crate::RawJson,
            ) -> ::std::option::Option<$crate::union::Attempt<Self>> {
                $crate::union::attempt_enum(json)
            }
        }

        $crate::json_schema_impl!($type, open_enum);
    };
}
