import Testing

/// The engine's realtime tests, one at a time.
///
/// Why serialized: each runs real connections against real time on a 2-core
/// machine and asserts figures that depend on the interleaving (a slow start
/// blocking other hosts, an acquire during a close); running them beside each
/// other would make them measure each other.
@Suite(.serialized) enum RealtimeEngineSuite {}
