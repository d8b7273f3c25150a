@_spi(AmberInternals) import AmberObjects

// The `time` module: the two clocks, both read through the port library.
//
//   Time.now        seconds since the Unix epoch (wall clock, never adjusted)
//   Time.monotonic  seconds on the VM's monotonic clock, which excludes the
//                   time an image lay frozen between snapshot and restore

extension VM {
    static let timeSource = """
    class Time {
      foreign static now
      foreign static monotonic
    }
    """

    func registerTimeModule() {
        registerBuiltinModule("time", source: VM.timeSource)
        foreign("time.Time.static now") { vm, a in vm.ret(a, Value(vm.port.wallClock())) }
        foreign("time.Time.static monotonic") { vm, a in vm.ret(a, Value(vm.monotonicSeconds())) }
    }
}
