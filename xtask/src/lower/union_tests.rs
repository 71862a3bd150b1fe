//! Unions in lowering: variant names, discriminators and tags, Graph's polymorphic bases.

use super::tests::{field_names, model, named, structure};
use crate::model::{Model, Ty, TypeDef};

fn union<'m>(model: &'m Model, name: &str) -> &'m crate::model::UnionDef {
    match model.types.get(name) {
        Some(TypeDef::Union(u)) => u,
        other => panic!(
            "no union {name}: {other:?}; types: {:?}",
            model.types.keys()
        ),
    }
}

#[test]
fn union_variants_are_named_from_references_titles_tags_and_shapes() {
    let m = model(
        "  {}",
        "    Thing: {type: object, properties: {a: {type: string}}}
    Choice:
      oneOf:
        - $ref: '#/components/schemas/Thing'
        - {type: string, title: label}
        - {type: object, required: [type], properties: {type: {type: string, enum: [volume]}, size: {type: integer}}}
        - {type: object, properties: {Attached: {type: string}}, additionalProperties: false}
        - {type: object, properties: {x: {type: integer}, y: {type: integer}}}
        - {type: object, properties: {x: {type: integer}, z: {type: integer}}}
        - {type: integer, format: int32}
        - {type: array, items: {type: string}}
        - {type: string, enum: [Other]}
",
    );
    let u = union(&m, "Choice");
    let names: Vec<&str> = u.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Thing", "Label", "Volume", "Attached", "Object", "Object2", "I32", "Array", "Other"
        ]
    );
    assert_eq!(
        u.other, "Other2",
        "the catch-all never takes a variant's name"
    );
    assert_eq!(u.variants[0].ty, named("Thing"));
    assert_eq!(
        u.variants[2].ty,
        named("ChoiceVolume"),
        "inline objects are types"
    );
    assert_eq!(u.variants[6].ty, Ty::I32);
    assert_eq!(u.tag, None);
}

#[test]
fn a_discriminator_tags_each_variant_by_its_mapping_or_its_component_name() {
    let m = model(
        "  {}",
        "    A: {type: object, properties: {k: {type: string}}}
    B: {type: object, properties: {k: {type: string}}}
    C: {type: object, properties: {k: {type: string}}}
    U:
      oneOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}]
      discriminator:
        propertyName: k
        mapping: {a: '#/components/schemas/A', also-a: A, c: '#/components/schemas/C'}
",
    );
    let u = union(&m, "U");
    assert_eq!(u.tag.as_deref(), Some("k"));
    let tags: Vec<(&str, Vec<&str>)> = u
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.tags.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        tags,
        [
            ("A", vec!["a", "also-a"]),
            ("B", vec!["B"]),
            ("C", vec!["c"]),
        ],
        "B has no mapping entry (its name is its tag); C is mapped but not listed"
    );
}

#[test]
fn a_polymorphic_base_is_a_union_where_referenced_and_a_struct_where_inherited() {
    let m = model(
        "  {}",
        "    microsoft.graph.entity:
      type: object
      properties: {id: {type: string}, parent: {$ref: '#/components/schemas/microsoft.graph.entity'}}
      discriminator:
        propertyName: '@odata.type'
        mapping: {'#microsoft.graph.user': '#/components/schemas/microsoft.graph.user'}
    microsoft.graph.user:
      allOf:
        - $ref: '#/components/schemas/microsoft.graph.entity'
        - {type: object, properties: {name: {type: string}}}
",
    );
    let u = union(&m, "AnyEntity");
    assert_eq!(u.default, Some(0));
    assert_eq!(u.variants[0].ty, named("Entity"));
    assert_eq!(u.variants[1].ty, named("User"));
    let user = structure(&m, "User");
    assert_eq!(
        field_names(user),
        [("id", "id"), ("parent", "parent"), ("name", "name")]
    );
    assert_eq!(user.fields[1].ty, named("AnyEntity"));
    assert!(user.fields[1].boxed, "recursive through the union");
    assert!(u.variants.iter().all(|v| v.boxed), "{u:?}");
}

#[test]
fn alternatives_of_one_value_each_are_one_open_enum() {
    use super::tests::enumeration;
    use crate::openapi::Wire;
    let m = model(
        "  {}",
        "    Status:
      description: Where it stands.
      oneOf:
        - {const: active, title: Active, description: In use.}
        - {type: string, enum: [suspended], description: By an admin.}
        - {enum: [active], title: Again}
        - {type: 'null'}
    Level:
      anyOf: [{const: 1, title: Low}, {const: 2}]
    Mixed:
      oneOf: [{const: auto}, {type: integer}]
    Kinds:
      oneOf: [{const: a}, {const: 1}]
",
    );
    let status = enumeration(&m, "Status");
    let members: Vec<(&str, String, Option<&str>)> = status
        .variants
        .iter()
        .map(|v| {
            (
                v.name.as_str(),
                v.wire.to_string(),
                v.description.as_deref(),
            )
        })
        .collect();
    // A value listed twice is one member, the first.
    assert_eq!(
        members,
        [
            ("Active", "active".to_owned(), Some("In use.")),
            ("Suspended", "suspended".to_owned(), Some("By an admin.")),
        ]
    );
    assert_eq!(status.other, "Other");
    assert_eq!(status.description.as_deref(), Some("Where it stands."));
    let level = enumeration(&m, "Level");
    assert_eq!(level.kind, crate::model::EnumKind::Integer);
    let wires: Vec<&Wire> = level.variants.iter().map(|v| &v.wire).collect();
    assert_eq!(wires, [&Wire::Integer(1), &Wire::Integer(2)]);
    assert_eq!(level.variants[0].name, "Low");
    // Anything but a value among the alternatives, or values of two kinds: still a union.
    assert_eq!(union(&m, "Mixed").variants.len(), 2);
    assert_eq!(union(&m, "Kinds").variants.len(), 2);
}
