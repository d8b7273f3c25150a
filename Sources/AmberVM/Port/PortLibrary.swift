#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The port library: the VM's only door to the operating system.
//
// Every clock read and sleep goes through here, so an embedder can swap in a
// fixed clock for tests, and an image restore can adjust the monotonic clock
// by the time the image lay frozen (design section 8).

public struct PortLibrary {
    /// Seconds on a monotonic clock, before adjustment.
    public var rawMonotonic: () -> Double = {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    /// Seconds since the Unix epoch.
    public var wallClock: () -> Double = {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    /// Sleeps the whole process.
    public var sleep: (Double) -> Void = { seconds in
        guard seconds > 0 else { return }
        var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var rest = timespec()
        while nanosleep(&ts, &rest) != 0 && errno == EINTR { ts = rest }
    }
    /// Subtracted from `rawMonotonic` (time spent frozen in an image).
    public var monotonicOffset: Double = 0
    /// When this VM started, on the adjusted monotonic clock.
    public var startTime: Double = 0
    /// Files, directories and the standard streams (PortLibrary+Files.swift).
    public var files = FilePort()

    public init() {}

    /// The VM's monotonic clock: seconds since the VM started, excluding frozen time.
    public func monotonicSeconds() -> Double { rawMonotonic() - monotonicOffset - startTime }
}
