// The benchmark job in DuckDB (@duckdb/node-api): load the attendance CSV and the area register
// into a database file, then compute (b) and (c) and write them as madi writes them.
// usage: node duckdb_job.mjs DATA_DIR DB_FILE THREADS OUT_B OUT_C   (prints {"load","compute"})
import { DuckDBInstance } from '@duckdb/node-api';

const [data, dbfile, threads, outB, outC] = process.argv.slice(2);
const q = (s) => "'" + s.replaceAll("'", "''") + "'";
const t0 = performance.now();
const db = await DuckDBInstance.create(dbfile, { threads: String(threads) });
const con = await db.connect();
await con.run(`CREATE TABLE att AS SELECT * FROM read_csv(${q(data + '/attendance.csv')},
  header = true, columns = {'record_id': 'VARCHAR', 'session_id': 'VARCHAR', 'date': 'DATE',
  'organisation': 'VARCHAR', 'area': 'VARCHAR', 'activity': 'VARCHAR', 'person_key': 'VARCHAR',
  'sex': 'VARCHAR', 'age': 'INTEGER', 'disability': 'VARCHAR', 'displacement': 'VARCHAR'})`);
await con.run(`CREATE TABLE area AS SELECT * FROM read_csv(${q(data + '/area.csv')},
  header = true, all_varchar = true)`);
await con.run('CHECKPOINT');
const t1 = performance.now();
await con.run(`COPY (SELECT year(date) AS year, 'Q' || quarter(date) AS quarter, area AS district,
  coalesce(activity, '_N') AS activity, coalesce(sex, '_N') AS sex,
  CASE WHEN age IS NULL THEN '_N' WHEN age < 5 THEN '0-4' WHEN age < 12 THEN '5-11'
       WHEN age < 18 THEN '12-17' WHEN age < 25 THEN '18-24' WHEN age < 60 THEN '25-59'
       ELSE '60+' END AS age_band,
  coalesce(disability, '_N') AS disability, count(*) AS attendances
  FROM att GROUP BY ALL) TO ${q(outB)} (HEADER, DELIMITER ',')`);
await con.run(`COPY (SELECT year(a.date) AS year, r.parent AS province,
  coalesce(a.sex, '_N') AS sex, count(DISTINCT a.person_key) AS people
  FROM att a JOIN area r ON r.code = a.area WHERE a.person_key IS NOT NULL
  GROUP BY ALL) TO ${q(outC)} (HEADER, DELIMITER ',')`);
const t2 = performance.now();
const v = (await con.runAndReadAll('SELECT version()')).getRows()[0][0];
console.log(JSON.stringify({ load: (t1 - t0) / 1000, compute: (t2 - t1) / 1000,
  version: `DuckDB ${v}, node ${process.version}` }));
