//! Bad inputs give errors that name the culprit.

use std::path::{Path, PathBuf};

use crate::kinds::*;
use polars::df;
use polars::prelude::DataFrame;

fn opts() -> SerializeOptions {
    SerializeOptions::default()
}

#[test]
fn missing_paths_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.bin");
    let err = missing.as_path().into_artifact().unwrap_err();
    assert!(
        matches!(&err, KindError::MissingPath(p) if p == &missing),
        "{err}"
    );
    assert!(err.to_string().contains("nope.bin"));
    let err = serialize(
        "f",
        ArtifactObject::File(missing.clone()),
        &opts(),
        dir.path(),
    )
    .unwrap_err();
    assert!(matches!(err, KindError::MissingPath(_)));
    let err = serialize(
        "f",
        ArtifactObject::Files(vec![missing.clone()]),
        &opts(),
        dir.path(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("nope.bin"), "{err}");
}

#[test]
fn wildcard_without_match_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), b"x").unwrap();
    let w = format!("{}/*.jpg", dir.path().display());
    let err = serialize(
        "w",
        ArtifactObject::Wildcard(w.clone()),
        &opts(),
        dir.path(),
    )
    .unwrap_err();
    assert!(matches!(&err, KindError::NoMatch(p) if p == &w), "{err}");
    let err = serialize(
        "w",
        ArtifactObject::Wildcard("/definitely/not/here/*.jpg".into()),
        &opts(),
        dir.path(),
    )
    .unwrap_err();
    assert!(matches!(err, KindError::MissingPath(_)), "{err}");
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_unreadable_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("loop");
    std::fs::create_dir_all(d.join("inner")).unwrap();
    std::fs::write(d.join("inner/f.txt"), b"x").unwrap();
    std::os::unix::fs::symlink(&d, d.join("inner/back")).unwrap();
    let err = serialize(
        "l",
        ArtifactObject::Folder(d.clone()),
        &opts(),
        &dir.path().join("s"),
    )
    .unwrap_err();
    assert!(
        matches!(&err, KindError::SymlinkLoop { path, .. } if path.ends_with("inner/back")),
        "{err}"
    );

    // An unreadable file inside a folder (skipped when running as root, who can read anything).
    let d2 = dir.path().join("locked");
    std::fs::create_dir_all(&d2).unwrap();
    let secret = d2.join("secret.txt");
    std::fs::write(&secret, b"x").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&secret).is_err() {
        let err = serialize(
            "l",
            ArtifactObject::Folder(d2.clone()),
            &opts(),
            &dir.path().join("s"),
        )
        .unwrap_err();
        assert!(
            matches!(&err, KindError::Unreadable { path, .. } if path == &secret),
            "{err}"
        );
    }
    // Nothing half-written is left in the staging folder.
    let left: Vec<PathBuf> = match std::fs::read_dir(dir.path().join("s")) {
        Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn bad_files_and_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.npz");
    std::fs::write(&junk, b"not a zip").unwrap();
    let err =
        NpzArray::from_artifact("numpy", Some("application/numpy"), "junk", &junk).unwrap_err();
    assert!(
        matches!(&err, KindError::BadFormat { path, .. } if path == &junk),
        "{err}"
    );
    let err = serde_json::Value::from_artifact("dict", None, "junk", &junk).unwrap_err();
    assert!(matches!(err, KindError::BadFormat { .. }), "{err}");
    let err = DataFrame::from_artifact("image", None, "junk", &junk).unwrap_err();
    assert!(matches!(err, KindError::WrongKind { .. }), "{err}");
    let err = image::DynamicImage::from_artifact("image", None, "junk", &junk).unwrap_err();
    assert!(matches!(err, KindError::BadFormat { .. }), "{err}");
    let err = extract_zip(&junk, &dir.path().join("out")).unwrap_err();
    assert!(matches!(err, KindError::BadFormat { .. }), "{err}");
    let df = df!("a" => [1i64]).unwrap();
    let o = SerializeOptions {
        index_column: Some("missing".into()),
        ..Default::default()
    };
    let err = serialize("f", df.into_artifact().unwrap(), &o, dir.path()).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}

fn evil_zip(path: &Path, entry: &str) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    z.start_file("ok.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut z, b"fine").unwrap();
    z.start_file(entry, zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut z, b"evil").unwrap();
    z.finish().unwrap();
}

#[test]
fn zip_slip_is_refused_atomically() {
    let dir = tempfile::tempdir().unwrap();
    for (i, entry) in ["../escape.txt", "/abs/escape.txt", "a/../../escape.txt"]
        .iter()
        .enumerate()
    {
        let z = dir.path().join(format!("evil{i}.zip"));
        evil_zip(&z, entry);
        let dest = dir.path().join(format!("out{i}"));
        let err = extract_zip(&z, &dest).unwrap_err();
        assert!(
            matches!(err, KindError::UnsafeEntry { .. }),
            "{entry}: {err}"
        );
        assert!(!dest.exists(), "nothing extracted for {entry}");
    }
    assert!(!dir.path().join("escape.txt").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".extract-"))
        .collect();
    assert!(leftovers.is_empty());
}
