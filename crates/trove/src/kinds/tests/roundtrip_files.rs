//! Files, folders, wildcards, lists of files and strings: serialize → extract / FromArtifact gives the
//! original back; staging files are unique and complete.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::kinds::*;

fn ser(name: &str, obj: impl IntoArtifact, opts: &SerializeOptions, dir: &Path) -> Serialized {
    serialize(name, obj.into_artifact().unwrap(), opts, dir).unwrap()
}

fn back<T: FromArtifact>(name: &str, s: &Serialized) -> T {
    T::from_artifact(
        &s.kind,
        s.content_type.as_deref(),
        name,
        s.path.as_ref().unwrap(),
    )
    .unwrap()
}

fn sample_tree(root: &Path) -> PathBuf {
    let d = root.join("data samples");
    std::fs::create_dir_all(d.join("sub/deeper")).unwrap();
    std::fs::write(d.join("a.jpg"), b"jpeg-ish").unwrap();
    std::fs::write(d.join("b.txt"), b"hello").unwrap();
    std::fs::write(d.join("sub/c.jpg"), vec![7u8; 3000]).unwrap();
    std::fs::write(d.join("sub/deeper/d.png"), b"png").unwrap();
    std::fs::write(d.join("sub/ünï.txt"), b"u").unwrap();
    d
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn files_folders_wildcards_round_trip() {
    let work = tempfile::tempdir().unwrap();
    let stage_dir = work.path().join("stage");
    let d = sample_tree(work.path());

    // a single file: as is, not temp, not read yet: its hash is computed while it is uploaded
    let s = ser(
        "local file",
        d.join("a.jpg").as_path(),
        &SerializeOptions::default(),
        &stage_dir,
    );
    assert_eq!((s.kind.as_str(), s.temp), ("custom", false));
    assert_eq!(s.file_name.as_deref(), Some("a.jpg"));
    assert_eq!(s.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(s.preview, "a.jpg - 8 bytes\n");
    assert_eq!((s.hash.as_deref(), s.size), (None, Some(8)));
    assert_eq!(back::<PathBuf>("local file", &s), d.join("a.jpg"));

    // a folder: recursive zip, sorted entries
    let s = ser(
        "local folder",
        d.clone(),
        &SerializeOptions::default(),
        &stage_dir,
    );
    assert_eq!(s.kind, "archive");
    assert_eq!(s.file_name.as_deref(), Some("data samples.zip"));
    assert_eq!(s.content_type.as_deref(), Some("application/zip"));
    let given = d.to_string_lossy().to_string();
    assert_eq!(
        s.preview,
        format!(
            "Archive content {given}/*:\na.jpg - 8 bytes\nb.txt - 5 bytes\nsub/c.jpg - 3 KB\nsub/deeper/d.png - 3 bytes\nsub/ünï.txt - 1 byte\n"
        )
    );
    let out = extract_zip(s.path.as_ref().unwrap(), &work.path().join("x1")).unwrap();
    assert_eq!(tree(&out), tree(&d));
    // extracting again into the same (now complete) folder returns it unchanged
    let again = extract_zip(s.path.as_ref().unwrap(), &work.path().join("x1")).unwrap();
    assert_eq!(tree(&again), tree(&d));
    assert_eq!(
        trove_core::sha256_hex(&std::fs::read(s.path.as_ref().unwrap()).unwrap()),
        s.hash.clone().unwrap()
    );

    // a wildcard string: rglob semantics (matches at any depth)
    let pat = format!("{given}/*.jpg");
    let obj = pat.as_str().into_artifact().unwrap();
    assert!(matches!(obj, ArtifactObject::Wildcard(_)));
    let s = serialize(
        "wildcard jpegs",
        obj,
        &SerializeOptions::default(),
        &stage_dir,
    )
    .unwrap();
    assert_eq!(s.file_name.as_deref(), Some("data samples.zip"));
    assert_eq!(
        s.preview,
        format!("Archive content {pat}:\na.jpg - 8 bytes\nsub/c.jpg - 3 KB\n")
    );
    let out = extract_zip(s.path.as_ref().unwrap(), &work.path().join("x2")).unwrap();
    assert_eq!(
        tree(&out).keys().cloned().collect::<Vec<_>>(),
        vec!["a.jpg", "sub/c.jpg"]
    );

    // a ** wildcard
    let s = serialize(
        "pngs",
        ArtifactObject::Wildcard(format!("{given}/**/*.png")),
        &SerializeOptions::default(),
        &stage_dir,
    )
    .unwrap();
    let out = extract_zip(s.path.as_ref().unwrap(), &work.path().join("x3")).unwrap();
    assert_eq!(
        tree(&out).keys().cloned().collect::<Vec<_>>(),
        vec!["sub/deeper/d.png"]
    );

    // a list of files, relative to their common folder
    let list = vec![d.join("sub/c.jpg"), d.join("b.txt")];
    let s = ser("my files", list, &SerializeOptions::default(), &stage_dir);
    assert_eq!(s.file_name.as_deref(), Some("my%20files.zip"));
    assert!(
        s.preview
            .starts_with("Archive content:\nb.txt - 5 bytes\nsub/c.jpg - 3 KB\n"),
        "{}",
        s.preview
    );
    let out = extract_zip(s.path.as_ref().unwrap(), &work.path().join("x4")).unwrap();
    assert_eq!(
        tree(&out).keys().cloned().collect::<Vec<_>>(),
        vec!["b.txt", "sub/c.jpg"]
    );
}

#[test]
fn strings_dispatch_like_clearml() {
    let work = tempfile::tempdir().unwrap();
    let d = sample_tree(work.path());
    let f = d.join("b.txt");
    assert!(matches!(
        f.to_str().unwrap().into_artifact().unwrap(),
        ArtifactObject::File(_)
    ));
    assert!(matches!(
        d.to_str().unwrap().into_artifact().unwrap(),
        ArtifactObject::Folder(_)
    ));
    // ClearML stores a pattern that matches nothing as text; trove treats a pattern under an existing
    // folder as a wildcard, so that serialising it fails with a clear "matches nothing" error.
    assert!(matches!(
        format!("{}/*.nothing", d.display())
            .into_artifact()
            .unwrap(),
        ArtifactObject::Wildcard(_)
    ));
    for url in [
        "s3://bucket/some/file.bin",
        "gs://b/x",
        "azure://c/x",
        "http://h/x",
        "HTTPS://h/x",
    ] {
        assert!(
            matches!(url.into_artifact().unwrap(), ArtifactObject::Link(_)),
            "{url}"
        );
    }
    for text in ["hello world text", "ftp://x/y", "C:\\not\\there", "what?"] {
        assert!(
            matches!(text.into_artifact().unwrap(), ArtifactObject::Text(_)),
            "{text}"
        );
    }
    let s = serialize(
        "link",
        "s3://bucket/some/file.bin".into_artifact().unwrap(),
        &SerializeOptions::default(),
        work.path(),
    )
    .unwrap();
    assert_eq!(s.link.as_deref(), Some("s3://bucket/some/file.bin"));
    assert_eq!(
        (s.path.clone(), s.hash.clone(), s.size, s.preview.as_str()),
        (None, None, None, "")
    );
    assert_eq!(s.content_type.as_deref(), Some("application/octet-stream"));

    let big = "x".repeat(70_000);
    let s = serialize(
        "big text",
        Text(big.clone()).into_artifact().unwrap(),
        &SerializeOptions::default(),
        work.path(),
    )
    .unwrap();
    assert!(
        s.preview
            .starts_with("# full text too large to store, storing first 64kb\nxxx")
    );
    assert_eq!(back::<String>("big text", &s), big);

    let s = serialize(
        "blob",
        ArtifactObject::Custom {
            bytes: vec![1, 2, 3],
            extension: ".bin".into(),
            preview: "three bytes".into(),
        },
        &SerializeOptions::default(),
        work.path(),
    )
    .unwrap();
    assert_eq!(
        (
            s.kind.as_str(),
            s.file_name.as_deref(),
            s.content_type.as_deref()
        ),
        ("custom", Some("blob.bin"), Some("application/octet-stream"))
    );
    assert_eq!(back::<Vec<u8>>("blob", &s), vec![1, 2, 3]);
}

#[test]
fn staging_files_are_unique_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let a = ser(
        "same",
        Text("one".into()),
        &SerializeOptions::default(),
        dir.path(),
    );
    let b = ser(
        "same",
        Text("two".into()),
        &SerializeOptions::default(),
        dir.path(),
    );
    assert_ne!(a.path, b.path);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert_eq!(names.len(), 2, "no partial files left: {names:?}");
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("same.") && n.ends_with(".txt"))
    );
}

#[test]
fn a_big_folder_is_compressed_in_parallel_batches_in_order() {
    // Enough small files for several waves of 2 MiB batches, plus files bigger than a batch that are
    // streamed between them: the archive must list every file in sorted order with its own bytes,
    // mode and modification time.
    let work = tempfile::tempdir().unwrap();
    let d = work.path().join("many");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    for i in 0..6000u32 {
        let text: String = (0..40)
            .map(|k| format!("{} ", (i * 7919 + k * 31) % 1000))
            .collect();
        let dir = if i % 3 == 0 { d.join("sub") } else { d.clone() };
        std::fs::write(dir.join(format!("f{i:05}.txt")), text.repeat(4)).unwrap();
    }
    let big: Vec<u8> = (0..3_500_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(d.join("f03000.big"), &big).unwrap();
    std::fs::write(d.join("sub/zz.big"), &big[..2_200_000]).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.join("f00001.txt"), std::fs::Permissions::from_mode(0o600))
            .unwrap();
    }
    let s = ser(
        "many",
        d.as_path(),
        &SerializeOptions::default(),
        &work.path().join("stage"),
    );
    let zip_path = s.path.clone().unwrap();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    let mut want: Vec<String> = tree(&d).keys().cloned().collect();
    // Python's sorted(rglob): by path components.
    want.sort_by(|a, b| a.split('/').cmp(b.split('/')));
    assert_eq!(names, want);
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        assert_eq!(f.compression(), zip::CompressionMethod::Deflated, "{name}");
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut got).unwrap();
        let on_disk = d.join(&name);
        assert_eq!(got, std::fs::read(&on_disk).unwrap(), "{name}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&on_disk).unwrap().permissions().mode() & 0o7777;
            assert_eq!(f.unix_mode().map(|m| m & 0o7777), Some(mode), "{name}");
        }
        assert!(
            f.last_modified().is_some_and(|t| t.year() >= 2026),
            "{name}"
        );
    }
    // The listing is longer than the 64 KiB cap: ClearML's header, then the entries in order.
    assert!(s.preview.starts_with("# full preview too large to store"));
    assert!(
        s.preview
            .contains("/many/*:\nf00001.txt - 608 bytes\nf00002.txt - ")
    );
    let out = extract_zip(&zip_path, &work.path().join("out")).unwrap();
    assert!(
        tree(&out) == tree(&d),
        "the extracted folder differs from the original"
    );
}
