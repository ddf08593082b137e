extension Duration {
    /// This duration in whole nanoseconds: negative durations as 0, durations beyond `UInt64` as `UInt64.max`.
    ///
    /// Virtual time is unsigned nanoseconds (like the core's `FlagInstant`), and
    /// both a sleep and the driver's grace period want "how long, at least zero".
    var saturatingNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, seconds > 0 || attoseconds > 0 else { return 0 }
        let whole = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let total = whole.partialValue.addingReportingOverflow(UInt64(max(attoseconds, 0) / 1_000_000_000))
        return whole.overflow || total.overflow ? .max : total.partialValue
    }
}
