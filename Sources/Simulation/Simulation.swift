/// Virtual time and a seeded, single-threaded executor for simulated runs (issue 6).
///
/// Placeholder while the executor is built: the target exists so that the
/// package layout matches ARCHITECTURE.md.
public enum Simulation {}
