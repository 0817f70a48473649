#!/usr/bin/env bash
# Runs the test suite against a throw-away PostgreSQL cluster.
#
#   ./scripts/test.sh [dotnet test arguments...]     e.g. --filter 'FullyQualifiedName~Scheduling'
#
# The arguments reach the test run only, not the build that precedes it.
#
# Tests read FEEDBACK_TEST_POSTGRES (a superuser connection string to the
# "postgres" database) and create their own databases from it.
# The last line printed is always "N passed, N failed", also when setup or the
# build fails, so a log can be judged by its tail.
#
# Optional environment:
#   FEEDBACK_SOLUTION             solution or project to test (default: Feedback.sln)
#   FEEDBACK_TEST_CONFIGURATION   build configuration (default: Debug)
#   FEEDBACK_PG_BIN               directory holding initdb/pg_ctl, for non-Debian machines
#   FEEDBACK_ALLOW_SKIPS          1: skipped tests (the browser tests without Chromium) are not counted as
#                                 failures; by default they are, so that a run that tested less does not pass
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

solution="${FEEDBACK_SOLUTION:-Feedback.sln}"
configuration="${FEEDBACK_TEST_CONFIGURATION:-Debug}"
# One folder per run, so that two runs in one work tree (a subset beside the whole suite) neither delete nor count
# each other's results.
results_root="$repo_root/artifacts/test-results"
results_dir="$results_root/$(date -u +%Y%m%d-%H%M%S)-$$"
# postgres refuses to run as root, so root runs the cluster as this account.
pg_account=feedbacktest

export DOTNET_NOLOGO="${DOTNET_NOLOGO:-1}"
export DOTNET_CLI_TELEMETRY_OPTOUT="${DOTNET_CLI_TELEMETRY_OPTOUT:-1}"

step() { printf '==> %s\n' "$*"; }
warn() { printf 'test.sh: warning: %s\n' "$*" >&2; }
fail() { printf 'test.sh: error: %s\n' "$*" >&2; exit 1; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

pg_tmp=""
pg_bin=""
totals_printed=0

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
    # Keep the server log next to the TRX files: it is often the only clue to a failure.
    if [[ -f "$dir/postgres.log" && -d "$results_dir" ]]; then
        cp "$dir/postgres.log" "$results_dir/postgres.log" 2>/dev/null || true
    fi
    rm -rf "$dir"
    pg_tmp=""
}

on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    stop_cluster
    if [[ "$totals_printed" -eq 0 ]]; then
        # Setup or an unexpected error ended the run before any test reported.
        echo "0 passed, 1 failed"
        [[ "$rc" -ne 0 ]] || rc=1
    fi
    exit "$rc"
}
trap on_exit EXIT
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
    # A newer Debian's "postgresql" brings a newer major; the tests need nothing 15-only.
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [[ -n "$dir" && -x "$dir/pg_ctl" ]] && echo "$dir"
    return 0
}

smtp_python() {
    # Debian's python3-aiosmtpd is importable only by the system interpreter, which a
    # pyenv or venv python3 earlier on PATH hides.
    local py
    for py in python3 /usr/bin/python3; do
        if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import aiosmtpd' >/dev/null 2>&1; then
            command -v "$py"
            return 0
        fi
    done
    return 0
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    else
        echo $((20000 + RANDOM % 10000))
    fi
}

# --- prerequisites -----------------------------------------------------------

# Checked first: without the SDK nothing below is of use, and installing the servers would be wasted.
command -v dotnet >/dev/null 2>&1 || fail "dotnet not found on PATH; install the .NET 10 SDK (https://dot.net)"

pg_bin="$(find_pg_bin)"
if [[ -z "$pg_bin" ]]; then
    if is_root; then
        step "installing PostgreSQL server (Debian package 'postgresql')"
        apt_install postgresql || fail "could not install the Debian package 'postgresql'"
        pg_bin="$(find_pg_bin)"
    fi
    [[ -n "$pg_bin" ]] || fail "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/15/bin).
Install the Debian package 'postgresql' (sudo apt-get install postgresql), or set FEEDBACK_PG_BIN to a directory holding initdb and pg_ctl."
fi

smtp_py="$(smtp_python)"
if [[ -z "$smtp_py" ]]; then
    if is_root; then
        step "installing loopback SMTP server (Debian package 'python3-aiosmtpd')"
        apt_install python3-aiosmtpd || warn "could not install 'python3-aiosmtpd'; mail tests will fail"
        smtp_py="$(smtp_python)"
    else
        warn "aiosmtpd not found; install the Debian package 'python3-aiosmtpd' or mail tests will fail"
    fi
fi
if [[ -n "$smtp_py" ]]; then
    # The interpreter that can run "python -m aiosmtpd", for tests that need an SMTP peer.
    export FEEDBACK_TEST_SMTP_PYTHON="$smtp_py"
fi

# The e-mail intake tests start Debian's Dovecot as an unprivileged IMAP server on loopback.
if [[ ! -x /usr/sbin/dovecot ]]; then
    if is_root; then
        step "installing IMAP server for the e-mail intake tests (Debian package 'dovecot-imapd')"
        apt_install dovecot-imapd || warn "could not install 'dovecot-imapd'; e-mail intake tests will fail"
    else
        warn "dovecot not found; install the Debian package 'dovecot-imapd' or e-mail intake tests will fail"
    fi
fi

# The browser tests drive Debian's Chromium (no browser download); the build fetches Elsa Studio with npm.
if ! command -v chromium >/dev/null 2>&1; then
    if is_root; then
        step "installing Chromium for the browser tests (Debian package 'chromium')"
        apt_install chromium || warn "could not install 'chromium'; browser tests will be skipped and count as failures"
    else
        warn "chromium not found; install the Debian package 'chromium' or browser tests will be skipped and count as failures"
    fi
fi
if ! command -v npm >/dev/null 2>&1; then
    if is_root; then
        step "installing npm, which the build uses to fetch Elsa Studio (Debian package 'npm')"
        apt_install npm || warn "could not install 'npm'; the build cannot fetch Elsa Studio and the Studio tests will fail"
    else
        warn "npm not found; install the Debian package 'npm' or the build cannot fetch Elsa Studio and the Studio tests will fail"
    fi
fi

# --- build ------------------------------------------------------------------

build_servers=()
if [[ "${CI:-}" == "true" ]]; then
    # Build servers outlive the script and keep its output pipe open, which stalls CI runners.
    build_servers=(--disable-build-servers)
fi

mkdir -p "$results_dir"
# Earlier runs' folders are kept for a day, then cleared.
find "$results_root" -mindepth 1 -maxdepth 1 -mmin +1440 -exec rm -rf {} + 2>/dev/null || true

# Built apart from the test run so that a compile error is reported as such, and
# before the cluster starts so that it fails fast.
step "building $solution ($configuration)"
if ! dotnet build "$solution" --nologo -c "$configuration" "${build_servers[@]}" </dev/null; then
    fail "build failed"
fi

# --- throw-away cluster ------------------------------------------------------

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
pg_tmp="$(mktemp -d "$tmp_base/feedback-pg.XXXXXX")"
if is_root; then
    chown "$pg_account:" "$pg_tmp"
fi

# --no-sync: the cluster is deleted afterwards, so flushing initdb's files is wasted time.
if ! run_as_pg "$pg_bin/initdb" -D "$pg_tmp/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
        >"$pg_tmp/initdb.log" 2>&1; then
    cat "$pg_tmp/initdb.log" >&2
    fail "initdb failed"
fi

# Several hosts with their own pools run at once in the tests, hence the connection headroom.
cat >>"$pg_tmp/data/postgresql.conf" <<EOF

listen_addresses = '127.0.0.1'
unix_socket_directories = '$pg_tmp'
max_connections = 300
shared_buffers = 128MB
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

export FEEDBACK_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres;Pooling=true"
step "PostgreSQL listening on 127.0.0.1:$pg_port (FEEDBACK_TEST_POSTGRES is set)"

# --- tests -------------------------------------------------------------------

dotnet_args=(test "$solution" --nologo -c "$configuration" --no-build "${build_servers[@]}"
    --logger trx --results-directory "$results_dir")
step "dotnet ${dotnet_args[*]} $*"
test_rc=0
dotnet "${dotnet_args[@]}" "$@" </dev/null || test_rc=$?

stop_cluster

# Counters from every assembly's TRX; error/timeout/aborted outcomes count as failures.
read -r passed failed skipped trx_count < <(python3 - "$results_dir" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET

passed = failed = skipped = files = 0
for path in glob.glob(os.path.join(sys.argv[1], "**", "*.trx"), recursive=True):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        failed += 1
        continue
    files += 1
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] != "Counters":
            continue
        n = lambda name: int(el.get(name, "0") or 0)
        passed += n("passed")
        failing = n("failed") + n("error") + n("timeout") + n("aborted")
        failed += failing
        # xUnit's skipped tests are counted in "total" only, not under any outcome counter.
        skipped += max(0, n("total") - n("passed") - failing)
print(passed, failed, skipped, files)
PY
)

if [[ "$test_rc" -ne 0 && "$failed" -eq 0 ]]; then
    # A crashed or killed test host leaves no failing test behind to count.
    warn "dotnet test exited with code $test_rc without a failing test in the results (test host crash?)"
    failed=1
fi
if [[ "$trx_count" -eq 0 && "$test_rc" -eq 0 ]]; then
    warn "no test results were produced (no test projects in $solution?)"
fi

if [[ "$skipped" -ne 0 ]]; then
    if [[ "${FEEDBACK_ALLOW_SKIPS:-}" == "1" ]]; then
        step "$skipped test(s) skipped (allowed by FEEDBACK_ALLOW_SKIPS=1)"
    else
        # A skipped test checked nothing; the TRX files name them and why.
        warn "$skipped test(s) skipped, counted as failed (set FEEDBACK_ALLOW_SKIPS=1 to allow skips)"
        failed=$((failed + skipped))
    fi
fi
step "test results: $results_dir"
totals_printed=1
echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
