#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on 127.0.0.1 for the tests and prints the URL
# they read from WARDEN_TEST_POSTGRES_URL. Debian's server refuses to run as
# root, so it runs as the postgres user the package creates.
set -euo pipefail
port=${WARDEN_TEST_PG_PORT:-55432}
dir=${WARDEN_TEST_PG_DIR:-/tmp/warden-test-pg}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  echo "postgres://warden@127.0.0.1:$port/postgres?sslmode=disable"
  exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
as_pg "$bin/initdb" -D "$dir" -A trust -U warden >/dev/null
as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
echo "postgres://warden@127.0.0.1:$port/postgres?sslmode=disable"
