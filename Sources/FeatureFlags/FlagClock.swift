#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time on a ``FlagClock``, in nanoseconds since that clock's own zero.
///
/// The cache packs instants into one atomic word next to the cached value, so an
/// instant is a plain unsigned count of nanoseconds rather than a `Duration`:
/// comparing two of them on the hot path is one integer comparison.
public struct FlagInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the clock's zero.
    public var nanoseconds: UInt64

    /// Creates an instant `nanoseconds` after the clock's zero.
    @inlinable
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// The clock's zero.
    public static let zero = FlagInstant(nanoseconds: 0)

    @inlinable
    public static func < (lhs: FlagInstant, rhs: FlagInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// The instant `duration` later (saturating; negative durations move backwards, never below zero).
    @inlinable
    public static func + (lhs: FlagInstant, rhs: Duration) -> FlagInstant {
        let delta = rhs.flagNanoseconds
        if delta >= 0 {
            let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(UInt64(delta))
            return FlagInstant(nanoseconds: overflow ? .max : sum)
        }
        let magnitude = UInt64(-delta)
        return FlagInstant(nanoseconds: lhs.nanoseconds > magnitude ? lhs.nanoseconds - magnitude : 0)
    }

    /// The time from `rhs` to `lhs` (negative when `lhs` is earlier).
    @inlinable
    public static func - (lhs: FlagInstant, rhs: FlagInstant) -> Duration {
        if lhs.nanoseconds >= rhs.nanoseconds {
            return .nanoseconds(Int64(clamping: lhs.nanoseconds - rhs.nanoseconds))
        }
        return .nanoseconds(-Int64(clamping: rhs.nanoseconds - lhs.nanoseconds))
    }

    public var description: String { "t+\(Double(nanoseconds) / 1e9)s" }
}

extension Duration {
    /// This duration in whole nanoseconds, clamped to `Int64` (shared with the
    /// package's other targets; not public API).
    @inlinable
    package var flagNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }
}

/// The time source of the flag cache and the client manager.
///
/// Injected so that tests use ``ManualFlagClock`` and simulated runs a virtual
/// clock: the core cannot tell real time from virtual time. `now()` sits on the
/// hot path of every cached check, so it must be cheap: the default
/// ``CoarseMonotonicClock`` reads `CLOCK_MONOTONIC_COARSE` (a few milliseconds of
/// resolution, ample for a 15-minute TTL) instead of a precise clock.
public protocol FlagClock: Sendable {
    /// The current instant.
    func now() -> FlagInstant
    /// Suspends until `deadline`, or throws `CancellationError` if the task is cancelled first.
    func sleep(until deadline: FlagInstant) async throws
}

/// The default clock: `CLOCK_MONOTONIC_COARSE` for `now()`, the task sleep for `sleep(until:)`.
///
/// Why coarse: a precise `ContinuousClock.now` costs about 31 ns here against
/// about 12 ns for the coarse clock, and the check's whole budget is 20 ns. The
/// coarse clock ticks every few milliseconds, which only matters for TTLs far
/// shorter than anything a flag server hands out.
public struct CoarseMonotonicClock: FlagClock {
    /// Creates the clock. It has no state: every instance reads the same system clock.
    public init() {}

    @inlinable
    public func now() -> FlagInstant {
        FlagInstant(nanoseconds: MonotonicTime.coarseNanoseconds())
    }

    public func sleep(until deadline: FlagInstant) async throws {
        let remaining = deadline - now()
        if remaining > .zero {
            try await Task.sleep(for: remaining)
        } else {
            try Task.checkCancellation()
        }
    }
}

/// Direct reads of the operating system's monotonic clocks, for the coarse clock
/// and for lock timing (which must not follow an injected virtual clock).
public enum MonotonicTime {
    /// `CLOCK_MONOTONIC_COARSE` (Linux) or the approximate uptime clock (Darwin), in nanoseconds.
    @inlinable
    public static func coarseNanoseconds() -> UInt64 {
        #if os(Linux)
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
        #elseif canImport(Darwin)
        return clock_gettime_nsec_np(CLOCK_UPTIME_RAW_APPROX)
        #else
        #error("FlagStorm needs clock_gettime (Linux) or clock_gettime_nsec_np (Darwin)")
        #endif
    }

    /// `CLOCK_MONOTONIC`, in nanoseconds: precise, used only off the hot path (lock wait and hold timing).
    @inlinable
    public static func preciseNanoseconds() -> UInt64 {
        #if os(Linux)
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
        #elseif canImport(Darwin)
        return clock_gettime_nsec_np(CLOCK_UPTIME_RAW)
        #else
        #error("FlagStorm needs clock_gettime (Linux) or clock_gettime_nsec_np (Darwin)")
        #endif
    }
}
