//! Schema keywords beyond objects and composition, one concern at a time: OpenAPI versions,
//! 3.1's `type` arrays and `$ref` siblings, enums of integers and with `null`, `x-ms-enum`,
//! flags, nullability through references, arrays without `items`, and the keywords that
//! are only documented.

use crate::document::Problem;
use crate::model::{EnumKind, Model, StructDef, Ty, TypeDef, Wire};

fn document(version: &str, schemas: &str) -> String {
    format!(
        "openapi: {version}\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
    )
}

fn model(version: &str, schemas: &str) -> Model {
    let text = document(version, schemas);
    crate::model_from_text(&text, None).unwrap_or_else(|problems| {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        panic!("{}\n\n{text}", list.join("\n"))
    })
}

fn problems(version: &str, schemas: &str) -> Vec<String> {
    match crate::model_from_text(&document(version, schemas), None) {
        Ok(_) => Vec::new(),
        Err(problems) => problems.iter().map(Problem::to_string).collect(),
    }
}

fn warnings(model: &Model) -> Vec<String> {
    model.warnings.iter().map(Problem::to_string).collect()
}

fn structure<'m>(model: &'m Model, name: &str) -> &'m StructDef {
    match model.types.get(name) {
        Some(TypeDef::Struct(s)) => s,
        other => panic!("no struct {name}: {other:?}"),
    }
}

/// Each field's wire name, type and nullability.
fn fields(s: &StructDef) -> Vec<(&str, Ty, bool)> {
    s.fields
        .iter()
        .map(|f| (f.wire.as_str(), f.ty.clone(), f.nullable))
        .collect()
}

fn named(name: &str) -> Ty {
    Ty::Named(name.to_owned())
}

#[test]
fn every_3_0_3_1_and_3_2_version_is_read_and_others_refused() {
    for version in ["3.0.0", "3.0.4", "3.1.0", "3.1.1", "3.1.2", "3.2.0"] {
        assert_eq!(
            problems(version, "    A: {type: string}"),
            Vec::<String>::new(),
            "{version}"
        );
    }
    assert_eq!(
        problems("3.3.0", "    A: {type: string}"),
        ["/openapi: unsupported OpenAPI version `3.3.0`: supported are 3.0.x, 3.1.x or 3.2.x"]
    );
    // 3.1 made `paths` optional, and added `webhooks` and `jsonSchemaDialect`.
    let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\njsonSchemaDialect: https://spec.openapis.org/oas/3.1/dialect/base\nwebhooks: {}\n";
    assert!(crate::model_from_text(text, None).is_ok());
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";
    assert!(crate::model_from_text(text, None).is_err());
}

#[test]
fn type_arrays_make_nullable_values_and_several_types_any_json() {
    let m = model(
        "3.1.0",
        "    A:
      type: object
      properties:
        name: {type: [string, 'null']}
        count: {type: ['null', integer], format: int32}
        size: {type: [integer, number]}
        code: {type: [string, integer]}
        nothing: {type: 'null'}
",
    );
    assert_eq!(
        fields(structure(&m, "A")),
        [
            ("name", Ty::String, true),
            ("count", Ty::I32, true),
            ("size", Ty::F64, false),
            ("code", Ty::Any, false),
            ("nothing", Ty::Any, true),
        ]
    );
    assert_eq!(
        warnings(&m),
        [
            "/components/schemas/A/properties/code/type: a value of type `string` or `integer` is kept as any JSON value (`RawJson`)"
        ]
    );
}

#[test]
fn nullable_reaches_through_references_and_beside_them() {
    let m = model(
        "3.0.3",
        "    User: {type: object, nullable: true, properties: {login: {type: string}}}
    Name: {type: string, nullable: true}
    Level: {type: string, enum: [low, null]}
    Plain: {type: object, properties: {login: {type: string}}}
    A:
      type: object
      properties:
        user: {$ref: '#/components/schemas/User'}
        name: {$ref: '#/components/schemas/Name'}
        level: {$ref: '#/components/schemas/Level'}
        plain: {$ref: '#/components/schemas/Plain'}
        marked: {$ref: '#/components/schemas/Plain', nullable: true, description: Documented.}
        typed: {$ref: '#/components/schemas/Plain', type: object}
        users: {type: array, items: {$ref: '#/components/schemas/User'}}
        names: {type: object, additionalProperties: {$ref: '#/components/schemas/Name'}}
",
    );
    let user = || Box::new(named("User"));
    assert_eq!(
        fields(structure(&m, "A")),
        [
            ("user", named("User"), true),
            ("name", Ty::String, true),
            ("level", named("Level"), true),
            ("plain", named("Plain"), false),
            ("marked", named("Plain"), true),
            ("typed", named("Plain"), false),
            ("users", Ty::Array(Box::new(Ty::Option(user()))), false),
            (
                "names",
                Ty::Map(Box::new(Ty::Option(Box::new(Ty::String)))),
                false
            ),
        ]
    );
    assert_eq!(
        structure(&m, "A").fields[4].description.as_deref(),
        Some("Documented.")
    );
    assert_eq!(
        warnings(&m),
        [
            "/components/schemas/A/properties/typed/type: `type` next to `$ref` is ignored: the referenced schema is used as it is"
        ]
    );
}

#[test]
fn integer_enums_are_open_enums_and_other_scalars_list_their_values_in_docs() {
    let m = model(
        "3.0.3",
        "    Size: {type: integer, enum: [512, -1, 0]}
    Untyped: {enum: [1, 2]}
    A:
      type: object
      properties:
        flag: {type: boolean, enum: [true]}
        ratio: {type: number, enum: [0.5, 1.5, null]}
        version: {const: 2}
        kind: {const: dog}
",
    );
    let TypeDef::Enum(size) = &m.types["Size"] else {
        panic!("Size is an enum")
    };
    assert_eq!(size.kind, EnumKind::Integer);
    let wires: Vec<Wire> = size.variants.iter().map(|v| v.wire.clone()).collect();
    assert_eq!(
        wires,
        [Wire::Integer(512), Wire::Integer(-1), Wire::Integer(0)]
    );
    let texts: Vec<String> = wires.iter().map(ToString::to_string).collect();
    let names: Vec<(&str, &str)> = size
        .variants
        .iter()
        .zip(&texts)
        .map(|(v, wire)| (v.name.as_str(), wire.as_str()))
        .collect();
    assert_eq!(names, [("V512", "512"), ("Minus1", "-1"), ("V0", "0")]);
    assert!(matches!(&m.types["Untyped"], TypeDef::Enum(e) if e.kind == EnumKind::Integer));
    let a = structure(&m, "A");
    assert_eq!(
        fields(a),
        [
            ("flag", Ty::Bool, false),
            ("ratio", Ty::F64, true),
            ("version", named("AVersion"), false),
            ("kind", named("AKind"), false),
        ]
    );
    assert_eq!(
        a.fields[0].description.as_deref(),
        Some("Listed values: `true`.")
    );
    assert_eq!(
        a.fields[1].description.as_deref(),
        Some("Listed values: `0.5`, `1.5`.")
    );
    assert_eq!(
        problems("3.0.3", "    B: {type: integer, enum: [1, a, 1]}"),
        [
            "/components/schemas/B/enum/1: enum values of an integer schema must be 64-bit integers, found a string",
            "/components/schemas/B/enum/2: duplicate value `1`",
        ]
    );
}

#[test]
fn x_ms_enum_names_types_and_variants_and_flags_make_sets() {
    let m = model(
        "3.0.1",
        "    Target:
      type: string
      enum: [email, site]
      x-ms-enum-flags: {isFlags: true}
    A:
      type: object
      properties:
        targets: {$ref: '#/components/schemas/Target'}
        color:
          type: string
          enum: [red, '#00f']
          x-ms-enum:
            name: Color
            modelAsString: false
            values:
              - {value: red, name: Crimson, description: A deep red.}
              - {value: '#00f', name: Blue}
",
    );
    assert_eq!(
        fields(structure(&m, "A")),
        [
            ("targets", Ty::Flags(Box::new(named("Target"))), false),
            ("color", named("Color"), false),
        ]
    );
    let TypeDef::Enum(color) = &m.types["Color"] else {
        panic!("Color is an enum")
    };
    let texts: Vec<String> = color.variants.iter().map(|v| v.wire.to_string()).collect();
    let variants: Vec<(&str, &str, Option<&str>)> = color
        .variants
        .iter()
        .zip(&texts)
        .map(|(v, wire)| (v.name.as_str(), wire.as_str(), v.description.as_deref()))
        .collect();
    assert_eq!(
        variants,
        [
            ("Crimson", "red", Some("A deep red.")),
            ("Blue", "#00f", None)
        ]
    );
    assert!(matches!(&m.types["Target"], TypeDef::Enum(e) if e.flags));
}

#[test]
fn documented_keywords_are_kept_and_validation_keywords_accepted() {
    let m = model(
        "3.0.3",
        "    A:
      type: object
      minProperties: 1
      maxProperties: 3
      xml: {name: a}
      properties:
        id: {type: string, readOnly: true}
        secret: {type: string, writeOnly: true}
        size: {type: integer, default: 20, multipleOf: 10}
        tags: {type: array, default: [a]}
",
    );
    assert_eq!(warnings(&m), Vec::<String>::new());
    let a = structure(&m, "A");
    let keywords: Vec<(bool, bool, Option<&str>)> = a
        .fields
        .iter()
        .map(|f| (f.read_only, f.write_only, f.default.as_deref()))
        .collect();
    assert_eq!(
        keywords,
        [
            (true, false, None),
            (false, true, None),
            (false, false, Some("20")),
            (false, false, Some("[\"a\"]")),
        ]
    );
    // An array without `items` holds any JSON values.
    assert_eq!(a.fields[3].ty, Ty::Array(Box::new(Ty::Any)));
}
