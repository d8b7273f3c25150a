#!/usr/bin/env bash
# Builds Wren's command line (src/cli/*.c and src/module/*.c of a checkout of
# github.com/wren-lang/wren-cli, unmodified, over libuv: Debian's libuv1-dev)
# against Amber's wren.h and libAmberWren.so, as CHECKOUT/bin/wren_cli_amber, then
# runs the CLI's util/test.py. The checkout stays outside this repository.
# Measured with wren-lang/wren-cli 18553636618a4d33f10af9b5ab92da6431784a8c: 92 of 92
# (the 3 stdin tests the suite marks "skip" are skipped, as with Wren's own CLI).
#
#   Tools/wren_cli_host.sh PATH/TO/wren-cli [SUITE]
set -euo pipefail
cli="$(cd "${1:?usage: $0 PATH/TO/wren-cli-checkout [suite]}" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
swift build -c release --product AmberWren
lib="$root/.build/release"
mkdir -p "$cli/bin"
cc -std=gnu99 -O2 -I "$root/Sources/CAmberWren/include" -I "$cli/src/cli" -I "$cli/src/module" \
   "$cli"/src/cli/*.c "$cli"/src/module/*.c \
   -L "$lib" -lAmberWren -Wl,-rpath,"$lib" -luv -lm -lpthread -o "$cli/bin/wren_cli_amber"
cd "$cli"
python3 util/test.py --suffix _amber ${2:+"$2"}
