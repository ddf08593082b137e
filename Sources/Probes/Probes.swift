/// Probes: measurement on the side of a run (latency histograms, allocator and
/// file-descriptor readings), recorded locally and merged once at the end.
public enum Probes {}
