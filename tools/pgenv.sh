# tools/pgenv.sh: shared helpers for the project's scripts (source it, do not run it).
#
# It finds the PostgreSQL installation through pg_config (PG_CONFIG overrides,
# as in the Makefile) and starts private clusters with that installation's own
# initdb/pg_ctl. When run as root the server runs as the "postgres" OS user,
# because PostgreSQL refuses to run as root.

: "${PG_CONFIG:=$( [ -x /usr/lib/postgresql/15/bin/pg_config ] && echo /usr/lib/postgresql/15/bin/pg_config || command -v pg_config || echo pg_config)}"
export PG_CONFIG
PG_BINDIR=$("$PG_CONFIG" --bindir 2>/dev/null)
export PATH="$PG_BINDIR:$PATH"

# Run a command as the OS user who owns the clusters.
as_cluster_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- env PATH="$PATH" "$@"
  else
    "$@"
  fi
}

# A directory the cluster owner may write to.
make_owned_dir() {
  mkdir -p "$1"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$1"; fi
  chmod 700 "$1"
}

# First TCP port from $1 upwards on which nothing listens on localhost.
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# cluster_start DATADIR PORT [LISTEN]: initdb if needed, then start (waits until ready).
# LISTEN is listen_addresses: '' (default) for a socket-only server.
cluster_start() {
  local dir=$1 port=$2 listen=${3:-}
  local extra=${PG_EXTRA_OPTS:-}
  extra=${extra//$'\n'/ }       # pg_ctl hands -o to a shell line: no newlines
  if [ ! -f "$dir/PG_VERSION" ]; then
    make_owned_dir "$dir"
    as_cluster_owner initdb -D "$dir" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir.initdb.log" 2>&1 \
      || { cat "$dir.initdb.log"; return 1; }
  fi
  if as_cluster_owner pg_ctl -D "$dir" status >/dev/null 2>&1; then return 0; fi
  as_cluster_owner pg_ctl -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses='$listen' $extra" start >/dev/null \
    || { tail -20 "$dir/server.log"; return 1; }
}

cluster_stop() {
  [ -f "$1/PG_VERSION" ] && as_cluster_owner pg_ctl -D "$1" -m fast -w stop >/dev/null 2>&1
  return 0
}

# Build and install the extension into the installation PG_CONFIG names.
build_and_install() {
  make -s all PG_CONFIG="$PG_CONFIG" || return 1
  if [ -w "$("$PG_CONFIG" --pkglibdir)" ]; then
    make -s install PG_CONFIG="$PG_CONFIG" >/dev/null || return 1
  else
    echo "Installing needs write access to $("$PG_CONFIG" --pkglibdir); using sudo." >&2
    sudo make -s install PG_CONFIG="$PG_CONFIG" >/dev/null || return 1
  fi
}
