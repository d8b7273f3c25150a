// The headers are this target's product: wren.h (Wren 0.4's C API) and
// amber.h (snapshots). Their functions are defined in Swift, in
// Sources/AmberWren, with @_cdecl. SwiftPM needs one source file here.
#include "wren.h"
#include "amber.h"
