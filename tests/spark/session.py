"""Read a proxy-oa bundle with Spark SQL (Hive support) through the bundle's own DDL and load.sql.

Spark resolves Parquet columns by position here, as Impala does (convertMetastoreParquet=false,
parquet.column.index.access=true). Usage:

    session.py BUNDLE_DIR HUSER_URI DBNAME WORK_DIR

BUNDLE_DIR is an unpacked bundle whose data files already sit under HUSER_URI (file://...) in Spot's layout.
Prints one JSON object: for each table of the manifest, its row count and per-column sums (numbers: sum;
strings: sum of lengths) for the bundle's day.
"""
import json
import os
import re
import sys

from pyspark.sql import SparkSession

IMPALA_ONLY = ("REFRESH", "INVALIDATE", "COMPUTE")


def statements(text):
    body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";\n") if s.strip().rstrip(";").strip()]


def main():
    bundle, huser, db, work = sys.argv[1:5]
    manifest = json.load(open(os.path.join(bundle, "manifest.json")))
    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", os.path.join(work, "warehouse"))
        .config("spark.hadoop.javax.jdo.option.ConnectionURL", f"jdbc:derby:;databaseName={work}/metastore_db;create=true")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={work}")
        .config("spark.sql.hive.convertMetastoreParquet", "false")
        .config("spark.hadoop.parquet.column.index.access", "true")
        .enableHiveSupport()
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    script = []
    for t in manifest["tables"]:
        script += statements(open(os.path.join(bundle, "schema", "impala", t["name"] + ".sql")).read())
    script += statements(open(os.path.join(bundle, "load.sql")).read())
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {db}")
    for s in script:
        s = s.rstrip(";").replace("${var:dbname}", db).replace("${var:huser}", huser)
        if s.split()[0].upper() in IMPALA_ONLY:
            continue  # Impala-only statements; Spark reads the partition's files when queried
        spark.sql(s)
    date = manifest["date"]
    y, m, d = int(date[:4]), int(date[4:6]), int(date[6:])
    out = {}
    for t in manifest["tables"]:
        exprs = ["count(*) AS rows"]
        cols = []
        for c in t["columns"]:
            name, ty = c.split()
            cols.append(name)
            if ty == "STRING":
                exprs.append(f"sum(length(`{name}`)) AS `{name}`")
            else:
                exprs.append(f"sum(`{name}`) AS `{name}`")
        row = spark.sql(
            f"SELECT {', '.join(exprs)} FROM {db}.{t['name']} WHERE y = {y} AND m = {m} AND d = {d}"
        ).collect()[0]
        out[t["name"]] = {"rows": row["rows"], "sums": {c: (None if row[c] is None else float(row[c])) for c in cols}}
    print("RESULT " + json.dumps(out, sort_keys=True))
    spark.stop()


if __name__ == "__main__":
    main()
