//! `allOf` parts: properties defined by several are one field, of the type every part
//! allows; parts that only annotate a reference leave the referenced type; and (3.1) a
//! reference or `null` is the referenced type, nullable.

use super::tests::{model, named, structure};
use crate::model::Ty;

fn warnings(m: &crate::model::Model) -> Vec<String> {
    m.warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn a_property_redefined_with_a_conflicting_type_keeps_the_first_with_a_warning() {
    let m = model(
        "  {}",
        "    Base: {type: object, properties: {id: {type: string}, n: {type: integer}}}
    Derived:
      allOf:
        - $ref: '#/components/schemas/Base'
        - {type: object, required: [n], properties: {id: {type: string}, n: {type: string}}}
",
    );
    let derived = structure(&m, "Derived");
    assert_eq!(derived.fields[1].ty, Ty::I64);
    assert!(derived.fields[1].required);
    assert_eq!(
        warnings(&m),
        [
            "/components/schemas/Derived/allOf/1/properties/n: property `n` is defined by an earlier `allOf` part as `i64` and here as `String`, which no value can be both: the earlier definition (`i64`) is kept"
        ]
    );
}

#[test]
fn a_generic_property_redefined_by_a_later_part_is_the_specific_type() {
    let m = model(
        "  {}",
        "    Thing: {type: object, properties: {id: {type: string}}}
    Page:
      type: object
      properties:
        items: {type: array, description: Generic., items: {}}
        data: {description: Anything.}
        count: {type: number}
        when: {type: string, nullable: true}
        tags: {type: array, items: {nullable: true}}
    ThingPage:
      allOf:
        - $ref: '#/components/schemas/Page'
        - type: object
          required: [items]
          properties:
            items:
              type: array
              description: The things.
              items: {$ref: '#/components/schemas/Thing'}
            data: {$ref: '#/components/schemas/Thing'}
            count: {type: integer, format: int32}
            when: {type: string, format: date-time}
            tags: {type: array, items: {type: string}}
",
    );
    let page = structure(&m, "ThingPage");
    let items = &page.fields[0];
    assert_eq!(items.ty, Ty::Array(Box::new(named("Thing"))));
    assert!(items.required, "required by the later part");
    assert_eq!(items.description.as_deref(), Some("The things."));
    let data = &page.fields[1];
    assert_eq!(data.ty, named("Thing"));
    assert!(!data.nullable);
    assert_eq!(
        data.description.as_deref(),
        Some("Anything."),
        "the specific definition has no docs: the generic one's stay"
    );
    assert_eq!(page.fields[2].ty, Ty::I32, "a number that is an integer");
    let when = &page.fields[3];
    assert_eq!(when.ty, Ty::Timestamp);
    assert!(!when.nullable, "null only if both definitions allow it");
    assert_eq!(page.fields[4].ty, Ty::Array(Box::new(Ty::String)));
    assert_eq!(warnings(&m), Vec::<String>::new());
}

#[test]
fn an_earlier_specific_definition_is_kept_against_a_later_generic_one() {
    let m = model(
        "  {}",
        "    Thing: {type: object, properties: {id: {type: string}}}
    Things: {type: object, properties: {items: {type: array, items: {$ref: '#/components/schemas/Thing'}, description: Things.}}}
    Page: {type: object, properties: {items: {type: array, items: {}, description: Generic.}}}
    Both:
      allOf:
        - $ref: '#/components/schemas/Things'
        - $ref: '#/components/schemas/Page'
        - {type: object, properties: {items: {}}}
",
    );
    let both = structure(&m, "Both");
    assert_eq!(both.fields.len(), 1);
    assert_eq!(both.fields[0].ty, Ty::Array(Box::new(named("Thing"))));
    assert_eq!(both.fields[0].description.as_deref(), Some("Things."));
    assert_eq!(warnings(&m), Vec::<String>::new());
}

#[test]
fn two_bases_that_conflict_are_reported_at_the_second_reference() {
    let m = model(
        "  {}",
        "    A: {type: object, properties: {v: {type: string}}}
    B: {type: object, properties: {v: {type: boolean}}}
    C:
      allOf:
        - $ref: '#/components/schemas/A'
        - $ref: '#/components/schemas/B'
",
    );
    assert_eq!(structure(&m, "C").fields[0].ty, Ty::String);
    assert_eq!(
        warnings(&m),
        [
            "/components/schemas/C/allOf/1/$ref: property `v` is defined by an earlier `allOf` part as `String` and here as `bool`, which no value can be both: the earlier definition (`String`) is kept"
        ]
    );
}

#[test]
fn parts_that_only_annotate_a_reference_leave_the_referenced_type() {
    let m = model(
        "  {}",
        "    Thing: {type: object, properties: {id: {type: string}}}
    Kind: {type: string, enum: [a, b]}
    DocumentedKind:
      allOf:
        - $ref: '#/components/schemas/Kind'
        - {description: Documented apart.}
    Holder:
      type: object
      properties:
        documented:
          allOf: [{$ref: '#/components/schemas/Thing'}, {description: The thing.}]
        size:
          allOf: [{$ref: '#/components/schemas/Kind'}, {nullable: true}]
        titled:
          allOf: [{$ref: '#/components/schemas/Kind'}, {title: T, default: a}]
        parent:
          nullable: true
          allOf: [{$ref: '#/components/schemas/Thing'}]
        kind: {$ref: '#/components/schemas/DocumentedKind'}
",
    );
    assert!(
        !m.types.contains_key("DocumentedKind"),
        "a documented reference is no type of its own"
    );
    let holder = structure(&m, "Holder");
    let fields: Vec<(&str, &Ty, bool)> = holder
        .fields
        .iter()
        .map(|f| (f.wire.as_str(), &f.ty, f.nullable))
        .collect();
    let (thing, kind) = (named("Thing"), named("Kind"));
    assert_eq!(
        fields,
        [
            ("documented", &thing, false),
            ("size", &kind, true),
            ("titled", &kind, false),
            ("parent", &thing, true),
            ("kind", &kind, false),
        ]
    );
    assert_eq!(holder.fields[0].description.as_deref(), Some("The thing."));
    assert_eq!(holder.fields[2].default.as_deref(), Some("\"a\""));
    assert_eq!(warnings(&m), Vec::<String>::new());
}

#[test]
fn a_reference_or_a_documented_null_is_the_referenced_type_nullable() {
    let text = "openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Kind: {type: string, enum: [a, b]}
    Holder:
      type: object
      properties:
        size:
          anyOf: [{$ref: '#/components/schemas/Kind'}, {type: 'null', description: Unknown.}]
        kind:
          oneOf: [{type: 'null'}, {$ref: '#/components/schemas/Kind'}]
";
    let m = crate::model_from_text(text, None).unwrap_or_else(|p| panic!("{p:?}"));
    let holder = structure(&m, "Holder");
    for field in &holder.fields {
        assert_eq!(
            (&field.ty, field.nullable),
            (&named("Kind"), true),
            "{field:?}"
        );
    }
    assert_eq!(m.types.len(), 2, "{:?}", m.types.keys());
}
