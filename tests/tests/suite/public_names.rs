//! No public name of the published crates (both runtimes, the presence models, client and
//! notifications) repeats a name std offers at its prelude or a common path, so a module can
//! import ours beside std's: `IsoDuration` beside `std::time::Duration`, `read_slot` beside
//! `std::fs::read`. The one exception is the conventional crate-level `Error`.

use std::collections::BTreeSet;
use tests::root;

/// The prelude, and the items of std's modules that user code commonly imports by name,
/// separated by spaces.
const STD_NAMES: &str = concat!(
    // The prelude.
    "Option Some None Result Ok Err String Vec Box ToString ToOwned Into From TryFrom TryInto ",
    "Default Iterator IntoIterator FromIterator Extend DoubleEndedIterator ExactSizeIterator ",
    "Clone Copy Send Sync Sized Unpin Drop Fn FnMut FnOnce AsRef AsMut PartialEq Eq ",
    "PartialOrd Ord Debug Hash drop ",
    // std::time
    "Duration Instant SystemTime SystemTimeError TryFromFloatSecsError UNIX_EPOCH ",
    // std::fmt
    "Alignment Arguments Display Error Formatter Write format write ",
    // std::io
    "ErrorKind Read BufRead BufReader BufWriter Seek SeekFrom Cursor Stdin Stdout Stderr ",
    "stdin stdout stderr copy empty sink ",
    // std::str, std::string, std::num, std::convert
    "FromStr Utf8Error ParseBoolError from_utf8 ParseError FromUtf8Error ParseIntError ",
    "ParseFloatError TryFromIntError NonZero Wrapping Infallible identity ",
    // std::collections, std::sync, std::rc, std::cell, std::borrow
    "HashMap HashSet BTreeMap BTreeSet VecDeque BinaryHeap LinkedList Arc Mutex RwLock ",
    "Condvar Once OnceLock LazyLock Weak Barrier mpsc Rc Cell RefCell OnceCell Cow Borrow ",
    "BorrowMut ",
    // std::future, std::task, std::pin, std::any, std::marker, std::ops, std::hash, std::cmp
    "Future IntoFuture Ready Pending ready pending Context Poll Waker Wake Pin Any TypeId ",
    "PhantomData Deref DerefMut Range Bound ControlFlow Index Hasher BuildHasher ",
    "DefaultHasher Ordering Reverse max min ",
    // std::path, std::fs, std::net, std::thread, std::process, std::env, std::ptr, std::mem
    "Path PathBuf File OpenOptions read read_to_string IpAddr SocketAddr TcpStream ",
    "TcpListener sleep spawn JoinHandle Thread Command Child Output ExitCode exit var args ",
    "NonNull null swap replace take size_of ",
);

/// What a file exports by name: its public types, traits, constants and functions, and the
/// names its `pub use`s bring in (a glob re-exports another of the files read here). Modules
/// (`format`) and macros (`record!`) are left out: they live in namespaces of their own, where
/// std's lowercase names here (functions: `std::fmt::format`) are not.
fn exported(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut names = Vec::new();
    for item in &file.items {
        let public = |vis: &syn::Visibility| matches!(vis, syn::Visibility::Public(_));
        let name = match item {
            syn::Item::Struct(i) if public(&i.vis) => Some(&i.ident),
            syn::Item::Enum(i) if public(&i.vis) => Some(&i.ident),
            syn::Item::Trait(i) if public(&i.vis) => Some(&i.ident),
            syn::Item::Type(i) if public(&i.vis) => Some(&i.ident),
            syn::Item::Const(i) if public(&i.vis) => Some(&i.ident),
            syn::Item::Fn(i) if public(&i.vis) => Some(&i.sig.ident),
            syn::Item::Use(u) if public(&u.vis) => {
                use_names(&u.tree, &mut names);
                None
            }
            _ => None,
        };
        names.extend(name.map(ToString::to_string));
    }
    names
}

fn use_names(tree: &syn::UseTree, names: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(p) => use_names(&p.tree, names),
        syn::UseTree::Name(n) => names.push(n.ident.to_string()),
        syn::UseTree::Rename(r) => names.push(r.rename.to_string()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_names(t, names)),
        syn::UseTree::Glob(_) => {}
    }
}

#[test]
fn no_exported_name_repeats_a_std_name() {
    let files = [
        "crates/openapi-models-runtime/src/lib.rs",
        "crates/openapi-client-runtime/src/lib.rs",
        "crates/graph-presence-models/src/generated.rs",
        "crates/graph-presence-client/src/generated.rs",
        "crates/graph-presence-client/src/lib.rs",
        "crates/graph-presence-notifications/src/lib.rs",
    ];
    let std: BTreeSet<&str> = STD_NAMES.split_whitespace().collect();
    let mut clashes = BTreeSet::new();
    let mut count = 0;
    for file in files {
        for name in exported(file) {
            count += 1;
            if std.contains(name.as_str()) && name != "Error" {
                clashes.insert(format!("{file}: {name}"));
            }
        }
    }
    assert!(count > 100, "read {count} names");
    assert!(clashes.is_empty(), "{clashes:#?}");
}
