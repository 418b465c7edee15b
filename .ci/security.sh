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
# FUZZ_TIME (default 4s) is each target's time; FUZZ_BUDGET (default 300)
# caps the seconds all targets get together, builds included.
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
  gosec -quiet -tests -nosec -fmt json -out "$out" ./... || true
  go run ./.ci/secscan -tool gosec <"$out"
  rm -f "$out"
}

run_fuzz() {
  local per=${FUZZ_TIME:-4s} budget=${FUZZ_BUDGET:-300} start=$SECONDS n=0
  # Packages that define fuzz targets, then their targets as go test lists them.
  local pkgs
  pkgs=$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -r -n1 dirname | sort -u)
  for dir in $pkgs; do
    for target in $(go test -list '^Fuzz' "$dir" | grep '^Fuzz' || true); do
      if (( SECONDS - start >= budget )); then
        echo "fuzz budget of ${budget}s used up; skipping $dir $target"
        continue
      fi
      echo "fuzz $dir $target for $per"
      go test -run '^$' -fuzz "^${target}\$" -fuzztime "$per" -parallel 2 "$dir" >/dev/null
      n=$((n + 1))
    done
  done
  echo "fuzzed $n target(s) in $((SECONDS - start))s"
}

case "${1:-all}" in
  static) run_staticcheck ;;
  gosec) run_gosec ;;
  fuzz) run_fuzz ;;
  all) run_staticcheck; run_gosec; run_fuzz ;;
  *) echo "usage: $0 [all|static|gosec|fuzz]" >&2; exit 2 ;;
esac
