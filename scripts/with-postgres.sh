#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server: a fresh cluster in a temporary directory,
# listening on a Unix socket only, removed afterwards. DATABASE_URL points the command at it.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: PostgreSQL server not installed (run scripts/system-deps.sh)" >&2
  exit 1
fi

work=$(mktemp -d /tmp/lumbar-pg.XXXXXX)
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: the cluster belongs to the postgres system user.
  chown postgres:postgres "$work"
  run_as=(runuser -u postgres --)
fi
cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"${run_as[@]}" "$bindir/initdb" -D "$work/data" -U lumbar --auth=trust -E UTF8 >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$work/data" -l "$work/log" -w \
  -o "-c listen_addresses='' -c unix_socket_directories='$work' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
"${run_as[@]}" "$bindir/createdb" -h "$work" -U lumbar lumbar

export DATABASE_URL="postgres://lumbar@/lumbar?host=$work"
"$@"
