/// The run report's types: see `RunSummary`.
public enum StormReport {}
