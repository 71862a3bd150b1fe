//! Values written as code, one type shape at a time, over a small document's model.

use super::*;

const DOCUMENT: &str = r#"
openapi: 3.0.3
info: {title: example code, version: '1'}
paths: {}
components:
  schemas:
    message:
      type: object
      required: [text]
      properties:
        text: {type: string}
        kind: {$ref: '#/components/schemas/kind'}
        level: {$ref: '#/components/schemas/level'}
        at: {type: string, format: date-time}
        every: {type: string, format: duration}
        count: {type: integer, format: int64}
        small: {type: integer, format: int32}
        tiny: {type: integer, format: int8}
        ratio: {type: number}
        flag: {type: boolean}
        tags: {type: array, items: {type: string}}
        maybe: {type: array, items: {type: string, nullable: true}}
        labels: {type: object, additionalProperties: {type: integer, format: int32}}
        note: {type: string, nullable: true}
        raw: {}
        reply: {$ref: '#/components/schemas/message'}
        shape: {$ref: '#/components/schemas/shape'}
        pet: {$ref: '#/components/schemas/pet'}
        channels:
          type: string
          enum: [mail, chat]
          x-ms-enum-flags: {isFlags: true}
    pair:
      type: object
      required: [left, right, items]
      properties:
        left: {type: string}
        right: {type: string, nullable: true}
        items: {type: array, items: {type: integer, format: int64}}
    kind: {type: string, enum: [plain, rich]}
    level: {type: integer, enum: [1, 2]}
    shape:
      oneOf:
        - $ref: '#/components/schemas/circle'
        - $ref: '#/components/schemas/square'
    circle:
      type: object
      required: [radius]
      properties: {radius: {type: number}}
      additionalProperties: false
    square:
      type: object
      required: [side]
      properties: {side: {type: number}}
    pet:
      oneOf:
        - $ref: '#/components/schemas/cat'
        - $ref: '#/components/schemas/dog'
      discriminator:
        propertyName: petType
        mapping: {cat: '#/components/schemas/cat', dog: '#/components/schemas/dog'}
    cat:
      type: object
      required: [petType]
      properties: {petType: {type: string}, lives: {type: integer, format: int32}}
    dog:
      type: object
      required: [petType]
      properties: {petType: {type: string}, bark: {type: boolean}}
"#;

fn model() -> Model {
    crate::model_from_text(DOCUMENT, None).expect("valid")
}

fn json(text: &str) -> Json {
    Json::parse(text).expect("JSON")
}

fn named(name: &str) -> Ty {
    Ty::Named(name.to_owned())
}

/// The code for `value` of exactly `ty`, and what it uses.
fn exact(model: &Model, value: &str, ty: &Ty) -> Result<(String, Vec<String>, bool), Misfit> {
    let mut writer = Writer::new(model);
    let code = writer.exact(&json(value), ty)?;
    Ok((code, writer.uses.into_iter().collect(), writer.fallible))
}

fn code(model: &Model, value: &str, ty: &Ty) -> String {
    exact(model, value, ty)
        .unwrap_or_else(|m| panic!("{value}: {m:?}"))
        .0
}

#[test]
fn scalars_are_literals_of_their_type() {
    let model = model();
    assert_eq!(code(&model, r#""hi""#, &Ty::String), r#""hi".to_owned()"#);
    assert_eq!(code(&model, "true", &Ty::Bool), "true");
    assert_eq!(code(&model, "7", &Ty::I64), "7");
    assert_eq!(code(&model, "-7", &Ty::I8), "-7");
    assert_eq!(
        code(&model, "18446744073709551615", &Ty::U64),
        "18446744073709551615"
    );
    assert_eq!(code(&model, "2", &Ty::F64), "2.0");
    assert_eq!(code(&model, "0.25", &Ty::F64), "0.25");
    assert_eq!(code(&model, "1e300", &Ty::F64), "1e300");
    // Where a parameter is `impl Into<T>`, a string is its literal and an integer says its
    // width (an unsuffixed literal would be an `i32`).
    let mut writer = Writer::new(&model);
    assert_eq!(
        writer.argument(&json(r#""hi""#), &Ty::String),
        Ok(r#""hi""#.to_owned())
    );
    assert_eq!(
        writer.argument(&json("7"), &Ty::I64),
        Ok("7_i64".to_owned())
    );
    assert_eq!(writer.argument(&json("7"), &Ty::I32), Ok("7".to_owned()));
    assert_eq!(writer.argument(&json("7"), &Ty::U8), Ok("7_u8".to_owned()));
    assert!(writer.uses.is_empty() && !writer.fallible);
}

#[test]
fn times_and_any_json_are_parsed_from_their_text() {
    let model = model();
    assert_eq!(
        exact(&model, r#""2025-01-01T00:00:00Z""#, &Ty::Timestamp),
        Ok((
            r#"Timestamp::parse("2025-01-01T00:00:00Z")?"#.to_owned(),
            vec!["Timestamp".to_owned()],
            true
        ))
    );
    assert_eq!(
        code(&model, r#""PT1H""#, &Ty::Duration),
        format!(r#"{}::parse("PT1H")?"#, ty_text(&Ty::Duration))
    );
    assert_eq!(
        exact(&model, r#"{"a": [1, null]}"#, &Ty::Any),
        Ok((
            r##"RawJson::from_json(r#"{"a":[1,null]}"#)?"##.to_owned(),
            vec!["RawJson".to_owned()],
            true
        ))
    );
}

#[test]
fn a_struct_is_its_constructor_and_the_setters_of_what_the_value_has() {
    let model = model();
    let (code, uses, fallible) = exact(
        &model,
        r#"{"text": "hi", "kind": "rich", "level": 2, "count": 3, "small": 4, "ratio": 0.5,
            "flag": false, "tags": ["a", "b"], "note": "n", "reply": {"text": "re"},
            "channels": "mail, chat"}"#,
        &named("Message"),
    )
    .expect("fits");
    let setter = |wire: &str| setter_of(&model, "Message", wire);
    // Setters in field order, each taking `impl Into<T>` (a boxed field its value).
    assert_eq!(
        code,
        format!(
            r#"Message::new("hi").{}(Kind::Rich).{}(Level::V2).{}(3_i64).{}(4).{}(0.5).{}(false).{}(vec!["a".to_owned(), "b".to_owned()]).{}("n").{}(Message::new("re")).{}(Flags::from_text("mail, chat"))"#,
            setter("kind"),
            setter("level"),
            setter("count"),
            setter("small"),
            setter("ratio"),
            setter("flag"),
            setter("tags"),
            setter("note"),
            setter("reply"),
            setter("channels"),
        )
    );
    // `Flags::from_text` infers its enum: the `use` line names only what the code names.
    assert_eq!(uses, ["Flags", "Kind", "Level", "Message"]);
    assert!(!fallible);
}

#[test]
fn required_arguments_are_passed_as_the_constructor_or_the_builder_takes_them() {
    let model = model();
    let Some(TypeDef::Struct(pair)) = model.types.get("Pair") else {
        panic!("Pair")
    };
    let value = json(r#"{"left": "l", "right": null, "items": [1, 2]}"#);
    let mut writer = Writer::new(&model);
    // A required nullable property is an `Option`; an array `impl Into<Vec<T>>` to `new` and
    // `impl IntoIterator<Item = impl Into<T>>` to a builder.
    let constructor = writer.struct_parts(pair, &value, Args::Constructor);
    assert_eq!(
        constructor.map(|p| p.args),
        Ok(vec![
            "\"l\"".to_owned(),
            "None".to_owned(),
            "vec![1, 2]".to_owned()
        ])
    );
    let builder = writer.struct_parts(pair, &value, Args::Builder);
    assert_eq!(
        builder.map(|p| p.args),
        Ok(vec![
            "\"l\"".to_owned(),
            "None".to_owned(),
            "[1_i64, 2_i64]".to_owned()
        ])
    );
    let value = json(r#"{"left": "l", "right": "r", "items": []}"#);
    assert_eq!(
        writer
            .struct_parts(pair, &value, Args::Builder)
            .map(|p| p.args),
        Ok(vec![
            "\"l\"".to_owned(),
            "Some(\"r\".to_owned())".to_owned(),
            "Vec::<i64>::new()".to_owned()
        ])
    );
}

#[test]
fn open_enums_are_a_listed_variant_or_the_catch_all() {
    let model = model();
    assert_eq!(code(&model, r#""plain""#, &named("Kind")), "Kind::Plain");
    assert_eq!(
        code(&model, r#""future""#, &named("Kind")),
        r#"Kind::Other("future".to_owned())"#
    );
    assert_eq!(code(&model, "1", &named("Level")), "Level::V1");
    assert_eq!(code(&model, "9", &named("Level")), "Level::Other(9)");
}

#[test]
fn arrays_maps_and_nullable_items() {
    let model = model();
    let maybe = Ty::Array(Box::new(Ty::Option(Box::new(Ty::String))));
    assert_eq!(
        code(&model, r#"["a", null]"#, &maybe),
        r#"vec![Some("a".to_owned()), None]"#
    );
    assert_eq!(code(&model, "[]", &maybe), "vec![]");
    let map = Ty::Map(Box::new(Ty::I32));
    assert_eq!(
        code(&model, r#"{"x y": 1, "z": 2}"#, &map),
        r#"PropertyMap::from_iter([("x y", 1), ("z", 2)])"#
    );
    assert_eq!(code(&model, "{}", &map), "PropertyMap::new()");
}

#[test]
fn unions_are_the_variant_the_runtime_decodes() {
    let model = model();
    // Untagged: the first exact fit (the closed circle refuses `side`), else the first that
    // decodes, else the catch-all with the value as sent.
    assert_eq!(
        code(&model, r#"{"radius": 1}"#, &named("Shape")),
        "Shape::Circle(Circle::new(1.0))"
    );
    assert_eq!(
        code(&model, r#"{"side": 2}"#, &named("Shape")),
        "Shape::Square(Square::new(2.0))"
    );
    let mut writer = Writer::new(&model);
    let value = json(r#"{"side": 2, "colour": "red"}"#);
    assert_eq!(
        writer.exact(&value, &named("Shape")),
        Ok("Shape::Square(square)".to_owned())
    );
    assert_eq!(
        writer.lets,
        [r##"let square: Square = from_str(r#"{"side":2,"colour":"red"}"#)?;"##]
    );
    assert_eq!(
        code(&model, r#"{"edges": 5}"#, &named("Shape")),
        r##"Shape::Other(RawJson::from_json(r#"{"edges":5}"#)?)"##
    );
    // Tagged: by the tag.
    assert_eq!(
        code(&model, r#"{"petType": "dog", "bark": true}"#, &named("Pet")),
        r#"Pet::Dog(Dog::new("dog").with_bark(true))"#
            .replace("with_bark", &setter_of(&model, "Dog", "bark"))
    );
}

/// The setter of struct `type_name`'s property `wire`.
fn setter_of(model: &Model, type_name: &str, wire: &str) -> String {
    let Some(TypeDef::Struct(def)) = model.types.get(type_name) else {
        panic!("{type_name} is not a struct")
    };
    def.fields
        .iter()
        .find(|f| f.wire == wire)
        .expect("field")
        .setter()
}

#[test]
fn what_no_call_expresses_is_decoded_from_its_text() {
    let model = model();
    // A property the struct keeps in its extensions map, and an explicit `null`: each value
    // bound to a name of its own, before the code that uses it.
    let mut writer = Writer::new(&model);
    let values = [
        r#"{"text": "t", "@odata.type": "x"}"#,
        r#"{"text": "t", "note": null}"#,
    ];
    for (value, name) in values.iter().zip(["message", "message_2"]) {
        assert_eq!(
            writer.exact(&json(value), &named("Message")),
            Ok(name.to_owned())
        );
    }
    assert_eq!(
        writer.lets,
        [
            r##"let message: Message = from_str(r#"{"text":"t","@odata.type":"x"}"#)?;"##,
            r##"let message_2: Message = from_str(r#"{"text":"t","note":null}"#)?;"##,
        ]
    );
    assert_eq!(
        writer.uses.iter().collect::<Vec<_>>(),
        ["Message", "from_str"]
    );
    assert!(writer.fallible);
    // A part decoded inside a struct built by calls; what a union's variant that did not fit
    // bound first (the circle, which refuses `side`) is gone.
    let mut writer = Writer::new(&model);
    let code = writer.exact(
        &json(r#"{"text": "t", "reply": {"text": "r", "x": 1}, "shape": {"side": 1, "x": 2}}"#),
        &named("Message"),
    );
    let setter = |wire: &str| setter_of(&model, "Message", wire);
    assert_eq!(
        code,
        Ok(format!(
            r#"Message::new("t").{}(message).{}(Shape::Square(square))"#,
            setter("reply"),
            setter("shape")
        ))
    );
    assert_eq!(
        writer.lets,
        [
            r##"let message: Message = from_str(r#"{"text":"r","x":1}"#)?;"##,
            r##"let square: Square = from_str(r#"{"side":1,"x":2}"#)?;"##,
        ]
    );
}

#[test]
fn a_value_its_schema_refuses_is_a_misfit() {
    let model = model();
    for (value, ty) in [
        (r#""7""#, Ty::I64),
        ("7.0", Ty::I64),
        ("300", Ty::U8),
        ("-1", Ty::U64),
        ("null", Ty::String),
        (r#"{"kind": "plain"}"#, named("Message")),
        (r#"{"text": "t", "flag": null}"#, named("Message")),
        (r#"{"text": "t", "text": "u"}"#, named("Message")),
        (r#"{"radius": 1, "side": 2}"#, named("Circle")),
        (r#"[1]"#, named("Kind")),
    ] {
        assert!(exact(&model, value, &ty).is_err(), "{value} as {ty:?}");
    }
}

#[test]
fn hostile_text_stays_one_escaped_line_and_means_what_it_said() {
    let model = model();
    let hostile = "q\" b\\ */ \n```\r\t\u{202e}\u{2028}\"# end";
    let value = Json::String(hostile.to_owned());
    let code = Writer::new(&model)
        .argument(&value, &Ty::String)
        .expect("a string");
    assert!(
        !code.contains(['\n', '\r', '\u{202e}', '\u{2028}']),
        "{code}"
    );
    let literal: syn::LitStr = syn::parse_str(&code).expect("a string literal");
    assert_eq!(literal.value(), hostile);
    // In JSON decoded from a raw string too.
    let object = Json::Object(vec![(hostile.to_owned(), value)]);
    let code = Writer::new(&model)
        .exact(&object, &Ty::Any)
        .expect("any JSON");
    assert!(
        !code.contains(['\n', '\r', '\u{202e}', '\u{2028}']),
        "{code}"
    );
    let inner = code
        .strip_prefix("RawJson::from_json(")
        .and_then(|c| c.strip_suffix(")?"))
        .expect("a call");
    let literal: syn::LitStr = syn::parse_str(inner).expect("a string literal");
    assert_eq!(Json::parse(&literal.value()), Some(object));
}

#[test]
fn a_raw_string_has_the_hashes_its_text_needs() {
    use crate::docs::rust_raw_string;
    assert_eq!(rust_raw_string(r#"{"a":1}"#), r##"r#"{"a":1}"#"##);
    assert_eq!(rust_raw_string(r##"{"a":"#"}"##), r###"r##"{"a":"#"}"##"###);
    assert_eq!(rust_raw_string("a\u{7}"), r#""a\u{7}""#);
}

#[test]
fn a_value_made_from_the_schema_has_the_required_properties_and_canonical_samples() {
    let model = model();
    assert_eq!(
        sample(&model, &named("Pair"), "body").text(),
        r#"{"left":"left","right":"right","items":[1]}"#
    );
    assert_eq!(sample(&model, &named("Kind"), "k").text(), r#""plain""#);
    assert_eq!(sample(&model, &named("Level"), "k").text(), "1");
    assert_eq!(
        sample(&model, &Ty::Timestamp, "at").text(),
        r#""2025-01-01T00:00:00Z""#
    );
    assert_eq!(
        sample(&model, &named("Pet"), "p").text(),
        r#"{"petType":"cat"}"#
    );
    // And it fits.
    for ty in ["Message", "Pair", "Shape", "Pet", "Kind"] {
        let value = sample(&model, &named(ty), "value");
        assert!(exact(&model, &value.text(), &named(ty)).is_ok(), "{ty}");
    }
}
