//! Preview parsers on real files written by pandas, numpy, Python's zipfile and json.

use std::fs::File;
use trove_web::preview::{self, Preview};

#[test]
fn parsers_read_real_files() {
    let dir = tempfile::tempdir().unwrap();
    let files = crate::common::make_files(dir.path());
    let path = |k: &str| files[k]["file"].as_str().unwrap().to_string();

    // csv.gz with index (pandas default)
    let gz = std::fs::read(path("Pandas")).unwrap();
    let text = preview::gunzip_head(&gz, 1 << 20).unwrap();
    let Preview::Table {
        header,
        rows,
        index_first,
        truncated,
    } = preview::csv_table(&text, true, true)
    else {
        panic!()
    };
    assert_eq!(
        header,
        vec!["", "num_legs", "num_wings", "num_specimen_seen"]
    );
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[2], vec!["spider", "8", "0", "1"]);
    assert!(index_first && !truncated);
    let html = preview::csv_table(&text, true, true).to_html();
    assert!(html.contains("<th>falcon</th><td>2</td>"), "{html}");

    // 30 rows with quoted commas: only 20 shown, quotes undone
    let gz = std::fs::read(path("big")).unwrap();
    let text = preview::gunzip_head(&gz, 1 << 20).unwrap();
    let Preview::Table {
        header,
        rows,
        truncated,
        ..
    } = preview::csv_table(&text, true, true)
    else {
        panic!()
    };
    assert_eq!(header, vec!["", "i", "sq", "name"]);
    assert_eq!(rows.len(), preview::TABLE_ROWS);
    assert!(truncated);
    assert_eq!(rows[7], vec!["7", "7", "49", "row, \"7\""]);

    // a gzip cut in the middle still yields the rows before the cut
    let cut = &gz[..gz.len() / 2];
    let partial = preview::gunzip_head(cut, 1 << 20).unwrap();
    assert!(!partial.is_empty());
    let Preview::Table { rows, .. } = preview::csv_table(&partial, true, false) else {
        panic!()
    };
    assert!(rows.iter().all(|r| r.len() == 4), "no half rows: {rows:?}");
    assert!(preview::gunzip_head(b"definitely not gzip", 100).is_err());

    // json: pretty-printed, same data
    let raw = std::fs::read(path("dictionary")).unwrap();
    let pretty = preview::json_pretty(&raw).unwrap();
    let a: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let b: serde_json::Value = serde_json::from_str(&pretty).unwrap();
    assert_eq!(a, b);
    assert!(pretty.contains("\"num_legs\": {"));
    assert!(preview::json_pretty(b"{not json").is_none());

    // zip listing with sizes
    let Preview::Zip { entries, total } =
        preview::zip_listing(File::open(path("local folder")).unwrap()).unwrap()
    else {
        panic!()
    };
    assert_eq!(total, 2);
    assert_eq!(
        entries,
        vec![("a.txt".to_string(), 600), ("sub/b.bin".to_string(), 3000)]
    );
    assert!(preview::zip_listing(File::open(path("Pandas")).unwrap()).is_err());

    // npz: np.eye(100, 100)
    let Preview::Npz { arrays } =
        preview::npz_arrays(File::open(path("Numpy Eye")).unwrap()).unwrap()
    else {
        panic!()
    };
    assert_eq!(arrays.len(), 1);
    assert_eq!(arrays[0].name, "Numpy Eye");
    assert_eq!(
        (
            arrays[0].dtype.as_str(),
            arrays[0].shape.as_str(),
            arrays[0].len
        ),
        ("float64", "(100, 100)", 10_000)
    );
    assert_eq!(
        arrays[0].values[..3],
        ["1.".to_string(), "0.".into(), "0.".into()]
    );

    // npz with several dtypes; compare with numpy's own view of the file
    let Preview::Npz { arrays } = preview::npz_arrays(File::open(path("multi")).unwrap()).unwrap()
    else {
        panic!()
    };
    let by = |n: &str| arrays.iter().find(|a| a.name == n).unwrap().clone();
    let numpy = crate::common::run_python(&[
        "-c",
        "import numpy as np, sys, json; z = np.load(sys.argv[1]); \
         print(json.dumps({k: [str(z[k].dtype), list(z[k].shape), [str(x) for x in z[k].ravel()[:10]]] for k in z.files}))",
        &path("multi"),
    ]);
    let numpy: serde_json::Value = serde_json::from_str(&numpy).unwrap();
    assert_eq!(by("ints").dtype, numpy["ints"][0].as_str().unwrap());
    assert_eq!(by("ints").shape, "(3, 4)");
    assert_eq!(
        by("ints").values,
        numpy["ints"][2]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect::<Vec<_>>()
    );
    assert_eq!(by("flags").values, vec!["True", "False"]);
    assert_eq!(by("flags").dtype, "bool");
    assert_eq!(by("names").values, vec!["ab", "c"]);
    assert_eq!(by("names").dtype, "str2");
    let html = Preview::Npz { arrays }.to_html();
    assert!(html.contains("(3, 4)"));
}

#[test]
fn previews_escape_hostile_content() {
    let p = Preview::Table {
        header: vec!["<b>h</b>".into()],
        rows: vec![vec!["<script>alert(1)</script>".into()]],
        index_first: true,
        truncated: false,
    };
    let h = p.to_html();
    assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !h.contains("<script>"));
    let t = Preview::Text {
        text: "</pre><script>x</script>".into(),
        note: Some("<i>".into()),
    }
    .to_html();
    assert!(!t.contains("<script>") && !t.contains("<i>"));
    let z = Preview::Zip {
        entries: vec![("<img src=x>".into(), 1)],
        total: 1,
    }
    .to_html();
    assert!(!z.contains("<img src=x>"));
}

#[test]
fn parquet_written_by_pandas() {
    let dir = tempfile::tempdir().unwrap();
    let files = crate::common::make_files(dir.path());
    let path = |k: &str| files[k]["file"].as_str().unwrap().to_string();
    let Preview::Table {
        header,
        rows,
        index_first,
        truncated,
    } = preview::parquet_table(File::open(path("parquet")).unwrap(), true).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        header,
        vec!["", "num_legs", "num_wings", "num_specimen_seen"]
    );
    assert_eq!(rows[0], vec!["falcon", "2", "2", "10"]);
    assert_eq!(rows.len(), 4);
    assert!(index_first && !truncated);
    let Preview::Table {
        header,
        rows,
        truncated,
        ..
    } = preview::parquet_table(File::open(path("range parquet")).unwrap(), true).unwrap()
    else {
        panic!()
    };
    assert_eq!(header, vec!["", "i", "sq", "name"]);
    assert_eq!(rows.len(), preview::TABLE_ROWS);
    assert_eq!(rows[7], vec!["7", "7", "49", "row, \"7\""]);
    assert!(truncated);
    assert!(preview::parquet_table(File::open(path("Pandas")).unwrap(), true).is_err());
}
