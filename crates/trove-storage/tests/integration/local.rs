//! Local folder destinations: round trips, atomic writes, odd names, and bad destinations.

use crate::common::{list_files, sha, write_data};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use trove_core::Config;
use trove_storage::{Destination, StorageError, delete_uri, download_uri, no_progress};

const ODD_KEY: &str =
    "examples/sub proj/Tâsk [1] (x).0123abcd/artifacts/dänce ✓/file name 数据.csv.gz";

#[tokio::test]
async fn round_trip_with_spaces_and_non_ascii_names() {
    let root = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let cfg = Config::default();
    // A trailing slash and a file:// prefix are normalised away.
    let dest = Destination::parse(&format!("file://{}/", root.path().display()), &cfg).unwrap();
    assert_eq!(dest.uri(), format!("file://{}", root.path().display()));
    dest.check_writable().await.unwrap();
    assert!(
        list_files(root.path()).is_empty(),
        "the write test left a file behind"
    );

    let src = work.path().join("in.bin");
    let data = write_data(&src, 3 * 1024 * 1024 + 17, 1);
    let seen = AtomicU64::new(0);
    let progress = |n: u64| {
        assert!(n >= seen.load(Ordering::Relaxed), "progress went backwards");
        seen.store(n, Ordering::Relaxed);
    };
    let put = dest.put_file(ODD_KEY, &src, None, &progress).await.unwrap();
    assert_eq!(put.size, data.len() as u64);
    assert_eq!(put.sha256, sha(&data));
    assert_eq!(seen.load(Ordering::Relaxed), data.len() as u64);
    // Stored byte for byte under the raw key, nothing else in the folder.
    assert_eq!(std::fs::read(root.path().join(ODD_KEY)).unwrap(), data);
    assert_eq!(list_files(root.path()), vec![ODD_KEY.to_string()]);

    // The recorded uri is raw (not percent-encoded) for file://, and maps back to the key.
    let uri = dest.uri_for(ODD_KEY);
    assert_eq!(uri, format!("file://{}/{ODD_KEY}", root.path().display()));
    assert_eq!(dest.key_for_uri(&uri).as_deref(), Some(ODD_KEY));
    assert_eq!(
        dest.key_for_uri(&format!("{}/{ODD_KEY}", root.path().display()))
            .as_deref(),
        Some(ODD_KEY)
    );
    assert_eq!(dest.key_for_uri("file:///elsewhere/x"), None);

    let out = work.path().join("deep/er/out.bin");
    let got = dest.get_to_file(ODD_KEY, &out, &no_progress).await.unwrap();
    assert_eq!(got, put);
    assert_eq!(std::fs::read(&out).unwrap(), data);

    // The same through the recorded uri.
    let out2 = work.path().join("out2.bin");
    let got2 = download_uri(&uri, &cfg, None, &out2, &no_progress)
        .await
        .unwrap();
    assert_eq!(got2.sha256, put.sha256);
    assert_eq!(
        list_files(work.path()),
        vec!["deep/er/out.bin", "in.bin", "out2.bin"]
    );

    dest.delete(ODD_KEY).await.unwrap();
    assert!(!root.path().join(ODD_KEY).exists());
    dest.delete(ODD_KEY).await.unwrap(); // deleting twice is fine
    let e = dest
        .get_to_file(ODD_KEY, &work.path().join("x"), &no_progress)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(!work.path().join("x").exists());

    // delete_uri on a recorded file:// uri.
    dest.put_file("a/b.txt", &src, Some("text/plain"), &no_progress)
        .await
        .unwrap();
    delete_uri(&dest.uri_for("a/b.txt"), &cfg, None)
        .await
        .unwrap();
    assert!(!root.path().join("a/b.txt").exists());
}

#[tokio::test]
async fn relative_paths_become_absolute_file_uris() {
    let cfg = Config::default();
    let dest = Destination::parse("some rel/dir/../out", &cfg).unwrap();
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(dest.uri(), format!("file://{}/some rel/out", cwd.display()));
    assert_eq!(dest.local_root().unwrap(), cwd.join("some rel/out"));
}

#[tokio::test]
async fn a_reader_never_sees_a_partial_file() {
    let root = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let dest = Destination::parse(root.path().to_str().unwrap(), &Config::default()).unwrap();
    let key = "t.1/artifacts/big/big.bin";
    let old = write_data(&work.path().join("old.bin"), 1024 * 1024, 2);
    dest.put_file(key, &work.path().join("old.bin"), None, &no_progress)
        .await
        .unwrap();
    let new = write_data(&work.path().join("new.bin"), 48 * 1024 * 1024, 3);
    let (old_sha, new_sha) = (sha(&old), sha(&new));

    // A reader polls the final name while the new version is written over the old one.
    let target = root.path().join(key);
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut reads = 0;
            while !done.load(Ordering::Relaxed) {
                let bytes = std::fs::read(&target).unwrap();
                let h = sha(&bytes);
                assert!(
                    h == old_sha || h == new_sha,
                    "saw a partial file of {} bytes",
                    bytes.len()
                );
                reads += 1;
            }
            reads
        })
    };
    let put = dest
        .put_file(key, &work.path().join("new.bin"), None, &no_progress)
        .await
        .unwrap();
    done.store(true, Ordering::Relaxed);
    let reads = reader.join().unwrap();
    assert!(reads > 0);
    assert_eq!(put.sha256, sha(&new));
    // No temporary file is left next to it.
    assert_eq!(list_files(root.path()), vec![key.to_string()]);
}

#[tokio::test]
async fn a_failed_upload_leaves_nothing() {
    let root = tempfile::tempdir().unwrap();
    let dest = Destination::parse(root.path().to_str().unwrap(), &Config::default()).unwrap();
    let e = dest
        .put_file(
            "a/b.bin",
            &root.path().join("no such source"),
            None,
            &no_progress,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no such source"), "{e}");
    assert!(
        list_files(root.path()).is_empty(),
        "{:?}",
        list_files(root.path())
    );
    // Keys that would leave the destination are refused.
    for bad in ["../x", "/etc/passwd", "a//b", "a/./b", ""] {
        let e = dest
            .put_file(bad, &root.path().join("x"), None, &no_progress)
            .await
            .unwrap_err();
        assert!(matches!(e, StorageError::InvalidKey { .. }), "{bad}: {e}");
    }
}

#[tokio::test]
async fn a_missing_folder_is_an_error_naming_it() {
    let base = tempfile::tempdir().unwrap();
    let missing = base.path().join("not here");
    let dest = Destination::parse(missing.to_str().unwrap(), &Config::default()).unwrap();
    let e = dest.check_writable().await.unwrap_err();
    assert!(matches!(e, StorageError::MissingFolder { .. }), "{e}");
    assert!(e.to_string().contains(missing.to_str().unwrap()), "{e}");
    // Uploads do not create the destination folder itself either.
    let src = base.path().join("src");
    write_data(&src, 10, 4);
    let e = dest
        .put_file("k/f", &src, None, &no_progress)
        .await
        .unwrap_err();
    assert!(matches!(e, StorageError::MissingFolder { .. }), "{e}");
    assert!(!missing.exists());
}

#[tokio::test]
async fn a_file_is_not_a_folder() {
    let base = tempfile::tempdir().unwrap();
    let file = base.path().join("plain.txt");
    write_data(&file, 10, 5);
    let dest = Destination::parse(file.to_str().unwrap(), &Config::default()).unwrap();
    let e = dest.check_writable().await.unwrap_err();
    assert!(matches!(e, StorageError::NotAFolder { .. }), "{e}");
    assert!(e.to_string().contains("plain.txt"), "{e}");
}

/// Make `dir` unwritable even for root (chmod, plus the immutable attribute when running as root).
/// Returns false when this machine offers no way to do so.
fn make_unwritable(dir: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = dir.join("probe");
    if std::fs::write(&probe, b"x").is_err() {
        return true;
    }
    std::fs::remove_file(&probe).unwrap();
    // root ignores permissions: use the immutable attribute.
    std::process::Command::new("chattr")
        .arg("+i")
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
        && std::fs::write(&probe, b"x").is_err()
}

#[tokio::test]
async fn an_unwritable_folder_is_an_error_naming_it() {
    let base = tempfile::tempdir().unwrap();
    let ro = base.path().join("read only");
    std::fs::create_dir(&ro).unwrap();
    // Fallback when neither works (e.g. no chattr): sysfs, which never accepts new files.
    let dir = if make_unwritable(&ro) {
        ro.clone()
    } else {
        std::path::PathBuf::from("/sys/kernel")
    };
    let dest = Destination::parse(dir.to_str().unwrap(), &Config::default()).unwrap();
    let e = dest.check_writable().await.unwrap_err();
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(&ro)
        .status();
    assert!(matches!(e, StorageError::NotWritable { .. }), "{e}");
    assert!(e.to_string().contains(dir.to_str().unwrap()), "{e}");
}

#[tokio::test]
async fn unknown_schemes_are_refused() {
    let e = Destination::parse("ftp://host/x", &Config::default()).unwrap_err();
    assert!(e.to_string().contains("unsupported scheme 'ftp'"), "{e}");
    assert!(Destination::parse("  ", &Config::default()).is_err());
}

#[tokio::test]
async fn open_store_roots_a_server_at_a_local_folder() {
    use trove_storage::object_store::{ObjectStoreExt, PutPayload, path::Path as ObjPath};
    let root = tempfile::tempdir().unwrap();
    let (store, prefix) =
        trove_storage::open_store(root.path().to_str().unwrap(), &Config::default()).unwrap();
    assert_eq!(prefix.as_ref(), "");
    // Keys land under the folder byte for byte, as the SDK's own local writes do.
    let p = ObjPath::parse(ODD_KEY).unwrap();
    store
        .put(&p, PutPayload::from_static(b"hello"))
        .await
        .unwrap();
    assert_eq!(std::fs::read(root.path().join(ODD_KEY)).unwrap(), b"hello");
    let dest = Destination::parse(root.path().to_str().unwrap(), &Config::default()).unwrap();
    let work = tempfile::tempdir().unwrap();
    let got = dest
        .get_to_file(ODD_KEY, &work.path().join("o.bin"), &no_progress)
        .await
        .unwrap();
    assert_eq!(got.sha256, sha(b"hello"));
    // A missing folder is refused.
    let e = trove_storage::open_store(
        root.path().join("nope").to_str().unwrap(),
        &Config::default(),
    )
    .unwrap_err();
    assert!(matches!(e, StorageError::MissingFolder { .. }), "{e}");
}
