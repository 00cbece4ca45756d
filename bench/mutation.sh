#!/usr/bin/env bash
# Mutation testing of the privacy and ownership rules (issue 9) with mutmut, on SQLite.
#
#   bench/mutation.sh                               # the five files below, one after the other
#   bench/mutation.sh marketplace/accounts/policy.py   # one of them
#
# Each file is mutated with only the test directories that exercise it, so a run stays within
# minutes rather than hours. Environment: PYTHON (default .venv/bin/python), MUTMUT_CHILDREN
# (parallel mutants, default 1: the test suite is CPU-bound), MUTATION_WORKDIR (where the
# scratch copies go, default a temporary directory that is kept so results can be browsed).
#
# mutmut reads its settings only from setup.cfg or pyproject.toml in the directory it runs in,
# and writes its mutants/ folder there. The repository keeps neither file at its top level, so
# each run works in a scratch copy of the working tree with a generated setup.cfg; nothing is
# written into the repository. Results per file are printed as killed/survived/total, followed
# by the names of the surviving mutants (`mutmut show NAME` in that copy prints the change);
# docs/mutation.md records the last run and why each survivor is harmless.
#
# After adding tests, MUTATION_SURVIVORS_ONLY=1 with the MUTATION_WORKDIR of an earlier run
# copies the repository's tests/ into each earlier copy and runs only the mutants that survived
# there (mutmut collects coverage for the new tests and keeps the earlier verdicts of the rest).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$repo/.venv/bin/python}
children=${MUTMUT_CHILDREN:-1}
workdir=${MUTATION_WORKDIR:-$(mktemp -d -t canting-mutation.XXXXXX)}

# The test directories that exercise each file: the privacy tests of programs also read the
# catalogue's program filter; tests/accounts reaches every branch of accounts/policy.py (pages
# and API calls with and without each role). The money, stock and ownership rules of orders
# (issue 10) are reached through checkout, carts and seller actions in tests/orders; the stock
# module also through the catalogue's stock edits and archived variants. The payment modules
# (issue 11) run with tests/payments only: orders' flows reach the ledger and refunds through
# the same services, and tests/payments covers them (localstripe and gunicorn included) in
# about 25 s, where adding tests/orders would triple each mutant's run. The reports' privacy rules
# and figures (issue 12) run with tests/reports, whose hand-built history covers every figure.
declare -A tests_for=(
  [marketplace/programs/queries.py]="tests/programs tests/catalog"
  [marketplace/programs/services.py]="tests/programs"
  [marketplace/catalog/queries.py]="tests/catalog tests/programs"
  [marketplace/catalog/services.py]="tests/catalog"
  [marketplace/accounts/policy.py]="tests/accounts"
  [marketplace/catalog/stock.py]="tests/orders tests/catalog"
  [marketplace/orders/services.py]="tests/orders"
  [marketplace/orders/shipping.py]="tests/orders"
  [marketplace/orders/cart.py]="tests/orders"
  [marketplace/payments/ledger.py]="tests/payments"
  [marketplace/payments/refunds.py]="tests/payments"
  [marketplace/payments/services.py]="tests/payments"
  [marketplace/payments/payouts.py]="tests/payments"
  [marketplace/payments/payout_accounts.py]="tests/payments"
  [marketplace/payments/reconcile.py]="tests/payments"
  [marketplace/reports/services.py]="tests/reports"
  [marketplace/reports/metrics.py]="tests/reports"
  [marketplace/reports/sales.py]="tests/reports"
)
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(marketplace/programs/queries.py marketplace/programs/services.py marketplace/catalog/queries.py
         marketplace/catalog/services.py marketplace/accounts/policy.py)
fi

summary=()
for file in "${files[@]}"; do
  selection=${tests_for[$file]:-}
  if [ -z "$selection" ]; then
    echo "No test selection for $file (known: ${!tests_for[*]})" >&2
    exit 2
  fi
  copy="$workdir/$(echo "${file%.py}" | tr / -)"
  survivors=()
  if [ -n "${MUTATION_SURVIVORS_ONLY:-}" ]; then
    if [ ! -f "$copy/mutmut-results.txt" ]; then
      echo "No earlier run of $file in $workdir" >&2
      exit 2
    fi
    mapfile -t survivors < <(grep -v ': killed$' "$copy/mutmut-results.txt" | sed 's/^ *//; s/:.*//')
    rm -rf "$copy/tests" && cp -a "$repo/tests" "$copy/tests"
    echo "== $file: ${#survivors[@]} earlier survivors, with the tests of $repo"
  fi
  if [ -z "${MUTATION_SURVIVORS_ONLY:-}" ]; then
  rm -rf "$copy" && mkdir -p "$copy"
  # The working tree as it is (uncommitted tests included), without git data, caches or uploads.
  tar -C "$repo" --exclude=.git --exclude=.venv --exclude=mutants --exclude=__pycache__ \
      --exclude=node_modules --exclude=instance -cf - . | tar -C "$copy" -xf -
  {
    echo "[mutmut]"
    echo "source_paths = marketplace/"
    echo "only_mutate = $file"
    echo "also_copy ="
    printf '    %s\n' templates/ static/ migrations/ config.py
    echo "pytest_add_cli_args = -p no:cacheprovider"
    echo "pytest_add_cli_args_test_selection ="
    printf '    %s\n' $selection
  } > "$copy/setup.cfg"
  fi
  echo "== $file with $selection (in $copy)"
  started=$(date +%s)
  if [ -n "${MUTATION_SURVIVORS_ONLY:-}" ] && [ ${#survivors[@]} -eq 0 ]; then
    : # nothing left to check
  else
  (cd "$copy" && env -u TEST_DATABASE_URL "$python" -m mutmut run --max-children "$children" "${survivors[@]}" \
     >> mutmut-run.log 2>&1) || {
    echo "mutmut failed for $file; see $copy/mutmut-run.log" >&2
    tail -20 "$copy/mutmut-run.log" >&2
    exit 1
  }
  fi
  (cd "$copy" && "$python" -m mutmut results --all true > mutmut-results.txt)
  # One line per mutant, "    name: status"; statuses other than killed and survived (no tests,
  # timeout, suspicious, ...) are counted apart.
  counts=$(sed -n 's/^ *[^ ]*: //p' "$copy/mutmut-results.txt" | sort | uniq -c |
           awk '{n=$1; $1=""; sub(/^ /, ""); printf "%s%d %s", sep, n, $0; sep=", "}')
  total=$(grep -c ': ' "$copy/mutmut-results.txt" || true)
  line="$file: ${counts:-no mutants}; $total total ($(( $(date +%s) - started )) s)"
  echo "$line"
  grep -v ': killed$' "$copy/mutmut-results.txt" || true
  summary+=("$line")
done

echo
echo "== Mutation score"
printf '%s\n' "${summary[@]}"
