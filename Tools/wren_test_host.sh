#!/usr/bin/env bash
# Builds Wren's own test host (test/main.c, test/test.c, test/api/*.c of a
# checkout of github.com/wren-lang/wren, unmodified) against Amber's wren.h and
# libAmberWren.so, as CHECKOUT/bin/wren_test_amber (beside Wren's own wren_test,
# which Tools/compare_diagnostics.py uses), then runs Wren's util/test.py.
# The checkout stays outside this repository; nothing of it is committed.
# Measured with wren-lang/wren 77aeb12ab8cff432dcc0e0c511d0f30366650f15: 866 of 866.
#
#   Tools/wren_test_host.sh PATH/TO/wren [SUITE]      e.g. SUITE=api
set -euo pipefail
wren="$(cd "${1:?usage: $0 PATH/TO/wren-checkout [suite]}" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
swift build -c release --product AmberWren
lib="$root/.build/release"
mkdir -p "$wren/bin"
cc -std=c99 -O2 -I "$root/Sources/CAmberWren/include" \
   "$wren/test/main.c" "$wren/test/test.c" "$wren"/test/api/*.c \
   -L "$lib" -lAmberWren -Wl,-rpath,"$lib" -lm -o "$wren/bin/wren_test_amber"
cd "$wren"
python3 util/test.py --suffix _amber ${2:+"$2"}
