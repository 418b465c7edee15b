#!/usr/bin/env bash
# Security scanning of Warden itself: staticcheck, gosec, and every fuzz
# target run briefly. Findings are fixed, or excluded one by one with a reason
# in .ci/scan-exclusions.txt (filtered by .ci/secscan).
#
#   bash .ci/security.sh            all three
#   bash .ci/security.sh static     staticcheck only (also: gosec, fuzz)
#
# The scanners are installed with `go install` at the versions pinned in
# .ci/tools.env, into $(go env GOPATH)/bin, and only when that version is not
# there already, so a warm machine skips the build.
# FUZZ_TIME (default 2s) is each target's fuzzing time; FUZZ_BUDGET (default
# 150) caps the seconds all targets run together (builds are timed apart). A target
# left out because the budget ran out fails the step (it is never skipped
# quietly).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tools.env
. .ci/tools.env
GOBIN="$(go env GOPATH)/bin"
export GOBIN PATH="$GOBIN:$PATH"

install_tool() { # name module@version: skipped when that build is installed
  local name=$1 module=$2 version=$3 bin="$GOBIN/$1"
  if [ -x "$bin" ] && [ "$(go version -m "$bin" | awk '$1 == "mod" {print $3}')" = "$version" ]; then
    return 0
  fi
  echo "installing $module@$version"
  go install "$module@$version"
}

run_staticcheck() {
  install_tool staticcheck honnef.co/go/tools/cmd/staticcheck "$STATICCHECK_VERSION"
  local out; out=$(mktemp)
  # staticcheck exits 1 when it finds anything; secscan decides.
  staticcheck -f json ./... >"$out" || true
  go run ./.ci/secscan -tool staticcheck <"$out"
  rm -f "$out"
}

run_gosec() {
  install_tool gosec github.com/securego/gosec/v2/cmd/gosec "$GOSEC_VERSION"
  local out; out=$(mktemp)
  # Test files are scanned too (-tests): a test that builds a command from
  # input is as much a risk on a CI runner. #nosec comments are not
  # honoured (-nosec): every exclusion lives in .ci/scan-exclusions.txt.
  # third_party/ is a forked module of its own (not in ./... for go list and
  # staticcheck, but gosec walks directories): it is upstream's code.
  gosec -quiet -tests -nosec -exclude-dir=third_party -fmt json -out "$out" ./... || true
  go run ./.ci/secscan -tool gosec <"$out"
  rm -f "$out"
}

fuzz_once() { # dir binary target time cachedir log
  (cd "$1" && "$2" -test.run='^$' -test.fuzz="^${3}\$" -test.fuzztime="$4" \
    -test.parallel=2 -test.fuzzcachedir="$5/${1#./}/$3" >"$6" 2>&1)
}

run_fuzz() {
  # Every Fuzz target in the tree, found in the source (func FuzzX(f *testing.F)
  # in a _test.go file) rather than by `go test -list`, which would build each
  # package's test binary once more just to name its targets. Each package's
  # coverage-instrumented test binary is built once (go test -c -fuzz) and
  # run per target: `go test -fuzz` per target would relink it every time.
  # The budget counts the targets' run time; the builds (one per package,
  # slow only on a cold build cache) are timed and printed apart, so that a
  # loaded machine does not turn into skipped targets.
  local per=${FUZZ_TIME:-2s} budget=${FUZZ_BUDGET:-150} start=$SECONDS n=0 fuzzed=0 b
  local targets=() skipped=() t dir target took bin built=""
  local tmp cache
  tmp=$(mktemp -d)
  cache="$(go env GOCACHE)/fuzz/warden-ci"
  # third_party/ (a forked module of its own) is left out: its targets are upstream's.
  mapfile -t targets < <(grep -rHo --include='*_test.go' --exclude-dir=third_party -E '^func Fuzz[A-Za-z0-9_]*\(' . |
    sed -E 's#^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($#\1 \2#' | sort -u)
  echo "fuzz: ${#targets[@]} target(s), ${per} each, budget ${budget}s"
  for t in "${targets[@]}"; do
    dir=${t% *} target=${t#* }
    # A target the budget leaves out fails the step below: fuzzing that
    # silently shrinks is worse than a red step saying to raise FUZZ_BUDGET.
    if (( fuzzed >= budget )); then
      skipped+=("$dir $target")
      continue
    fi
    bin="$tmp/$(echo "${dir#./}" | tr / _).test"
    if [ "$built" != "$dir" ]; then
      b=$SECONDS
      go test -c -fuzz=. -o "$bin" "$dir"
      built=$dir
      echo "fuzz: built $dir in $((SECONDS - b))s"
    fi
    took=$SECONDS
    # Run in the package directory, as go test does: the seed corpus is read
    # from, and a failing input written to, testdata/fuzz/<target> there.
    # Go's fuzz coordinator can fail a run with a bare "context deadline
    # exceeded" when -fuzztime ends under CPU contention (golang/go#51484):
    # no input is at fault and none is written. That run is retried once; a
    # real finding (a written failing input) fails at once.
    if ! fuzz_once "$dir" "$bin" "$target" "$per" "$cache" "$tmp/log" &&
      ! { grep -q 'context deadline exceeded' "$tmp/log" && ! grep -q 'Failing input written' "$tmp/log" &&
        echo "fuzz: $dir $target: Go's fuzztime deadline race (no failing input); running it again" &&
        fuzz_once "$dir" "$bin" "$target" "$per" "$cache" "$tmp/log"; }; then
      cat "$tmp/log"
      echo "fuzz: $dir $target FAILED (the failing input is saved under $dir/testdata/fuzz/$target)"
      rm -rf "$tmp"
      return 1
    fi
    n=$((n + 1)) fuzzed=$((fuzzed + SECONDS - took))
    echo "fuzz: $dir $target ok ($((SECONDS - took))s)"
  done
  rm -rf "$tmp"
  echo "fuzz: ran $n of ${#targets[@]} target(s) in $((SECONDS - start))s (${fuzzed}s fuzzing, the rest building)"
  if (( ${#targets[@]} == 0 )); then
    echo "fuzz: no Fuzz targets found; the search is broken"; return 1
  fi
  if (( ${#skipped[@]} > 0 )); then
    echo "fuzz: NOT RUN, the fuzzing budget of ${budget}s was used up before:"
    printf '  %s\n' "${skipped[@]}"
    echo "fuzz: raise FUZZ_BUDGET or lower FUZZ_TIME; every target must run"
    return 1
  fi
}

case "${1:-all}" in
  static) run_staticcheck ;;
  gosec) run_gosec ;;
  fuzz) run_fuzz ;;
  all) run_staticcheck; run_gosec; run_fuzz ;;
  *) echo "usage: $0 [all|static|gosec|fuzz]" >&2; exit 2 ;;
esac
