"""Generator benchmark: `manage.py generate_demo_data` into a fresh database, timed.

    python bench/generate.py [--projects 10000] [--profile]

Drops and recreates the database (`bench_<projects>` unless --database says otherwise), migrates
it, runs the generator, and prints the rows of every table it filled, the total, the wall time
and rows per second. With --profile the generator runs under cProfile and the slowest functions
are printed too (the profile is kept in bench/results/generate.prof). The database is left in
place for the other benchmarks to reuse (`--reuse`).
"""

from __future__ import annotations

import argparse
import pstats

from common import ROOT, analyze, create_database, database_name, generate, psql


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--database", help="database name (default bench_<projects>)")
    parser.add_argument("--profile", action="store_true", help="run the generator under cProfile and print the top functions")
    args = parser.parse_args()

    name = args.database or database_name(args.projects)
    url = create_database(name)
    before = table_rows(url)
    profile = ROOT / "bench" / "results" / "generate.prof" if args.profile else None
    elapsed = generate(url, args.projects, profile=profile)
    analyzed = analyze(url)
    after = table_rows(url)
    added = {table: after[table] - before.get(table, 0) for table in after if after[table] != before.get(table, 0)}
    total = sum(added.values())

    print()
    print(f"database {name}: {args.projects:,} projects")
    for table, rows in sorted(added.items(), key=lambda item: -item[1]):
        print(f"  {table:<40} {rows:>10,}")
    print(f"  {'total':<40} {total:>10,} rows")
    print(f"wall time                                  {elapsed:>10,.1f} s")
    print(f"rate                                       {total / elapsed:>10,.0f} rows/s   ({args.projects / elapsed:,.0f} projects/s)")
    print(f"ANALYZE afterwards                         {analyzed:>10,.1f} s   (statistics for the planner)")
    if profile:
        print()
        pstats.Stats(str(profile)).sort_stats("cumulative").print_stats(25)


def table_rows(url: str) -> dict[str, int]:
    """Exact row count of every table of the public schema."""
    tables = psql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").split()
    if not tables:
        return {}
    query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)
    rows = {}
    for line in psql(url, query).splitlines():
        table, count = line.split("|")
        rows[table] = int(count)
    return rows


if __name__ == "__main__":
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    main()
