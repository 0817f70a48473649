#!/usr/bin/env bash
# Runs the benchmarks in bench/Feedback.Benchmarks against a throw-away PostgreSQL cluster.
#
#   ./scripts/bench.sh                   every benchmark: classifier, intake, resume, reports, timers, http, memory, outbox, drill
#   ./scripts/bench.sh intake            one benchmark
#   ./scripts/bench.sh intake --clients 4 --seconds 20     options go to the runner (see its usage)
#
# Each benchmark prints a table and one JSON line; the JSON lines are also collected in
# artifacts/bench/results.jsonl. The cluster lives on 127.0.0.1 only and is always removed.
# Figures from a busy machine are meaningless: the load average is printed before each run.
#
# Optional environment:
#   FEEDBACK_PG_BIN   directory holding initdb/pg_ctl/pgbench, for non-Debian machines
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

results_dir="$repo_root/artifacts/bench"
# postgres refuses to run as root, so root runs the cluster as this account (the one scripts/test.sh uses).
pg_account=feedbacktest

export DOTNET_NOLOGO="${DOTNET_NOLOGO:-1}"
export DOTNET_CLI_TELEMETRY_OPTOUT="${DOTNET_CLI_TELEMETRY_OPTOUT:-1}"

step() { printf '==> %s\n' "$*"; }
warn() { printf 'bench.sh: warning: %s\n' "$*" >&2; }
fail() { printf 'bench.sh: error: %s\n' "$*" >&2; exit 1; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

all_benchmarks=(classifier intake resume reports timers http memory outbox drill)
benchmarks=("${all_benchmarks[@]}")
if [[ $# -gt 0 && "$1" != --* ]]; then
    case "$1" in
        classifier|intake|resume|reports|timers|http|memory|outbox|drill) benchmarks=("$1") ;;
        all) ;;
        *) fail "unknown benchmark '$1'; use one of: ${all_benchmarks[*]} (or all)" ;;
    esac
    shift
fi
runner_options=("$@")
if [[ ${#runner_options[@]} -gt 0 && ${#benchmarks[@]} -gt 1 ]]; then
    fail "options belong to one benchmark; name it first (e.g. ./scripts/bench.sh intake --clients 4)"
fi

pg_tmp=""
pg_bin=""

run_as_pg() {
    # Subshell + cd: the caller's working directory may not be readable by the
    # unprivileged account, and postgres tools resolve their own path from it.
    (
        cd "$pg_tmp"
        if is_root; then
            runuser -u "$pg_account" -- "$@"
        else
            "$@"
        fi
    )
}

stop_cluster() {
    [[ -n "$pg_tmp" ]] || return 0
    local dir="$pg_tmp"
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        # Immediate mode: the data is thrown away, so a shutdown checkpoint is wasted time.
        if ! run_as_pg "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1; then
            local pid
            pid="$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)"
            if [[ "$pid" =~ ^[0-9]+$ ]]; then
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    if [[ -f "$dir/postgres.log" && -d "$results_dir" ]]; then
        cp "$dir/postgres.log" "$results_dir/postgres.log" 2>/dev/null || true
    fi
    rm -rf "$dir"
    pg_tmp=""
}

trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

apt_updated=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || return 1
    if [[ "$apt_updated" -eq 0 ]]; then
        apt-get update -qq || return 1
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" </dev/null
}

find_pg_bin() {
    if [[ -n "${FEEDBACK_PG_BIN:-}" ]]; then
        [[ -x "$FEEDBACK_PG_BIN/pg_ctl" ]] || fail "FEEDBACK_PG_BIN=$FEEDBACK_PG_BIN holds no pg_ctl"
        echo "$FEEDBACK_PG_BIN"
        return 0
    fi
    if [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]]; then
        echo /usr/lib/postgresql/15/bin
        return 0
    fi
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [[ -n "$dir" && -x "$dir/pg_ctl" ]] && echo "$dir"
    return 0
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    else
        echo $((20000 + RANDOM % 10000))
    fi
}

needs_postgres=0
for name in "${benchmarks[@]}"; do
    [[ "$name" == classifier ]] || needs_postgres=1
done

# --- prerequisites -----------------------------------------------------------

command -v dotnet >/dev/null 2>&1 || fail "dotnet not found on PATH; install the .NET 10 SDK"

if [[ "$needs_postgres" -eq 1 ]]; then
    pg_bin="$(find_pg_bin)"
    # On Debian 12 pgbench comes with the server package (postgresql-15), not with postgresql-client-15.
    if [[ -z "$pg_bin" || ! -x "$pg_bin/pgbench" ]]; then
        if is_root; then
            step "installing PostgreSQL server and pgbench (Debian package 'postgresql')"
            apt_install postgresql || fail "could not install the Debian package 'postgresql'"
            pg_bin="$(find_pg_bin)"
        fi
        [[ -n "$pg_bin" && -x "$pg_bin/pgbench" ]] || fail "PostgreSQL server binaries or pgbench not found (looked in /usr/lib/postgresql/15/bin).
Install the Debian package 'postgresql' (sudo apt-get install postgresql), or set FEEDBACK_PG_BIN to a directory holding initdb, pg_ctl and pgbench."
    fi
    export FEEDBACK_PGBENCH="$pg_bin/pgbench"
fi

# The http benchmark drives the host with wrk (Debian package 'wrk').
for name in "${benchmarks[@]}"; do
    [[ "$name" == http ]] || continue
    if ! command -v wrk >/dev/null 2>&1; then
        if is_root; then
            step "installing the load generator wrk (Debian package 'wrk')"
            apt_install wrk || fail "could not install the Debian package 'wrk'"
        else
            fail "wrk not found: install the Debian package 'wrk' (sudo apt-get install wrk), or run without the http benchmark"
        fi
    fi
done

# --- build ------------------------------------------------------------------

build_servers=()
if [[ "${CI:-}" == "true" ]]; then
    # Build servers outlive the script and keep its output pipe open, which stalls CI runners.
    build_servers=(--disable-build-servers)
fi

mkdir -p "$results_dir"
# Release, like production: Debug builds would make every figure pessimistic. This also builds the host.
step "building bench/Feedback.Benchmarks (Release)"
dotnet build bench/Feedback.Benchmarks --nologo -c Release "${build_servers[@]}" </dev/null >"$results_dir/build.log" 2>&1 \
    || { tail -n 30 "$results_dir/build.log" >&2; fail "build failed (full log: $results_dir/build.log)"; }

# --- throw-away cluster ------------------------------------------------------

if [[ "$needs_postgres" -eq 1 ]]; then
    if is_root; then
        if ! id -u "$pg_account" >/dev/null 2>&1; then
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$pg_account" \
                || fail "could not create system user '$pg_account'"
        fi
        # The account must be able to reach the directory, and TMPDIR may be private to root.
        tmp_base=/tmp
    else
        tmp_base="${TMPDIR:-/tmp}"
    fi

    step "starting throw-away PostgreSQL ($("$pg_bin/postgres" --version))"
    pg_tmp="$(mktemp -d "$tmp_base/feedback-bench-pg.XXXXXX")"
    if is_root; then
        chown "$pg_account:" "$pg_tmp"
    fi

    # --no-sync only skips flushing initdb's files; the server itself keeps fsync on, since
    # durable commits are what the intake and resume figures are compared by.
    if ! run_as_pg "$pg_bin/initdb" -D "$pg_tmp/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
            >"$pg_tmp/initdb.log" 2>&1; then
        cat "$pg_tmp/initdb.log" >&2
        fail "initdb failed"
    fi

    # The settings scripts/test.sh uses, plus pg_stat_statements for the statements-per-case profile
    # (its small overhead applies to pgbench and the host alike).
    cat >>"$pg_tmp/data/postgresql.conf" <<EOF

listen_addresses = '127.0.0.1'
unix_socket_directories = '$pg_tmp'
max_connections = 300
shared_buffers = 128MB
shared_preload_libraries = 'pg_stat_statements'
EOF

    pg_port=""
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        if run_as_pg "$pg_bin/pg_ctl" -D "$pg_tmp/data" -l "$pg_tmp/postgres.log" -o "-p $port" -w -t 60 start \
                >/dev/null 2>&1; then
            pg_port="$port"
            break
        fi
        # Another process may grab the port between picking and binding it; only that is worth a retry.
        if ! grep -q 'Address already in use' "$pg_tmp/postgres.log" 2>/dev/null; then
            break
        fi
        warn "port $port was taken, retrying ($attempt)"
        : >"$pg_tmp/postgres.log"
    done
    if [[ -z "$pg_port" ]]; then
        tail -n 30 "$pg_tmp/postgres.log" >&2 2>/dev/null || true
        fail "PostgreSQL did not start"
    fi

    export FEEDBACK_BENCH_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres;Pooling=true"
    # The fault drill stops and starts this cluster mid-run; it needs what this script starts it with.
    export FEEDBACK_BENCH_PG_CTL="$pg_bin/pg_ctl" FEEDBACK_BENCH_PG_DATA="$pg_tmp/data" FEEDBACK_BENCH_PG_LOG="$pg_tmp/postgres.log"
    if is_root; then export FEEDBACK_BENCH_PG_ACCOUNT="$pg_account"; fi
    step "PostgreSQL listening on 127.0.0.1:$pg_port"
fi

# --- benchmarks --------------------------------------------------------------

failed=0
for name in "${benchmarks[@]}"; do
    step "benchmark $name (nproc $(nproc), load average $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown))"
    log="$results_dir/$name.txt"
    if dotnet run --project bench/Feedback.Benchmarks -c Release --no-build -- "$name" "${runner_options[@]}" </dev/null \
            | tee "$log"; then
        grep '^{"benchmark"' "$log" >>"$results_dir/results.jsonl" || true
    else
        warn "benchmark $name failed"
        failed=$((failed + 1))
    fi
done

step "results: $results_dir"
[[ "$failed" -eq 0 ]]
